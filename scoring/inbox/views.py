"""The notification preferences of the signed-in user, and a cluster's contacts page (the
secretariat's: member units' contact e-mails and reporter invitations)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clusters.permissions import get_cluster_for_user
from scoring.errors import ScoringError
from scoring.inbox.forms import ContactsForm, InviteForm, PreferenceForm
from scoring.inbox.services import (
    cluster_member_units,
    contacts_update,
    preference_set,
    reporter_invite,
)
from scoring.models import NotificationPreference


def notification_preferences(request):
    """Every signed-in user's own page: nothing of anyone else is reachable from it."""
    current = NotificationPreference.objects.filter(user=request.user).first()
    enabled = current.email_enabled if current else True
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference_set(user=request.user, email_enabled=form.cleaned_data["email_enabled"])
            messages.success(request, _("Đã lưu tùy chọn thông báo."))
            return redirect("notification-preferences")
    else:
        form = PreferenceForm(initial={"email_enabled": enabled})
    return render(
        request,
        "inbox/preferences.html",
        {"form": form, "enabled": enabled, "email": request.user.email},
    )


def cluster_contacts(request, pk: int):
    """Outside the scope a 404; in scope but not the cluster's secretariat a 403."""
    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    units = cluster_member_units(cluster=cluster)
    contacts = ContactsForm(units=units)
    invite = InviteForm(units=units)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "invite":
                invite = InviteForm(request.POST, units=units)
                if invite.is_valid():
                    data = invite.cleaned_data
                    user, created = reporter_invite(
                        cluster=cluster,
                        unit=invite.units[data["unit"]],
                        email=data["email"],
                        name=data["name"],
                        actor=request.user,
                    )
                    messages.success(
                        request,
                        (
                            _("Đã tạo tài khoản %(user)s và gửi thư mời.")
                            if created
                            else _("Đã gửi thư mời cho %(user)s.")
                        )
                        % {"user": user.get_username()},
                    )
                    return redirect("cluster-contacts", pk=cluster.pk)
            else:
                contacts = ContactsForm(request.POST, units=units)
                if contacts.is_valid():
                    changed = contacts_update(
                        cluster=cluster, emails=contacts.emails(), actor=request.user
                    )
                    messages.success(
                        request,
                        _("Đã lưu thư điện tử liên hệ: %(n)s đơn vị thay đổi.")
                        % {"n": len(changed)},
                    )
                    return redirect("cluster-contacts", pk=cluster.pk)
        except ScoringError as error:
            messages.error(request, str(error))
        status = 400
    return render(
        request,
        "inbox/contacts.html",
        {"cluster": cluster, "contacts": contacts, "invite": invite, "units": units},
        status=status,
    )
