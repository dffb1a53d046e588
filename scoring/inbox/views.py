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
from scoring.inbox.selectors import cluster_member_units, email_enabled
from scoring.inbox.services import contacts_update, preference_set, reporter_invite


def notification_preferences(request):
    """Every signed-in user's own page: nothing of anyone else is reachable from it."""
    enabled = email_enabled(user=request.user)
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
    """The secretariat's: member units' contact e-mails and reporter invitations. Outside the
    scope a 404; in scope but not the cluster's secretariat a 403; a refused POST is a 400."""
    cluster, can_write = get_cluster_for_user(request, pk)
    if not can_write:
        raise PermissionDenied
    units = cluster_member_units(cluster=cluster)
    contacts = ContactsForm(units=units)
    invite = InviteForm(units=units)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "invite":
            invite = InviteForm(request.POST, units=units)
            done = _invite(request, cluster, invite)
        else:
            contacts = ContactsForm(request.POST, units=units)
            done = _save_contacts(request, cluster, contacts)
        if done:
            return redirect("cluster-contacts", pk=cluster.pk)
        status = 400
    return render(
        request,
        "inbox/contacts.html",
        {"cluster": cluster, "contacts": contacts, "invite": invite, "units": units},
        status=status,
    )


def _invite(request, cluster, form: InviteForm) -> bool:
    """Invite a reporter for a member unit (an account made if need be, and an e-mail)."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        user, created = reporter_invite(
            cluster=cluster,
            unit=form.units[data["unit"]],
            email=data["email"],
            name=data["name"],
            actor=request.user,
        )
    except ScoringError as error:
        messages.error(request, str(error))
        return False
    message = (
        _("Đã tạo tài khoản %(user)s và gửi thư mời.")
        if created
        else _("Đã gửi thư mời cho %(user)s.")
    )
    messages.success(request, message % {"user": user.get_username()})
    return True


def _save_contacts(request, cluster, form: ContactsForm) -> bool:
    """Set the member units' contact e-mails."""
    if not form.is_valid():
        return False
    try:
        changed = contacts_update(cluster=cluster, emails=form.emails(), actor=request.user)
    except ScoringError as error:
        messages.error(request, str(error))
        return False
    messages.success(
        request,
        _("Đã lưu thư điện tử liên hệ: %(n)s đơn vị thay đổi.") % {"n": len(changed)},
    )
    return True
