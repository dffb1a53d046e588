"""Finding 6 of issue #14: an oversized upload is refused while the request body is read — not
received whole first — with a message naming the file and the limit, on the page that took it,
never a 500. The limit is per purpose: evidence and scans 10 MB, targets files 2 MB, scheme
files 1 MB (settings.EVIDENCE_MAX_BYTES, INPUT_FILE_MAX_BYTES, SCHEME_FILE_MAX_BYTES)."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from scoring.models import EvidenceFile, MemberTarget, Pledge, PledgeSignature, Report
from tests.helpers import scheme_of
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

BOUNDARY = "----bien-gioi-7MA4YWxkTrZu0gW"


class CountingBody(io.RawIOBase):
    """A multipart body made as it is read, never held whole: `fields` before one file of
    `size` bytes, then `after` fields. `read` counts what the server took."""

    def __init__(self, fields: dict, file_field: str, file_name: str, size: int, after: dict):
        def part(name, value):
            return (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()

        self.head = (
            b"".join(part(k, v) for k, v in fields.items())
            + (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '
                f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
            ).encode()
        )
        self.tail = (
            b"\r\n"
            + b"".join(part(k, v) for k, v in after.items())
            + f"--{BOUNDARY}--\r\n".encode()
        )
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        want = min(len(buffer), self.length - self.position)
        data = bytearray()
        end = self.position + want
        head, body_end = len(self.head), len(self.head) + self.size
        while self.position < end:
            if self.position < head:
                piece = self.head[self.position : min(end, head)]
            elif self.position < body_end:
                piece = b"x" * (min(end, body_end) - self.position)
            else:
                piece = self.tail[self.position - body_end : end - body_end]
            data += piece
            self.position += len(piece)
        buffer[: len(data)] = data
        return len(data)


def post_streamed(client, url, body: CountingBody):
    return client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=url,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": io.BufferedReader(body, buffer_size=64 * 1024)},
    )


def test_a_50_mb_evidence_file_is_refused_without_being_read_whole(client, world):
    install_scheme(world.year)
    client.force_login(world.reporter_a1)
    url = reverse("report-detail", args=[world.year.pk, world.unit_a1.pk])
    # As the browser sends the report form: the figures, then the file, then the element and
    # the button pressed (which never arrive once the file is refused).
    body = CountingBody(
        {"version": "1", "note": "ghi chú đã gõ", "e_new_coops": "21"},
        "evidence",
        "bien-ban-50MB.pdf",
        50 * 1024 * 1024,
        {"element": "new_coops", "action": "evidence"},
    )
    response = post_streamed(client, url, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "bien-ban-50MB.pdf: tệp quá lớn (tối đa 10 MB)." in page
    assert body.position < 11 * 1024 * 1024  # stopped soon after 10 MB of the 50
    assert 'value="21"' in page and "ghi chú đã gõ" in page  # what was typed is kept
    assert not EvidenceFile.objects.exists()
    assert not Report.objects.exists()  # the draft was not saved either


def test_an_evidence_file_under_the_limit_is_still_attached(client, world):
    install_scheme(world.year)
    client.force_login(world.reporter_a1)
    url = reverse("report-detail", args=[world.year.pk, world.unit_a1.pk])
    body = CountingBody(
        {"version": "1", "note": "", "e_new_coops": "21"},
        "evidence",
        "nho.pdf",
        3 * 1024 * 1024,
        {"element": "new_coops", "action": "evidence"},
    )
    assert post_streamed(client, url, body).status_code == 302
    assert EvidenceFile.objects.get().size == 3 * 1024 * 1024 + len(b"%PDF-1.7\n")


def test_a_paper_scan_over_the_limit_is_refused_on_the_paper_form(client, world, settings):
    install_scheme(world.year)
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(world.secretariat)
    url = reverse("report-detail", args=[world.year.pk, world.unit_a1.pk])
    body = CountingBody(
        {"action": "paper", "paper-version": "1", "paper-e_new_coops": "7"},
        "paper-scan",
        "ban-giay.pdf",
        5 * 1024 * 1024,
        {},
    )
    response = post_streamed(client, url, body)
    assert response.status_code == 200
    assert "ban-giay.pdf: tệp quá lớn (tối đa 1 MB)." in response.content.decode()
    assert body.position < 2 * 1024 * 1024
    assert not Report.objects.exists() and not EvidenceFile.objects.exists()


def test_a_targets_file_over_its_limit_is_refused_on_the_upload_field(client, world, settings):
    install_scheme(world.year)
    settings.INPUT_FILE_MAX_BYTES = 64 * 1024
    client.force_login(world.secretariat)
    content = b"unit,criterion,target\n" + b"A1,1.1,20\n" * 10_000
    response = client.post(
        reverse("year-targets", args=[world.year.pk]),
        {"reason": "", "upload": SimpleUploadedFile("chi-tieu.csv", content)},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["upload"] == ["chi-tieu.csv: tệp quá lớn (tối đa 64 KB)."]
    assert not MemberTarget.objects.exists()


def test_a_scheme_file_over_its_limit_is_refused_on_the_file_field(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-scheme", args=[world.year.pk]),
        {
            "reason": "thử",
            "file": SimpleUploadedFile("thang-diem.yaml", b"- 1\n" * (300 * 1024)),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "thang-diem.yaml: tệp quá lớn (tối đa 1 MB)."
    ]
    assert scheme_of(world.year) is None


def test_a_pledge_scan_over_the_limit_is_refused_on_the_scan_field(client, world, settings):
    client.force_login(world.secretariat)
    url = reverse("year-pledge", args=[world.year.pk])
    client.post(url, {"action": "publish", "title": "Giao ước", "text": "Cam kết."})
    assert Pledge.objects.exists()
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    body = CountingBody(
        {"unit": world.unit_a1.pk, "signed_by": "Nguyễn Văn A", "signed_on": "27/01/2025"},
        "scan",
        "chu-ky.pdf",
        3 * 1024 * 1024,
        {"title": "Chủ tịch", "action": "sign"},
    )
    response = post_streamed(client, url, body)
    assert response.status_code == 200
    assert response.context["signature_form"].errors["scan"] == [
        "chu-ky.pdf: tệp quá lớn (tối đa 1 MB)."
    ]
    assert "Nguyễn Văn A" in response.content.decode()
    assert not PledgeSignature.objects.exists()


def test_a_form_body_over_the_data_limit_gets_a_400_page_that_says_so(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-pledge", args=[world.year.pk]),
        {"action": "publish", "title": "Giao ước", "text": "x" * 5000},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dữ liệu gửi lên quá lớn (tối đa 1 KB ngoài các tệp đính kèm)." in page
    assert not Pledge.objects.exists()


def test_an_outsider_posting_a_big_file_still_gets_a_404(client, world):
    install_scheme(world.year)
    client.force_login(world.outsider)
    url = reverse("report-detail", args=[world.year.pk, world.unit_a1.pk])
    body = CountingBody({"version": "1"}, "evidence", "x.pdf", 20 * 1024 * 1024, {})
    assert post_streamed(client, url, body).status_code == 404


def test_import_scheme_refuses_a_huge_file_without_reading_it(world, tmp_path):
    path = tmp_path / "khong-lo.yaml"
    with path.open("wb") as out:
        out.truncate(4 * 1024**3)  # 4 GB, sparse: nothing written, nothing to read
    start = time.perf_counter()
    with pytest.raises(CommandError) as caught:
        call_command("import_scheme", str(path), "--cluster", "cum-a", "--year", "2025")
    assert str(caught.value) == "khong-lo.yaml: file larger than 1,000,000 bytes"
    assert time.perf_counter() - start < 1


def test_the_refusals_are_in_english_for_an_english_reader(client, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.secretariat)
    response = client.post(
        reverse("year-scheme", args=[world.year.pk]),
        {"reason": "x", "file": SimpleUploadedFile("s.yaml", b"#" * (1024 * 1024 + 1))},
    )
    assert response.context["form"].errors["file"] == ["s.yaml: file too large (at most 1 MB)."]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1536
    response = client.post(reverse("year-pledge", args=[world.year.pk]), {"text": "x" * 5000})
    page = response.content.decode()
    assert response.status_code == 400 and "Request refused" in page
    assert "The data sent is too large (at most 1.5 KB besides attached files)." in page
