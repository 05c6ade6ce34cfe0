"""Stage 3 — recognise: find every mention of a specific document (citations).

Works on the cleaned text (`CleanText.text`) and reports original offsets
(`Citation.surface == ct.original[start:end]`). The knowledge — type words and
codes, issuer codes, cue words, law names — lives in data/vocab/document_types.json,
issuer_codes.json and citation_cues.json; this module holds the grammar:

- numbered mentions ``[type word] [số] IDENT [, ngày DATE] [của ISSUER] [về SUBJECT]``,
  IDENT in state style ``01/NQ-CP``, ``15/2021/NĐ-CP``, ``263/BKHĐT-TH``,
  ``111/2024/QH15`` or party style ``11-NQ/TW``, with messy spacing (``11- NQ/TW``,
  ``NĐ- CP``) and lost hyphens (``NQCP``); without a type word the type comes from
  the code, a list neighbour or a shared plural head
  (``các Nghị quyết của Quốc hội: số 69/2022/QH15 …, số 70/2022/QH15 …``);
- laws and codes by name (``Luật Đầu tư công``, ``Luật Đất đai năm 2024``,
  ``bộ luật lao động``, ``luật ATVSLĐ``, ``Luật sửa đổi, bổ sung một số điều của …``),
  with or without a number;
- named Party resolutions (``Nghị quyết Trung ương 8 khóa XI``,
  ``Nghị quyết Đại hội Đảng bộ tỉnh … lần thứ XVII``) and their elliptical
  neighbours (``…, Đại hội Đảng bộ tỉnh lần thứ XVII``);
- short names by a bare number (``Đề án 06``), a type word with a date only
  (``Kế hoạch ngày 16/01/2021``);
- titled documents without a number (``Đề án phát triển lâm nghiệp …``), one clause long;
  a title made only of action words (``Quyết định phê duyệt``) names nothing, and a title
  followed by a number is one numbered mention (``Quyết định phê duyệt dự án … số 12/QĐ-UBND``,
  ``Công văn hỏa tốc số …``);
- dates shared in a list (``… và Quyết định số 322/QĐ-UBND cùng ngày 15/9/2023``) or taken
  from the mention before (``Nghị quyết số 46/NQ-HĐND cùng ngày``); a year alone
  (``Chỉ thị 03/CT-UBND năm 2024``);
- issuers after "của" (joint ones when the code or the end of the mention says so,
  ordinals such as "lần thứ năm") or before the type word (``Sở Y tế đã có văn bản số …``),
  never the recipient (``… đã trình HĐND tỉnh tại Tờ trình số …``).

Generic mentions ("các nghị quyết của Chính phủ", "kế hoạch" as a common noun) are
not reported.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .models import Citation, CleanText, DocumentHeader, Section
from .resources import data_path

__all__ = ["find_citations", "split_identifier", "normalise_identifier", "document_types",
           "issuer_codes", "type_class", "RELATIONS"]

RELATIONS = ("cites", "based_on", "implements", "amends", "repeals", "guides")

L = r"[^\W\d_]"                 # a letter
NL = r"(?![^\W\d_])"            # not followed by a letter
NLB = r"(?<![^\W\d_])"          # not preceded by a letter
ROMAN = r"(?-i:[IVXLC]{1,7})(?![^\W\d_])"


# --------------------------------------------------------------------------- data

@lru_cache(maxsize=1)
def document_types() -> dict[str, Any]:
    """data/vocab/document_types.json"""
    return json.loads(data_path("vocab", "document_types.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def issuer_codes() -> dict[str, Any]:
    """data/vocab/issuer_codes.json"""
    return json.loads(data_path("vocab", "issuer_codes.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _cues() -> dict[str, Any]:
    return json.loads(data_path("vocab", "citation_cues.json").read_text(encoding="utf-8"))


def _key(s: str) -> str:
    return " ".join(s.split()).lower()


def _alt(words, ignore_case: bool = True) -> str:
    """Alternation of words, longest first, inner spaces matching any white space."""
    uniq = sorted({w for w in words if w}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in uniq)
    return f"(?i:{body})" if ignore_case else f"(?:{body})"


@dataclass
class _Vocab:
    word_type: dict[str, str]                 # lower type word -> canonical type
    abbrev_type: dict[str, str]               # upper abbreviation -> type
    code_type: dict[str, str]                 # upper state code -> type
    party_code_type: dict[str, str]           # upper party code -> type
    type_class: dict[str, str]
    generic_words: set[str]
    generic_default: str
    short_name_types: set[str]
    named_types: set[str]
    untitled_types: set[str]
    standalone_types: set[str]
    issuer_code_names: dict[str, str]
    issuer_patterns: list[tuple[re.Pattern[str], str]]
    relation_cues: dict[str, str]             # lower cue -> relation
    sets: dict[str, set[str]] = field(default_factory=dict)
    law_names: list[str] = field(default_factory=list)
    blocked_starts: dict[str, list[str]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    dt = document_types()
    word_type: dict[str, str] = {}
    abbrev_type: dict[str, str] = {}
    code_type: dict[str, str] = {}
    party_code_type: dict[str, str] = {}
    type_class: dict[str, str] = {}
    short, named, untitled, standalone = set(), set(), set(), set()
    for t in dt["types"]:
        ty = t["type"]
        type_class.setdefault(ty, t["class"])
        for w in t.get("words", []):
            word_type.setdefault(_key(w), ty)
        for a in t.get("abbrev", []):
            abbrev_type.setdefault(a.upper(), ty)
        for c in t.get("codes", []):
            code_type.setdefault(c.upper(), ty)
        for c in t.get("party_codes", []):
            party_code_type.setdefault(c.upper(), ty)
        if t.get("short_name"):
            short.add(ty)
        if t.get("named"):
            named.add(ty)
        if t.get("titled") is False:
            untitled.add(ty)
        if t.get("standalone"):
            standalone.add(ty)
    gw = dt.get("generic_words", {})
    generic_words = {_key(w) for w in gw.get("words", [])}
    ic = issuer_codes()
    names = {c["code"].upper(): c["name"] for c in ic["codes"]}
    pats = [(re.compile(p["regex"], re.IGNORECASE), p["name"]) for p in ic.get("patterns", [])]
    cues = _cues()
    rel: dict[str, str] = {}
    for relname, words in cues["relations"].items():
        if isinstance(words, list):
            for w in words:
                rel.setdefault(_key(w), relname)
    sets = {k: {_key(w) for w in v} for k, v in cues.items()
            if isinstance(v, list) and k != "law_names"}
    laws = sorted({_key(n) for n in cues.get("law_names", [])}, key=len, reverse=True)
    blocked = {k: [_key(x) for x in v] for k, v in cues.get("titled_blocked_starts", {}).items()
               if isinstance(v, list)}
    return _Vocab(word_type, abbrev_type, code_type, party_code_type, type_class, generic_words,
                  gw.get("default_type", "Công văn"), short, named, untitled, standalone, names, pats, rel, sets, laws,
                  blocked)


def type_class(type_word: str | None) -> str | None:
    """Ontology class local name of a canonical type word ("Nghị quyết" -> "Resolution")."""
    if not type_word:
        return None
    return _vocab().type_class.get(type_word)


# --------------------------------------------------------------------------- regexes

# a code token: upper-case letters and digits, at most one lower-case letter in a row
# ("CTr", "TTg", "QĐi"); glued to a following word in bad conversions ("CPngày")
_TOK = (r"[A-ZĐÐ](?:[A-ZĐÐ&]|[a-z](?![a-z]))*\d*"
        r"(?:(?![^\W\d_])|(?=(?:ngày|của|về|và|năm)(?![^\W\d_])))")
_HY = "-\u2014"           # hyphens (the cleaner folds the other dashes to "-")
_IDENT = (r"(?P<num>\d{1,5}(?:[a-z](?=\s?[/" + _HY + r"]))?)(?!\d)"
          r"(?:(?P<year_part>\s?/\s?(?P<year>(?:19|20)\d{2}))?\s?/\s?(?P<t1>" + _TOK + r")"
          r"|(?P<party>\s*[" + _HY + r"]\s*)(?P<p1>" + _TOK + r"))"
          r"(?P<rest>(?:(?:[" + _HY + r"]\s?|\s[" + _HY + r"](?!\s)|\s?/\s?)" + _TOK +
          # a hyphen spaced on both sides ("12/UBND - TH"): only when the code ends there, so
          # that a dash between a code and a name in a flattened table is not taken in
          r"|\s{1,2}[" + _HY + r"]\s{1,2}" + _TOK + r"(?=\s*(?:[^\w\s]|\Z|(?i:ngày|của|về|và|năm|do|đã|được|ký|cùng|đều)"
          r"(?![^\W\d_])))){0,5})")

_DATE_FULL = (r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>(?:19|20)\d{2})(?!\d)"
              r"|(?P<d2>\d{1,2})\s+(?i:tháng)\s+(?P<m2>\d{1,2})\s*,?\s+(?i:năm)\s+(?P<y2>(?:19|20)\d{2})(?!\d)")
_DATE_PART = (r"(?P<d3>\d{1,2})\s*/\s*(?P<m3>\d{1,2})(?![\d/]|[.\-]\d)"
              r"|(?P<d4>\d{1,2})\s+(?i:tháng)\s+(?P<m4>\d{1,2})(?!\d|\s*,?\s*(?i:năm)|\s*[/.\-]\s*\d)")
_DATE = rf"(?:{_DATE_FULL}|{_DATE_PART})"


@dataclass
class _Regexes:
    ident: re.Pattern[str]
    left: re.Pattern[str]
    date_after: re.Pattern[str]
    same_date: re.Pattern[str]
    type_date_tail: re.Pattern[str]
    issuer_head: re.Pattern[str]
    issuer_heads_at: re.Pattern[str]
    subject: re.Pattern[str]
    congress: re.Pattern[str]
    congress_ellipsis: re.Pattern[str]
    short_tail: re.Pattern[str]
    relation: re.Pattern[str]
    header_no: re.Pattern[str]
    header_no_cell: re.Pattern[str]
    law_names: re.Pattern[str]
    law_tail: re.Pattern[str]
    amending_law: re.Pattern[str]
    issuer_before: re.Pattern[str]
    recipient_before: re.Pattern[str]
    tw_scan: re.Pattern[str]


@lru_cache(maxsize=1)
def _rx() -> _Regexes:
    v = _vocab()
    tw_all = _alt(v.word_type.keys() | v.generic_words)
    ab = "(?i:" + "|".join(re.escape(a) for a in sorted(v.abbrev_type, key=len, reverse=True)) + ")"
    ident = re.compile(r"(?:(?<=(?i:số))|(?<![\w/.\-]))" + _IDENT)
    left = re.compile(
        rf"(?:{NLB}(?P<tw>{tw_all}|{ab})\s*(?:(?P<so>(?i:số|so))\s*[:.]?\s*)?"
        rf"|{NLB}(?P<so2>(?i:số))\s*[:.]?\s*)\Z")
    verbs = r"(?:(?i:ban\s+hành|ký\s+ban\s+hành|ký|được\s+ban\s+hành)\s+)?"
    # "cùng ngày 16/6/2022", "đều ngày …": one date shared by the list before it
    same = r"(?P<same>(?i:cùng|đều)\s+)?"
    date_after = re.compile(rf"\s*,?\s*\(?\s*{verbs}{same}(?i:ngày|ngay)\s*(?:{_DATE})")
    # "… số 46/NQ-HĐND cùng ngày của HĐND tỉnh": the date of the reference before
    same_date = re.compile(r"\s*,?\s*(?i:cùng|đều)\s+(?:(?i:ban\s+hành|được\s+ban\s+hành|ký)\s+)?"
                           r"(?i:ngày)(?![^\W\d_])(?!\s*(?:\d|(?i:tháng|hôm)(?![^\W\d_])))")
    type_date_tail = re.compile(rf"\s*,?\s*{verbs}(?i:ngày)\s+(?:{_DATE})")
    heads = _alt(v.sets["issuer_heads"])
    issuer_head = re.compile(rf"\s*,?\s*(?i:của)\s+(?=(?:{heads}){NL}|[A-ZĐ]{{2,}})")
    issuer_heads_at = re.compile(rf"{NLB}(?:{heads}){NL}|{NLB}[A-ZĐ]{{2,}}{NL}")
    subject = re.compile(r"\s*,?\s*(?P<kw>(?i:về\s+việc|về|v/v))\s+")
    congress = re.compile(
        rf"(?i:nghị\s+quyết)\s+(?:"
        rf"(?P<dh>(?i:đại\s+hội|hội\s+nghị)){NL}[^.;:\n“”\"()]{{0,120}}?"
        rf"(?:(?i:lần\s+thứ)\s+(?:{ROMAN}|\d{{1,2}}{NL}|{L}+)|(?<=\s){ROMAN}"
        rf"|(?=,?\s*\(?\s*(?i:nhiệm\s+kỳ)\s+\d{{4}}\s*-\s*\d{{4}}))"
        rf"(?:\s+(?:(?i:ban\s+chấp\s+hành)\s+)?(?i:trung\s+ương)(?:\s+(?i:đảng){NL})?"
        rf"(?:\s*,?\s*\(?\s*(?i:kh(?:óa|oá|oa))\s+{ROMAN}\)?)?)?"
        rf"|(?:(?i:hội\s+nghị)\s+)?(?:(?i:lần\s+thứ)\s+{L}+\s+)?(?:(?i:ban\s+chấp\s+hành)\s+)?"
        rf"(?:(?i:trung\s+ương)|TW|T\.Ư)\s*(?:(?i:lần\s+thứ)\s+)?(?:\d{{1,2}}|{L}+)\s*,?\s*\(?\s*(?i:kh(?:óa|oá|oa))\s+{ROMAN}\)?"
        rf")"
        rf"(?:\s+(?i:của\s+đảng)(?!\s+bộ){NL})?"
        rf"(?:\s*,?\s*\(?\s*(?i:nhiệm\s+kỳ)\s+\d{{4}}\s*-\s*\d{{4}}\s*\)?)?")
    congress_ellipsis = re.compile(
        rf"\s*(?:,|;|(?i:và))\s*(?P<m>(?i:đại\s+hội){NL}[^.;:\n“”\"()]{{0,100}}?"
        rf"(?:(?i:lần\s+thứ)\s+(?:{ROMAN}|\d{{1,2}}{NL}|{L}+)|(?<=\s){ROMAN})"
        rf"(?:\s+(?i:của\s+đảng)(?!\s+bộ){NL})?"
        rf"(?:\s*,?\s*\(?\s*(?i:nhiệm\s+kỳ)\s+\d{{4}}\s*-\s*\d{{4}}\s*\)?)?)")
    short_tail = re.compile(r"\s+(?P<so>(?i:số)\s*[:.]?\s*)?(?P<num>\d{1,4}[a-z]?)(?!\d|[,.]\d|\s*[/\-]\s*\w)")
    relation = re.compile(rf"{NLB}(?P<cue>{_alt(v.relation_cues.keys())}){NL}")
    header_no = re.compile(r"[ \t]*(?i:số)[ \t]*[:.][ \t]*")
    header_no_cell = re.compile(r"(?:\t|[ ]{2,}|\|)[ \t]*Số[ \t]*:[ \t]*\Z")
    law_names = re.compile(rf"(?P<name>{_alt(v.law_names)}){NL}")
    law_tail = re.compile(r"\s*\((?i:sửa\s+đổi(?:,\s*bổ\s+sung)?|[A-ZĐ]{2,8})\)"
                          r"|\s+(?i:năm\s+)?(?P<y>(?:19|20)\d{2})(?!\d|\s*[/\-]\s*\d)")
    amending_law = re.compile(r"(?i:luật)\s+(?i:sửa\s+đổi)\s*,?\s*(?i:bổ\s+sung)\s+"
                              r"(?:(?i:một\s+số\s+điều)\s+)?(?:(?i:của)\s+)?\Z")
    ib_verbs = _alt(v.sets["issuer_before_verbs"])
    issuer_before = re.compile(
        rf"(?:\s+(?i:tại|theo)|\s+(?:(?i:đã|vừa|cũng\s+đã|đã\s+kịp\s+thời|kịp\s+thời)\s+)?{ib_verbs}"
        rf"(?:\s+(?i:các|những|\d{{1,3}}))?|\s*,)\s*\Z")
    recipient_before = re.compile(
        rf"{NLB}(?:(?i:đã|vừa|sẽ|cũng\s+đã)\s+)?(?:{_alt(v.sets['recipient_verbs'])})\s+\Z")
    return _Regexes(ident, left, date_after, same_date, type_date_tail, issuer_head, issuer_heads_at, subject,
                    congress, congress_ellipsis, short_tail, relation, header_no, header_no_cell, law_names, law_tail,
                    amending_law, issuer_before, recipient_before,
                    re.compile(r"(?<![^\W_])" + _alt(list(v.word_type) + list(v.generic_words), False)
                               + r"(?![^\W_])"))


# --------------------------------------------------------------------------- identifiers

def normalise_identifier(s: str) -> str:
    """Số ký hiệu without white space, dashes as "-" ("11- NQ/TW" -> "11-NQ/TW")."""
    return re.sub(r"[\u2010-\u2015\u2212]", "-", re.sub(r"\s+", "", s))


def _issuer_name(code: str) -> str | None:
    v = _vocab()
    name = v.issuer_code_names.get(code.upper())
    if name:
        return name
    for pat, nm in v.issuer_patterns:
        if pat.match(code):
            return nm
    return None


def split_identifier(identifier: str) -> dict[str, Any]:
    """Parts of a số ký hiệu: number, year, style (state|party), type code, issuer code,
    unit code, the type the code stands for and the issuer's default name.

    >>> split_identifier("15/2021/NĐ-CP")["type"], split_identifier("11-NQ/TW")["issuer"]
    ('Nghị định', 'Ban Chấp hành Trung ương Đảng')
    """
    v = _vocab()
    s = normalise_identifier(identifier)
    out: dict[str, Any] = {"number": None, "year": None, "style": None, "type_code": None,
                           "issuer_code": None, "unit_code": None, "type": None, "issuer": None}
    m = re.match(r"(\d+)(.*)$", s)
    if not m:
        return out
    out["number"] = m.group(1)
    rest = m.group(2)
    if rest.startswith("-"):
        out["style"] = "party"
        toks = [t for t in re.split(r"[-/]", rest[1:]) if t]
        if toks:
            ty = v.party_code_type.get(toks[0].upper()) or v.code_type.get(toks[0].upper())
            if ty:
                out["type_code"], out["type"] = toks[0], ty
            if len(toks) > 1:
                out["issuer_code"] = toks[1]
    else:
        out["style"] = "state"
        toks = [t for t in re.split(r"[-/]", rest) if t]
        if toks and re.fullmatch(r"(?:19|20)\d{2}", toks[0]):
            out["year"] = int(toks[0])
            toks = toks[1:]
        if toks:
            first = toks[0]
            ty = v.code_type.get(first.upper())
            if ty:
                out["type_code"], out["type"] = first, ty
                if len(toks) > 1:
                    out["issuer_code"] = toks[1]
                if len(toks) > 2:
                    out["unit_code"] = "-".join(toks[2:])
            else:
                split = None
                for k in range(len(first) - 1, 0, -1):     # lost hyphen: "NQCP"
                    if first[:k].upper() in v.code_type and _issuer_name(first[k:]):
                        split = (first[:k], first[k:])
                        break
                if split:
                    out["type_code"], out["issuer_code"] = split
                    out["type"] = v.code_type[split[0].upper()]
                else:
                    out["issuer_code"] = first
                    if len(toks) > 1:
                        out["unit_code"] = "-".join(toks[1:])
                    if not re.fullmatch(r"(?i:UBTVQH|QH)\d*", first):
                        out["type"] = v.generic_default     # 263/BKHĐT-TH: an official letter
    if out["issuer_code"]:
        out["issuer"] = _issuer_name(out["issuer_code"])
    return out


_BARE = re.compile(r"(?<![\w/.\-])(?P<num>\d{1,5})\s?/\s?(?P<year>(?:19|20)\d{2})"
                   r"(?![\d/\-]|\s?[/\-]\s?[\w])")


def _idents(text: str):
    """Identifier matches in text order: full số ký hiệu, and "N/YYYY" with no code (kept
    only after an explicit type word and "số", see _numbered)."""
    rx = _rx()
    full = list(rx.ident.finditer(text))
    bare = list(_BARE.finditer(text))
    if not bare:
        return full
    return sorted(full + bare, key=lambda m: m.start())


def _valid_ident(m: re.Match[str], has_cue: bool) -> bool:
    """A real số ký hiệu, not a ratio or a stray code."""
    if "t1" not in m.re.groupindex:
        return False            # "N/YYYY": only with a type word and "số" (checked by the caller)
    rest = m.group("rest") or ""
    if m.group("party") is not None:
        return "/" in rest
    if rest or m.group("year"):
        return True
    t1 = m.group("t1") or ""
    if re.fullmatch(r"(?:UBTVQH|QH)\d{1,2}", t1):
        return True
    return has_cue and len(t1) >= 2


# --------------------------------------------------------------------------- text helpers

_WORD = re.compile(r"[^\W_]+")


def _iso(d: int, m: int, y: int) -> str | None:
    """ISO date of a calendar day; None for "31/02/2023", "45/13/2023" (`kg validate` reports those)."""
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _date_from(m: re.Match[str]) -> tuple[str | None, str | None]:
    """(ISO date, partial date "--mm-dd") from a match containing _DATE."""
    g = m.groupdict()
    if g.get("d"):
        return _iso(int(g["d"]), int(g["m"]), int(g["y"])), None
    if g.get("d2"):
        return _iso(int(g["d2"]), int(g["m2"]), int(g["y2"])), None
    if g.get("d3") or g.get("d4"):
        d, mo = (int(g["d3"]), int(g["m3"])) if g.get("d3") else (int(g["d4"]), int(g["m4"]))
        if 1 <= mo <= 12 and 1 <= d <= (29 if mo == 2 else 30 if mo in (4, 6, 9, 11) else 31):
            return None, f"--{mo:02d}-{d:02d}"
    return None, None


def _canon_type(word: str) -> str | None:
    v = _vocab()
    k = _key(word)
    if k in v.word_type:
        return v.word_type[k]
    if k in v.generic_words:
        return None
    return v.abbrev_type.get(word.strip().upper())


def _skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t":
        pos += 1
    return pos


def _skip_soft(text: str, pos: int) -> int:
    """Skip blanks and a single line break that a phrase runs across ("Chính\nphủ")."""
    q = _skip_ws(text, pos)
    if q < len(text) and text[q] == "\n":
        r = _skip_ws(text, q + 1)
        if r < len(text) and text[r].islower():
            return r
    return q


_FIRST_WORDS: dict[int, tuple[Any, set[str], int]] = {}


def _first_words(phrases) -> tuple[set[str], int]:
    """First words of the phrases, and the longest phrase in words (cached per set object;
    the set is kept in the cache so that its id is never reused)."""
    got = _FIRST_WORDS.get(id(phrases))
    if got is None or got[0] is not phrases:
        firsts = {re.split(r"[\s,]+", p)[0] for p in phrases if p}
        longest = max((len(re.split(r"[\s,]+", p)) for p in phrases if p), default=1)
        got = (phrases, firsts, longest)
        if isinstance(phrases, frozenset) or len(_FIRST_WORDS) < 256:
            _FIRST_WORDS[id(phrases)] = got
    return got[1], got[2]


def _phrase_at(text: str, pos: int, phrases: set[str], max_words: int = 5) -> int:
    """Length of the longest phrase of `phrases` (lower case) starting at pos; 0 if none."""
    wm0 = _WORD.match(text, pos)
    if not wm0:
        return 0
    firsts, longest = _first_words(phrases)
    if wm0.group(0).lower() not in firsts:
        return 0
    max_words = min(max_words, longest)
    ends = []
    q = pos
    for _ in range(max_words):
        wm = _WORD.match(text, q)
        if not wm:
            break
        ends.append(wm.end())
        q = _skip_soft(text, wm.end())
        if q == wm.end() and not (q < len(text) and text[q] == ","):
            break
        if q < len(text) and text[q] == ",":
            # phrases such as "sửa đổi, bổ sung"
            ends.append(-1)
            q = _skip_ws(text, q + 1)
    best = 0
    for e in ends:
        if e < 0:
            continue
        if _key(text[pos:e]) in phrases:
            best = e - pos
    return best


def _line_start(text: str, pos: int, limit: int = 5000) -> int:
    """Start of the line holding pos; on a very long line (a whole document without line
    breaks) at most `limit` characters back, so that the work stays linear."""
    lo = max(0, pos - limit)
    return max(text.rfind("\n", lo, pos) + 1, lo)


def _clause_start(text: str, pos: int, limit: int = 300) -> int:
    """Start of the clause that holds pos (after the last ; : newline or '. ')."""
    lo = max(0, pos - limit)
    a = max(text.rfind("\n", lo, pos), text.rfind(";", lo, pos), text.rfind(":", lo, pos),
            text.rfind(". ", lo, pos), text.rfind(".\n", lo, pos))
    return a + 1 if a >= 0 else lo


_SENT_BACK = re.compile(r".*(?:\n|(?<!\d)[.!?] )", re.DOTALL)
_SENT_FWD = re.compile(r"\n|[.!?](?=[ \n]|\Z)")


def _sentence(text: str, s: int, e: int) -> tuple[int, int]:
    """The sentence around [s, e): from the last '. ' or newline before s to the next after e."""
    lo = max(0, s - 400)
    m = _SENT_BACK.match(text, lo, s)
    a = m.end() if m else lo
    f = _SENT_FWD.search(text, e, min(len(text), e + 400))
    if f is None:
        b = min(len(text), e + 400)
    else:
        b = f.start() if f.group(0) == "\n" else f.end()
    return a, b


# --------------------------------------------------------------------------- the document view

@dataclass
class _TW:
    start: int
    end: int
    word: str
    type: str | None        # None for a generic word ("văn bản")


class _Doc:
    """The cleaned text with its type words found once (fast lookups by position)."""

    def __init__(self, ct: CleanText):
        self.ct = ct
        self.text = ct.text
        self.tws: list[_TW] = []
        self.tw_at: dict[int, _TW] = {}
        v = _vocab()
        text = self.text
        low = text.lower().replace("ð", "đ")
        if len(low) != len(text):          # a character whose lower case is longer: keep offsets
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("ð", "đ")
        blockers = v.sets["law_preceding_blockers"]
        for m in _rx().tw_scan.finditer(low):
            if "\n\n" in m.group(0):
                continue
            w = text[m.start():m.end()]
            k = _key(w)
            ty = v.word_type.get(k)
            if ty in v.named_types:
                # "pháp luật", "kỷ luật", "quy luật": part of a common noun, not a type word
                before = low[max(0, m.start() - 20):m.start()].split()
                if before and (before[-1] in blockers or " ".join(before[-2:]) in blockers):
                    continue
            tw = _TW(m.start(), m.end(), w, ty)
            self.tws.append(tw)
            self.tw_at[tw.start] = tw
        self.tw_starts = [t.start for t in self.tws]

    def type_word_at(self, pos: int) -> _TW | None:
        return self.tw_at.get(pos)


# --------------------------------------------------------------------------- mention record

@dataclass
class _M:
    start: int                      # clean offsets
    end: int
    type: str | None
    identifier: str | None = None
    date: str | None = None
    partial_date: str | None = None
    year: int | None = None
    issuer: str | None = None
    subject: str | None = None
    title: str | None = None
    kind: str = "numbered"          # numbered | law | congress | short | typedate | titled
    explicit_type: bool = False
    type_start: int | None = None   # where its type word starts
    shares_date: bool = False       # its date was written "cùng ngày D": shared with the list before
    same_date: bool = False         # written "cùng ngày" with no date: the date of the one before


# --------------------------------------------------------------------------- issuer / tail

def _joint_code(identifier: str | None, ty: str | None) -> bool | None:
    """True: the document is issued jointly — a joint type ("Thông tư liên tịch") or a code
    naming two issuers ("06/2016/TTLT-BTC-BNV", "09/HDLT-BTC-BKHĐT"); False: its code names
    one known issuer ("22/UBND-KT"); None: nothing is known."""
    if ty and any(w in ty.lower() for w in _vocab().sets["joint_type_words"]):
        return True
    if not identifier:
        return None
    parts = split_identifier(identifier)
    if not parts.get("issuer"):
        return None
    unit = (parts.get("unit_code") or "").split("-")[0]
    return bool(unit and _issuer_name(unit))


def _joint_end(text: str, e: int) -> bool:
    """After a second issuer ("… của Bộ Tài chính và Bộ Nội vụ"): the mention ends here, so
    both issued it (not "… của UBND tỉnh và Sở Tài chính đã hướng dẫn …")."""
    q = _skip_ws(text, e)
    return q >= len(text) or text[q] in ";.:()\n" or \
        bool(_phrase_at(text, q, _vocab().sets["joint_issuer_followers"]))


def _parse_issuer(doc: _Doc, pos: int, joint: bool | None = None,
                  depth: int = 0, until: int | None = None) -> tuple[int, int] | None:
    """Issuer phrase starting at pos (right after "của "): its span, or None. `joint` (see
    _joint_code): True, "A và B", "A, B" are one joint issuer; None, "A và B" is one when the
    mention ends after B (or at `until`); False, the code names one issuer and "và B" is not
    part of it."""
    text = doc.text
    v = _vocab()
    heads = v.sets["issuer_heads"]
    lower_ok = v.sets["issuer_lower_words"]
    stops = v.sets["issuer_stop_words"]
    q = _skip_ws(text, pos)
    wm = _WORD.match(text, q)
    if not wm:
        return None
    hl = _phrase_at(text, q, heads)
    w = wm.group(0)
    if not hl and not (len(w) >= 2 and w.isupper()):
        return None
    start = q
    end = q + (hl or len(w))
    prev = text[start:end].split()[-1].lower()
    # lower-case syllables are part of the name only in the word right after a head:
    # "Bộ Ngoại giao", "Cục Quản lý" — not "UBND thành phố Lạng Sơn kết luận"
    after_head = bool(hl)
    syll = 0
    p = end
    nwords = 1
    while p < len(text) and nwords < 16:
        q = _skip_ws(text, p)
        if q < len(text) and text[q] == "\n":
            # a hard line break inside the name: "của Chính\nphủ"
            r = _skip_ws(text, q + 1)
            if r < len(text) and text[r].islower():
                q = r
        if q < len(text) and text[q] == "," and depth < 3:
            # "của Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc" (one person, two offices),
            # "của Bộ Tài chính, Bộ Nội vụ" in a joint document
            r = _skip_ws(text, q + 1)
            if _phrase_at(text, r, heads) and not doc.type_word_at(r) and \
                    (joint is True or (nwords == 1 and _phrase_at(text, start, v.sets["position_titles"]) == end - start)):
                sp2 = _parse_issuer(doc, r, joint, depth + 1, until)
                if sp2:
                    return start, sp2[1]
            break
        if q >= len(text) or text[q] in "\n,;:.()“”\"'":
            break
        wm = _WORD.match(text, q)
        if not wm:
            break
        w = wm.group(0)
        low = w.lower()
        if low == "và":
            r = _skip_ws(text, wm.end())
            nx = _WORD.match(text, r)
            if not nx or not nx.group(0)[:1].isupper() or doc.type_word_at(r):
                break
            if _phrase_at(text, r, heads):
                # a second issuer: "của Bộ Tài chính và Bộ Kế hoạch và Đầu tư"
                if depth < 3 and joint is not False:
                    sp2 = _parse_issuer(doc, r, joint, depth + 1, until)
                    if sp2 and (joint or sp2[1] == until or _joint_end(text, sp2[1])):
                        return start, sp2[1]
                break
            p = wm.end()
            nwords += 1
            syll = 0
            after_head = False
            continue
        ol = _phrase_at(text, q, v.sets["ordinal_words"]) if prev in v.sets["issuer_number_after"] else 0
        if ol:
            # "Hội nghị lần thứ năm Ban Chấp hành Trung ương": "năm" is five, not a year
            end = q + ol
            p = end
            nwords += 1
            prev = text[q:end].split()[-1].lower()
            syll = 0
            after_head = False
            continue
        if _phrase_at(text, q, stops):
            break
        ll = _phrase_at(text, q, lower_ok)
        if ll and (ll > len(w) or not w[:1].isupper()):
            end = q + ll
            p = end
            nwords += 1
            prev = text[q:end].split()[-1].lower()
            syll = 0
            after_head = False
            continue
        if w[:1].isupper() or (w.isdigit() and prev in v.sets["issuer_number_after"]):
            if w[:1].isupper() and doc.type_word_at(q) and prev not in v.sets["issuer_type_word_after"]:
                break
            end = wm.end()
            p = end
            nwords += 1
            prev = low
            syll = 1 if (after_head and w[:1].isupper() and not w.isupper()) else 0
            after_head = bool(_phrase_at(text, q, heads))
            continue
        if w.isdigit() and len(w) <= 4 and nwords >= 2 and not _YEARLIKE.fullmatch(w) \
                and prev not in v.sets["issuer_place_words"]:
            # a body named with a number: "Ban Chỉ đạo 389 tỉnh", "Bộ Tư lệnh Quân khu 2"
            r = _skip_ws(text, wm.end())
            if r >= len(text) or text[r] in ",;.:)\n" or _phrase_at(text, r, lower_ok) \
                    or _phrase_at(text, r, heads) or _phrase_at(text, r, _AFTER_NAMED_NUMBER):
                end = wm.end()
                p = end
                nwords += 1
                prev = low
                syll = 0
                after_head = False
                continue
        if 0 < syll < 4 and w.isalpha() and w[:1].islower():
            # lower-case syllables of a capitalised name: "Bộ Ngoại giao", "Sở Xây dựng"
            end = wm.end()
            p = end
            nwords += 1
            prev = low
            syll += 1
            continue
        break
    return (start, end) if end > start else None


def _subject_end(text: str, s: int) -> int:
    limit = min(len(text), s + 400)
    quote = text[s:s + 1] in "“\""
    i = s + (1 if quote else 0)
    while i < limit:
        c = text[i]
        if quote and c in "”\"":
            return i + 1
        if c in "\n;" or (c == "." and (i + 1 >= len(text) or text[i + 1] in " \n")):
            break
        if c == "(" and not quote:
            break
        i += 1
    return i


def _tail(doc: _Doc, m: _M, pos: int, want_subject: bool = True) -> int:
    """Parse date, issuer and subject after pos; fill m; return the new end of the mention
    (the subject is recorded but not made part of the surface)."""
    text = doc.text
    rx = _rx()
    end = pos
    year_seen = date_seen = False
    for _ in range(4):
        if m.date is None and m.partial_date is None and not date_seen:
            dm = rx.date_after.match(text, end)
            if dm:
                date_seen = True
                iso, part = _date_from(dm)
                # a date that is no calendar day ("31/02/2023") is part of the mention, not kept
                m.date, m.partial_date = iso, part
                m.shares_date = dm.group("same") is not None
                end = dm.end()
                if "(" in text[dm.start():dm.end()][:6] and text[end:end + 1] == ")":
                    end += 1
                continue
            if m.kind == "numbered" and not year_seen:
                ym = _YEAR_AFTER.match(text, end)
                year_seen = True
                if ym and (m.year is None or m.year == int(ym.group("y"))):
                    # "Nghị quyết 01/NQ-CP năm 2024 của Chính phủ": a year without day or month
                    m.year = int(ym.group("y"))
                    end = ym.end()
                    continue
            if not m.same_date:
                sd = rx.same_date.match(text, end)
                if sd:
                    m.same_date = True
                    end = sd.end()
                    continue
        if m.issuer is None:
            im = rx.issuer_head.match(text, end)
            if im:
                sp = _parse_issuer(doc, im.end(), _joint_code(m.identifier, m.type))
                if sp:
                    m.issuer = text[sp[0]:sp[1]].strip()
                    end = sp[1]
                    continue
        break
    if want_subject:
        sm = rx.subject.match(text, end)
        if sm:
            s = sm.end()
            e = _subject_end(text, s)
            if e > s:
                m.subject = " ".join(text[s:e].split()).strip(" ,")
    return end


def _issuer_before(doc: _Doc, m: _M) -> None:
    """"chỉ đạo của UBND tỉnh tại Công văn số …", "UBND thành phố đã ban hành Kế hoạch số …"."""
    if m.issuer is not None or m.type_start is None:
        return
    text = doc.text
    rx = _rx()
    ts = m.type_start
    cs = max(_clause_start(text, ts, 120), ts - 120)
    window_end = ts
    tail = rx.issuer_before.search(text, cs, window_end)
    if not tail:
        return
    stop = tail.start()
    comma = "," in tail.group(0)
    # "… đã trình HĐND tỉnh tại Tờ trình số …" (HĐND receives it) but "… tham mưu UBND
    # huyện ban hành Quyết định số …" (UBND issues it)
    via = re.match(r"\s+(?i:tại|theo)", tail.group(0)) is not None or comma
    for _ in range(2):
        for hm in rx.issuer_heads_at.finditer(text, cs, stop):
            sp = _parse_issuer(doc, hm.start(), None, 0, stop)
            if sp and sp[1] == stop:
                before = text[cs:hm.start()]
                if comma and not re.search(r"(?i:của)\s*\Z", before):
                    continue
                rm = rx.recipient_before.search(text, cs, hm.start()) if via else None
                if rm:
                    # "UBND thành phố đã trình HĐND thành phố tại Tờ trình số …": the body
                    # after "trình" receives the document; the one before sends it
                    stop = len(text[:rm.start()].rstrip())
                    comma = False
                    break
                m.issuer = text[sp[0]:sp[1]].strip()
                return
        else:
            return


# --------------------------------------------------------------------------- recognisers

def _numbered(doc: _Doc, header: DocumentHeader | None) -> list[_M]:
    ct, text = doc.ct, doc.text
    rx = _rx()
    v = _vocab()
    out: list[_M] = []
    header_span = None
    if header is not None and header.spans:
        header_span = header.spans.get("identifier") or header.spans.get("number")
    for im in _idents(text):
        ids, ide = im.span()
        lm = rx.left.search(text, max(0, ids - 40), ids)
        tw = lm.group("tw") if lm else None
        if tw and _key(tw) in v.word_type and doc.type_word_at(lm.start("tw")) is None \
                and v.word_type[_key(tw)] in v.named_types:
            tw = None        # "văn bản quy phạm pháp luật số 12/2023/QĐ-UBND": not a Law
        so = (lm.group("so") or lm.group("so2")) if lm else None
        bare = "t1" not in im.re.groupindex
        if bare:
            # "Nghị định số 138/2020": a type word, "số", then number/year only
            if not (tw and lm.group("so") and tw[:1].isupper() and _canon_type(tw)
                    and _key(tw) in _vocab().word_type):
                continue
        elif not _valid_ident(im, bool(tw or so)):
            continue
        ident = normalise_identifier(im.group(0))
        # the document's own number in its header ("Số: 79/QĐ-UBND", also after a table cell)
        ls = _line_start(text, ids)
        if ids < ct.body_end and (rx.header_no.fullmatch(text, ls, ids)
                                  or (ids < 3000 and rx.header_no_cell.search(text, ls, ids))
                                  or (ids < 2000 and re.fullmatch(r"[ \t]*Số[ \t]*", text[ls:ids]))):
            continue
        if header is not None and header.identifier and ids < 3000 and not tw and \
                normalise_identifier(header.identifier) == ident and so:
            continue
        if not tw and so:
            # "Mẫu số 01/ĐK", "Phụ lục số 2/BC": numbered things that are not documents
            before = text[max(0, lm.start() - 20):lm.start()].lower().split()
            heads = v.sets.get("non_document_heads", set())
            if before and (before[-1] in heads or " ".join(before[-2:]) in heads):
                continue
        if header_span is not None:
            o0, o1 = ct.to_original(ids, ide)
            if o0 < header_span[1] and o1 > header_span[0]:
                continue
        tw_start = lm.start("tw") if (lm and tw) else None
        if tw is None and lm is not None and lm.group("so2"):
            # "Quyết định phê duyệt số …", "Công văn hỏa tốc số …": the type word comes
            # before a short qualifier
            qt = _qualified_type_word(doc, lm.start("so2"))
            if qt is not None:
                tw, tw_start = qt.word, qt.start
        parts = split_identifier(ident)
        ty = None
        explicit = False
        if tw:
            if _key(tw) in v.generic_words:
                ty = parts["type"] or v.generic_default
            else:
                ty = _canon_type(tw)
                explicit = ty is not None
        if ty is None:
            ty = parts["type"]
        if tw_start is not None:
            start = tw_start
        elif lm and lm.group("so2"):
            start = lm.start("so2")
        elif lm and lm.group("so"):
            start = lm.start("so")
        else:
            start = ids
        m = _M(start=start, end=ide, type=ty, identifier=ident, explicit_type=explicit,
               type_start=tw_start)
        if parts["year"]:
            m.year = parts["year"]
        elif bare:
            m.year = int(im.group("year"))
        m.end = _tail(doc, m, ide)
        out.append(m)
    return out


def _qualified_type_word(doc: _Doc, so_pos: int) -> _TW | None:
    """The type word before "số" at so_pos when one to three qualifier words stand between
    ("Quyết định phê duyệt số", "Công văn hỏa tốc số", "QUYẾT ĐỊNH ĐIỀU CHỈNH SỐ")."""
    text = doc.text
    k = bisect_left(doc.tw_starts, so_pos) - 1
    if k < 0:
        return None
    t = doc.tws[k]
    gap = text[t.end:so_pos]
    if len(gap) > 40 or not _QUAL_GAP.fullmatch(gap) or "\n\n" in gap:
        return None
    if _determined(text, t.start):
        return None                  # "các Quyết định phê duyệt số …, số …": a plural head
    caps = t.word.isupper() and len(t.word) > 2
    stops = _vocab().sets.get("type_qualifier_stops", set())
    for w in gap.split():
        ok_case = w.isupper() if caps else w.islower()
        if not ok_case or w.lower() in stops:
            return None
    return t


_QUAL_GAP = re.compile(r"(?:\s+[^\W\d_]+){1,3}\s+")


def _law_name_end(doc: _Doc, p: int, lowercase_tw: bool) -> int:
    """End of a law's name starting at p (p when there is none)."""
    text = doc.text
    v = _vocab()
    km = _rx().law_names.match(text, p)
    if km and "\n" not in km.group(0):
        end = km.end()
        # a longer name than the known one ("Luật Đầu tư công" is known as "Đầu tư" + "công")
        return end
    wm = _WORD.match(text, p)
    if not wm or not wm.group(0)[:1].isalpha():
        return p
    if lowercase_tw and not wm.group(0)[:1].isupper():
        return p
    stops = v.sets["name_stop_words"]
    if _phrase_at(text, p, v.sets["generic_followers"]) or _phrase_at(text, p, stops):
        return p
    end = p
    q = p
    n = 0
    while q < len(text) and n < 10:
        wm = _WORD.match(text, q)
        if not wm or not wm.group(0)[:1].isalpha():
            break
        if n and (_phrase_at(text, q, stops) or doc.type_word_at(q)):
            break
        end = wm.end()
        n += 1
        q = _skip_ws(text, end)
        if q == end:
            break
    return end


