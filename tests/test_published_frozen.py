"""Published means frozen, everywhere (issue 14, findings 7 and 8): every write on a published
year is refused by one guard, whoever asks — a page, a service, the admin or a command — and
reopening the year with a reason is the only way back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear
from scoring.errors import YearLocked
from scoring.guards import year_assert_open
from scoring.models import EvidenceFile, ManualPoints, Objection, Pledge, PledgeSignature, Report
from scoring.setup.services.lifecycle import year_set_status
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db


def publish(year) -> None:
    """Straight to published, as a year whose results were announced."""
    EmulationYear.objects.filter(pk=year.pk).update(status=EmulationYear.Status.PUBLISHED)
    year.refresh_from_db()


def test_the_guard_refuses_a_published_year_and_lets_an_open_one_through(world):
    assert year_assert_open(emulation_year_id=world.year.pk).pk == world.year.pk
    publish(world.year)
    with pytest.raises(YearLocked, match="Kết quả năm 2025 đã công bố"):
        year_assert_open(emulation_year_id=world.year.pk)
    year_set_status(
        emulation_year=world.year, status="reporting", reason="Sửa số liệu", actor=world.secretariat
    )
    assert year_assert_open(emulation_year_id=world.year.pk).status == "reporting"


# Finding 8: writes that passed in a published year, each played through its page.


def test_manual_points_of_a_published_year_cannot_be_deleted(client, world):
    install_scheme(world.year)
    row = ManualPoints.objects.create(
        emulation_year=world.year,
        unit=world.unit_a1,
        criterion_code="1.1",
        points=10,
        reason="Chấm tay",
    )
    publish(world.year)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-manual", args=[world.year.pk]),
        {"action": "delete", "row": row.pk, "reason": "Xoá sau công bố"},
    )
    assert response.status_code == 200
    assert "Kết quả năm 2025 đã công bố" in response.content.decode()
    assert ManualPoints.objects.filter(pk=row.pk, points=10).exists()
    assert not AuditEntry.objects.filter(action="manual.delete").exists()


def test_an_objection_of_a_published_year_cannot_be_answered(client, world):
    install_scheme(world.year)
    objection = Objection.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", text="Mẫu số sai."
    )
    publish(world.year)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-objections", args=[world.year.pk]),
        {
            "action": "answer",
            "objection": objection.pk,
            "decision": "reject",
            "answer": "Không chấp nhận.",
        },
    )
    assert response.status_code == 200
    assert "Kết quả năm 2025 đã công bố" in response.content.decode()
    objection.refresh_from_db()
    assert (objection.status, objection.answer) == ("open", "")
    assert not AuditEntry.objects.filter(action="objection.answer").exists()


def test_a_pledge_signature_cannot_be_recorded_in_a_published_year(client, world):
    pledge = Pledge.objects.create(emulation_year=world.year, title="Giao ước 2025")
    publish(world.year)
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-pledge", args=[world.year.pk]),
        {
            "action": "sign",
            "unit": world.unit_a1.pk,
            "signed_by": "Nguyễn Văn A",
            "title": "Chủ tịch",
            "signed_on": "27/01/2025",
        },
    )
    assert response.status_code == 200
    assert "Kết quả năm 2025 đã công bố" in response.content.decode()
    assert not PledgeSignature.objects.filter(pledge=pledge).exists()
    assert not AuditEntry.objects.filter(action="pledge.sign").exists()


def test_evidence_of_a_draft_report_cannot_be_added_or_removed_in_a_published_year(world):
    """A member that never submitted keeps a draft: its files are part of the frozen year too."""
    from scoring.reporting.services.evidence import evidence_add, evidence_delete

    install_scheme(world.year)
    report = Report.objects.create(emulation_year=world.year, unit=world.unit_a1)
    kept = evidence_add(report=report, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"))
    publish(world.year)
    with pytest.raises(YearLocked):
        evidence_add(report=report, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4 b"))
    with pytest.raises(YearLocked):
        evidence_delete(report=report, evidence_id=kept.pk)
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["a.pdf"]


def test_a_stale_copy_of_the_year_does_not_get_past_the_guard(world):
    """A service handed a year loaded before the publication reads the status again."""
    from scoring.reporting.services.manual import manual_points_set

    install_scheme(world.year)
    stale = EmulationYear.objects.get(pk=world.year.pk)
    publish(world.year)
    with pytest.raises(YearLocked):
        manual_points_set(
            emulation_year=stale,
            unit=world.unit_a1,
            criterion_code="1.1",
            points=5,
            reason="Sau công bố",
        )
    assert not ManualPoints.objects.exists()


def test_reopening_with_a_reason_lets_the_writes_through_again(world):
    from scoring.reporting.services.manual import manual_points_delete

    install_scheme(world.year)
    row = ManualPoints.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", points=10, reason="r"
    )
    publish(world.year)
    with pytest.raises(YearLocked):
        manual_points_delete(row=row, reason="Xoá")
    year_set_status(emulation_year=world.year, status="scored", reason="Chấm lại tiêu chí 1.1")
    manual_points_delete(row=row, reason="Xoá")
    assert not ManualPoints.objects.exists()
    assert AuditEntry.objects.get(action="year.reopen").reason == "Chấm lại tiêu chí 1.1"


def test_the_import_commands_refuse_a_published_year(world, tmp_path):
    from scoring.ranking.services.recompute import year_recompute

    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20})
    year_recompute(emulation_year_id=world.year.pk)
    publish(world.year)
    figures = tmp_path / "figures.csv"
    figures.write_text("unit,year,element,value\na1,2025,new_coops,5\n", encoding="utf-8")
    with pytest.raises(CommandError, match="công bố"):
        call_command("import_figures", str(figures), cluster="cum-a", year=2025)
    from scoring.models import ReportValue, Scheme, ScoringRun

    assert ReportValue.objects.get(report__unit=world.unit_a1).value == 20
    scheme = tmp_path / "scheme.yaml"
    scheme.write_bytes((settings.BASE_DIR / "docs" / "examples" / "scheme-2021.yaml").read_bytes())
    schemes = list(Scheme.objects.values_list("pk", flat=True))
    with pytest.raises(CommandError, match="công bố"):
        call_command("import_scheme", str(scheme), cluster="cum-a", year=2025, reason="Sửa")
    assert list(Scheme.objects.values_list("pk", flat=True)) == schemes
    # A forced recompute leaves a published year's results as they were announced.
    runs = list(ScoringRun.objects.values_list("pk", "is_current"))
    assert runs
    call_command("recompute", cluster="cum-a", year=2025, force=True, stdout=io.StringIO())
    assert list(ScoringRun.objects.values_list("pk", "is_current")) == runs


# Finding 7: the admin. A superuser walks every registered model's pages for a published year.


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw")


def _request(user, method="get"):
    from django.test import RequestFactory

    request = getattr(RequestFactory(), method)("/")
    request.user = user
    return request


def _form_data(form) -> dict:
    """What a browser sends for an unbound form as it is shown (initial values)."""
    import datetime

    from django.contrib.admin.widgets import AdminSplitDateTime
    from django.forms import FileField

    data: dict = {}
    for field in form:
        value = field.value()
        if value is None or isinstance(field.field, FileField):
            continue
        if isinstance(field.field.widget, AdminSplitDateTime):
            value = value if isinstance(value, datetime.datetime) else None
            if value is not None:
                data[field.html_name + "_0"] = value.date().isoformat()
                data[field.html_name + "_1"] = value.time().strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[field.html_name] = value.isoformat()
        else:
            data[field.html_name] = str(value)
    return data


def admin_post_data(superuser, obj) -> dict:
    """The admin change form of `obj` with its inlines, as a browser would post it unchanged."""
    from django.contrib import admin

    model_admin = admin.site._registry[type(obj)]
    request = _request(superuser)
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data = _form_data(form)
    formsets, _inlines = model_admin._create_formsets(request, obj, change=True)
    for formset in formsets:
        data.update(_form_data(formset.management_form))
        for inline_form in formset.forms:
            data.update(_form_data(inline_form))
    data["_save"] = "1"
    return data


def admin_url(obj, view: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


@pytest.fixture
def published(scored):
    """The scored year with one object of every kind an admin page shows, then published."""
    from clusters.models import FlagHandover, YearOffice
    from scoring.models import MemberTarget

    world = scored
    year = world.year
    MemberTarget.objects.create(
        emulation_year=year, unit=world.unit_a1, criterion_code="1.1", target=20
    )
    pledge = Pledge.objects.create(emulation_year=year, title="Giao ước 2025")
    PledgeSignature.objects.create(
        pledge=pledge, unit=world.unit_a1, signed_by="Nguyễn Văn A", signed_on="2025-01-27"
    )
    ManualPoints.objects.create(
        emulation_year=year, unit=world.unit_a1, criterion_code="1.1", points=10, reason="r"
    )
    Objection.objects.create(
        emulation_year=year, unit=world.unit_a1, criterion_code="1.1", text="Mẫu số sai."
    )
    YearOffice.objects.create(emulation_year=year, unit=world.unit_a1, role="head")
    FlagHandover.objects.create(
        cluster=world.cluster,
        emulation_year=year,
        from_unit=world.unit_a1,
        to_unit=world.unit_a2,
        handed_on="2026-01-27",
    )
    Report.objects.filter(emulation_year=year, unit=world.unit_a1).update(note="Đã nộp")
    # The conference's records: a closed award ballot, its voters and its proposal.
    from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
    from tests.scoring.factories import kind

    ballot = ballot_open(
        emulation_year=year, purpose="award", award_kind=kind(world, allow_self_vote=True)
    )
    for voter in (world.unit_a1, world.unit_a2):
        ballot_vote(ballot=ballot, voter=voter, candidate_ids=[world.unit_a1.pk])
    ballot_close(ballot=ballot)
    publish(year)
    return world


# Models whose rows belong to no emulation year; every other registered model is walked.
NOT_OF_A_YEAR = {
    "auth.user",
    "auth.group",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "clusters.unit",
    "clusters.unitsuccession",
    "clusters.cluster",
    "clusters.rolegrant",
    "scoring.awardkind",
    "scoring.recomputebatch",  # many years at once, shown only (the workers count them)
    "scoring.documenttemplate",  # a cluster's (or every cluster's) Word template, not a year's
    "scoring.workcalendarday",
}
YEAR_LOOKUPS = (
    "emulation_year",
    "report__emulation_year",
    "pledge__emulation_year",
    "run__emulation_year",
    "scheme__emulation_year",
)


def objects_of_year(model, year):
    from django.core.exceptions import FieldError

    if model is EmulationYear:
        return list(EmulationYear.objects.filter(pk=year.pk))
    for lookup in YEAR_LOOKUPS:
        try:
            return list(model.objects.filter(**{lookup: year}).order_by("pk")[:3])
        except FieldError:
            continue
    return None


def _snapshot(year):
    """Every row of the year, field by field, to show that nothing changed."""
    from django.apps import apps
    from django.core import serializers

    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("clusters", "scoring") or model is AuditEntry:
            continue
        found = objects_of_year(model, year)
        if found is None:
            found = (
                list(model.objects.filter(report__emulation_year=year))
                if hasattr(model, "report")
                else []
            )
        rows[model._meta.label] = serializers.serialize("json", found)
    return rows


def test_the_admin_shows_a_published_year_read_only_and_refuses_every_write(
    client, published, superuser
):
    from django.contrib import admin

    year = published.year
    client.force_login(superuser)
    before = _snapshot(year)
    audit_before = AuditEntry.objects.count()
    walked, not_of_a_year = set(), set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        objects = objects_of_year(model, year)
        if objects is None:
            not_of_a_year.add(label)
            continue
        for obj in objects:
            walked.add(label)
            page = client.get(admin_url(obj, "change"))
            assert page.status_code == 200, label
            assert 'name="_save"' not in page.content.decode(), f"{label} is editable"
            assert not page.context["has_change_permission"], label
            assert client.post(admin_url(obj, "change"), {"_save": "1"}).status_code == 403, label
            assert client.get(admin_url(obj, "delete")).status_code == 403, label
            assert client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code == 403, label
            changelist = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            )
            bulk = client.post(
                changelist,
                {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
            )
            assert bulk.status_code in (200, 302, 403), label
            assert model.objects.filter(pk=obj.pk).exists(), f"{label} deleted"
        meta = model._meta
        if model_admin.has_add_permission(_request(superuser)) and any(
            f.name == "emulation_year" for f in meta.fields
        ):
            count = model.objects.count()
            added = client.post(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_add"),
                {"emulation_year": year.pk, "_save": "1"},
            )
            assert added.status_code == 200, label
            errors = added.context["adminform"].form.errors
            assert "Kết quả năm 2025 đã công bố" in " ".join(errors.get("emulation_year", [])), (
                label
            )
            assert model.objects.count() == count, label
    assert not_of_a_year == NOT_OF_A_YEAR
    # The walk was not vacuous: every kind of a year's inputs and results was there.
    assert walked >= {
        "clusters.emulationyear",
        "clusters.flaghandover",
        "scoring.scheme",
        "scoring.criterion",
        "scoring.membertarget",
        "scoring.pledge",
        "scoring.report",
        "scoring.manualpoints",
        "scoring.objection",
        "scoring.scoringrun",
        "scoring.score",
        "scoring.ballot",
        "scoring.awardproposal",
    }
    assert _snapshot(year) == before
    assert AuditEntry.objects.count() == audit_before


def test_the_status_of_a_published_year_cannot_go_back_and_forth_in_the_admin(
    client, published, superuser
):
    year = published.year
    client.force_login(superuser)
    data = admin_post_data(superuser, year)
    data["status"] = "reporting"
    assert client.post(admin_url(year, "change"), data).status_code == 403
    year.refresh_from_db()
    assert year.status == "published"
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_publishing_or_stepping_back_is_refused_in_the_admin_for_an_open_year(
    client, scored, superuser
):
    year = scored.year
    EmulationYear.objects.filter(pk=year.pk).update(status="verification")
    year.refresh_from_db()
    client.force_login(superuser)
    for status in ("published", "reporting"):
        data = admin_post_data(superuser, year)
        data["status"] = status
        response = client.post(admin_url(year, "change"), data)
        assert response.status_code == 200
        assert "không thực hiện trong trang quản trị" in " ".join(
            response.context["adminform"].form.errors["status"]
        )
        year.refresh_from_db()
        assert year.status == "verification"


def test_a_report_figure_of_a_published_year_cannot_be_changed_in_the_admin(
    client, published, superuser
):
    from scoring.models import ReportValue

    report = Report.objects.get(emulation_year=published.year, unit=published.unit_a1)
    value = ReportValue.objects.get(report=report, element_code="new_coops")
    assert value.value == 20
    client.force_login(superuser)
    data = admin_post_data(superuser, report)
    index = next(k for k, v in data.items() if k.endswith("-id") and v == str(value.pk))
    data[index.replace("-id", "-value")] = "10"
    assert client.post(admin_url(report, "change"), data).status_code == 403
    value.refresh_from_db()
    assert value.value == 20


@pytest.mark.parametrize("status", ["reporting", "published"])
def test_the_current_scoring_run_is_never_deleted_in_the_admin(client, scored, superuser, status):
    from scoring.models import ScoringRun

    EmulationYear.objects.filter(pk=scored.year.pk).update(status=status)
    run = ScoringRun.objects.get(emulation_year=scored.year, is_current=True)
    client.force_login(superuser)
    assert client.post(admin_url(run, "delete"), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:scoring_scoringrun_changelist"),
        {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert ScoringRun.objects.filter(pk=run.pk, is_current=True).exists()
    assert client.get(reverse("ranking-json", args=[scored.year.pk])).status_code == 200


def test_an_admin_change_is_audited_with_the_values_before_and_after(client, scored, superuser):
    from scoring.models import MemberTarget, ReportValue

    year = scored.year
    client.force_login(superuser)
    target = MemberTarget.objects.create(
        emulation_year=year, unit=scored.unit_a1, criterion_code="1.1", target=20
    )
    data = admin_post_data(superuser, target)
    data["target"] = "25"
    assert client.post(admin_url(target, "change"), data).status_code == 302
    entry = AuditEntry.objects.get(action="admin.change", object_type="scoring.membertarget")
    assert (entry.actor, entry.emulation_year_id) == (superuser, year.pk)
    assert (entry.before, entry.after) == ({"target": "20"}, {"target": "25"})

    # An inline row (a report figure 20 → 15) is recorded under the report's year.
    report = Report.objects.get(emulation_year=year, unit=scored.unit_a1)
    value = ReportValue.objects.get(report=report, element_code="new_coops")
    data = admin_post_data(superuser, report)
    index = next(k for k, v in data.items() if k.endswith("-id") and v == str(value.pk))
    data[index.replace("-id", "-value")] = "15"
    assert client.post(admin_url(report, "change"), data).status_code == 302
    entry = AuditEntry.objects.get(action="admin.change", object_type="scoring.reportvalue")
    assert (entry.object_id, entry.emulation_year_id) == (str(value.pk), year.pk)
    assert (entry.before, entry.after) == ({"value": "20"}, {"value": "15"})

    # A deletion keeps every value of the row that went.
    assert client.post(admin_url(target, "delete"), {"post": "yes"}).status_code == 302
    entry = AuditEntry.objects.get(action="admin.delete")
    assert entry.object_id == str(target.pk) and entry.before["target"] == "25"
    assert entry.before["unit"] == str(scored.unit_a1) and entry.after is None


def test_every_admin_that_can_write_a_domain_model_audits_its_changes(superuser):
    """The walk behind the tests around it: an admin page of the clusters' or the scoring's models
    that can add, change or delete records each change with its values (AuditedAdmin), its
    inlines' rows included; the others are read-only, and are named here."""
    from django.contrib import admin

    from scoring.admin.clusters import AuditedAdmin

    request = _request(superuser)
    read_only = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if model._meta.app_label not in ("clusters", "scoring"):
            continue
        # (Inline rows are saved only through their parent's add or change: audited with it.)
        writes = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if writes:
            assert isinstance(model_admin, AuditedAdmin), f"{label}: changes are not audited"
        else:
            read_only.add(label)
    assert read_only == {
        "clusters.auditentry",
        "scoring.scheme",
        "scoring.criterion",
        "scoring.ballot",
        "scoring.awardproposal",
        "scoring.recomputebatch",
        "scoring.documenttemplate",
        "scoring.generateddocument",
    }


