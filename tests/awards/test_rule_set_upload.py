"""Rule sets editable by the system administrator (#17 item 1): a YAML file checked like a scheme
file — the rule named when it is wrong, nothing stored — versioned, and in force for every page
and process as soon as it is saved; outside the administrator, every address is a 404."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import AuditEntry
from scoring.awards.rule_sets import HERE, rule_set_on, uploads_changed
from scoring.models import AwardKind, AwardRuleSetFile, Dossier
from tests.dossiers.factories import new_dossier

pytestmark = pytest.mark.django_db

SHIPPED = (HERE / "nd-152-2025.yaml").read_text(encoding="utf-8")
DAY = dt.date(2026, 1, 20)


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("quantri", password="pw-quantri")


def post(client, text: str, name: str = "nd-152-2025.yaml", note: str = "QĐ sửa đổi"):
    upload = SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")
    return client.post(reverse("award-rule-sets"), {"file": upload, "note": note})


def edited() -> str:
    """The shipped NĐ 152 file with the VCA flag's council threshold raised to 90 %."""
    old = 'council: {threshold_percent: 80, base: all_members, cite: "NĐ 98/2023/NĐ-CP, Điều 30 khoản 7"}'
    assert old in SHIPPED
    return SHIPPED.replace(old, old.replace("80", "90"), 1)


def test_a_new_version_replaces_the_shipped_rule_set_everywhere_and_is_kept(
    client, admin, django_capture_on_commit_callbacks
):
    assert rule_set_on(DAY).awards["co-thi-dua-lmhtxvn"].council.threshold_percent == 80
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, edited())
    assert response.status_code == 302
    stored = AwardRuleSetFile.objects.get()
    assert (stored.code, stored.version, stored.uploaded_by) == ("nd-152-2025", 1, admin)
    assert rule_set_on(DAY).awards["co-thi-dua-lmhtxvn"].council.threshold_percent == 90
    # The rule set of before 1/7/2025 is still the shipped one.
    assert rule_set_on(dt.date(2025, 6, 30)).code == "nd-98-2023"
    entry = AuditEntry.objects.get(action="award_rules.upload")
    assert entry.after["version"] == 1 and entry.reason == "QĐ sửa đổi"
    page = client.get(reverse("award-rule-sets")).content.decode()
    assert "tải lên, phiên bản 1" in page and "kèm theo ứng dụng" in page
    download = client.get(reverse("award-rule-set-download", args=["nd-152-2025"]))
    assert download.content.decode() == edited()
    assert 'filename="nd-152-2025-v1.yaml"' in download["Content-Disposition"]
    shipped = client.get(reverse("award-rule-set-download", args=["nd-98-2023"]))
    assert shipped.content == (HERE / "nd-98-2023.yaml").read_bytes()
    # A second upload is version 2; version 1 stays downloadable as it was.
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SHIPPED)
    assert list(AwardRuleSetFile.objects.values_list("version", flat=True)) == [2, 1]
    assert rule_set_on(DAY).awards["co-thi-dua-lmhtxvn"].council.threshold_percent == 80
    first = client.get(reverse("award-rule-set-version", args=[stored.pk]))
    assert first.content.decode() == edited()


