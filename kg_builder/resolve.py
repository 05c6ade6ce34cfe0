"""Resolve stage: one DocumentRecord per real document, and how every citation maps to one.

Identity of a real document = (issuing body's number series, year, identifier). Numbers
repeat every year and across issuers: 01/NQ-CP of 08/01/2022 and 01/NQ-CP of 06/01/2023 are
two documents; every province's UBND issues a 79/QĐ-UBND each year.

Record keys (`DocumentRecord.key`, three parts joined by "|"):
- numbered:      "{series}|{year}|{identifier}"   e.g. "chinh-phu|2022|01/NQ-CP"
                 (identifier without spaces, unified hyphens; "Đề án 06" for a bare number);
- number-less:   "{series}|{year}|t-{sha1(scope + normalised title)[:12]}" (laws by name,
                 "Nghị quyết Đại hội …", titled plans); scope is empty when the issuer is known,
                 else the citing document's province (generic titles are local);
- source files without a number: "{series}|{year}|draft-{sha256[:12]}" (blank "Số: /BC-UBND")
                 or "…|src-{sha256[:12]}" (no header);
- an unknown issuer is "unknown", an unknown year is "" (shown as "undated" by record_slug).
`series` is the gazetteer's number-series body: Ban Thường vụ Tỉnh ủy / Tỉnh ủy / Ban Chấp hành
Đảng bộ tỉnh all number "NN-NQ/TU" documents; Bộ Chính trị / Ban Bí thư / BCH Trung ương "NN-NQ/TW";
Chủ tịch UBND and UBND share "NN/CT-UBND". The specific bodies are kept in record.agencies.

Rules, in order (every step iterates in sorted order; the result does not depend on the order
of the input documents):
1. Each source document is a record (its header), source = its path.
2. Numbered mentions with a year (from the date or from the number "15/2021/NĐ-CP") make or
   join the record (series, year, identifier). Within ONE citing source, mentions of the same
   identifier and issuer on the same day and month but in different years are ONE document
   cited inconsistently (01/CT-UBND "05/01/2022" and "05/01/2021"): the key year is the one
   given most often, on a tie the latest year not after the citing document's year (else the
   earliest); every date is kept in record.dates and the clash in record.conflicts.
   Dates of one record that differ are flagged in record.conflicts, never overwritten.
   A dated mention whose issuer is unknown joins the one record with that identifier and year.
3. Numbered mentions without a year join the ONE candidate that fits: same identifier,
   compatible issuer (same series, or the mention names none), year not after the citing
   document's year; candidates with a dated mention in the same source first, then the
   corpus. Several -> status "ambiguous", target None, candidates listed (no placeholder
   record). None -> a record keyed with no year, status "undated" (never a silent guess).
4. Number-less mentions with a title: laws by name ("Luật Đất đai 2024" = "Luật Đất đai năm
   2024") key by (issuer, year, title); a law named without a year joins a dated (or numbered)
   version only when that version is cited in the same source, else it is its own record with
   status "undated" when dated versions exist elsewhere. Other titled mentions first try a
   conservative title match against the titles of known documents (source headers and the
   "về …" subjects of numbered mentions): same type, compatible issuer, same numbers (years),
   at least 90% of the mention's words in the known title and 60% overlap, exactly one such
   document, not later than the citing one; else they key by their own normalised title.
   A mention giving only a type and a full date ("Kế hoạch ngày 16/01/2021") joins the one
   numbered document of that type, compatible issuer and date, else keys by (issuer, year,
   type + date).
5. Mentions with neither number, title nor date: status "unresolved", target None.

Status values: resolved | undated | ambiguous | unresolved.

Cost: near-linear in the number of mentions. Candidates are looked up in indexes (identifier
and series; exact titles; an inverted index of title words by series and numbers, see
_TitleIndex; dates), never by scanning every record, and each candidate is then checked by the
rules above. The agencies named by the documents are (re)instantiated from their headers when
the process-wide gazetteer has not met them (_learn_agencies), so the result does not depend on
which process extracted the documents.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from .gazetteer import Gazetteer, canon, norm_identifier, parse_identifier, slugify
from .models import Citation, DocumentRecord, ExtractedDocument, MentionLink, Registry
from .resources import data_path


# ----------------------------------------------------------------------------- vocab

@lru_cache(maxsize=1)
def _vocab() -> dict[str, Any]:
    p = data_path("vocab", "agencies", "_resolve.json")
    try:
        v = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        v = {}
    return {
        "stop": {canon(w) for w in v.get("title_stopwords", [])},
        "lead": sorted((canon(w) for w in v.get("title_lead_words", [])), key=len, reverse=True),
        "year": re.compile(v.get("year_suffix", r"(?:\s*,)?\s+(?:năm\s+)?((?:19|20)\d\d)\s*$")),
        "min_cont": float(v.get("title_min_containment", 0.9)),
        "min_jacc": float(v.get("title_min_jaccard", 0.6)),
        "drop": [re.compile(x) for x in v.get("title_drop_patterns", [])],
    }


# ----------------------------------------------------------------------------- normalisation

def id_key(identifier: str, doc_type: str | None = None) -> tuple[str, str]:
    """(match key, display form) of an identifier. '01/NQ-CP' ~ '1/NQCP' ~ '01/NQ - CP';
    a bare number is qualified by its type ('Đề án 06')."""
    disp = norm_identifier(identifier)
    parts = parse_identifier(disp)
    if parts.style == "bare":
        num = re.sub(r"^0+(?=\d)", "", disp)
        t = doc_type or ""
        return f"{canon(t)}#{num.lower()}", (f"{t} {disp}".strip())
    k = canon(disp).replace("đ", "d")
    k = re.sub(r"[\s\-.]", "", k)
    k = re.sub(r"^0+(?=\d)", "", k)
    return k, disp


def title_key(title: str, doc_type: str | None = None, gaz: Gazetteer | None = None) -> str:
    """Normalised title: folded, type word, 'của <issuer>' and 'về' dropped."""
    v = _vocab()
    t = title
    if doc_type:
        tc = canon(doc_type)
        c = canon(t)
        if c.startswith(tc + " ") or c == tc:
            # drop as many words as the type word has
            n = len(doc_type.split())
            t = " ".join(t.split()[n:])
    if gaz is not None:
        words = t.split()
        rest = " ".join(words[1:]) if words and canon(words[0]) == "của" else " ".join(words)
        for mt in gaz._scan(rest):
            if rest[:mt.start].strip() == "":
                t = rest[(mt.place_end or mt.end):]
            break
    c = canon(t)
    for rx in v["drop"]:
        c = rx.sub("", c)
    changed = True
    while changed:
        changed = False
        for lw in v["lead"]:
            if c.startswith(lw + " "):
                c = c[len(lw) + 1:]
                changed = True
    return c.strip(" ,;:.“”\"'")


def _tokens(s: str) -> list[str]:
    return re.findall(r"[^\W_]+", s)


def _title_year(title: str) -> tuple[str, int | None]:
    m = _vocab()["year"].search(title)
    if m:
        return title[:m.start()].rstrip(" ,"), int(m.group(1))
    return title, None


def _sha1(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:12]


# ----------------------------------------------------------------------------- internal model

@dataclass(slots=True)
class _Mention:
    source: str
    index: int
    cit: Citation
    citing_year: int | None
    citing_date: str | None
    scope: str
    series: str | None = None
    year: int | None = None
    idk: str | None = None
    disp: str | None = None
    date: str | None = None
    tkey: str | None = None


@dataclass(slots=True)
class _Rec:
    series: str | None
    year: int | None
    ident: str                       # third key part (display identifier, t-…, draft-…)
    idk: str | None = None
    tkey: str | None = None
    is_law_title: bool = False
    source: str | None = None
    header: Any = None
    mentions: list[_Mention] = field(default_factory=list)
    forced_year_conflicts: list[str] = field(default_factory=list)
    _type_n: int = -1                # _rec_type cache: number of mentions it was computed on
    _type: str | None = None

    @property
    def key(self) -> str:
        return f"{self.series or 'unknown'}|{self.year if self.year is not None else ''}|{self.ident}"


def _year_of(cit: Citation) -> int | None:
    if cit.identifier:
        y = parse_identifier(cit.identifier).year
        if y:
            return y
    if cit.year:
        return cit.year
    if cit.date and re.match(r"\d{4}", cit.date):
        return int(cit.date[:4])
    return None


# ----------------------------------------------------------------------------- main

def resolve(docs: list[ExtractedDocument], gazetteer: Gazetteer | None = None) -> Registry:
    gaz = gazetteer or Gazetteer.default()
    docs = sorted(docs, key=lambda d: (d.source, d.sha256))
    recs: dict[tuple, _Rec] = {}          # identity -> record
    by_idk: dict[str, list[tuple]] = defaultdict(list)
    by_idk_series: dict[tuple[str, str | None], list[tuple]] = defaultdict(list)
    registry = Registry()
    links: dict[tuple[str, int], MentionLink] = {}
    tkeys: dict[tuple[str, str | None], str] = {}     # title_key memo (titles recur across documents)

    def add_rec(ident: tuple, rec: _Rec) -> _Rec:
        if ident not in recs:
            recs[ident] = rec
            if rec.idk:
                by_idk[rec.idk].append(ident)
                by_idk_series[(rec.idk, rec.series)].append(ident)
        return recs[ident]

    _learn_agencies(docs, gaz)

    # 1. source documents
    mentions: list[_Mention] = []
    for d in docs:
        h = d.header
        series = gaz.series_id(h.issuer_id)
        year = h.year
        if h.identifier and not h.number_blank:
            idk, disp = id_key(h.identifier, h.type)
            ident = ("n", series, year, idk)
            rec = add_rec(ident, _Rec(series, year, disp, idk=idk))
        else:
            kind = "draft" if h.number_blank else "src"
            third = f"{kind}-{d.sha256[:12]}"
            ident = ("s", series, year, third)
            rec = add_rec(ident, _Rec(series, year, third))
        rec.source = d.source
        rec.header = h
        registry.sources[d.source] = rec.key
        ctx = gaz.context(h)
        scope = ctx.chain[-1].place_id if ctx.chain else (series or "")
        for i, cit in enumerate(d.citations):
            mentions.append(_Mention(d.source, i, cit, year, h.date or h.date_partial, scope or ""))

    # prepare mentions
    for m in mentions:
        c = m.cit
        m.series = gaz.series_id(c.issuer_id)
        m.year = _year_of(c)
        m.date = c.date if c.date and re.fullmatch(r"\d{4}-\d\d-\d\d", c.date) else None
        if c.identifier:
            m.idk, m.disp = id_key(c.identifier, c.type)
            if m.series is None and parse_identifier(c.identifier).style == "bare" and m.scope:
                # a short name of an unknown body ("đề án 1237") is local to the citing province
                m.idk += "@" + m.scope
                m.disp += " @" + m.scope
        elif c.title:
            m.tkey = _title_key_memo(tkeys, c.title, c.type, gaz)

    # 2a. one document cited with clashing years in one source (same day and month)
    groups: dict[tuple, list[_Mention]] = defaultdict(list)
    for m in mentions:
        if m.idk and m.date and m.series:
            groups[(m.source, m.series, m.idk, m.date[5:])].append(m)
    for gk in sorted(groups):
        ms = groups[gk]
        years = Counter(m.year for m in ms if m.year)
        if len(years) < 2:
            continue
        citing = ms[0].citing_year
        best = max(years.values())
        tops = sorted(y for y, n in years.items() if n == best)
        not_after = [y for y in tops if citing is None or y <= citing]
        chosen = max(not_after) if not_after else min(tops)
        for m in ms:
            m.year = chosen

    # 2b. dated numbered mentions with a known issuer
    dated = [m for m in mentions if m.idk and m.year is not None]
    for m in sorted(dated, key=_mkey):
        if m.series is None:
            continue
        ident = ("n", m.series, m.year, m.idk)
        rec = add_rec(ident, _Rec(m.series, m.year, m.disp or "", idk=m.idk))
        rec.mentions.append(m)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")
    # 2c. dated, issuer unknown: the one record with that identifier and year
    for m in sorted(dated, key=_mkey):
        if m.series is not None:
            continue
        cands = sorted({i for i in by_idk.get(m.idk, []) if i[0] == "n" and i[2] == m.year},
                       key=_ident_sort)
        if len(cands) == 1:
            recs[cands[0]].mentions.append(m)
        else:
            ident = ("n", None, m.year, m.idk)
            add_rec(ident, _Rec(None, m.year, m.disp or "", idk=m.idk)).mentions.append(m)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")

    # 3. numbered mentions without a year
    pending_undated: list[_Mention] = []
    # sources with a dated mention of each record (no dated mention is added in this loop)
    dated_sources = _SourceSets(recs, dated_only=True)
    for m in sorted((m for m in mentions if m.idk and m.year is None), key=_mkey):
        cands = []
        if m.series is None:
            pool = by_idk.get(m.idk, [])
        else:       # same series, or none
            pool = by_idk_series.get((m.idk, m.series), []) + by_idk_series.get((m.idk, None), [])
        for ident in pool:
            rec = recs[ident]
            if rec.year is None:
                continue
            if m.series is not None and rec.series is not None and rec.series != m.series:
                continue
            if m.citing_year is not None and rec.year > m.citing_year:
                continue
            cands.append(ident)
        cands = sorted(set(cands), key=_ident_sort)
        local = [i for i in cands if recs[i].source == m.source or m.source in dated_sources[i]]
        pick = local if len(local) == 1 else cands
        if len(pick) == 1:
            recs[pick[0]].mentions.append(m)
            links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")
        elif len(pick) > 1:
            links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "ambiguous",
                                                     candidates=[recs[i].key for i in pick])
        else:
            pending_undated.append(m)
    for m in pending_undated:
        ident = ("n", m.series, None, m.idk)
        add_rec(ident, _Rec(m.series, None, m.disp or "", idk=m.idk)).mentions.append(m)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "undated")

    # 4. number-less mentions with a title
    titled = sorted((m for m in mentions if not m.idk and m.tkey), key=_mkey)
    law_types = set(gaz.type_issuers)
    tindex = _TitleIndex(_known_titles(recs, gaz, tkeys), recs)
    # 4a. laws (and other documents cited by name): dated ones first
    laws = [m for m in titled if m.cit.type in law_types]
    law_titles: dict[tuple, list[tuple]] = defaultdict(list)
    for m in laws:
        base, y = _title_year(m.tkey or "")
        m.tkey = base
        if m.year is None:
            m.year = y
    for m in laws:
        if m.year is None:
            continue
        # a numbered record of the same law and year?
        num = _numbered_with_title(recs, tindex, m, gaz)
        if num is not None:
            recs[num].mentions.append(m)
        else:
            ident = ("t", m.series, m.year, _tt(m))
            rec = add_rec(ident, _Rec(m.series, m.year, "t-" + _sha1(_tt(m)), tkey=m.tkey,
                                      is_law_title=True))
            rec.mentions.append(m)
            law_titles[(m.series, _tt(m))].append(ident)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")
    # sources citing each record: the versions below are dated or numbered records, which this
    # loop only adds mentions to from sources already citing them
    citing_sources = _SourceSets(recs, dated_only=False)
    for m in laws:
        if m.year is not None:
            continue
        versions = sorted(set(law_titles.get((m.series, _tt(m)), [])), key=_ident_sort)
        versions += [i for i in _numbered_all_with_title(recs, tindex, m) if i not in versions]
        versions = [i for i in versions if m.citing_year is None or (recs[i].year or 0) <= m.citing_year]
        local = [i for i in versions if m.source in citing_sources[i]
                 and (m.citing_year is None or (recs[i].year or 0) <= m.citing_year)]
        if len(local) == 1:
            recs[local[0]].mentions.append(m)
            links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")
            continue
        ident = ("t", m.series, None, _tt(m))
        add_rec(ident, _Rec(m.series, None, "t-" + _sha1(_tt(m)), tkey=m.tkey,
                            is_law_title=True)).mentions.append(m)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "undated" if versions else "resolved")
    # 4b. other titled mentions
    for m in titled:
        if m.cit.type in law_types:
            continue
        hit = _title_match(m, tindex, recs)
        if hit is not None:
            recs[hit].mentions.append(m)
        else:
            scope = "" if m.series else m.scope
            ident = ("t", m.series, m.year, scope, _tt(m))
            add_rec(ident, _Rec(m.series, m.year, "t-" + _sha1(f"{scope}|{_tt(m)}" if scope else _tt(m)),
                                tkey=m.tkey)).mentions.append(m)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")

    # 4c. a type and a full date, nothing else ("Kế hoạch ngày 16/01/2021")
    by_date: dict[str, set[tuple]] | None = None
    for m in sorted(mentions, key=_mkey):
        if (m.source, m.index) in links or m.idk or m.tkey or not (m.date and m.cit.type):
            continue
        if by_date is None:
            # numbered / source records by the dates given for them (this loop only adds
            # mentions whose date the record already has, and records of another kind)
            by_date = defaultdict(set)
            for i, r in recs.items():
                if i[0] in ("n", "s"):
                    for x in r.mentions:
                        if x.date is not None:
                            by_date[x.date].add(i)
                    if r.header is not None and r.header.date is not None:
                        by_date[r.header.date].add(i)
        same = sorted({i for i in by_date.get(m.date, ()) if recs[i].year == m.year
                       and (m.series is None or recs[i].series is None or recs[i].series == m.series)
                       and _canon_type(_rec_type(recs[i]) or "") == _canon_type(m.cit.type)}, key=_ident_sort)
        if len(same) == 1:      # the numbered document of that type, issuer and date
            recs[same[0]].mentions.append(m)
            links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")
            continue
        scope = "" if m.series else m.scope
        td = f"{canon(m.cit.type)}|{m.date}"
        ident = ("d", m.series, m.year, scope, td)
        add_rec(ident, _Rec(m.series, m.year, "t-" + _sha1(f"{scope}|{td}" if scope else td))).mentions.append(m)
        links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "resolved")

    # 5. nothing to key on
    for m in mentions:
        if (m.source, m.index) not in links:
            links[(m.source, m.index)] = MentionLink(m.source, m.index, None, "unresolved")

    # build records
    key_of: dict[int, str] = {}
    for ident in sorted(recs, key=_ident_sort):
        rec = recs[ident]
        dr = _build_record(rec, gaz)
        if dr.key in registry.documents:       # two identities, one key (display clash): merge
            _merge_into(registry.documents[dr.key], dr)
        else:
            registry.documents[dr.key] = dr
        for m in rec.mentions:
            key_of[id(m)] = dr.key
        if rec.source:
            registry.sources[rec.source] = dr.key
    for m in mentions:
        link = links[(m.source, m.index)]
        if link.status in ("resolved", "undated"):
            link.target = key_of.get(id(m))
            if link.target is None:
                link.status = "unresolved"
    registry.links = [links[k] for k in sorted(links, key=lambda k: (k[0], k[1]))]
    registry.documents = dict(sorted(registry.documents.items()))
    registry.sources = dict(sorted(registry.sources.items()))
    # agencies used (with the bodies above them)
    used: set[str] = set()
    for d in docs:
        if d.header.issuer_id:
            used.add(d.header.issuer_id)
        used.update(c.issuer_id for c in d.citations if c.issuer_id)
    for dr in registry.documents.values():
        if dr.issuer_id:
            used.add(dr.issuer_id)
        used.update(dr.agencies)
    agencies = {}
    for aid in sorted(used):
        for ag in gaz.parents(aid):
            agencies.setdefault(ag.id, ag)
    registry.agencies = dict(sorted(agencies.items()))
    return registry


def _learn_agencies(docs: list[ExtractedDocument], gaz: Gazetteer) -> None:
    """Make the gazetteer know every agency the documents name (their headers' and citations'
    issuer_id), so that number series and parent bodies do not depend on what this process's
    gazetteer met before (documents extracted in worker processes or loaded from a cache).
    A local agency it does not know is instantiated again from the citing document's header,
    the way extraction did (Gazetteer.context / complete_citation on a copy of the citation)."""
    def known(aid: str) -> bool:
        try:
            gaz.agency(aid)
        except KeyError:
            return False
        return True

    for d in docs:
        gaz.context(d.header)
        for c in d.citations:
            if c.issuer_id and not known(c.issuer_id):
                gaz.complete_citation(replace(c, issuer_id=None), d.header)


def _tt(m: _Mention) -> str:
    """Type and normalised title: the identity of a number-less document."""
    return f"{canon(m.cit.type or '')}|{m.tkey or ''}"


def _mkey(m: _Mention) -> tuple:
    return (m.source, m.index)


def _ident_sort(ident: tuple) -> tuple:
    return tuple("" if x is None else str(x) for x in ident)


# ----------------------------------------------------------------------------- titles

def _title_key_memo(memo: dict[tuple[str, str | None], str], title: str, doc_type: str | None,
                    gaz: Gazetteer) -> str:
    got = memo.get((title, doc_type))
    if got is None:
        got = memo[(title, doc_type)] = title_key(title, doc_type, gaz)
    return got


def _known_titles(recs: dict[tuple, _Rec], gaz: Gazetteer,
                  memo: dict[tuple[str, str | None], str] | None = None) -> dict[tuple, list[tuple[str, set[str]]]]:
    """Titles of numbered / source records: header titles and the subjects of their mentions,
    each distinct title once (a document cited a thousand times with one subject has one), its
    words interned (they recur across titles)."""
    out: dict[tuple, list[tuple[str, set[str]]]] = {}
    for ident, rec in recs.items():
        if ident[0] not in ("n", "s"):
            continue
        texts: list[tuple[str | None, str]] = []
        if rec.header is not None and rec.header.title:
            texts.append((rec.header.type, rec.header.title))
        for m in rec.mentions:
            if m.cit.subject:
                texts.append((None, m.cit.subject))
            if m.cit.title:
                texts.append((m.cit.type, m.cit.title))
        entries = []
        seen: set[str] = set()
        for t, text in texts:
            k = _title_key_memo(memo if memo is not None else {}, text, t, gaz)
            if k and k not in seen:
                seen.add(k)
                entries.append((k, set(map(sys.intern, _tokens(k)))))
        if entries:
            out[ident] = entries
    return out


class _SourceSets:
    """Lazily computed, then cached: the sources of the mentions of a record (dated ones only)."""

    def __init__(self, recs: dict[tuple, _Rec], dated_only: bool):
        self.recs = recs
        self.dated_only = dated_only
        self.cache: dict[tuple, set[str]] = {}

    def __getitem__(self, ident: tuple) -> set[str]:
        got = self.cache.get(ident)
        if got is None:
            got = {x.source for x in self.recs[ident].mentions
                   if not self.dated_only or x.year is not None}
            self.cache[ident] = got
        return got


@lru_cache(maxsize=4096)
def _canon_type(t: str) -> str:
    return canon(t)


def _rec_type(rec: _Rec) -> str | None:
    if rec.header is not None and rec.header.type:
        return rec.header.type
    if rec._type_n != len(rec.mentions):        # mentions are only ever appended
        types = Counter(m.cit.type for m in rec.mentions if m.cit.type)
        rec._type = min(types, key=lambda t: (-types[t], t)) if types else None
        rec._type_n = len(rec.mentions)
    return rec._type


class _TitleIndex:
    """Known titles (of numbered / source records), indexed so that a mention is compared only
    with the titles that can match it:

    - by exact normalised title (and title without its year) for laws cited by name;
    - for the conservative title match, an inverted index of the (non-stop) words of each title,
      split by the title's issuer series and its set of numbers (which must be equal). A title
      matching a mention of n words contains at least `need` of them (the containment
      threshold), so it contains one of any n - need + 1 of the mention's words: the candidates
      are the titles holding one of the mention's n - need + 1 rarest words. Every candidate is
      then checked exactly as before, in the same order."""

    def __init__(self, known: dict[tuple, list[tuple[str, set[str]]]], recs: dict[tuple, _Rec]):
        stop = _vocab()["stop"]
        self.recs = recs
        self.order = sorted(known, key=_ident_sort)
        self.rank = {ident: n for n, ident in enumerate(self.order)}
        self.entries: dict[tuple, list[set[str]]] = {}
        self.by_title: dict[str, set[tuple]] = defaultdict(set)
        self.by_series: dict[tuple, set[tuple]] = defaultdict(set)   # (series, nums, word) -> idents
        self.by_nums: dict[tuple, set[tuple]] = defaultdict(set)     # (nums, word) -> idents
        for ident in self.order:
            series = recs[ident].series
            sets = []
            for k, kset0 in known[ident]:
                self.by_title[k].add(ident)
                self.by_title[_title_year(k)[0]].add(ident)
                kset = {t for t in kset0 if t not in stop}
                sets.append(kset)
                nums = frozenset(t for t in kset if t.isdigit())
                for t in kset:
                    self.by_series[(series, nums, t)].add(ident)
                    self.by_nums[(nums, t)].add(ident)
            self.entries[ident] = sets

    def with_title(self, tkey: str) -> list[tuple]:
        return sorted(self.by_title.get(tkey, ()), key=self.rank.__getitem__)

    def candidates(self, mset: set[str], mnums: frozenset, series: str | None) -> list[tuple]:
        min_cont = _vocab()["min_cont"]
        n = len(mset)
        need = next((i for i in range(n + 1) if i / n >= min_cont), None)
        if need is None:
            return []
        if need == 0:
            return list(self.order)

        def posting(t: str) -> list[set[tuple]]:
            if series is None:
                return [self.by_nums.get((mnums, t), set())]
            return [self.by_series.get((series, mnums, t), set()), self.by_series.get((None, mnums, t), set())]

        sized = sorted(((sum(len(p) for p in posting(t)), t) for t in mset))
        found: set[tuple] = set()
        for _, t in sized[:n - need + 1]:
            for p in posting(t):
                found |= p
        return sorted(found, key=self.rank.__getitem__)


def _title_match(m: _Mention, index: _TitleIndex, recs: dict[tuple, _Rec]) -> tuple | None:
    v = _vocab()
    toks = [t for t in _tokens(m.tkey or "") if t not in v["stop"]]
    if len(toks) < 4:
        return None
    mset = set(toks)
    mnums = {t for t in mset if t.isdigit()}
    mtype = _canon_type(m.cit.type) if m.cit.type else None
    hits = []
    for ident in index.candidates(mset, frozenset(mnums), m.series):
        rec = recs[ident]
        if mtype is not None:
            rt = _rec_type(rec)
            if rt and _canon_type(rt) != mtype:
                continue
        if m.series is not None and rec.series is not None and rec.series != m.series:
            continue
        if m.series is None and rec.series is None:
            continue
        if rec.year is not None and m.citing_year is not None and rec.year > m.citing_year:
            continue
        if m.year is not None and rec.year is not None and m.year != rec.year:
            continue
        for kset in index.entries[ident]:
            if {t for t in kset if t.isdigit()} != mnums:
                continue
            inter = len(mset & kset)
            if inter / len(mset) >= v["min_cont"] and inter / len(mset | kset) >= v["min_jacc"]:
                hits.append(ident)
                break
        if len(hits) > 1:
            return None
    return hits[0] if len(hits) == 1 else None


def _numbered_all_with_title(recs: dict[tuple, _Rec], index: _TitleIndex, m: _Mention) -> list[tuple]:
    out = []
    for ident in index.with_title(m.tkey or ""):
        rec = recs[ident]
        if m.series is not None and rec.series is not None and rec.series != m.series:
            continue
        if m.cit.type and _canon_type(_rec_type(rec) or "") != _canon_type(m.cit.type):
            continue
        out.append(ident)
    return out


def _numbered_with_title(recs: dict[tuple, _Rec], index: _TitleIndex, m: _Mention, gaz: Gazetteer) -> tuple | None:
    hits = [i for i in _numbered_all_with_title(recs, index, m) if recs[i].year == m.year]
    return hits[0] if len(hits) == 1 else None


# ----------------------------------------------------------------------------- records

def _most_common(values: list[str]) -> str | None:
    if not values:
        return None
    c = Counter(values)
    return min(c, key=lambda v: (-c[v], v))


def _build_record(rec: _Rec, gaz: Gazetteer) -> DocumentRecord:
    h = rec.header
    types = [m.cit.type for m in rec.mentions if m.cit.type]
    dates = sorted({m.cit.date for m in rec.mentions if m.cit.date and re.fullmatch(r"\d{4}-\d\d-\d\d", m.cit.date)})
    if h is not None and h.date:
        dates = sorted(set(dates) | {h.date})
    issuers = sorted({m.cit.issuer for m in rec.mentions if m.cit.issuer} | ({h.issuer} if h is not None and h.issuer else set()))
    agencies = sorted({m.cit.issuer_id for m in rec.mentions if m.cit.issuer_id} |
                      ({h.issuer_id} if h is not None and h.issuer_id else set()))
    idents = sorted({norm_identifier(m.cit.identifier) for m in rec.mentions if m.cit.identifier} |
                    ({norm_identifier(h.identifier)} if h is not None and h.identifier else set()))
    titles = sorted({t for m in rec.mentions for t in (m.cit.title, m.cit.subject) if t} |
                    ({h.title} if h is not None and h.title else set()))
    conflicts: list[str] = []
    if len(dates) > 1:
        conflicts.append("date: " + " ≠ ".join(dates))
    # the date: the header's, else the most frequent date of the key year
    date = None
    if h is not None and h.date:
        date = h.date
    else:
        in_year = [m.cit.date for m in rec.mentions if m.cit.date and re.fullmatch(r"\d{4}-\d\d-\d\d", m.cit.date)
                   and (rec.year is None or m.cit.date.startswith(str(rec.year)))]
        date = _most_common(in_year)
    if rec.year is not None:
        off = sorted({d for d in dates if not d.startswith(str(rec.year))})
        if off:
            conflicts.append(f"year: key year {rec.year}, also dated " + ", ".join(off))
    rtype = (h.type if h is not None and h.type else None) or _most_common(types)
    if h is not None and h.title:
        title = h.title
    else:
        subj = [m.cit.subject for m in rec.mentions if m.cit.subject]
        tit = [m.cit.title for m in rec.mentions if m.cit.title]
        title = _most_common(subj) or _most_common(tit)
    ident = None
    if rec.idk is not None:
        forms = [norm_identifier(m.cit.identifier) for m in rec.mentions if m.cit.identifier]
        if h is not None and h.identifier:
            ident = norm_identifier(h.identifier)
        else:
            ident = _most_common(forms) or rec.ident
        if parse_identifier(ident).style == "bare":
            ident = (rec.ident or ident).split(" @")[0]
    return DocumentRecord(
        key=rec.key, type=rtype, identifier=ident, issuer_id=rec.series, year=rec.year, date=date,
        title=title, dates=dates, types=sorted(set(types) | ({h.type} if h is not None and h.type else set())),
        issuers=issuers, conflicts=conflicts, source=rec.source, mentions=len(rec.mentions),
        agencies=agencies, identifiers=idents, titles=titles)


def _merge_into(a: DocumentRecord, b: DocumentRecord) -> None:
    a.dates = sorted(set(a.dates) | set(b.dates))
    a.types = sorted(set(a.types) | set(b.types))
    a.issuers = sorted(set(a.issuers) | set(b.issuers))
    a.agencies = sorted(set(a.agencies) | set(b.agencies))
    a.identifiers = sorted(set(a.identifiers) | set(b.identifiers))
    a.titles = sorted(set(a.titles) | set(b.titles))
    a.conflicts = sorted(set(a.conflicts) | set(b.conflicts))
    a.mentions += b.mentions
    a.source = a.source or b.source
    a.title = a.title or b.title
    a.date = a.date or b.date


def record_slug(rec: DocumentRecord) -> tuple[str, str, str]:
    """(issuer_id or 'unknown', year or 'undated', slug) for the IRI {base}doc/{issuer}/{year}/{slug}."""
    issuer = rec.issuer_id or "unknown"
    year = str(rec.year) if rec.year is not None else "undated"
    third = rec.key.split("|", 2)[2] if rec.key.count("|") >= 2 else ""
    if third.startswith(("t-", "draft-", "src-")):
        slug = third
    elif third:
        slug = slugify(third)
    elif rec.title:
        slug = "t-" + _sha1(canon(rec.title))
    else:
        slug = "t-" + _sha1(rec.key)
    return issuer, year, slug or "x"