def _laws(doc: _Doc) -> list[_M]:
    text = doc.text
    rx = _rx()
    v = _vocab()
    out: list[_M] = []
    for tw in doc.tws:                 # (type words inside "pháp luật" are not in doc.tws)
        if tw.type not in v.named_types:
            continue
        s = tw.start
        p = _skip_ws(text, tw.end)
        if p == tw.end:
            continue
        lowercase = tw.word[:1].islower()
        name_end = _law_name_end(doc, p, lowercase)
        if name_end <= p:
            if tw.type in v.standalone_types and not lowercase:
                name_end = tw.end
            else:
                continue
        end = name_end
        m = _M(start=s, end=end, type=tw.type, kind="law", explicit_type=True, type_start=s)
        for _ in range(2):
            tm = rx.law_tail.match(text, end)
            if not tm:
                break
            if tm.group("y"):
                m.year = int(tm.group("y"))
            end = tm.end()
        m.title = " ".join(text[s:name_end].split())
        m.end = _tail(doc, m, end, want_subject=False)
        out.append(m)
    return out


def _amending_laws(doc: _Doc, laws: list[_M]) -> list[_M]:
    """"Luật sửa đổi, bổ sung một số điều của Luật A và Luật B ngày …": one more law, the
    amending one; the date written after the chain belongs to it, not to Luật B."""
    text = doc.text
    rx = _rx()
    out = []
    by_start = {m.start: m for m in laws}
    for lw in laws:
        am = rx.amending_law.search(text, max(0, lw.start - 60), lw.start)
        if not am:
            continue
        chain = [lw]
        while True:
            last = chain[-1]
            jm = re.match(r"\s*(?:,|(?i:và))\s*", text[last.end:last.end + 8])
            if not jm:
                break
            nxt = by_start.get(last.end + jm.end())
            if nxt is None:
                break
            chain.append(nxt)
        last = chain[-1]
        comp = _M(start=am.start(), end=last.end, type="Luật", kind="law", explicit_type=True,
                  type_start=am.start(), date=last.date, partial_date=last.partial_date,
                  issuer=last.issuer)
        if last.date:
            comp.year = int(last.date[:4])
        for c in chain:
            c.date = c.partial_date = None
            c.issuer = None
            if c.title:
                c.end = c.start + len(c.title) if text[c.start:c.start + len(c.title)] == c.title else c.end
        comp.title = " ".join(text[am.start():last.end].split())
        out.append(comp)
    return out


