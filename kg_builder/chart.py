"""`kg chart`: one indicator's targets (a band for a range) and reported values over time.

Reads `ObsRecord`s (consistency.load_records, i.e. the built graph). Values are drawn in one
unit (the unit most of the indicator's values use; values in another unit of the same base
are converted, values of another base are left out and said so in the note under the chart).
One area at a time (the one with most values, or the one asked for). Labels are Vietnamese.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

from .consistency import ObsRecord
from .errors import KGError

MEASURE_VI = {"target": "Mục tiêu", "estimate": "Ước thực hiện", "result": "Kết quả thực hiện"}
BOUND_VI = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def _mid(a: dt.date, b: dt.date) -> dt.date:
    return a + (b - a) / 2


def choose_area(records: list[ObsRecord], area: str | None) -> str | None:
    if area:
        return area
    counts = Counter(r.area for r in records if r.measure in MEASURE_VI)
    return counts.most_common(1)[0][0] if counts else None


def draw(records: list[ObsRecord], output: Path, area: str | None = None, title: str | None = None) -> Path:
    """Write the chart of one indicator's records to `output` (.png or .svg)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise KGError(f"{output}: the chart is written as .png or .svg")
    records = [r for r in records if r.measure in MEASURE_VI and r.period_start and r.period_end]
    if not records:
        raise KGError("no targets or reported values to chart for this indicator")
    area = choose_area(records, area)
    left_out_areas = sorted({r.area.rsplit("/", 1)[-1] for r in records if r.area and r.area != area})
    records = [r for r in records if r.area == area]
    # one display unit: the most used unit among the values; same-base values converted
    units = Counter((r.unit, r.base_unit) for r in records if r.unit)
    (unit, base_unit), _ = units.most_common(1)[0] if units else ((None, None), 0)
    unit_label = next((r.unit_vi for r in records if r.unit == unit and r.unit_vi), "") or ""
    factor_of: dict[str, Decimal] = {}
    for r in records:
        if r.value is not None and r.base_value is not None and r.value != 0:
            factor_of[r.unit or ""] = r.base_value / r.value
    display_factor = factor_of.get(unit or "", Decimal(1))
    kept, skipped = [], 0
    for r in records:
        if unit is None or r.unit == unit:
            kept.append((r, Decimal(1)))
        elif r.base_unit == base_unit and (r.unit or "") in factor_of and display_factor:
            kept.append((r, factor_of[r.unit or ""] / display_factor))
        else:
            skipped += 1
    if not kept:
        raise KGError("no values in a common unit to chart")

    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=110)
    labels_done: set[str] = set()

    def once(label: str) -> str | None:
        if label in labels_done:
            return None
        labels_done.add(label)
        return label

    def num(v: Decimal | None, k: Decimal) -> float | None:
        return None if v is None else float(v * k)

    seen_targets: set[tuple] = set()
    for r, k in kept:
        if r.measure != "target":
            continue
        key = (r.period_start, r.period_end, r.value, r.lower, r.upper, r.bound)
        if key in seen_targets:
            continue
        seen_targets.add(key)
        x0, x1 = r.period_start, r.period_end
        lo, hi, v = num(r.lower, k), num(r.upper, k), num(r.value, k)
        if r.bound == "range" and lo is not None and hi is not None:
            ax.fill_between([x0, x1], [lo, lo], [hi, hi], color="tab:green", alpha=0.18, step="post",
                            label=once("Mục tiêu (khoảng)"))
            ax.hlines([lo, hi], x0, x1, colors="tab:green", linewidth=1)
            ax.annotate(r.value_text, (_mid(x0, x1), hi), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=8, color="tab:green")
        elif v is not None:
            ax.hlines(v, x0, x1, colors="tab:green", linewidth=2.2, label=once("Mục tiêu"))
            ax.annotate(r.value_text, (_mid(x0, x1), v), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=8, color="tab:green")
        elif lo is not None or hi is not None:
            y = lo if lo is not None else hi
            ax.hlines(y, x0, x1, colors="tab:green", linewidth=1.6, linestyles="dashed",
                      label=once("Mục tiêu (ngưỡng)"))
            ax.annotate(f"{BOUND_VI.get(r.bound, '')} {r.value_text.lstrip('<>≥≤ ')}", (_mid(x0, x1), y),
                        textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8, color="tab:green")
    seen_points: set[tuple] = set()
    for r, k in kept:
        if r.measure == "target":
            continue
        point = (r.measure, r.period_start, r.period_end, r.value, r.lower, r.upper)
        if point in seen_points:       # the same value stated twice (prose and table): drawn once
            continue
        seen_points.add(point)
        v = num(r.value, k)
        if v is None:
            lo, hi = num(r.lower, k), num(r.upper, k)
            v = lo if lo is not None else hi
        if v is None:
            continue
        estimate = r.measure == "estimate"
        color = "tab:orange" if estimate else "tab:blue"
        x = r.period_end
        if (r.period_end - r.period_start).days > 400:      # a multi-year value: a segment
            ax.hlines(v, r.period_start, r.period_end, colors=color, linewidth=1, linestyles="dotted")
        ax.plot([x], [v], marker="o", markersize=7, linestyle="none", color=color,
                markerfacecolor="white" if estimate else color, label=once(MEASURE_VI[r.measure]))
        ax.annotate(f"{r.value_text} ({r.period_label})", (x, v), textcoords="offset points", xytext=(5, -11),
                    fontsize=7, color=color)

    indicator = records[0].indicator_vi
    area_name = (area or "").rsplit("/", 1)[-1]
    ax.set_title(title or f"{indicator}" + (f" — {area_name}" if area_name else ""), fontsize=12)
    ax.set_ylabel(f"Giá trị ({unit_label})" if unit_label else "Giá trị")
    ax.set_xlabel("Thời gian (kỳ báo cáo / kỳ kế hoạch)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    notes = []
    if skipped:
        notes.append(f"{skipped} giá trị theo đơn vị khác không vẽ")
    if left_out_areas:
        notes.append("địa bàn khác không vẽ: " + ", ".join(left_out_areas))
    notes.append("nguồn: " + ", ".join(sorted({r.source_name for r, _ in kept})))
    fig.text(0.01, 0.01, "; ".join(notes), fontsize=7, color="dimgray")
    fig.autofmt_xdate()
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".chart-", suffix=suffix, dir=str(output.parent))
    os.close(fd)
    try:
        fig.savefig(tmp, format=suffix[1:])
        os.replace(tmp, output)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return output
