"""Rendering many documents at once: a conference pack shared between processes gives the same
documents, in the same order, as one process does; the benchmark command runs."""

from __future__ import annotations

import gc
import io
import zipfile

import pytest
import tinyhtml5
import weasyprint
from django.core.management import call_command
from django.template.loader import render_to_string
from docx import Document
from docxtpl import DocxTemplate
from pypdf import PdfReader

from scoring.documents import layout, render
from scoring.documents.kinds import KINDS
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
    assert gc.isenabled()  # (only the child turned its collector off for good)
    assert "BIÊN BẢN" in alone[0][0] and "Liên minh HTX A5" in alone[-1][0]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_comes_out_the_same_under_weasyprints_own_user_agent_sheet(
    documents_world, kind, monkeypatch
):
    # The cut sheet (templates/documents/user_agent.css) keeps only the rules that can match the
    # documents' elements: the PDFs must not change by a byte, bookmarks and page boxes included.
    contexts = [
        p.context for p in document_contexts(emulation_year=documents_world.year, kind=kind)
    ]
    cut = render.pdf_render_many(kind, contexts)
    fonts, css, _cut_html = render._pdf_tools()
    monkeypatch.setattr(render, "_pdf_tools", lambda: (fonts, css, weasyprint.HTML))
    assert render.pdf_render_many(kind, contexts) == cut


def test_weasyprint_still_asks_the_documents_html_for_its_user_agent_sheet(
    documents_world, monkeypatch
):
    # The cut sheet goes in through WeasyPrint's `HTML._ua_stylesheets`, not a public hook: were
    # it renamed, WeasyPrint's own sheet would be matched again (the same PDFs, slower).
    p = document_contexts(emulation_year=documents_world.year, kind="score_sheet")[0]
    _fonts, _css, html = render._pdf_tools()
    asked = []
    own = html._ua_stylesheets
    monkeypatch.setattr(
        html, "_ua_stylesheets", lambda self, forms=False: asked.append(forms) or own(self, forms)
    )
    render.pdf_render_many("score_sheet", [p.context])
    assert asked and own(None)[0] is not weasyprint.HTML._ua_stylesheets(None)[0]


def test_the_documents_use_only_the_elements_the_cut_user_agent_sheet_styles(documents_world):
    # An element the cut sheet does not name (a <b>, a list) would lose WeasyPrint's default
    # style for it: add its rules from WeasyPrint's html5_ua.css to user_agent.css first.
    styled = {
        "html", "head", "title", "meta", "body", "section", "div", "p", "span", "h2",
        "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td",
    }  # fmt: skip
    for kind in KINDS:
        contexts = [
            p.context for p in document_contexts(emulation_year=documents_world.year, kind=kind)
        ]
        page = render_to_string(
            "documents/base.html",
            {"documents": contexts, "template": KINDS[kind].html, "L": layout},
        )
        used = {
            element.tag for element in tinyhtml5.parse(page, namespace_html_elements=False).iter()
        }
        assert used <= styled, (kind, used - styled)


def _parts(word: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(word)) as package:
        return [(name, package.read(name)) for name in package.namelist()]


def test_word_files_from_the_remembered_cleaning_are_docxtpls_own(documents_world):
    # The second score sheet's template XML is cleaned from memory (render._Template): the
    # files hold the same parts, byte for byte, as docxtpl's own rendering makes.
    for kind in ("minutes", "score_sheet"):
        template = default_template(kind)
        for p in document_contexts(emulation_year=documents_world.year, kind=kind)[:2]:
            plain = DocxTemplate(io.BytesIO(template))
            plain.render(p.context, render.jinja_env())
            out = io.BytesIO()
            plain.save(out)
            assert _parts(render.docx_render(template, p.context)) == _parts(out.getvalue())


def test_a_batch_leaves_the_cycle_collector_as_it_found_it(documents_world):
    # Held off while a batch renders (render._collected_once), on again after — also when the
    # batch fails — and left off where the caller had turned it off.
    p = document_contexts(emulation_year=documents_world.year, kind="score_sheet")[0]
    job = ("score_sheet", default_template("score_sheet"), p.context)
    assert gc.isenabled()
    render._render_chunk([job])
    assert gc.isenabled()
    with pytest.raises(KeyError):
        render._render_chunk([job, ("no_such_kind", job[1], job[2])])
    assert gc.isenabled()
    gc.disable()
    try:
        render._render_chunk([job])
        assert not gc.isenabled()
    finally:
        gc.enable()


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
    call_command("bench_documents", members=3, rounds=1, parts=True)
    out = capsys.readouterr().out
    assert "PDF fonts subset by " in out
    assert "round 1: 5 documents × (Word + PDF)" in out
    assert "conference pack, 3 members: best" in out
    assert "1 minutes " in out and "1 results " in out and "3 score_sheet " in out
