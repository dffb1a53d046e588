from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from clusters import views as cluster_views
from emulation import converters  # noqa: F401 — registers the `id` converter

handler400 = "emulation.uploads.bad_request"  # says when a request body was too big

admin.site.site_header = "Quản trị — Thi đua khen thưởng"
admin.site.site_title = "Thi đua khen thưởng"


@login_not_required
def healthz(request):
    """For load balancers and the page benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def favicon(request):
    # (Resolved per request: the static files' manifest is not read at import time.)
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    # Browsers ask for /favicon.ico before reading the page's <link rel="icon">.
    path("favicon.ico", favicon, name="favicon"),
    path("", include("scoring.urls")),
    path(
        "cum/<id:pk>/dang-nhap-bi-khoa/",
        cluster_views.cluster_login_locks,
        name="cluster-login-locks",
    ),
    path(
        "dat-mat-khau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
