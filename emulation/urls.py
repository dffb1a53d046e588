from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import path, register_converter
from django.views.i18n import set_language

from clusters import views as cluster_views
from scoring import views as scoring_views
from scoring import views_bulk, views_conference, views_exports, views_report, views_setup
from scoring.inbox import views as inbox_views


class IdConverter:
    """A database id in a URL: at most 18 digits, so every id that matches fits a 64-bit signed
    integer (the largest is 9223372036854775807, 19 digits). A longer number matches no URL and
    is a 404 — it never reaches a query (the database driver raised OverflowError: a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

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
    path("", cluster_views.home, name="home"),
    path("tong-quan/", cluster_views.overview, name="overview"),
    path("cum/<id:pk>/", cluster_views.cluster_detail, name="cluster-detail"),
    path("cum/<id:pk>/so-sanh/", cluster_views.cluster_compare, name="cluster-compare"),
    path("cum/<id:pk>/mo-nam/", views_setup.year_open_view, name="year-open"),
    path(
        "cum/<id:pk>/dang-nhap-bi-khoa/",
        cluster_views.cluster_login_locks,
        name="cluster-login-locks",
    ),
    path("nam/<id:pk>/", scoring_views.year_detail, name="year-detail"),
    path("nam/<id:pk>/ho-so-hoi-nghi/", views_exports.conference_pack, name="conference-pack"),
    path("nam/<id:pk>/xep-hang.json", views_exports.ranking_json, name="ranking-json"),
    path("nam/<id:pk>/xep-hang.csv", views_exports.ranking_csv, name="ranking-csv"),
    path("nam/<id:pk>/xep-hang.xlsx", views_exports.ranking_xlsx, name="ranking-xlsx"),
    path("nam/<id:pk>/chi-tieu/", views_setup.year_targets, name="year-targets"),
    path(
        "nam/<id:pk>/chi-tieu/mau.xlsx",
        views_bulk.year_targets_template,
        name="year-targets-template",
    ),
    path(
        "nam/<id:pk>/chi-tieu/chep-nam-truoc/",
        views_bulk.year_targets_copy,
        name="year-targets-copy",
    ),
    path("nam/<id:pk>/tham-dinh/", views_bulk.year_verify_bulk, name="year-verify-bulk"),
    path("nam/<id:pk>/giao-uoc/", views_setup.year_pledge, name="year-pledge"),
    path("nam/<id:pk>/thang-diem/", views_setup.year_scheme, name="year-scheme"),
    # (path: a code stored before codes were restricted may hold "/"; it must still reverse.)
    path("nam/<id:pk>/thang-diem/<path:code>/", views_setup.criterion_edit, name="criterion-edit"),
    path("nam/<id:pk>/diem-cham-tay/", views_setup.year_manual_points, name="year-manual"),
    path("nam/<id:pk>/kien-nghi/", views_setup.year_objections, name="year-objections"),
    path("nam/<id:pk>/trang-thai/", views_setup.year_status, name="year-status"),
    path("nam/<id:pk>/nhac-nho/", views_setup.year_remind, name="year-remind"),
    path("nam/<id:pk>/don-vi/<id:unit_id>/", scoring_views.year_unit_sheet, name="year-unit-sheet"),
    path("nam/<id:pk>/bao-cao/<id:unit_id>/", views_report.report_detail, name="report-detail"),
    path(
        "nam/<id:pk>/bao-cao/<id:unit_id>/lich-su/",
        scoring_views.report_history,
        name="report-history",
    ),
    path(
        "nam/<id:pk>/bao-cao/<id:unit_id>/minh-chung/<id:evidence_id>/",
        scoring_views.evidence_download,
        name="evidence-download",
    ),
    path("nam/<id:pk>/hoi-nghi/", views_conference.year_conference, name="year-conference"),
    path("nam/<id:pk>/hoi-nghi/bo-phieu/", views_conference.ballot_open_view, name="ballot-open"),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/",
        views_conference.ballot_vote_view,
        name="ballot-vote",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/ket-thuc/",
        views_conference.ballot_close_view,
        name="ballot-close",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/mo-lai/",
        views_conference.ballot_reopen_view,
        name="ballot-reopen",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/phieu-giay/<id:unit_id>/",
        views_conference.ballot_paper_scan,
        name="ballot-paper-scan",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/phieu-giay/<id:unit_id>/khieu-nai/",
        views_conference.ballot_paper_contest_view,
        name="ballot-paper-contest",
    ),
    path("nam/<id:pk>/hoi-nghi/bau-cu/", views_conference.year_election, name="year-election"),
    path("nam/<id:pk>/hoi-nghi/co-luan-luu/", views_conference.year_flag, name="year-flag"),
    path("thong-bao/", inbox_views.notification_preferences, name="notification-preferences"),
    path("cum/<id:pk>/lien-he/", inbox_views.cluster_contacts, name="cluster-contacts"),
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
