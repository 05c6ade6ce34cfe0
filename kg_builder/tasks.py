"""Tasks (nhiệm vụ, giải pháp) of plans, reports and decisions (issue 6).

A *task section* is a section of the structure tree (structure.parse_sections) whose
heading names tasks for a coming period — "III. NHIỆM VỤ TRỌNG TÂM QUÝ II NĂM 2023",
"Phần thứ hai NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM 6 THÁNG CUỐI NĂM 2023", "Điều 1. Nhiệm vụ,
giải pháp chủ yếu …", "Điều 2. Tổ chức thực hiện". The heading words are data
(data/vocab/task_sections.json). Every numbered item (and sub-item: 1., 1.1., a), (1), -)
under a task section is a Task; an item whose first line is only a heading ("2. Kinh tế")
and that has no numbered children gets one Task per following paragraph.

For each task: its own text (without its children), the section path, the period it is
for (from the section heading, else the headings above it, else the document title or
year), deadlines ("trong tháng 5/2023", "hết quý II", "trước ngày 15/02/2023"),
quantitative sub-targets ("tỷ lệ giải ngân … đạt trên 31%"), the agencies named as lead
("Sở Kế hoạch và Đầu tư chủ trì", "giao …", the subject of the sentence) or cooperating
("phối hợp …"), the documents cited in it (doc.citations) and the programmes/projects
named in it (entities.find_entities), plus the citations of its section's lead text.

`stage(doc)` is the pipeline stage: it fills doc.extras["entities"], ["places"],
["task_sections"], ["tasks"] and ["derived_relations"] (document → document relations
stated inside one sentence: "Chương trình hành động số 52-CTr/TU … thực hiện Nghị quyết
số 11-NQ/TW", "ban hành kế hoạch thực hiện Nghị quyết số 96/NQ-CP").
"""
from __future__ import annotations

import bisect

import calendar
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .entities import (_load_json, body_text, clean_index, clause_bounds, find_entities, find_places, nfc,
                       orig_span, place_gazetteer, sentence_bounds)
from .models import Agency, ExtractedDocument, Section

# ----------------------------------------------------------------------------- dataclasses


@dataclass
class Deadline:
    text: str
    start: int
    end: int
    date: str | None               # ISO date of the last day allowed
    period: str | None             # "2023-Q2", "2023-05", "2023-H1", "2023", or a date
    qualifier: str = "by"          # by | before

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "date": self.date,
                "period": self.period, "qualifier": self.qualifier}


@dataclass
class Target:
    text: str                      # the clause of the target
    start: int
    end: int
    value: float
    value_max: float | None
    unit: str | None
    comparator: str                # ">" "≥" "≤" "<" "~" "="
    subject: str                   # what is measured (text before the number, trimmed)
    deadline: Deadline | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.value,
                "value_max": self.value_max, "unit": self.unit, "comparator": self.comparator,
                "subject": self.subject, "deadline": self.deadline.to_json() if self.deadline else None}


@dataclass
class AgencyRole:
    agency_id: str
    name: str
    role: str                      # lead | cooperating
    surface: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"agency": self.agency_id, "name": self.name, "role": self.role, "surface": self.surface,
                "start": self.start, "end": self.end}


@dataclass
class TaskSection:
    section: str                   # Section.id
    label: str
    heading: str
    start: int
    end: int
    period: str | None
    lead_start: int                # the lead text: after the heading, before the first item
    lead_end: int
    lead_citations: list[int] = field(default_factory=list)
    lead_entities: list[int] = field(default_factory=list)


@dataclass
class Task:
    id: str                        # "t1", … stable within the document (document order)
    kind: str                      # section kind (arabic, decimal, letter, paren, dash, article) or "paragraph"
    label: str                     # "5", "6.3", "(3)", "-", "¶2"
    path: str                      # section path, e.g. "III.5", "Điều 1.6.3.(3)"
    start: int                     # original extent of the whole item (with sub-items)
    end: int
    own_end: int                   # end of the item's own text (before its first sub-item)
    heading: str                   # first sentence (≤ 200 characters)
    text: str                      # own text (cleaned)
    task_section: str              # TaskSection.section
    period: str | None
    section: str | None            # Section.id of the item (None for paragraph tasks: the parent's)
    parent: str | None = None      # Task.id
    level: int = 1
    deadlines: list[Deadline] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    agencies: list[AgencyRole] = field(default_factory=list)
    citations: list[int] = field(default_factory=list)     # indices into doc.citations (own text)
    entities: list[int] = field(default_factory=list)      # indices into doc.extras["entities"]
    places: list[str] = field(default_factory=list)        # place ids

    def to_json(self, doc: ExtractedDocument | None = None) -> dict[str, Any]:
        out = {"id": self.id, "kind": self.kind, "label": self.label, "path": self.path,
               "start": self.start, "end": self.end, "heading": self.heading, "period": self.period,
               "parent": self.parent, "deadlines": [d.to_json() for d in self.deadlines],
               "targets": [t.to_json() for t in self.targets],
               "agencies": [a.to_json() for a in self.agencies], "places": self.places}
        if doc is not None:
            out["cites"] = [doc.citations[i].surface for i in self.citations]
            ents = doc.extras.get("entities", [])
            out["concerns"] = [ents[i].name for i in self.entities]
        return out


