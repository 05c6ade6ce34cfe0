"""Indicator stage: targets and reported values of socio-economic indicators.

Reads a document's cleaned text and finds
- prose values: "Tổng kim ngạch xuất nhập khẩu qua địa bàn ước 640 triệu USD, đạt 16,84% kế
  hoạch, tăng 31,96% so với cùng kỳ" -> an estimate (640 million USD), its percent of plan
  and its year-on-year change; targets written in prose ("phấn đấu ... đạt trên 31%", a list of
  "Các chỉ tiêu chủ yếu": "Tốc độ tăng trưởng kinh tế (GRDP): 7,5 - 8%");
- tables flattened one cell per line (a header of STT / Chỉ tiêu / Đơn vị / Kế hoạch / Ước TH /
  Đánh giá / Cơ quan chủ trì / Cơ quan phối hợp cells, then the rows), rebuilt from the header;
  a row that cannot be rebuilt is reported (`Problem`), never guessed.

Indicator names are matched against the curated SKOS scheme in ontology/indicators.ttl (read
once, cached); names that match nothing are kept as unmatched observations (indicator None)
when the text shows they are indicator values (a % of plan, a change against the same period,
a target). Numbers are read with the convention of their scope (the document's prose, or one
table), decided from the unambiguous numbers there (numbers.py); periods come from the
sentence, the section headings, the column header or the document title (periods.py).

Results go to `doc.extras["indicators"]` (list of `Observation`) and
`doc.extras["indicator_problems"]` (list of `Problem`).
"""
from __future__ import annotations

import bisect

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable

from .models import ExtractedDocument
from .numbers import VALUE_RE, Evidence, ParsedValue, decide_convention, parse_value, value_from_match
from .periods import Period, find_periods, year_period
from .resources import ontology_path

KG_NS = "https://w3id.org/vngovkg/ont#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"

TARGET, ESTIMATE, RESULT, PERCENT_OF_PLAN, YOY = "target", "estimate", "result", "percent-of-plan", "year-on-year"
MEASURES = (TARGET, ESTIMATE, RESULT, PERCENT_OF_PLAN, YOY)


# ============================================================================================
# dataclasses

@dataclass
class Observation:
    """One value of one indicator, with where it came from."""

    indicator: str | None            # concept IRI in the scheme; None = the name matched nothing
    name: str                        # the indicator's name as written
    measure: str                     # target | estimate | result | percent-of-plan | year-on-year
    value_text: str                  # the value as written ("3,760", "7 - 7,5", "(-4,33)")
    bound: str = "eq"                # eq | range | gt | ge | lt | le | approx
    value: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None
    unit: str | None = None          # unit IRI
    unit_text: str | None = None     # the unit as written, or None when taken from the scheme
    period: Period | None = None
    start: int = 0                   # original offsets of the value (prose token / table cell)
    end: int = 0
    sentence: str = ""               # the sentence, or the table row (cells joined by " | ")
    sentence_start: int = 0
    sentence_end: int = 0
    origin: str = "prose"            # prose | table
    evaluation: str | None = None    # evaluation concept IRI
    evaluation_text: str | None = None
    evaluation_scope: str | None = None   # row | group
    row_group: str | None = None
    lead_agencies: list[str] = field(default_factory=list)        # names as written
    cooperating_agencies: list[str] = field(default_factory=list)
    lead_agency_ids: list[str] = field(default_factory=list)      # gazetteer ids
    cooperating_agency_ids: list[str] = field(default_factory=list)
    plan_basis: str | None = None
    comparison_basis: str | None = None
    of_index: int | None = None      # index (in the same list) of the value this % / change belongs to
    target_index: int | None = None  # index of the target on the same table row
    set_by_source: bool = False      # a target this document sets (not merely quotes)
    area: str | None = None          # place key of the document's issuer
    ambiguous: bool = False
    convention: str | None = None
    notes: list[str] = field(default_factory=list)

    def numbers(self) -> list[Decimal]:
        return [v for v in (self.value, self.lower, self.upper) if v is not None]

    def as_json(self) -> dict[str, Any]:
        def num(v: Decimal | None) -> float | None:
            return None if v is None else float(v)
        return {
            "indicator": self.indicator, "name": self.name, "measure": self.measure,
            "value": num(self.value), "lower": num(self.lower), "upper": num(self.upper),
            "bound": self.bound, "value_text": self.value_text, "unit": self.unit,
            "unit_text": self.unit_text, "period": self.period.as_json() if self.period else None,
            "start": self.start, "end": self.end, "sentence": self.sentence, "origin": self.origin,
            "evaluation": self.evaluation_text, "evaluation_scope": self.evaluation_scope,
            "lead_agencies": self.lead_agencies, "cooperating_agencies": self.cooperating_agencies,
            "plan_basis": self.plan_basis, "comparison_basis": self.comparison_basis,
            "ambiguous": self.ambiguous, "convention": self.convention, "notes": self.notes,
        }


@dataclass
class Problem:
    """Something the extractor could not read: reported, not guessed."""

    start: int
    end: int
    text: str
    reason: str


# ============================================================================================
# the scheme (ontology/indicators.ttl)

_TONE_PAIRS = (("o", "a"), ("o", "e"), ("u", "y"))
_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_TONE = {}
for _v1, _v2 in _TONE_PAIRS:
    for _m in _MARKS:
        _TONE[_v1 + unicodedata.normalize("NFC", _v2 + _m)] = unicodedata.normalize("NFC", _v1 + _m) + _v2
_TONE_RE = re.compile("(" + "|".join(map(re.escape, _TONE)) + r")(?![^\W\d_])")


def norm(text: str) -> str:
    """Matching key: NFC, lower case, old-style tone placement (hoá = hóa), words and % only."""
    s = unicodedata.normalize("NFC", text).lower()
    s = _TONE_RE.sub(lambda m: _TONE[m.group(1)], s)
    s = re.sub(r"[^\w%#]+", " ", s)
    return " ".join(s.split())


@dataclass
class Concept:
    iri: str
    key: str                         # local name: "tourists"
    pref_vi: str
    pref_en: str
    unit: str | None
    higher_is_better: bool | None
    growth: bool
    linked: set[str] = field(default_factory=set)   # broader, narrower, related (both ways)
    broader: set[str] = field(default_factory=set)


@dataclass
class UnitDef:
    iri: str
    key: str
    label_vi: str
    label_en: str
    base: str
    multiplier: Decimal
    exact_match: str | None = None


@dataclass
class _Label:
    concept: str
    text: str
    regex: re.Pattern[str]
    contextual: bool