def _congress(doc: _Doc) -> list[_M]:
    text = doc.text
    rx = _rx()
    out: list[_M] = []
    for tw in doc.tws:
        if tw.type != "Nghị quyết":
            continue
        cm = rx.congress.match(text, tw.start)
        if not cm:
            continue
        m = _M(start=cm.start(), end=cm.end(), type="Nghị quyết", kind="congress",
               explicit_type=True, type_start=cm.start())
        m.title = " ".join(cm.group(0).split()).strip(" ,")
        out.append(m)
        pos = cm.end()
        for _ in range(4):
            em = rx.congress_ellipsis.match(text, pos)
            if not em:
                break
            e = _M(start=em.start("m"), end=em.end("m"), type="Nghị quyết", kind="congress")
            e.title = "Nghị quyết " + " ".join(em.group("m").split()).strip(" ,")
            out.append(e)
            pos = em.end()
    # "… Nghị quyết của Chính phủ, Đại hội Đảng bộ tỉnh lần thứ XVII": the type word elided
    for em in re.finditer(r"(?:,|(?<![^\W\d_])(?i:và))\s*(?=(?i:đại\s+hội))", text):
        p = em.end()
        if any(o.start <= p < o.end for o in out):
            continue
        cs = _clause_start(text, p, 200)
        if not re.search(r"(?i:nghị\s+quyết)", text[cs:p]):
            continue
        mm = rx.congress_ellipsis.match(text, em.start())
        if not mm:
            continue
        e = _M(start=mm.start("m"), end=mm.end("m"), type="Nghị quyết", kind="congress")
        e.title = "Nghị quyết " + " ".join(mm.group("m").split()).strip(" ,")
        out.append(e)
    return out


