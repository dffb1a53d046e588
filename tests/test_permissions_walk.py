"""Walk every URL of the app for every role. A URL without a rule here fails the test, so no page
can be added without saying who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from scoring.conference.services.conference import ballot_open
from scoring.ranking.services.recompute import year_recompute
from tests.dossiers.factories import walk_objects
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "secretariat",
    "reporter_a1",
    "reporter_a2",
    "leadership",
    "outsider",
    "other_secretariat",
    "awarding",
]

# name: (GET codes by persona, POST codes by persona) in PERSONAS order.
RULES = {
    "home": ((302, 200, 200, 200, 200, 200, 200, 200), (302, 405, 405, 405, 405, 405, 405, 405)),
    "cluster-detail": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "year-detail": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "year-unit-sheet": (
        (302, 200, 200, 404, 200, 404, 404, 404),
        (302, 405, 405, 404, 405, 404, 404, 404),
    ),
    "report-detail": (
        (302, 200, 200, 404, 200, 404, 404, 404),
        (302, 403, 403, 404, 403, 404, 404, 404),
    ),
    "year-open": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 200, 403, 403, 403, 404, 404, 404),
    ),
    # (An empty POST names no user: 400 with the error next to the list.)
    "cluster-login-locks": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "year-targets": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 302, 404, 404, 403, 404, 404, 404),
    ),
    "year-pledge": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 403, 403, 403, 403, 404, 404, 404),
    ),
    "year-objections": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 403, 403, 403, 403, 404, 404, 404),
    ),
    "year-status": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 302, 403, 403, 403, 404, 404, 404),
    ),
    "year-manual": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 200, 404, 404, 403, 404, 404, 404),
    ),
    "year-scheme": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 200, 403, 403, 403, 404, 404, 404),
    ),
    "year-remind": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 302, 403, 403, 403, 404, 404, 404),
    ),
    "year-targets-template": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 404, 404, 405, 404, 404, 404),
    ),
    "year-targets-copy": (
        (302, 200, 404, 404, 403, 404, 404, 404),
        (302, 302, 404, 404, 403, 404, 404, 404),
    ),
    "year-verify-bulk": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 302, 403, 403, 403, 404, 404, 404),
    ),
    "criterion-edit": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 200, 403, 403, 403, 404, 404, 404),
    ),
    "ranking-json": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "ranking-csv": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "ranking-xlsx": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "cluster-compare": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "overview": (
        (302, 200, 200, 200, 200, 200, 200, 200),
        (302, 405, 405, 405, 405, 405, 405, 405),
    ),
    "conference-pack": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "report-history": (
        (302, 200, 200, 404, 200, 404, 404, 404),
        (302, 405, 405, 404, 405, 404, 404, 404),
    ),
    # The conference (an open election ballot exists; an empty POST is an invalid form: 400).
    "year-conference": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "ballot-open": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "ballot-vote": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 403, 400, 400, 403, 404, 404, 404),
    ),
    # (An empty POST shows the close's confirmation; only the confirmed one closes.)
    "ballot-close": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 200, 403, 403, 403, 404, 404, 404),
    ),
    "ballot-reopen": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "year-election": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "year-flag": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    # The user's own e-mail preference (an empty POST turns e-mail off), the cluster's contacts.
    "notification-preferences": (
        (302, 200, 200, 200, 200, 200, 200, 200),
        (302, 302, 302, 302, 302, 302, 302, 302),
    ),
    "cluster-contacts": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 302, 403, 403, 403, 404, 404, 404),
    ),
    # The award register is the system administrator's (tests/awards/test_register.py); a unit's
    # award history is read by whoever sees a year it is a member of.
    # A year's documents: the list for every reader (results documents only for those who see
    # results: the walk's document is a report of results, before publication); generating, the
    # details and the templates are the secretariat's (an empty POST is an invalid form: 400).
    "year-documents": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "document-download": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    "document-generate": (
        (302, 405, 405, 405, 405, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "document-details": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    # Signing a document: the secretariat's; a reader who may read the document gets 403, one
    # who may not (reporters, before publication, for a results document) 404.
    "document-sign": (
        (302, 200, 404, 404, 403, 404, 404, 404),
        (302, 400, 404, 404, 403, 404, 404, 404),
    ),
    "document-template": (
        (302, 200, 403, 403, 403, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    "award-register": (
        (302, 404, 404, 404, 404, 404, 404, 404),
        (302, 404, 404, 404, 404, 404, 404, 404),
    ),
    # The rule sets are the system administrator's alone, like the register.
    "award-rule-sets": (
        (302, 404, 404, 404, 404, 404, 404, 404),
        (302, 404, 404, 404, 404, 404, 404, 404),
    ),
    "award-rule-set-download": (
        (302, 404, 404, 404, 404, 404, 404, 404),
        (302, 404, 404, 404, 404, 404, 404, 404),
    ),
    "award-rule-set-version": (
        (302, 404, 404, 404, 404, 404, 404, 404),
        (302, 404, 404, 404, 404, 404, 404, 404),
    ),
    "unit-awards": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 405, 405, 405, 405, 404, 404, 404),
    ),
    # Award dossiers (A1's, a draft addressed to A's supervising unit: tests/dossiers/). The
    # queue lists what each sees (empty for the others); a batch of nothing goes back to the
    # queue with a message. The proposing cluster's secretariat and the body's awarding staff
    # act on the dossier (an empty POST names no action: 400); its unit's reporter and the
    # leadership read it.
    "dossier-queue": (
        (302, 200, 200, 200, 200, 200, 200, 200),
        (302, 405, 405, 405, 405, 405, 405, 405),
    ),
    "dossier-batch": (
        (302, 200, 200, 302, 200, 302, 302, 200),
        (302, 405, 405, 405, 405, 405, 405, 405),
    ),
    "dossier-detail": (
        (302, 200, 200, 404, 200, 404, 404, 200),
        (302, 400, 403, 404, 403, 404, 404, 400),
    ),
    "dossier-document": (
        (302, 200, 200, 404, 200, 404, 404, 200),
        (302, 405, 405, 404, 405, 404, 404, 405),
    ),
    "dossier-package": (
        (302, 200, 200, 404, 200, 404, 404, 200),
        (302, 405, 405, 404, 405, 404, 404, 405),
    ),
    # A generated document's file (the documents room's minutes): the year is not published
    # yet, so the draft only to those who see its results; an archived one (a published year's)
    # to whoever sees the dossier (tests/dossiers/test_generated_documents.py).
    "dossier-generated-file": (
        (302, 200, 404, 404, 200, 404, 404, 404),
        (302, 405, 405, 404, 405, 404, 404, 405),
    ),
    # A year's dossiers: read by whoever sees the year, made by its secretariat.
    "year-dossiers": (
        (302, 200, 200, 200, 200, 404, 404, 404),
        (302, 400, 403, 403, 403, 404, 404, 404),
    ),
    # An awarding body's own pages: its awarding staff only.
    "awarding-body": (
        (302, 404, 404, 404, 404, 404, 404, 200),
        (302, 404, 404, 404, 404, 404, 404, 400),
    ),
    "council-detail": (
        (302, 404, 404, 404, 404, 404, 404, 200),
        (302, 404, 404, 404, 404, 404, 404, 400),
    ),
    "council-scan": (
        (302, 404, 404, 404, 404, 404, 404, 200),
        (302, 404, 404, 404, 404, 404, 404, 405),
    ),
}
# Not pages of the app: Django's own, with their own rules (tested elsewhere).
EXEMPT = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "favicon",
    "password_reset_confirm",
    "password_reset_complete",
}
# Pages that need an object the walk does not make; each has its own permission test.
WALKED_ELSEWHERE = {
    "document-signed-download": "tests/documents/test_sign_generated.py",
    "evidence-download": "tests/scoring/test_evidence.py",
    "ballot-paper-scan": "tests/scoring/test_ballot_secrecy.py",
    "ballot-paper-contest": "tests/scoring/test_ballot_secrecy.py",
}


def app_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, in_admin=False):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, in_admin or p.app_name == "admin")
            elif isinstance(p, URLPattern) and not in_admin and p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names - EXEMPT


def test_every_url_of_the_app_has_a_rule():
    assert app_url_names() == set(RULES) | set(WALKED_ELSEWHERE)


def walk_document(world):
    """A report of results of the world's year, as stored (the bytes are not what is walked)."""

    from scoring.models import GeneratedDocument

    document, _created = GeneratedDocument.objects.get_or_create(
        emulation_year=world.year,
        kind="results",
        defaults={
            "number": "01/BC-CA",
            "issued_on": dt.date(2026, 1, 27),
            "docx": b"PK walk",
            "pdf": b"%PDF walk",
        },
    )
    return document


