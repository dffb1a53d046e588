from __future__ import annotations

from django.conf import settings
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