def _determined(text: str, s: int) -> bool:
    """The type word at s follows a plural or a count ("các", "những", "02"): generic."""
    v = _vocab()
    words = text[max(0, s - 25):s].split()
    if not words:
        return False
    last = words[-1].lower()
    if last in v.sets["plural_determiners"] or " ".join(words[-2:]).lower() in v.sets["plural_determiners"]:
        return True
    return bool(re.fullmatch(r"\d{1,3}", last))


def _short_names(doc: _Doc) -> list[_M]:
    text = doc.text
    rx = _rx()
    v = _vocab()
    blockers = v.sets.get("short_name_blockers", set())
    out = []
    for tw in doc.tws:
        if tw.type is None:
            continue
        sm = rx.short_tail.match(text, tw.end)
        if not sm or (tw.type not in v.short_name_types and not sm.group("so")):
            continue
        num = sm.group("num")
        if len(num) == 4 and re.fullmatch(r"(?:19|20)\d{2}", num):
            continue
        if _determined(text, tw.start):
            continue
        after = text[sm.end():sm.end() + 30]
        wm = re.match(r"\s*([^\W\d_]+(?:\s+[^\W\d_]+)?|%)", after)
        dated = rx.type_date_tail.match(text, sm.end()) is not None
        if wm and not dated and (_key(wm.group(1)) in blockers or _key(wm.group(1)).split()[0] in blockers):
            continue
        if re.match(r"\s*(?:%|[.,]\d)", after):
            continue
        m = _M(start=tw.start, end=sm.end(), type=tw.type, identifier=num, kind="short",
               explicit_type=True, type_start=tw.start)
        m.title = " ".join(text[tw.start:sm.end()].split())
        m.end = _tail(doc, m, sm.end())
        out.append(m)
    return out


