"""The demo cluster: the Southwest Hậu River emulation cluster of the brief.

Units, successions, heads and deputies, flag handovers and the 2021 pledge follow the brief
(2020 head Sóc Trăng; 2021 head An Giang, deputy Cần Thơ; the 1 July 2025 mergers). Later heads
are invented. ALL FIGURES ARE SAMPLE DATA, generated deterministically for illustration only.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from clusters.models import (
    Cluster,
    EmulationYear,
    FlagHandover,
    Membership,
    RoleGrant,
    Unit,
    UnitSuccession,
    YearOffice,
)
from scoring import engine
from scoring.awards.services import decision_record
from scoring.conference.services.conference import (
    ballot_candidates,
    ballot_close,
    ballot_open,
    ballot_vote,
    year_standings_now,
)
from scoring.dossiers.services.council import (
    council_create,
    council_member_add,
    council_result_record,
    deadline_set,
)
from scoring.dossiers.services.documents import dossier_document_add, dossier_document_generated
from scoring.dossiers.services.dossiers import dossier_create, dossier_return, dossier_submit
from scoring.models import (
    AwardKind,
    Ballot,
    ConferenceDetails,
    CouncilMember,
    MemberTarget,
    Pledge,
    PledgeSignature,
    Report,
    ReportValue,
    Standing,
)
from scoring.ranking.services.dirty import year_mark_dirty
from scoring.ranking.services.recompute import year_recompute
from scoring.schemes.services import scheme_create_version

CLUSTER_CODE = "tay-nam-song-hau"
SCHEME_FILE = Path(settings.BASE_DIR) / "docs" / "examples" / "scheme-2021.yaml"
SAMPLE_NOTE = "Số liệu mẫu để minh họa (sample data) — không phải số liệu thật."
MERGER_DATE = dt.date(2025, 7, 1)
VCA_CODE = "lmhtx-viet-nam"
FIRST_YEAR, LAST_YEAR, CURRENT_YEAR = 2019, 2026, 2026

# code, name, profile: (operating coops, effective share, members, rural households, household share)
ALLIANCES = {
    "an-giang": ("Liên minh HTX tỉnh An Giang", (410, 0.66, 52000, 480000, 0.58)),
    "bac-lieu": ("Liên minh HTX tỉnh Bạc Liêu", (190, 0.61, 21000, 170000, 0.55)),
    "ca-mau": ("Liên minh HTX tỉnh Cà Mau", (270, 0.58, 30000, 260000, 0.52)),
    "can-tho": ("Liên minh HTX thành phố Cần Thơ", (260, 0.71, 28000, 160000, 0.63)),
    "hau-giang": ("Liên minh HTX tỉnh Hậu Giang", (230, 0.64, 24000, 150000, 0.60)),
    "kien-giang": ("Liên minh HTX tỉnh Kiên Giang", (310, 0.55, 36000, 330000, 0.50)),
    "soc-trang": ("Liên minh HTX tỉnh Sóc Trăng", (280, 0.62, 33000, 270000, 0.57)),
}
MERGERS = {
    "kien-giang": "an-giang",
    "soc-trang": "can-tho",
    "hau-giang": "can-tho",
    "bac-lieu": "ca-mau",
}
OFFICES = {  # year: (head, deputies)
    2019: ("hau-giang", ["soc-trang"]),
    2020: ("soc-trang", ["bac-lieu"]),
    2021: ("an-giang", ["can-tho"]),
    2022: ("can-tho", ["hau-giang"]),
    2023: ("bac-lieu", ["ca-mau"]),
    2024: ("ca-mau", ["kien-giang"]),
    2025: ("can-tho", ["an-giang"]),
    2026: ("an-giang", ["ca-mau"]),
}
# Larger provinces pledged more new cooperatives than the common 20.
MEMBER_TARGETS = {"an-giang": {"1.1": 25}, "kien-giang": {"1.1": 22}, "bac-lieu": {"1.1": 15}}


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str


def _members(year: int) -> list[str]:
    codes = sorted(ALLIANCES)
    if year >= MERGER_DATE.year:
        codes = [c for c in codes if c not in MERGERS]
    return codes


def _constituents(code: str, year: int) -> list[str]:
    """The old provinces whose sample figures make up a member's figures in `year`."""
    if year < MERGER_DATE.year:
        return [code]
    return [code, *sorted(p for p, s in MERGERS.items() if s == code)]


