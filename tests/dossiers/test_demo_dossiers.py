"""The demo's award path (sample data, marked as such): the Vietnam Cooperative Alliance above the
cluster's supervising office, its emulation board's user, its council of 2025, its deadlines, two
dossiers in different states, and the conference's proposal left for a demo user to carry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from clusters.models import Unit
from scoring.dev.demo import CURRENT_YEAR, SAMPLE_NOTE
from scoring.models import AwardProposal, Council, Dossier, DossierDeadline

pytestmark = pytest.mark.django_db


def test_the_demo_carries_a_council_deadlines_and_sample_dossiers_in_two_states(
    tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--force", "--logins-file", str(tmp_path / "logins.txt"))
    alliance = Unit.objects.get(code="lmhtx-viet-nam")
    assert Unit.objects.get(code="vca-phia-nam").parent == alliance
    council = Council.objects.get(body=alliance, year=CURRENT_YEAR - 1)
    assert council.members.count() == 7
    assert all("(mẫu)" in m.name for m in council.members.all())
    assert set(
        DossierDeadline.objects.filter(body=alliance).values_list("award_code", "year", "due_on")
    ) == {
        ("co-thi-dua-lmhtxvn", CURRENT_YEAR, dt.date(CURRENT_YEAR, 12, 10)),
        ("tap-the-lao-dong-xuat-sac", CURRENT_YEAR, dt.date(CURRENT_YEAR, 12, 10)),
    }
    assert all(d.note == SAMPLE_NOTE for d in DossierDeadline.objects.all())
    dossiers = {
        d.unit.code: d for d in Dossier.objects.select_related("unit", "council_result").all()
    }
    assert {code: (d.award_code, d.state, d.is_sample) for code, d in dossiers.items()} == {
        "an-giang": ("tap-the-lao-dong-xuat-sac", "submitted", True),
        "ca-mau": ("tap-the-lao-dong-tien-tien", "returned", True),
    }
    result = dossiers["an-giang"].council_result
    assert (result.yes, result.written_yes, result.members, result.passed) == (6, 1, 7, True)
    assert "dữ liệu mẫu" in dossiers["ca-mau"].return_reason
    # The conference's proposal has no dossier yet: it is the demo's path to walk.
    proposal = AwardProposal.objects.get(emulation_year__year=CURRENT_YEAR - 1)
    assert proposal.unit.code == "can-tho" and not Dossier.objects.filter(proposal=proposal)