def _type_dates(doc: _Doc) -> list[_M]:
    """"Kế hoạch ngày 16/01/2021": a type word and a date name one document."""
    text = doc.text
    rx = _rx()
    out = []
    v = _vocab()
    for tw in doc.tws:
        dm = rx.type_date_tail.match(text, tw.end)
        if not dm or _determined(text, tw.start):
            continue
        iso, part = _date_from(dm)
        if not iso and not part:
            continue
        m = _M(start=tw.start, end=dm.end(), type=tw.type or v.generic_default, kind="typedate",
               explicit_type=tw.type is not None,
               date=iso, partial_date=part, type_start=tw.start)
        m.end = _tail(doc, m, dm.end())
        out.append(m)
    return out


def _titled(doc: _Doc) -> list[_M]:
    """Documents named by their title ("Đề án phát triển lâm nghiệp bền vững …")."""
    text = doc.text
    rx = _rx()
    v = _vocab()
    generic = v.sets["generic_followers"]
    stops = v.sets["title_stop_words"]
    out = []
    for tw in doc.tws:
        ty = tw.type
        if ty is None or ty in v.untitled_types:
            continue
        w = tw.word
        # "Kế hoạch …" written as a name: capital first letter, not an all-caps heading
        if not w[:1].isupper() or (w.isupper() and len(w) > 2):
            continue
        s = tw.start
        prev = text[max(0, s - 4):s]
        fn = doc.ct.footnote_at(s) if s >= doc.ct.body_end else None
        at_line_start = s == 0 or re.search(r"(?:^|\n)[ \t]*(?:[-+•*][ \t]*)?\Z", prev) is not None
        if (at_line_start and not (fn is not None and fn.clean_start == s)) or _determined(text, s):
            continue
        m = _M(start=s, end=tw.end, type=ty, kind="titled", explicit_type=True, type_start=s)
        p = _tail(doc, m, tw.end, want_subject=False)
        q = _skip_ws(text, p)
        sub = rx.subject.match(text, p)
        quoted = text[q:q + 1] in "“\""
        if sub:
            ts = sub.end()
        elif quoted:
            ts = q
        else:
            ts = q
            if q == p and p == tw.end:
                continue
            wm = _WORD.match(text, ts)
            if not wm or not wm.group(0)[:1].isalpha():
                continue
            if wm.group(0)[:1].isupper() and not m.issuer and not doc.type_word_at(ts) and \
                    (wm.group(0).isupper() or _phrase_at(text, ts, v.sets["issuer_heads"])):
                continue
            if _phrase_at(text, ts, generic) or _phrase_at(text, ts, stops):
                continue
        blocked = v.blocked_starts.get(ty, [])
        head = _key(text[ts:ts + 60])
        if not sub and any(head.startswith(b) and (len(head) == len(b) or not head[len(b)].isalnum())
                           for b in blocked):
            continue
        te = _title_end(doc, ts)
        if te <= ts:
            continue
        if len(text[ts:te].split()) < 2 and not quoted:
            continue
        if not sub and not quoted and _only_phrases(text, ts, te, v.sets.get("title_generic_words", set())):
            continue                   # "Quyết định phê duyệt, chủ đầu tư …": no name, no document
        m.end = te
        m.title = " ".join(text[s:te].split())
        if m.issuer is None:
            # "Chương trình làm việc của UBND tỉnh năm 2023": the issuer inside the title,
            # unless it follows a nested document ("… thực hiện Nghị quyết … của Chính phủ")
            for im in rx.issuer_head.finditer(text, ts, te):
                k = bisect_left(doc.tw_starts, ts + 1)
                if k < len(doc.tw_starts) and doc.tw_starts[k] < im.start():
                    break
                sp = _parse_issuer(doc, im.end())
                if sp:
                    m.issuer = text[sp[0]:sp[1]].strip()
                break
        if sub:
            m.subject = " ".join(text[ts:te].split())
        out.append(m)
    return out