def test_an_admin_addition_outside_any_year_is_audited_too(client, world, superuser):
    from clusters.models import RoleGrant

    client.force_login(superuser)
    response = client.post(
        reverse("admin:clusters_rolegrant_add"),
        {"user": world.outsider.pk, "role": "secretariat", "cluster": world.cluster.pk},
    )
    assert response.status_code == 302, response.content.decode()[:800]
    grant = RoleGrant.objects.get(user=world.outsider)
    entry = AuditEntry.objects.get(action="admin.add")
    assert (entry.object_type, entry.object_id) == ("clusters.rolegrant", str(grant.pk))
    assert entry.after["role"] == "secretariat" and entry.after["cluster"] == str(world.cluster)


def test_the_offices_of_a_published_year_are_not_replaced_by_an_election(world):
    """Electing next year's head writes into next year: refused once that year is published."""
    from clusters.models import Membership, YearOffice
    from scoring.conference.services.conference import election_apply

    following = EmulationYear.objects.create(cluster=world.cluster, year=2026)
    for unit in (world.unit_a1, world.unit_a2):
        Membership.objects.create(emulation_year=following, unit=unit)
    YearOffice.objects.create(emulation_year=following, unit=world.unit_a1, role="head")
    publish(following)
    with pytest.raises(YearLocked):
        election_apply(emulation_year=world.year, head=world.unit_a2, deputies=[])
    assert list(YearOffice.objects.values_list("unit__code", "role")) == [("a1", "head")]


