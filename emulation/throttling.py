"""Login throttling that stops guessing without locking an office out (issue #14, finding 12).

django-axes counts failed logins in its table (`AccessAttempt`, one row per user name, address
and browser). Two counts decide, over the last LOGIN_LOCKOUT_MINUTES:

- one user name from one address: LOGIN_FAILURE_LIMIT (5) failures lock that pair — that user
  from that address, no one else;
- one address, whatever the user names: LOGIN_ADDRESS_FAILURE_LIMIT (30) failures lock the
  address — someone trying many accounts, while five colleagues behind one office router who each
  mistype once lock nothing.

Attempts during a lock are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off): the
right password typed while locked neither counts as a failure nor prolongs the lock. The lockout
page says until when. The secretariat lifts the locks of its cluster's users, the administrator
anyone's (`login_unlock`)."""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class PairAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit: axes compares the largest of its counts
    with one limit, so the address count is reported as "at the limit" only once it reaches its
    own (AXES_LOCKOUT_PARAMETERS: the pair first, then the address)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def lock(self, request, credentials: dict | None = None) -> tuple[dt.datetime | None, bool]:
        """When the lock ends (None: not locked) and whether it is the address's lock."""
        pair, address = self.get_user_attempts(request, credentials)
        cool_off = get_cool_off(request)
        ends = []
        for attempts, limit, whole_address in (
            (pair, get_failure_limit(request, credentials), False),
            (address, settings.LOGIN_ADDRESS_FAILURE_LIMIT, True),
        ):
            # The lock lasts until enough of the newest failures age out that the rest are below
            # the limit: until the one that made the count reach it is LOGIN_LOCKOUT_MINUTES old.
            total = 0
            for at, failures in attempts.order_by("-attempt_time").values_list(
                "attempt_time", "failures_since_start"
            ):
                total += failures
                if total >= limit:
                    ends.append((at + cool_off, whole_address))
                    break
        if not ends:
            return None, False
        return max(ends)


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """The login page while locked (AXES_LOCKOUT_CALLABLE): why, and until when (HTTP 429)."""
    until, whole_address = PairAndAddressHandler().lock(request, credentials)
    limit = (
        settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if whole_address
        else get_failure_limit(request, credentials)
    )
    context = {
        "failure_limit": limit,
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": get_cool_off(request),
        "locked_until": until,
        "whole_address": whole_address,
    }
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