class Scheme:
    """The indicator, unit and evaluation schemes, with name matching."""

    def __init__(self, path=None):
        from rdflib import Graph, Literal, Namespace, URIRef
        from rdflib.namespace import RDF, SKOS

        kg = Namespace(KG_NS)
        g = Graph()
        g.parse(str(path or ontology_path("indicators.ttl")), format="turtle")
        self.concepts: dict[str, Concept] = {}
        self.units: dict[str, UnitDef] = {}
        self.evaluations: dict[str, str] = {}        # norm(label) -> IRI
        self.evaluation_labels: dict[str, str] = {}  # IRI -> vi prefLabel
        self.measure_types: dict[str, str] = {}      # notation -> IRI
        labels: list[_Label] = []

        def vi(node, prop) -> list[str]:
            return [str(o) for o in g.objects(node, prop) if isinstance(o, Literal) and o.language == "vi"]

        def en(node, prop) -> list[str]:
            return [str(o) for o in g.objects(node, prop) if isinstance(o, Literal) and o.language == "en"]

        for c in g.subjects(RDF.type, kg.Indicator):
            key = str(c).rstrip("/").rsplit("/", 1)[-1]
            unit = g.value(c, kg.unit)
            hib = g.value(c, kg.higherIsBetter)
            growth = g.value(c, kg.growthRate)
            con = Concept(str(c), key, (vi(c, SKOS.prefLabel) or [key])[0], (en(c, SKOS.prefLabel) or [key])[0],
                          str(unit) if unit is not None else None,
                          None if hib is None else bool(hib.toPython()),
                          bool(growth.toPython()) if growth is not None else False)
            for p in (SKOS.broader, SKOS.narrower, SKOS.related):
                for o in g.objects(c, p):
                    con.linked.add(str(o))
            con.broader = {str(o) for o in g.objects(c, SKOS.broader)}
            self.concepts[con.iri] = con
            for text in vi(c, SKOS.prefLabel) + vi(c, SKOS.altLabel) + vi(c, SKOS.hiddenLabel):
                labels.append(_Label(con.iri, text, _label_regex(text), False))
            for text in vi(c, kg.contextLabel):
                labels.append(_Label(con.iri, text, _label_regex(text), True))
        for con in self.concepts.values():   # links both ways
            for other in list(con.linked):
                if other in self.concepts:
                    self.concepts[other].linked.add(con.iri)
        self._labels = sorted(labels, key=lambda l: -len(norm(l.text)))

        unit_labels: list[tuple[str, str]] = []
        for u in g.subjects(RDF.type, kg.Unit):
            base = g.value(u, kg.baseUnit)
            mult = g.value(u, kg.unitMultiplier)
            exact = g.value(u, SKOS.exactMatch)
            key = str(u).rsplit("/", 1)[-1]
            ud = UnitDef(str(u), key, (vi(u, SKOS.prefLabel) or [key])[0], (en(u, SKOS.prefLabel) or [key])[0],
                         str(base) if base is not None else str(u),
                         Decimal(str(mult)) if mult is not None else Decimal(1),
                         str(exact) if exact is not None else None)
            self.units[ud.iri] = ud
            for text in vi(u, SKOS.prefLabel) + vi(u, SKOS.altLabel):
                unit_labels.append((text, ud.iri))
        unit_labels.sort(key=lambda t: -len(t[0]))
        self._unit_by_label = {norm_unit(t): iri for t, iri in unit_labels}
        alts = "|".join(_unit_regex(t) for t, _ in unit_labels)
        self._unit_re = re.compile(rf"\s*(?P<u>{alts})(?![^\W\d_])", re.IGNORECASE)

        for e in g.subjects(RDF.type, kg.Evaluation):
            for text in vi(e, SKOS.prefLabel) + vi(e, SKOS.altLabel):
                self.evaluations[norm(text)] = str(e)
            self.evaluation_labels[str(e)] = (vi(e, SKOS.prefLabel) or [""])[0]
        for m in g.subjects(RDF.type, kg.MeasureType):
            note = g.value(m, SKOS.notation)
            if note is not None:
                self.measure_types[str(note)] = str(m)
        self.graph = g
        self._uri = URIRef

    # --- matching -----------------------------------------------------------------------------

    def match(self, text: str, context: Iterable[str] = ()) -> tuple[Concept, str] | None:
        """The concept whose label occurs in `text` (longest label wins). Contextual labels count
        only for concepts linked to a context concept (the indicator just before)."""
        t = norm(text)
        ctx = {c for c in context if c}
        best: tuple[int, _Label] | None = None
        for lab in self._labels:
            if lab.contextual:
                con = self.concepts[lab.concept]
                if not ((con.linked | {con.iri}) & ctx):
                    continue
            m = lab.regex.search(t)
            if m is None:
                continue
            length = len(norm(lab.text).replace("...", ""))
            if best is None or length > best[0]:
                best = (length, lab)
        if best is None:
            return None
        return self.concepts[best[1].concept], best[1].text

    def unit_at(self, text: str, pos: int) -> tuple[str, int, int] | None:
        """(unit IRI, start, end) of a unit written at `pos` (after optional spaces)."""
        m = self._unit_re.match(text, pos)
        if not m:
            return None
        iri = self._unit_by_label.get(norm_unit(m.group("u")))
        if iri is None:
            return None
        return iri, m.start("u"), m.end("u")

    def unit_of(self, text: str) -> str | None:
        """The unit IRI of a whole cell / parenthesis ("Triệu USD", "%", "nghìn lượt")."""
        return self._unit_by_label.get(norm_unit(text))

    def evaluation_of(self, text: str) -> str | None:
        return self.evaluations.get(norm(text))

    def concept(self, iri: str | None) -> Concept | None:
        return self.concepts.get(iri) if iri else None

    def unit(self, iri: str | None) -> UnitDef | None:
        return self.units.get(iri) if iri else None


def norm_unit(text: str) -> str:
    s = unicodedata.normalize("NFC", text).lower().strip()
    return " ".join(s.replace(".", ". ").split()).replace(". ", ".")


def _unit_regex(label: str) -> str:
    parts = [re.escape(p) for p in label.split()]
    return r"\s+".join(parts)


def _label_regex(label: str) -> re.Pattern[str]:
    parts = [p.strip() for p in re.split(r"\.\.\.|…", label)]
    pieces = [r"\b" + re.escape(norm(p)) + r"\b" for p in parts if norm(p)]
    return re.compile(r".*?".join(pieces))


@lru_cache(maxsize=4)
def _scheme(path: str | None) -> Scheme:
    return Scheme(path)


def scheme() -> Scheme:
    """The scheme of ontology/indicators.ttl, read once."""
    return _scheme(None)


# ============================================================================================
# grammar (words, not curated names)

RESULT_WORDS = re.compile(r"\b(?:đến nay|hiện nay|hiện có|đã|đạt được|kết quả|thực hiện được)\b", re.I)
ESTIMATE_WORDS = re.compile(r"\b(?:ước|dự ước|ước tính|ước đạt|ước thực hiện|dự kiến)\b", re.I)
TARGET_WORDS = re.compile(r"\b(?:phấn đấu|phần đấu|phân đấu|(?<!chương trình )mục tiêu(?!\s*(?:quốc gia|đề ra|đã đề ra|,|và nhiệm vụ|năm \d{4} đề ra))|chỉ tiêu\s+(?:là|giao)\b)", re.I)
TARGET_HEADING = re.compile(r"\b(?:(?<!chương trình )mục tiêu(?! quốc gia)|các chỉ tiêu chủ yếu|chỉ tiêu chủ yếu|chỉ tiêu kế hoạch|nhiệm vụ)\b", re.I)
NOT_TARGET_HEADING = re.compile(r"\b(?:ước thực hiện|tình hình|kết quả|đánh giá|dự kiến khả năng)\b", re.I)
PLAN_WORDS = re.compile(r"\s*(?P<basis>(?:tổng\s+)?(?:kế hoạch|KH|dự toán|mục tiêu|chỉ tiêu)(?:\s+(?:vốn|năm|trung ương|Trung ương|tỉnh|thành phố|huyện|giao|được giao|tính giao|HĐND|đề ra|phấn đấu|\d{4}))*)",
                        re.I)
SAME_PERIOD = re.compile(r"\s*so\s+(?:với\s+)?cùng\s+kỳ(?:\s+năm\s+(?:trước|\d{4}))?", re.I)
OTHER_BASIS = re.compile(r"\s*so\s+(?:với\s+)?(?!cùng\s+kỳ)", re.I)
CHANGE_BEFORE = re.compile(r"(?P<verb>tăng|giảm|bằng)(?:\s+(?:thêm|khoảng|ước|gần|hơn|trên))*\s*$", re.I)
PCT_BEFORE = re.compile(r"(?:đạt|bằng|được|ước đạt|đạt khoảng|đạt tỷ lệ)\s*$", re.I)
QUALIFIER_WORDS = set("""ước đạt thực hiện đã là được khoảng cả năm hết đến tính trong đó và với tổng số chi thu hiện
nay toàn tỉnh có lũy kế dự kiến giá trị kết quả phấn đấu tại thời điểm ngày tháng quý đầu cuối sau trước
bình quân chung mức hơn trên gần khoảng đạt tiếp tục đạt được vượt lên thêm ra mới cùng kỳ so riêng
mục tiêu kế hoạch kh chỉ để là""".split())
AGENCY_CELL = re.compile(r"^(?:Sở|Ủy ban|Uỷ ban|UBND|Công an|Cục|Ban|Bảo hiểm xã hội|BHXH|Các sở|Các cơ quan|Kho bạc|"
                         r"Chi cục|Bộ|Văn phòng|Đài|Tỉnh đoàn|Hội|Liên đoàn|Thanh tra|Ngân hàng|Viện|Trung tâm|"
                         r"Hải quan|Bộ Chỉ huy|Bộ đội|Cơ quan|Phòng)\b")
