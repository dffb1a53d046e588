"""Whole pages cached for readers.

A dashboard that many leadership users read over and over (a year's ranking, the overview) is
the same page for all of them, but for three things in its frame: the CSRF token of the
language and logout forms, the user's name, and the flash messages. `cached_page` renders such a
page once with placeholders for the first two, keeps it under a key of everything else the page
shows (the caller builds it, see `page_key`), and fills the placeholders per response — so a
repeated read costs a cache lookup and a join of bytes, not a template rendering. The page is
kept encoded and cut at its placeholders, so that nothing of its ~200 KB is copied twice.

A request with flash messages waiting is rendered normally (the messages are shown and consumed,
and nothing is cached). The permission check stays the caller's: it must have decided that the
user may read the page before asking for it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import get_language

# Characters of Unicode's private-use area: they never come out of our templates, and text that
# contains them is shown to readers who are allowed the page anyway.
CSRF_HOLE = "\ue000csrf\ue001"
USER_HOLE = "\ue000user\ue001"
NEXT_HOLE = "\ue000next\ue001"
LIFETIME = 300  # bounds what changes outside a page's key (names, offices)
_HOLES = re.compile(
    "({})".format("|".join(re.escape(hole) for hole in (CSRF_HOLE, USER_HOLE, NEXT_HOLE))).encode()
)


def page_key(request: HttpRequest, kind: str, *parts) -> str:
    """A key for a page of `kind`: the caller's parts plus what the frame depends on (the path —
    not the query string, which the caller reads into its parts if the page uses it, so that
    made-up queries do not fill the cache —, the language, whether the user sees the admin
    link)."""
    frame = (request.path, get_language(), request.user.is_staff)
    digest = hashlib.sha256(repr((parts, frame)).encode()).hexdigest()[:40]
    return f"page:{kind}:{digest}"


def holes() -> dict:
    """The context that a page rendered for the cache gets: placeholders where the frame shows the
    CSRF token, the user's name and the address to return to (see base.html)."""
    return {"csrf_token": CSRF_HOLE, "page_username": USER_HOLE, "page_next": NEXT_HOLE}


def cached_page(
    request: HttpRequest, key: str, render: Callable[[dict], HttpResponse]
) -> HttpResponse:
    """The page under `key`, rendered by `render(holes())` if missing, with its placeholders
    filled for this request."""
    if len(get_messages(request)):
        return render({})
    pieces = cache.get(key)
    if pieces is None:
        response = render(holes())
        if response.streaming:
            return response
        # [text, hole, text, hole, …, text]: the holes at the odd places.
        pieces = _HOLES.split(response.content)
        if response.status_code != 200:  # returned (filled in), never kept
            response.content = _filled(request, pieces)
            return response
        cache.set(key, pieces, LIFETIME)
    return HttpResponse(_filled(request, pieces))


def _filled(request: HttpRequest, pieces: list[bytes]) -> bytes:
    fill = {
        CSRF_HOLE.encode(): get_token(request).encode(),
        USER_HOLE.encode(): escape(request.user.get_username()).encode(),
        NEXT_HOLE.encode(): escape(request.get_full_path()).encode(),
    }
    return b"".join(fill[piece] if i % 2 else piece for i, piece in enumerate(pieces))