def _province_figures(code: str, year: int) -> dict[str, int]:
    """Sample figures grown year on year from the province's profile, deterministic per province."""
    operating: float  # grown below as floats, written back as whole numbers
    members: float
    households: float
    operating, effective_share, members, households, household_share = ALLIANCES[code][1]
    staff = operating * 2.2
    share, h_share = effective_share, household_share
    for step in range(FIRST_YEAR + 1, year + 1):
        rng = random.Random(f"{code}:growth:{step}")  # sample data, not security
        operating *= 1.03
        members *= 1 + rng.uniform(0.035, 0.12)
        staff *= 1 + rng.uniform(0.0, 0.18)
        share = min(0.95, share + rng.uniform(-0.02, 0.04))
        h_share = min(0.9, h_share + rng.uniform(0.0, 0.035))
        households *= 1.005
    rng = random.Random(f"{code}:{year}")
    operating = int(operating)
    prov_due = rng.randint(10, 14)
    vca_due = rng.randint(8, 10)
    return {
        "new_coops": max(4, int(rng.gauss(operating / 13, 4))),
        "new_unions": rng.choice([0, 1, 1, 1, 2]),
        "coops_operating": operating,
        "coops_effective": int(operating * share),
        "staff_trained": int(staff),
        "coop_members": int(members),
        "rural_households": int(households),
        "member_households": int(households * h_share),
        "alliance_courses": rng.choice([1, 2, 2, 3, 4]),
        "prov_resolutions_due": prov_due,
        "prov_resolutions_done": prov_due if rng.random() > 0.12 else prov_due - 1,
        "vca_resolutions_due": vca_due,
        "vca_resolutions_done": vca_due - rng.choice([0, 0, 1, 1, 2]),
        "honours": rng.choice([0, 0, 1, 1, 2]),
        "late_days": rng.choice([0, 0, 0, 0, 0, 2, 5]),
    }


def demo_figures(code: str, year: int) -> dict[str, int]:
    """A member's sample figures for a year (a merged member's are its constituents' sum)."""
    total: dict[str, int] = {}
    for part in _constituents(code, year):
        for element, value in _province_figures(part, year).items():
            if element in {
                "alliance_courses",
                "prov_resolutions_due",
                "prov_resolutions_done",
                "vca_resolutions_due",
                "vca_resolutions_done",
                "honours",
                "late_days",
            }:
                # Counted once for the merged alliance: take the continuing alliance's own.
                total.setdefault(element, value)
            else:
                total[element] = total.get(element, 0) + value
    return total


def demo_exists() -> bool:
    return Cluster.objects.filter(code=CLUSTER_CODE).exists()


def demo_load(*, logins_path: Path | None = None) -> list[DemoLogin]:
    """Create the demo cluster with its years, reports and users, and score every year.
    Returns the demo logins (fresh random passwords, for local use only)."""
    if demo_exists():
        raise RuntimeError("the demo cluster is already loaded")
    scheme_text = SCHEME_FILE.read_text(encoding="utf-8")
    scheme, _warnings = engine.parse_scheme(scheme_text, filename=SCHEME_FILE.name)
    with transaction.atomic():
        logins = _load(scheme, scheme_text)
    # After the commit, once the years are scored: the conference of the last published year.
    _conference(EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=CURRENT_YEAR - 1))
    _award_history()
    _award_dossiers(EmulationYear.objects.get(cluster__code=CLUSTER_CODE, year=CURRENT_YEAR - 1))
    if logins_path is not None:
        logins_path.parent.mkdir(parents=True, exist_ok=True)
        logins_path.write_text(
            "# Demo logins for local use only (generated by load_demo)\n"
            + "".join(f"{x.username}\t{x.password}\t{x.role}\n" for x in logins),
            encoding="utf-8",
        )
    return logins


