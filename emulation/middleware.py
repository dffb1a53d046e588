from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose another language (the language cookie set by the
    switch in the menu). The browser's Accept-Language is not followed: office computers are
    often set to English, and the product speaks Vietnamese first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        # The request's language for this request only (a test client's next request, or code
        # run after it in the same thread, must not inherit it).
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.activate(previous) if previous else translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """A NUL character in a request's fields or their names is a 400 ("Yêu cầu không hợp lệ.",
    emulation.uploads.bad_request), before any view: PostgreSQL refuses NUL in every text column,
    so a value read straight from request.POST (a reason, an objection's text) was a server error
    (issue #14, "no 500 from any input"). Nobody types one; Django's form fields refuse it too
    and its upload parser drops it from file names, this covers the rest. In process_view: after
    the login and CSRF checks, once the URL is resolved (an upload's limit depends on the page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("NUL character in the request")
        return None
