"""Domain errors carry what a view needs without reading their words: the field and a code that
does not change with the language."""

from __future__ import annotations

import pytest
from django.utils import translation

from scoring.errors import ImportRefused, ReasonRequired, ScoringError, YearLocked
from scoring.guards import year_assert_open


def test_an_error_names_its_field_and_code_whatever_the_language():
    error = ScoringError("Nhập một số.", field="points", code="not_a_number")
    assert (str(error), error.field, error.code) == ("Nhập một số.", "points", "not_a_number")
    assert (ScoringError("x").field, ScoringError("x").code) == (None, "refused")
    codes = [cls("x").code for cls in (YearLocked, ReasonRequired, ImportRefused)]
    assert codes == ["year_locked", "reason_required", "import_refused"]


@pytest.mark.django_db
def test_a_published_year_is_refused_with_the_same_code_in_both_languages(world):
    from clusters.models import EmulationYear

    EmulationYear.objects.filter(pk=world.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    found = {}
    for language in ("vi", "en"):
        with translation.override(language), pytest.raises(YearLocked) as refused:
            year_assert_open(emulation_year_id=world.year.pk)
        found[language] = (refused.value.code, str(refused.value))
    assert found["vi"][0] == found["en"][0] == "year_locked"
    assert found["vi"][1] != found["en"][1]  # the message itself is translated