@dataclass
class DerivedRelation:
    """A relation between two documents stated in one sentence of a source."""

    subject: int | None            # citation index of the implementing document (None: a plan named without number)
    object: int                    # citation index of the implemented document
    relation: str                  # implements
    start: int                     # original span of the evidence (subject … object)
    end: int
    plan_title: str | None = None  # "Kế hoạch thực hiện Nghị quyết số 96/NQ-CP …" when subject is None
    plan_type: str | None = None   # "Kế hoạch", "Chương trình hành động", …
    issuer_id: str | None = None   # issuer of the plan (the source's issuer when it says "ban hành")


# ----------------------------------------------------------------------------- vocabulary

class _TaskVocab:
    def __init__(self, d: dict) -> None:
        self.heading = [re.compile(p, re.IGNORECASE) for p in d["heading_patterns"]]
        self.article = [re.compile(p, re.IGNORECASE) for p in d.get("article_patterns", [])]
        self.exclude = [re.compile(p, re.IGNORECASE) for p in d.get("exclude_patterns", [])]
        self.lead_skip = [re.compile(p, re.IGNORECASE) for p in d.get("lead_skip", [])]
        self.general_lead = [re.compile(p, re.IGNORECASE) for p in d.get("general_lead_patterns", [])]


@lru_cache(maxsize=1)
def task_vocab() -> _TaskVocab:
    return _TaskVocab(_load_json("vocab", "task_sections.json"))


def _heading_text(sec: Section) -> str:
    """Heading without its marker ("III.", "Điều 1.", "Phần thứ hai")."""
    h = nfc(" ".join(sec.heading.split()))
    h = re.sub(r"^(Phần|PHẦN)\s+(thứ\s+)?\S+\s*", "", h)
    h = re.sub(r"^Điều\s+\d+\s*\.?\s*", "", h)
    h = re.sub(r"^(\(?[0-9IVXLCivxlc]+(\.[0-9]+)*[.)]?|[a-zđ]\)|[A-Z]\.|[-+•])\s*", "", h)
    return h.strip()


def is_task_heading(sec: Section) -> bool:
    v = task_vocab()
    if sec.kind in ("dash", "letter", "paren", "appendix"):
        return False
    h = _heading_text(sec).lower()
    if not h:
        return False
    head = h.split(". ")[0] if sec.kind not in ("part", "roman", "article") else h
    if len(head) > 200:
        return False
    if any(p.search(head) for p in v.exclude):
        return False
    if any(p.search(head) for p in v.heading):
        return True
    return sec.kind == "article" and any(p.search(head) for p in v.article)


# ----------------------------------------------------------------------------- periods

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def parse_period(text: str, default_year: int | None = None) -> str | None:
    """The reporting/planning period a heading or phrase names: 2023-Q2, 2023-H2, 2022-02, 2025."""
    t = nfc(text).lower()
    m = re.search(r"quý\s+(iv|iii|ii|i|[1-4])\b(?:\s*(?:năm|/)\s*(\d{4}))?", t)
    if m:
        q = _ROMAN.get(m.group(1)) or int(m.group(1))
        y = m.group(2) or _year_in(t) or default_year
        return f"{y}-Q{q}" if y else None
    m = re.search(r"(6|sáu)\s+tháng\s+(đầu|cuối)\s+năm(?:\s+(\d{4}))?", t)
    if m:
        y = m.group(3) or _year_in(t) or default_year
        return f"{y}-H{1 if m.group(2) == 'đầu' else 2}" if y else None
    m = re.search(r"tháng\s+(\d{1,2})(?:\s*(?:năm|/)\s*(\d{4}))?", t)
    if m and 1 <= int(m.group(1)) <= 12:
        y = m.group(2) or _year_in(t) or default_year
        return f"{y}-{int(m.group(1)):02d}" if y else None
    y = _year_in(t)
    return y


