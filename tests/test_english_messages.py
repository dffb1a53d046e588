"""English complete for what the services say: the errors they raise, the eligibility reasons of
the conference and the counts of a message come out in the request's language — English in
English (no Vietnamese letter outside user data), the same Vietnamese as before in Vietnamese —
and a view still puts an error next to its field whatever the language."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from clusters.models import EmulationYear
from scoring.conference.services.conference import ballot_open, ballot_vote
from scoring.errors import ScoringError
from scoring.models import Report
from tests.scoring.factories import install_scheme, kind
from tests.test_english_pages import VIETNAMESE

pytestmark = pytest.mark.django_db

UNIT_NAMES = re.compile(r"Liên minh HTX [A-Z]\d")


def speak(client, user, language: str):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def text_node(body: str, sentence: str) -> str:
    """The page's text around `sentence` up to the enclosing tags: the whole message as shown."""
    page = html.unescape(body)
    at = page.index(sentence)
    start = page.rfind(">", 0, at) + 1
    end = page.find("<", at + len(sentence))
    return page[start:end].strip()


def assert_english(body: str, sentence: str) -> None:
    assert sentence in html.unescape(body)
    shown = UNIT_NAMES.sub("", text_node(body, sentence))
    assert not VIETNAMESE.search(shown), shown


@pytest.fixture
def reporting(world):
    install_scheme(world.year)
    EmulationYear.objects.filter(pk=world.year.pk).update(
        status=EmulationYear.Status.REPORTING, reporting_deadline=dt.date(2020, 1, 1)
    )
    return world


def report_url(world, unit):
    return reverse("report-detail", args=[world.year.pk, unit.pk])


