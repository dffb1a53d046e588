"""Documents as bytes: Word from a template's Jinja tags (docxtpl), PDF from HTML and CSS on the
server (WeasyPrint, templates/documents/). Pure: a context in, bytes out; nothing is read from
or written to the database here.

Templates are uploaded by people, so their Jinja runs sandboxed (no attribute of Python's
internals is reachable), with every name strict (a tag the context lacks is an error naming it,
never an empty string), and every value escaped (a unit named "A & B" stays valid XML)."""

from __future__ import annotations

import copy
import gc
import hashlib
import io
import multiprocessing
import re
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import (
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from scoring.documents import layout
from scoring.documents.kinds import KINDS

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _Environment(SandboxedEnvironment):
    """The sandbox, remembering what it compiled: docxtpl compiles a part's whole XML for every
    document, and the 30 score sheets of a pack share one template — compiling it once saved a
    third of their Word time (docs/performance.md). Keyed by the source's hash, at most 64 kept."""

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self._compiled: OrderedDict[bytes, Template] = OrderedDict()

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        key = hashlib.blake2b(source.encode("utf-8"), digest_size=16).digest()
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = super().from_string(source)
            self._compiled[key] = compiled
            while len(self._compiled) > 64:
                self._compiled.popitem(last=False)
        return compiled


_ENVIRONMENT = _Environment()


def jinja_env() -> SandboxedEnvironment:
    return _ENVIRONMENT


class TemplateProblem(Exception):
    """A template that cannot make a document: the reason, in the reader's language, with the
    tags named (raised by `docx_render` and `docx_check`)."""


class _Template(DocxTemplate):
    """docxtpl's template, remembering how it cleaned a part's XML for Jinja (a pure function of
    the XML, a third of a score sheet's Word time: docs/performance.md). Keyed by the XML's hash,
    at most 64 kept."""

    _patched: OrderedDict[bytes, str] = OrderedDict()

    def patch_xml(self, src_xml):
        key = hashlib.blake2b(src_xml.encode("utf-8"), digest_size=16).digest()
        patched = self._patched.get(key)
        if patched is None:
            patched = self._patched[key] = super().patch_xml(src_xml)
            while len(self._patched) > 64:
                self._patched.popitem(last=False)
        return patched


def docx_render(template: bytes, context: dict[str, Any]) -> bytes:
    document = _Template(io.BytesIO(template))
    document.render(context, jinja_env())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_unknown_tags(template: bytes, context: dict[str, Any]) -> set[str]:
    """The names a template uses that the context does not give."""
    return DocxTemplate(io.BytesIO(template)).get_undeclared_template_variables(
        jinja_env=jinja_env(), context=context
    )


_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TAG_PART = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")


def docx_unclosed_tags(template: bytes) -> list[str]:
    """Tags opened and not closed in the same paragraph ("{{ leader }"): Jinja would read on into
    the next paragraph's XML and make a document with text silently lost."""
    document = Document(io.BytesIO(template))
    found = []
    for paragraph in _paragraphs(document):
        text, opened = paragraph.text, None
        for match in _TAG_PART.finditer(text):
            token = match.group()
            if token in _OPENERS:
                if opened is not None:
                    break
                opened = match
            elif opened is not None and _OPENERS[opened.group()] == token:
                opened = None
            elif opened is None:
                found.append(text[max(0, match.start() - 30) : match.end()])
                break
        if opened is not None:
            found.append(text[opened.start() : opened.start() + 40])
    return found


def _paragraphs(document):
    """Every paragraph of a document: body, tables (nested too), headers and footers."""

    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer):
            yield from walk(part)


