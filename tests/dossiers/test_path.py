"""The dossier's path through its services: each step's guard, its audit row, the council's
vote and the cap before a decision, the decision in the register and the unit's history, and
the refusals — each naming what to correct."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clusters.models import AuditEntry, EmulationYear, Unit
from scoring.awards.rule_sets import rule_set_on
from scoring.awards.selectors import unit_histories
from scoring.awards.services import hold_record
from scoring.dossiers.services.council import council_result_record, deadline_set
from scoring.dossiers.services.documents import dossier_document_add, dossier_document_generated
from scoring.dossiers.services.dossiers import (
    dossier_appraise,
    dossier_create,
    dossier_decide,
    dossier_return,
    dossier_revoke,
    dossier_submit,
)
from scoring.engine import awards as rules
from scoring.errors import ScoringError
from scoring.models import AwardDecision, AwardRecipient, Dossier, DossierDocument
from tests.dossiers.factories import (
    VCA_FLAG,
    council_of,
    file_everything,
    new_dossier,
    pdf_upload,
    published_with_proposal,
)

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 2)  # a Monday; NĐ 152/2025 in force


def passed_council(world, dossier, *, members=5, yes=5):
    council = council_of(world, members=members)
    return council_result_record(
        council=council, dossier=dossier, met_on=TODAY, present=members, yes=yes,
        no=members - yes, today=TODAY,
    )  # fmt: skip


def sent(world, *, council=False, appraise=False):
    """A1's dossier for the conference's proposal, every document filed, sent on TODAY; with
    the council's vote passed, appraised."""
    dossier = new_dossier(world, proposal=published_with_proposal(world), today=TODAY)
    file_everything(dossier, world, today=TODAY)
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    if council:
        passed_council(world, dossier)
    if appraise:
        dossier = dossier_appraise(dossier=dossier, note="Đủ", actor=world.awarding, today=TODAY)
    return dossier