def _year_in(t: str) -> str | None:
    m = re.search(r"năm\s+(\d{4})(?!\s*-\s*\d{4})", t)
    return m.group(1) if m else None


def period_bounds(period: str | None) -> tuple[str, str] | None:
    """First and last ISO day of a period label."""
    if not period:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(Q[1-4]|H[12]|\d{2})(?:-(\d{2}))?)?", period)
    if not m:
        return None
    y = int(m.group(1))
    part, day = m.group(2), m.group(3)
    if part is None:
        return f"{y}-01-01", f"{y}-12-31"
    if day:
        return f"{period}", f"{period}"
    if part.startswith("Q"):
        q = int(part[1])
        m1, m2 = 3 * q - 2, 3 * q
    elif part.startswith("H"):
        m1, m2 = (1, 6) if part == "H1" else (7, 12)
    else:
        m1 = m2 = int(part)
    last = calendar.monthrange(y, m2)[1]
    return f"{y}-{m1:02d}-01", f"{y}-{m2:02d}-{last:02d}"


# ----------------------------------------------------------------------------- deadlines

_Q = r"(?P<q>chậm nhất (?:là )?(?:trong|trước)?|trước|đến hết|hết|trong|ngay trong|đến)"
_DEADLINE_RES = [
    re.compile(_Q + r"\s+(?:ngày\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})", re.IGNORECASE),
    re.compile(_Q + r"\s+tháng\s+(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{4})|\s+năm\s+(?P<y2>\d{4}))?", re.IGNORECASE),
    re.compile(_Q + r"\s+quý\s+(?P<qn>IV|III|II|I|[1-4])(?:\s*/\s*(?P<y>\d{4})|\s+năm\s+(?P<y2>\d{4}))?(?![\wÀ-ỹ])",
               re.IGNORECASE),
    re.compile(_Q + r"\s+(?P<h>6 tháng (?:đầu|cuối) năm)(?:\s+(?P<y>\d{4}))?", re.IGNORECASE),
    re.compile(r"(?P<q>đến hết|trước|trong)\s+năm\s+(?P<y>\d{4})(?!\s*-)", re.IGNORECASE),
]


def find_deadlines(text: str, default_year: int | None) -> list[tuple[int, int, str | None, str | None, str]]:
    """(start, end, date, period, qualifier) of the deadlines in a cleaned text."""
    out: list[tuple[int, int, str | None, str | None, str]] = []
    taken: list[tuple[int, int]] = []
    for rx in _DEADLINE_RES:
        for m in rx.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            g = m.groupdict()
            y = g.get("y") or g.get("y2")
            year = int(y) if y else default_year
            if year is None:
                continue
            qual = "before" if m.group("q").lower().startswith("trước") else "by"
            if g.get("d"):
                try:
                    d, mo = int(g["d"]), int(g["m"])
                    if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(year, mo)[1]):
                        continue
                except ValueError:
                    continue
                date = f"{year}-{mo:02d}-{d:02d}"
                period = date
            elif g.get("m") and not g.get("d"):
                mo = int(g["m"])
                if not 1 <= mo <= 12:
                    continue
                period = f"{year}-{mo:02d}"
                date = period_bounds(period)[1]
            elif g.get("qn"):
                q = _ROMAN.get(g["qn"].lower()) or int(g["qn"])
                period = f"{year}-Q{q}"
                date = period_bounds(period)[1]
            elif g.get("h"):
                period = f"{year}-H{1 if 'đầu' in g['h'].lower() else 2}"
                date = period_bounds(period)[1]
            else:
                period = str(year)
                date = period_bounds(period)[1]
            out.append((m.start(), m.end(), date, period, qual))
            taken.append((m.start(), m.end()))
    out.sort()
    return out


# ----------------------------------------------------------------------------- targets

_NUM = r"\d+(?:[.,]\d+)*"
_TARGET_RE = re.compile(
    rf"(?P<cmp>trên|tối thiểu|ít nhất|khoảng|từ|dưới|không quá|không vượt quá|tối đa|hơn|bằng|còn)?\s*"
    rf"(?P<v>{_NUM})(?:\s*-\s*(?P<v2>{_NUM}))?\s*"
    rf"(?P<unit>%|km\b|ha\b|tỷ đồng|triệu đồng|nghìn tỷ đồng|nghìn lượt|triệu USD|[a-zđà-ỹ]+(?:\s+[a-zđà-ỹA-ZĐ]+){{0,2}})",
    re.IGNORECASE)