def _service_writes(world):
    """Every service that writes a year's data, called as its page or command would call it on
    the published year (each a zero-argument callable)."""
    from decimal import Decimal

    from scoring.models import ReportComment
    from scoring.reporting.services import bulk, evidence, figures, manual, objections, reports
    from scoring.schemes import services as schemes
    from scoring.schemes.services import scheme_to_engine
    from scoring.setup.services import opening as setup
    from scoring.setup.services import pledges, targets

    year = world.year
    report = Report.objects.get(emulation_year=year, unit=world.unit_a1)
    # A member's report still a draft when the year was published (it never submitted).
    Report.objects.filter(emulation_year=year, unit=world.unit_a2).update(status="draft")
    draft = Report.objects.get(emulation_year=year, unit=world.unit_a2)
    kept = EvidenceFile.objects.create(
        report=draft, file="evidence/x.pdf", original_name="x.pdf", content_type="pdf", size=1
    )
    ReportComment.objects.create(report=report, text="Kiểm tra lại")
    pledge = Pledge.objects.get(emulation_year=year)
    row = ManualPoints.objects.get(emulation_year=year)
    objection = Objection.objects.get(emulation_year=year)
    pdf = lambda name: SimpleUploadedFile(name, b"%PDF-1.4 x")  # noqa: E731
    return {
        "report_save": lambda: reports.report_save(
            report=draft, expected_version=draft.version, values={"new_coops": Decimal(1)}
        ),
        "report_return": lambda: reports.report_return(
            report=report, expected_version=report.version, comments={"": "Sai"}
        ),
        "report_verify": lambda: reports.report_verify(
            report=report, expected_version=report.version
        ),
        "report_reopen_late": lambda: reports.report_reopen_late(report=draft, reason="Muộn"),
        "reports_verify_bulk": lambda: bulk.reports_verify_bulk(
            emulation_year=year, expected={report.pk: report.version}
        ),
        "report_enter_from_paper": lambda: evidence.report_enter_from_paper(
            report=draft,
            expected_version=draft.version,
            values={"new_coops": Decimal(1)},
            note="",
            scan=pdf("scan.pdf"),
        ),
        "evidence_add": lambda: evidence.evidence_add(report=draft, upload=pdf("b.pdf")),
        "evidence_delete": lambda: evidence.evidence_delete(report=draft, evidence_id=kept.pk),
        "figures_import": lambda: figures.figures_import(
            cluster_id=year.cluster_id,
            figures={("a1", 2025, "new_coops"): 5.0},
            filename="f.csv",
        ),
        "scheme_create_version": lambda: schemes.scheme_create_version(
            emulation_year=year, scheme=scheme_to_engine(scheme_of(year)), reason="Sửa"
        ),
        "scheme_amend_criterion": lambda: schemes.scheme_amend_criterion(
            emulation_year=year, code="1.1", changes={"target": 10.0}, reason="Sửa"
        ),
        "targets_set": lambda: setup.targets_set(
            emulation_year=year, targets={(world.unit_a1.pk, "1.1"): Decimal(5)}, reason="Sửa"
        ),
        "targets_copy_last_year": lambda: targets.targets_copy_last_year(
            emulation_year=year, overwrite=True, reason="Sửa"
        ),
        "manual_points_set": lambda: manual.manual_points_set(
            emulation_year=year,
            unit=world.unit_a1,
            criterion_code="1.1",
            points=Decimal(5),
            reason="Sửa",
        ),
        "manual_points_delete": lambda: manual.manual_points_delete(row=row, reason="Xoá"),
        "objection_file": lambda: objections.objection_file(
            emulation_year=year, unit=world.unit_a1, criterion_code="1.1", text="Sai"
        ),
        "objection_answer": lambda: objections.objection_answer(
            objection=objection, accept=False, answer="Không"
        ),
        "pledge_publish": lambda: pledges.pledge_publish(
            emulation_year=year, title="Giao ước", text="Sửa"
        ),
        "pledge_sign": lambda: pledges.pledge_sign(
            pledge=pledge,
            unit=world.unit_a2,
            signed_by="Trần Văn B",
            title="Chủ tịch",
            signed_on=dt.date(2025, 1, 27),
        ),
    }


