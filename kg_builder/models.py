"""Plain dataclasses passed between the pipeline stages.

Offsets: every `start`/`end` in these classes is a character offset into the
*original decoded text* of the source file (what `open(path, encoding=...).read()`
returns, universal newlines), unless a field name says `clean_`. The normalise
stage produces a `CleanText` whose `to_original()` maps cleaned offsets back.
Only the graph stage turns these into RDF.
"""
from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Footnote:
    """A footnote text and the body position that points at it."""

    label: str                       # "1", "35" (superscript ³⁵ or [35])
    start: int                       # original span of the footnote text (without its marker)
    end: int
    anchor: int | None = None        # original offset of the marker in the body, when found
    clean_start: int = 0             # where its text lies in CleanText.text
    clean_end: int = 0


@dataclass
class CleanText:
    """Text prepared for matching, with a map back to the original.

    `text` is NFC, with conversion junk removed, footnote blocks lifted out of the
    body (the interrupted paragraph rejoined) and appended after the body.
    `offsets[i]` is the original offset of `text[i]`; `offsets[len(text)]` is the
    end of the original text.
    """

    original: str
    text: str
    offsets: list[int]
    footnotes: list[Footnote] = field(default_factory=list)
    body_end: int = 0                # clean offset where the footnote texts begin

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean [start, end) span to the original text."""
        if end <= start:
            o = self.offsets[start]
            return o, o
        e = self.offsets[end - 1] + 1
        # an NFC character may stand for a base letter plus combining marks in the original
        while e < len(self.original) and unicodedata.combining(self.original[e]):
            e += 1
        return self.offsets[start], e

    def footnote_at(self, clean_pos: int) -> Footnote | None:
        """The footnote whose lifted text contains this clean offset."""
        # footnotes are lifted in order and do not overlap: bisect (large files call this a lot)
        starts = self.__dict__.get("_fn_starts")
        if starts is None or len(starts) != len(self.footnotes):
            starts = [fn.clean_start for fn in self.footnotes]
            if any(a > b for a, b in zip(starts, starts[1:])):   # not in order: plain scan
                return next((fn for fn in self.footnotes if fn.clean_start <= clean_pos < fn.clean_end), None)
            self.__dict__["_fn_starts"] = starts
        i = bisect.bisect_right(starts, clean_pos) - 1
        for k in (i - 1, i):
            if k >= 0 and self.footnotes[k].clean_start <= clean_pos < self.footnotes[k].clean_end:
                return self.footnotes[k]
        return None

    def footnote_containing(self, pos: int) -> Footnote | None:
        """The footnote whose original text span contains this original offset."""
        starts = self.__dict__.get("_fn_orig")
        if starts is None or len(starts) != len(self.footnotes):
            starts = [fn.start for fn in self.footnotes]
            if any(a > b for a, b in zip(starts, starts[1:])):   # not in order: plain scan
                return next((fn for fn in self.footnotes if fn.start <= pos < fn.end), None)
            self.__dict__["_fn_orig"] = starts
        # the notes are lines of the text, in order and apart: only the last one starting at or
        # before pos can contain it (an empty note contains nothing)
        i = bisect.bisect_right(starts, pos) - 1
        for k in (i - 1, i):
            if k >= 0 and self.footnotes[k].start <= pos < self.footnotes[k].end:
                return self.footnotes[k]
        return None


@dataclass
class Section:
    """A node of the document's section tree (Phần, I., 1., 1.1., a), -, Điều)."""

    id: str                          # stable within the document: "s3", ...
    kind: str                        # part | chapter | article | roman | arabic | decimal | letter | paren | dash | plus | appendix
    label: str                       # path for humans: "II.1.a", "Điều 1.6" (own number is the last part)
    heading: str                     # first line of the section (trimmed)
    level: int                       # depth in the tree, 1 = top
    start: int                       # original offsets of the whole section extent
    end: int
    parent: str | None = None