def _only_phrases(text: str, s: int, e: int, phrases: set[str]) -> bool:
    """text[s:e] is made of `phrases` only, or its part up to the first comma is and the
    part after the comma does not start with one ("phê duyệt, chủ đầu tư tổ chức …", but
    not "phê duyệt, điều chỉnh dự án …", a list of actions on one object)."""
    c = text.find(",", s, e)
    e1 = c if c >= 0 else e
    p = _skip_ws(text, s)
    seen = False
    while p < e1:
        n = _phrase_at(text, p, phrases)
        if not n or p + n > e1:
            return False
        seen = True
        p = _skip_soft(text, p + n)
    if not seen:
        return False
    return c < 0 or not _phrase_at(text, _skip_ws(text, c + 1), phrases)


def _title_end(doc: _Doc, s: int) -> int:
    text = doc.text
    v = _vocab()
    stops = v.sets["title_stop_words"]
    conts = v.sets["title_continuations"]
    comma_stops = v.sets.get("title_comma_stops", set())
    heads = v.sets["issuer_heads"]
    limit = min(len(text), s + 300)
    if text[s:s + 1] in "“\"":
        j = text.find("”" if text[s] == "“" else "\"", s + 1, limit)
        return j + 1 if j > 0 else s
    i = s
    last_good = s
    nwords = 0
    after_tw = False
    while i < limit:
        c = text[i]
        if c in "\n;:" or (c == "." and (i + 1 >= len(text) or text[i + 1] in " \n")):
            break
        if c == "(":
            if re.match(r"\((?i:sửa\s+đổi)\)", text[i:i + 12]):
                i = text.find(")", i) + 1
                last_good = i
                continue
            break
        if c in "“”\"":
            break
        if c == ",":
            j = _skip_ws(text, i + 1)
            if _phrase_at(text, j, conts):
                i = j
                continue
            wm = _WORD.match(text, j)
            if (not wm or not wm.group(0)[:1].isalpha() or doc.type_word_at(j)
                    or _phrase_at(text, j, comma_stops) or _phrase_at(text, j, stops)
                    or _phrase_at(text, j, heads) or wm.group(0).isupper()):
                break
            i = j
            continue
        if c.isspace():
            i += 1
            continue
        tw = doc.type_word_at(i)
        if tw is not None:
            nwords += len(tw.word.split())
            i = tw.end
            last_good = i
            after_tw = True
            continue
        wm = _WORD.match(text, i)
        if not wm:
            i += 1
            continue
        if not after_tw and wm.group(0).lower() == "số" and _NUMBER_AFTER_SO.match(text, wm.end()):
            break                      # "Quyết định phê duyệt dự án … số 12/QĐ-UBND": the number ends the title
        after_tw = False
        if nwords > 0:
            if _phrase_at(text, i, stops):
                break
            if wm.group(0).lower() == "và":
                j = _skip_ws(text, wm.end())
                if doc.type_word_at(j) or _phrase_at(text, j, _PLURAL_AFTER_VA):
                    break
        nwords += 1
        if nwords > 45:
            break
        i = wm.end()
        last_good = i
    return last_good


