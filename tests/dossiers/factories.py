"""Builders for the award dossier's tests: a published year with a conference proposal, real PDF
and DOCX uploads, a council with members, a dossier with every required document."""

from __future__ import annotations

import dataclasses
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from clusters.models import EmulationYear
from scoring import engine
from scoring.awards.rule_sets import rule_set_on
from scoring.dossiers.services.council import council_create, council_member_add
from scoring.dossiers.services.dossiers import (
    dossier_create,
    dossier_document_add,
    dossier_document_generated,
)
from scoring.models import AwardProposal, CouncilMember
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import SMALL_SCHEME, install_scheme, kind, put_figures

VCA_FLAG = "co-thi-dua-lmhtxvn"
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
    """The world's year scored (A1 first, "Xuất sắc"; A2 "Tốt"), published, with the
    conference's proposal of A1 for the cluster's flag (an award kind that names the leading
    unit)."""
    install_scheme(world.year, BANDED)
    put_figures(world.year, figures or {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    EmulationYear.objects.filter(pk=world.year.pk).update(status=EmulationYear.Status.PUBLISHED)
    world.year.refresh_from_db()
    flag = kind(world, code="co-thi-dua", name="Cờ thi đua LMHTX", leads_cluster=True)
    return AwardProposal.objects.create(
        emulation_year=world.year, award_kind=flag, unit=world.unit_a1, votes=2, rank=1
    )


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
    """Every required document of the dossier's checklist: generated where it may be, else a PDF
    (or a DOCX for the report)."""
    kind_ = rule_set_on(today or dossier.created_at.date()).awards[dossier.award_code]
    for item in kind_.dossier:
        if not item.required:
            continue
        if item.source == "generated":
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
    with an uploaded document, that body's council of 2025 with a member, and its result on the
    dossier with the absent members' written opinions (a scan)."""
    from scoring.dossiers.services.council import council_result_record

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