_CMP = {"trên": ">", "hơn": ">", "tối thiểu": "≥", "ít nhất": "≥", "từ": "≥", "dưới": "<", "không quá": "≤",
        "không vượt quá": "≤", "tối đa": "≤", "khoảng": "~", "bằng": "=", "còn": "="}
_TARGET_CUES = ("phấn đấu", "đạt", "hoàn thành", "giải ngân", "thêm", "tối thiểu", "ít nhất", "tỷ lệ",
                "xây dựng mới", "chuẩn hóa", "giảm", "tăng", "không vượt quá", "công nhận mới")
_UNIT_WORDS_OK = re.compile(r"^(xã|trường|sản phẩm|chuỗi|doanh nghiệp|km|ha|tiêu chí|tuyến|điểm|hợp tác xã|"
                            r"lượt|người|lao động|hộ|công trình|dự án|trạm|phòng|lớp|thôn|phường|cụm|khu|mô hình|"
                            r"trường học|bác sỹ|giường|nhà|căn|đơn vị|cơ sở|sản phẩm OCOP)", re.IGNORECASE)


def _vn_number(s: str) -> float | None:
    s = s.strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    elif re.fullmatch(r"\d+,\d+", s):
        s = s.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", s):
        s = s.replace(".", "").replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def find_targets(text: str, exclude: list[tuple[int, int]]) -> list[tuple[int, int, float, float | None, str | None, str, str]]:
    """(clause start, clause end, value, value_max, unit, comparator, subject) in a cleaned text."""
    out = []
    pos = 0
    last_end = 0
    while True:
        m = _TARGET_RE.search(text, pos)
        if m is None:
            break
        vs, ve = m.start("v"), m.end("v")
        pos = ve    # the next search may start inside this match's unit ("2023 không vượt quá 5%")
        if any(a <= vs < b for a, b in exclude):
            continue
        before = text[max(0, vs - 4):vs]
        if re.search(r"(Km|km|[/\-.]|số|lần thứ|khóa|mốc)\s*$", before) or text[ve:ve + 1] in "/":
            continue
        unit = m.group("unit")
        if unit != "%" and not _UNIT_WORDS_OK.match(unit or ""):
            continue
        value = _vn_number(m.group("v"))
        if value is None:
            continue
        cs, ce = clause_bounds(text, vs, ve)
        # the clause may run on across commas: keep from the last comma-free stretch before the number
        cue_zone = text[max(cs, vs - 80):vs].lower()
        if not any(c in cue_zone for c in _TARGET_CUES) and not (m.group("cmp") and unit == "%"):
            continue
        sub_start = max(cs, vs - 120, last_end if last_end <= vs else 0)
        subject = " ".join(text[sub_start:m.start()].split())
        if sub_start == vs - 120 and sub_start > cs:
            subject = re.sub(r"^\S*\s", "", subject)       # cut inside a word
        subject = subject.lstrip(",;: ")
        v2 = _vn_number(m.group("v2")) if m.group("v2") else None
        cmp = _CMP.get((m.group("cmp") or "").lower(), "=")
        end = m.end() if unit == "%" else m.end("unit")
        # the target's text: from the end of the previous target (or the clause start) to the
        # next comma — "có thêm 10 xã đạt chuẩn nông thôn mới"
        nxt = re.search(r",\s|;|\.(?!\d)|$", text[end:ce])
        t_end = end + (nxt.start() if nxt else 0)
        out.append((sub_start, max(end, t_end), value, v2, unit, cmp, subject))
        last_end = max(end, t_end)
    return out


# ----------------------------------------------------------------------------- agencies

def _gazetteer():
    try:
        from .gazetteer import Gazetteer
    except ImportError:
        return None
    return Gazetteer.default()


_LEAD_AFTER = re.compile(r"^\s*(?:chủ trì|là cơ quan chủ trì|làm đầu mối|chịu trách nhiệm)", re.IGNORECASE)
_LEAD_BEFORE = re.compile(r"(?:giao(?: cho)?|đề nghị|yêu cầu|chỉ đạo|do)\s+(?:các\s+)?$", re.IGNORECASE)
_COOP_BEFORE = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?(?:\s+các)?\s+(?:[^;.]{0,60}?,\s*)?$",
                          re.IGNORECASE)
_RECIPIENT_BEFORE = re.compile(r"(?:báo cáo|gửi|trình|về|tham mưu|theo đề nghị của|của)\s+(?:các\s+)?$",
                               re.IGNORECASE)
