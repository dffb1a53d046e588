"""The targets template (a prefilled xlsx grid) and the upload: the grid comes back unchanged,
units may be named by code, full name or short name, and a bad name names file, row, column."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from clusters.models import AuditEntry, Membership, Unit
from scoring.models import MemberTarget
from tests.scoring.factories import install_scheme

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def grid(world):
    install_scheme(world.year)
    Unit.objects.filter(pk=world.unit_a1.pk).update(short_name="A Một")
    world.unit_a1.refresh_from_db()
    MemberTarget.objects.create(
        emulation_year=world.year, unit=world.unit_a1, criterion_code="1.1", target=25
    )
    MemberTarget.objects.create(
        emulation_year=world.year, unit=world.unit_a2, criterion_code="2.1", target="8.5"
    )
    return world


def download(client, world):
    client.force_login(world.secretariat)
    response = client.get(reverse("year-targets-template", args=[world.year.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "chi-tieu-cum-a-2025.xlsx" in response["Content-Disposition"]
    return response.content


def upload(client, world, name, content, content_type="text/csv", **extra):
    client.force_login(world.secretariat)
    data = {"reason": "", "upload": SimpleUploadedFile(name, content, content_type=content_type)}
    data.update(extra)
    return client.post(reverse("year-targets", args=[world.year.pk]), data)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_the_template_has_a_title_two_header_rows_and_a_prefilled_row_per_member(client, grid):
    sheet = load_workbook(io.BytesIO(download(client, grid))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("Chỉ tiêu năm 2025 — Cụm A")
    assert rows[1] == ["Mã đơn vị", "Tên đơn vị", "Tên ngắn", "1.1", "2.1"]
    assert rows[2] == [None, None, None, "Thành lập mới HTX", "Tăng thành viên"]
    assert rows[3:] == [
        ["a1", "Liên minh HTX A1", "A Một", 25, None],
        ["a2", "Liên minh HTX A2", None, None, 8.5],
    ]


def test_the_template_uploaded_back_unchanged_changes_nothing(client, grid):
    content = download(client, grid)
    response = upload(client, grid, "chi-tieu.xlsx", content, XLSX)
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action__startswith="targets.").exists()
    assert {
        (t.unit.code, t.criterion_code): t.target
        for t in MemberTarget.objects.select_related("unit")
    } == {("a1", "1.1"): 25, ("a2", "2.1"): 8.5}


def test_the_template_filled_in_sets_the_targets_and_blank_cells_change_nothing(client, grid):
    workbook = load_workbook(io.BytesIO(download(client, grid)))
    sheet = workbook.active
    sheet["E4"] = 9  # a1, 2.1
    sheet["D5"] = "12,5"  # a2, 1.1 typed with a decimal comma
    sheet["E5"] = None  # a2's 2.1 erased: no change
    stream = io.BytesIO()
    workbook.save(stream)
    response = upload(client, grid, "chi-tieu.xlsx", stream.getvalue(), XLSX)
    assert response.status_code == 302
    assert {
        (t.unit.code, t.criterion_code): t.target
        for t in MemberTarget.objects.select_related("unit")
    } == {("a1", "1.1"): 25, ("a1", "2.1"): 9, ("a2", "1.1"): 12.5, ("a2", "2.1"): 8.5}
    entry = AuditEntry.objects.get(action="targets.set")
    assert entry.summary == "Đặt 2 chỉ tiêu của đơn vị (tệp chi-tieu.xlsx)"


def test_the_upload_accepts_code_full_name_or_short_name_in_any_case_and_spacing(client, grid):
    content = (
        "unit,criterion,target\n"
        "  a MỘT ,2.1,7\n"  # the short name the grid shows, other case, spaces around
        "LIÊN MINH HTX  A2,1.1,30\n"  # the full name, other case, a doubled space
    ).encode()
    assert upload(client, grid, "chi-tieu.csv", content).status_code == 302
    assert MemberTarget.objects.get(unit=grid.unit_a1, criterion_code="2.1").target == 7
    assert MemberTarget.objects.get(unit=grid.unit_a2, criterion_code="1.1").target == 30


def test_an_unknown_unit_names_file_row_and_column_keeps_the_grid_and_writes_nothing(client, grid):
    content = "unit,criterion,target\na1,2.1,7\nLiên minh HTX B1,1.1,30\n".encode()
    response = upload(client, grid, "chi-tieu.csv", content, **{f"t_{grid.unit_a2.pk}_1.1": "44"})
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "chi-tieu.csv, row 3, column &#x27;unit&#x27;: không có đơn vị “Liên minh HTX B1” "
        "trong các thành viên năm này" in body
    )
    assert 'value="44"' in body  # what was typed in the grid stays
    assert MemberTarget.objects.count() == 2 and not MemberTarget.objects.filter(target__in=[7, 44])


def test_a_name_that_fits_two_members_is_refused_as_ambiguous(client, grid):
    Unit.objects.filter(pk=grid.unit_a2.pk).update(short_name="A Một")
    response = upload(client, grid, "chi-tieu.csv", "unit,criterion,target\na một,2.1,7\n".encode())
    body = response.content.decode()
    assert "chi-tieu.csv, row 2, column &#x27;unit&#x27;: “a một” có thể là nhiều đơn vị" in body
    assert "hãy ghi mã đơn vị" in body
    assert not MemberTarget.objects.filter(criterion_code="2.1", target=7).exists()


def test_the_grid_names_row_and_column_of_a_bad_cell_an_unknown_criterion_or_a_unit_twice(
    client, grid
):
    header = ["Mã đơn vị", "Tên đơn vị", "Tên ngắn", "1.1", "2.1"]
    names = [None, None, None, "Thành lập", "Tăng"]
    cases = {
        "bad-number.xlsx": (
            [["Tiêu đề"], header, names, ["a1", None, None, "nhiều", None]],
            "bad-number.xlsx, row 4, column &#x27;1.1&#x27;: not a number",
        ),
        "bad-criterion.xlsx": (
            [["Tiêu đề"], [*header[:4], "9.9"], names, ["a1", None, None, 1, 2]],
            "bad-criterion.xlsx, row 2, column &#x27;9.9&#x27;: tiêu chí “9.9” không có",
        ),
        "twice.xlsx": (
            [
                ["Tiêu đề"],
                header,
                names,
                ["a1", None, None, 1],
                [None, "Liên minh HTX A1", None, 2],
            ],
            "twice.xlsx, row 5, column &#x27;1.1&#x27;: trùng với dòng 4",
        ),
        "mismatch.xlsx": (
            [["Tiêu đề"], header, names, ["a1", "Liên minh HTX A2", None, 1]],
            "mismatch.xlsx, row 4, column &#x27;Tên đơn vị&#x27;: “Liên minh HTX A2” là đơn vị khác",
        ),
    }
    for name, (rows, message) in cases.items():
        response = upload(client, grid, name, xlsx(rows), XLSX)
        assert response.status_code == 200 and message in response.content.decode(), name
    assert MemberTarget.objects.count() == 2


def test_the_long_format_still_works_and_a_manual_criterion_is_refused(client, grid):
    assert upload(client, grid, "a.csv", b"unit,criterion,target\na2,1.1,15\n").status_code == 302
    assert MemberTarget.objects.get(unit=grid.unit_a2, criterion_code="1.1").target == 15
    response = upload(client, grid, "b.csv", b"unit,criterion,target\na2,3.1,15\n")
    assert "b.csv, row 2, column &#x27;criterion&#x27;: tiêu chí “3.1” không có" in (
        response.content.decode()
    )


@pytest.mark.parametrize("persona", ["reporter_a1", "outsider", "other_secretariat"])
def test_the_template_is_not_found_outside_those_who_see_the_targets(client, grid, persona):
    client.force_login(getattr(grid, persona))
    response = client.get(reverse("year-targets-template", args=[grid.year.pk]))
    assert response.status_code == 404


def test_leadership_may_download_the_template(client, grid):
    client.force_login(grid.leadership)
    response = client.get(reverse("year-targets-template", args=[grid.year.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX


def test_the_template_takes_the_same_queries_for_more_members(client, grid):
    url = reverse("year-targets-template", args=[grid.year.pk])
    client.force_login(grid.secretariat)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(3, 8):
        unit = Unit.objects.create(code=f"a{n}", name=f"Liên minh HTX A{n}")
        Membership.objects.create(emulation_year=grid.year, unit=unit)
        MemberTarget.objects.create(
            emulation_year=grid.year, unit=unit, criterion_code="1.1", target=n
        )
    client.get(url)  # (a new unit moves the cached scopes on: read again, as for `small`)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(load_workbook(io.BytesIO(response.content)).active["A"]) == 3 + 7
    assert len(large) == len(small)