def test_a_proposal_walks_to_a_decision_which_the_register_and_the_history_then_hold(world):
    proposal = published_with_proposal(world)
    dossier = new_dossier(world, proposal=proposal, today=TODAY)
    assert (dossier.state, dossier.unit, dossier.leads_cluster) == ("draft", world.unit_a1, True)
    file_everything(dossier, world, today=TODAY)

    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    assert dossier.state == "submitted"
    assert (dossier.received_on, dossier.rule_set_code) == (TODAY, "nd-152-2025")
    assert (dossier.return_by, dossier.appraise_by) == (D(2026, 3, 9), D(2026, 3, 30))

    dossier = dossier_return(
        dossier=dossier, reason="Thiếu chữ ký trên tờ trình", actor=world.awarding,
        today=D(2026, 3, 4),
    )  # fmt: skip
    assert (dossier.state, dossier.due_on) == ("returned", None)
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=D(2026, 3, 5))
    # Received again: the clocks start again, the law of the first receipt still judges it.
    assert (dossier.state, dossier.received_on, dossier.last_received_on) == (
        "resubmitted", TODAY, D(2026, 3, 5),
    )  # fmt: skip
    assert dossier.appraise_by == D(2026, 4, 2)

    passed_council(world, dossier)
    dossier = dossier_appraise(dossier=dossier, actor=world.awarding, today=D(2026, 3, 10))
    # A1 led its cluster, met every knock-out, and "Xuất sắc" reads as "hoàn thành xuất sắc".
    assert (dossier.state, dossier.appraisal_verdict) == ("appraised", "eligible")
    assert dossier.forward_by == D(2026, 3, 24)
    dossier = dossier_decide(
        dossier=dossier, number="17/QĐ-LMHTXVN", decided_on=D(2026, 3, 12),
        deciding_body="Liên minh HTX Việt Nam", actor=world.awarding, today=D(2026, 3, 12),
    )  # fmt: skip
    assert dossier.state == "decided"
    decision = AwardDecision.objects.get(number="17/QĐ-LMHTXVN")
    assert (decision.award_code, decision.achievement_year) == (VCA_FLAG, 2025)
    assert list(decision.recipients.values_list("unit__code", flat=True)) == ["a1"]
    history = unit_histories([world.unit_a1])[world.unit_a1.pk]
    assert [(a.award, a.year, a.decision) for a in history.awards] == [
        (VCA_FLAG, 2025, "17/QĐ-LMHTXVN")
    ]
    steps = list(
        AuditEntry.objects.filter(object_type="scoring.dossier", object_id=str(dossier.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == [
        "dossier.create",
        "dossier.document_generated",  # the cluster's letter
        "dossier.document",  # the report
        "dossier.document_generated",  # the minutes
        "dossier.submit",
        "dossier.return",
        "dossier.resubmit",
        "dossier.council",
        "dossier.appraise",
        "dossier.decide",
    ]


def test_a_decision_for_a_dossier_not_appraised_is_refused_and_writes_nothing(world):
    dossier = sent(world, council=True)
    with pytest.raises(
        ScoringError, match="Không thể ghi quyết định cho hồ sơ đang ở trạng thái “Đã gửi”"
    ) as refused:
        dossier_decide(
            dossier=dossier, number="1/QĐ", decided_on=TODAY, deciding_body="LMHTX VN",
            actor=world.awarding, today=TODAY,
        )  # fmt: skip
    assert refused.value.code == "not_decide"
    assert AwardDecision.objects.count() == 0
    assert Dossier.objects.get(pk=dossier.pk).state == "submitted"


def test_submission_needs_every_required_document_and_the_year_published(world):
    proposal = published_with_proposal(world)
    dossier = new_dossier(world, proposal=proposal, today=TODAY)
    dossier_document_add(
        dossier=dossier, item_code="to-trinh", upload=pdf_upload(), actor=world.secretariat,
        today=TODAY,
    )  # fmt: skip
    with pytest.raises(ScoringError) as refused:
        dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    assert refused.value.code == "documents_missing"
    assert "Báo cáo thành tích có xác nhận của cấp trình khen" in str(refused.value)
    assert "Biên bản họp bình xét" in str(refused.value)
    assert "Văn bản xác nhận" not in str(refused.value)  # not required
    file_everything(dossier, world, today=TODAY)
    EmulationYear.objects.filter(pk=world.year.pk).update(status="scored")
    with pytest.raises(ScoringError, match="Kết quả năm 2025 chưa công bố"):
        dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    assert Dossier.objects.get(pk=dossier.pk).state == "draft"


def test_documents_are_pdf_or_docx_by_their_content_and_change_only_while_editable(world):
    dossier = new_dossier(world, proposal=published_with_proposal(world), today=TODAY)
    # A PNG under a PDF's name and content type.
    fake = SimpleUploadedFile(
        "to-trinh.pdf", b"\x89PNG\r\n\x1a\nnot a pdf", content_type="application/pdf"
    )
    with pytest.raises(ScoringError, match="chỉ nhận tệp PDF hoặc Word") as refused:
        dossier_document_add(
            dossier=dossier, item_code="to-trinh", upload=fake, actor=world.secretariat,
            today=TODAY,
        )  # fmt: skip
    assert refused.value.field == "file"
    with pytest.raises(ScoringError, match="Hồ sơ của hình thức này không có mục đó"):
        dossier_document_add(
            dossier=dossier, item_code="khong-co", upload=pdf_upload(), actor=world.secretariat,
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(ScoringError, match="Mục này phải tải tệp lên"):
        dossier_document_generated(
            dossier=dossier, item_code="bao-cao-thanh-tich", actor=world.secretariat, today=TODAY
        )
    first = dossier_document_add(
        dossier=dossier, item_code="to-trinh", upload=pdf_upload(pages=3),
        actor=world.secretariat, today=TODAY,
    )  # fmt: skip
    assert (first.pages, first.content_type, len(first.sha256)) == (3, "application/pdf", 64)
    second = dossier_document_add(
        dossier=dossier, item_code="to-trinh", upload=pdf_upload(pages=2),
        actor=world.secretariat, today=TODAY,
    )  # fmt: skip
    assert list(DossierDocument.objects.filter(dossier=dossier).values_list("pk", "pages")) == [
        (second.pk, 2)
    ]
    file_everything(dossier, world, today=TODAY)
    dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    with pytest.raises(ScoringError, match="Chỉ thay đổi tài liệu khi hồ sơ đang chuẩn bị"):
        dossier_document_add(
            dossier=dossier, item_code="to-trinh", upload=pdf_upload(), actor=world.secretariat,
            today=TODAY,
        )  # fmt: skip


def test_a_dossier_goes_only_to_a_body_above_the_cluster_for_a_member_and_once(world):
    proposal = published_with_proposal(world)
    with pytest.raises(ScoringError, match="đơn vị chỉ đạo của cụm") as refused:
        dossier_create(
            emulation_year=world.year, body=world.other_supervising, award_code=VCA_FLAG,
            proposal=proposal, today=TODAY,
        )  # fmt: skip
    assert refused.value.field == "body"
    with pytest.raises(ScoringError, match="không phải thành viên") as refused:
        new_dossier(world, unit=world.unit_b1, today=TODAY)
    assert refused.value.field == "unit"
    with pytest.raises(ScoringError, match="Không có hình thức khen thưởng “khong-co”"):
        new_dossier(world, award="khong-co", unit=world.unit_a2, today=TODAY)
    new_dossier(world, proposal=proposal, today=TODAY)
    with pytest.raises(ScoringError, match="Đã có hồ sơ đề nghị") as refused:
        new_dossier(world, unit=world.unit_a1, today=TODAY)
    assert refused.value.field == "award_code"
    # A2 ranked second and has no proposal naming it the leader.
    assert new_dossier(world, unit=world.unit_a2, today=TODAY).leads_cluster is False


@pytest.fixture
def a2_published(world):
    published_with_proposal(world)
    return world


def test_a_held_unit_cannot_be_appraised_and_an_ineligible_one_only_with_a_note(a2_published):
    world = a2_published
    dossier = file_everything(
        new_dossier(world, unit=world.unit_a2, today=TODAY), world, today=TODAY
    )
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    with pytest.raises(ScoringError, match="ghi ý kiến thẩm định") as refused:
        dossier_appraise(dossier=dossier, actor=world.awarding, today=TODAY)
    assert refused.value.field == "note"
    hold_record(unit=world.unit_a2, kind="inspection", since=D(2026, 1, 1))
    with pytest.raises(ScoringError, match="Đơn vị đang bị tạm hoãn xét khen thưởng") as refused:
        dossier_appraise(dossier=dossier, note="Đủ căn cứ", actor=world.awarding, today=TODAY)
    assert refused.value.code == "held"
    assert Dossier.objects.get(pk=dossier.pk).state == "submitted"


def test_an_ineligible_unit_is_appraised_with_the_officers_reasons_recorded(a2_published):
    world = a2_published
    dossier = file_everything(
        new_dossier(world, unit=world.unit_a2, today=TODAY), world, today=TODAY
    )
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    dossier = dossier_appraise(
        dossier=dossier, note="Cụm suy tôn theo biên bản; Ban TĐKT xác nhận", actor=world.awarding,
        today=TODAY,
    )  # fmt: skip
    assert (dossier.state, dossier.appraisal_verdict) == ("appraised", "not_eligible")
    entry = AuditEntry.objects.get(action="dossier.appraise", object_id=str(dossier.pk))
    assert entry.reason == "Cụm suy tôn theo biên bản; Ban TĐKT xác nhận"
    assert entry.after["verdict"] == "not_eligible"


def test_the_decision_needs_the_councils_vote_and_a_failed_vote_refuses_it(world):
    dossier = sent(world, appraise=True)
    decide = {
        "number": "2/QĐ", "decided_on": TODAY, "deciding_body": "LMHTX VN", "actor": world.awarding,
        "today": TODAY,
    }  # fmt: skip
    with pytest.raises(ScoringError, match="Hội đồng Thi đua – Khen thưởng chưa bỏ phiếu"):
        dossier_decide(dossier=dossier, **decide)
    # 3 of 5 members for: 60 % of all members, under the 80 % the rule set asks.
    result = passed_council(world, dossier, members=5, yes=3)
    assert result.passed is False
    with pytest.raises(ScoringError, match="không đạt tỷ lệ phiếu") as refused:
        dossier_decide(dossier=dossier, **decide)
    assert refused.value.code == "council_failed"
    assert AwardDecision.objects.count() == 0


def test_the_council_counts_all_members_and_written_opinions_and_refuses_bad_counts(world):
    dossier = new_dossier(world, proposal=published_with_proposal(world), today=TODAY)
    council = council_of(world, members=5)

    def record(**counts):
        values = {"present": 4, "yes": 4, "no": 0, "invalid": 0, "written_yes": 0, "written_no": 0}
        values.update(counts)
        return council_result_record(
            council=council, dossier=dossier, met_on=TODAY, today=TODAY, reason="sửa", **values
        )

    # 4 present all for: 4 of 5 members = 80 %: passes (the base is every member).
    assert record().passed is True
    # 3 present for, 1 against; the absent member for in writing: 4 of 5 again.
    with pytest.raises(ScoringError, match="bản scan ý kiến bằng văn bản") as refused:
        record(yes=3, no=1, written_yes=1)
    assert refused.value.field == "scan"
    scan = pdf_upload("y-kien.pdf")
    assert record(yes=3, no=1, written_yes=1, scan=scan).passed is True
    assert record(yes=3, no=1, written_yes=0).passed is False  # 3/5 = 60 %
    for counts, field, message in [
        ({"present": 6, "yes": 6}, "present", "lớn hơn số thành viên"),
        ({"yes": 3}, "yes", "phải bằng số có mặt"),
        ({"written_yes": 1, "written_no": 1}, "written_yes", "nhiều hơn số thành viên vắng mặt"),
    ]:
        with pytest.raises(ScoringError, match=message) as refused:
            record(**counts)
        assert refused.value.field == field
    with pytest.raises(ScoringError, match="ghi lý do sửa kết quả") as refused:
        council_result_record(
            council=council, dossier=dossier, met_on=TODAY, present=5, yes=5, no=0, today=TODAY
        )
    assert refused.value.field == "reason"


def test_the_government_flags_cap_of_three_leaders_rounds_to_zero_and_refuses_the_decision(world):
    """20 % of 3 leaders rounds down to 0: no decision, with the reason in words (no silent
    "at least one")."""
    published_with_proposal(world)
    leaders = []
    for code in ("x1", "x2"):
        leaders.append(
            Unit.objects.create(code=code, name=f"Đơn vị {code}", parent=world.supervising)
        )
    dossier = file_everything(
        new_dossier(world, award="co-thi-dua-chinh-phu", unit=world.unit_a1, today=TODAY), world,
        today=TODAY,
    )  # fmt: skip
    # Two more cluster leaders considered by the body this year (other clusters' years).
    from clusters.models import Cluster, Membership

    for i, unit in enumerate(leaders):
        cluster = Cluster.objects.create(
            code=f"c{i}", name=f"Cụm {i}", supervising_unit=world.supervising
        )
        year = EmulationYear.objects.create(cluster=cluster, year=2025, status="published")
        Membership.objects.create(emulation_year=year, unit=unit)
        Dossier.objects.create(
            body=world.supervising, emulation_year=year, unit=unit, award_code=VCA_FLAG,
            award_name="Cờ", leads_cluster=True,
        )  # fmt: skip
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    passed_council(world, dossier)
    dossier = dossier_appraise(dossier=dossier, note="Đủ", actor=world.awarding, today=TODAY)
    with pytest.raises(
        ScoringError, match="20 % của 3 đơn vị dẫn đầu được xét làm tròn xuống được 0"
    ) as refused:
        dossier_decide(
            dossier=dossier, number="3/QĐ", decided_on=TODAY, deciding_body="Chính phủ",
            actor=world.awarding, today=TODAY,
        )  # fmt: skip
    assert refused.value.code == "over_cap"


def test_a_revoked_award_stays_in_the_register_marked_and_no_longer_counts(world):
    dossier = sent(world, council=True, appraise=True)
    dossier = dossier_decide(
        dossier=dossier, number="4/QĐ", decided_on=TODAY, deciding_body="LMHTX VN",
        actor=world.awarding, today=TODAY,
    )  # fmt: skip
    with pytest.raises(ScoringError, match="Ghi lý do thu hồi") as refused:
        dossier_revoke(dossier=dossier, reason="  ", actor=world.awarding)
    assert refused.value.field == "reason"
    dossier = dossier_revoke(dossier=dossier, reason="Kê khai sai thành tích", actor=world.awarding)
    assert dossier.state == "revoked"
    recipient = AwardRecipient.objects.get(decision__number="4/QĐ")
    assert (recipient.revoked, recipient.revoked_reason) == (True, "Kê khai sai thành tích")
    history = unit_histories([world.unit_a1])[world.unit_a1.pk]
    verdict = rules.judge(rule_set_on(TODAY), VCA_FLAG, history, 2025, received_on=TODAY)
    assert "Chưa được Cờ thi đua của Liên minh Hợp tác xã Việt Nam cho thành tích năm 2025" in [
        r.vi for r in verdict.reasons
    ]


def test_a_return_needs_a_reason_and_only_a_sent_dossier_can_be_returned(world):
    dossier = file_everything(
        new_dossier(world, proposal=published_with_proposal(world), today=TODAY), world,
        today=TODAY,
    )  # fmt: skip
    with pytest.raises(
        ScoringError, match="Không thể trả lại hồ sơ đang ở trạng thái “Đang chuẩn bị”"
    ):
        dossier_return(dossier=dossier, reason="Thiếu", actor=world.awarding, today=TODAY)
    dossier = dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY)
    with pytest.raises(ScoringError, match="Ghi lý do trả lại hồ sơ") as refused:
        dossier_return(dossier=dossier, reason="", actor=world.awarding, today=TODAY)
    assert refused.value.field == "reason"


def test_a_dossier_first_sent_after_the_bodys_deadline_is_marked_late(world):
    proposal = published_with_proposal(world)
    deadline_set(body=world.supervising, award_code=VCA_FLAG, year=2025, due_on=D(2026, 2, 27))
    dossier = file_everything(
        new_dossier(world, proposal=proposal, today=TODAY), world, today=TODAY
    )
    assert dossier_submit(dossier=dossier, actor=world.secretariat, today=TODAY).late is True
    other = file_everything(new_dossier(world, unit=world.unit_a2, today=TODAY), world, today=TODAY)
    assert (
        dossier_submit(dossier=other, actor=world.secretariat, today=D(2026, 2, 27)).late is False
    )


def test_a_ballot_whose_proposal_became_a_dossier_cannot_be_reopened(world):
    """Reopening a ballot withdraws its proposals; one that a dossier carries up is refused by
    name instead (it was a server error: the dossier holds its proposal)."""
    from django.utils import timezone

    from scoring.conference.services.conference import ballot_reopen
    from scoring.models import AwardProposal, Ballot

    proposal = published_with_proposal(world)
    ballot = Ballot.objects.create(
        emulation_year=world.year, purpose="award", award_kind=proposal.award_kind,
        status=Ballot.Status.CLOSED, closed_at=timezone.now(),
    )  # fmt: skip
    AwardProposal.objects.filter(pk=proposal.pk).update(ballot=ballot)
    new_dossier(world, proposal=proposal, today=TODAY)
    with pytest.raises(ScoringError, match="Liên minh HTX A1"):
        ballot_reopen(ballot=ballot, reason="Bỏ phiếu lại", actor=world.secretariat)
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CLOSED
    assert AwardProposal.objects.filter(pk=proposal.pk).exists()