@pytest.mark.parametrize(
    ("text", "name", "said"),
    [
        (
            SHIPPED.replace(
                "- kind: eligible_for\n        award: co-thi-dua-tinh",
                "- kind: eligible_for\n        award: co-khong-co",
                1,
            ),
            "nd-152-2025.yaml",
            "names an unknown award kind 'co-khong-co'",
        ),
        (SHIPPED.replace("format: award-rules/1", "format: award-rules/9", 1), "x.yaml", "format"),
        (SHIPPED, "rules.txt", "chỉ nhận tệp .yaml"),
        ("code: [unclosed", "x.yaml", "x.yaml"),
    ],
)
def test_a_wrong_file_is_refused_with_the_rule_named_and_nothing_stored(
    client, admin, text, name, said
):
    client.force_login(admin)
    response = post(client, text, name=name)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert said in body
    assert 'id="rule-set-form"' in body
    assert not AwardRuleSetFile.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(client, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile("x.yaml", b"code: \xff\xfe", content_type="application/yaml")
    response = client.post(reverse("award-rule-sets"), {"file": upload})
    assert response.status_code == 400
    assert "không phải văn bản UTF-8" in response.content.decode()
    assert not AwardRuleSetFile.objects.exists()


def test_a_new_rule_set_may_not_overlap_the_periods_of_those_in_force(client, admin):
    client.force_login(admin)
    overlapping = SHIPPED.replace("code: nd-152-2025", "code: nd-999-2026", 1)
    response = post(client, overlapping, name="nd-999-2026.yaml")
    assert response.status_code == 400
    assert "trùng với bộ quy tắc “nd-152-2025”" in response.content.decode()
    assert not AwardRuleSetFile.objects.exists()


def test_an_award_kind_a_dossier_was_made_for_cannot_be_dropped(client, admin, world):
    dossier = new_dossier(world, award="bang-khen-chuyen-de", unit=world.unit_a1, today=DAY)
    Dossier.objects.filter(pk=dossier.pk).update(rule_set_code="nd-152-2025")
    client.force_login(admin)
    response = post(client, _drop_award(SHIPPED, "bang-khen-chuyen-de"))
    assert response.status_code == 400
    assert "đang được dùng (hồ sơ đề nghị, hình thức khen thưởng của cụm hoặc hạn nộp hồ sơ) " in (
        response.content.decode()
    )
    assert not AwardRuleSetFile.objects.exists()
    # Dropping an award kind no dossier was made for is a new version like any other.
    assert post(client, _drop_award(SHIPPED, "tap-the-lao-dong-tien-tien")).status_code == 302


def _drop_award(text: str, code: str) -> str:
    start = text.index(f"  - code: {code}\n")
    end = text.find("\n  - code: ", start + 1)
    return text[:start] + (text[end + 1 :] if end != -1 else "")


def test_only_the_administrator_reaches_the_rule_sets(client, world):
    stored = AwardRuleSetFile.objects.create(
        code="nd-152-2025",
        version=1,
        name="x",
        effective_from=dt.date(2025, 7, 1),
        content=SHIPPED,
        sha256="0" * 64,
        file_name="x.yaml",
    )
    for user in (world.secretariat, world.leadership, world.reporter_a1):
        client.force_login(user)
        for url in (
            reverse("award-rule-sets"),
            reverse("award-rule-set-download", args=["nd-152-2025"]),
            reverse("award-rule-set-version", args=[stored.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert post(client, SHIPPED).status_code == 404
    assert AwardRuleSetFile.objects.count() == 1


def test_no_day_is_left_without_a_rule_set(client, admin):
    """A new version that ends NĐ 152/2025 with nothing after it (today then has no law to judge
    a dossier by), or a new decree that starts after a gap: refused, the days named."""
    client.force_login(admin)
    ended = SHIPPED.replace(
        "effective_from: 2025-07-01", "effective_from: 2025-07-01\neffective_to: 2025-12-31", 1
    )
    response = post(client, ended)
    assert response.status_code == 400
    assert "không có bộ quy tắc nào được áp dụng" in response.content.decode()
    gap = (
        (HERE / "nd-98-2023.yaml")
        .read_text(encoding="utf-8")
        .replace("effective_to: 2025-06-30", "effective_to: 2025-05-31", 1)
    )
    assert gap != (HERE / "nd-98-2023.yaml").read_text(encoding="utf-8")
    response = post(client, gap, name="nd-98-2023.yaml")
    assert response.status_code == 400
    assert "từ 01/06/2025 đến 30/06/2025 không có bộ quy tắc nào" in response.content.decode()
    assert not AwardRuleSetFile.objects.exists()


def test_a_draft_dossier_or_a_clusters_award_kind_keeps_its_award(client, admin, world):
    """A dossier not yet sent is judged by today's rule set, and a cluster's award kind may
    propose for an award of it: neither may lose its award kind to a new version."""
    client.force_login(admin)
    new_dossier(world, award="bang-khen-chuyen-de", unit=world.unit_a1, today=DAY)
    response = post(client, _drop_award(SHIPPED, "bang-khen-chuyen-de"))
    assert response.status_code == 400
    assert "bang-khen-chuyen-de" in response.content.decode()
    AwardKind.objects.create(
        cluster=world.cluster, code="bk", name="Bằng khen", award_code="tap-the-lao-dong-tien-tien"
    )
    response = post(client, _drop_award(SHIPPED, "tap-the-lao-dong-tien-tien"))
    assert response.status_code == 400
    assert "tap-the-lao-dong-tien-tien" in response.content.decode()
    assert not AwardRuleSetFile.objects.exists()


def test_a_code_that_is_not_a_slug_is_refused_and_the_page_still_opens(client, admin):
    client.force_login(admin)
    response = post(client, SHIPPED.replace("code: nd-152-2025", 'code: "NĐ 200/2026"', 1))
    assert response.status_code == 400
    assert "up to 60 lower-case letters" in html.unescape(response.content.decode())
    assert client.get(reverse("award-rule-sets")).status_code == 200


def test_a_stored_version_the_reader_no_longer_accepts_is_passed_over(admin, caplog):
    """The reader's bounds may tighten after a version was stored: that version is passed over
    (logged) for the one before it — or the shipped file — and no page fails on it."""
    AwardRuleSetFile.objects.create(
        code="nd-152-2025", version=1, name="v1", effective_from=dt.date(2025, 7, 1),
        content=edited(), sha256="1" * 64, file_name="v1.yaml",
    )  # fmt: skip
    AwardRuleSetFile.objects.create(
        code="nd-152-2025", version=2, name="v2", effective_from=dt.date(2025, 7, 1),
        content=SHIPPED.replace("  appraise_days: 20\n", "  appraise_days: 99999\n", 1),
        sha256="2" * 64, file_name="v2.yaml",
    )  # fmt: skip
    uploads_changed()
    assert "99999" in AwardRuleSetFile.objects.get(version=2).content
    assert rule_set_on(DAY).awards["co-thi-dua-lmhtxvn"].council.threshold_percent == 90  # v1
    assert "nd-152-2025 v2 passed over" in caplog.text


def test_two_uploads_of_one_code_at_once_refuse_the_second_without_a_500(
    client, admin, monkeypatch
):
    """Another process stores version 1 between this upload's read of the last version and its
    insert (played here by the insert itself, in this upload's own transaction, which the refusal
    then rolls back with it): the unique (code, version) refuses this one, and the administrator
    is told to upload again — nothing half-stored, no audit row, no server error."""
    real_create = AwardRuleSetFile.objects.create

    def racing_create(**fields):
        monkeypatch.setattr(AwardRuleSetFile.objects, "create", real_create)
        real_create(**{**fields, "note": "the other upload", "sha256": "f" * 64})
        return real_create(**fields)

    monkeypatch.setattr(AwardRuleSetFile.objects, "create", racing_create)
    client.force_login(admin)
    response = post(client, edited())
    assert response.status_code == 400
    assert "một phiên bản khác vừa được lưu cùng lúc" in response.content.decode()
    assert not AwardRuleSetFile.objects.exists()
    assert not AuditEntry.objects.filter(action="award_rules.upload").exists()