def _load(scheme: engine.Scheme, scheme_text: str) -> list[DemoLogin]:
    # The awarding body the cluster's award dossiers go to, above its supervising office.
    alliance = Unit.objects.create(
        code=VCA_CODE,
        name="Liên minh Hợp tác xã Việt Nam",
        short_name="Liên minh HTX Việt Nam",
        kind=Unit.Kind.SUPERVISING_BODY,
    )
    vca = Unit.objects.create(
        code="vca-phia-nam",
        name="Văn phòng Thường trực phía Nam — Liên minh HTX Việt Nam",
        short_name="VPTT phía Nam",
        kind=Unit.Kind.SUPERVISING_BODY,
        parent=alliance,
    )
    units = {
        code: Unit.objects.create(
            code=code,
            name=name,
            short_name=name.replace("Liên minh HTX tỉnh ", "").replace(
                "Liên minh HTX thành phố ", ""
            ),
            kind=Unit.Kind.PROVINCIAL_ALLIANCE,
            parent=vca,
        )
        for code, (name, _profile) in ALLIANCES.items()
    }
    for predecessor, successor in MERGERS.items():
        UnitSuccession.objects.create(
            predecessor=units[predecessor],
            successor=units[successor],
            effective_on=MERGER_DATE,
            note="Sáp nhập tỉnh theo Nghị quyết của Quốc hội, hiệu lực 01/07/2025",
        )
        Unit.objects.filter(pk=units[predecessor].pk).update(is_active=False)
    cluster = Cluster.objects.create(
        code=CLUSTER_CODE,
        name="Cụm thi đua Tây Nam sông Hậu",
        kind=Cluster.Kind.CLUSTER,
        supervising_unit=vca,
        description="Cụm thi đua của các Liên minh HTX tỉnh, thành phố khu vực Tây Nam sông Hậu.",
    )
    years: dict[int, EmulationYear] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        status = (
            EmulationYear.Status.PUBLISHED
            if year < CURRENT_YEAR
            else EmulationYear.Status.REPORTING
        )
        ey = EmulationYear.objects.create(
            cluster=cluster,
            year=year,
            status=EmulationYear.Status.PLANNING,
            reporting_deadline=dt.date(year, 12, 15),
        )
        years[year] = ey
        Membership.objects.bulk_create(
            [Membership(emulation_year=ey, unit=units[c]) for c in _members(year)]
        )
        head, deputies = OFFICES[year]
        conference = dt.date(year, 1, 27)
        YearOffice.objects.create(
            emulation_year=ey, unit=units[head], role="head", elected_on=conference
        )
        for deputy in deputies:
            YearOffice.objects.create(
                emulation_year=ey, unit=units[deputy], role="deputy", elected_on=conference
            )
        if year > FIRST_YEAR:
            # The 2019 year only carries the baseline figures that 2020's growth targets need.
            named = scheme.__class__(
                name=f"Thang điểm thi đua năm {year} — Cụm Tây Nam sông Hậu",
                scale=scheme.scale,
                data_elements=scheme.data_elements,
                criteria=scheme.criteria,
                classification=scheme.classification,
                tie_break=scheme.tie_break,
                format=scheme.format,
            )
            scheme_create_version(emulation_year=ey, scheme=named, source=scheme_text)
            pledge_signed(ey, [units[c] for c in _members(year)], units[head], conference)
            MemberTarget.objects.bulk_create(
                [
                    MemberTarget(
                        emulation_year=ey, unit=units[c], criterion_code=crit, target=Decimal(t)
                    )
                    for c, targets in MEMBER_TARGETS.items()
                    if c in _members(year)
                    for crit, t in targets.items()
                ]
            )
        _reports(ey, units, year)
        # Marked dirty while still open (a published year is never marked); scored on commit.
        year_mark_dirty(emulation_year_id=ey.pk)
        EmulationYear.objects.filter(pk=ey.pk).update(status=status)
    for year in range(FIRST_YEAR, LAST_YEAR):
        old_head, new_head = OFFICES[year][0], OFFICES[year + 1][0]
        if old_head != new_head:
            FlagHandover.objects.create(
                cluster=cluster,
                emulation_year=years[year],
                from_unit=units[old_head],
                to_unit=units[new_head],
                handed_on=dt.date(year + 1, 1, 27),
                occasion=f"Hội nghị tổng kết công tác thi đua năm {year}",
            )
    return _users(cluster, vca, units, alliance)


