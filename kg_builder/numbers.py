"""Numbers as Vietnamese documents write them: separators, ranges, bounds, negatives.

Two conventions meet in one corpus: Vietnamese ("26.538 ha", "13,7 %", "1.350,053") and
English ("3,760", "13,592.5"). A number's own form often settles its reading:

- "1.350,053" (both separators) / "1.798.700" (grouped in threes) / "7,5" (one comma, not
  three digits after it) are Vietnamese; "13,592.5" / "96.1" are English;
- "3,760" or "2.590" (one separator, exactly three digits after it) are AMBIGUOUS: 3760 or
  3.76. Their reading comes from the convention of the document or of the table they stand
  in, decided from the unambiguous numbers there (`decide_convention`), never per number.
  When the scope gives no evidence the number is read the Vietnamese way and flagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

VI = "vi"
EN = "en"

# one number: grouped digits with an optional decimal part, or plain digits with a decimal part
NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_NUMBER_RE = re.compile(rf"(?<![\d.,])(?:{NUMBER})(?![\d])")


@dataclass
class NumberForm:
    """What the written form of one number says about its reading."""

    text: str
    kind: str                      # plain | vi | en | ambiguous | invalid
    vi: Decimal | None = None      # the value read the Vietnamese way
    en: Decimal | None = None      # the value read the English way


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def classify(text: str) -> NumberForm:
    """The possible readings of one written number (see the module docstring)."""
    s = text.strip()
    if not re.fullmatch(r"[\d.,]+", s) or not s[0].isdigit() or not s[-1].isdigit():
        return NumberForm(s, "invalid")
    if re.fullmatch(r"\d+", s):
        v = Decimal(s)
        return NumberForm(s, "plain", v, v)
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        last = max(s.rfind("."), s.rfind(","))
        dec_sep = s[last]
        group_sep = "," if dec_sep == "." else "."
        head, tail = s[:last], s[last + 1:]
        if dec_sep in head or not re.fullmatch(rf"\d{{1,3}}(?:\{group_sep}\d{{3}})*", head):
            return NumberForm(s, "invalid")
        v = _dec(head.replace(group_sep, "") + "." + tail)
        return NumberForm(s, VI if dec_sep == "," else EN, v if dec_sep == "," else None,
                          v if dec_sep == "." else None)
    sep = "." if dots else ","
    parts = s.split(sep)
    if len(parts) > 2:
        if re.fullmatch(r"\d{1,3}", parts[0]) and all(re.fullmatch(r"\d{3}", p) for p in parts[1:]):
            v = Decimal("".join(parts))
            return NumberForm(s, VI if sep == "." else EN, v if sep == "." else None, v if sep == "," else None)
        return NumberForm(s, "invalid")
    head, tail = parts
    as_decimal = _dec(f"{head}.{tail}")
    if len(tail) == 3 and 1 <= len(head) <= 3 and head != "0":
        grouped = Decimal(head + tail)
        if sep == ".":
            return NumberForm(s, "ambiguous", grouped, as_decimal)
        return NumberForm(s, "ambiguous", as_decimal, grouped)
    # a decimal separator: "," is Vietnamese, "." English
    if sep == ",":
        return NumberForm(s, VI, as_decimal, None)
    return NumberForm(s, EN, None, as_decimal)


def read(form: NumberForm, convention: str | None) -> tuple[Decimal | None, bool]:
    """(value, ambiguous) of a classified number under a scope's convention."""
    if form.kind == "plain":
        return form.vi, False
    if form.kind == VI:
        return form.vi, False
    if form.kind == EN:
        return form.en, False
    if form.kind == "ambiguous":
        if convention == EN:
            return form.en, False
        if convention == VI:
            return form.vi, False
        return form.vi, True
    return None, True


@dataclass
class Evidence:
    """Counts of unambiguous forms in a scope (a document's prose, or one table)."""

    vi: int = 0
    en: int = 0
    ambiguous: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, text: str) -> None:
        for m in _NUMBER_RE.finditer(text):
            form = classify(m.group(0))
            if form.kind in (VI, EN):
                setattr(self, form.kind, getattr(self, form.kind) + 1)
                self.examples.setdefault(form.kind, [])
                if len(self.examples[form.kind]) < 3:
                    self.examples[form.kind].append(form.text)
            elif form.kind == "ambiguous":
                self.ambiguous += 1

    def add_number(self, number: str) -> None:
        form = classify(number)
        if form.kind in (VI, EN):
            setattr(self, form.kind, getattr(self, form.kind) + 1)
            self.examples.setdefault(form.kind, [])
            if len(self.examples[form.kind]) < 3:
                self.examples[form.kind].append(form.text)
        elif form.kind == "ambiguous":
            self.ambiguous += 1

    def describe(self) -> str:
        return f"vi {self.vi}, en {self.en}, ambiguous {self.ambiguous}"


def decide_convention(evidence: Evidence, ratio: int = 3) -> str | None:
    """The scope's convention: the only one seen, or one seen at least `ratio` times as often."""
    if evidence.vi and not evidence.en:
        return VI
    if evidence.en and not evidence.vi:
        return EN
    if evidence.vi >= ratio * evidence.en and evidence.vi:
        return VI
    if evidence.en >= ratio * evidence.vi and evidence.en:
        return EN
    return None