_SENT_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(\[]?[A-ZĐÀ-ỸÁẢÃẠÂẦẤẨẪẬĂẰẮẲẴẶÉÈẺẼẸÊỀẾỂỄỆÍÌỈĨỊÓÒỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÚÙỦŨỤƯỪỨỬỮỰÝỲỶỸỴ])|\n+")
_NO_NUMBER_BEFORE = re.compile(r"[/\d]$")
# where the words after a value's unit stop describing it ("9.000 ha rừng | để tỷ lệ che phủ ...")
_DESC_STOP = re.compile(r"\s(?:để|nhằm|với|và|so|tăng|giảm|bằng|trong đó|đạt(?=\s+(?:khoảng\s+)?\d))\b", re.I)
_NUMBER_TOKEN = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?(?![\d])|(?<![\d.,])\d+[.,]\d+(?![\d])")


# ============================================================================================
# document context

@dataclass
class _DocContext:
    doc: ExtractedDocument
    scheme: Scheme
    year: int | None
    default_period: Period | None
    convention: str | None
    evidence: Evidence
    area: str | None
    is_setting_document: bool


SETTING_TYPES = {"Quyết định", "Nghị quyết", "Kế hoạch", "Chương trình", "Chương trình hành động", "Đề án", "Chỉ thị"}


def _doc_year(doc: ExtractedDocument) -> int | None:
    if doc.header.year:
        return doc.header.year
    for sec in doc.sections[:5]:
        ps = find_periods(sec.heading)
        for pm in ps:
            return pm.period.year
    m = re.search(r"năm\s+((?:19|20)\d{2})", doc.text.text[:3000])
    return int(m.group(1)) if m else None


def _default_period(doc: ExtractedDocument, year: int | None) -> Period | None:
    title = doc.header.title or ""
    ps = find_periods(title, year)
    if ps:
        return ps[0].period
    for sec in doc.sections[:6]:
        ps = find_periods(sec.heading, year)
        if ps:
            return ps[0].period
    return year_period(year) if year else None


def area_of(doc: ExtractedDocument) -> str | None:
    """A key for the area the document reports on: its issuer's place (gazetteer), else a slug
    of the issuer's name without the body words ("UBND tỉnh Lạng Sơn" -> "tinh-lang-son")."""
    h = doc.header
    if h.issuer_id:
        try:
            from .gazetteer import Gazetteer
            ag = Gazetteer.default().agency(h.issuer_id)
            if ag is not None and ag.place:
                return ag.place
        except Exception:  # noqa: BLE001 - gazetteer missing or id unknown
            pass
    if not h.issuer:
        return None
    s = re.sub(r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd|hội đồng nhân dân|hđnd)\s+", "",
               unicodedata.normalize("NFC", h.issuer).strip(), flags=re.I)
    from .graph import slugify
    return slugify(s) or None


def _context(doc: ExtractedDocument, sch: Scheme, table_spans: list[tuple[int, int]]) -> _DocContext:
    year = _doc_year(doc)
    ev = Evidence()
    text = doc.text.text
    # evidence: the numbers of the prose written as values (followed by a unit or %), not section
    # numbers ("4.1.") nor dates
    for m in _NUMBER_TOKEN.finditer(text):
        if any(s <= m.start() < e for s, e in table_spans):
            continue
        if text[max(0, m.start() - 1):m.start()] in ("/", "-") or text[m.end():m.end() + 1] in ("/",):
            continue
        if text[m.end():m.end() + 2].strip().startswith("%") or sch.unit_at(text, m.end()) is not None:
            ev.add_number(m.group(0))
    setting = (doc.header.type or "") in SETTING_TYPES
    return _DocContext(doc, sch, year, _default_period(doc, year), decide_convention(ev), ev,
                       area_of(doc), setting)


def _headings(doc: ExtractedDocument, orig_pos: int) -> list[str]:
    """Headings of the sections containing `orig_pos`, deepest first."""
    sec = doc.section_at(orig_pos)
    out = []
    seen = set()
    while sec is not None and sec.id not in seen:
        seen.add(sec.id)
        out.append(sec.heading)
        sec = doc.section(sec.parent) if sec.parent else None
    return out


def _heading_period(ctx: _DocContext, orig_pos: int) -> Period | None:
    for h in _headings(ctx.doc, orig_pos):
        ps = find_periods(h, ctx.year)
        if ps:
            return ps[0].period
    return ctx.default_period


def _heading_target_mode(ctx: _DocContext, orig_pos: int) -> bool:
    for h in _headings(ctx.doc, orig_pos):
        if TARGET_HEADING.search(h) and not NOT_TARGET_HEADING.search(h):
            return True
    return False


# ============================================================================================
# prose

@dataclass
class _Token:
    start: int            # clean offsets within the whole text
    end: int
    value: ParsedValue
    unit: str | None
    unit_text: str | None
    unit_end: int


def _tokens(text: str, s0: int, s1: int, ctx: _DocContext) -> list[_Token]:
    out: list[_Token] = []
    for m in VALUE_RE.finditer(text, s0, s1):
        a_start = m.start("a")
        if a_start > 0 and (_NO_NUMBER_BEFORE.search(text[max(0, a_start - 1):a_start])
                            or text[max(0, a_start - 1):a_start].isalpha()):
            continue
        after = m.end()
        if after < len(text) and text[after] in "/" or (after < len(text) and text[after].isalnum()
                                                          and not text[m.end() - 1] == "%"):
            if not text[after:after + 2].lower() == "ha":
                continue
        pv = value_from_match(m, ctx.convention)
        if pv is None:
            continue
        unit = unit_text = None
        unit_end = m.end()
        if m.group(0).rstrip().endswith("%") or re.search(r"\d\s*%\s+trở\s+(?:lên|xuống)$", m.group(0)):
            unit, unit_text = ctx.scheme.unit_of("%"), "%"
        else:
            found = ctx.scheme.unit_at(text, m.end())
            if found and found[1] <= m.end() + 2:
                unit, us, ue = found
                unit_text, unit_end = text[us:ue], ue
        if unit is None:
            continue
        # a year or a date is not a value ("năm 2023 tỷ lệ ...")
        if re.fullmatch(r"(?:19|20)\d{2}", m.group("a")) and unit_text and unit_text.lower() in ("tỷ", "tỉ"):
            continue
        out.append(_Token(m.start(), m.end(), pv, unit, unit_text, unit_end))
    return out