def pledge_signed(ey: EmulationYear, members: list[Unit], head: Unit, conference: dt.date) -> None:
    """The year's pledge, published and signed by every member at the conference."""
    signed_at = timezone.make_aware(dt.datetime(ey.year, conference.month, conference.day, 11, 0))
    pledge = Pledge.objects.create(
        emulation_year=ey,
        title=f"Giao ước thi đua năm {ey.year} — {ey.cluster.name}",
        text=(
            "Các Liên minh HTX thành viên thống nhất ký kết giao ước thi đua với các chỉ tiêu "
            "phát triển kinh tế tập thể theo thang điểm kèm theo."
        ),
        signed_at_event=f"Hội nghị tổng kết năm {ey.year - 1}, do {head.label} chủ trì",
        published_at=signed_at,
        locked_at=signed_at,
    )
    PledgeSignature.objects.bulk_create(
        [
            PledgeSignature(
                pledge=pledge,
                unit=u,
                signed_by=f"Chủ tịch {u.name}",
                title="Chủ tịch",
                signed_on=conference,
            )
            for u in members
        ]
    )


def _reports(ey: EmulationYear, units: dict[str, Unit], year: int) -> None:
    submitted = timezone.make_aware(dt.datetime(year, 12, 10, 9, 30))
    verified = timezone.make_aware(dt.datetime(year, 12, 20, 15, 0))
    if year == CURRENT_YEAR:
        submitted = verified = timezone.now()
    for code in _members(year):
        if year == CURRENT_YEAR and code == "ca-mau":
            continue  # not started yet
        figures = demo_figures(code, year)
        if year == CURRENT_YEAR and code == "an-giang":
            figures = _full_points_but_good(figures, demo_figures(code, year - 1))
        if year == CURRENT_YEAR:
            status = Report.Status.SUBMITTED if code == "an-giang" else Report.Status.DRAFT
            if status == Report.Status.DRAFT:
                figures = dict(list(figures.items())[:6])
        else:
            status = Report.Status.VERIFIED
        report = Report.objects.create(
            emulation_year=ey,
            unit=units[code],
            status=status,
            note=SAMPLE_NOTE,
            submitted_at=submitted if status != Report.Status.DRAFT else None,
            verified_at=verified if status == Report.Status.VERIFIED else None,
        )
        ReportValue.objects.bulk_create(
            [
                ReportValue(report=report, element_code=k, value=Decimal(v))
                for k, v in figures.items()
            ]
        )


def _full_points_but_good(figures: dict[str, int], last_year: dict[str, int]) -> dict[str, int]:
    """An Giang's 2026 report: the case every reader first takes for a bug, so the open year
    shows it. Every regular criterion met but 3.3 (6 of 8 VCA resolutions, under its 90 %
    threshold: 0 of 5 points), and a provincial honour (bonus B.1, +5): 100 points, yet "Tốt",
    because "Xuất sắc" needs each criterion at 50 % of its points. The score sheet says so."""
    return {
        **figures,
        "staff_trained": last_year["staff_trained"] * 112 // 100,  # 2.2: +12 % against 10 %
        "vca_resolutions_due": 8,
        "vca_resolutions_done": 6,
        "honours": 1,
    }