@dataclass
class DocumentHeader:
    """What the document says about itself (its header, or what can be inferred)."""

    type: str | None = None          # canonical type word: "Báo cáo", "Quyết định", ...
    type_code: str | None = None     # "BC", "QĐ", ...
    identifier: str | None = None    # số ký hiệu without spaces, None when blank/absent
    symbol: str | None = None        # the part after the number: "BC-UBND"
    number_blank: bool = False       # "Số: /BC-UBND" (a draft)
    date: str | None = None          # ISO yyyy-mm-dd when complete
    date_partial: str | None = None  # "2023-03" or "2023" when the day (and month) are blank
    place: str | None = None
    issuer: str | None = None        # as written / inferred
    issuer_id: str | None = None     # key into the agency gazetteer
    title: str | None = None
    signer: str | None = None
    incomplete: bool = False         # no header: fields inferred from the body
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # field -> original span

    @property
    def year(self) -> int | None:
        d = self.date or self.date_partial
        return int(d[:4]) if d else None


@dataclass(slots=True)
class Citation:
    """One mention of a specific document in a source text."""

    surface: str                     # exact original text original[start:end]
    start: int
    end: int
    type: str | None                 # canonical type word of the cited document
    identifier: str | None           # số ký hiệu without spaces; "06" for "Đề án 06"; None
    date: str | None = None          # ISO date of issue, when the mention gives it
    issuer: str | None = None        # as written ("của ...") or inferred from the code
    issuer_id: str | None = None     # agency gazetteer key
    subject: str | None = None       # text after "về" (trích yếu)
    relation: str = "cites"          # cites | based_on | implements | amends | repeals | guides
    section: str | None = None       # Section.id containing the mention (anchor for footnotes)
    in_footnote: bool = False
    title: str | None = None         # name used when there is no number ("Luật Đầu tư công")
    year: int | None = None          # year of issue, from the date or the number ("15/2021/...")
    partial_date: str | None = None  # "2022-06" / "--06-19" style when the year or day is missing
    evidence: str | None = None      # the sentence around the mention (for relation typing)

    def to_json(self) -> dict[str, Any]:
        """The `kg extract --format json` contract."""
        return {
            "surface": self.surface, "start": self.start, "end": self.end,
            "type": self.type, "identifier": self.identifier, "date": self.date,
            "issuer": self.issuer, "subject": self.subject, "relation": self.relation,
            "section": self.section, "in_footnote": self.in_footnote, "title": self.title,
        }


@dataclass
class ExtractedDocument:
    """Everything the text stages found in one source file."""

    source: str                      # path as given
    sha256: str                      # of the raw bytes
    text: CleanText
    header: DocumentHeader
    sections: list[Section] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    # later stages (indicators, tasks, entities) add their own lists here
    extras: dict[str, Any] = field(default_factory=dict)

    def section(self, section_id: str | None) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None

    def section_at(self, pos: int) -> Section | None:
        """Deepest section whose extent contains an original offset."""
        index = self.__dict__.get("_section_index")
        if index is None or index.n != len(self.sections):
            index = self.__dict__["_section_index"] = _SectionIndex(self.sections)
        if index.proper:
            return index.at(pos)
        best = None
        for s in self.sections:
            if s.start <= pos < s.end and (best is None or s.level >= best.level):
                best = s
        return best

    def header_json(self) -> dict[str, Any]:
        h = self.header
        return {
            "type": h.type, "identifier": h.identifier, "date": h.date or h.date_partial,
            "issuer": h.issuer, "place": h.place, "title": h.title,
            "number_blank": h.number_blank, "incomplete": h.incomplete,
        }