_SUBJECT_BEFORE = re.compile(r"(?:^|[.;:]\s+|\n|^-\s*|\(\d+\)\s*|[a-zđ]\)\s*|\d+(?:\.\d+)*\.\s*)(?:Các\s+|các\s+)?$")
_LIST_OF_DEPTS = re.compile(r"(?:các|gồm các|gồm)\s+[Ss]ở\s*:\s*", re.IGNORECASE)


def find_agency_roles(text: str, header) -> list[tuple[Agency, int, int, str]]:
    """(agency, start, end, role) in a cleaned text; role lead | cooperating."""
    gz = _gazetteer()
    if gz is None:
        return []
    found: list[tuple[Agency, int, int]] = []
    try:
        found = list(gz.find_agencies(text, header))
    except Exception:  # noqa: BLE001 - a gazetteer problem must not stop task extraction
        return []
    # "các Sở: Kế hoạch và Đầu tư, Tài chính, …" — one department per item
    for m in _LIST_OF_DEPTS.finditer(text):
        pos = m.end()
        stop = re.compile(r"[;.)]|\n").search(text, pos)
        seg_end = stop.start() if stop else len(text)
        for part in re.finditer(r"[^,;]+", text[pos:seg_end]):
            item = part.group(0).strip()
            item = re.sub(r"^và\s+", "", item)
            if not item:
                continue
            s = pos + part.start() + (len(part.group(0)) - len(part.group(0).lstrip()))
            name = item if re.match(r"(Ban|UBND|Cục|Kho bạc|Công an|Bộ|Sở)\b", item) else "Sở " + item
            try:
                hits = list(gz.find_agencies(name, header))
            except Exception:  # noqa: BLE001
                hits = []
            if hits and not any(a <= s < b for _, a, b in found):
                found.append((hits[0][0], s, s + len(item)))
    out: list[tuple[Agency, int, int, str]] = []
    for ag, s, e in sorted(found, key=lambda x: x[1]):
        sent_s, _ = sentence_bounds(text, s)
        before_sent = text[max(sent_s, s - 90):s]
        after = text[e:e + 40]
        role = None
        if _COOP_BEFORE.search(before_sent):
            role = "cooperating"
        elif _LEAD_AFTER.match(after) or _LEAD_BEFORE.search(before_sent):
            role = "lead"
        elif _RECIPIENT_BEFORE.search(before_sent):
            role = None
        elif _SUBJECT_BEFORE.search(text[max(0, s - 40):s]) or s == sent_s:
            # the subject of a sentence or clause: "Sở Tài chính chủ trì hướng dẫn …",
            # "UBND các huyện, thành phố đẩy nhanh …"
            nxt = after.lstrip(" ,")
            if nxt and not nxt.startswith(("và ", "của ", "(")):
                role = "lead"
        # a list continuing a lead/cooperating list: "Cục Thuế, Cục Hải quan, UBND các huyện …"
        if role is None and out:
            _, _, pe, prole = out[-1]
            gap = text[pe:s]
            if re.fullmatch(r"\s*(,|và|;)?\s*(các\s+)?", gap):
                role = prole
        if role:
            out.append((ag, s, e, role))
    return out


# ----------------------------------------------------------------------------- the stage

def _children(doc: ExtractedDocument) -> dict[str | None, list[Section]]:
    kids: dict[str | None, list[Section]] = {}
    for s in doc.sections:
        kids.setdefault(s.parent, []).append(s)
    for v in kids.values():
        v.sort(key=lambda s: s.start)
    return kids


def _is_heading_only(first_line: str) -> bool:
    t = first_line.strip()
    return bool(t) and len(t.split()) <= 20 and not re.search(r"[.;:]\s*$", t)


def _default_year(doc: ExtractedDocument) -> int | None:
    y = doc.header.year
    if doc.header.title:
        m = re.findall(r"năm\s+(\d{4})", doc.header.title)
        if m:
            return int(m[-1])
    return y


