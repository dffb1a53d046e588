from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` — a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def form_field(field):
    """`{% form_field field %}` — one form field in Bootstrap 5's markup (what crispy-forms
    writes: label, widget, errors, help), written in Python rather than through an included
    template per field, which took a third of the report page's rendering. The widget carries
    its classes (scoring.forms.BootstrapFields); every text is escaped."""
    auto_id = field.auto_id
    errors = format_html_join(
        "",
        '<span id="error_{}_{}" class="invalid-feedback d-block"><strong>{}</strong></span>',
        ((number, auto_id, error) for number, error in enumerate(field.errors, 1)),
    )
    help_text = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, field.help_text)
        if field.help_text
        else ""
    )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        auto_id,
        field.id_for_label,
        field.label,
        field,
        errors,
        help_text,
    )