SUBMIT_LATE = {
    "en": "The reporting deadline (01/01/2020) has passed: only the cluster secretariat can "
    "reopen the report for submission.",
    "vi": "Đã quá hạn nộp báo cáo (01/01/2020): chỉ thư ký cụm có thể mở lại để nộp.",
}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_submitting_after_the_deadline_is_refused_in_the_readers_language(
    client, reporting, language
):
    w = reporting
    speak(client, w.reporter_a1, language)
    response = client.post(
        report_url(w, w.unit_a1),
        {"version": 1, "action": "submit_confirmed", "note": "", "e_new_coops": "10"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert SUBMIT_LATE[language] in html.unescape(body)
    if language == "en":
        assert_english(body, SUBMIT_LATE["en"])
        assert "quá hạn" not in body
    assert not Report.objects.filter(status="submitted").exists()


RETURN_EMPTY = {
    "en": "Write a comment on at least one figure to return the report.",
    "vi": "Hãy ghi nhận xét cho ít nhất một số liệu khi trả lại báo cáo.",
}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_returning_a_report_without_a_comment_says_so_in_the_readers_language(
    client, reporting, language
):
    w = reporting
    report = Report.objects.create(emulation_year=w.year, unit=w.unit_a1, status="submitted")
    speak(client, w.secretariat, language)
    response = client.post(
        report_url(w, w.unit_a1), {"action": "return", "version": report.version}
    )
    body = response.content.decode()
    assert response.status_code == 200 and RETURN_EMPTY[language] in html.unescape(body)
    if language == "en":
        assert_english(body, RETURN_EMPTY["en"])
    assert Report.objects.get(pk=report.pk).status == "submitted"


PUBLISH_DIRTY = {
    "en": "The results are being recomputed: wait until that is done, then publish.",
    "vi": "Kết quả đang được tính lại: hãy chờ xong rồi công bố.",
}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_publishing_a_year_being_recomputed_is_refused_in_the_readers_language(
    client, world, language
):
    install_scheme(world.year)  # marks the year dirty; no recompute runs in the test
    world.year.refresh_from_db()
    assert world.year.is_dirty
    speak(client, world.secretariat, language)
    response = client.post(
        reverse("year-status", args=[world.year.pk]),
        {"status": "published", "reason": "Hội nghị đã thống nhất", "confirmed": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and PUBLISH_DIRTY[language] in html.unescape(body)
    if language == "en":
        assert_english(body, PUBLISH_DIRTY["en"])
    assert EmulationYear.objects.get(pk=world.year.pk).status != "published"


@pytest.mark.parametrize(
    ("language", "reason", "verdict", "seats_one", "seats_two"),
    [
        (
            "en",
            "2025: ranked {rank}; needs rank 2 or better",
            "Not eligible",
            "up to 1 choice per ballot",
            "up to 2 choices per ballot",
        ),
        (
            "vi",
            "Năm 2025 xếp hạng {rank}, cần từ hạng 2 trở lên",
            "Chưa đủ điều kiện",
            "mỗi phiếu chọn tối đa 1",
            "mỗi phiếu chọn tối đa 2",
        ),
    ],
)
def test_the_conference_page_gives_reasons_and_counts_in_the_readers_language(
    client, conf, language, reason, verdict, seats_one, seats_two
):
    award = kind(conf, min_rank=2, cap_count=2)
    ballot_open(emulation_year=conf.year, purpose="head")
    ballot_open(emulation_year=conf.year, purpose="award", award_kind=award, seats=2)
    speak(client, conf.secretariat, language)
    body = client.get(reverse("year-conference", args=[conf.year.pk])).content.decode()
    card = body.split(f'id="award-{award.code}"')[1].split("</div></div>")[0]
    # a3, a4 and a5 rank 3rd to 5th: each says why it is not eligible.
    for code, rank in (("a3", 3), ("a4", 4), ("a5", 5)):
        row = html.unescape(
            card.split(f'id="eligibility-{award.code}-{code}"')[1].split("</tr>")[0]
        )
        assert verdict in row and f"✗ {reason.format(rank=rank)}" in row
    assert f"✓ {reason.format(rank=1)}" in html.unescape(card)
    assert seats_one in html.unescape(body) and seats_two in html.unescape(body)
    if language == "en":
        assert "0/5 units have voted" in body
        assert_english(body, "2025: ranked 5; needs rank 2 or better")
        assert "xếp hạng" not in body and "mỗi phiếu" not in body
    else:
        assert "0/5 đơn vị đã bỏ phiếu" in body


def test_a_band_reason_names_the_schemes_band_inside_an_english_sentence(client, conf):
    award = kind(conf, min_band="Tốt")
    speak(client, conf.secretariat, "en")
    body = client.get(reverse("year-conference", args=[conf.year.pk])).content.decode()
    card = html.unescape(body.split(f'id="award-{award.code}"')[1].split("</div></div>")[0])
    a5 = card.split(f'id="eligibility-{award.code}-a5"')[1].split("</tr>")[0]
    assert "2025: classified “Khá”; needs “Tốt” or better" in a5
    assert "xếp loại" not in card


SELF_VOTE = {
    "en": "A unit may not vote for itself.",
    "vi": "Không được bỏ phiếu cho chính đơn vị mình.",
}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_ballot_error_is_in_the_readers_language(client, conf, language):
    ballot = ballot_open(emulation_year=conf.year, purpose="award", award_kind=kind(conf))
    speak(client, conf.reporter_a1, language)
    url = reverse("ballot-vote", args=[conf.year.pk, ballot.pk])
    a1 = conf.units["a1"].pk
    response = client.post(url, {"voter": a1, "choices": [a1]})
    body = response.content.decode()
    assert response.status_code == 400 and SELF_VOTE[language] in html.unescape(body)
    if language == "en":
        assert_english(body, SELF_VOTE["en"])
    # Too many choices for the ballot's one seat: the count takes the right form.
    two = [conf.units["a2"].pk, conf.units["a3"].pk]
    response = client.post(url, {"voter": a1, "choices": two})
    too_many = {"en": "You may choose at most 1 unit.", "vi": "Chỉ được chọn tối đa 1 đơn vị."}
    assert response.status_code == 400
    assert too_many[language] in html.unescape(response.content.decode())


def test_the_services_count_takes_the_english_plural(conf):
    ballot = ballot_open(emulation_year=conf.year, purpose="deputy", seats=2)
    u = conf.units
    with translation.override("en"), pytest.raises(ScoringError) as refused:
        ballot_vote(
            ballot=ballot, voter=u["a1"], candidate_ids=[u["a2"].pk, u["a3"].pk, u["a4"].pk]
        )
    assert str(refused.value) == "You may choose at most 2 units."
    with translation.override("vi"), pytest.raises(ScoringError) as refused:
        ballot_vote(
            ballot=ballot, voter=u["a1"], candidate_ids=[u["a2"].pk, u["a3"].pk, u["a4"].pk]
        )
    assert str(refused.value) == "Chỉ được chọn tối đa 2 đơn vị."


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Points must be from 0 to 60 (the maximum of criterion 1.1)."),
        ("vi", "Điểm phải từ 0 đến 60 (điểm tối đa của tiêu chí 1.1)."),
    ],
)
def test_manual_points_above_the_maximum_stay_next_to_the_points_field(
    client, world, language, message
):
    install_scheme(world.year)
    speak(client, world.secretariat, language)
    response = client.post(
        reverse("year-manual", args=[world.year.pk]),
        {"unit": world.unit_a1.pk, "criterion": "1.1", "points": "61", "reason": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["points"] == [message]
    assert 'value="61"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The cluster already has emulation year 2025."),
        ("vi", "Cụm đã có năm thi đua 2025."),
    ],
)
def test_opening_a_year_twice_stays_next_to_the_year_field(client, world, language, message):
    speak(client, world.secretariat, language)
    response = client.post(
        reverse("year-open", args=[world.cluster.pk]),
        {
            "year": "2025",
            "members": [world.unit_a1.pk, world.unit_a2.pk],
            "head": world.unit_a1.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [message]


def test_a_scoring_error_still_takes_a_plain_message_and_may_name_its_field():
    plain = ScoringError("Năm này đã công bố kết quả.")
    assert str(plain) == "Năm này đã công bố kết quả." and plain.field is None
    named = ScoringError("Cụm đã có năm thi đua 2025.", field="year")
    assert str(named) == "Cụm đã có năm thi đua 2025." and named.field == "year"


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "Verified 1 report: Liên minh HTX A1.", "Verified 2 reports: "),
        ("vi", "Đã thẩm định 1 báo cáo: Liên minh HTX A1.", "Đã thẩm định 2 báo cáo: "),
    ],
)
def test_bulk_verification_counts_reports_in_the_readers_language(
    client, world, language, one, two
):
    install_scheme(world.year)
    a1, a2 = (
        Report.objects.create(emulation_year=world.year, unit=unit, status="submitted")
        for unit in (world.unit_a1, world.unit_a2)
    )
    speak(client, world.secretariat, language)
    address = reverse("year-verify-bulk", args=[world.year.pk])
    response = client.post(
        address, {"report": [a1.pk], f"version-{a1.pk}": a1.version}, follow=True
    )
    assert one in html.unescape(response.content.decode())
    Report.objects.filter(pk=a1.pk).update(status="submitted")
    a1.refresh_from_db()
    response = client.post(
        address,
        {"report": [a1.pk, a2.pk], f"version-{a1.pk}": a1.version, f"version-{a2.pk}": a2.version},
        follow=True,
    )
    assert two + "Liên minh HTX A1, Liên minh HTX A2." in html.unescape(response.content.decode())