def find_tasks(doc: ExtractedDocument, entities: list | None = None) -> tuple[list[TaskSection], list[Task]]:
    ct = doc.text
    text = body_text(ct)
    entities = entities if entities is not None else doc.extras.get("entities", [])
    kids = _children(doc)
    by_id = {s.id: s for s in doc.sections}
    default_year = _default_year(doc)
    v = task_vocab()

    # task sections: the outermost matching sections
    tsecs: list[Section] = []
    for s in sorted(doc.sections, key=lambda s: (s.start, s.level)):
        if any(t.start <= s.start and s.end <= t.end for t in tsecs):
            continue
        if is_task_heading(s):
            tsecs.append(s)

    def period_of(sec: Section) -> str | None:
        cur: Section | None = sec
        while cur is not None:
            p = parse_period(_heading_text(cur), None)
            if p:
                return p
            cur = by_id.get(cur.parent) if cur.parent else None
        if doc.header.title:
            # "…, nhiệm vụ trọng tâm quý II năm 2023": the period after the task words
            t = nfc(doc.header.title)
            m = re.search(r"nhiệm vụ.*", t, re.IGNORECASE)
            p = parse_period(m.group(0) if m else t, None)
            if p:
                return p
        return str(default_year) if default_year else None

    cit_clean = [(clean_index(ct, c.start), clean_index(ct, max(c.start, c.end - 1)) + 1) for c in doc.citations]
    ent_clean = [(clean_index(ct, e.start), clean_index(ct, max(e.start, e.end - 1)) + 1) for e in entities]

    def inside(spans: list[tuple[int, int]], a: int, b: int) -> list[int]:
        return [i for i, (s, e) in enumerate(spans) if a <= s < b]

    sections_out: list[TaskSection] = []
    tasks: list[Task] = []
    gaz = place_gazetteer()

    # (anchor, citation index) of the citations in footnotes, sorted: found by bisection
    fn_anchored = sorted((fn.anchor, i) for i, c in enumerate(doc.citations) if c.in_footnote
                         for fn in [ct.footnote_containing(c.start)] if fn is not None and fn.anchor is not None)
    fn_anchor_keys = [x[0] for x in fn_anchored]

    def footnote_citations(a: int, b: int) -> list[int]:
        """Citations in footnotes whose anchor lies in [a, b) (original offsets)."""
        lo, hi = bisect.bisect_left(fn_anchor_keys, a), bisect.bisect_left(fn_anchor_keys, b)
        return sorted(i for _, i in fn_anchored[lo:hi])

    def make_task(kind: str, label: str, path: str, cs: int, ce: int, own_ce: int, tsec: Section, period: str | None,
                  section: str | None, parent: Task | None) -> Task:
        os_, oe = orig_span(ct, cs, ce)
        _, own_oe = orig_span(ct, cs, own_ce)
        own = text[cs:own_ce]
        body = re.sub(r"^\s*(?:Điều\s+\d+\.?|\(?\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+•])\s*", "", own)
        first = " ".join(body.strip().split("\n")[0].split())
        m = re.search(r"[.;:](?:\s|$)", first)
        heading = (first[:m.start()] if m and m.start() > 10 else first)[:200]
        t = Task(id=f"t{len(tasks) + 1}", kind=kind, label=label, path=path, start=os_, end=oe, own_end=own_oe,
                 heading=heading, text=own.strip(), task_section=tsec.id, period=period, section=section,
                 parent=parent.id if parent else None, level=(parent.level + 1) if parent else 1)
        py = int(period[:4]) if period and period[:4].isdigit() else default_year
        excl = [(s - cs, e - cs) for s, e in cit_clean if cs <= s < own_ce]
        for s, e, date, per, qual in find_deadlines(own, py):
            if any(a <= s < b for a, b in excl):
                continue
            pb = period_bounds(period) if period else None
            if pb and date and date < pb[0]:
                continue     # "đã đạt trong 6 tháng đầu năm": a past period, not a deadline
            ds, de = orig_span(ct, cs + s, cs + e)
            t.deadlines.append(Deadline(ct.original[ds:de], ds, de, date, per, qual))
        dl_spans = [(clean_index(ct, d.start) - cs, clean_index(ct, d.end - 1) + 1 - cs) for d in t.deadlines]
        for s, e, val, v2, unit, cmp, subj in find_targets(own, excl + dl_spans):
            ts, te = orig_span(ct, cs + s, cs + e)
            dl = next((d for d in t.deadlines
                       if s <= clean_index(ct, d.start) - cs <= e + 60), None)
            t.targets.append(Target(" ".join(ct.original[ts:te].split()), ts, te, val, v2, unit, cmp, subj, dl))
        for ag, s, e, role in find_agency_roles(own, doc.header):
            as_, ae = orig_span(ct, cs + s, cs + e)
            if not any(r.agency_id == ag.id and r.role == role for r in t.agencies):
                t.agencies.append(AgencyRole(ag.id, ag.name, role, ct.original[as_:ae], as_, ae))
        t.citations = inside(cit_clean, cs, own_ce) + footnote_citations(os_, own_oe)
        t.entities = inside(ent_clean, cs, own_ce)
        t.places = list(dict.fromkeys(pid for pid, _, _ in gaz.find(own)))
        tasks.append(t)
        return t

    def walk(sec: Section, tsec: Section, period: str | None, parent: Task | None) -> None:
        cs = clean_index(ct, sec.start)
        ce = clean_index(ct, sec.end)
        ce = min(ce, len(text))
        children = kids.get(sec.id, [])
        own_ce = clean_index(ct, children[0].start) if children else ce
        heading = _heading_text(sec)
        if any(p.search(heading) for p in v.lead_skip):
            return
        paras: list[tuple[int, int]] = []
        if not children:
            first = text[cs:own_ce].split("\n")[0]
            if _is_heading_only(re.sub(r"^\S+\s", "", first.strip())):
                paras = _paragraphs(cs + len(first) + 1, own_ce)
                if len(paras) >= 2:
                    own_ce = cs + len(first)
                else:
                    paras = []
        t = make_task(sec.kind, sec.label.split(".")[-1] if sec.kind != "article" else sec.label,
                      sec.label, cs, ce, own_ce, tsec, period, sec.id, parent)
        for ch in children:
            walk(ch, tsec, period, t)
        for n, (ps, pe) in enumerate(paras, 1):
            make_task("paragraph", f"¶{n}", f"{sec.label}.¶{n}", ps, pe, pe, tsec, period, sec.id, t)

    def _paragraphs(cs: int, ce: int) -> list[tuple[int, int]]:
        """Paragraph spans in text[cs:ce]; a line starting in lower case continues the paragraph
        before it (a paragraph cut by a page break)."""
        out: list[tuple[int, int]] = []
        pos = cs
        for ln in text[cs:ce].split("\n"):
            st = ln.strip()
            if st:
                ps = pos + (len(ln) - len(ln.lstrip()))
                pe = pos + len(ln.rstrip())
                if out and (st[0].islower() or not re.search(r"[.;:!?…”\"')]$", text[out[-1][0]:out[-1][1]])):
                    out[-1] = (out[-1][0], pe)
                else:
                    out.append((ps, pe))
            pos += len(ln) + 1
        return [(a, b) for a, b in out if len(text[a:b].split()) >= 4]

    for tsec in tsecs:
        period = period_of(tsec)
        children = kids.get(tsec.id, [])
        cs = clean_index(ct, tsec.start)
        ce = min(clean_index(ct, tsec.end), len(text))
        # lead text: after the heading line(s), before the first item
        head_end = cs + len(tsec.heading) if text[cs:cs + len(tsec.heading)] == tsec.heading else \
            text.find("\n", cs) + 1
        lead_ce = clean_index(ct, children[0].start) if children else ce
        ls, le = orig_span(ct, head_end, max(head_end, lead_ce))
        ts = TaskSection(section=tsec.id, label=tsec.label, heading=_heading_text(tsec), start=tsec.start,
                         end=tsec.end, period=period, lead_start=ls, lead_end=le,
                         lead_citations=inside(cit_clean, head_end, lead_ce) + footnote_citations(ls, le),
                         lead_entities=inside(ent_clean, head_end, lead_ce))
        sections_out.append(ts)
        if children:
            first_task = len(tasks)
            for ch in children:
                walk(ch, tsec, period, None)
            # a general first item ("Tiếp tục tổ chức thực hiện … các nghị quyết …; Quyết định …")
            # leads the whole section: what its first sentence cites drives every task of it
            tops = [t for t in tasks[first_task:] if t.parent is None][:2]
            for t in tops:
                a = clean_index(ct, t.start)
                b = clean_index(ct, t.own_end - 1) + 1
                mk = re.match(r"\s*(?:\(?\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+•])\s*", text[a:b])
                a += mk.end() if mk else 0
                m = re.search(r"\.(?=\s+[A-ZÀ-ÝĂÂĐÊÔƠƯẠ-Ỹ\"“]|\s*$)", text[a:b])
                end_first = a + (m.start() if m else b - a)
                if any(p.search(text[a:end_first]) for p in v.general_lead):
                    ts.lead_citations += [i for i in inside(cit_clean, a, end_first) if i not in ts.lead_citations]
                    ts.lead_entities += [i for i in inside(ent_clean, a, end_first) if i not in ts.lead_entities]
                    break
        else:
            # a task section made of paragraphs
            for n, (ps, pe) in enumerate(_paragraphs(head_end, ce), 1):
                make_task("paragraph", f"¶{n}", f"{tsec.label}.¶{n}", ps, pe, pe, tsec, period, tsec.id, None)
    return sections_out, tasks


