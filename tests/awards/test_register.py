"""The award register (#17): decisions entered in a form or imported from a file (file, row and
column named, nothing written on an error), holds, and a unit's history with its predecessors'
and its eligibility — only from published years, only for those who see the unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import AuditEntry, EmulationYear, Unit, UnitSuccession
from scoring.awards.services import decision_record, hold_record
from scoring.models import AwardDecision, AwardRecipient, UnitHold
from scoring.ranking.services.recompute import year_recompute
from tests.scoring.factories import install_scheme, put_figures

pytestmark = pytest.mark.django_db

CSV_HEADER = "decision,date,body,award,year,unit,note\n"


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("quantri", password="pw-quantri")


def post_file(client, text: str, name: str = "quyet-dinh.csv"):
    upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("award-register"), {"action": "import", "file": upload})


def test_the_administrator_records_a_decision_and_the_unit_page_shows_it(client, world, admin):
    client.force_login(admin)
    response = client.post(
        reverse("award-register"),
        {
            "action": "decision",
            "number": "123/QĐ-LMHTXVN",
            "decided_on": "15/01/2026",
            "deciding_body": "Liên minh HTX Việt Nam",
            "award_code": "co-thi-dua-lmhtxvn",
            "achievement_year": "2025",
            "units": [world.unit_a1.pk],
        },
    )
    assert response.status_code == 302
    decision = AwardDecision.objects.get()
    assert (decision.award_name, decision.achievement_year) == (
        "Cờ thi đua của Liên minh Hợp tác xã Việt Nam",
        2025,
    )
    assert AuditEntry.objects.filter(action="award.decision").exists()
    client.force_login(world.reporter_a1)
    page = client.get(reverse("unit-awards", args=[world.unit_a1.pk])).content.decode()
    assert "123/QĐ-LMHTXVN, 15/01/2026" in page


def test_a_decision_already_in_the_register_is_refused_on_its_number(client, world, admin):
    args = {
        "number": "5/QĐ",
        "decided_on": dt.date(2025, 2, 1),
        "deciding_body": "UBND tỉnh",
        "award_code": "co-thi-dua-tinh",
        "achievement_year": 2024,
        "units": [world.unit_a1],
    }
    decision_record(**args)
    client.force_login(admin)
    response = client.post(
        reverse("award-register"),
        {
            "action": "decision",
            "number": "5/QĐ",
            "decided_on": "01/02/2025",
            "deciding_body": "UBND tỉnh",
            "award_code": "co-thi-dua-tinh",
            "achievement_year": "2024",
            "units": [world.unit_a2.pk],
        },
    )
    assert response.status_code == 400
    assert "đã có trong sổ" in response.context["decision_form"].errors["number"][0]
    assert AwardDecision.objects.count() == 1 and AwardRecipient.objects.count() == 1


def test_an_import_writes_every_decision_of_the_file(client, world, admin):
    client.force_login(admin)
    text = CSV_HEADER + (
        "12/QĐ-UBND,2024-01-20,UBND tỉnh,co-thi-dua-tinh,2023,a1,\n"
        "12/QĐ-UBND,2024-01-20,UBND tỉnh,co-thi-dua-tinh,2023,a2,\n"
        "7/QĐ-LMHTXVN,20/01/2025,Liên minh HTX Việt Nam,co-thi-dua-lmhtxvn,2024,a1,ghi chú\n"
    )
    assert post_file(client, text).status_code == 302
    assert AwardDecision.objects.count() == 2
    first = AwardDecision.objects.get(number="12/QĐ-UBND")
    assert sorted(first.recipients.values_list("unit__code", flat=True)) == ["a1", "a2"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "1/QĐ,2024-01-20,UBND,co-thi-dua-tinh,2023,a1,\n1/QĐ,2024-01-20,UBND,co-thi-dua-tinh,2023,zz,\n",
            "quyet-dinh.csv, row 4, column 'unit': không có đơn vị “zz”",
        ),
        (
            "1/QĐ,2024-01-20,UBND,lottery,2023,a1,\n",
            "quyet-dinh.csv, row 3, column 'award': không có hình thức “lottery”",
        ),
        (
            "1/QĐ,20.01.2024,UBND,co-thi-dua-tinh,2023,a1,\n",
            "quyet-dinh.csv, row 3, column 'date': not a date",
        ),
        (
            "1/QĐ,2024-01-20,UBND,co-thi-dua-tinh,2023,a1,\n1/QĐ,2024-01-20,UBND,co-thi-dua-tinh,2022,a2,\n",
            "quyet-dinh.csv, row 4, column 'year': decision 1/QĐ is for 2023 (row 3)",
        ),
        (
            "1/QĐ,2024-01-20,UBND,co-thi-dua-tinh,2025,a1,\n",
            "quyet-dinh.csv, row 3, column 'year': năm thành tích sau ngày quyết định",
        ),
        (
            "5/QĐ,2025-02-01,UBND tỉnh,co-thi-dua-tinh,2024,a2,\n",
            "quyet-dinh.csv, row 3, column 'decision': quyết định này đã có trong sổ",
        ),
    ],
)
def test_a_bad_file_names_the_row_and_column_and_writes_nothing(
    client, world, admin, rows, message
):
    decision_record(
        number="5/QĐ",
        decided_on=dt.date(2025, 2, 1),
        deciding_body="UBND tỉnh",
        award_code="co-thi-dua-tinh",
        achievement_year=2024,
        units=[world.unit_a1],
    )
    client.force_login(admin)
    # A good decision first in the file: it must not be written either.
    response = post_file(
        client, CSV_HEADER + "9/QĐ,2024-01-20,UBND,co-thi-dua-tinh,2023,a2,\n" + rows
    )
    assert response.status_code == 400
    assert message in response.context["import_form"].errors["file"][0]
    assert list(AwardDecision.objects.values_list("number", flat=True)) == ["5/QĐ"]


def test_a_file_of_another_kind_is_refused_by_name(client, world, admin):
    client.force_login(admin)
    response = post_file(client, "x", name="quyet-dinh.pdf")
    assert response.status_code == 400
    assert (
        "quyet-dinh.pdf: chỉ nhận tệp .csv hoặc .xlsx"
        in response.context["import_form"].errors["file"][0]
    )


def publish(year):
    EmulationYear.objects.filter(pk=year.pk).update(status=EmulationYear.Status.PUBLISHED)


def test_the_unit_page_reads_published_years_and_predecessors_decisions(client, world):
    install_scheme(world.year)
    put_figures(world.year, {("a1", "new_coops"): 20, ("a2", "new_coops"): 10})
    year_recompute(emulation_year_id=world.year.pk)
    old = Unit.objects.create(
        code="a0", name="Liên minh HTX A0 (cũ)", kind=Unit.Kind.PROVINCIAL_ALLIANCE
    )
    UnitSuccession.objects.create(
        predecessor=old, successor=world.unit_a1, effective_on=dt.date(2025, 7, 1)
    )
    decision_record(
        number="3/QĐ-LMHTXVN",
        decided_on=dt.date(2025, 1, 20),
        deciding_body="Liên minh HTX Việt Nam",
        award_code="co-thi-dua-lmhtxvn",
        achievement_year=2024,
        units=[old],
        is_sample=True,
    )
    client.force_login(world.reporter_a2)
    url = reverse("unit-awards", args=[world.unit_a1.pk])
    page = client.get(url).content.decode()
    assert "Liên minh HTX A0 (cũ)" in page and "3/QĐ-LMHTXVN, 20/01/2025" in page
    assert "dữ liệu mẫu" in page
    # The year is still in reporting: its rank is nobody's to read here yet.
    assert "Dẫn đầu cụm" not in page and "Không dẫn đầu cụm Cụm A năm" not in page
    publish(world.year)
    page = client.get(url).content.decode()
    assert "Dẫn đầu cụm Cụm A năm 2025" in page


def test_a_hold_is_shown_and_holds_every_proposal(client, world, admin):
    hold_record(unit=world.unit_a1, kind="complaint", since=dt.date(2020, 1, 1), note="đơn thư")
    client.force_login(world.secretariat)
    page = client.get(reverse("unit-awards", args=[world.unit_a1.pk])).content.decode()
    assert "Đang giải quyết khiếu nại, tố cáo: 01/01/2020" in page
    assert "Tạm hoãn xét: đang giải quyết khiếu nại, tố cáo (từ 01/01/2020)" in page
    assert UnitHold.objects.count() == 1


def test_outside_the_scope_the_unit_page_is_404_and_the_register_is_the_administrators(
    client, world, admin
):
    client.force_login(world.other_secretariat)
    assert client.get(reverse("unit-awards", args=[world.unit_a1.pk])).status_code == 404
    assert client.get(reverse("unit-awards", args=[world.unit_b1.pk])).status_code == 200
    assert client.get(reverse("award-register")).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("award-register")).status_code == 200
    assert client.get(reverse("unit-awards", args=[world.unit_b1.pk])).status_code == 200