# --------------------------------------------------------------------------------------------
# values: number, range, bound, negative

@dataclass
class ParsedValue:
    """A value as written, normalised: a number, a range or a bound."""

    text: str                        # the original text of the value
    bound: str                       # eq | range | gt | ge | lt | le | approx
    value: Decimal | None = None     # eq / approx
    lower: Decimal | None = None     # range, gt, ge
    upper: Decimal | None = None     # range, lt, le
    ambiguous: bool = False
    convention: str | None = None    # the convention the reading used when it mattered
    forms: list[str] = field(default_factory=list)   # kinds of the numbers read

    def numbers(self) -> list[Decimal]:
        return [v for v in (self.value, self.lower, self.upper) if v is not None]

    def point(self) -> Decimal | None:
        """A single representative number: the value, else the middle of a range, else the bound."""
        if self.value is not None:
            return self.value
        if self.lower is not None and self.upper is not None:
            return (self.lower + self.upper) / 2
        return self.lower if self.lower is not None else self.upper

    def scaled(self, factor: Decimal) -> "ParsedValue":
        def mul(v: Decimal | None) -> Decimal | None:
            return None if v is None else v * factor
        return ParsedValue(self.text, self.bound, mul(self.value), mul(self.lower), mul(self.upper),
                           self.ambiguous, self.convention, list(self.forms))


_GT_WORDS = r"trên|hơn|vượt|lớn hơn"
_GE_WORDS = r"tối thiểu|ít nhất|không dưới|không thấp hơn|từ"
_LT_WORDS = r"dưới|thấp hơn|nhỏ hơn|chưa đến"
_LE_WORDS = r"tối đa|không quá|không vượt quá|không cao hơn"
_APPROX_WORDS = r"khoảng|gần|xấp xỉ|hơn|trên"
_NUM = rf"\(?(?:[-−]\s*)?(?:{NUMBER})\)?"
_RANGE_SEP = r"\s*(?:-|–|—|đến|tới)\s*"

# A value phrase at the start of a string: [bound word] number [range] [trở lên/xuống]
VALUE_RE = re.compile(
    rf"(?P<pre>(?:(?:{_GT_WORDS}|{_GE_WORDS}|{_LT_WORDS}|{_LE_WORDS}|{_APPROX_WORDS})\s+)|[≥≤><~]=?\s*)?"
    rf"(?P<a>{_NUM})(?:\s*%)?(?:{_RANGE_SEP}(?P<b>{_NUM}))?"
    rf"(?P<post>\s+trở\s+(?:lên|xuống))?",
    re.IGNORECASE)


def _read_num(text: str, convention: str | None) -> tuple[Decimal | None, bool, str]:
    t = text.strip()
    neg = False
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1].strip()
    if t.startswith(("-", "−")):
        neg = True
        t = t[1:].strip()
    form = classify(t)
    value, ambiguous = read(form, convention)
    if value is not None and neg:
        value = -value
    return value, ambiguous, form.kind


def parse_value(text: str, convention: str | None) -> ParsedValue | None:
    """Parse a whole value text ("7 - 7,5", "≥ 5", "trên 31", "(-4,33)", "3,760")."""
    m = VALUE_RE.match(text.strip())
    if not m or m.end() < len(text.strip().rstrip("%").rstrip()):
        return None
    return value_from_match(m, convention, text.strip())


def value_from_match(m: re.Match, convention: str | None, original: str | None = None) -> ParsedValue | None:
    a, amb_a, kind_a = _read_num(m.group("a"), convention)
    if a is None:
        return None
    forms = [kind_a]
    ambiguous = amb_a
    pre = (m.group("pre") or "").strip().lower()
    post = (m.group("post") or "").strip().lower()
    text = original if original is not None else m.group(0).strip()
    used = convention if kind_a == "ambiguous" else None
    if m.group("b"):
        b, amb_b, kind_b = _read_num(m.group("b"), convention)
        if b is None:
            return None
        forms.append(kind_b)
        ambiguous = ambiguous or amb_b
        if kind_b == "ambiguous":
            used = convention
        lo, hi = (a, b) if a <= b else (b, a)
        return ParsedValue(text, "range", None, lo, hi, ambiguous, used, forms)
    bound = "eq"
    if pre in (">",) or re.fullmatch(_GT_WORDS, pre):
        bound = "gt"
    if pre in ("≥", ">=") or re.fullmatch(_GE_WORDS, pre) or post.endswith("lên"):
        bound = "ge"
    if pre in ("<",) or re.fullmatch(_LT_WORDS, pre):
        bound = "lt"
    if pre in ("≤", "<=") or re.fullmatch(_LE_WORDS, pre) or post.endswith("xuống"):
        bound = "le"
    if pre in ("~",) or pre in ("khoảng", "gần", "xấp xỉ"):
        bound = "approx"
    if bound in ("gt", "ge"):
        return ParsedValue(text, bound, None, a, None, ambiguous, used, forms)
    if bound in ("lt", "le"):
        return ParsedValue(text, bound, None, None, a, ambiguous, used, forms)
    return ParsedValue(text, bound, a, None, None, ambiguous, used, forms)


def numbers_in(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER_RE.finditer(text)]
