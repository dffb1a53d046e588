"""Who may be proposed for an award: a unit's history read against a rule set, with the reason
for every condition in Vietnamese and English.

`judge` gives one verdict — eligible, not eligible, or held (a pending discipline, inspection or
complaint on the day the dossier is received holds the proposal whatever else is met: NĐ
152/2025 Điều 4) — and lists every condition met or not. Two awards for one achievement are
refused (Luật Thi đua, khen thưởng 2022, Điều 5). Themed and sudden awards, and revoked ones, do
not count in history conditions. The years and awards of the units a unit succeeded count as the
rule set says (`predecessors`: none, any, all), for the years the unit itself has no record of."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable

from scoring.engine.awards.types import (
    ELIGIBLE,
    HELD,
    LEADS_BY_RANK,
    LEADS_BY_THIS_VOTE,
    LEADS_BY_VOTE,
    NOT_ELIGIBLE,
    AwardKind,
    AwardRecord,
    Cap,
    CapResult,
    Condition,
    CouncilVote,
    Reason,
    RuleSet,
    UnitHistory,
    Verdict,
    YearRecord,
)
from scoring.engine.numbers import fmt_number

# The citations the engine itself adds to a verdict (the rule sets' own are in their files).
LAW_ARTICLE_5 = "Luật Thi đua, khen thưởng 2022, Điều 5"
DECREE_152_ARTICLE_4 = "NĐ 152/2025/NĐ-CP, Điều 4"
FIXED_CITATIONS = (LAW_ARTICLE_5, DECREE_152_ARTICLE_4)

# Which reading of "leads its cluster" a reason rests on (YearRecord.leads_by).
_LEADER_BASIS = {
    LEADS_BY_VOTE: (
        " — theo kết quả bình xét, suy tôn của hội nghị cụm",
        " — as chosen by the cluster conference's vote",
    ),
    LEADS_BY_RANK: (
        " — theo bảng xếp hạng (năm này không có kết quả bình xét, suy tôn của hội nghị)",
        " — read from the ranking (the year has no vote of the conference)",
    ),
}

_HOLD_NAMES = {
    "discipline": ("đang xem xét kỷ luật", "a disciplinary matter is pending"),
    "inspection": ("đang thanh tra, kiểm tra", "an inspection is pending"),
    "complaint": ("đang giải quyết khiếu nại, tố cáo", "a complaint is pending"),
}


def judge(
    rule_set: RuleSet,
    award: str,
    history: UnitHistory,
    year: int,
    *,
    received_on: dt.date,
    not_twice: bool = True,
) -> Verdict:
    """The verdict on proposing `history`'s unit for `award` for its achievements of `year`, under
    `rule_set` (the one in force on `received_on`, the day the dossier is received). `not_twice`:
    whether to check that the award was not decided already for the same achievement (off for a
    cluster's own award kind, which no decision of the register names)."""
    kind = rule_set.awards[award]
    judge_ = _Judge(rule_set, history, year)
    reasons = [judge_.reason(c) for c in kind.conditions]
    if not_twice:
        reasons.append(judge_.not_awarded_twice(kind))
    holds = [h for h in history.holds if h.kind in rule_set.holds and h.active_on(received_on)]
    if holds:
        for h in holds:
            vi, en = _HOLD_NAMES[h.kind]
            since = h.since
            reasons.insert(
                0,
                Reason(
                    False,
                    f"Tạm hoãn xét: {vi} (từ {since:%d/%m/%Y})",
                    f"Held: {en} (since {since.isoformat()})",
                    DECREE_152_ARTICLE_4,
                ),
            )
        status = HELD
    else:
        status = ELIGIBLE if all(r.met for r in reasons) else NOT_ELIGIBLE
    return Verdict(history.unit, award, year, rule_set.code, status, tuple(reasons))


def judge_all(
    rule_set: RuleSet,
    award: str,
    histories: Iterable[UnitHistory],
    year: int,
    *,
    received_on: dt.date,
) -> list[Verdict]:
    return [judge(rule_set, award, h, year, received_on=received_on) for h in histories]


def cap_for(cap: Cap, considered: int) -> CapResult:
    """How many of `considered` (the leaders considered, or the proposals) may be proposed. The
    share is rounded as the rule says; "at least one" applies only where the rule says so, and
    the reason then says that it exceeds the share."""
    exact = considered * cap.share_percent / 100
    rounded = {"down": math.floor, "up": math.ceil, "nearest": _round_half_up}[cap.rounding](exact)
    share = fmt_number(cap.share_percent)
    share_en = fmt_number(cap.share_percent, "en")
    of_vi = "đơn vị dẫn đầu được xét" if cap.of == "leaders" else "đề nghị"
    of_en = "leaders considered" if cap.of == "leaders" else "proposals"
    if rounded == 0 and cap.min_one and considered > 0:
        return CapResult(
            1,
            considered,
            Reason(
                True,
                f"Tối đa 1: {share} % của {considered} {of_vi} làm tròn được 0, quy định cho "
                "phép ít nhất 1 (vượt tỷ lệ)",
                f"At most 1: {share_en} % of {considered} {of_en} rounds to 0; the rule allows "
                "at least 1 (above the share)",
                cap.cite,
            ),
        )
    if rounded == 0:
        return CapResult(
            0,
            considered,
            Reason(
                False,
                f"Không đề nghị được: {share} % của {considered} {of_vi} làm tròn xuống được 0",
                f"None may be proposed: {share_en} % of {considered} {of_en} rounds down to 0",
                cap.cite,
            ),
            zero_by_rounding=True,
        )
    return CapResult(
        rounded,
        considered,
        Reason(
            True,
            f"Tối đa {rounded}: {share} % của {considered} {of_vi}",
            f"At most {rounded}: {share_en} % of {considered} {of_en}",
            cap.cite,
        ),
    )


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def council_passes(council: CouncilVote, *, yes: int, members: int, voting: int) -> Reason:
    """Whether a proposal has the council's vote: at least the threshold of all its members (or of
    those voting, where the rule says so). Absent members' written opinions count as votes of
    the members who gave them — the caller counts them in `yes` and `voting`."""
    base = members if council.base == "all_members" else voting
    met = base > 0 and yes * 100 >= council.threshold_percent * base
    share = fmt_number(council.threshold_percent)
    share_en = fmt_number(council.threshold_percent, "en")
    base_vi = "tổng số thành viên hội đồng" if council.base == "all_members" else "số phiếu"
    base_en = "all council members" if council.base == "all_members" else "votes cast"
    pct = fmt_number(yes * 100 / base if base else 0)
    pct_en = fmt_number(yes * 100 / base if base else 0, "en")
    return Reason(
        met,
        f"{yes}/{base} phiếu đồng ý ({pct} %), cần ≥ {share} % {base_vi}",
        f"{yes}/{base} in favour ({pct_en} %); needs ≥ {share_en} % of {base_en}",
        council.cite,
    )


class _Judge:
    def __init__(self, rule_set: RuleSet, history: UnitHistory, year: int) -> None:
        self.rules = rule_set
        self.history = history
        self.year = year

    # --- where a year's record and awards come from ----------------------------------------

    def _sources(self, year: int) -> list[UnitHistory]:
        """The histories whose record of `year` counts: the unit's own, or — for a year before it
        existed — its predecessors', where the rule set counts them."""
        own = self.history
        if year in own.years or any(a.year == year for a in own.awards):
            return [own]
        if self.rules.predecessors == "none" or not own.predecessors:
            return [own]
        return list(own.predecessors)

    def _combine(self, results: list[bool]) -> bool:
        if self.rules.predecessors == "all":
            return bool(results) and all(results)
        return any(results)

    def _year_holds(self, year: int, test: Callable[[YearRecord], bool]) -> bool:
        results = [test(h.years[year]) for h in self._sources(year) if year in h.years]
        return self._combine(results)

    def _counting(self, record: AwardRecord) -> bool:
        kind = self.rules.awards.get(record.award)
        return not record.revoked and record.merit and (kind is None or kind.merit)

    def _award_in(self, year: int, codes: Iterable[str]) -> AwardRecord | None:
        wanted = set(codes)
        found: list[AwardRecord | None] = []
        for h in self._sources(year):
            hits = [
                a for a in h.awards if a.year == year and a.award in wanted and self._counting(a)
            ]
            found.append(hits[0] if hits else None)
        if self.rules.predecessors == "all" and len(found) > 1:
            return found[0] if all(found) else None
        return next((f for f in found if f is not None), None)

    def _record(self, year: int) -> YearRecord | None:
        for h in self._sources(year):
            if year in h.years:
                return h.years[year]
        return None

    # --- the conditions --------------------------------------------------------------------

    def reason(self, c: Condition) -> Reason:
        check: Callable[[Condition], Reason] = getattr(self, f"_{c.kind}")
        return check(c)

    def _leads_cluster(self, c: Condition) -> Reason:
        y = self.year
        met = self._year_holds(y, lambda r: r.leads_cluster)
        record = self._record(y)
        cluster = f" {record.cluster}" if record and record.cluster else ""
        by = record.leads_by if record else ""
        if by == LEADS_BY_THIS_VOTE:
            return Reason(
                True,
                f"Đơn vị dẫn đầu cụm{cluster} năm {y} là đơn vị cuộc bình xét, suy tôn này chọn",
                f"The leading unit of its cluster for {y} is the one this vote chooses",
                c.cite,
            )
        basis_vi, basis_en = _LEADER_BASIS.get(by, ("", ""))
        if met:
            return Reason(
                True,
                f"Dẫn đầu cụm{cluster} năm {y}{basis_vi}",
                f"Led its cluster in {y}{basis_en}",
                c.cite,
            )
        rank = f" (hạng {record.rank})" if record and record.rank else ""
        rank_en = f" (ranked {record.rank})" if record and record.rank else ""
        return Reason(
            False,
            f"Không dẫn đầu cụm{cluster} năm {y}{rank}{basis_vi}",
            f"Did not lead its cluster in {y}{rank_en}{basis_en}",
            c.cite,
        )

    def _min_band(self, c: Condition) -> Reason:
        y, band = self.year, c.params["band"]

        def test(r: YearRecord) -> bool:
            if r.band is None or band not in r.bands or r.band not in r.bands:
                return False
            return r.bands.index(r.band) <= r.bands.index(band)

        record = self._record(y)
        got = record.band if record and record.band else None
        met = self._year_holds(y, test)
        got_vi = f"xếp loại “{got}”" if got else "chưa có xếp loại"
        got_en = f"classified “{got}”" if got else "no classification"
        if record and record.bands and band not in record.bands:
            return Reason(
                False,
                f"Năm {y} {got_vi}; thang điểm không có xếp loại “{band}”",
                f"{y}: {got_en}; the scheme has no band “{band}”",
                c.cite,
            )
        return Reason(
            met,
            f"Năm {y} {got_vi}, cần từ “{band}” trở lên",
            f"{y}: {got_en}; needs “{band}” or better",
            c.cite,
        )

    def _knockouts_met(self, c: Condition) -> Reason:
        y = self.year
        met = self._year_holds(y, lambda r: r.knockouts_met is True)
        if met:
            return Reason(
                True,
                f"Đạt mọi tiêu chí bắt buộc năm {y}",
                f"Met every knock-out criterion in {y}",
                c.cite,
            )
        return Reason(
            False,
            f"Không đạt tiêu chí bắt buộc năm {y}",
            f"A knock-out criterion was not met in {y}",
            c.cite,
        )

    def _max_rank(self, c: Condition) -> Reason:
        y, rank = self.year, c.params["rank"]
        record = self._record(y)
        met = self._year_holds(y, lambda r: r.rank is not None and r.rank <= rank)
        got = record.rank if record and record.rank else None
        return Reason(
            met,
            f"Năm {y} xếp hạng {got if got else 'chưa có'}, cần từ hạng {rank} trở lên",
            f"{y}: ranked {got if got else 'not yet'}; needs rank {rank} or better",
            c.cite,
        )

    def _rating_ok(self, rating: str) -> Callable[[YearRecord], bool]:
        limit = self.rules.rating_position(rating)

        def test(r: YearRecord) -> bool:
            position = self.rules.rating_position(self.rules.rating_of(r))
            return position is not None and limit is not None and position <= limit

        return test

    def _min_rating(self, c: Condition) -> Reason:
        y, rating = self.year, c.params["rating"]
        met = self._year_holds(y, self._rating_ok(rating))
        vi, en = self.rules.rating_name(rating, "vi"), self.rules.rating_name(rating, "en")
        if met:
            return Reason(True, f"Năm {y}: {vi}", f"{y}: {en}", c.cite)
        return Reason(False, f"Năm {y} chưa {vi}", f"{y}: not {en}", c.cite)

    def _rating_streak(self, c: Condition) -> Reason:
        rating, n = c.params["rating"], c.params["years"]
        years = list(range(self.year - n + 1, self.year + 1))
        test = self._rating_ok(rating)
        marks = [(y, self._year_holds(y, test)) for y in years]
        vi, en = self.rules.rating_name(rating, "vi"), self.rules.rating_name(rating, "en")
        return _streak_reason(marks, n, vi, en, c.cite, missing_vi="chưa có", missing_en="not")

    def _held_award(self, c: Condition) -> Reason:
        within = c.params.get("within", 1)
        years = range(self.year, self.year - within, -1)
        names_vi, names_en = self._award_names(c.params["awards"])
        for y in years:
            record = self._award_in(y, c.params["awards"])
            if record is not None:
                return Reason(
                    True,
                    f"Đã được {self._name(record.award, 'vi')} năm {y}{_decision(record)}",
                    f"Received {self._name(record.award, 'en')} for {y}{_decision(record)}",
                    c.cite,
                )
        span = f"năm {self.year}" if within == 1 else f"{within} năm gần nhất"
        span_en = f"for {self.year}" if within == 1 else f"in the last {within} years"
        return Reason(
            False,
            f"Chưa có quyết định tặng {names_vi} {span}",
            f"No decision of {names_en} {span_en}",
            c.cite,
        )

    def _award_streak(self, c: Condition) -> Reason:
        n, ending = c.params["years"], c.params.get("ending", 0)
        last = self.year - ending
        marks = [
            (y, self._award_in(y, c.params["awards"]) is not None)
            for y in range(last - n + 1, last + 1)
        ]
        names_vi, names_en = self._award_names(c.params["awards"])
        return _streak_reason(
            marks,
            n,
            f"được {names_vi}",
            f"received {names_en}",
            c.cite,
            missing_vi="chưa có quyết định",
            missing_en="no decision",
        )

    def _member_share(self, c: Condition) -> Reason:
        y, measure, of = self.year, c.params["measure"], c.params["of"]
        minimum = float(c.params["min_percent"])
        record = self._record(y)
        counts = record.counts if record else {}
        if measure not in counts or not counts.get(of):
            return Reason(
                False,
                f"Năm {y} chưa có số liệu “{measure}” / “{of}”",
                f"{y}: no figures for “{measure}” / “{of}”",
                c.cite,
            )
        share = counts[measure] * 100 / counts[of]
        met = self._year_holds(
            y,
            lambda r: (
                bool(r.counts.get(of)) and r.counts.get(measure, 0) * 100 >= minimum * r.counts[of]
            ),
        )
        return Reason(
            met,
            f"Năm {y}: “{measure}” {fmt_number(share)} % của “{of}”, cần ≥ {fmt_number(minimum)} %",
            f"{y}: “{measure}” {fmt_number(share, 'en')} % of “{of}”; needs ≥ "
            f"{fmt_number(minimum, 'en')} %",
            c.cite,
        )

    def _member_count(self, c: Condition) -> Reason:
        y, measure, minimum = self.year, c.params["measure"], float(c.params["min"])
        record = self._record(y)
        got = record.counts.get(measure) if record else None
        met = self._year_holds(y, lambda r: r.counts.get(measure, 0) >= minimum)
        shown = fmt_number(got) if got is not None else "chưa có số liệu"
        shown_en = fmt_number(got, "en") if got is not None else "no figure"
        return Reason(
            met,
            f"Năm {y}: “{measure}” {shown}, cần ≥ {fmt_number(minimum)}",
            f"{y}: “{measure}” {shown_en}; needs ≥ {fmt_number(minimum, 'en')}",
            c.cite,
        )

    def _any_of(self, c: Condition) -> Reason:
        parts = [self.reason(sub) for sub in c.conditions]
        met = [p for p in parts if p.met]
        shown = met[:1] if met else parts
        return Reason(
            bool(met),
            ("Đạt: " if met else "Chưa đạt điều kiện nào: ") + "; hoặc ".join(p.vi for p in shown),
            ("Met: " if met else "None met: ") + "; or ".join(p.en for p in shown),
            c.cite,
        )

    def _eligible_for(self, c: Condition) -> Reason:
        other = self.rules.awards[c.params["award"]]
        parts = [self.reason(sub) for sub in other.conditions]
        failed = [p for p in parts if not p.met]
        if not failed:
            return Reason(
                True,
                f"Đạt tiêu chuẩn {other.name} năm {self.year}",
                f"Meets the standard of {other.name_en} for {self.year}",
                c.cite or other.cite,
            )
        return Reason(
            False,
            f"Chưa đạt tiêu chuẩn {other.name}: {failed[0].vi}",
            f"Does not meet the standard of {other.name_en}: {failed[0].en}",
            c.cite or other.cite,
        )

    def not_awarded_twice(self, kind: AwardKind) -> Reason:
        same = [
            a
            for a in self.history.awards
            if a.award == kind.code and a.year == self.year and not a.revoked
        ]
        if same:
            return Reason(
                False,
                f"Đã được {kind.name} cho thành tích năm {self.year}{_decision(same[0])}",
                f"Already received {kind.name_en} for {self.year}{_decision(same[0])}",
                LAW_ARTICLE_5,
            )
        return Reason(
            True,
            f"Chưa được {kind.name} cho thành tích năm {self.year}",
            f"Not yet awarded {kind.name_en} for {self.year}",
            LAW_ARTICLE_5,
        )

    # --- words -----------------------------------------------------------------------------

    def _name(self, code: str, language: str) -> str:
        kind = self.rules.awards.get(code)
        if kind is None:
            return code
        return kind.name_en if language == "en" else kind.name

    def _award_names(self, codes: list[str]) -> tuple[str, str]:
        return (
            " hoặc ".join(self._name(c, "vi") for c in codes),
            " or ".join(self._name(c, "en") for c in codes),
        )


def _decision(record: AwardRecord) -> str:
    return f" (QĐ {record.decision})" if record.decision else ""


def _streak_reason(
    marks: list[tuple[int, bool]],
    n: int,
    what_vi: str,
    what_en: str,
    cite: str,
    *,
    missing_vi: str,
    missing_en: str,
) -> Reason:
    met = all(ok for _y, ok in marks)
    years_vi = ", ".join(f"{y} {'có' if ok else missing_vi}" for y, ok in marks)
    years_en = ", ".join(f"{y} {'yes' if ok else missing_en}" for y, ok in marks)
    if met:
        return Reason(
            True,
            f"Đủ {n} năm liên tục {what_vi}: {years_vi}",
            f"{n} consecutive years {what_en}: {years_en}",
            cite,
        )
    return Reason(
        False,
        f"Chưa đủ {n} năm liên tục {what_vi}: {years_vi}",
        f"Not {n} consecutive years {what_en}: {years_en}",
        cite,
    )