def _users(cluster: Cluster, vca: Unit, units: dict[str, Unit], alliance: Unit) -> list[DemoLogin]:
    User = get_user_model()
    logins: list[DemoLogin] = []

    def make(username: str, role: str, *, superuser: bool = False, **grant) -> None:
        password = secrets.token_urlsafe(9)
        if superuser:
            User.objects.create_superuser(username=username, password=password, email="")
        else:
            user = User.objects.create_user(username=username, password=password)
            RoleGrant.objects.create(user=user, role=grant.pop("grant_role"), **grant)
        logins.append(DemoLogin(username, password, role))

    make("thuky", "Thư ký cụm (secretariat)", grant_role="secretariat", cluster=cluster)
    make(
        "baocao.angiang",
        "Cán bộ báo cáo An Giang (reporter)",
        grant_role="reporter",
        unit=units["an-giang"],
    )
    make(
        "baocao.cantho",
        "Cán bộ báo cáo Cần Thơ (reporter)",
        grant_role="reporter",
        unit=units["can-tho"],
    )
    make(
        "baocao.camau",
        "Cán bộ báo cáo Cà Mau (reporter)",
        grant_role="reporter",
        unit=units["ca-mau"],
    )
    make("lanhdao", "Lãnh đạo VPTT phía Nam (leadership)", grant_role="leadership", unit=vca)
    make(
        "thiduakt",
        "Ban Thi đua – Khen thưởng, Liên minh HTX Việt Nam (awarding)",
        grant_role="awarding",
        unit=alliance,
    )
    make("quantri", "Quản trị hệ thống (admin)", superuser=True)
    return logins


def _paper_ballot_scan(unit):
    """A stand-in for the scan of a signed paper ballot (a one-page PDF naming the unit)."""

    text = f"Phieu bau co chu ky - {unit.code}".encode()
    return ContentFile(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text + b"\n%%EOF\n",
        name=f"phieu-giay-{unit.code}.pdf",
    )


def _award_history() -> None:
    """Sample decisions, marked as such: the Vietnam Cooperative Alliance's flag to the unit that
    led the cluster in each published year up to 2024 (decided on 20 January of the next year),
    so that a unit's award page and its eligibility read a real history — Kiên Giang's flags
    count for An Giang, which it merged into on 1 July 2025. 2025 has no decision yet."""
    for ey in EmulationYear.objects.filter(
        cluster__code=CLUSTER_CODE, status=EmulationYear.Status.PUBLISHED
    ).exclude(runs__is_current=True):
        year_recompute(emulation_year_id=ey.pk)  # the worker has not scored it yet
    leaders = (
        Standing.objects.filter(
            run__is_current=True,
            run__emulation_year__cluster__code=CLUSTER_CODE,
            run__emulation_year__status=EmulationYear.Status.PUBLISHED,
            run__emulation_year__year__lt=CURRENT_YEAR - 1,
            rank=1,
        )
        .select_related("unit", "run__emulation_year")
        .order_by("run__emulation_year__year")
    )
    for number, standing in enumerate(leaders, start=11):
        year = standing.run.emulation_year.year
        decision_record(
            number=f"{number}/QĐ-LMHTXVN",
            decided_on=dt.date(year + 1, 1, 20),
            deciding_body="Liên minh Hợp tác xã Việt Nam",
            award_code="co-thi-dua-lmhtxvn",
            achievement_year=year,
            units=[standing.unit],
            note=SAMPLE_NOTE,
            is_sample=True,
        )


