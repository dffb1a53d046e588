"""Rendering many documents at once: a conference pack shared between processes gives the same
documents, in the same order, as one process does; the benchmark command runs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from docx import Document
from pypdf import PdfReader

from scoring.documents.render import WEIGHTS, _balanced, render_documents
from scoring.documents.selectors import default_template, document_contexts

pytestmark = pytest.mark.django_db


def _texts(files):
    return [
        (
            "\n".join(p.text for p in Document(io.BytesIO(word)).paragraphs),
            "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages),
        )
        for word, pdf in files
    ]


def test_a_pack_rendered_in_two_processes_is_the_pack_rendered_in_one(documents_world, settings):
    jobs = [
        (p.kind, default_template(p.kind), p.context)
        for kind in ("minutes", "results", "score_sheet")
        for p in document_contexts(emulation_year=documents_world.year, kind=kind)
    ]
    assert len(jobs) == 7
    settings.DOCUMENT_RENDER_PROCESSES = 1
    alone = _texts(render_documents(jobs))
    settings.DOCUMENT_RENDER_PROCESSES = 2
    shared = _texts(render_documents(jobs))
    assert shared == alone
    assert "BIÊN BẢN" in alone[0][0] and "Liên minh HTX A5" in alone[-1][0]


def test_batches_are_balanced_by_weight_and_keep_their_order():
    jobs = [("minutes", b"", {}), ("results", b"", {})] + [("score_sheet", b"", {})] * 30
    chunks = _balanced(list(enumerate(jobs)), 2)
    weights = [sum(WEIGHTS[j[0]] for _i, j in c) for c in chunks]
    # This process keeps a little less than half (it also reads and stores): of 37.5 in all,
    # 16.5 — the child has the minutes (5) and 16 score sheets.
    assert weights == [16.5, 21]
    assert all([i for i, _j in c] == sorted(i for i, _j in c) for c in chunks)
    assert sorted(i for c in chunks for i, _j in c) == list(range(32))


def test_the_benchmark_command_runs(capsys):
    call_command("bench_documents", members=3, rounds=1)
    out = capsys.readouterr().out
    assert "round 1: 5 documents × (Word + PDF)" in out
    assert "conference pack, 3 members: best" in out
