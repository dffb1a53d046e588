"""Word templates the secretariat edits: the shipped ones are what the builder makes; an edited
one (a sentence changed in Word) is checked against the demo's data, stored as the cluster's next
version and used by the next document, which records it; a broken one — an unknown tag, a typo in
a field, a Jinja error, an unsafe expression, not a Word file, too large — is refused with the
file and the reason named, and nothing is stored."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from clusters.models import AuditEntry
from scoring.documents.build import BUILDERS, build_template
from scoring.documents.kinds import KINDS
from scoring.documents.selectors import sample_context, template_in_force
from scoring.documents.services import TemplateRefused, documents_generate, template_upload
from scoring.models import DocumentTemplate, GeneratedDocument
from tests.documents.conftest import docx_of

pytestmark = pytest.mark.django_db

CLOSING = "Kính báo cáo./."
CHANGED = "Cụm trân trọng báo cáo để Văn phòng Thường trực theo dõi, chỉ đạo./."


def edited(content: bytes, old: str, new: str) -> bytes:
    """The template with `old` replaced by `new` in the paragraph that holds it, as Word would
    save it after an edit (python-docx: one run rewritten)."""
    document = Document(io.BytesIO(content))
    paragraphs = [p for p in document.paragraphs if old in p.text]
    assert paragraphs, old
    for paragraph in paragraphs:
        text = paragraph.text.replace(old, new)
        for run in paragraph.runs[1:]:
            run.text = ""
        paragraph.runs[0].text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, world, kind: str, content: bytes, name: str = "mau.docx", **data):
    url = reverse("document-template", args=[world.year.pk, kind])
    return client.post(url, {"file": SimpleUploadedFile(name, content), **data})


def test_the_shipped_templates_are_what_the_builder_makes():
    for kind in BUILDERS:
        assert KINDS[kind].default_template.read_bytes() == build_template(kind), kind


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_shipped_templates_pass_the_check_an_upload_goes_through(kind):
    from scoring.documents.render import docx_check
    from scoring.documents.services import _problem_messages

    document = docx_check(
        KINDS[kind].default_template.read_bytes(),
        sample_context(kind),
        messages=_problem_messages(),
    )
    assert "CỤM THI ĐUA TÂY NAM SÔNG HẬU" in _text_all(document)


def _text_all(content: bytes) -> str:
    from scoring.documents.render import _paragraphs

    return "\n".join(p.text for p in _paragraphs(Document(io.BytesIO(content))))


def test_each_kinds_sample_has_every_tag_its_shipped_template_uses(documents_world):
    """The demo's contexts (scoring/documents/samples/) are the shape the selectors make now:
    a template checked against them is checked against the real thing."""
    from scoring.documents.selectors import document_contexts

    for kind in KINDS:
        real = document_contexts(emulation_year=documents_world.year, kind=kind)[0].context
        sample = sample_context(kind)
        assert same_shape(real, sample), kind


def test_no_list_of_a_sample_is_empty():
    """A template's loop over an empty list never renders its body, so nothing in it would be
    checked: every list of every sample has an item."""

    def lists(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from lists(item, f"{path}.{key}")
        elif isinstance(value, list):
            yield path, value
            for item in value[:1]:
                yield from lists(item, f"{path}[]")

    for kind in KINDS:
        empty = [path for path, items in lists(sample_context(kind), kind) if not items]
        assert not empty, empty


def same_shape(a, b) -> bool:
    """The same keys at every level, the same types of values (an empty list matches any)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_shape(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return not a or not b or all(same_shape(x, b[0]) for x in a)
    return type(a) is type(b)


def test_an_edited_template_is_used_by_the_next_document_which_records_its_version(
    client, documents_world
):
    w = documents_world
    client.force_login(w.secretariat)
    response = client.get(reverse("document-template", args=[w.year.pk, "results"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = upload(client, w, "results", edited(response.content, CLOSING, CHANGED))
    assert response.status_code == 302
    template = DocumentTemplate.objects.get()
    assert (template.kind, template.cluster_id, template.version) == ("results", w.cluster.pk, 1)
    assert AuditEntry.objects.filter(action="documents.template").count() == 1
    document = documents_generate(emulation_year=w.year, kind="results", actor=w.secretariat)[0]
    text = "\n".join(p.text for p in docx_of(document).paragraphs)
    assert CHANGED in text and CLOSING not in text
    assert document.template == template
    page = client.get(reverse("year-documents", args=[w.year.pk])).content.decode()
    assert "phiên bản 1" in page
    # A second upload is version 2, and the one in force.
    upload(client, w, "results", edited(template.content, CHANGED, "Trân trọng./."))
    assert template_in_force(kind="results", cluster_id=w.cluster.pk).version == 2


def test_the_administrators_template_serves_every_cluster_until_a_cluster_has_its_own(
    client, documents_world, django_user_model
):
    w = documents_world
    admin = django_user_model.objects.create_superuser("quantri", password="x")
    client.force_login(admin)
    default = KINDS["results"].default_template.read_bytes()
    response = upload(
        client, w, "results", edited(default, CLOSING, "Chung./."), for_every_cluster="on"
    )
    assert response.status_code == 302
    shared = DocumentTemplate.objects.get()
    assert shared.cluster_id is None
    assert template_in_force(kind="results", cluster_id=w.other_cluster.pk) == shared
    client.force_login(w.secretariat)
    # A secretariat cannot set a template for every cluster: the field is not offered to it.
    upload(client, w, "results", edited(default, CLOSING, "Riêng./."), for_every_cluster="on")
    own = DocumentTemplate.objects.get(cluster=w.cluster)
    assert template_in_force(kind="results", cluster_id=w.cluster.pk) == own
    assert template_in_force(kind="results", cluster_id=w.other_cluster.pk) == shared


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("{{ leader }}", "{{ tong_diem }}", "{{ tong_diem }}"),  # a tag the data does not have
        ("{{ s.total }}", "{{ s.totl }}", "“totl”"),  # a typo in a row's field
        ("{{ leader }}", "{{ leader }", "thẻ viết sai"),  # an unclosed tag
        ("{{ leader }}", "{% for x in %}", "thẻ viết sai"),
        (
            "{{ leader }}",
            "{{ ''.__class__.__mro__ }}",
            "không được phép",
        ),  # no way out of the sandbox
    ],
)
def test_a_broken_template_is_refused_with_the_tag_named_and_nothing_stored(
    client, documents_world, old, new, named
):
    w = documents_world
    client.force_login(w.secretariat)
    default = KINDS["results"].default_template.read_bytes()
    content = edited(default, old, new) if old in _text(default) else _in_table(default, old, new)
    response = upload(client, w, "results", content, name="bao-cao-sua.docx")
    assert response.status_code == 400
    body = response.content.decode()
    assert "bao-cao-sua.docx" in body and named in body.replace("&#x27;", "'").replace(
        "&quot;", '"'
    )
    assert not DocumentTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="documents.template").exists()


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def _in_table(content: bytes, old: str, new: str) -> bytes:
    document = Document(io.BytesIO(content))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    if old in paragraph.text:
                        paragraph.runs[0].text = paragraph.text.replace(old, new)
                        for run in paragraph.runs[1:]:
                            run.text = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bao-cao.pdf", b"%PDF-1.4 not a template", "chỉ nhận tệp Word .docx"),
        ("bao-cao.docx", b"this is plain text, not a zip", "không phải tệp Word"),
        ("bao-cao.docx", b"PK\x03\x04 broken zip", "không phải tệp Word"),
    ],
)
def test_a_file_that_is_not_a_word_template_is_refused_by_name(
    client, documents_world, name, content, reason
):
    client.force_login(documents_world.secretariat)
    response = upload(client, documents_world, "minutes", content, name=name)
    assert response.status_code == 400
    assert name in response.content.decode() and reason in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_a_template_over_the_limit_is_refused_while_it_is_read(client, documents_world, settings):
    settings.DOCUMENT_TEMPLATE_MAX_BYTES = 5_000  # the shipped templates weigh about 10 KB
    client.force_login(documents_world.secretariat)
    content = KINDS["minutes"].default_template.read_bytes()
    response = upload(client, documents_world, "minutes", content, name="bien-ban.docx")
    assert response.status_code == 400
    body = response.content.decode()
    assert "bien-ban.docx" in body and "tệp quá lớn" in body
    assert not DocumentTemplate.objects.exists()
    # The service holds the limit too, whoever calls it.
    with pytest.raises(TemplateRefused) as refused:
        template_upload(kind="minutes", cluster=None, file_name="bien-ban.docx", content=content)
    assert refused.value.code == "too_big"


def test_a_template_that_fails_on_the_years_own_data_is_refused_when_generating(
    documents_world,
):
    """A template may pass the demo's data and still fail on a year's (a loop over a list the
    demo has and this year lacks): the generation is refused, naming the template, and nothing
    is stored."""
    w = documents_world
    default = KINDS["minutes"].default_template.read_bytes()
    broken = edited(
        default, "Đề nghị khen thưởng: {{ proposals_text }}.", "{{ award_ballots[0].title }}"
    )
    DocumentTemplate.objects.create(
        kind="minutes",
        cluster=w.cluster,
        version=1,
        file_name="bien-ban-rieng.docx",
        content=broken,
        sha256="x",
    )
    from scoring.models import Ballot

    Ballot.objects.filter(emulation_year=w.year, purpose="award").update(status="open")
    from scoring.documents.selectors import DocumentRefused

    with pytest.raises(DocumentRefused) as refused:
        documents_generate(emulation_year=w.year, kind="minutes")
    assert "bien-ban-rieng.docx" in str(refused.value)
    assert not GeneratedDocument.objects.exists()