def _conference(ey: EmulationYear) -> None:
    """The award kinds of the cluster, and the conference that reviewed `ey` (held on the day
    the flag was handed over): the vote for the leading unit and the election of the next head
    and deputy, as in OFFICES."""

    flag = AwardKind.objects.create(
        cluster=ey.cluster,
        code="co-thi-dua",
        name="Cờ thi đua của Liên minh HTX Việt Nam",
        conferred_by="Liên minh HTX Việt Nam",
        leads_cluster=True,
        requires_knockouts=True,
        cap_count=1,
    )
    # The certificate proposes for the rule set's (its two-year condition is judged from the
    # sample history at the conference). The flag keeps the cluster's own conditions: the rule
    # set's VCA flag asks "hoàn thành xuất sắc nhiệm vụ", which no member's 2025 sample figures
    # reach, and the conference's proposal is where the sample dossier's path starts.
    AwardKind.objects.create(
        cluster=ey.cluster,
        code="bang-khen",
        name="Bằng khen của Chủ tịch Liên minh HTX Việt Nam",
        conferred_by="Chủ tịch Liên minh HTX Việt Nam",
        award_code="bang-khen-lmhtxvn",
        min_band="Tốt",
        requires_knockouts=True,
        cap_percent=Decimal(30),
    )
    members = {m.unit.code: m.unit for m in ey.memberships.select_related("unit")}
    held = timezone.make_aware(dt.datetime(ey.year + 1, 1, 27, 10, 0))

    standings = year_standings_now(ey)
    if not standings:  # the worker has not scored it yet: eligibility needs the ranking
        year_recompute(emulation_year_id=ey.pk)
        standings = year_standings_now(ey)
    if standings:
        ballot = ballot_open(emulation_year=ey, purpose=Ballot.Purpose.AWARD, award_kind=flag)
        candidates = ballot_candidates(ballot)  # eligible, best ranked first
        for unit in members.values():
            choice = next((c for c in candidates if c != unit), None)
            if choice is not None:  # the leader votes for the runner-up
                ballot_vote(ballot=ballot, voter=unit, candidate_ids=[choice.pk])
        ballot_close(ballot=ballot)
    head, deputies = OFFICES[ey.year + 1]
    election = ballot_open(emulation_year=ey, purpose=Ballot.Purpose.HEAD)
    for code, unit in members.items():
        other = next(c for c in members if c not in (code, head))
        ballot_vote(
            ballot=election,
            voter=unit,
            candidate_ids=[members[other if code == head else head].pk],
            on_paper=code == "ca-mau",  # one paper ballot, recorded by the secretariat
            scan=_paper_ballot_scan(unit) if code == "ca-mau" else None,
        )
    ballot_close(ballot=election)
    election = ballot_open(emulation_year=ey, purpose=Ballot.Purpose.DEPUTY, seats=len(deputies))
    for code, unit in members.items():
        deputy_code = (
            deputies[0]
            if code != deputies[0]
            else next(c for c in members if c not in (code, head))
        )
        ballot_vote(ballot=election, voter=unit, candidate_ids=[members[deputy_code].pk])
    ballot_close(ballot=election)
    ey.ballots.update(opened_at=held, closed_at=held + dt.timedelta(hours=1))
    _conference_details(ey, held)


def _city(alliance: str) -> str:
    name = ALLIANCES[alliance][0]
    return name.replace("Liên minh HTX tỉnh ", "").replace("Liên minh HTX thành phố ", "")


def sample_conference_details(
    ey: EmulationYear, *, host: str, place: str, symbol: str, held: dt.datetime
) -> ConferenceDetails:
    """The details a secretariat types for the documents of a year whose conference `host`
    held on `held` (docs/documents.md). Names are sample data."""
    return ConferenceDetails.objects.create(
        emulation_year=ey,
        place=place,
        agency_symbol=symbol,
        signer_name="Nguyễn Văn An",
        signer_title=f"Chủ tịch {host}",
        minutes_number="05",
        venue=f"Hội trường {host}",
        started_at=held - dt.timedelta(hours=2),
        ended_at=held + dt.timedelta(hours=1, minutes=30),
        attendees=(
            "Đại diện cơ quan chỉ đạo của cụm\nLãnh đạo các Liên minh HTX thành viên của cụm"
        ),
        chair_name="Nguyễn Văn An",
        chair_title=f"Chủ tịch {host}",
        secretary_name="Trần Thị Bình",
        secretary_title=f"Chuyên viên {host}",
        agenda=(
            f"Báo cáo kết quả chấm điểm, xếp hạng thi đua năm {ey.year}\n"
            "Bình xét, suy tôn khen thưởng\n"
            f"Bầu cụm trưởng, cụm phó năm {ey.year + 1}\n"
            "Bàn giao cờ luân lưu\n"
            f"Ký kết giao ước thi đua năm {ey.year + 1}"
        ),
    )


def _conference_details(ey: EmulationYear, held: dt.datetime) -> None:
    """The details of the conference that reviewed `ey`, held by its head, and the open year's
    place and signer."""
    head = OFFICES[ey.year][0]
    sample_conference_details(
        ey, host=ALLIANCES[head][0], place=_city(head), symbol="CTĐTNSH", held=held
    )
    following = EmulationYear.objects.filter(cluster=ey.cluster, year=ey.year + 1).first()
    if following is not None:
        next_head = OFFICES[following.year][0]
        ConferenceDetails.objects.create(
            emulation_year=following,
            place=_city(next_head),
            agency_symbol="CTĐTNSH",
            signer_name="Nguyễn Văn An",
            signer_title=f"Chủ tịch {ALLIANCES[next_head][0]}",
        )


