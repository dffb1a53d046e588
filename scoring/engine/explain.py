"""Every sentence the engine writes, in Vietnamese and English, in one place for review.

A line reads: head → comparison → points (rule), then optional notes; e.g.
"Chỉ tiêu 8%, đạt 6,1% → bằng 0,76 lần chỉ tiêu → 7,63/10 điểm (tính theo tỷ lệ)".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scoring.engine.numbers import fmt_number, with_unit
from scoring.engine.types import Criterion

VI: Mapping[str, str] = {
    # heads
    "head_higher": "Chỉ tiêu {target}, đạt {actual}",
    "head_lower": "Chỉ tiêu tối đa {target}, thực tế {actual}",
    "head_no_target": "Đạt {actual}",
    # comparisons
    "ratio": "bằng {ratio} lần chỉ tiêu",
    "met": "đạt chỉ tiêu",
    "not_met": "không đạt chỉ tiêu",
    # points
    "points_regular": "{points}/{max} điểm",
    "points_bonus": "{points}/{max} điểm thưởng",
    "points_deduction": "trừ {points}/{max} điểm",
    "points_no_deduction": "không bị trừ điểm",
    # rules
    "rule_threshold": "đạt/không đạt",
    "rule_threshold_else": "đạt/không đạt; không đạt được {else_points} điểm",
    "rule_proportional": "tính theo tỷ lệ",
    "rule_proportional_floor": "tính theo tỷ lệ; dưới {floor} lần chỉ tiêu không có điểm",
    "rule_bands_hit": "theo mức: từ {min_ratio} lần chỉ tiêu được {band_points} điểm",
    "rule_bands_none": "theo mức: chưa đạt mức thấp nhất {min_ratio} lần chỉ tiêu",
    "rule_relative": "so với đơn vị dẫn đầu, đạt {best} lần chỉ tiêu",
    "rule_relative_actual": "so với đơn vị dẫn đầu, đạt {best}",
    "rule_relative_none": "so với đơn vị dẫn đầu; chưa đơn vị nào có kết quả dương",
    "rule_relative_plain": "so với đơn vị dẫn đầu",
    "rule_formula": "theo công thức",
    # per_item: "3 lần chậm báo cáo × 2 điểm = trừ 6 điểm (tối đa 10)"
    "per_item": "{count} × {each} = {amount} (tối đa {max})",
    "per_item_capped": "{count} × {each} = {raw} → {amount} (tối đa {max})",
    "per_item_groups": "{count} → {groups} lần {per}",
    "per_item_points": "{points} điểm",
    "per_item_regular": "{points} điểm",
    "per_item_bonus": "cộng {points} điểm thưởng",
    "per_item_deduction": "trừ {points} điểm",
    # situations
    "missing": "Thiếu số liệu: {element} — 0/{max} điểm",
    "missing_deduction": "Thiếu số liệu: {element} — không trừ điểm",
    "division_by_zero": "Không tính được: chia cho 0 — 0/{max} điểm",
    "division_by_zero_deduction": "Không tính được: chia cho 0 — không trừ điểm",
    "overflow": "Không tính được: giá trị vượt giới hạn — 0/{max} điểm",
    "overflow_deduction": "Không tính được: giá trị vượt giới hạn — không trừ điểm",
    "missing_target": "Chưa có chỉ tiêu — 0/{max} điểm",
    "missing_target_deduction": "Chưa có chỉ tiêu — không trừ điểm",
    "formula_missing": "Công thức tính điểm không tính được ({reason}) — 0/{max} điểm",
    "manual": "Chấm trực tiếp: {points_text} — {reason}",
    "manual_missing": "Chưa nhập điểm chấm trực tiếp — 0/{max} điểm",
    "manual_clamped": " (điểm nhập {entered} nằm ngoài khoảng 0–{max}, lấy {points})",
    "adjusted": " — tính được {computed}, Ban thư ký điều chỉnh thành {set}: {reason}",
    "knockout": "; tiêu chí bắt buộc không đạt — đơn vị không đủ điều kiện xếp loại",
    # warnings
    "w_missing_figure": "Thiếu số liệu {element} năm {year}",
    "w_division_by_zero": "Không tính được {criterion}: chia cho 0",
    "w_overflow": "Không tính được {criterion}: giá trị vượt giới hạn",
    "w_missing_target": "Tiêu chí {criterion} chưa có chỉ tiêu",
    "w_no_report": "Đơn vị chưa có số liệu nào cho năm {year}",
    "w_never_met": "Không đơn vị nào đạt tiêu chí {criterion}",
    "w_unreachable_target": (
        "Chỉ tiêu {target} không thể đạt với số liệu đã báo cáo: "
        "kể cả khi {bounds} thì chỉ đạt {best}"
    ),
    "w_target_above_100": "Chỉ tiêu {target} của tiêu chí {criterion} vượt quá 100%",
    "w_prev_partial": "Số liệu năm {year} của {element} thiếu ở đơn vị {units}; đã cộng phần còn lại",
    "w_manual_missing": "Tiêu chí {criterion} chưa được chấm điểm trực tiếp",
    "w_manual_out_of_range": "Điểm nhập {entered} cho {criterion} ngoài khoảng 0–{max}; lấy {points}",
    "w_figure_out_of_range": "Số liệu {element} = {value} vượt giới hạn {bound}",
    # classification (why a member has its band)
    "band_needs": "{band} cần tổng ≥ {min_total}",
    "band_needs_each": " và mỗi tiêu chí ≥ {min_each} số điểm",
    "band_failed_total": ": tổng {total}",
    "band_failed_each": ": {criterion} ({name}) đạt {share}",
    "band_failed_each_others": " và {others} tiêu chí khác dưới mức này",
    "band_failed_each_others_many": " và {others} tiêu chí khác dưới mức này",
    "band_knockout": "Không được xếp loại: tiêu chí bắt buộc {criterion} ({name}) không đạt",
    "band_reached": "Đạt “{band}”: tổng {total} ≥ {min_total}",
    "band_reached_lowest": " (thấp nhất: {criterion} ({name}) đạt {share})",
    "band_none": "Chưa đạt xếp loại nào",
    "band_no_classification": "Thang điểm không quy định xếp loại",
}

EN: Mapping[str, str] = {
    "head_higher": "target {target}, achieved {actual}",
    "head_lower": "target at most {target}, actual {actual}",
    "head_no_target": "achieved {actual}",
    "ratio": "{ratio} of target",
    "met": "target met",
    "not_met": "target not met",
    "points_regular": "{points} of {max} points",
    "points_bonus": "{points} of {max} bonus points",
    "points_deduction": "{points} of {max} points deducted",
    "points_no_deduction": "no points deducted",
    "rule_threshold": "all or nothing",
    "rule_threshold_else": "all or nothing; {else_points} points when not met",
    "rule_proportional": "proportional",
    "rule_proportional_floor": "proportional; nothing below {floor} of target",
    "rule_bands_hit": "bands: from {min_ratio} of target, {band_points} points",
    "rule_bands_none": "bands: below the lowest band at {min_ratio} of target",
    "rule_relative": "relative to the leader at {best} of target",
    "rule_relative_actual": "relative to the leader at {best}",
    "rule_relative_none": "relative to the leader; no member has a positive result",
    "rule_relative_plain": "relative to the leader",
    "rule_formula": "by formula",
    "per_item": "{count} × {each} = {amount} (at most {max})",
    "per_item_capped": "{count} × {each} = {raw} → {amount} (at most {max})",
    "per_item_groups": "{count} → {groups} × {per}",
    "per_item_points": "{points} points",
    "per_item_points_one": "{points} point",
    "per_item_regular": "{points} points",
    "per_item_regular_one": "{points} point",
    "per_item_bonus": "{points} bonus points",
    "per_item_bonus_one": "{points} bonus point",
    "per_item_deduction": "{points} points deducted",
    "per_item_deduction_one": "{points} point deducted",
    "missing": "missing figure: {element} — 0 of {max} points",
    "missing_deduction": "missing figure: {element} — nothing deducted",
    "division_by_zero": "cannot compute: division by zero — 0 of {max} points",
    "division_by_zero_deduction": "cannot compute: division by zero — nothing deducted",
    "overflow": "cannot compute: value out of range — 0 of {max} points",
    "overflow_deduction": "cannot compute: value out of range — nothing deducted",
    "missing_target": "no target set — 0 of {max} points",
    "missing_target_deduction": "no target set — nothing deducted",
    "formula_missing": "the points formula cannot be computed ({reason}) — 0 of {max} points",
    "manual": "scored by the secretariat: {points_text} — {reason}",
    "manual_missing": "not scored by the secretariat yet — 0 of {max} points",
    "manual_clamped": " (entered {entered} is outside 0–{max}, {points} used)",
    "adjusted": " — computed {computed}, set to {set} by the secretariat: {reason}",
    "knockout": "; knockout criterion not met — not eligible for classification",
    "w_missing_figure": "missing figure {element} for {year}",
    "w_division_by_zero": "cannot compute {criterion}: division by zero",
    "w_overflow": "cannot compute {criterion}: value out of range",
    "w_missing_target": "criterion {criterion} has no target",
    "w_no_report": "no figures reported for {year}",
    "w_never_met": "no member met criterion {criterion}",
    "w_unreachable_target": (
        "target {target} cannot be reached with the reported figures: "
        "even with {bounds} the result is {best}"
    ),
    "w_target_above_100": "target {target} of criterion {criterion} is above 100%",
    "w_prev_partial": "{year} figure of {element} missing for {units}; the others were summed",
    "w_manual_missing": "criterion {criterion} has not been scored by the secretariat",
    "w_manual_out_of_range": "entered {entered} for {criterion} is outside 0–{max}; {points} used",
    "w_figure_out_of_range": "figure {element} = {value} is beyond its limit {bound}",
    "band_needs": "{band} needs total ≥ {min_total}",
    "band_needs_each": " and each criterion ≥ {min_each} of its points",
    "band_failed_total": ": total {total}",
    "band_failed_each": ": {criterion} ({name}) reached {share}",
    "band_failed_each_others": " and {others} more criterion below it",
    "band_failed_each_others_many": " and {others} more criteria below it",
    "band_knockout": "No band: knockout criterion {criterion} ({name}) not met",
    "band_reached": "Reached “{band}”: total {total} ≥ {min_total}",
    "band_reached_lowest": " (lowest: {criterion} ({name}) at {share})",
    "band_none": "No band reached",
    "band_no_classification": "The scheme defines no classification",
}

TEMPLATES: Mapping[str, Mapping[str, str]] = {"vi": VI, "en": EN}


def templates(language: str) -> Mapping[str, str]:
    return TEMPLATES.get(language, VI)


def _split(template: str, **fixed: str) -> tuple[str, str]:
    """Format the fixed fields now; return the text before and after the one field left."""
    head, _, tail = template.format(**fixed, value="\x00").partition("\x00")
    return head, tail


class Explainer:
    """Sentences for one criterion; the fixed parts are formatted once, not once per member."""

    def __init__(self, criterion: Criterion, language: str) -> None:
        self.t = t = templates(language)
        self.lang = language if language in TEMPLATES else "vi"
        self.unit = criterion.unit
        self.kind = criterion.kind
        self.max = fmt_number(criterion.points, self.lang)
        self.is_threshold = criterion.rule == "threshold"
        self.direction = criterion.direction
        params = criterion.params
        rule = criterion.rule
        if rule == "threshold" and params.get("else_points"):
            self.rule_text = t["rule_threshold_else"].format(
                else_points=self.num(float(params["else_points"]))
            )
        elif rule in ("threshold", "proportional", "formula"):
            self.rule_text = t[f"rule_{rule}"]
        else:
            self.rule_text = ""  # bands and relative depend on the member
        floor = float(params.get("floor") or 0.0)
        self.floor_text = (
            t["rule_proportional_floor"].format(floor=self.num(floor)) if floor else ""
        )
        self._heads: dict[float | None, tuple[str, str]] = {}
        self._ratio = _split(t["ratio"].replace("{ratio}", "{value}"))
        points_key = {"bonus": "points_bonus", "deduction": "points_deduction"}.get(
            criterion.kind, "points_regular"
        )
        self._points = _split(t[points_key].replace("{points}", "{value}"), max=self.max)
        self._values: dict[float, str] = {}

    def num(self, x: float) -> str:
        return fmt_number(x, self.lang)

    def value(self, x: float) -> str:
        text = self._values.get(x)
        if text is None:
            text = self._values[x] = with_unit(x, self.unit, self.lang)
        return text

    def points_phrase(self, points: float) -> str:
        """`points` is what the member earned (regular/bonus) or lost (deduction)."""
        if self.kind == "deduction" and points == 0.0:
            return self.t["points_no_deduction"]
        head, tail = self._points
        return head + fmt_number(points, self.lang) + tail

    def _head(self, target: float | None) -> tuple[str, str]:
        parts = self._heads.get(target)
        if parts is None:
            if target is None:
                template = self.t["head_no_target"]
                parts = _split(template.replace("{actual}", "{value}"))
            else:
                template = self.t["head_lower" if self.direction == "lower" else "head_higher"]
                parts = _split(template.replace("{actual}", "{value}"), target=self.value(target))
            self._heads[target] = parts
        return parts

    def scored(
        self,
        actual: float,
        target: float | None,
        ratio: float | None,
        met: bool,
        points: float,
        rule_text: str | None = None,
    ) -> str:
        head, tail = self._head(target)
        text = head + self.value(actual) + tail
        if target is not None:
            if ratio is not None and not self.is_threshold:
                before, after = self._ratio
                text += " → " + before + fmt_number(ratio, self.lang) + after
            else:
                text += " → " + (self.t["met"] if met else self.t["not_met"])
        text += " → " + self.points_phrase(points)
        note = rule_text if rule_text is not None else self.rule_text
        return f"{text} ({note})" if note else text

    def missing(self, code: str, element: str | None) -> str:
        suffix = "_deduction" if self.kind == "deduction" else ""
        key = "missing" if code == "missing_figure" else code
        if key not in ("missing", "division_by_zero", "overflow", "missing_target"):
            key = "overflow"
        return self.t[key + suffix].format(element=element or "", max=self.max)

    def formula_missing(self, reason: str) -> str:
        return self.t["formula_missing"].format(reason=reason, max=self.max)

    def manual(self, points: float, reason: str) -> str:
        return self.t["manual"].format(points_text=self.points_phrase(points), reason=reason)

    def manual_missing(self) -> str:
        return self.t["manual_missing"].format(max=self.max)

    def clamped(self, entered: float, points: float) -> str:
        return self.t["manual_clamped"].format(
            entered=self.num(entered), max=self.max, points=self.num(points)
        )

    def adjusted(self, computed: float, set_to: float, reason: str) -> str:
        return self.t["adjusted"].format(
            computed=self.num(computed), set=self.num(set_to), reason=reason
        )

    def knockout(self) -> str:
        return self.t["knockout"]

    def bands(self, min_ratio: float, band_points: float | None) -> str:
        if band_points is None:
            return self.t["rule_bands_none"].format(min_ratio=self.num(min_ratio))
        return self.t["rule_bands_hit"].format(
            min_ratio=self.num(min_ratio), band_points=self.num(band_points)
        )

    def _counted(self, key: str, x: float) -> str:
        """`x` points, in the singular for exactly 1 in English: "1 point", "2 points"."""
        text = self.num(x) if math.isfinite(x) else "∞"  # a count past any float
        if text == "1" and key + "_one" in self.t:
            key += "_one"
        return self.t[key].format(points=text)

    def per_item(
        self,
        actual: float,
        groups: float,
        per: float | None,
        each: float,
        raw: float,
        amount: float,
    ) -> str:
        """The whole line of a per_item criterion: "3 lần chậm báo cáo × 2 điểm = trừ 6 điểm
        (tối đa 10)"; with `per`, the whole groups counted: "1.250 thành viên → 2 lần 500 thành
        viên × 1 điểm = …"; past the cap (or below 0), the product and then what counts."""
        count = self.value(actual)
        if per is not None:
            count = self.t["per_item_groups"].format(
                count=count,
                groups=self.num(groups) if math.isfinite(groups) else "∞",
                per=self.value(per),
            )
        if self.kind == "deduction" and amount == 0.0:
            phrase = self.t["points_no_deduction"]
        else:
            phrase = self._counted(f"per_item_{self.kind}", amount)
        values = {"count": count, "each": self._counted("per_item_points", each), "max": self.max}
        if abs(raw - amount) > 1e-9:
            return self.t["per_item_capped"].format(
                **values, raw=self._counted("per_item_points", raw), amount=phrase
            )
        return self.t["per_item"].format(**values, amount=phrase)

    def relative(self, best: float | None, by_actual: bool) -> str:
        if best is None:
            return self.t["rule_relative_none"]
        if best == float("inf"):
            return self.t["rule_relative_plain"]
        if by_actual:
            return self.t["rule_relative_actual"].format(best=self.value(best))
        return self.t["rule_relative"].format(best=self.num(best))


def warning_text(language: str, code: str, **values: object) -> str:
    return templates(language)["w_" + code].format(**values)