def docx_check(template: bytes, context: dict[str, Any], *, messages: dict[str, str]) -> bytes:
    """The document `template` makes with `context` (the demo's), or TemplateProblem saying why
    it cannot: not a Word file, a tag the context lacks (named), a tag Jinja cannot read, an error
    while rendering. `messages` holds the sentences in the reader's language (the views' gettext)."""
    if not zipfile.is_zipfile(io.BytesIO(template)):
        raise TemplateProblem(messages["not_docx"])
    try:
        unclosed = docx_unclosed_tags(template)
        unknown = docx_unknown_tags(template, context)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise TemplateProblem(messages["not_docx"]) from error
    except TemplateSyntaxError as error:
        raise TemplateProblem(messages["syntax"] % {"error": _syntax(error)}) from error
    if unclosed:
        raise TemplateProblem(
            messages["syntax"] % {"error": "; ".join(f"“{t}”" for t in unclosed[:3])}
        )
    if unknown:
        raise TemplateProblem(
            messages["unknown"] % {"tags": ", ".join(f"{{{{ {t} }}}}" for t in sorted(unknown))}
        )
    try:
        return docx_render(template, context)
    except UndefinedError as error:
        match = _ATTRIBUTE.search(str(error))
        name = f"“{match.group(1)}”" if match else str(error)
        raise TemplateProblem(messages["unknown"] % {"tags": name}) from error
    except SecurityError as error:
        raise TemplateProblem(messages["unsafe"] % {"error": str(error)}) from error
    except TemplateSyntaxError as error:
        raise TemplateProblem(messages["syntax"] % {"error": _syntax(error)}) from error
    except (TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
        # (docxtpl's own XML rework of a broken tag ends in lxml's or Python's errors.)
        raise TemplateProblem(messages["render"] % {"error": str(error)[:300]}) from error


def _syntax(error: TemplateSyntaxError) -> str:
    """Jinja's message, with the text of the line it stopped at (docxtpl keeps it)."""
    near = " ".join(getattr(error, "docx_context", None) or [])
    near = re.sub(r"\s+", " ", near).strip()
    return f"{error.message}" + (f" (gần: “{near[:120]}”)" if near else "")


# --- many documents at once ---------------------------------------------------------------------

# What one document costs to render, in score sheets of a 30-member year's pack; set when the
# minutes cost 0.9 s of CPU, the results 0.4 s and a score sheet 0.17 s. Now 0.31, 0.32 and 0.11 s
# (`bench_documents --parts`), kept: the split they give (this process the results and 14 sheets,
# besides reading and storing; the child the minutes and 16) measured even, 2.1 s of CPU each.
WEIGHTS = {"score_sheet": 1, "results": 2.5, "proposal": 1, "pledge": 3, "minutes": 5}
# The share of the batch this process keeps: it also reads the data before and stores the files
# after, while the children only render.
OWN_SHARE = 0.45
# Below this many score sheets' worth, a second process costs more than it saves.
MIN_WEIGHT_TO_SPLIT = 8


def render_documents(jobs: list[tuple[str, bytes, dict[str, Any]]]) -> list[tuple[bytes, bytes]]:
    """Word and PDF bytes of each job (kind, Word template, context), in order. A large batch
    (a conference pack: the minutes, the results and every member's score sheet) is shared
    between this process and forked children (settings.DOCUMENT_RENDER_PROCESSES): rendering is
    CPU-bound Python, and the pack's 30 score sheets alone take 3.2 s of CPU (docs/performance.md).
    The children read nothing from the database; they only render."""
    processes = _processes(jobs)
    if processes <= 1:
        return _render_chunk(jobs)
    chunks = _balanced(list(enumerate(jobs)), processes)
    context = multiprocessing.get_context("fork")
    with context.Pool(processes - 1) as pool:
        pending = [
            pool.apply_async(_render_in_child, ([job for _i, job in chunk],))
            for chunk in chunks[1:]
        ]
        done = {
            chunks[0][n][0]: files
            for n, files in enumerate(_render_chunk([j for _i, j in chunks[0]]))
        }
        for chunk, result in zip(chunks[1:], pending, strict=True):
            for (index, _job), files in zip(chunk, result.get(), strict=True):
                done[index] = files
    return [done[i] for i in range(len(jobs))]


def _processes(jobs) -> int:
    wanted = int(getattr(settings, "DOCUMENT_RENDER_PROCESSES", 1))
    weight = sum(WEIGHTS.get(kind, 1) for kind, _t, _c in jobs)
    if wanted <= 1 or weight < MIN_WEIGHT_TO_SPLIT or multiprocessing.current_process().daemon:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(wanted, int(weight // (MIN_WEIGHT_TO_SPLIT / 2)), len(jobs))


def _balanced(indexed: list, bins: int) -> list[list]:
    """The jobs in `bins` chunks, the first (this process's) about OWN_SHARE of the weight when
    there are two, the others equal (heaviest first, each to the chunk furthest below its
    share), each chunk in the jobs' order."""
    total = sum(WEIGHTS.get(job[0], 1) for _i, job in indexed)
    own = OWN_SHARE if bins == 2 else 1 / bins
    shares = [own] + [(1 - own) / (bins - 1)] * (bins - 1)
    chunks: list[list] = [[] for _ in range(bins)]
    loads = [0.0] * bins
    for item in sorted(indexed, key=lambda item: -WEIGHTS.get(item[1][0], 1)):
        room = [share * total - load for share, load in zip(shares, loads, strict=True)]
        target = room.index(max(room))
        chunks[target].append(item)
        loads[target] += WEIGHTS.get(item[1][0], 1)
    return [sorted(chunk, key=lambda item: item[0]) for chunk in chunks if chunk]


def _render_in_child(jobs: list[tuple[str, bytes, dict[str, Any]]]) -> list[tuple[bytes, bytes]]:
    """A forked child's share, the cycle collector off for good: the child is ended once it has
    answered, and the batch's garbage goes with it uncollected (half the pack's 0.13 s of
    collecting, docs/performance.md)."""
    gc.disable()
    return _render_chunk(jobs)


def _render_chunk(jobs: list[tuple[str, bytes, dict[str, Any]]]) -> list[tuple[bytes, bytes]]:
    with _collected_once():
        words = [docx_render(template, context) for _kind, template, context in jobs]
        pdfs: dict[int, bytes] = {}
        for kind in dict.fromkeys(kind for kind, _t, _c in jobs):
            mine = [i for i, (k, _t, _c) in enumerate(jobs) if k == kind]
            for i, pdf in zip(mine, pdf_render_many(kind, [jobs[i][2] for i in mine]), strict=True):
                pdfs[i] = pdf
        return [(word, pdfs[i]) for i, word in enumerate(words)]


@contextmanager
def _collected_once() -> Iterator[None]:
    """Python's cycle collector held off while a batch renders, then run once on what the batch
    made: WeasyPrint's boxes point at their parents, and 30 score sheets leave ~195,000 objects in
    cycles; collecting them as they came (every 700 allocations, the whole heap now and then)
    cost 7 % of the batch's CPU (docs/performance.md). Objects without cycles are freed as ever."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)  # the batch's objects are all still in the youngest generation


# --- PDF -----------------------------------------------------------------------------------------


@cache
def _pdf_tools():
    """WeasyPrint's font configuration, the NĐ 30 style sheet and the HTML class reading the
    documents with the user-agent sheet cut to their elements, made once per process (each costs
    more than laying out a page)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = CSS(string=render_to_string("documents/nd30.css", {"L": layout}), font_config=fonts)
    user_agent = CSS(string=render_to_string("documents/user_agent.css"))

    class DocumentHTML(HTML):
        # WeasyPrint matches its whole HTML sheet against every element: a sixth of a score
        # sheet's CPU (docs/performance.md); the cut sheet lays them out byte for byte the same.
        def _ua_stylesheets(self, forms=False):
            return [user_agent]

    return fonts, css, DocumentHTML


def pdf_render(kind: str, context: dict[str, Any]) -> bytes:
    return pdf_render_many(kind, [context])[0]


def pdf_render_many(kind: str, contexts: list[dict[str, Any]]) -> list[bytes]:
    """One PDF per context, laid out in one pass (a score sheet for every member costs the style
    sheet, the cascade and the fonts once) and cut at each document's first page."""
    fonts, css, html = _pdf_tools()
    page = render_to_string(
        "documents/base.html", {"documents": contexts, "template": KINDS[kind].html, "L": layout}
    )
    document = html(string=page).render(stylesheets=[css], font_config=fonts)
    first_page: dict[str, int] = {}
    for index, laid in enumerate(document.pages):
        for anchor in laid.anchors:
            first_page.setdefault(anchor, index)
    starts = [first_page[f"document-{n}"] for n in range(len(contexts))]
    assert len(starts) == len(contexts)  # every document begins on a page of its own
    pdfs = []
    for number, (start, end) in enumerate(
        zip(starts, [*starts[1:], len(document.pages)], strict=True)
    ):
        part = document.copy(document.pages[start:end])
        part.metadata = copy.copy(document.metadata)
        part.metadata.title = contexts[number].get("title", "")
        pdfs.append(part.write_pdf())
    return pdfs