def _sample_pdf(title: str) -> SimpleUploadedFile:
    """A one-page PDF standing in for a signed document, named as sample data."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"{title} — DỮ LIỆU MẪU (sample data)"})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(f"mau-{title}.pdf", out.getvalue(), content_type="application/pdf")


COUNCIL = [  # sample members, by role (the names say they are samples)
    (CouncilMember.Role.CHAIR, "Chủ tịch Hội đồng (mẫu)"),
    (CouncilMember.Role.VICE_CHAIR, "Phó Chủ tịch Hội đồng (mẫu)"),
    (CouncilMember.Role.STANDING, "Ủy viên thường trực (mẫu)"),
    (CouncilMember.Role.MEMBER, "Ủy viên (mẫu) 1"),
    (CouncilMember.Role.MEMBER, "Ủy viên (mẫu) 2"),
    (CouncilMember.Role.MEMBER, "Ủy viên (mẫu) 3"),
    (CouncilMember.Role.MEMBER, "Ủy viên (mẫu) 4"),
]


def _award_dossiers(ey: EmulationYear) -> None:
    """The Vietnam Cooperative Alliance's emulation council for 2025 (sample members), its
    deadlines for 2026 dossiers, and two sample dossiers of the cluster's 2025 year in different
    states: An Giang's for "Tập thể lao động xuất sắc", sent and voted on by the council (waiting
    for the appraisal), and Cà Mau's for "Tập thể lao động tiên tiến", returned with a reason. The
    conference's own proposal (Cần Thơ for the VCA's flag) is left for a demo user to carry."""
    alliance = Unit.objects.get(code=VCA_CODE)
    secretariat = RoleGrant.objects.get(role=RoleGrant.Role.SECRETARIAT, cluster=ey.cluster).user
    officer = RoleGrant.objects.get(role=RoleGrant.Role.AWARDING, unit=alliance).user
    council = council_create(
        body=alliance, year=ey.year, name="Hội đồng Thi đua – Khen thưởng Liên minh HTX Việt Nam"
    )
    for role, name in COUNCIL:
        council_member_add(council=council, name=name, role=role, title=SAMPLE_NOTE[:200])
    for award in ("co-thi-dua-lmhtxvn", "tap-the-lao-dong-xuat-sac"):
        deadline_set(
            body=alliance,
            award_code=award,
            year=CURRENT_YEAR,
            due_on=dt.date(CURRENT_YEAR, 12, 10),
            note=SAMPLE_NOTE,
        )
    units = {m.unit.code: m.unit for m in ey.memberships.select_related("unit")}
    dossiers = {}
    for code, award in (
        ("an-giang", "tap-the-lao-dong-xuat-sac"),
        ("ca-mau", "tap-the-lao-dong-tien-tien"),
    ):
        dossier = dossier_create(
            emulation_year=ey,
            body=alliance,
            award_code=award,
            unit=units[code],
            actor=secretariat,
            is_sample=True,
        )
        for item in ("to-trinh", "bao-cao-thanh-tich"):
            dossier_document_add(
                dossier=dossier,
                item_code=item,
                upload=_sample_pdf(f"{item}-{code}"),
                number=f"{dossier.pk}/TTr-CTĐ (mẫu)" if item == "to-trinh" else "",
                actor=secretariat,
            )
        dossier_document_generated(dossier=dossier, item_code="bien-ban", actor=secretariat)
        dossiers[code] = dossier_submit(dossier=dossier, actor=secretariat)
    council_result_record(
        council=council,
        dossier=dossiers["an-giang"],
        met_on=timezone.localdate(),
        present=6,
        yes=6,
        no=0,
        written_yes=1,
        scan=_sample_pdf("y-kien-bang-van-ban"),
        actor=officer,
    )
    dossier_return(
        dossier=dossiers["ca-mau"],
        reason="Báo cáo thành tích chưa có xác nhận của cấp trình khen (dữ liệu mẫu).",
        actor=officer,
    )