# ----------------------------------------------------------------------------- in-sentence relations

_IMPL_CUE = re.compile(r"^(?:,?\s*(?:ngày\s+\S+|của\s+[^,;.]{0,80}?|số\s+\S+|năm\s+\d{4}))*,?\s*"
                       r"(?:về\s+(?:việc\s+)?)?(?:triển khai\s+)?(?:tổ chức\s+)?thực hiện\s*$", re.IGNORECASE)
_PLAN_BEFORE = re.compile(r"(?P<verb>(?i:ban hành|xây dựng|triển khai|có))?\s*(?P<type>[Kk]ế hoạch|[Cc]hương trình hành động|"
                          r"[Pp]hương án|[Kk]ế hoạch hành động)(?:\s+ngày\s+\S+)?\s+(?:triển khai\s+)?thực hiện\s*$")


def find_derived_relations(doc: ExtractedDocument) -> list[DerivedRelation]:
    """Document → document 'implements' relations stated inside one sentence."""
    ct = doc.text
    text = body_text(ct)
    cits = doc.citations
    spans = [(clean_index(ct, c.start), clean_index(ct, max(c.start, c.end - 1)) + 1) for c in cits]
    order = sorted(range(len(cits)), key=lambda i: spans[i][0])
    out: list[DerivedRelation] = []
    for k, i in enumerate(order):
        if cits[i].in_footnote:
            continue
        s, e = spans[i]
        ss, _ = sentence_bounds(text, s)
        # "A … thực hiện B": A is the nearest citation before B in the same sentence
        prev = None
        for j in reversed(order[:k]):
            if spans[j][1] <= s and spans[j][0] >= ss and not cits[j].in_footnote:
                prev = j
                break
        # "Chương trình hành động của Ban Chấp hành Đảng bộ tỉnh thực hiện Nghị quyết số 11-NQ/TW":
        # the recogniser's span of A holds B
        outer = next((j for j in order[:k] if spans[j][0] < s < spans[j][1] and not cits[j].in_footnote
                      and re.search(r"\b(?:thực hiện|triển khai)\s*$", text[spans[j][0]:s])), None)
        if outer is not None:
            os_, oe = orig_span(ct, spans[outer][0], e)
            out.append(DerivedRelation(outer, i, "implements", os_, oe))
            continue
        if prev is not None and _IMPL_CUE.match(text[spans[prev][1]:s]):
            os_, oe = orig_span(ct, spans[prev][0], e)
            out.append(DerivedRelation(prev, i, "implements", os_, oe))
            # "… A và B về thực hiện C": both A and B
            continue
        # "ban hành kế hoạch thực hiện B (và C)": a plan without a number
        pm = _PLAN_BEFORE.search(text[max(ss, s - 120):s])
        if pm:
            ps = max(ss, s - 120) + pm.start("type")
            # the other documents joined by "và" after B belong to the same plan
            objs = [i]
            last_end = e
            for j in order[k + 1:]:
                gap = text[last_end:spans[j][0]]
                if re.fullmatch(r"(?:,?\s*(?:ngày\s+\S+|của\s+[^,;.]{0,80}?))*,?\s*(?:và|,)\s*", gap):
                    objs.append(j)
                    last_end = spans[j][1]
                else:
                    break
            title_end = last_end
            title = " ".join(text[ps:title_end].split())
            title = title[0].upper() + title[1:]
            issuer = doc.header.issuer_id if (pm.group("verb") or "").lower() in ("ban hành", "xây dựng") or \
                re.search(r"(UBND|Ủy ban nhân dân)[^.;]{0,30}$", text[ss:ps]) else None
            os_, oe = orig_span(ct, ps, title_end)
            for j in objs:
                out.append(DerivedRelation(None, j, "implements", os_, oe, plan_title=title,
                                           plan_type=pm.group("type")[0].upper() + pm.group("type")[1:],
                                           issuer_id=issuer))
    return out


def stage(doc: ExtractedDocument) -> None:
    """Pipeline stage (pipeline.EXTRA_STAGES): entities, places, tasks, in-sentence relations."""
    ents = find_entities(doc)
    doc.extras["entities"] = ents
    doc.extras["places"] = find_places(doc)
    tsecs, tasks = find_tasks(doc, ents)
    doc.extras["task_sections"] = tsecs
    doc.extras["tasks"] = tasks
    doc.extras["derived_relations"] = find_derived_relations(doc)
