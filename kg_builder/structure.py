"""Stage 2 — structure: the document's header and its section tree.

`parse_header(ct)` reads what the document says about itself (type, số ký hiệu,
place and date, issuer, trích yếu, signer) from the header block, and infers the
missing fields from the body (closing sentence, signature block, symbol, place
line) when the converted file lost its header. `parse_sections(ct)` builds the
section tree (Phần > Chương > Điều > I. > 1. > 1.1. > a) > (1) > - > +).

Both work on `CleanText.text` and store ORIGINAL offsets (`ct.to_original`).
Words (document types, ordinals, place levels, signature prefixes, ...) are data:
data/vocab/document_types.json and data/vocab/structure.json.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date as _date
from functools import lru_cache
from typing import Any

from .errors import KGError
from .models import CleanText, DocumentHeader, Section
from .resources import data_path

_WS = " \t\r\u00a0"
_HEADER_MAX_LINES = 40
_HEADER_LONG_LINE = 400      # a longer line is body text, never a header line
_TITLE_MAX = 600
_HEADING_MAX = 200           # longer heading lines are cut at the first sentence end


# --------------------------------------------------------------------------- vocabulary

@dataclass(frozen=True)
class _Vocab:
    word_to_type: dict[str, str]          # casefolded type word -> canonical type
    code_to_type: dict[str, str]          # symbol code ("BC", "QĐ") -> canonical type
    party_code_to_type: dict[str, str]    # party-style code ("12-NQ/TU") when it differs
    type_code: dict[str, str]             # canonical type -> its main code
    type_line: re.Pattern[str]            # a header type line ("BÁO CÁO", "QUYẾT ĐỊNH")
    type_words_alt: str                   # regex alternation of all type words
    s: dict[str, Any]                     # data/vocab/structure.json


def _alt(words: list[str]) -> str:
    ws = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in ws)


def _load_json(*parts: str) -> Any:
    path = data_path(*parts)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KGError(f"missing vocabulary file {path}") from None
    except json.JSONDecodeError as exc:
        raise KGError(f"{path}: invalid JSON ({exc})") from None


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    raw = _load_json("vocab", "document_types.json")
    entries = raw.get("types", raw) if isinstance(raw, dict) else raw
    word_to_type: dict[str, str] = {}
    code_to_type: dict[str, str] = {}
    party: dict[str, str] = {}
    type_code: dict[str, str] = {}
    for e in entries:
        t = e.get("type")
        if not t:
            continue
        for w in [t, *e.get("words", [])]:
            word_to_type.setdefault(w.casefold(), t)
        codes = e.get("codes") or []
        for c in codes:
            code_to_type.setdefault(c, t)
        if codes:
            type_code.setdefault(t, codes[0])
        for c in e.get("party_codes") or []:
            party.setdefault(c, t)
    words_alt = _alt(list(word_to_type))
    type_line = re.compile(rf"(?P<word>{words_alt})(?=$|[\s:])\s*:?\s*(?P<rest>.*)", re.IGNORECASE)
    s = _load_json("vocab", "structure.json")
    return _Vocab(word_to_type, code_to_type, party, type_code, type_line, words_alt, s)


@dataclass(frozen=True)
class _Patterns:
    number: re.Pattern[str]
    date: re.Pattern[str]
    part: re.Pattern[str]
    chapter: re.Pattern[str]
    article: re.Pattern[str]
    appendix: re.Pattern[str]
    agency: re.Pattern[str]
    closing: re.Pattern[str]
    sig_prefix: re.Pattern[str]
    recipients: re.Pattern[str]
    header_end: re.Pattern[str]
    subject: re.Pattern[str]
    motto: re.Pattern[str]
    level_start: re.Pattern[str]
    level_word: re.Pattern[str]
    enacting: re.Pattern[str]
    connector_end: re.Pattern[str]     # a title line ending "... và" goes on
    cited_cue: re.Pattern[str]         # "của UBND tỉnh X": another agency, not the author
    place_prefix: re.Pattern[str]
    bodies: re.Pattern[str]


_ROMAN = re.compile(r"^(?P<num>[IVXL]{1,7})\s*(?:[.)]|/(?=\s)|\s+-|-(?=\s))\s*(?P<rest>\S.*)$")
_CAPITAL = re.compile(r"^(?P<num>[^\W\d_])\s*(?:[.)]|/(?=\s))\s*(?P<rest>\S.*)$")
_ROMAN_VALID = re.compile(r"^(?=[IVXL])L?X{0,3}(?:IX|IV|V?I{0,3})$")
_ARABIC = re.compile(r"^(?P<num>\d{1,2})\s*(?:\.(?!\d)|/(?=\s))\s*(?P<rest>[^\W\d_].*|[\"“«'(\[].*)$")
_DECIMAL = re.compile(
    r"^(?P<num>\d{1,2}(?:\s?\.\s?\d{1,2}(?!\d)){1,3})\s*\.?\s*(?P<rest>[^\W\d_].*|[\"“«'(\[].*)$")
_LETTER = re.compile(r"^(?P<num>[^\W\d_])\s*(?:\)|/(?=\s))\s*(?P<rest>\S.*)$")
_PAREN = re.compile(r"^(?P<num>\(\d{1,2}\)|\d{1,2}\))\s*(?P<rest>[^\W\d_].*|[\"“«'(\[].*)$")
_DASH = re.compile(r"^(?P<mark>[-•+])\s+(?P<rest>\S.*)$")
_SENTENCE_CUT = re.compile(r"[.:](?=\s)")
_SEPARATOR = re.compile(r"^[\W_]*$")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_]*$")
_YEAR_PREFIX = re.compile(r"^\d{4}\s*[/-]\s*")
_SPACES2 = re.compile(r"\s{2,}")


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    v = _vocab()
    s = v.s
    levels = _alt(s["place_levels"])
    bodies = _alt(list(s["collective_bodies"]))
    number = re.compile(
        r"(?:^|(?<=\s\s))Số\s*[:.]?\s*(?P<num>\d+[a-zA-Z]?)?(?P<blank>[\s.…_]*?)\s*(?P<sep>[/-])\s*"
        r"(?P<sym>[^\W_]+(?:\s?[-/]\s?[^\W_]+)*)", re.IGNORECASE)
    date = re.compile(
        r"ngày\s*(?P<d>\d{1,2}|[.…_ ]*?)\s*tháng\s*(?P<m>\d{1,2}|[.…_ ]*?)\s*năm\s*(?P<y>\d{4})\b",
        re.IGNORECASE)
    part = re.compile(
        rf"^(?:{_alt(s['part_words'])})\s+(?:thứ\s+(?P<ord>[^\W\d_]+)|(?P<num>[IVXL]+|\d{{1,2}}|[A-Z]))"
        rf"(?=$|[\s.:\-])\s*(?P<delim>[.:\-])?\s*(?P<rest>.*)$", re.IGNORECASE)
    chapter = re.compile(
        rf"^(?:{_alt(s['chapter_words'])})\s+(?P<num>[IVXL]+|\d{{1,2}})(?=$|[\s.:\-])\s*(?P<delim>[.:\-])?\s*(?P<rest>.*)$",
        re.IGNORECASE)
    article = re.compile(
        rf"^(?:{_alt(s['article_words'])})\s+(?P<num>\d{{1,3}}[a-zđ]?)\s*[.:](?=\s|$)\s*(?P<rest>.*)$",
        re.IGNORECASE)
    appendix = re.compile(
        rf"^(?:{_alt(s['appendix_words'])})(?:\s+(?:số\s+)?(?P<num>[IVXL]+|\d{{1,2}}|[A-Z])(?=$|[\s.:\-]))?"
        rf"\s*[.:\-]?\s*(?P<rest>.*)$", re.IGNORECASE)
    agency = re.compile(rf"(?P<body>{bodies})\s+(?P<level>{levels})(?=[\s,.;:)]|$)", re.IGNORECASE)
    closing = re.compile(
        rf"(?:^|(?<=[.!?;]\s))(?P<subj>[^\W\d_][^.\n;:!?]{{2,120}}?)\s+(?:{_alt(s['closing_verbs'])})\s+"
        rf"(?P<word>{v.type_words_alt})\b", re.IGNORECASE | re.MULTILINE)
    sig_alts = "|".join(re.escape(w) + r"\s*" if w.endswith((".", "/")) else re.escape(w.strip()) + r"\s+"
                        for w in sorted(s["signature_prefixes"], key=len, reverse=True))
    sig_prefix = re.compile(rf"^(?:{sig_alts})(?P<rest>.*)$", re.IGNORECASE)
    recipients = re.compile(rf"^(?:{_alt(s['recipients'])})\s*:?\s*(?:$|[-+•]|như trên)", re.IGNORECASE)
    header_end = re.compile(rf"^(?:{_alt(s['header_end'])})\b", re.IGNORECASE)
    subject = re.compile(rf"^(?:{_alt(s['letter_subject'])})\s*[:.]?\s*(?P<rest>.+)$", re.IGNORECASE)
    motto = re.compile(_alt(s["national_motto"]), re.IGNORECASE)
    level_start = re.compile(rf"^(?:{levels})\b", re.IGNORECASE)
    level_word = re.compile(rf"\b(?:{levels})\b", re.IGNORECASE)
    enacting = re.compile(rf"^(?:{_alt(s['enacting_heads'] + list(s['collective_bodies']))})\b", re.IGNORECASE)
    place_prefix = re.compile(rf"^(?P<p>{_alt(list(s['place_prefixes']))})(?:(?<=\.)\s*|\s+)", re.IGNORECASE)
    return _Patterns(
        number=number, date=date, part=part, chapter=chapter, article=article, appendix=appendix,
        agency=agency, closing=closing, sig_prefix=sig_prefix, recipients=recipients,
        header_end=header_end, subject=subject, motto=motto, level_start=level_start,
        level_word=level_word, enacting=enacting,
        connector_end=re.compile(rf"\s(?:{_alt(s['title_connectors'])})$", re.IGNORECASE),
        cited_cue=re.compile(rf"\b(?:{_alt(s['cited_agency_cues'])})\s*$", re.IGNORECASE),
        place_prefix=place_prefix, bodies=re.compile(bodies, re.IGNORECASE))


# --------------------------------------------------------------------------- lines

@dataclass
class _Line:
    start: int          # clean offset of the first non-space character
    end: int            # clean offset after the last non-space character
    text: str
    blank_before: bool  # an empty line separates it from the previous line


def _lines(text: str, hi: int) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    prev_end = 0
    while pos < hi:
        nl = text.find("\n", pos, hi)
        if nl < 0:
            nl = hi
        s, e = pos, nl
        while s < e and text[s] in _WS:
            s += 1
        while e > s and text[e - 1] in _WS:
            e -= 1
        if s < e and text[s] == "#":            # markdown heading marks "## I. ..."
            j = s
            while j < e and text[j] == "#":
                j += 1
            if j - s <= 6 and j < e and text[j] in _WS:
                s = j
                while s < e and text[s] in _WS:
                    s += 1
        if e > s:
            blank = bool(out) and text.count("\n", prev_end, s) >= 2
            out.append(_Line(s, e, text[s:e], blank))
            prev_end = e
        pos = nl + 1
    return out


def _letters(s: str) -> list[str]:
    return [c for c in s if c.isalpha()]


def _is_caps(s: str) -> bool:
    """Mostly upper-case (headings, header lines)."""
    ls = _letters(s)
    if len(ls) < 2:
        return False
    return sum(1 for c in ls if c.isupper()) >= 0.9 * len(ls)


def _orig(ct: CleanText, s: int, e: int) -> tuple[int, int]:
    return ct.to_original(s, e)


# --------------------------------------------------------------------------- header

def parse_header(ct: CleanText) -> DocumentHeader:
    """Read the document's own identity from its header.

    type/type_code from the type line ("BÁO CÁO"), else the symbol's code ("/BC-UBND"),
    else a "V/v" subject line (Công văn), else the closing "... trân trọng báo cáo";
    identifier/symbol/number_blank from "Số: 79/QĐ-UBND" / "Số: /BC-UBND"; place and date
    (or date_partial "2023-03" / "2023" when the day or month is blank) from
    "<Place>, ngày dd tháng mm năm yyyy"; title from the line(s) after the type line;
    issuer from the header block (as written), else the enacting-authority line, else
    inferred ("UBND tỉnh X") from the closing sentence, the opening "... như sau:" or the
    signature "TM. ..." / symbol + place level + place name; signer from the name under
    the signature's position lines. A text with no number, date or type line is
    `incomplete` and keeps date/title None. `spans` holds original spans of what was
    found: number, symbol, identifier, date, place, type, title, issuer, signer.
    """
    v = _vocab()
    p = _patterns()
    text = ct.text
    body_end = ct.body_end or len(text)
    lines = _lines(text, body_end)
    h = DocumentHeader()

    zone = _header_zone(lines, p)
    num_i = date_i = type_i = None
    authority_i = None

    # number "Số: 79/QĐ-UBND"
    for i in zone:
        m = p.number.search(lines[i].text)
        if m and (m.group("num") or m.group("sep") == "/"):
            _set_number(h, ct, lines[i], m)
            num_i = i
            break

    # place and date "Lạng Sơn, ngày 19 tháng 01 năm 2023"
    for i in zone:
        if _set_date(h, ct, lines[i], p, num_i == i):
            date_i = i
            break

    # type line "BÁO CÁO" (in capitals, or the bare type word alone on its line)
    for i in zone:
        ln = lines[i]
        m = v.type_line.fullmatch(ln.text)
        if not m or not (_is_caps(ln.text) or not m.group("rest")):
            continue
        h.type = v.word_to_type[_squash(m.group("word")).casefold()]
        h.type_code = v.type_code.get(h.type)
        ws, we = ln.start + m.start("word"), ln.start + m.end("word")
        h.spans["type"] = _orig(ct, ws, we)
        type_i = i
        rest = m.group("rest").strip()
        if rest and len(rest.split()) > 3:
            h.title = rest
            h.spans["title"] = _orig(ct, ln.start + m.start("rest"), ln.end)
        break

    if type_i is not None and h.title is None:
        authority_i = _set_title(h, ct, lines, zone, type_i, p)

    # "V/v ..." subject line of an official letter
    if h.type is None or h.title is None:
        for i in zone:
            m = p.subject.match(lines[i].text)
            if m:
                if h.type is None:
                    h.type = v.s.get("letter_type")
                    h.type_code = v.type_code.get(h.type or "")
                if h.title is None:
                    h.title = m.group("rest").strip()
                    h.spans["title"] = _orig(ct, lines[i].start + m.start("rest"), lines[i].end)
                break

    # type from the symbol's code ("BC-UBND" -> Báo cáo)
    if h.symbol:
        party_style = bool(h.identifier) and "-" in (h.identifier or "").split("/")[0]   # "12-NQ/TU"
        code_type, code = _type_from_symbol(h.symbol, v, party=party_style)
        if h.type is None and code_type:
            h.type, h.type_code = code_type, code
        elif code_type == h.type and code:
            h.type_code = code

    h.incomplete = num_i is None and date_i is None and type_i is None

    # issuer from the header block, or the enacting authority line of a decision
    first_field = min([i for i in (num_i, date_i, type_i) if i is not None], default=None)
    if first_field is not None:
        _issuer_from_block(h, ct, lines, zone, first_field, p)
    if h.issuer is None and authority_i is not None:
        ln = lines[authority_i]
        h.issuer = ln.text
        h.spans["issuer"] = _orig(ct, ln.start, ln.end)

    closing_i = _closing_line(lines, p, start=(zone[-1] + 1) if zone else 0)
    sig = _signature(lines, closing_i if closing_i is not None else max(0, len(lines) - 12), p)
    if sig is not None:
        name_i, sig_body = sig
        ln = lines[name_i]
        h.signer = ln.text
        h.spans["signer"] = _orig(ct, ln.start, ln.end)
    else:
        sig_body = None

    if h.issuer is None:
        _infer_issuer(h, ct, lines, closing_i, sig_body, p, v)

    if h.type is None:
        m = _last_closing(text, body_end, p)
        if m:
            h.type = v.word_to_type.get(_squash(m.group("word")).casefold())
            h.type_code = v.type_code.get(h.type or "")
            h.spans["type"] = _orig(ct, m.start("word"), m.end("word"))
    return h


def _squash(s: str) -> str:
    return " ".join(s.split())


def _header_zone(lines: list[_Line], p: _Patterns) -> list[int]:
    """Indexes of the lines that may belong to the header block."""
    zone: list[int] = []
    for i, ln in enumerate(lines[:_HEADER_MAX_LINES]):
        head = _heading_of(ln.text, p)
        if len(ln.text) > _HEADER_LONG_LINE or p.header_end.match(ln.text) \
                or (head is not None and head.kind not in ("dash", "plus", "letter", "paren")):
            break
        zone.append(i)
    return zone


def _set_number(h: DocumentHeader, ct: CleanText, ln: _Line, m: re.Match[str]) -> None:
    sym = re.sub(r"\s+", "", m.group("sym"))
    num = m.group("num")
    s0 = ln.start + m.start()
    h.spans["number"] = _orig(ct, s0, ln.start + m.end())
    h.symbol = _YEAR_PREFIX.sub("", sym) or sym
    h.spans["symbol"] = _orig(ct, ln.start + m.start("sym"), ln.start + m.end("sym"))
    if num:
        h.identifier = f"{num}{m.group('sep')}{sym}"
        h.spans["identifier"] = _orig(ct, ln.start + m.start("num"), ln.start + m.end("sym"))
    else:
        h.number_blank = True


def _type_from_symbol(symbol: str, v: _Vocab, party: bool = False) -> tuple[str | None, str | None]:
    """The type named by the code at the head of a symbol ("BC-UBND", "NQ/TU")."""
    for part in re.split(r"[-/]", symbol):
        if not part or part.isdigit():
            continue
        t = (v.party_code_to_type.get(part) if party else None) \
            or v.code_to_type.get(part) or v.code_to_type.get(part.upper())
        return (t, part) if t else (None, None)
    return None, None


def _set_date(h: DocumentHeader, ct: CleanText, ln: _Line, p: _Patterns, same_line_as_number: bool) -> bool:
    m = p.date.search(ln.text)
    if not m:
        return False
    prefix = ln.text[:m.start()].rstrip()
    place = None
    place_start = None
    if prefix:
        if not prefix.endswith(","):
            return False
        cut = 0
        if same_line_as_number:
            nm = p.number.search(prefix)
            if nm:
                cut = nm.end()
        mm = None
        for mm in p.motto.finditer(prefix):
            pass
        if mm is not None:
            cut = max(cut, mm.end())
        for sm in _SPACES2.finditer(prefix):
            if sm.end() > cut:
                cut = sm.end()
        cand = prefix[cut:-1].strip(" -*")
        if cand:
            words = cand.split()
            if not (cand[0].isupper() and len(words) <= 8 and not any(c.isdigit() for c in cand)):
                return False
            place = cand
            place_start = ln.start + prefix.index(cand, cut)
    y = int(m.group("y"))
    d, mo = m.group("d").strip(), m.group("m").strip()
    if d.isdigit() and mo.isdigit():
        try:
            h.date = _date(y, int(mo), int(d)).isoformat()
        except ValueError:
            h.date_partial = f"{y:04d}-{int(mo):02d}" if 1 <= int(mo) <= 12 else f"{y:04d}"
    elif mo.isdigit() and 1 <= int(mo) <= 12:
        h.date_partial = f"{y:04d}-{int(mo):02d}"
    else:
        h.date_partial = f"{y:04d}"
    h.spans["date"] = _orig(ct, ln.start + m.start(), ln.start + m.end())
    if place and place_start is not None:
        h.place = place
        h.spans["place"] = _orig(ct, place_start, place_start + len(place))
    return True


def _set_title(h: DocumentHeader, ct: CleanText, lines: list[_Line], zone: list[int], type_i: int,
               p: _Patterns) -> int | None:
    """Title lines after the type line. Returns the index of an enacting-authority line
    ("ỦY BAN NHÂN DÂN TỈNH ...") that ends the title, when there is one."""
    zone_end = zone[-1] + 1 if zone else 0
    ended_by_header_end = zone_end < len(lines) and bool(p.header_end.match(lines[zone_end].text))
    picked: list[int] = []
    for i in range(type_i + 1, zone_end):
        ln = lines[i]
        t = ln.text
        if t.startswith("(") or _SEPARATOR.match(t):
            break
        if i == zone_end - 1 and ended_by_header_end and _is_caps(t) and picked:
            break                  # "ỦY BAN NHÂN DÂN TỈNH X" right before "Căn cứ ..."
        if picked:
            prev = lines[picked[-1]].text
            joined = prev.endswith((",", "-", ";")) or bool(p.connector_end.search(prev))
            if _is_caps(prev) != _is_caps(t) and not t[0].islower():
                break
            if ln.blank_before and not t[0].islower() and not joined:
                break
            if not _is_caps(t) and not (t[0].islower() or t[0].isdigit() or joined):
                break
            if p.enacting.match(t) or t.endswith(":"):
                break
            if sum(len(lines[j].text) for j in picked) + len(t) > _TITLE_MAX:
                break
        picked.append(i)
    if picked:
        h.title = " ".join(lines[j].text for j in picked)
        h.spans["title"] = _orig(ct, lines[picked[0]].start, lines[picked[-1]].end)
    last = zone_end - 1
    if ended_by_header_end and last > type_i and last not in picked and _is_caps(lines[last].text) \
            and _heading_of(lines[last].text, p) is None and not _is_type_line(lines[last].text):
        return last
    return None


def _is_type_line(t: str) -> bool:
    return bool(_vocab().type_line.fullmatch(t)) and len(t.split()) <= 4


def _issuer_from_block(h: DocumentHeader, ct: CleanText, lines: list[_Line], zone: list[int],
                       first_field: int, p: _Patterns) -> None:
    groups: list[list[tuple[int, int, str]]] = []
    for i in zone:
        if i >= first_field:
            break
        ln = lines[i]
        t = ln.text
        mm = p.motto.search(t)
        if mm:
            t = t[:mm.start()].rstrip(" -")
        t = t.split("  ")[0].strip()
        if not t or _SEPARATOR.match(t) or not _is_caps(t) or len(t) > 100:
            continue
        item = (ln.start, ln.start + len(t), t)
        if groups and p.level_start.match(t):
            groups[-1].append(item)
        else:
            groups.append([item])
    if not groups:
        return
    last = groups[-1]
    issuer = " ".join(t for _, _, t in last)
    if not any(p.level_word.search(t) for _, _, t in last):
        for g in reversed(groups[:-1]):
            joined = " ".join(t for _, _, t in g)
            lm = p.level_word.search(joined)
            if lm and joined[lm.end():].strip():
                issuer = f"{issuer} {joined[lm.start():]}"
                break
    h.issuer = issuer
    h.spans["issuer"] = _orig(ct, last[0][0], last[-1][1])


def _closing_line(lines: list[_Line], p: _Patterns, start: int) -> int | None:
    """First line of the closing block: "Nơi nhận:" or a signature line "TM. ..."."""
    for i in range(start, len(lines)):
        t = lines[i].text
        if p.recipients.match(t):
            return i
        m = p.sig_prefix.match(t)
        if m and _is_caps(m.group("rest")) and len(t) <= 80:
            return i
    return None


def _is_name(t: str) -> bool:
    words = t.split()
    return 2 <= len(words) <= 6 and all(_NAME_WORD.match(w) and w[0].isupper() for w in words) \
        and not _is_caps(t)


def _signature(lines: list[_Line], closing_i: int, p: _Patterns) -> tuple[int, str | None] | None:
    """(index of the signer's name line, collective body after "TM."), searched from closing_i:
    a name in Title Case right after the position lines in capitals ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")."""
    skip = {s.casefold() for s in _vocab().s["signature_skip"]}
    body = None
    caps_seen = 0
    for i in range(closing_i, min(len(lines), closing_i + 60)):
        t = lines[i].text
        m = p.sig_prefix.match(t)
        if m and _is_caps(m.group("rest")):
            if body is None and t[:2].casefold() in ("tm", "t/"):
                body = m.group("rest").strip()
            caps_seen = i
            continue
        if t.casefold() in skip:
            continue
        if _is_caps(t) and len(t) <= 60 and not t.startswith(("-", "+")):
            caps_seen = i
            continue
        if caps_seen and _is_name(t) and i - caps_seen <= 3:
            return i, body
        if caps_seen and i - caps_seen > 3:
            caps_seen = 0
    return None


def _last_closing(text: str, body_end: int, p: _Patterns) -> re.Match[str] | None:
    last = None
    for m in p.closing.finditer(text, 0, body_end):
        if m.group("subj")[0].isupper() and len(m.group("subj").split()) <= 12:
            last = m
    return last


def _short_body(body: str) -> str | None:
    s = _vocab().s["collective_bodies"]
    return s.get(" ".join(body.split()).casefold())


def _infer_issuer(h: DocumentHeader, ct: CleanText, lines: list[_Line], closing_i: int | None,
                  sig_body: str | None, p: _Patterns, v: _Vocab) -> None:
    """Issuer of a document whose header lost it: the closing sentence ("<issuer> trân
    trọng báo cáo"), the opening self-statement ("..., UBND tỉnh X báo cáo ... như sau:"),
    else the collective body (signature "TM. ...", symbol) + level (place prefix "TP.",
    the body's own mentions "UBND tỉnh đã ...") + the place name of the date line."""
    text = ct.text
    body_end = ct.body_end or len(text)
    limit = lines[closing_i].start if closing_i is not None else body_end
    place_name, place_level = _split_place(h.place, p, v)

    # 1. the closing sentence
    m = _last_closing(text, body_end, p)
    if m:
        subj = m.group("subj")
        cut = subj.rfind(",") + 1
        s0 = m.start("subj") + cut
        while s0 < m.end("subj") and text[s0] in " \n":
            s0 += 1
        found = _agency_at(text, s0, m.end("subj"), p)
        if found:
            body, level, name, e = found
            if name:
                _set_issuer(h, ct, f"{body} {level} {name}", s0, e)
                return
            if place_name:
                _set_issuer(h, ct, f"{body} {level} {place_name}", s0, e)
                return
        else:
            subj_text = text[s0:m.end("subj")].strip()
            if subj_text and subj_text[0].isupper() and len(subj_text.split()) <= 10 \
                    and not any(c.isdigit() for c in subj_text):
                _set_issuer(h, ct, subj_text, s0, s0 + len(subj_text))
                return

    # 2. the opening self-statement, in the sentence that ends with "như sau:"
    nm = re.search(r"\bnhư sau\s*:", text[:min(limit, 5000)])
    if nm:
        sent_start = max(text.rfind(".", 0, nm.start()) + 1, text.rfind("\n", 0, nm.start()) + 1)
        best = None
        for am in p.agency.finditer(text, sent_start, nm.start()):
            before = text[max(sent_start, am.start() - 8):am.start()].casefold()
            if p.cited_cue.search(before):
                continue
            found = _agency_at(text, am.start(), nm.start(), p)
            if found and found[2]:
                best = (am.start(), found)
        if best:
            s0, (body, level, name, e) = best
            _set_issuer(h, ct, f"{body} {level} {name}", s0, e)
            return

    # 3. collective body + level + place name
    body = _short_body(sig_body) if sig_body else None
    if body is None and h.symbol:
        for part in reversed(re.split(r"[-/]", h.symbol)):
            body = _short_body(part)
            if body:
                break
    if body is None or not place_name:
        return
    level = place_level
    if level is None:
        counts: dict[str, int] = {}
        for am in p.agency.finditer(text, 0, limit):
            if _short_body(am.group("body")) != body:
                continue
            name, _ = _name_after(text, am.end())
            if name and name.casefold() != place_name.casefold():
                continue
            lv = " ".join(am.group("level").split()).lower()
            counts[lv] = counts.get(lv, 0) + 1
        if counts:
            level = max(counts.items(), key=lambda kv: kv[1])[0]
    if level:
        h.issuer = f"{body} {level} {place_name}"


def _set_issuer(h: DocumentHeader, ct: CleanText, issuer: str, s: int, e: int) -> None:
    h.issuer = issuer
    h.spans["issuer"] = _orig(ct, s, e)


def _split_place(place: str | None, p: _Patterns, v: _Vocab) -> tuple[str | None, str | None]:
    """"TP. Lạng Sơn" -> ("Lạng Sơn", "thành phố"); "Lạng Sơn" -> ("Lạng Sơn", None)."""
    if not place:
        return None, None
    pm = p.place_prefix.match(place)
    if not pm:
        return place, None
    prefixes = {k.strip(): lv for k, lv in v.s["place_prefixes"].items()}
    rest = place[pm.end():].strip()
    return (rest or None), prefixes.get(" ".join(pm.group("p").split()).casefold())


def _agency_at(text: str, s: int, e: int, p: _Patterns) -> tuple[str, str, str, int] | None:
    """(short body, level, name, end) for "Ủy ban nhân dân tỉnh Lạng Sơn" starting at s."""
    am = p.agency.match(text, s, e)
    if not am:
        return None
    body = _short_body(am.group("body")) or am.group("body")
    level = " ".join(am.group("level").split()).lower()
    name, name_end = _name_after(text[:e], am.end())
    return body, level, name, (name_end if name else am.end())


def _name_after(text: str, pos: int) -> tuple[str, int]:
    """Capitalised words right after pos ("Lạng Sơn", "Bà Rịa - Vũng Tàu")."""
    m = re.match(r"(?:\s+(?:-\s+)?[^\W\d_]+){1,6}", text[pos:pos + 80])
    if not m:
        return "", pos
    words = []
    end = pos
    for wm in re.finditer(r"(-\s+)?([^\W\d_]+)", m.group(0)):
        w = wm.group(2)
        if not w[0].isupper():
            break
        words.append((wm.group(1) or "") + w)
        end = pos + wm.end()
    return " ".join(words), end


# --------------------------------------------------------------------------- sections

_LEAVES = ("dash", "plus")
_RANK = {"appendix": 0, "part": 1, "chapter": 2, "article": 3, "roman": 4, "arabic": 5, "decimal": 6,
         "letter": 7, "paren": 7.5, "dash": 8, "plus": 9}


@dataclass
class _Head:
    kind: str
    key: tuple[str, int]
    num: int | None
    own: str            # own label: "I", "2", "1.1", "a", "Điều 1"
    prefix: str | None  # decimal: "1" of "1.2"
    rest: str           # text after the marker


def _roman_value(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for i, c in enumerate(s):
        v = vals[c]
        total += -v if i + 1 < len(s) and vals[s[i + 1]] > v else v
    return total


def _heading_of(t: str, p: _Patterns) -> _Head | None:
    """Recognise a heading marker at the start of a (stripped, clean) line."""
    if not t or not (t[0].isupper() or t[0].isdigit() or t[0] in "-•+(" or t[0].islower()):
        return None
    s = _vocab().s
    if t[0].isupper():
        m = p.part.match(t)
        if m and _titled(m):
            if m.group("ord"):
                n = s["ordinals"].get(m.group("ord").casefold())
                if n is None:
                    return None
            else:
                raw = m.group("num")
                n = int(raw) if raw.isdigit() else (_roman_value(raw.upper()) if _ROMAN_VALID.match(raw.upper())
                                                    else ord(raw.upper()) - 64)
            return _Head("part", ("part", 0), n, f"Phần {n}", None, m.group("rest"))
        m = p.chapter.match(t)
        if m and _titled(m):
            raw = m.group("num").upper()
            if raw.isdigit() or _ROMAN_VALID.match(raw):
                n = int(raw) if raw.isdigit() else _roman_value(raw)
                return _Head("chapter", ("chapter", 0), n, f"Chương {raw}", None, m.group("rest"))
        m = p.article.match(t)
        if m:
            raw = m.group("num")
            return _Head("article", ("article", 0), int(re.match(r"\d+", raw).group(0)), f"Điều {raw}", None,
                         m.group("rest"))
        m = p.appendix.match(t)
        if m and (_is_caps(t.split(":")[0]) or (m.group("num") and not m.group("rest"))) \
                and (not m.group("rest") or _is_caps(m.group("rest")) or m.group("rest").startswith("(")):
            num = m.group("num")
            return _Head("appendix", ("appendix", 0), None, f"Phụ lục {num}" if num else "Phụ lục", None,
                         m.group("rest"))
        m = _ROMAN.match(t)
        if m and _ROMAN_VALID.match(m.group("num")) and not m.group("rest")[0].isdigit() \
                and not m.group("rest")[0].islower():
            return _Head("roman", ("roman", 0), _roman_value(m.group("num")), m.group("num"), None, m.group("rest"))
        m = _CAPITAL.match(t)
        letters = s["letters"]
        if m and m.group("num").lower() in letters and _is_caps(m.group("rest")):
            # "A. TÌNH HÌNH ...", "B. KẾ HOẠCH ..." above the roman headings
            n = letters.index(m.group("num").lower()) + 1
            return _Head("part", ("part", 1), n, m.group("num"), None, m.group("rest"))
        return None
    if t[0].isdigit() or t[0] == "(":
        m = _DECIMAL.match(t)
        if m:
            parts = [x.strip() for x in m.group("num").split(".")]
            return _Head("decimal", ("decimal", len(parts) - 1), int(parts[-1]), ".".join(parts),
                         ".".join(parts[:-1]), m.group("rest"))
        m = _ARABIC.match(t)
        if m:
            return _Head("arabic", ("arabic", 0), int(m.group("num")), m.group("num"), None, m.group("rest"))
        m = _PAREN.match(t)
        if m:
            n = int(m.group("num").strip("()"))
            return _Head("paren", ("paren", 0), n, f"({n})", None, m.group("rest"))
        return None
    if t[0].islower():
        m = _LETTER.match(t)
        letters = s["letters"]
        if m and m.group("num") in letters:
            return _Head("letter", ("letter", 0), letters.index(m.group("num")) + 1, m.group("num"), None,
                         m.group("rest"))
        return None
    m = _DASH.match(t)
    if m:
        kind = "plus" if m.group("mark") == "+" else "dash"
        return _Head(kind, (kind, 0), None, m.group("mark"), None, m.group("rest"))
    return None


def _titled(m: re.Match[str]) -> bool:
    """A part/chapter marker stands alone, or is followed by a title in capitals,
    or by a capitalised title after a delimiter ("Phần thứ nhất. Đánh giá ...")."""
    rest = m.group("rest")
    return not rest or _is_caps(rest) or bool(m.group("delim") and rest[0].isupper())


def _rank(key: tuple[str, int]) -> float:
    return _RANK[key[0]] + key[1] * 0.01


@dataclass
class _Open:
    head: _Head
    idx: int           # index into the result list
    path: str
    dashes: int = 0    # dash/plus children counted so far


def parse_sections(ct: CleanText, dashes: bool = True) -> list[Section]:
    """The section tree, in document order (ids "s1", "s2", ... follow that order).

    Kinds: part ("Phần thứ nhất", "PHẦN I", and "A." / "B." headings in capitals), chapter
    ("Chương I"), article ("Điều 1."), roman ("I.", "II -", "III/"), arabic ("1.", "2/"),
    decimal ("1.1.", "2.3"), letter ("a)", "đ)"), paren ("(1)", "1)"), dash ("-", "•"), plus
    ("+"), appendix ("PHỤ LỤC"). Nesting follows that rank order, so a document that skips a
    level still nests right; numbering must be plausible (siblings count up, a new list
    starts near 1, "4.2" sits under "4."), which keeps table cells ("1" alone on a line) and
    numbered lines in running text out. `label` is the path ("II.1.a", "Phần 1.I.2",
    "Điều 1.6.8.a", "II.2.-3" for the third dash item); `heading` is the heading line as
    it stands in the text (a bare "Phần thứ nhất" / "PHỤ LỤC" with the title line after it;
    long lines cut at the first sentence end). A section runs from its heading to the next
    heading of the same or a higher rank; the recipients list / signature ("Nơi nhận:",
    "TM. ...") ends the body, and only an appendix opens a section after it; a dash item
    ends with its paragraph. Footnote texts (after ct.body_end) belong to no section.
    `dashes=False` leaves out the "-" / "+" items.
    """
    p = _patterns()
    text = ct.text
    body_end = ct.body_end or len(text)
    lines = _lines(text, body_end)
    out: list[Section] = []
    clean_spans: list[list[int]] = []       # [start, end] in clean offsets, per section
    stack: list[_Open] = []
    in_closing = False
    seen_heading = False

    def close_to(depth: int, at: int) -> None:
        while len(stack) > depth:
            o = stack.pop()
            clean_spans[o.idx][1] = at

    i = 0
    while i < len(lines):
        ln = lines[i]
        t = ln.text
        if seen_heading and not in_closing:
            if p.recipients.match(t) or ((m := p.sig_prefix.match(t)) and _is_caps(m.group("rest"))
                                         and len(t) <= 80):
                in_closing = True
                close_to(0, ln.start)
                i += 1
                continue
        head = _heading_of(t, p)
        if head is None and stack and stack[-1].head.kind in _LEAVES and t[0].isupper():
            # a new paragraph ends the open "-" / "+" items
            k = len(stack)
            while k > 0 and stack[k - 1].head.kind in _LEAVES:
                k -= 1
            close_to(k, lines[i - 1].end)
        if head is None or (in_closing and head.kind != "appendix") \
                or (not dashes and head.kind in ("dash", "plus")) \
                or (not seen_heading and head.kind in ("dash", "plus", "letter", "paren")):
            i += 1
            continue
        if head.kind == "appendix":
            in_closing = False
            close_to(0, ln.start)
        if not _accept(head, stack):
            i += 1
            continue
        # where does it go?
        same = next((k for k in range(len(stack) - 1, -1, -1) if stack[k].head.key == head.key), None)
        if same is not None:
            close_to(same, ln.start)
        else:
            r = _rank(head.key)
            while stack and _rank(stack[-1].head.key) >= r:
                close_to(len(stack) - 1, ln.start)
        parent = stack[-1] if stack else None
        path = _path(head, parent)
        # heading text (clean, exact); a bare "Phần thứ nhất" / "PHỤ LỤC" takes its title line
        h_end = ln.end
        if head.kind in ("part", "chapter", "appendix") and not head.rest.strip(" :") and i + 1 < len(lines):
            nxt = lines[i + 1]
            if _is_caps(nxt.text) and _heading_of(nxt.text, p) is None and len(nxt.text) <= 300:
                h_end = nxt.end
                i += 1
        heading = text[ln.start:h_end]
        if len(heading) > _HEADING_MAX:
            heading = _cut_heading(heading, len(t) - len(head.rest))
        sid = f"s{len(out) + 1}"
        out.append(Section(id=sid, kind=head.kind, label=path, heading=heading, level=len(stack) + 1,
                           start=0, end=0, parent=out[parent.idx].id if parent else None))
        clean_spans.append([ln.start, body_end])
        stack.append(_Open(head, len(out) - 1, path))
        seen_heading = True
        i += 1
    close_to(0, body_end)

    for sec, (cs, ce) in zip(out, clean_spans):
        while ce > cs and text[ce - 1] in " \n\t\r":
            ce -= 1
        sec.start, sec.end = ct.to_original(cs, ce)
    return out


def _accept(head: _Head, stack: list[_Open]) -> bool:
    """Numbering plausibility: siblings count up, a new list starts near 1,
    a decimal "4.2" sits under "4." (rules out table cells and running text)."""
    if head.num is None or head.key in (("part", 0), ("chapter", 0), ("appendix", 0)):
        return True
    same = next((o for o in reversed(stack) if o.head.key == head.key), None)
    if head.kind == "decimal":
        parent_num = None
        for o in reversed(stack):
            if o.head.key == ("decimal", head.key[1] - 1) or (head.key[1] == 1 and o.head.kind == "arabic"):
                parent_num = o.head.own
                break
        if same is not None and same.head.prefix == head.prefix:
            pass
        elif parent_num is not None and parent_num != head.prefix:
            return False
    if same is not None and same.head.num is not None:
        pn = same.head.num
        if head.kind == "decimal" and same.head.prefix != head.prefix:
            return head.num <= 3
        return pn <= head.num <= pn + 3 or head.num == 1
    return head.num <= 3


def _path(head: _Head, parent: _Open | None) -> str:
    if head.kind in ("dash", "plus"):
        if parent is None:
            return head.own
        parent.dashes += 1
        own = f"{head.own}{parent.dashes}"
    elif head.kind == "decimal" and parent is not None and parent.head.own == head.prefix:
        own = head.own.rsplit(".", 1)[1]
    else:
        own = head.own
    return f"{parent.path}.{own}" if parent is not None else own


def _cut_heading(heading: str, marker_len: int) -> str:
    for m in _SENTENCE_CUT.finditer(heading, marker_len + 8, _HEADING_MAX):
        return heading[:m.end()]
    cut = heading.rfind(" ", marker_len, _HEADING_MAX)
    return heading[:cut] if cut > marker_len else heading[:_HEADING_MAX]
