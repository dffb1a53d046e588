"""The dossier's pages: every form keeps what was typed and names the field it refuses (400),
each step is seen by the cluster's secretariat and the unit's reporter, a decision for a dossier
not appraised is refused, the council's page records counts and warns when the cap rounds to
zero, the queue filters and sorts, and every page reads in English too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from scoring.dossiers.services.council import council_result_record
from scoring.dossiers.services.dossiers import dossier_appraise, dossier_return, dossier_submit
from scoring.models import AwardDecision, Dossier, DossierDocument
from tests.dossiers.factories import (
    council_of,
    file_everything,
    new_dossier,
    pdf_upload,
    published_with_proposal,
)
from tests.test_english_pages import legal_texts, user_data, vietnamese_left, visible_text

pytestmark = pytest.mark.django_db


def detail(dossier):
    return reverse("dossier-detail", args=[dossier.pk])


@pytest.fixture
def proposed(world):
    world.proposal = published_with_proposal(world)
    return world


def test_the_secretariat_makes_a_dossier_from_the_years_page_and_a_refusal_keeps_the_choice(
    client, proposed
):
    w = proposed
    client.force_login(w.secretariat)
    url = reverse("year-dossiers", args=[w.year.pk])
    page = client.get(url).content.decode()
    assert "Cờ thi đua LMHTX: Liên minh HTX A1" in page  # the conference's open proposal
    refused = client.post(url, {"award_code": "co-thi-dua-lmhtxvn", "body": w.supervising.pk})
    assert refused.status_code == 400
    form = refused.context["form"]
    assert form.errors["unit"] == ["Chọn đề nghị của hội nghị hoặc đơn vị được đề nghị."]
    assert form["award_code"].value() == "co-thi-dua-lmhtxvn"
    made = client.post(
        url,
        {"proposal": w.proposal.pk, "award_code": "co-thi-dua-lmhtxvn", "body": w.supervising.pk},
    )
    dossier = Dossier.objects.get()
    assert made.status_code == 302 and made["Location"] == detail(dossier)
    again = client.post(
        url, {"unit": w.unit_a1.pk, "award_code": "co-thi-dua-lmhtxvn", "body": w.supervising.pk}
    )
    assert again.status_code == 400
    assert "Đã có hồ sơ đề nghị" in again.context["form"].errors["award_code"][0]
    # Readers of the year may look, not make.
    client.force_login(w.reporter_a2)
    assert client.get(url).status_code == 200
    assert client.post(url, {"unit": w.unit_a2.pk}).status_code == 403


def test_an_upload_of_the_wrong_kind_is_refused_on_its_field_with_the_number_kept(client, proposed):
    w = proposed
    dossier = new_dossier(w, proposal=w.proposal)
    client.force_login(w.secretariat)
    fake = pdf_upload("to-trinh.pdf")
    fake.file = type(fake.file)(b"GIF89a not a pdf")
    refused = client.post(
        detail(dossier),
        {"action": "document", "item_code": "to-trinh", "file": fake, "number": "7/TTr-CTĐ"},
    )
    assert refused.status_code == 400
    form = refused.context["document_form"]
    assert "chỉ nhận tệp PDF hoặc Word" in form.errors["file"][0]
    assert form["number"].value() == "7/TTr-CTĐ"
    assert DossierDocument.objects.count() == 0
    sent = client.post(
        detail(dossier),
        {"action": "document", "item_code": "to-trinh", "file": pdf_upload(), "number": "7/TTr"},
    )
    assert sent.status_code == 302
    document = DossierDocument.objects.get()
    download = client.get(reverse("dossier-document", args=[dossier.pk, document.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    # Another dossier's document under this dossier's address is not found.
    other = new_dossier(w, unit=w.unit_a2)
    assert client.get(reverse("dossier-document", args=[other.pk, document.pk])).status_code == 404


def test_a_dossier_missing_documents_is_not_sent_and_the_page_names_them(client, proposed):
    w = proposed
    dossier = new_dossier(w, proposal=w.proposal)
    client.force_login(w.secretariat)
    refused = client.post(detail(dossier), {"action": "submit"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Hồ sơ còn thiếu: Tờ trình đề nghị khen thưởng;" in page
    assert Dossier.objects.get().state == "draft"


def test_each_step_is_seen_by_the_secretariat_and_the_units_reporter(client, proposed):
    w = proposed
    dossier = file_everything(new_dossier(w, proposal=w.proposal), w)
    client.force_login(w.secretariat)
    assert client.post(detail(dossier), {"action": "submit"}).status_code == 302
    client.force_login(w.awarding)
    refused = client.post(detail(dossier), {"action": "return", "reason": ""})
    assert refused.status_code == 400
    assert refused.context["return_form"].errors["reason"]
    assert (
        client.post(
            detail(dossier), {"action": "return", "reason": "Tờ trình thiếu chữ ký"}
        ).status_code
        == 302
    )
    for reader in (w.secretariat, w.reporter_a1, w.leadership):
        client.force_login(reader)
        page = client.get(detail(dossier)).content.decode()
        assert "Bị trả lại" in page and "Tờ trình thiếu chữ ký" in page
        assert "Gửi hồ sơ" in page and "Trả lại hồ sơ" in page  # the steps
    # The reporter reads; it cannot act.
    client.force_login(w.reporter_a1)
    assert client.post(detail(dossier), {"action": "submit"}).status_code == 403
    client.force_login(w.reporter_a2)
    assert client.get(detail(dossier)).status_code == 404


def test_a_decision_posted_for_a_dossier_not_appraised_is_refused_with_the_form_kept(
    client, proposed
):
    w = proposed
    dossier = file_everything(new_dossier(w, proposal=w.proposal), w)
    dossier_submit(dossier=dossier, actor=w.secretariat)
    client.force_login(w.awarding)
    typed = {
        "action": "decide",
        "number": "9/QĐ-LMHTXVN",
        "decided_on": "12/03/2026",
        "deciding_body": "Liên minh HTX Việt Nam",
    }
    refused = client.post(detail(dossier), typed)
    assert refused.status_code == 400
    assert "Không thể ghi quyết định cho hồ sơ đang ở trạng thái “Đã gửi”" in (
        refused.content.decode()
    )
    assert "decide_form" not in refused.context  # not offered in this state
    assert AwardDecision.objects.count() == 0
    # A bad date on an appraised dossier: named on its field, the number kept.
    council = council_of(w)
    council_result_record(
        council=council, dossier=dossier, met_on=dt.date(2026, 3, 2), present=5, yes=5, no=0
    )
    dossier_appraise(dossier=dossier, note="Đủ", actor=w.awarding)
    refused = client.post(detail(dossier), {**typed, "decided_on": "31/02/2026"})
    assert refused.status_code == 400
    assert refused.context["decide_form"].errors["decided_on"]
    assert refused.context["decide_form"]["number"].value() == "9/QĐ-LMHTXVN"
    done = client.post(detail(dossier), typed)
    assert done.status_code == 302
    assert Dossier.objects.get().decision.number == "9/QĐ-LMHTXVN"


def test_the_council_page_records_counts_names_a_bad_count_and_warns_on_a_zero_cap(
    client, proposed
):
    w = proposed
    dossier = new_dossier(w, award="co-thi-dua-chinh-phu", unit=w.unit_a1)
    council = council_of(w, members=5)
    client.force_login(w.awarding)
    url = reverse("council-detail", args=[council.pk])
    page = client.get(url).content.decode()
    # One leader considered: 20 % of 1 rounds down to 0, said in words and as a warning.
    assert "Không đề nghị được: 20 % của 1 đơn vị dẫn đầu được xét làm tròn xuống được 0" in page
    assert 'class="alert alert-warning"' in page
    typed = {
        "action": "result", "dossier": dossier.pk, "met_on": "02/03/2026", "present": "4",
        "yes": "3", "no": "0", "invalid": "0", "written_yes": "0", "written_no": "0",
    }  # fmt: skip
    refused = client.post(url, typed)
    assert refused.status_code == 400
    form = refused.context["result_form"]
    assert "phải bằng số có mặt (4)" in form.errors["yes"][0]
    assert (form["present"].value(), form["yes"].value()) == ("4", "3")
    assert client.post(url, {**typed, "yes": "4"}).status_code == 302
    page = client.get(url).content.decode()
    assert "4/5 phiếu đồng ý (80 %), cần ≥ 80 % tổng số thành viên hội đồng" in page
    # The dossier's page shows the result to the cluster, as counts.
    client.force_login(w.secretariat)
    page = client.get(detail(dossier)).content.decode()
    assert "4/5 thành viên có mặt; 4 đồng ý, 0 không đồng ý" in page
    # The council is the body's: a 404 for the secretariat and the leadership.
    for other in (w.secretariat, w.leadership):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_the_queue_filters_sorts_and_ignores_values_that_name_nothing(client, proposed):
    w = proposed
    first = file_everything(new_dossier(w, proposal=w.proposal), w)
    dossier_submit(dossier=first, actor=w.secretariat, today=dt.date(2026, 3, 2))
    second = file_everything(new_dossier(w, unit=w.unit_a2, award="bang-khen-tinh-tap-the"), w)
    dossier_submit(dossier=second, actor=w.secretariat, today=dt.date(2026, 2, 2))
    client.force_login(w.awarding)
    url = reverse("dossier-queue")

    def shown(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return [int(pk) for pk in re.findall(r'<tr id="dossier-(\d+)"', response.content.decode())]

    assert shown() == [second.pk, first.pk]  # fewest working days left first
    assert shown(sort="-han") == [first.pk, second.pk]
    assert shown(award="bang-khen-tinh-tap-the") == [second.pk]
    assert shown(state="decided") == []
    # A cluster by (part of) its name, or by the link in a row.
    assert shown(cum="cụm a") == [second.pk, first.pk]
    assert shown(cum="Cụm B") == []
    assert shown(cluster=w.cluster.pk) == [second.pk, first.pk]
    for noise in ({"cluster": "x"}, {"state": "gì"}, {"award": "<b>"}, {"trang": "999999999"}):
        assert shown(**noise) == [second.pk, first.pk]
    # Served from the cache while nothing changes; a step on a dossier shows at once.
    assert "Đã gửi" in client.get(url).content.decode()
    dossier_return(dossier=second, reason="Thiếu", actor=w.awarding, today=dt.date(2026, 3, 3))
    assert shown(state="returned") == [second.pk]
    assert 'class="badge text-bg-secondary state-returned"' in client.get(url).content.decode()
    client.force_login(w.other_secretariat)
    assert shown() == []


def test_the_package_limits_are_checked_before_anything_is_written(client, proposed, settings):
    w = proposed
    for unit in (w.unit_a1, w.unit_a2):
        new_dossier(w, unit=unit)
    client.force_login(w.awarding)
    settings.DOSSIER_PACKAGE_MAX_DOSSIERS = 1
    refused = client.get(reverse("dossier-batch"), {"sort": "cum"})
    assert refused.status_code == 302
    assert refused["Location"] == reverse("dossier-queue") + "?sort=cum"
    messages = [str(m) for m in client.get(refused["Location"]).context["messages"]]
    assert messages == ["Một gói có tối đa 1 hồ sơ (đã chọn 2): lọc bớt rồi tải lại."]


@pytest.mark.parametrize("persona", ["secretariat", "awarding", "reporter_a1"])
def test_a_decided_dossier_and_the_council_read_in_english(client, proposed, persona):
    w = proposed
    dossier = file_everything(new_dossier(w, proposal=w.proposal), w)
    dossier_submit(dossier=dossier, actor=w.secretariat)
    council = council_of(w)
    council_result_record(
        council=council, dossier=dossier, met_on=dt.date(2026, 3, 2), present=4, yes=3, no=1,
        written_yes=1, scan=pdf_upload("y-kien.pdf"),
    )  # fmt: skip
    new_dossier(w, award="co-thi-dua-chinh-phu", unit=w.unit_a2)
    client.force_login(w.awarding)
    client.post(detail(dossier), {"action": "appraise", "note": "Đủ điều kiện"})
    client.post(
        detail(dossier),
        {"action": "decide", "number": "5/QĐ", "decided_on": "12/03/2026", "deciding_body": "VCA"},
    )
    assert Dossier.objects.get(pk=dossier.pk).state == "decided"
    client.get(detail(dossier))  # the messages of those steps, shown once, in Vietnamese
    client.force_login(getattr(w, persona))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    allowed = ["Tiếng Việt", *user_data(), *legal_texts()]
    pages = [detail(dossier), reverse("dossier-queue")]
    if persona == "awarding":
        pages += [
            reverse("council-detail", args=[council.pk]),
            reverse("awarding-body", args=[w.supervising.pk]),
        ]
    else:
        pages.append(reverse("year-dossiers", args=[w.year.pk]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert vietnamese_left(visible_text(response.content.decode()), allowed) == [], url


def test_the_units_award_page_is_cached_until_a_decision_a_revocation_or_a_hold(client, proposed):
    """The unit's award page is served from the cache under a stamp of what it shows: a new
    decision, its revocation and a hold each show at once."""
    from scoring.awards.services import decision_record, hold_record
    from scoring.dossiers.services.dossiers import dossier_decide, dossier_revoke

    w = proposed
    dossier = file_everything(new_dossier(w, proposal=w.proposal), w)
    dossier_submit(dossier=dossier, actor=w.secretariat)
    council_result_record(
        council=council_of(w), dossier=dossier, met_on=dt.date(2026, 3, 2), present=5, yes=5, no=0
    )
    dossier = dossier_appraise(dossier=dossier, note="Đủ", actor=w.awarding)
    client.force_login(w.reporter_a1)
    url = reverse("unit-awards", args=[w.unit_a1.pk])
    assert "21/QĐ-LMHTXVN" not in client.get(url).content.decode()
    assert client.get(url).context is None  # the second read came from the cache
    dossier = dossier_decide(
        dossier=dossier, number="21/QĐ-LMHTXVN", decided_on=dt.date(2026, 3, 12),
        deciding_body="Liên minh HTX Việt Nam", actor=w.awarding,
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "21/QĐ-LMHTXVN" in page and "text-decoration-line-through" not in page
    dossier_revoke(dossier=dossier, reason="Sai thành tích", actor=w.awarding)
    assert "text-decoration-line-through" in client.get(url).content.decode()
    hold_record(unit=w.unit_a1, kind="complaint", since=dt.date(2026, 3, 20))
    assert "20/03/2026" in client.get(url).content.decode()
    decision_record(
        number="22/QĐ", decided_on=dt.date(2026, 4, 1), deciding_body="Tỉnh",
        award_code="bang-khen-chuyen-de", achievement_year=2025, units=[w.unit_a1],
    )  # fmt: skip
    assert "22/QĐ" in client.get(url).content.decode()