def _sentences(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    pos = lo
    for m in _SENT_END.finditer(text, lo, hi):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < hi:
        out.append((pos, hi))
    return out


def _strip_name(name: str) -> str:
    name = re.sub(r"^[\s,;:.\-–)]+", "", name)
    name = re.sub(r"^(?:trong đó|trong đó có|gồm|bao gồm|và|riêng)\b[\s:,]*", "", name, flags=re.I)
    return name.strip(" ,;:-–(")


_TRAILING = re.compile(r"(?:\s+(?:ước|đạt|ước đạt|ước thực hiện|thực hiện|là|được|khoảng|có|đạt được|ước tính))+\s*$", re.I)


def _display_name(name: str) -> str:
    """An unmatched name as a reader wants it: its last clause, without trailing verbs."""
    if len(name.split()) > 12 and "," in name:
        name = name.rsplit(",", 1)[-1]
    name = _TRAILING.sub("", " " + name).strip()
    return _strip_name(name) or name


def _is_continuation(name: str, ctx: _DocContext) -> bool:
    rest = name.rsplit(",", 1)[-1]
    for pm in reversed(find_periods(name, ctx.year)):
        rest = rest[:pm.start] + " " + rest[pm.end:]
    words = [w for w in norm(rest).split() if not w.isdigit()]
    return all(w in QUALIFIER_WORDS for w in words)


def _target_words_before(text: str, lo: int, pos: int) -> bool:
    seg = re.sub(r"\([^()]*\)", " ", text[lo:pos])     # not inside asides "(mục tiêu 10-11%)"
    return bool(TARGET_WORDS.search(seg))


def _period_in(text: str, lo: int, hi: int, ctx: _DocContext) -> Period | None:
    best = None
    for pm in find_periods(text[lo:hi], ctx.year):
        before = text[max(lo, lo + pm.start - 25):lo + pm.start].lower()
        if "so với" in before or "so cùng" in before or "với" in before.split()[-1:]:
            continue
        best = pm.period
    return best


def _make_obs(ctx: _DocContext, ct_text: str, tok: _Token, measure: str, name: str,
              indicator: str | None, period: Period | None, sent: tuple[int, int]) -> Observation:
    ct = ctx.doc.text
    o_start, o_end = ct.to_original(tok.start, tok.unit_end)
    ss, se = ct.to_original(*sent)
    pv = tok.value
    obs = Observation(indicator=indicator, name=name.strip(), measure=measure, value_text=pv.text,
                      bound=pv.bound, value=pv.value, lower=pv.lower, upper=pv.upper, unit=tok.unit,
                      unit_text=tok.unit_text, period=period, start=o_start, end=o_end,
                      sentence=ct_text[sent[0]:sent[1]].strip(), sentence_start=ss, sentence_end=se,
                      origin="prose", area=ctx.area, ambiguous=pv.ambiguous,
                      convention=pv.convention or (ctx.convention if "ambiguous" in pv.forms else None))
    if pv.ambiguous:
        obs.notes.append(f"ambiguous number {pv.text!r}: no separator convention in the document's prose ({ctx.evidence.describe()})")
    return obs


def extract_prose(ctx: _DocContext, skip: list[tuple[int, int]]) -> list[Observation]:
    """Values in the sentences outside the tables (`skip`), each with its chain of % of plan and
    change against the same period."""
    text = ctx.doc.text.text
    out: list[Observation] = []
    regions = []
    pos = 0
    for s, e in sorted(skip):
        regions.append((pos, s))
        pos = e
    regions.append((pos, len(text)))
    body_sentences: list[tuple[int, int, list[tuple]]] = []   # span, (value offset, indicator, period)
    body_starts: list[int] = []
    ct = ctx.doc.text
    for lo, hi in regions:
        for s0, s1 in _sentences(text, lo, hi):
            start_context = start_period = start_measure = None
            fn = ct.footnote_at(s0) if s0 >= ct.body_end else None
            if fn is not None and fn.anchor is not None:
                # a footnote continues the sentence that points at it ("trong đó: xuất khẩu ...")
                # body sentences are in text order (starts and ends increasing): only the last
                # ones starting at or before the anchor can hold it (bisect, not a scan)
                k = bisect.bisect_right(body_starts, fn.anchor) - 1
                while k >= 0 and body_sentences[k][1] >= fn.anchor:
                    os_, oe, inds = body_sentences[k]
                    before = [(ind, per, meas) for pos, ind, per, meas in inds if pos <= fn.anchor]
                    if os_ <= fn.anchor <= oe and before:
                        # the value the footnote marker follows: its indicator, period, estimate or not
                        start_context, start_period, start_measure = before[-1]
                        break
                    k -= 1
            found = _prose_sentence(ctx, text, s0, s1, start_context, start_period, start_measure)
            if s0 < ct.body_end:
                os_, oe = ct.to_original(s0, s1)
                body_sentences.append((os_, oe + 8, [(o.start, o.indicator, o.period, o.measure) for o in found if o.indicator]))
                body_starts.append(os_)
            out.extend(found)
    return out


def _prose_sentence(ctx: _DocContext, text: str, s0: int, s1: int,
                    start_context: str | None = None, start_period: Period | None = None,
                    start_measure: str | None = None) -> list[Observation]:
    sch = ctx.scheme
    toks = _tokens(text, s0, s1, ctx)
    if not toks:
        return []
    ct = ctx.doc.text
    orig_anchor = ct.to_original(s0, s0 + 1)[0]
    fn = ct.footnote_at(s0)
    if fn is not None and fn.anchor is not None:
        orig_anchor = fn.anchor
    heading_period = start_period or _heading_period(ctx, orig_anchor)
    heading_target = _heading_target_mode(ctx, orig_anchor)
    out: list[Observation] = []
    current: Observation | None = None
    current_has_evidence = False
    chain_end = s0
    parent: str | None = start_context

    def close() -> None:
        nonlocal current, current_has_evidence
        if current is not None and current.indicator is None and not current_has_evidence \
                and not (current.measure == TARGET and 1 <= len(norm(current.name).split()) <= 8):
            # an unmatched name with nothing showing it is an indicator: not an observation
            for i in range(len(out) - 1, -1, -1):
                if out[i] is current or out[i].of_index == id(current):
                    del out[i]
        current = None
        current_has_evidence = False

    for tok in toks:
        if _in_aside(text, s0, tok.start):
            continue      # "(tăng 0,4 bác sỹ ... so với năm 2020)", "(năm 2023 đạt 81,5%)": asides
        before = text[max(s0, tok.start - 40):tok.start]
        after_pos = tok.unit_end
        pv = tok.value
        percent = tok.unit_text == "%" or (tok.unit and sch.unit(tok.unit) and sch.unit(tok.unit).key == "percent")
        change = CHANGE_BEFORE.search(before)
        gap = text[chain_end:tok.start]
        gap_words = [w for w in norm(gap).split() if not w.isdigit()]
        linked = current is not None and not re.search(r"[;:]", gap) and len(gap_words) <= 4 and \
            all(w in QUALIFIER_WORDS or w in ("tăng", "giảm", "bằng") for w in gap_words)
        plan_follows = PLAN_WORDS.match(text, after_pos)
        if current is not None and not linked and percent and PCT_BEFORE.search(before) and plan_follows \
                and plan_follows.group("basis") and not re.search(r"[;:]", gap) and len(norm(gap).split()) <= 16:
            linked = True     # "..., vượt mục tiêu đề ra, đạt 105,83% kế hoạch"
        # --- % of plan
        if percent and current is not None and PCT_BEFORE.search(before) and linked \
                and not re.match(r"\s*so\s+(?:với|cùng)", text[after_pos:]):
            pm = PLAN_WORDS.match(text, after_pos)
            basis = pm.group("basis").strip() if pm and pm.group("basis") else None
            if basis or (current.unit and sch.unit(current.unit) and sch.unit(current.unit).key != "percent"):
                obs = _make_obs(ctx, text, tok, PERCENT_OF_PLAN, current.name, current.indicator, current.period, (s0, s1))
                obs.plan_basis = basis or "(kế hoạch, ngầm hiểu)"
                obs.of_index = id(current)
                out.append(obs)
                current_has_evidence = True
                chain_end = pm.end() if pm and basis else after_pos
                continue
        # --- change against the same period / another basis
        if percent and change and linked and current is not None:
            verb = change.group("verb").lower()
            sp = SAME_PERIOD.match(text, after_pos)
            other = OTHER_BASIS.match(text, after_pos) if not sp else None
            if other:
                # "tăng 6,4% so với năm 2023": a change against another basis, not recorded
                end = re.search(r"[,;.]|$", text[after_pos:s1])
                chain_end = after_pos + (end.start() if end else 0)
                current_has_evidence = True
                continue
            if not (sch.concept(current.indicator) and sch.concept(current.indicator).growth):
                obs = _make_obs(ctx, text, tok, YOY, current.name, current.indicator, current.period, (s0, s1))
                if verb == "giảm":
                    obs.value, obs.lower, obs.upper = _neg(obs.value), _neg(obs.upper), _neg(obs.lower)
                elif verb == "bằng":
                    obs.value = None if obs.value is None else obs.value - 100
                    obs.notes.append("'bằng X% so với cùng kỳ' read as a change of X - 100 %")
                obs.comparison_basis = "cùng kỳ" if sp else "cùng kỳ (ngầm hiểu)"
                obs.of_index = id(current)
                out.append(obs)
                current_has_evidence = True
                chain_end = sp.end() if sp else after_pos
                continue
        if change and not percent:
            continue     # "tăng 238 tỷ đồng so với cùng kỳ": an absolute change, not recorded
        pct_alone = None
        if percent and current is None and PCT_BEFORE.search(before):
            pm = PLAN_WORDS.match(text, after_pos)
            if pm and pm.group("basis"):
                pct_alone = pm.group("basis").strip()
        # --- a new value: its name runs from the end of the previous chain (or a ; or :)
        name_start = chain_end if current is not None else s0
        seg = text[name_start:tok.start]
        cut = max(seg.rfind(";"), seg.rfind(":"))
        parent_here = None
        if cut >= 0:
            head = text[s0:name_start + cut]
            head_tail = head[max(head.rfind(";"), head.rfind(":"), head.rfind(","), -1) + 1:]
            pm_ = sch.match(head_tail)
            if pm_ is not None:
                parent_here = pm_[0].iri
            name_start += cut + 1
        name = _strip_name(text[name_start:tok.start])
        if cut >= 0 and (not name or _is_continuation(name, ctx)):
            # "Vốn đầu tư trong cân đối theo tiêu chí: 140 tỷ đồng": the name is before the colon
            head = text[s0 if current is None else chain_end:name_start - 1]
            head = head[max(head.rfind(";"), head.rfind(":"), -1) + 1:]
            name = _strip_name(head + " " + name)
        if change:
            name = _strip_name(name[: -len(change.group(0))] if name.endswith(change.group(0).strip()) else
                               re.sub(CHANGE_BEFORE.pattern, "", name, flags=re.I))
        close_prev = current
        close()
        descriptor = text[tok.unit_end:s1]
        dm = re.match(r"[^,;:(.]{0,80}", descriptor)
        desc = dm.group(0) if dm else ""
        stop = _DESC_STOP.search(desc)
        if stop:
            desc = desc[:stop.start()]
        words = desc.split()
        if len(words) > 10:
            desc = desc[:desc.find(words[10])]
        desc_end = tok.unit_end + len(desc.rstrip())
        desc = " ".join(desc.split())
        verb_text = change.group(0) if change else ""
        match_text = f"{name} {verb_text} # {tok.unit_text or ''} {desc}"
        context = [c for c in (parent_here, parent, close_prev.indicator if close_prev else None) if c]
        for c in list(context):      # siblings: the broader concepts of the context too
            con_c = sch.concept(c)
            if con_c is not None:
                context.extend(con_c.broader)
        found = sch.match(match_text, context)
        indicator = found[0].iri if found else None
        if found is not None and not change and not _unit_compatible(sch, found[0], tok.unit):
            indicator = None      # the name fits but the unit does not: not this indicator
        inherited = False
        desc_words = [w for w in norm(desc).split() if w not in QUALIFIER_WORDS and not w.isdigit()]
        if indicator is None and close_prev is not None and close_prev.indicator and _is_continuation(name, ctx) \
                and len(desc_words) < 2 \
                and (change or _unit_compatible(sch, sch.concept(close_prev.indicator), tok.unit)):
            indicator = close_prev.indicator
            name = close_prev.name
            inherited = True
        if parent_here:
            parent = parent_here
        if indicator is None:
            name = _display_name(name)
        con = sch.concept(indicator)
        # measure
        # a target: target words in this value's own clause, or the previous value was a target and
        # nothing says this one is a result ("phấn đấu năm 2023 có thêm 10 xã ..., 05 xã ...")
        own = text[name_start:tok.start]
        target = _target_words_before(text, name_start, tok.start) or heading_target or \
            bool(re.search(r"\((?:mục tiêu|kế hoạch|KH)\s*$", text[max(s0, tok.start - 15):tok.start], re.I)) or \
            (close_prev is not None and close_prev.measure == TARGET and not RESULT_WORDS.search(own)) or \
            (close_prev is None and _target_words_before(text, s0, tok.start) and not RESULT_WORDS.search(own))
        if target:
            measure = TARGET
        elif ESTIMATE_WORDS.search(text, name_start, tok.start) or \
                (close_prev is not None and close_prev.measure == ESTIMATE) or \
                (close_prev is None and start_measure == ESTIMATE):
            measure = ESTIMATE
        else:
            measure = RESULT
        if change and con is not None and not con.growth:
            if measure == TARGET:
                # "tỷ lệ ... tăng thêm 1,3% để đạt 64%": a planned change of a level indicator: not recorded
                current = None
                chain_end = after_pos
                continue
            else:
                # "Tổng chi ngân sách 6 tháng tăng 19,25% so với cùng kỳ" as the first value
                period = _period_in(text, s0, tok.start, ctx) or heading_period
                obs = _make_obs(ctx, text, tok, YOY, name, indicator, period, (s0, s1))
                if change.group("verb").lower() == "giảm":
                    obs.value, obs.lower, obs.upper = _neg(obs.value), _neg(obs.upper), _neg(obs.lower)
                sp = SAME_PERIOD.match(text, after_pos)
                obs.comparison_basis = "cùng kỳ" if sp else "cùng kỳ (ngầm hiểu)"
                out.append(obs)
                current = obs
                current_has_evidence = True
                chain_end = sp.end() if sp else after_pos
                continue
        period = _period_in(text, name_start, tok.start, ctx) or \
            (_period_in(text, tok.unit_end, min(s1, desc_end + 14), ctx) if desc else None)
        if period is None and close_prev is not None and indicator == close_prev.indicator:
            period = _period_in(text, s0, tok.start, ctx)
        if period is None and target and not heading_target:
            period = _period_in(text, s0, s1, ctx)
        if period is None:
            period = _period_in(text, s0, tok.start, ctx) or heading_period
        if measure == TARGET and inherited and period is not None and period.kind not in ("year", "multi-year"):
            # "tăng 9,59% so với cùng kỳ (mục tiêu 10-11%)": the target of the year
            period = year_period(period.year)
        if pct_alone is not None and measure != TARGET:
            # "thu phí ... đạt 46,12% dự toán": a percent of plan with no value before it
            name = re.sub(r"\s*(?:đạt|bằng|được|ước đạt)\s*$", "", name, flags=re.I)
            found = sch.match(name, context)
            indicator = found[0].iri if found else None
            measure = PERCENT_OF_PLAN
        obs = _make_obs(ctx, text, tok, measure, name, indicator, period, (s0, s1))
        if measure == PERCENT_OF_PLAN:
            obs.plan_basis = pct_alone
        reduction = found is not None and "giảm" in norm(found[1]).split()   # "Giảm tỷ lệ hộ nghèo"
        if change and change.group("verb").lower() == "giảm" and (con is None or con.growth) and not reduction:
            obs.value, obs.lower, obs.upper = _neg(obs.value), _neg(obs.upper), _neg(obs.lower)
        if measure == TARGET:
            obs.set_by_source = True
        _unit_note(obs, sch)
        out.append(obs)
        current = obs
        current_has_evidence = False
        # the words after the unit that describe the value ("05 xã đạt chuẩn ... nâng cao") are not
        # the start of the next name
        chain_end = desc_end if found is not None and desc and norm(desc) and \
            _label_regex(found[1]).search(norm(match_text)) and not _label_regex(found[1]).search(norm(f"{name} {verb_text}")) \
            else tok.unit_end
        sp = SAME_PERIOD.match(text, after_pos)
        if change and sp:
            chain_end = sp.end()
    close()
    # resolve the id() links into list indices later (by the caller)
    return out


def _unit_compatible(sch: Scheme, con: Concept, unit: str | None) -> bool:
    if not con.unit or not unit:
        return True
    a, b = sch.unit(unit), sch.unit(con.unit)
    return a is None or b is None or a.base == b.base


def _in_aside(text: str, s0: int, pos: int) -> bool:
    """Inside a parenthesis that is not a target "(mục tiêu 10-11%)"."""
    seg = text[s0:pos]
    depth = 0
    open_at = -1
    for i, ch in enumerate(seg):
        if ch == "(":
            depth += 1
            open_at = i
        elif ch == ")" and depth:
            depth -= 1
    if depth <= 0:
        return False
    inner = seg[open_at + 1:]
    return not re.match(r"\s*(?:mục tiêu|kế hoạch|KH|chỉ tiêu)\b", inner, re.I)


def _neg(v: Decimal | None) -> Decimal | None:
    return None if v is None else -v


def _unit_note(obs: Observation, sch: Scheme) -> None:
    con = sch.concept(obs.indicator)
    if con is None or not con.unit or not obs.unit:
        return
    a, b = sch.unit(obs.unit), sch.unit(con.unit)
    if a and b and a.base != b.base:
        obs.notes.append(f"unit {a.label_vi!r} differs from the scheme's unit for this indicator ({b.label_vi!r})")


# ============================================================================================
# tables flattened one cell per line

@dataclass
class _Cell:
    text: str
    start: int        # clean offsets
    end: int

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@dataclass
class _Column:
    role: str                     # index | name | unit | value | evaluation | lead | coop | note | skip
    header: str
    measure: str | None = None
    period: Period | None = None


_HEADER_START = re.compile(r"^(?:s?tt|số\s+tt|số\s+thứ\s+tự)$", re.I)
_NAME_HEADER = re.compile(r"^(?:chỉ tiêu|tên chỉ tiêu|nội dung|các chỉ tiêu)$", re.I)
_ROMAN = re.compile(r"^[IVX]{1,5}\.?$")
_INDEX = re.compile(r"^\d{1,2}\.?$")
_TABLE_END = re.compile(r"^(?:[IVX]{1,5}\.\s+\S.{10,}|\(Kèm theo.*|Nơi nhận.*|PHỤ LỤC.*|Phần thứ.*)$", re.I)


def _classify_header(text: str, year: int | None) -> _Column:
    t = norm(text)
    if _HEADER_START.match(text.strip()):
        return _Column("index", text)
    if re.search(r"\b(?:chỉ tiêu|nội dung|tên chỉ tiêu)\b", t) and not re.search(r"\b(?:kế hoạch|mục tiêu|năm|\d{4})\b", t):
        return _Column("name", text)
    if re.search(r"\b(?:đơn vị|đvt)\b", t) and "cơ quan" not in t:
        return _Column("unit", text)
    if "chủ trì" in t:
        return _Column("lead", text)
    if "phối hợp" in t:
        return _Column("coop", text)
    if "đánh giá" in t:
        return _Column("evaluation", text)
    if "ghi chú" in t:
        return _Column("note", text)
    period = None
    ps = find_periods(text, year)
    if ps:
        period = ps[-1].period
    else:
        ys = re.findall(r"\b((?:19|20)\d{2})\b", text)
        if len(ys) == 1:
            period = year_period(int(ys[0]))
    if re.search(r"\bso với\b|\bso sánh\b|%|\btỷ lệ\b", t):
        # comparison columns: "So với KH (%)", "So với cùng kỳ (%)"; others are read and ignored
        if "cùng kỳ" in t:
            return _Column("value", text, YOY, period)
        if re.search(r"\b(?:kế hoạch|kh|dự toán|mục tiêu)\b", t):
            return _Column("value", text, PERCENT_OF_PLAN, period)
        return _Column("value", text, None, period)
    if re.search(r"\b(?:ước|uoc)\b", t):
        return _Column("value", text, ESTIMATE, period)
    if re.search(r"\b(?:thực hiện|th|kết quả)\b", t):
        return _Column("value", text, RESULT, period)
    if re.search(r"\b(?:kế hoạch|kh|mục tiêu|chỉ tiêu)\b", t):
        return _Column("value", text, TARGET, period)
    if period is not None:
        return _Column("value", text, RESULT, period)
    return _Column("skip", text)


def _lines(text: str, lo: int, hi: int) -> list[_Cell]:
    out = []
    pos = lo
    while pos < hi:
        nl = text.find("\n", pos, hi)
        end = hi if nl < 0 else nl
        out.append(_Cell(text[pos:end], pos, end))
        pos = end + 1
    return out


def _header_lines(lines: list[_Cell], i: int, row_begins) -> tuple[list[_Cell], int]:
    """A table's header: lines[i] and the non-empty lines after it (12 at most) until one of
    which `row_begins(stripped text)` holds; and the index where the body starts."""
    header, j = [lines[i]], i + 1
    while j < len(lines) and len(header) < 12:
        t = lines[j].text.strip()
        if t:
            if row_begins(t):
                break
            header.append(lines[j])
        j += 1
    return header, j


def find_tables(text: str, body_end: int) -> list[tuple[int, int, list[_Cell], list[_Cell]]]:
    """(start, end, header cells, body cells) of every one-cell-per-line table."""
    lines = _lines(text, 0, body_end)
    tables = []
    i = 0
    n = len(lines)
    while i < n:
        first = lines[i].text.strip()
        if _HEADER_START.match(first):
            # header: the short non-empty lines up to the first row start (roman or small integer)
            header, j = _header_lines(lines, i, lambda t: bool(_ROMAN.match(t) or _INDEX.match(t)) or len(t) > 80)
            names = [norm(h.text) for h in header]
            if len(header) < 3 or not any(re.search(r"\bchỉ tiêu\b|\bnội dung\b", x) for x in names[1:3]):
                i += 1
                continue
        elif _NAME_HEADER.match(first):
            # no STT column: "Chỉ tiêu" then the cells that read as column headers, until the
            # first row has begun
            header, j = _header_lines(lines, i, lambda t: len(t) > 60 or _classify_header(t, None).role in (
                "skip", "name", "index") or parse_value(t, None) is not None or scheme().match(t) is not None
                or scheme().unit_of(t) is not None)
            if len(header) < 3 or not any(_classify_header(h.text, None).role == "value" for h in header[1:]):
                i += 1
                continue
        else:
            i += 1
            continue
        body = []
        k = j
        while k < n:
            t = lines[k].text
            ts = t.strip()
            if len(ts) > 200 or (ts and _TABLE_END.match(ts)) or ts.endswith("./."):
                break
            if t == "" or (not ts and t != "" and False):
                k += 1
                continue
            body.append(lines[k])
            k += 1
        end = body[-1].end if body else header[-1].end
        tables.append((header[0].start, end, header, body))
        i = k
    return tables


def _is_value_cell(text: str, conv: str | None) -> ParsedValue | None:
    t = text.strip()
    if not t:
        return None
    return parse_value(t, conv)


def extract_tables(ctx: _DocContext) -> tuple[list[Observation], list[Problem], list[tuple[int, int]]]:
    text = ctx.doc.text.text
    sch = ctx.scheme
    observations: list[Observation] = []
    problems: list[Problem] = []
    spans = []
    for t_index, (t_start, t_end, header, body) in enumerate(find_tables(text, ctx.doc.text.body_end)):
        spans.append((t_start, t_end))
        orig_t = ctx.doc.text.to_original(t_start, t_start + 1)[0]
        hp = _heading_period(ctx, orig_t)
        cols = [_classify_header(h.text, ctx.year or (hp.year if hp else None)) for h in header]
        # a plan column without its own period takes the period of the single estimate/result column
        value_cols = [c for c in cols if c.role == "value"]
        dated = [c.period for c in value_cols if c.measure in (ESTIMATE, RESULT) and c.period is not None]
        for c in value_cols:
            if c.period is None:
                if c.measure == TARGET and len({p.key for p in dated if p.kind in ("year", "multi-year")}) == 1:
                    c.period = next(p for p in dated if p.kind in ("year", "multi-year"))
                else:
                    c.period = hp
        ev = Evidence()
        for cell in body:
            if _is_value_cell(cell.text, None) is not None:
                ev.add(cell.text)
        conv = decide_convention(ev)
        if conv is None and (ev.vi or ev.en):
            conv_note = f"mixed number conventions in the table ({ev.describe()})"
        else:
            conv_note = None
        if conv is None and not (ev.vi or ev.en):
            conv = ctx.convention
        obs, probs = _table_rows(ctx, t_index, cols, body, conv, conv_note, ev)
        for o in obs:          # row links are indices within this table: make them global
            if o.target_index is not None:
                o.target_index += len(observations)
            if o.of_index is not None:
                o.of_index += len(observations)
        observations.extend(obs)
        problems.extend(probs)
    return observations, problems, spans


def _table_rows(ctx: _DocContext, t_index: int, cols: list[_Column], cells: list[_Cell], conv: str | None,
                conv_note: str | None, ev: Evidence) -> tuple[list[Observation], list[Problem]]:
    sch = ctx.scheme
    roles = [c.role for c in cols]
    value_cols = [c for c in cols if c.role == "value"]
    has_unit = "unit" in roles
    has_eval = "evaluation" in roles
    has_lead = "lead" in roles
    has_coop = "coop" in roles
    out: list[Observation] = []
    problems: list[Problem] = []
    i = 0
    n = len(cells)
    roman = ""
    index = ""
    group_parent: str | None = None      # indicator of a row without values (a group heading row)
    group_unit: tuple[str, str] | None = None
    prev_indicator: str | None = None
    last_agencies: tuple[list[str], list[str]] | None = None
    group_rows: dict[str, list[tuple[list[Observation], str | None]]] = {}

    def texty(c: _Cell) -> bool:
        t = c.text.strip()
        return bool(t) and _is_value_cell(t, conv) is None and sch.evaluation_of(t) is None and not _INDEX.match(t)

    while i < n:
        c = cells[i]
        t = c.text.strip()
        if not t:
            i += 1
            continue
        if _ROMAN.match(t) and i + 1 < n and texty(cells[i + 1]):
            roman, index, group_parent, group_unit = t.rstrip("."), "", None, None
            i += 2
            continue
        if _INDEX.match(t) and i + 1 < n and texty(cells[i + 1]):
            index = t.rstrip(".")
            group_parent, group_unit = None, None
            i += 1
            continue
        if not texty(c):
            problems.append(Problem(*ctx.doc.text.to_original(c.start, c.end), c.text,
                                    "table cell outside any row (no indicator name before it)"))
            i += 1
            continue
        # ---- one row: name [unit] values [evaluation] [lead [coop]]
        row_cells = [c]
        name_cell = c
        i += 1
        unit_cell = None
        if has_unit and i < n:
            u = cells[i]
            if u.empty or sch.unit_of(u.text) is not None:
                unit_cell = u
                row_cells.append(u)
                i += 1
        values: list[_Cell] = []
        while i < n and len(values) < len(value_cols):
            v = cells[i]
            if v.empty or _is_value_cell(v.text, conv) is not None:
                values.append(v)
                row_cells.append(v)
                i += 1
            else:
                break
        eval_cell = None
        if has_eval and i < n and sch.evaluation_of(cells[i].text) is not None:
            eval_cell = cells[i]
            row_cells.append(eval_cell)
            i += 1
        agencies: list[str] = []
        agency_cells: list[_Cell] = []
        while (has_lead or has_coop) and i < n and len(agencies) < 2:
            a = cells[i]
            at = a.text.strip()
            if at and AGENCY_CELL.match(at):
                agencies.append(at)
                agency_cells.append(a)
                row_cells.append(a)
                i += 1
                # a cell cut in two ("Sở Giáo dục và" / "Đào tạo")
                while i < n and re.search(r"(?:\bvà|,|-)$", agencies[-1]) and cells[i].text.strip() \
                        and not AGENCY_CELL.match(cells[i].text.strip()) and texty(cells[i]):
                    agencies[-1] = agencies[-1] + " " + cells[i].text.strip()
                    row_cells.append(cells[i])
                    i += 1
            else:
                break
        row_text = " | ".join(x.text.strip() or "∅" for x in row_cells)
        rs, re_ = ctx.doc.text.to_original(row_cells[0].start, row_cells[-1].end)
        raw_name = name_cell.text.strip()
        name, unit_from_name = _split_name_unit(raw_name, sch)
        context = [group_parent, prev_indicator]
        found = sch.match(name, [x for x in context if x])
        indicator = found[0].iri if found else None
        present = [v for v in values if not v.empty]
        if not present:
            # a group heading row ("Cơ cấu kinh tế (%)"): context and unit for the rows below it
            group_parent = indicator
            prev_indicator = indicator
            group_unit = unit_from_name or ((sch.unit_of(unit_cell.text), unit_cell.text.strip())
                                            if unit_cell is not None and not unit_cell.empty else None)
            if eval_cell is not None:
                # the group's evaluation (a merged cell): it goes to the rows below (no value here)
                key = f"t{t_index}:{roman}:{index}"
                group_rows.setdefault(key, []).append(([], eval_cell.text.strip()))
            if agencies:
                last_agencies = _split_agencies(agencies, has_lead, has_coop)
            continue
        if len(values) < len(value_cols) and len(value_cols) > 1:
            problems.append(Problem(rs, re_, row_text,
                                    f"{len(values)} value cells for {len(value_cols)} value columns "
                                    f"({', '.join(c.header.strip() for c in value_cols)}): row not reconstructed"))
            prev_indicator = indicator
            continue
        # unit
        unit = unit_text = None
        notes: list[str] = []
        if unit_cell is not None and not unit_cell.empty:
            unit, unit_text = sch.unit_of(unit_cell.text), unit_cell.text.strip()
        elif unit_from_name:
            unit, unit_text = unit_from_name
        elif group_unit is not None and group_parent is not None:
            unit, unit_text = group_unit
            notes.append("unit of the group row above")
        con = sch.concept(indicator)
        if unit is None and con is not None and con.unit:
            unit = con.unit
            notes.append("unit not written in the row: the scheme's unit for this indicator")
        # agencies: written on the row, else inherited from the row above (merged cells)
        lead: list[str] = []
        coop: list[str] = []
        if agencies:
            lead, coop = _split_agencies(agencies, has_lead, has_coop)
            if has_coop and not coop and len(agencies) == 1:
                notes.append("cooperating-agency cell missing on this row")
            last_agencies = (lead, coop)
        elif (has_lead or has_coop) and last_agencies is not None:
            lead, coop = last_agencies
            notes.append("agencies inherited from the row above (merged cells)")
        key = f"t{t_index}:{roman}:{index}"
        row_obs: list[Observation] = []
        target_obs: Observation | None = None
        for col, cell in zip(value_cols, values):
            if cell.empty or col.measure is None:
                continue
            pv = _is_value_cell(cell.text, conv)
            if pv is None:
                continue
            if pv.bound == "eq" and cell.text.strip().startswith("(") and pv.value is not None and pv.value < 0:
                notes_neg = ["negative value written in parentheses"]
            else:
                notes_neg = []
            os_, oe = ctx.doc.text.to_original(cell.start, cell.end)
            obs = Observation(indicator=indicator, name=name, measure=col.measure or RESULT,
                              value_text=cell.text.strip(), bound=pv.bound, value=pv.value, lower=pv.lower,
                              upper=pv.upper, unit=unit, unit_text=unit_text, period=col.period,
                              start=os_, end=oe, sentence=row_text, sentence_start=rs, sentence_end=re_,
                              origin="table", area=ctx.area, row_group=key, ambiguous=pv.ambiguous,
                              convention=conv if "ambiguous" in pv.forms else None,
                              notes=list(notes) + notes_neg)
            if "ambiguous" in pv.forms:
                obs.notes.append(f"{cell.text.strip()!r} read with the table's convention {conv!r} ({ev.describe()})")
            if conv_note and "ambiguous" in pv.forms:
                obs.notes.append(conv_note)
            if pv.ambiguous:
                obs.notes.append("ambiguous number: the table gives no convention")
            if obs.measure in (PERCENT_OF_PLAN, YOY):
                obs.unit, obs.unit_text = sch.unit_of("%"), "%"
                if obs.measure == YOY:
                    obs.comparison_basis = "cùng kỳ"
                else:
                    obs.plan_basis = col.header.strip()
            if obs.measure == TARGET:
                obs.lead_agencies, obs.cooperating_agencies = list(lead), list(coop)
                obs.set_by_source = ctx.is_setting_document
                target_obs = obs
            if obs.measure not in (PERCENT_OF_PLAN, YOY):
                _unit_note(obs, sch)
            row_obs.append(obs)
        # evaluation goes with the last estimate/result value of the row
        if row_obs:
            reported = [o for o in row_obs if o.measure in (ESTIMATE, RESULT)]
            holder = reported[-1] if reported else None
            if holder is not None and eval_cell is not None:
                holder.evaluation = sch.evaluation_of(eval_cell.text)
                holder.evaluation_text = eval_cell.text.strip()
            group_rows.setdefault(key, []).append((row_obs, eval_cell.text.strip() if eval_cell else None))
        base = len(out)
        for o in row_obs:
            out.append(o)
        if target_obs is not None:
            t_idx = base + row_obs.index(target_obs)
            for o in row_obs:
                if o.measure in (ESTIMATE, RESULT):
                    o.target_index = t_idx
        values_idx = [base + k for k, o in enumerate(row_obs) if o.measure in (ESTIMATE, RESULT)]
        for o in row_obs:
            if o.measure in (PERCENT_OF_PLAN, YOY) and values_idx:
                o.of_index = values_idx[-1]      # the comparison goes with the row's reported value
        prev_indicator = indicator
    _apply_group_evaluations(group_rows, sch)
    return out, problems


def _apply_group_evaluations(group_rows: dict[str, list[tuple[list[Observation], str | None]]], sch: Scheme) -> None:
    """An evaluation written once for a group of rows (a merged cell) holds for every row."""
    for key, rows in group_rows.items():
        evals = [e for _, e in rows if e]
        value_rows = [r for r, _ in rows if r]
        if not evals:
            continue
        if len(rows) == 1 or len(evals) == len(rows):
            for r, e in rows:
                for o in r:
                    if o.evaluation is not None:
                        o.evaluation_scope = "row"
            continue
        group_eval = evals[0]
        for r in value_rows:
            reported = [o for o in r if o.measure in (ESTIMATE, RESULT)]
            if not reported:
                continue
            holder = reported[-1]
            holder.evaluation = sch.evaluation_of(group_eval)
            holder.evaluation_text = group_eval
            holder.evaluation_scope = "group"


def _split_name_unit(name: str, sch: Scheme) -> tuple[str, tuple[str, str] | None]:
    """'Lượng khách du lịch (nghìn lượt)' -> ('Lượng khách du lịch', (unit, 'nghìn lượt'))."""
    n = re.sub(r"^[\s\-–+•]+", "", name).strip()
    m = re.search(r"\(([^()]{1,25})\)\s*$", n)
    if m:
        u = sch.unit_of(m.group(1))
        if u is not None:
            return n[:m.start()].strip(), (u, m.group(1).strip())
    return n, None


def _split_agencies(agencies: list[str], has_lead: bool, has_coop: bool) -> tuple[list[str], list[str]]:
    if has_lead and has_coop:
        lead = [agencies[0]] if agencies else []
        coop = agencies[1:2]
    elif has_lead:
        lead, coop = agencies[:1], []
    else:
        lead, coop = [], agencies[:1]
    return lead, coop


# ============================================================================================
# the stage

def extract(doc: ExtractedDocument, sch: Scheme | None = None) -> tuple[list[Observation], list[Problem]]:
    """Every indicator observation of one document, and what could not be read."""
    sch = sch or scheme()
    text = doc.text.text
    # table spans first (they are skipped by the prose reader and kept out of its number evidence)
    spans = [(s, e) for s, e, _, _ in find_tables(text, doc.text.body_end)]
    ctx = _context(doc, sch, spans)
    table_obs, problems, _ = extract_tables(ctx)
    prose_obs = extract_prose(ctx, spans)
    # prose links were made with id(); turn them into list indices
    all_obs = table_obs + prose_obs
    ids = {id(o): i for i, o in enumerate(all_obs)}
    for o in prose_obs:
        if o.of_index is not None:
            o.of_index = ids.get(o.of_index)
    _link_agencies(doc, all_obs)
    for m in _MALFORMED.finditer(text, 0, doc.text.body_end):
        s, e = doc.text.to_original(m.start(), m.end())
        problems.append(Problem(s, e, m.group(0), "malformed number (separators fit neither convention): not read"))
    return all_obs, problems


_MALFORMED = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+\.\d{1,2}(?![\d.,])|(?<![\d.,])\d{1,3}(?:,\d{3})+,\d{1,2}(?![\d.,])")


def _link_agencies(doc: ExtractedDocument, observations: list[Observation]) -> None:
    """Gazetteer ids of the lead and cooperating agencies (names stay as written)."""
    if not any(o.lead_agencies or o.cooperating_agencies for o in observations):
        return
    try:
        from .gazetteer import Gazetteer
        gaz = Gazetteer.default()
    except Exception:  # noqa: BLE001 - gazetteer stage missing: keep the names only
        return
    cache: dict[str, list[str]] = {}

    def ids(names: list[str]) -> list[str]:
        out: list[str] = []
        for name in names:
            if name not in cache:
                try:
                    found = gaz.find_agencies(name, doc.header)
                    cache[name] = [ag.id for ag, _, _ in found]
                except Exception:  # noqa: BLE001
                    cache[name] = []
            out.extend(x for x in cache[name] if x not in out)
        return out

    for o in observations:
        o.lead_agency_ids = ids(o.lead_agencies)
        o.cooperating_agency_ids = ids(o.cooperating_agencies)


def extract_indicators(doc: ExtractedDocument) -> None:
    """Pipeline stage (pipeline.EXTRA_STAGES): doc.extras["indicators"], ["indicator_problems"]."""
    observations, problems = extract(doc)
    doc.extras["indicators"] = observations
    doc.extras["indicator_problems"] = problems


def resolve_indicator(text: str, sch: Scheme | None = None) -> Concept | None:
    """The concept a user means: its IRI, its key ("tourists"), or one of its names."""
    sch = sch or scheme()
    t = text.strip()
    if t in sch.concepts:
        return sch.concepts[t]
    for con in sch.concepts.values():
        if con.key == t or norm(con.pref_vi) == norm(t) or norm(con.pref_en) == norm(t):
            return con
    found = sch.match(t)
    if found:
        return found[0]
    # a part of a name: accepted when it names one concept only
    key = norm(t)
    cands = {lab.concept for lab in sch._labels if not lab.contextual and key and key in norm(lab.text)}
    if len(cands) == 1:
        return sch.concepts[cands.pop()]
    return None


def candidates(text: str, sch: Scheme | None = None) -> list[Concept]:
    """Concepts one of whose names contains `text` (to suggest when the name is ambiguous)."""
    sch = sch or scheme()
    key = norm(text)
    iris = sorted({lab.concept for lab in sch._labels if not lab.contextual and key and key in norm(lab.text)})
    return [sch.concepts[i] for i in iris]
