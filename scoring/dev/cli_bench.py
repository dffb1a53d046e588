"""The what-if tool on a national file (#18 item 4): `manage.py score` on 5,000 members × 40
criteria with two years of figures (400,000 figure rows), timed as a whole process next to a lean
vectorised scorer of the same files (the csv module into numpy columns, the measures as column
arithmetic, the rules, the ranking, the JSON) — the yardstick — and checked to give the same
ranking. Used by `manage.py bench_cli`."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

YEAR = 2025
# (rule, kind, measure shape) for criterion k, in turn: counts and growths, proportional and
# threshold, a few bonus and deduction items — the rules a national scheme mostly uses.
_SHAPES = (
    ("proportional", "regular", "count"),
    ("threshold", "regular", "count"),
    ("proportional", "regular", "growth"),
    ("threshold", "regular", "growth"),
    ("proportional", "bonus", "count"),
    ("proportional", "deduction", "count"),
    ("proportional", "regular", "count"),
    ("threshold", "regular", "count"),
)


def criteria(count: int) -> list[dict]:
    out = []
    for k in range(count):
        rule, kind, shape = _SHAPES[k % len(_SHAPES)]
        out.append(
            {
                "code": f"{k // 10 + 1}.{k % 10 + 1}",
                "element": f"e{k}",
                "rule": rule,
                "kind": kind,
                "growth": shape == "growth",
                "target": 8.0 if shape == "growth" else 20.0,
                "points": 2.5,
            }
        )
    return out


def write_files(folder: Path, *, members: int, count: int, seed: int = 1) -> tuple[Path, Path]:
    """The scheme file and the figures file (unit,year,element,value), two years."""
    items = criteria(count)
    lines = [
        "format: emulation-scheme/1",
        "name: Bench quốc gia",
        f"scale: {sum(c['points'] for c in items if c['kind'] == 'regular')}",
        "data_elements:",
    ]
    for c in items:
        lines += [
            f"  - code: {c['element']}",
            f"    name: Chỉ số {c['element']}",
            "    type: integer",
        ]
    lines.append("criteria:")
    for c in items:
        measure = (
            f"({c['element']} - prev({c['element']})) / prev({c['element']}) * 100"
            if c["growth"]
            else c["element"]
        )
        lines += [
            f"  - code: '{c['code']}'",
            f"    group: Nội dung {c['code'].split('.')[0]}",
            f"    name: Tiêu chí {c['code']}",
            f"    measure: '{measure}'",
            f"    target: {c['target']}",
            f"    points: {c['points']}",
            f"    rule: {c['rule']}",
            f"    kind: {c['kind']}",
        ]
    scheme = folder / "scheme.yaml"
    scheme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = random.Random(seed)
    figures = folder / "figures.csv"
    with figures.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["unit", "year", "element", "value"])
        for i in range(members):
            for year in (YEAR - 1, YEAR):
                for c in items:
                    if rng.random() < 0.01:
                        continue  # a missing figure now and then
                    writer.writerow([f"U{i:05d}", year, c["element"], rng.randint(0, 40)])
    return scheme, figures


def lean_score(scheme_path: Path, figures_path: Path, out_path: Path, count: int) -> None:
    """The yardstick: the same rules as the engine for this scheme, as numpy column arithmetic."""
    import numpy as np

    items = criteria(count)
    element_index = {c["element"]: k for k, c in enumerate(items)}
    units: dict[str, int] = {}
    rows_u, rows_y, rows_e, rows_v = [], [], [], []
    with figures_path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        for unit, year, element, value in reader:
            rows_u.append(units.setdefault(unit, len(units)))
            rows_y.append(int(year) - YEAR + 1)  # 0: the year before, 1: this year
            rows_e.append(element_index[element])
            rows_v.append(float(value))
    n = len(units)
    grid = np.full((2, n, count), np.nan)
    grid[np.array(rows_y), np.array(rows_u), np.array(rows_e)] = np.array(rows_v)
    now, before = grid[1], grid[0]
    regular = np.zeros(n)
    bonus = np.zeros(n)
    deduction = np.zeros(n)
    for k, c in enumerate(items):
        if c["growth"]:
            with np.errstate(divide="ignore", invalid="ignore"):
                actual = (now[:, k] - before[:, k]) / before[:, k] * 100
            actual[~np.isfinite(actual)] = np.nan
        else:
            actual = now[:, k]
        ratio = actual / c["target"]
        if c["rule"] == "proportional":
            earned = np.clip(c["points"] * np.minimum(ratio, 1.0), 0.0, c["points"])
        else:
            earned = np.where(ratio >= 1.0 - 1e-9, c["points"], 0.0)
        present = ~np.isnan(actual)
        earned = np.where(present, np.nan_to_num(earned), 0.0)
        if c["kind"] == "deduction":
            deduction += np.where(present, c["points"] - earned, 0.0)
        elif c["kind"] == "bonus":
            bonus += earned
        else:
            regular += earned
    total = regular + bonus - deduction
    codes = list(units)
    order = sorted(range(n), key=lambda i: (-round(float(total[i]), 6), codes[i]))
    ranking = []
    rank = 0
    for position, i in enumerate(order):
        if not position or round(float(total[i]), 6) != round(float(total[order[position - 1]]), 6):
            rank = position + 1
        ranking.append({"rank": rank, "unit": codes[i], "total": round(float(total[i]), 2)})
    out_path.write_text(json.dumps({"year": YEAR, "ranking": ranking}), encoding="utf-8")


def timed(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system: what a busy machine does not inflate) and the
    peak memory (MB) of a whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 — our own commands
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)  # this child's own usage
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def manage(*args: str) -> list[str]:
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]


def same_ranking(engine_json: Path, lean_json: Path) -> bool:
    engine = json.loads(engine_json.read_text(encoding="utf-8"))["ranking"]
    lean = json.loads(lean_json.read_text(encoding="utf-8"))["ranking"]
    return [(r["rank"], r["unit"]) for r in engine] == [
        (r["rank"], r["unit"]) for r in lean
    ] and all(abs(a["total"] - b["total"]) < 0.011 for a, b in zip(engine, lean, strict=True))
