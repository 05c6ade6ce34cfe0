"""Reporting periods named in Vietnamese: month, quarter, six months, nine months, year,
multi-year period ("giai đoạn 2021 - 2025") and year-to-date ("đến hết 31/3/2023").

`find_periods(text, default_year)` returns every period expression in a text with its span;
a year-less expression ("quý I", "6 tháng đầu năm") takes the next explicit year written in
the same text ("quý I, nhiệm vụ quý II năm 2023"), else `default_year`, else it is skipped.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass(frozen=True)
class Period:
    kind: str            # month | quarter | half | nine-months | year | multi-year | to-date
    start: dt.date
    end: dt.date
    label: str           # Vietnamese label, e.g. "quý I/2023"

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def year(self) -> int:
        """The reference year: the year of the period's end."""
        return self.end.year

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def as_json(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "label": self.label}


def year_period(y: int) -> Period:
    return Period("year", dt.date(y, 1, 1), dt.date(y, 12, 31), f"năm {y}")


def multi_year(a: int, b: int) -> Period:
    return Period("multi-year", dt.date(a, 1, 1), dt.date(b, 12, 31), f"giai đoạn {a} - {b}")


def quarter(q: int, y: int) -> Period:
    m0 = 3 * (q - 1) + 1
    last = calendar.monthrange(y, m0 + 2)[1]
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[q]
    return Period("quarter", dt.date(y, m0, 1), dt.date(y, m0 + 2, last), f"quý {roman}/{y}")


def month(m: int, y: int) -> Period:
    return Period("month", dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1]), f"tháng {m:02d}/{y}")


def half(first: bool, y: int) -> Period:
    if first:
        return Period("half", dt.date(y, 1, 1), dt.date(y, 6, 30), f"6 tháng đầu năm {y}")
    return Period("half", dt.date(y, 7, 1), dt.date(y, 12, 31), f"6 tháng cuối năm {y}")


def nine_months(y: int) -> Period:
    return Period("nine-months", dt.date(y, 1, 1), dt.date(y, 9, 30), f"9 tháng năm {y}")


def to_date(end: dt.date) -> Period:
    return Period("to-date", dt.date(end.year, 1, 1), end, f"đến {end.day:02d}/{end.month:02d}/{end.year}")


_Y = r"(?:19|20)\d{2}"
_YEAR_SUFFIX = rf"(?:\s*/\s*|\s+năm\s+)(?P<y>{_Y})"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("multi", re.compile(rf"(?:giai đoạn|thời kỳ|kế hoạch\s+5\s+năm|5\s+năm|nhiệm kỳ)\s*(?P<a>{_Y})\s*[-–]\s*(?P<b>{_Y})", re.I)),
    ("multi", re.compile(rf"\b(?P<a>{_Y})\s*[-–]\s*(?P<b>{_Y})\b")),
    ("todate", re.compile(rf"(?:đến hết|đến|tính đến|tới)\s+(?:ngày\s+)?(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>{_Y})", re.I)),
    ("todate_q", re.compile(rf"(?:đến\s+)?hết\s+quý\s+(?P<q>IV|III|II|I|[1-4])(?:{_YEAR_SUFFIX})?", re.I)),
    ("todate_m", re.compile(rf"(?:đến\s+)?hết\s+tháng\s+(?P<m>\d{{1,2}})(?:{_YEAR_SUFFIX})?", re.I)),
    ("quarter", re.compile(rf"quý\s+(?P<q>IV|III|II|I|[1-4])\b(?:{_YEAR_SUFFIX})?", re.I)),
    ("half1", re.compile(rf"6\s+tháng\s+đầu\s+năm(?:\s+(?P<y>{_Y}))?|6\s+tháng(?:\s+năm)?\s+(?P<y2>{_Y})", re.I)),
    ("half2", re.compile(rf"6\s+tháng\s+cuối\s+năm(?:\s+(?P<y>{_Y}))?", re.I)),
    ("nine", re.compile(rf"9\s+tháng(?:\s+đầu)?(?:\s+năm)?(?:\s+(?P<y>{_Y}))?", re.I)),
    ("month", re.compile(rf"tháng\s+(?P<m>0?[1-9]|1[0-2])(?:{_YEAR_SUFFIX})?(?!\d)", re.I)),
    ("year", re.compile(rf"(?:cả\s+năm|hết\s+năm|năm|đến năm)\s+(?P<y>{_Y})", re.I)),
    ("year", re.compile(r"(?:cả|hết)\s+năm(?!\s+(?:học|\d))", re.I)),
    ("half1", re.compile(r"6\s+tháng\b", re.I)),
]
_EXPLICIT_YEAR = re.compile(rf"(?:năm\s+|/)(?P<y>{_Y})\b")


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    period: Period


def _next_year(text: str, pos: int) -> int | None:
    """The explicit year written just after a year-less period ("quý I, ... quý II năm 2023")."""
    m = _EXPLICIT_YEAR.search(text, pos, pos + 60)
    if not m or re.search(r"so\s+với|[;.]", text[pos:m.start()]):
        return None
    return int(m.group("y"))


def find_periods(text: str, default_year: int | None = None) -> list[PeriodMention]:
    """Every period expression in `text`, non-overlapping, in order of position."""
    found: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in PATTERNS:
        for m in pat.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            gd = m.groupdict()
            y = gd.get("y") or gd.get("y2")
            year = int(y) if y else (_next_year(text, e) or default_year)
            try:
                p = _make(kind, gd, year)
            except (ValueError, KeyError):
                p = None
            if p is None:
                continue
            taken.append((s, e))
            found.append(PeriodMention(s, e, p))
    found.sort(key=lambda pm: pm.start)
    return found


def _make(kind: str, gd: dict, year: int | None) -> Period | None:
    if kind == "multi":
        a, b = int(gd["a"]), int(gd["b"])
        return multi_year(a, b) if a < b <= a + 30 else None
    if kind == "todate":
        return to_date(dt.date(int(gd["y"]), int(gd["m"]), int(gd["d"])))
    if year is None:
        return None
    if kind == "todate_q":
        q = ROMAN.get(gd["q"].upper()) or int(gd["q"])
        return to_date(quarter(q, year).end)
    if kind == "todate_m":
        return to_date(month(int(gd["m"]), year).end)
    if kind == "quarter":
        q = ROMAN.get(gd["q"].upper()) or int(gd["q"])
        return quarter(q, year)
    if kind == "half1":
        return half(True, year)
    if kind == "half2":
        return half(False, year)
    if kind == "nine":
        return nine_months(year)
    if kind == "month":
        return month(int(gd["m"]), year)
    if kind == "year":
        return year_period(year)
    return None


def last_period(text: str, default_year: int | None = None) -> Period | None:
    found = find_periods(text, default_year)
    return found[-1].period if found else None


def first_period(text: str, default_year: int | None = None) -> Period | None:
    found = find_periods(text, default_year)
    return found[0].period if found else None