def test_every_service_that_writes_a_year_refuses_a_published_one(published):
    from scoring.models import ReportComment

    writes = _service_writes(published)
    before = _snapshot(published.year)
    comments = list(ReportComment.objects.values_list("pk", "text", "resolved"))
    audit = AuditEntry.objects.count()
    passed = []
    for name, write in writes.items():
        try:
            write()
        except YearLocked:
            continue
        passed.append(name)
    assert passed == []
    assert _snapshot(published.year) == before
    assert list(ReportComment.objects.values_list("pk", "text", "resolved")) == comments
    assert AuditEntry.objects.count() == audit


def test_the_admin_checks_the_guard_again_when_it_writes(published, superuser):
    """A publication that commits after the permission check still stops the admin's write."""
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied

    model_admin = admin.site._registry[ManualPoints]
    row = ManualPoints.objects.get(emulation_year=published.year)
    row.points = 1
    request = _request(superuser, "post")
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, row, None, True)
    with pytest.raises(PermissionDenied):
        model_admin.delete_model(request, row)
    with pytest.raises(PermissionDenied):
        model_admin.delete_queryset(request, ManualPoints.objects.all())
    assert ManualPoints.objects.get(pk=row.pk).points == 10
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_a_cluster_page_lists_its_years_without_editing_them(client, published, superuser):
    cluster = published.cluster
    client.force_login(superuser)
    data = admin_post_data(superuser, cluster)
    assert not any(k.startswith("years-0-status") for k in data)  # shown, not a field
    data["name"] = "Cụm A mới"
    data["years-0-status"] = "reporting"  # what a forged form would send
    assert client.post(admin_url(cluster, "change"), data).status_code == 302
    cluster.refresh_from_db()
    assert cluster.name == "Cụm A mới"
    assert EmulationYear.objects.get(pk=published.year.pk).status == "published"
    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.before, entry.after) == ({"name": "Cụm A"}, {"name": "Cụm A mới"})
