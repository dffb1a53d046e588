"""Classification bands: which band a member reaches, and why — as data and as sentences.

`classify` is the only place a band is decided, so the band shown and its explanation cannot
disagree. It checks the bands in scheme order, as the scheme format says: the first band whose
conditions all hold is the member's; for each band above it the explanation keeps the first
condition that failed (the total, then the floor on every regular criterion); a knockout
criterion not met leaves the member without any band. The sentences are written on read, in the
reader's language (`band_explanation_lines`), from the numbers kept in the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from scoring.engine.explain import templates
from scoring.engine.numbers import fmt_number
from scoring.engine.rules import EPS
from scoring.engine.types import Band, BandCheck, BandExplanation

# The same tolerance on totals as the ranking (totals are compared after rounding to 6 places).
TOTAL_EPS = 1e-6

NO_CLASSIFICATION = BandExplanation(band=None, checks=())


class _BandFields(TypedDict):
    """What every check of one band says, whatever its outcome."""

    band: str
    min_total: float
    min_each: float | None
    total: float


def classify(
    bands: Sequence[Band],
    *,
    total: float,
    shares: Sequence[tuple[str, str, float]],
    knockout: tuple[str, str] | None = None,
) -> BandExplanation:
    """The band of one member and the checks behind it.

    `shares`: (code, name, share of its points earned) of every regular criterion with points,
    in scheme order; `knockout`: (code, name) of the first knockout criterion not met, if any.
    """
    if not bands:
        return NO_CLASSIFICATION
    checks = []
    for band in bands:
        min_total = float(band.min_total)
        min_each = None if band.min_each is None else float(band.min_each)
        common: _BandFields = {
            "band": band.band,
            "min_total": min_total,
            "min_each": min_each,
            "total": total,
        }
        if knockout is not None:
            code, name = knockout
            checks.append(
                BandCheck(**common, reached=False, failed="knockout", criterion=code, name=name)
            )
            continue
        if total < min_total - TOTAL_EPS:
            checks.append(BandCheck(**common, reached=False, failed="min_total"))
            continue
        if min_each is not None:
            below = [s for s in shares if s[2] < min_each - EPS]
            if below:
                code, name, share = below[0]
                checks.append(
                    BandCheck(
                        **common,
                        reached=False,
                        failed="min_each",
                        criterion=code,
                        name=name,
                        share=share,
                        others=len(below) - 1,
                    )
                )
                continue
            if shares:
                code, name, share = min(shares, key=lambda s: s[2])  # the first of the lowest
                checks.append(
                    BandCheck(
                        **common,
                        reached=True,
                        failed=None,
                        criterion=code,
                        name=name,
                        share=share,
                    )
                )
                return BandExplanation(band=band.band, checks=tuple(checks))
        checks.append(BandCheck(**common, reached=True, failed=None))
        return BandExplanation(band=band.band, checks=tuple(checks))
    return BandExplanation(band=None, checks=tuple(checks))


def _percent(share: float, language: str) -> str:
    # "50 %": the space as the cluster's documents write a share of points.
    return fmt_number(share * 100.0, language) + " %"


def _short_of(value: float, bound: float, language: str) -> str:
    """`value`, which fell short of `bound`, written so that it reads short of it: 89.996 is
    "89,996", not "90", next to "≥ 90" (up to 6 decimals, only where 2 would hide it)."""
    text = fmt_number(value, language)
    if text != fmt_number(bound, language):
        return text
    whole, _, frac = f"{value:.6f}".partition(".")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", "." if language == "vi" else ",")
    return grouped + ("," if language == "vi" else ".") + frac if frac else grouped


def _percent_short_of(share: float, floor: float, language: str) -> str:
    return _short_of(share * 100.0, floor * 100.0, language) + " %"


def band_explanation_lines(explanation: BandExplanation | None, language: str = "vi") -> list[str]:
    """The explanation as sentences in `language` ("vi" or "en"); [] when there is none."""
    if explanation is None:
        return []
    t = templates(language)
    lang = "en" if language == "en" else "vi"

    def num(x: float) -> str:
        return fmt_number(x, lang)

    if not explanation.checks:
        return [t["band_no_classification"]]
    first = explanation.checks[0]
    if first.failed == "knockout":
        # Eligibility is one condition for every band: said once, not once per band.
        return [t["band_knockout"].format(criterion=first.criterion, name=first.name)]
    lines = []
    for c in explanation.checks:
        each = (
            t["band_needs_each"].format(min_each=_percent(c.min_each, lang))
            if c.min_each is not None
            else ""
        )
        if c.reached:
            text = (
                t["band_reached"].format(
                    band=c.band, total=num(c.total), min_total=num(c.min_total)
                )
                + each
            )
            if c.min_each is not None and c.criterion is not None and c.share is not None:
                text += t["band_reached_lowest"].format(
                    criterion=c.criterion, name=c.name, share=_percent(c.share, lang)
                )
            lines.append(text)
            continue
        text = t["band_needs"].format(band=c.band, min_total=num(c.min_total)) + each
        if c.failed == "min_each" and c.share is not None:
            text += t["band_failed_each"].format(
                criterion=c.criterion,
                name=c.name,
                share=_percent_short_of(c.share, c.min_each or 0.0, lang),
            )
            if c.others:
                key = "band_failed_each_others_many" if c.others > 1 else "band_failed_each_others"
                text += t[key].format(others=c.others)
        else:
            text += t["band_failed_total"].format(total=_short_of(c.total, c.min_total, lang))
        lines.append(text)
    if explanation.band is None:
        lines.append(t["band_none"])
    return lines