class _SectionIndex:
    """Sections sorted by start, for section_at in O(log n) when the sections form a proper tree
    (children inside their parent, siblings apart, deeper levels below): large files look up the
    section of every citation, observation and task."""

    def __init__(self, sections: list[Section]):
        self.sections = sections
        self.n = len(sections)
        self.order = sorted(range(self.n), key=lambda k: (sections[k].start, k))
        self.starts = [sections[k].start for k in self.order]
        self.proper = self._proper()

    def _proper(self) -> bool:
        by_id = self.by_id = {s.id: s for s in self.sections}
        if len(by_id) != self.n:
            return False
        children: dict[str | None, list[Section]] = {}
        for s in self.sections:
            if s.start > s.end:
                return False
            if s.parent is not None:
                p = by_id.get(s.parent)
                if p is None or not (p.start <= s.start and s.end <= p.end and p.level < s.level):
                    return False
            children.setdefault(s.parent, []).append(s)
        for group in children.values():
            group = sorted(group, key=lambda x: x.start)
            if any(a.end > b.start for a, b in zip(group, group[1:])):
                return False
        return True

    def at(self, pos: int) -> Section | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i < 0:
            return None
        # the sections starting last at or before pos (several when a heading and its only
        # child share a start): the deepest that contains pos, the last listed on a tie
        best_k = None
        j = i
        while j >= 0 and self.starts[j] == self.starts[i]:
            k = self.order[j]
            s = self.sections[k]
            if s.start <= pos < s.end:
                b = self.sections[best_k] if best_k is not None else None
                if b is None or s.level > b.level or (s.level == b.level and k > best_k):
                    best_k = k
            j -= 1
        if best_k is not None:
            return self.sections[best_k]
        # none of them contains pos: in a proper tree only their ancestors can
        s = self.sections[self.order[j + 1]]
        while s.parent is not None:
            s = self.by_id[s.parent]
            if s.start <= pos < s.end:
                return s
        return None


def as_dict(obj: Any) -> dict[str, Any]:
    return asdict(obj)


# --- resolution (resolve stage) -------------------------------------------------

@dataclass
class Agency:
    """An issuing or responsible body from the curated gazetteer (data/vocab/agencies/)."""

    id: str                          # stable slug: "chinh-phu", "ubnd-tinh-lang-son"
    name: str                        # Vietnamese name: "Ủy ban nhân dân tỉnh Lạng Sơn"
    name_en: str | None = None
    level: str = "central"           # central | province | district | commune
    kind: str | None = None          # government | party | legislature | ministry | people-committee | ...
    parent: str | None = None        # id of the body it belongs to (org:subOrganizationOf)
    place: str | None = None         # place id for local bodies ("lang-son")
    codes: list[str] = field(default_factory=list)      # issuer codes in identifiers: "CP", "TTg"
    aliases: list[str] = field(default_factory=list)    # other names and abbreviations
    series: str | None = None        # id of the body whose number series its documents use (None = itself)
    template: str | None = None      # local template it was instantiated from ("ubnd", "cap-uy")


@dataclass(slots=True)
class DocumentRecord:
    """One real document, merged from every mention of it (and from its own header)."""

    key: str                         # identity: "{issuer_id}|{year or ''}|{identifier or 't-'+hash}"
    type: str | None                 # canonical type word (most frequent among mentions)
    identifier: str | None
    issuer_id: str | None
    year: int | None
    date: str | None = None          # the issue date when known and consistent
    title: str | None = None         # title / subject
    dates: list[str] = field(default_factory=list)      # every date given by a mention
    types: list[str] = field(default_factory=list)      # every type word it was cited under
    issuers: list[str] = field(default_factory=list)    # every issuer text given
    conflicts: list[str] = field(default_factory=list)  # human-readable, e.g. "date: 2022-01-05 ≠ 2021-01-05"
    source: str | None = None        # path of the corpus file that IS this document, if any
    mentions: int = 0
    agencies: list[str] = field(default_factory=list)   # specific issuing bodies named by mentions / header
    identifiers: list[str] = field(default_factory=list)  # every written form of the identifier
    titles: list[str] = field(default_factory=list)     # every title / subject given


@dataclass(slots=True)
class MentionLink:
    """How one citation (by source path and index in its citation list) was resolved."""

    source: str
    index: int
    target: str | None               # DocumentRecord.key
    status: str                      # resolved | undated | unresolved | ambiguous
    candidates: list[str] = field(default_factory=list)  # keys, when ambiguous


@dataclass
class Registry:
    """The resolve stage's result. records() / record() / source_key() read it the way the graph
    stage reads a resolve.Resolver, whose registry stays in its database."""

    documents: dict[str, DocumentRecord] = field(default_factory=dict)
    links: list[MentionLink] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)   # source path -> its own record key
    agencies: dict[str, Agency] = field(default_factory=dict)  # agencies used

    def records(self) -> Iterator[DocumentRecord]:
        """Every record, in key order."""
        return (self.documents[key] for key in sorted(self.documents))

    def record(self, key: str) -> DocumentRecord | None:
        return self.documents.get(key)

    def source_key(self, source: str) -> str | None:
        """The key of the record that source document is."""
        return self.sources.get(source)
