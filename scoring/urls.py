"""The scoring's pages, room by room."""

from __future__ import annotations

from django.urls import path

from emulation import converters  # noqa: F401 — registers the `id` converter
from scoring.awards import views as award_views
from scoring.conference import views as conference
from scoring.documents import views as documents
from scoring.dossiers.views import council as council_views
from scoring.dossiers.views import dossier as dossier_views
from scoring.dossiers.views import queue as queue_views
from scoring.dossiers.views import year as dossier_year
from scoring.inbox import home
from scoring.inbox import views as inbox_views
from scoring.ranking.views import cluster, compare, exports, overview, unit_sheet, year
from scoring.reporting.views import history, manual, objections, report, verify_bulk
from scoring.schemes import views as scheme_views
from scoring.setup.views import pledge, status, targets, targets_copy, year_open

urlpatterns = [
    path("", home.home, name="home"),
    path("tong-quan/", overview.overview, name="overview"),
    path("cum/<id:pk>/", cluster.cluster_detail, name="cluster-detail"),
    path("cum/<id:pk>/so-sanh/", compare.cluster_compare, name="cluster-compare"),
    path("cum/<id:pk>/mo-nam/", year_open.year_open_view, name="year-open"),
    path("nam/<id:pk>/", year.year_detail, name="year-detail"),
    path("nam/<id:pk>/ho-so-hoi-nghi/", exports.conference_pack, name="conference-pack"),
    path("nam/<id:pk>/xep-hang.json", exports.ranking_json, name="ranking-json"),
    path("nam/<id:pk>/xep-hang.csv", exports.ranking_csv, name="ranking-csv"),
    path("nam/<id:pk>/xep-hang.xlsx", exports.ranking_xlsx, name="ranking-xlsx"),
    path("nam/<id:pk>/chi-tieu/", targets.year_targets, name="year-targets"),
    path(
        "nam/<id:pk>/chi-tieu/mau.xlsx",
        targets_copy.year_targets_template,
        name="year-targets-template",
    ),
    path(
        "nam/<id:pk>/chi-tieu/chep-nam-truoc/",
        targets_copy.year_targets_copy,
        name="year-targets-copy",
    ),
    path("nam/<id:pk>/tham-dinh/", verify_bulk.year_verify_bulk, name="year-verify-bulk"),
    path("nam/<id:pk>/giao-uoc/", pledge.year_pledge, name="year-pledge"),
    path("nam/<id:pk>/thang-diem/", scheme_views.year_scheme, name="year-scheme"),
    # (path: a code stored before codes were restricted may hold "/"; it must still reverse.)
    path("nam/<id:pk>/thang-diem/<path:code>/", scheme_views.criterion_edit, name="criterion-edit"),
    path("nam/<id:pk>/diem-cham-tay/", manual.year_manual_points, name="year-manual"),
    path("nam/<id:pk>/kien-nghi/", objections.year_objections, name="year-objections"),
    path("nam/<id:pk>/trang-thai/", status.year_status, name="year-status"),
    path("nam/<id:pk>/nhac-nho/", status.year_remind, name="year-remind"),
    path("nam/<id:pk>/don-vi/<id:unit_id>/", unit_sheet.year_unit_sheet, name="year-unit-sheet"),
    path("nam/<id:pk>/bao-cao/<id:unit_id>/", report.report_detail, name="report-detail"),
    path(
        "nam/<id:pk>/bao-cao/<id:unit_id>/lich-su/",
        history.report_history,
        name="report-history",
    ),
    path(
        "nam/<id:pk>/bao-cao/<id:unit_id>/minh-chung/<id:evidence_id>/",
        history.evidence_download,
        name="evidence-download",
    ),
    path("nam/<id:pk>/hoi-nghi/", conference.year_conference, name="year-conference"),
    path("nam/<id:pk>/hoi-nghi/bo-phieu/", conference.ballot_open_view, name="ballot-open"),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/",
        conference.ballot_vote_view,
        name="ballot-vote",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/ket-thuc/",
        conference.ballot_close_view,
        name="ballot-close",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/mo-lai/",
        conference.ballot_reopen_view,
        name="ballot-reopen",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/phieu-giay/<id:unit_id>/",
        conference.ballot_paper_scan,
        name="ballot-paper-scan",
    ),
    path(
        "nam/<id:pk>/hoi-nghi/bo-phieu/<id:ballot_id>/phieu-giay/<id:unit_id>/khieu-nai/",
        conference.ballot_paper_contest_view,
        name="ballot-paper-contest",
    ),
    path("nam/<id:pk>/hoi-nghi/bau-cu/", conference.year_election, name="year-election"),
    path("nam/<id:pk>/van-ban/", documents.year_documents_page, name="year-documents"),
    path("nam/<id:pk>/van-ban/tao/", documents.document_generate, name="document-generate"),
    path("nam/<id:pk>/van-ban/thong-tin/", documents.document_details, name="document-details"),
    path(
        "nam/<id:pk>/van-ban/<id:document_id>/ky-so/",
        documents.document_sign_view,
        name="document-sign",
    ),
    path(
        "nam/<id:pk>/van-ban/da-ky/<id:signature_id>/",
        documents.document_signed_download,
        name="document-signed-download",
    ),
    path(
        "nam/<id:pk>/van-ban/mau/<slug:kind>/",
        documents.document_template,
        name="document-template",
    ),
    path(
        "nam/<id:pk>/van-ban/<id:document_id>/<slug:fmt>/",
        documents.document_download,
        name="document-download",
    ),
    path("nam/<id:pk>/hoi-nghi/co-luan-luu/", conference.year_flag, name="year-flag"),
    path("khen-thuong/", award_views.award_register, name="award-register"),
    path("khen-thuong/quy-tac/", award_views.award_rule_sets, name="award-rule-sets"),
    path(
        "khen-thuong/quy-tac/<slug:code>/tai-ve/",
        award_views.award_rule_set_download,
        name="award-rule-set-download",
    ),
    path(
        "khen-thuong/quy-tac/phien-ban/<id:upload_id>/",
        award_views.award_rule_set_version,
        name="award-rule-set-version",
    ),
    path("don-vi/<id:unit_id>/khen-thuong/", award_views.unit_awards, name="unit-awards"),
    # The award dossier's path (#17): the queue, a dossier, a year's dossiers, an awarding body's
    # council and deadlines.
    path("ho-so/", queue_views.dossier_queue_view, name="dossier-queue"),
    path("ho-so/goi.zip", queue_views.dossier_batch, name="dossier-batch"),
    path("ho-so/<id:dossier_id>/", dossier_views.dossier_detail, name="dossier-detail"),
    path(
        "ho-so/<id:dossier_id>/tai-lieu/<id:document_id>/",
        dossier_views.dossier_document_download,
        name="dossier-document",
    ),
    path(
        "ho-so/<id:dossier_id>/tai-lieu/<id:document_id>/<slug:fmt>/",
        dossier_views.dossier_generated_download,
        name="dossier-generated-file",
    ),
    path("ho-so/<id:dossier_id>/goi.zip", dossier_views.dossier_package, name="dossier-package"),
    path("nam/<id:pk>/ho-so-khen-thuong/", dossier_year.year_dossiers_view, name="year-dossiers"),
    path("co-quan/<id:body_id>/", council_views.awarding_body, name="awarding-body"),
    path("hoi-dong/<id:council_id>/", council_views.council_detail, name="council-detail"),
    path(
        "hoi-dong/<id:council_id>/y-kien/<id:result_id>/",
        council_views.council_scan,
        name="council-scan",
    ),
    path("thong-bao/", inbox_views.notification_preferences, name="notification-preferences"),
    path("cum/<id:pk>/lien-he/", inbox_views.cluster_contacts, name="cluster-contacts"),
]