def urls(world) -> dict[str, str]:
    from scoring.awards.rule_sets import HERE
    from scoring.models import (
        AwardRuleSetFile,
        Ballot,
        Council,
        CouncilResult,
        Dossier,
        DossierDocument,
    )

    ballot = Ballot.objects.filter(emulation_year=world.year).values_list("pk", flat=True).first()
    generated = walk_document(world)
    dossier = Dossier.objects.filter(emulation_year=world.year).values_list("pk", flat=True).first()
    document = (
        DossierDocument.objects.filter(dossier_id=dossier, generated=False)
        .values_list("pk", flat=True)
        .first()
    )
    generated_item = (
        DossierDocument.objects.filter(dossier_id=dossier, generated=True)
        .values_list("pk", flat=True)
        .first()
    )
    council = Council.objects.filter(body=world.supervising).values_list("pk", flat=True).first()
    rule_set_upload = AwardRuleSetFile.objects.create(
        code="nd-152-2025",
        version=1,
        name="NĐ 152/2025 (sửa)",
        effective_from=dt.date(2025, 7, 1),
        content=(HERE / "nd-152-2025.yaml").read_text(encoding="utf-8"),
        sha256="0" * 64,
        file_name="nd-152-2025.yaml",
    )
    result = CouncilResult.objects.filter(council_id=council).values_list("pk", flat=True).first()
    return {
        "home": reverse("home"),
        "cluster-detail": reverse("cluster-detail", args=[world.cluster.pk]),
        "year-detail": reverse("year-detail", args=[world.year.pk]),
        "year-unit-sheet": reverse("year-unit-sheet", args=[world.year.pk, world.unit_a1.pk]),
        "report-detail": reverse("report-detail", args=[world.year.pk, world.unit_a1.pk]),
        "report-history": reverse("report-history", args=[world.year.pk, world.unit_a1.pk]),
        "year-open": reverse("year-open", args=[world.cluster.pk]),
        "cluster-login-locks": reverse("cluster-login-locks", args=[world.cluster.pk]),
        "year-targets": reverse("year-targets", args=[world.year.pk]),
        "year-pledge": reverse("year-pledge", args=[world.year.pk]),
        "year-objections": reverse("year-objections", args=[world.year.pk]),
        "year-status": reverse("year-status", args=[world.year.pk]),
        "year-manual": reverse("year-manual", args=[world.year.pk]),
        "year-scheme": reverse("year-scheme", args=[world.year.pk]),
        "year-remind": reverse("year-remind", args=[world.year.pk]),
        "year-targets-template": reverse("year-targets-template", args=[world.year.pk]),
        "year-targets-copy": reverse("year-targets-copy", args=[world.year.pk]),
        "year-verify-bulk": reverse("year-verify-bulk", args=[world.year.pk]),
        "criterion-edit": reverse("criterion-edit", args=[world.year.pk, "1.1"]),
        "ranking-json": reverse("ranking-json", args=[world.year.pk]),
        "ranking-csv": reverse("ranking-csv", args=[world.year.pk]),
        "ranking-xlsx": reverse("ranking-xlsx", args=[world.year.pk]),
        "cluster-compare": reverse("cluster-compare", args=[world.cluster.pk]),
        "overview": reverse("overview"),
        "conference-pack": reverse("conference-pack", args=[world.year.pk]),
        "year-conference": reverse("year-conference", args=[world.year.pk]),
        "ballot-open": reverse("ballot-open", args=[world.year.pk]),
        # In this order: a vote, then the close, then a reopen of the closed ballot.
        "ballot-vote": reverse("ballot-vote", args=[world.year.pk, ballot]),
        "ballot-close": reverse("ballot-close", args=[world.year.pk, ballot]),
        "ballot-reopen": reverse("ballot-reopen", args=[world.year.pk, ballot]),
        "year-election": reverse("year-election", args=[world.year.pk]),
        "year-flag": reverse("year-flag", args=[world.year.pk]),
        "notification-preferences": reverse("notification-preferences"),
        "cluster-contacts": reverse("cluster-contacts", args=[world.cluster.pk]),
        "year-documents": reverse("year-documents", args=[world.year.pk]),
        "document-download": reverse(
            "document-download", args=[world.year.pk, generated.pk, "pdf"]
        ),
        "document-generate": reverse("document-generate", args=[world.year.pk]),
        "document-details": reverse("document-details", args=[world.year.pk]),
        "document-sign": reverse("document-sign", args=[world.year.pk, generated.pk]),
        "document-template": reverse("document-template", args=[world.year.pk, "minutes"]),
        "award-register": reverse("award-register"),
        "award-rule-sets": reverse("award-rule-sets"),
        "award-rule-set-download": reverse("award-rule-set-download", args=["nd-152-2025"]),
        "award-rule-set-version": reverse("award-rule-set-version", args=[rule_set_upload.pk]),
        "unit-awards": reverse("unit-awards", args=[world.unit_a1.pk]),
        "dossier-queue": reverse("dossier-queue"),
        "dossier-batch": reverse("dossier-batch"),
        "dossier-detail": reverse("dossier-detail", args=[dossier]),
        "dossier-document": reverse("dossier-document", args=[dossier, document]),
        "dossier-package": reverse("dossier-package", args=[dossier]),
        "dossier-generated-file": reverse(
            "dossier-generated-file", args=[dossier, generated_item, "pdf"]
        ),
        "year-dossiers": reverse("year-dossiers", args=[world.year.pk]),
        "awarding-body": reverse("awarding-body", args=[world.supervising.pk]),
        "council-detail": reverse("council-detail", args=[council]),
        "council-scan": reverse("council-scan", args=[council, result]),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_gets_the_expected_answer_on_every_url(client, world, persona):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    ballot_open(emulation_year=world.year, purpose="head")
    walk_objects(world)
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    index = PERSONAS.index(persona)
    found = {}
    expected = {}
    for name, address in urls(world).items():
        get_codes, post_codes = RULES[name]
        found[(name, "GET")] = client.get(address).status_code
        found[(name, "POST")] = client.post(address, {}).status_code
        expected[(name, "GET")] = get_codes[index]
        expected[(name, "POST")] = post_codes[index]
    assert found == expected


def test_guessed_ids_in_sequence_are_404_for_another_cluster(client, world):
    client.force_login(world.other_secretariat)
    for pk in range(max(1, world.year.pk - 2), world.year.pk + 3):
        if pk == world.other_year.pk:
            continue
        assert client.get(reverse("year-detail", args=[pk])).status_code == 404
        assert (
            client.post(
                reverse("report-detail", args=[pk, world.unit_a1.pk]), {"action": "save"}
            ).status_code
            == 404
        )