# --------------------------------------------------------------------------- assembly

_PLURAL_AFTER_VA = frozenset({"các", "những"})
_NUMBER_AFTER_SO = re.compile(r"\s*[:.]?\s*\d")
_SEP = re.compile(r"\s*(?:,|;|(?i:và|hoặc)|,\s*(?i:và))\s*")


def _elliptical(doc: _Doc, nums: list[_M]) -> None:
    """Type, issuer and date shared in lists: "các Nghị quyết của Quốc hội: số 69/2022/QH15 …,
    số 70/2022/QH15 …", "số 29/NQ-HĐND, số 30/NQ-HĐND và số 31/NQ-HĐND ngày 10/12/2022"."""
    text = doc.text
    rx = _rx()
    v = _vocab()
    for i, m in enumerate(nums):
        prev = nums[i - 1] if i else None
        if m.explicit_type:
            # "Đảng ủy xã đã ban hành Nghị quyết số 05-NQ/ĐU và Kế hoạch số 06-KH/ĐU": the
            # issuer of a list, when the codes agree
            if m.issuer is None and prev is not None and prev.issuer and m.identifier and \
                    _SEP.fullmatch(text[prev.end:m.start]) and \
                    split_identifier(m.identifier)["issuer_code"] and \
                    split_identifier(m.identifier)["issuer_code"] == split_identifier(prev.identifier or "")["issuer_code"]:
                m.issuer = prev.issuer
            continue
        line_s = _line_start(text, m.start)
        head = None
        # a plural head earlier in the paragraph ("các Nghị quyết …: số …"), not too far back
        k0 = bisect_left(doc.tw_starts, max(line_s, m.start - _LIST_HEAD_WINDOW))
        k1 = bisect_left(doc.tw_starts, m.start)
        for tw in doc.tws[k0:k1]:
            if tw.type and _PLURAL_HEAD.search(text, max(0, tw.start - 8), tw.start):
                head = tw
        parts = split_identifier(m.identifier or "")
        if head is not None and (prev is None or prev.end <= head.start or not prev.explicit_type):
            if parts["type"] in (None, head.type, v.generic_default):
                m.type = head.type
            if m.issuer is None:
                im = rx.issuer_head.match(text, head.end)
                if im:
                    sp = _parse_issuer(doc, im.end())
                    if sp:
                        m.issuer = text[sp[0]:sp[1]].strip()
            continue
        if prev is not None and _SEP.fullmatch(text[prev.end:m.start]) and prev.start >= _clause_start(text, m.start, 600) - 1:
            if parts["type"] is None and prev.type:
                m.type = prev.type
            if m.issuer is None and prev.issuer and \
                    parts["issuer_code"] == split_identifier(prev.identifier or "")["issuer_code"]:
                m.issuer = prev.issuer
    # one date written after the last member of a list; "cùng ngày D" shares it whatever the types
    for i in range(len(nums) - 2, -1, -1):
        a, b = nums[i], nums[i + 1]
        if a.date or a.partial_date or not (b.date or b.partial_date):
            continue
        gap = text[a.end:b.start]
        if b.shares_date and _LIST_SEP_WIDE.fullmatch(gap):
            a.date, a.partial_date, a.shares_date = b.date, b.partial_date, True
            code = split_identifier(a.identifier or "")["issuer_code"]
            if a.issuer is None and b.issuer and code and \
                    code == split_identifier(b.identifier or "")["issuer_code"]:
                a.issuer = b.issuer      # "… cùng ngày 20/02/2024 của Ban Thường vụ Tỉnh ủy"
        elif _LIST_SEP.fullmatch(gap) and (not b.explicit_type or b.type == a.type):
            a.date, a.partial_date = b.date, b.partial_date


