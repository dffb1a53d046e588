"""Builders for the award dossier's tests: a published year with its conference's details and a
proposal from a closed award ballot, real PDF and DOCX uploads, a council with members, a dossier
with every required document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from clusters.models import EmulationYear
from scoring import engine
from scoring.awards.rule_sets import rule_set_on
from scoring.conference.services.conference import ballot_close, ballot_open, ballot_vote
from scoring.dev.demo import sample_conference_details
from scoring.dossiers.services.council import council_create, council_member_add
from scoring.dossiers.services.documents import dossier_document_add, dossier_document_generated
from scoring.dossiers.services.dossiers import dossier_create
from scoring.models import AwardProposal, Ballot, CouncilMember
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import SMALL_SCHEME, install_scheme, kind, put_figures

VCA_FLAG = "co-thi-dua-lmhtxvn"
# The year-end conference: 27/01/2026, 10:00 in Vietnam.
HELD = timezone.make_aware(dt.datetime(2026, 1, 27, 10, 0))
# A1 (20 new cooperatives: 60 points) "Xuất sắc", A2 (10: 30 points) "Tốt".
BANDED = dataclasses.replace(
    SMALL_SCHEME,
    classification=(engine.Band("Xuất sắc", 55), engine.Band("Tốt", 30), engine.Band("Khá", 0)),
)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "to-trinh.pdf", pages: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def docx_upload(name: str = "bao-cao.docx") -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def published_with_proposal(world, *, figures=None):
    """The world's year scored (A1 first, "Xuất sắc"; A2 "Tốt"), with its conference's details
    typed in and an award ballot closed — both members vote for A1, so the conference proposes
    A1 for the cluster's flag (an award kind that names the leading unit) with 2 votes —, then
    published."""
    install_scheme(world.year, BANDED)
    put_figures(world.year, figures or {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    sample_conference_details(
        world.year, host=world.unit_a1.name, place="Cần Thơ", symbol="CTĐA", held=HELD
    )
    flag = kind(
        world, code="co-thi-dua", name="Cờ thi đua LMHTX", leads_cluster=True, allow_self_vote=True
    )
    ballot = ballot_open(emulation_year=world.year, purpose=Ballot.Purpose.AWARD, award_kind=flag)
    for voter in (world.unit_a1, world.unit_a2):
        ballot_vote(ballot=ballot, voter=voter, candidate_ids=[world.unit_a1.pk])
    ballot_close(ballot=ballot)
    EmulationYear.objects.filter(pk=world.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    world.year.refresh_from_db()
    return AwardProposal.objects.get(emulation_year=world.year, award_kind=flag)


def new_dossier(world, *, award=VCA_FLAG, proposal=None, unit=None, today=None):
    return dossier_create(
        emulation_year=world.year,
        body=world.supervising,
        award_code=award,
        proposal=proposal,
        unit=unit if proposal is None else None,
        actor=world.secretariat,
        today=today,
    )


def file_everything(dossier, world, *, today=None):
    """Every required document of the dossier's checklist: generated where it may be (the
    documents room's minutes and letter), else a PDF (or a DOCX for the report). The year's
    letter lists the conference's proposals: a dossier made without one uploads its letter."""
    kind_ = rule_set_on(today or dossier.created_at.date()).awards[dossier.award_code]
    for item in kind_.dossier:
        if not item.required:
            continue
        generated = item.source == "generated" and (
            item.document != "proposal" or dossier.proposal_id is not None
        )
        if generated:
            dossier_document_generated(
                dossier=dossier, item_code=item.code, actor=world.secretariat, today=today
            )
        else:
            upload = docx_upload() if item.code == "bao-cao-thanh-tich" else pdf_upload()
            dossier_document_add(
                dossier=dossier,
                item_code=item.code,
                upload=upload,
                number="12/TTr-CTĐ",
                actor=world.secretariat,
                today=today,
            )
    return dossier


def council_of(world, *, year=2025, members=5):
    council = council_create(body=world.supervising, year=year, name="Hội đồng TĐKT")
    roles = [CouncilMember.Role.CHAIR] + [CouncilMember.Role.MEMBER] * (members - 1)
    for i, role in enumerate(roles, 1):
        council_member_add(council=council, name=f"Thành viên {i}", role=role)
    return council


def walk_objects(world):
    """What the permission walks open: A1's dossier (a draft, addressed to A's supervising unit)
    with an uploaded document and a generated one (the year's minutes as a draft of the
    documents room: the year is not published, so it is written here, not through the service,
    which files only archived copies), that body's council of 2025 with a member, and its result
    on the dossier with the absent members' written opinions (a scan)."""
    from scoring.dossiers.services.council import council_result_record
    from scoring.models import DossierDocument, GeneratedDocument

    dossier = dossier_create(
        emulation_year=world.year,
        body=world.supervising,
        award_code=VCA_FLAG,
        unit=world.unit_a1,
        actor=world.secretariat,
    )
    dossier_document_add(
        dossier=dossier, item_code="to-trinh", upload=pdf_upload(), actor=world.secretariat
    )
    minutes = GeneratedDocument.objects.create(
        emulation_year=world.year, kind="minutes", number="05/BB-CA",
        issued_on=dt.date(2026, 1, 27), docx=b"PK walk", pdf=b"%PDF walk",
    )  # fmt: skip
    DossierDocument.objects.create(
        dossier=dossier, item_code="bien-ban", generated=True, generated_document=minutes
    )
    council = council_of(world, members=3)
    council_result_record(
        council=council,
        dossier=dossier,
        met_on=dossier.created_at.date(),
        present=2,
        yes=2,
        no=0,
        written_yes=1,
        scan=pdf_upload("y-kien.pdf"),
    )
    return dossier, council