_AFTER_NAMED_NUMBER = frozenset({"về", "về việc", "v/v", "đã", "ban hành", "tại", "ngày"})
_YEARLIKE = re.compile(r"(?:19|20)\d{2}")
_YEAR_AFTER = re.compile(r"[ \t]+(?i:năm)[ \t]+(?P<y>(?:19|20)\d{2})(?!\d|\s*[/.\-]\s*\d|\s*-\s*(?:19|20)\d{2})")
_LIST_HEAD_WINDOW = 2000
_PLURAL_HEAD = re.compile(r"(?i:các)\s+\Z")
_LIST_SEP = re.compile(r"\s*(?:,|(?i:và)|,\s*(?i:và))\s*")
_LIST_SEP_WIDE = re.compile(r"\s*(?:,|;|(?i:và)|[,;]\s*(?i:và))\s*")


def _same_dates(doc: _Doc, ms: list[_M]) -> None:
    """"Nghị quyết số 45/NQ-HĐND ngày 08/12/2023 …; Nghị quyết số 46/NQ-HĐND cùng ngày …":
    a mention written "cùng ngày" with no date takes the date of the dated mention before it
    (in the same paragraph, not far back)."""
    text = doc.text
    last = None
    for m in ms:                       # in text order
        if m.same_date and not (m.date or m.partial_date) and last is not None:
            if m.start - last.end <= 400 and "\n\n" not in text[last.end:m.start]:
                m.date, m.partial_date = last.date, last.partial_date
                if m.year is None and m.date:
                    m.year = int(m.date[:4])
        if m.date or m.partial_date:
            last = m


def _merge_laws(doc: _Doc, laws: list[_M], nums: list[_M]) -> list[_M]:
    """"Luật Đấu thầu số 22/2023/QH15": the law's name and its number are one mention."""
    text = doc.text
    by_start = {m.start: m for m in nums}
    keep = []
    for lw in laws:
        name_end = lw.start + len(text[lw.start:lw.end].rstrip())
        j = _skip_ws(text, lw.end)
        target = by_start.get(j)
        if target is None:
            # the law's own tail (year) may stand between
            j2 = _skip_ws(text, name_end)
            target = by_start.get(j2)
        if target is not None and not target.explicit_type and text[target.start:target.start + 2].lower() == "số":
            target.start = lw.start
            target.type = lw.type
            target.explicit_type = True
            target.title = lw.title
            target.type_start = lw.start
            if lw.date and not target.date:
                target.date = lw.date
            continue
        keep.append(lw)
    return keep


def _relation(doc: _Doc, m: _M) -> str:
    text = doc.text
    rx = _rx()
    v = _vocab()
    ts = m.type_start if m.type_start is not None else m.start
    cs = _clause_start(text, ts, 250)
    best = None
    for cm in rx.relation.finditer(text, cs, ts):
        best = cm
    if best is not None:
        gap = text[best.end():ts]
        k = bisect_left(doc.tw_starts, best.end())
        nested = k < len(doc.tw_starts) and doc.tw_starts[k] < ts
        if len(gap) <= int(_cues().get("relation_gap_max_chars", 45)) and not nested:
            rel = v.relation_cues.get(_key(best.group("cue")), "cites")
            # "Kế hoạch … thực hiện Nghị quyết …", "Thông tư A … sửa đổi Thông tư B": the cue
            # belongs to the document named just before it, not to the source document
            k0 = bisect_left(doc.tw_starts, max(cs, best.start() - 120))
            owner = False
            while k0 < len(doc.tw_starts) and doc.tw_starts[k0] < best.start():
                tw = doc.tws[k0]
                if not re.match(r"\s+(?i:này)(?![^\W\d_])", text[tw.end:tw.end + 6]):
                    owner = True      # "Quyết định này thay thế …" is the source itself
                    break
                k0 += 1
            if not owner or rel == "based_on":
                return rel
            return "cites"
    # a paragraph that opens with "Căn cứ …" lists the bases
    ls = _line_start(text, ts)
    head = text[ls:ls + 30].lstrip(" -+*•").lower()
    for cue, rel in v.relation_cues.items():
        if rel == "based_on" and head.startswith(cue):
            return "based_on"
    return "cites"


def _merge_titled(doc: _Doc, titled: list[_M], nums: list[_M]) -> list[_M]:
    """"Quyết định phê duyệt dự án … số 12/QĐ-UBND": a title and the number right after it
    are one mention, whose type word is the title's (the code must not say otherwise)."""
    text = doc.text
    v = _vocab()
    by_start = {m.start: m for m in nums}
    keep = []
    for t in titled:
        n = by_start.get(_skip_ws(text, t.end))
        if n is not None and not n.explicit_type and n.type_start is None and \
                text[n.start:n.start + 2].lower() == "số" and \
                split_identifier(n.identifier or "")["type"] in (None, t.type, v.generic_default):
            n.start = n.type_start = t.start
            n.type = t.type
            n.explicit_type = True
            n.title = t.title
            if n.issuer is None:
                n.issuer = t.issuer
            continue
        keep.append(t)
    return keep


def _dedupe(ms: list[_M]) -> list[_M]:
    """Drop number-less mentions that a numbered one already covers, and duplicates."""
    nums = sorted((m for m in ms if m.kind == "numbered"), key=lambda n: n.start)
    num_ts = {n.type_start for n in nums if n.type_start is not None}
    num_starts = [n.start for n in nums]
    reach = []                         # reach[k]: the furthest end of nums[0..k]
    for n in nums:
        reach.append(max(n.end, reach[-1]) if reach else n.end)
    other_ts = {o.type_start for o in ms if o.kind != "titled" and o.type_start is not None}
    congress = [o for o in ms if o.kind == "congress"]
    out = []
    for m in ms:
        if m.kind in ("short", "typedate", "law") and m.type_start in num_ts:
            continue
        if m.kind in ("short", "typedate"):
            k = bisect_left(num_starts, m.start + 1) - 1      # numbered ones starting at or before m
            if k >= 0 and reach[k] > m.start:
                continue
        if m.kind == "titled" and m.type_start in other_ts:
            continue
        if m.kind == "congress" and any(o is not m and o.start <= m.start
                                        and m.end <= o.end and (o.start, o.end) != (m.start, m.end)
                                        for o in congress):
            continue
        out.append(m)
    seen = set()
    res = []
    for m in out:
        k = (m.start, m.end, m.identifier, m.kind == "titled")
        if k not in seen:
            seen.add(k)
            res.append(m)
    return res


def find_citations(ct: CleanText, header: DocumentHeader | None = None,
                   sections: list[Section] | None = None) -> list[Citation]:
    """Every mention of a specific document in the text, in text order.

    `header`: the document's own header (its own number is not a citation);
    `sections`: when given, each citation's `section` is the deepest section holding it
    (for a footnote: holding the footnote's anchor).
    """
    doc = _Doc(ct)
    text = ct.text
    nums = _numbered(doc, header)
    laws = _laws(doc)
    laws = laws + _amending_laws(doc, laws)
    laws = _merge_laws(doc, laws, nums)
    titled = _merge_titled(doc, _titled(doc), nums)
    ms: list[_M] = nums + laws + _congress(doc) + _short_names(doc) + _type_dates(doc) + titled
    ms.sort(key=lambda m: (m.start, -m.end))
    nums_sorted = [m for m in ms if m.kind == "numbered"]
    for m in ms:
        _issuer_before(doc, m)
    _elliptical(doc, nums_sorted)
    ms = _dedupe(ms)
    _same_dates(doc, ms)
    cits = []
    for m in ms:
        s, e = m.start, m.end
        while e > s and text[e - 1] in " \t\n,;":
            e -= 1
        o0, o1 = ct.to_original(s, e)
        in_fn = s >= ct.body_end or ct.footnote_at(s) is not None
        es, ee = _sentence(text, s, e)
        eo0, eo1 = ct.to_original(es, ee)
        year = m.year
        if year is None and m.date:
            year = int(m.date[:4])
        sec = None
        if sections:
            pos = o0
            fn = ct.footnote_at(s) if in_fn else None
            if fn is not None and fn.anchor is not None:
                pos = fn.anchor
            best = None
            for sct in sections:
                if sct.start <= pos < sct.end and (best is None or sct.level >= best.level):
                    best = sct
            sec = best.id if best else None
        cits.append(Citation(
            surface=ct.original[o0:o1], start=o0, end=o1, type=m.type, identifier=m.identifier,
            date=m.date, issuer=" ".join(m.issuer.split()) if m.issuer else None, subject=m.subject, relation=_relation(doc, m),
            section=sec, in_footnote=in_fn, title=m.title, year=year,
            partial_date=m.partial_date, evidence=" ".join(ct.original[eo0:eo1].split())))
    return cits
