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

Cost: near-linear in the number of mentions, and memory that does not grow with it. The
mentions, records, links and the indexes below live in a SQLite database (Resolver: a file in
the streaming build's temporary directory, memory for resolve()); each step is a query and a
loop over its rows a page at a time, in (source, index) order. Candidates are looked up in
indexes (identifier and series; exact titles; an inverted index of title words by series and
numbers, see Resolver._index_known_titles; dates), never by scanning every record, and each
candidate is then checked by the rules above. The agencies named by the documents are
(re)instantiated from their headers as documents are added when the process-wide gazetteer has
not met them (Resolver.add_document), so the result does not depend on which process extracted
the documents.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .gazetteer import Gazetteer, canon, norm_identifier, parse_identifier, slugify
from .models import Agency, Citation, DocumentRecord, ExtractedDocument, MentionLink, Registry
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


# ----------------------------------------------------------------------------- database

# Mentions, records, links and the title index live in SQLite (a temporary file for the
# streaming build, memory for resolve()); Python holds a page of rows, one record's mentions
# as counts, and bounded caches. `mentions.mid` follows (source, index), the order every step
# iterates in; `recs.ident` is a record's identity as text (_ident_text), ordered as the tuples.
_SCHEMA = """
CREATE TABLE docs (
    did INTEGER PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL, issuer_id TEXT,
    content BLOB,                       -- pickled (header, citations) until step 1 has read it
    rid INTEGER                         -- its record
);
CREATE INDEX docs_order ON docs (source, sha256, did);
CREATE TABLE recs (
    rid INTEGER PRIMARY KEY, ident TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    series TEXT, year INTEGER, third TEXT NOT NULL, key TEXT NOT NULL,
    idk TEXT, tkey TEXT, tt TEXT, is_law_title INTEGER NOT NULL DEFAULT 0,
    source TEXT,                        -- the source document that is this record, and its header:
    h_type TEXT, h_title TEXT, h_date TEXT, h_identifier TEXT, h_issuer TEXT, h_issuer_id TEXT
);
CREATE INDEX recs_idk ON recs (idk, series);
CREATE INDEX recs_law_title ON recs (tt, series) WHERE is_law_title;
CREATE INDEX recs_header_date ON recs (h_date);
CREATE TABLE mentions (
    mid INTEGER PRIMARY KEY, source TEXT NOT NULL, idx INTEGER NOT NULL,
    citing_year INTEGER, scope TEXT NOT NULL,
    series TEXT, year INTEGER, idk TEXT, disp TEXT, date TEXT, tkey TEXT,
    titled TEXT,                        -- step 4: 'law' (cited by name) or 'other'
    c_type TEXT, c_identifier TEXT, c_date TEXT, c_issuer TEXT, c_issuer_id TEXT,
    c_subject TEXT, c_title TEXT,
    rid INTEGER,                        -- the record it joined
    status TEXT,                        -- its link: resolved | undated | ambiguous | unresolved
    candidates TEXT                     -- JSON list of keys, when ambiguous
);
CREATE INDEX mentions_source ON mentions (source);
CREATE INDEX mentions_record ON mentions (rid, source);
CREATE INDEX mentions_date ON mentions (date);
CREATE TABLE rec_types (                -- how often each type word is given for a record
    rid INTEGER NOT NULL, ctype TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (rid, ctype)
) WITHOUT ROWID;
CREATE TABLE title_entries (            -- known titles (stop words dropped): _index_known_titles
    rid INTEGER NOT NULL, pos INTEGER NOT NULL, words TEXT NOT NULL, PRIMARY KEY (rid, pos)
) WITHOUT ROWID;
CREATE TABLE title_exact (tkey TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (tkey, rid)) WITHOUT ROWID;
CREATE TABLE title_words (              -- inverted index of the known titles' words
    series TEXT NOT NULL, nums TEXT NOT NULL, word TEXT NOT NULL, rid INTEGER NOT NULL,
    PRIMARY KEY (series, nums, word, rid)
) WITHOUT ROWID;
CREATE INDEX title_words_nums ON title_words (nums, word);
CREATE TABLE documents (key TEXT PRIMARY KEY, record BLOB NOT NULL) WITHOUT ROWID;   -- the results
"""

_PAGE = 2000                            # rows read at a time
_CACHE = 1 << 14                        # entries of each lookup cache

_MENTION_COLUMNS = "mid, source, citing_year, scope, series, year, idk, disp, date, tkey, c_type"


class _Mention(NamedTuple):
    mid: int
    source: str
    citing_year: int | None
    scope: str
    series: str | None
    year: int | None
    idk: str | None
    disp: str | None
    date: str | None
    tkey: str | None
    type: str | None                    # the citation's type word


class _Candidate(NamedTuple):
    """A record as the matching rules see it."""
    rid: int
    series: str | None
    year: int | None
    header_type: str | None


def _ident_text(ident: tuple) -> str:
    """A record identity (kind, series, year, ...) as text: its parts as strings (None as '')
    joined by a character below any other, so that texts sort as the tuples of their parts (the
    order the rules take records in). Series ids and years are never empty strings, so no two
    identities share a text."""
    return "\x01".join("" if x is None else str(x) for x in ident)


def _record_key(series: str | None, year: int | None, third: str) -> str:
    return f"{series or 'unknown'}|{year if year is not None else ''}|{third}"


def _tt(m: _Mention) -> str:
    """Type and normalised title: the identity of a number-less document."""
    return f"{canon(m.type or '')}|{m.tkey or ''}"


# ----------------------------------------------------------------------------- main

def resolve(docs: list[ExtractedDocument], gazetteer: Gazetteer | None = None) -> Registry:
    """The registry of `docs` (resolved in an in-memory database)."""
    with Resolver(":memory:", gazetteer) as resolver:
        for d in sorted(docs, key=lambda d: (d.source, d.sha256)):
            resolver.add_document(d)
        resolver.run()
        return resolver.registry()


class Resolver:
    """Resolution in a SQLite database at `path`: add_document() every document (header and
    citations; nothing else is read), run(), then read the registry a part at a time (records()
    in key order, record(), sub_registry() of one source) or whole (registry())."""

    def __init__(self, path: str | Path, gazetteer: Gazetteer | None = None):
        self.gaz = gazetteer or Gazetteer.default()
        self.db = sqlite3.connect(str(path))
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -32768"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.agencies: dict[str, Agency] = {}       # the agencies used (set by run)
        gaz = self.gaz
        self._title_key = lru_cache(maxsize=_CACHE)(lambda title, t: title_key(title, t, gaz))
        self._rec_types: dict[int, str | None] = {}     # _rec_type memo
        # the title index does not change once made (step 4): lookups in it are cached
        self._title_entries = lru_cache(maxsize=_CACHE)(self._title_entries_of)
        self._posting_size = lru_cache(maxsize=_CACHE)(self._posting_size_of)
        self._with_title = lru_cache(maxsize=_CACHE)(self._with_title_of)
        self._title_candidates = lru_cache(maxsize=_CACHE)(self._title_candidates_of)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Resolver":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------- input

    def add_document(self, doc: ExtractedDocument) -> None:
        """Keep the document's header and citations, and make the gazetteer know every agency
        they name (so that number series and parent bodies do not depend on what this process's
        gazetteer met before: documents extracted in worker processes or loaded from a cache).
        A local agency it does not know is instantiated again from the citing document's header,
        the way extraction did (Gazetteer.context / complete_citation on a copy of the citation)."""
        gaz = self.gaz
        gaz.context(doc.header)
        for c in doc.citations:
            if c.issuer_id and not self._known_agency(c.issuer_id):
                gaz.complete_citation(replace(c, issuer_id=None), doc.header)
        content = pickle.dumps((doc.header, doc.citations), protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute("INSERT INTO docs (source, sha256, issuer_id, content) VALUES (?, ?, ?, ?)",
                        (doc.source, doc.sha256, doc.header.issuer_id, content))

    def _known_agency(self, agency_id: str) -> bool:
        try:
            self.gaz.agency(agency_id)
        except KeyError:
            return False
        return True

    # ------------------------------------------------------------------------- the rules

    def run(self) -> None:
        """Resolve the documents added (the steps of the module's docstring, in order)."""
        self._sources_and_mentions()
        self._clashing_years()
        self._dated_numbered()
        self._undated_numbered()
        # 4. number-less mentions with a title: laws (and others cited by name) apart
        law_types = sorted(self.gaz.type_issuers)
        marks = ",".join("?" * len(law_types))
        self.db.execute(f"UPDATE mentions SET titled = CASE WHEN c_type IN ({marks}) THEN 'law' ELSE 'other' END "
                        "WHERE idk IS NULL AND tkey IS NOT NULL", law_types)
        self._index_known_titles()
        self._laws_by_title()
        self._other_titled()
        self._type_and_date()
        # 5. nothing to key on
        self.db.execute("UPDATE mentions SET status = 'unresolved' WHERE status IS NULL")
        self._build_records()
        self.agencies = self._agencies_used()
        self.db.commit()
        # the registry is only read from now on (a record, a source's links at a time): the
        # rules' caches go, and the database keeps a smaller page cache
        for cache in (self._title_key, self._title_entries, self._posting_size, self._with_title,
                      self._title_candidates):
            cache.cache_clear()
        self._rec_types.clear()
        self.db.execute("PRAGMA cache_size = -4096")
        self.db.execute("PRAGMA shrink_memory")

    def _sources_and_mentions(self) -> None:
        """1. each source document is a record (its header); its citations become mentions, in
        (source, index) order, with what the rules key on."""
        gaz, db = self.gaz, self.db
        last: tuple = ("", "", 0)
        while True:
            docs = db.execute("SELECT source, sha256, did FROM docs WHERE (source, sha256, did) > (?, ?, ?) "
                              f"ORDER BY source, sha256, did LIMIT {_PAGE}", last).fetchall()
            if not docs:
                return
            for source, sha, did in docs:
                content = db.execute("SELECT content FROM docs WHERE did = ?", (did,)).fetchone()[0]
                h, citations = pickle.loads(content)
                series = gaz.series_id(h.issuer_id)
                if h.identifier and not h.number_blank:
                    idk, disp = id_key(h.identifier, h.type)
                    rid = self._record(("n", series, h.year, idk), disp, idk=idk)
                else:
                    third = f"{'draft' if h.number_blank else 'src'}-{sha[:12]}"
                    rid = self._record(("s", series, h.year, third), third)
                db.execute("UPDATE recs SET source = ?, h_type = ?, h_title = ?, h_date = ?, h_identifier = ?, "
                           "h_issuer = ?, h_issuer_id = ? WHERE rid = ?",
                           (source, h.type, h.title, h.date, h.identifier, h.issuer, h.issuer_id, rid))
                db.execute("UPDATE docs SET rid = ?, content = NULL WHERE did = ?", (rid, did))
                ctx = gaz.context(h)
                scope = (ctx.chain[-1].place_id if ctx.chain else (series or "")) or ""
                db.executemany(
                    "INSERT INTO mentions (source, idx, citing_year, scope, series, year, idk, disp, date, tkey, "
                    "c_type, c_identifier, c_date, c_issuer, c_issuer_id, c_subject, c_title) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (self._prepared(source, i, c, h.year, scope) for i, c in enumerate(citations)))
            last = docs[-1]

    def _prepared(self, source: str, index: int, c: Citation, citing_year: int | None, scope: str) -> tuple:
        series = self.gaz.series_id(c.issuer_id)
        date = c.date if c.date and re.fullmatch(r"\d{4}-\d\d-\d\d", c.date) else None
        idk = disp = tkey = None
        if c.identifier:
            idk, disp = id_key(c.identifier, c.type)
            if series is None and parse_identifier(c.identifier).style == "bare" and scope:
                # a short name of an unknown body ("đề án 1237") is local to the citing province
                idk += "@" + scope
                disp += " @" + scope
        elif c.title:
            tkey = self._title_key(c.title, c.type)
        return (source, index, citing_year, scope, series, _year_of(c), idk or None, disp, date, tkey or None,
                c.type, c.identifier, c.date, c.issuer, c.issuer_id, c.subject, c.title)

    def _clashing_years(self) -> None:
        """2a. one document cited with clashing years in one source (same day and month): the
        key year is the one given most often, on a tie the latest year not after the citing
        document's year (else the earliest)."""
        db = self.db
        group = "source = ? AND series = ? AND idk = ? AND substr(date, 6) = ?"
        db.execute("CREATE TEMP TABLE clashes AS SELECT source, series, idk, substr(date, 6) AS day FROM mentions "
                   "WHERE idk IS NOT NULL AND date IS NOT NULL AND series IS NOT NULL "
                   "GROUP BY source, series, idk, substr(date, 6) HAVING count(DISTINCT year) > 1")
        for key in self._rows("SELECT * FROM clashes"):
            years = dict(db.execute(f"SELECT year, count(*) FROM mentions WHERE {group} AND year IS NOT NULL "
                                    "GROUP BY year", key).fetchall())
            citing = db.execute(f"SELECT citing_year FROM mentions WHERE {group} LIMIT 1", key).fetchone()[0]
            best = max(years.values())
            tops = sorted(y for y, n in years.items() if n == best)
            not_after = [y for y in tops if citing is None or y <= citing]
            db.execute(f"UPDATE mentions SET year = ? WHERE {group}",
                       (max(not_after) if not_after else min(tops), *key))
        db.execute("DROP TABLE clashes")

    def _dated_numbered(self) -> None:
        # 2b. dated numbered mentions with a known issuer make or join (series, year, identifier)
        for m in self._mentions("idk IS NOT NULL AND year IS NOT NULL AND series IS NOT NULL"):
            self._join(self._record(("n", m.series, m.year, m.idk), m.disp or "", idk=m.idk), m, "resolved")
        # 2c. dated, issuer unknown: the one record with that identifier and year
        for m in self._mentions("idk IS NOT NULL AND year IS NOT NULL AND series IS NULL"):
            cands = self.db.execute("SELECT rid FROM recs WHERE idk = ? AND kind = 'n' AND year = ? LIMIT 2",
                                    (m.idk, m.year)).fetchall()
            rid = cands[0][0] if len(cands) == 1 else self._record(("n", None, m.year, m.idk), m.disp or "", idk=m.idk)
            self._join(rid, m, "resolved")

    def _undated_numbered(self) -> None:
        """3. numbered mentions without a year join the one candidate that fits (those with a
        dated mention in the same source first), else several: ambiguous, none: undated."""
        db = self.db
        for m in self._mentions("idk IS NOT NULL AND year IS NULL"):
            if m.series is None:
                pool = db.execute("SELECT rid, key, year, source FROM recs WHERE idk = ? AND year IS NOT NULL "
                                  "ORDER BY ident", (m.idk,))
            else:       # same series, or none
                pool = db.execute("SELECT rid, key, year, source FROM recs WHERE idk = ? AND year IS NOT NULL "
                                  "AND (series = ? OR series IS NULL) ORDER BY ident", (m.idk, m.series))
            cands = [(rid, key, source) for rid, key, year, source in pool
                     if m.citing_year is None or year <= m.citing_year]
            # no dated mention is added in this loop: the sources with one are those of steps 2b/2c
            local = [c for c in cands if c[2] == m.source or self._cites(c[0], m.source, dated=True)]
            pick = local if len(local) == 1 else cands
            if len(pick) == 1:
                self._join(pick[0][0], m, "resolved")
            elif pick:
                db.execute("UPDATE mentions SET status = 'ambiguous', candidates = ? WHERE mid = ?",
                           (json.dumps([c[1] for c in pick], ensure_ascii=False), m.mid))
            else:
                db.execute("UPDATE mentions SET status = 'pending' WHERE mid = ?", (m.mid,))
        for m in self._mentions("status = 'pending'"):
            self._join(self._record(("n", m.series, None, m.idk), m.disp or "", idk=m.idk), m, "undated")

    def _laws_by_title(self) -> None:
        """4a. laws (and other documents cited by name) key by (issuer, year, title); one named
        without a year joins a version cited in the same source, else is its own record."""
        db = self.db
        for m in self._mentions("titled = 'law'"):
            base, year = _title_year(m.tkey or "")
            db.execute("UPDATE mentions SET tkey = ?, year = ? WHERE mid = ?",
                       (base, m.year if m.year is not None else year, m.mid))
        for m in self._mentions("titled = 'law' AND year IS NOT NULL"):
            # a numbered record of the same law and year?
            same = [c for c in self._numbered_with_title(m) if c.year == m.year]
            if len(same) == 1:
                rid = same[0].rid
            else:
                rid = self._record(("t", m.series, m.year, _tt(m)), "t-" + _sha1(_tt(m)), tkey=m.tkey, tt=_tt(m),
                                   is_law_title=1)
            self._join(rid, m, "resolved")
        for m in self._mentions("titled = 'law' AND year IS NULL"):
            # the dated versions (records of this loop's first half), then the numbered ones
            versions = [(rid, year) for rid, year in db.execute(
                "SELECT rid, year FROM recs WHERE is_law_title AND tt = ? AND series IS ? AND year IS NOT NULL "
                "ORDER BY ident", (_tt(m), m.series))]
            known = {rid for rid, _ in versions}
            versions += [(c.rid, c.year) for c in self._numbered_with_title(m) if c.rid not in known]
            versions = [(rid, year) for rid, year in versions if m.citing_year is None or (year or 0) <= m.citing_year]
            # this loop only adds mentions to these versions from sources already citing them
            local = [rid for rid, _ in versions if self._cites(rid, m.source, dated=False)]
            if len(local) == 1:
                self._join(local[0], m, "resolved")
                continue
            rid = self._record(("t", m.series, None, _tt(m)), "t-" + _sha1(_tt(m)), tkey=m.tkey, tt=_tt(m),
                               is_law_title=1)
            self._join(rid, m, "undated" if versions else "resolved")

    def _other_titled(self) -> None:
        """4b. other titled mentions: a conservative title match, else their own title."""
        for m in self._mentions("titled = 'other'"):
            rid = self._title_match(m)
            if rid is None:
                scope = "" if m.series else m.scope
                rid = self._record(("t", m.series, m.year, scope, _tt(m)),
                                   "t-" + _sha1(f"{scope}|{_tt(m)}" if scope else _tt(m)), tkey=m.tkey)
            self._join(rid, m, "resolved")

    def _type_and_date(self) -> None:
        """4c. a type and a full date, nothing else ("Kế hoạch ngày 16/01/2021"): the one numbered
        document of that type, compatible issuer and date, else keyed by (issuer, year, type + date)."""
        for m in self._mentions("status IS NULL AND idk IS NULL AND ifnull(tkey, '') = '' "
                                "AND date IS NOT NULL AND ifnull(c_type, '') <> ''"):
            # numbered / source records by the dates given for them (this loop only adds mentions
            # whose date the record already has, and records of another kind)
            same = [c for c in self._candidates(
                "SELECT rid FROM mentions WHERE date = ?1 AND rid IS NOT NULL UNION "
                "SELECT rid FROM recs WHERE h_date = ?1", (m.date,), "r.kind IN ('n', 's')")
                if c.year == m.year and (m.series is None or c.series is None or c.series == m.series)
                and _canon_type(self._rec_type(c) or "") == _canon_type(m.type)]
            if len(same) == 1:
                self._join(same[0].rid, m, "resolved")
                continue
            scope = "" if m.series else m.scope
            td = f"{canon(m.type)}|{m.date}"
            rid = self._record(("d", m.series, m.year, scope, td), "t-" + _sha1(f"{scope}|{td}" if scope else td))
            self._join(rid, m, "resolved")

    # ------------------------------------------------------------------------- helpers of the rules

    def _rows(self, sql: str, params: tuple = ()) -> Iterator[tuple]:
        cur = self.db.cursor()
        cur.execute(sql, params)
        while rows := cur.fetchmany(_PAGE):
            yield from rows

    def _mentions(self, where: str) -> Iterator[_Mention]:
        """The mentions matching `where`, in (source, index) order, a page at a time (each page
        is read before its mentions are processed, so the loop may change the table)."""
        last = 0
        while True:
            rows = self.db.execute(f"SELECT {_MENTION_COLUMNS} FROM mentions NOT INDEXED WHERE mid > ? AND ({where}) "
                                   f"ORDER BY mid LIMIT {_PAGE}", (last,)).fetchall()
            if not rows:
                return
            for row in rows:
                yield _Mention(*row)
            last = rows[-1][0]

    def _record(self, ident: tuple, third: str, *, idk: str | None = None, tkey: str | None = None,
                tt: str | None = None, is_law_title: int = 0) -> int:
        """The record of identity `ident`, made (with these fields) if there is none."""
        text = _ident_text(ident)
        row = self.db.execute("SELECT rid FROM recs WHERE ident = ?", (text,)).fetchone()
        if row is not None:
            return row[0]
        kind, series, year = ident[:3]
        return self.db.execute(
            "INSERT INTO recs (ident, kind, series, year, third, key, idk, tkey, tt, is_law_title) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (text, kind, series, year, third, _record_key(series, year, third), idk, tkey, tt, is_law_title)).lastrowid

    def _join(self, rid: int, m: _Mention, status: str) -> None:
        """Mention `m` joins record `rid` (its link gets `status`)."""
        self.db.execute("UPDATE mentions SET rid = ?, status = ? WHERE mid = ?", (rid, status, m.mid))
        if m.type:
            self.db.execute("INSERT INTO rec_types VALUES (?, ?, 1) ON CONFLICT (rid, ctype) DO UPDATE SET n = n + 1",
                            (rid, m.type))
            self._rec_types.pop(rid, None)

    def _cites(self, rid: int, source: str, dated: bool) -> bool:
        """Has `source` a mention of record `rid` (with a year, when `dated`)?"""
        sql = "SELECT 1 FROM mentions WHERE rid = ? AND source = ?" + (" AND year IS NOT NULL" if dated else "")
        return self.db.execute(sql + " LIMIT 1", (rid, source)).fetchone() is not None

    def _rec_type(self, c: _Candidate) -> str | None:
        """The type of a record: its header's, else the one its mentions give most often so far
        (remembered until a mention with a type joins it)."""
        if c.header_type:
            return c.header_type
        if c.rid not in self._rec_types:
            if len(self._rec_types) >= _CACHE:
                self._rec_types.clear()
            row = self.db.execute("SELECT ctype FROM rec_types WHERE rid = ? ORDER BY n DESC, ctype LIMIT 1",
                                  (c.rid,)).fetchone()
            self._rec_types[c.rid] = row[0] if row else None
        return self._rec_types[c.rid]

    def _candidates(self, rids_sql: str, params: tuple, where: str = "1") -> list[_Candidate]:
        """The records whose rid `rids_sql` selects (and `where` admits), in identity order."""
        return [_Candidate(*row) for row in self.db.execute(
            f"SELECT r.rid, r.series, r.year, r.h_type FROM recs r WHERE r.rid IN ({rids_sql}) AND {where} "
            "ORDER BY r.ident", params)]

    # ------------------------------------------------------------------------- titles

    def _index_known_titles(self) -> None:
        """The titles of numbered / source records (header titles and the subjects of their
        mentions), each distinct title once, indexed so that a mention is compared only with the
        titles that can match it (before step 4; the index is not updated by it):

        - by exact normalised title (and title without its year) for laws cited by name;
        - for the conservative title match, an inverted index of the (non-stop) words of each
          title, split by the title's issuer series and its set of numbers (which must be
          equal). A title matching a mention of n words contains at least `need` of them (the
          containment threshold), so it contains one of any n - need + 1 of the mention's
          words: the candidates are the titles holding one of the mention's n - need + 1
          rarest words (_title_candidates)."""
        stop = _vocab()["stop"]
        db = self.db
        for rid, series, h_type, h_title in self._rows(
                "SELECT rid, series, h_type, h_title FROM recs WHERE kind IN ('n', 's') ORDER BY rid"):
            # the header's title, then the distinct titles and subjects of its mentions
            texts = db.execute(
                "SELECT ?, NULL, ? WHERE ? IS NOT NULL AND ? <> '' UNION ALL SELECT * FROM ("
                "SELECT c_type, c_subject, c_title FROM mentions WHERE rid = ? "
                "AND (ifnull(c_subject, '') <> '' OR ifnull(c_title, '') <> '') "
                "GROUP BY c_type, c_subject, c_title ORDER BY min(mid))", (h_type, h_title, h_title, h_title, rid))
            seen: set[str] = set()
            for c_type, subject, title in texts:
                for t, text in ((None, subject), (c_type, title)):
                    k = self._title_key(text, t) if text else None
                    if not k or k in seen:
                        continue
                    seen.add(k)
                    words = {w for w in _tokens(k) if w not in stop}
                    nums = " ".join(sorted(w for w in words if w.isdigit()))
                    db.execute("INSERT INTO title_entries VALUES (?, ?, ?)", (rid, len(seen), " ".join(sorted(words))))
                    db.executemany("INSERT OR IGNORE INTO title_exact VALUES (?, ?)",
                                   ((k, rid), (_title_year(k)[0], rid)))
                    db.executemany("INSERT OR IGNORE INTO title_words VALUES (?, ?, ?, ?)",
                                   ((series or "", nums, w, rid) for w in words))

    def _title_entries_of(self, rid: int) -> list[frozenset[str]]:
        return [frozenset(words.split()) for (words,) in
                self.db.execute("SELECT words FROM title_entries WHERE rid = ? ORDER BY pos", (rid,))]

    def _posting_size_of(self, series: str | None, nums: str, word: str) -> int:
        if series is None:
            sql, params = "nums = ? AND word = ?", (nums, word)
        else:
            sql, params = "series IN (?, '') AND nums = ? AND word = ?", (series, nums, word)
        return self.db.execute(f"SELECT count(*) FROM title_words WHERE {sql}", params).fetchone()[0]

    def _with_title_of(self, tkey: str) -> list[_Candidate]:
        return self._candidates("SELECT rid FROM title_exact WHERE tkey = ?", (tkey,))

    def _numbered_with_title(self, m: _Mention) -> list[_Candidate]:
        """The numbered / source records with m's exact title, compatible issuer and type."""
        return [c for c in self._with_title(m.tkey or "")
                if not (m.series is not None and c.series is not None and c.series != m.series)
                and not (m.type and _canon_type(self._rec_type(c) or "") != _canon_type(m.type))]

    def _title_candidates_of(self, mset: frozenset[str], mnums: str, series: str | None) -> list[_Candidate]:
        min_cont = _vocab()["min_cont"]
        n = len(mset)
        need = next((i for i in range(n + 1) if i / n >= min_cont), None)
        if need is None:
            return []
        if need == 0:
            return self._candidates("SELECT rid FROM title_entries", ())
        rarest = [t for _, t in sorted((self._posting_size(series, mnums, t), t) for t in mset)[:n - need + 1]]
        marks = ",".join("?" * len(rarest))
        if series is None:
            return self._candidates(f"SELECT rid FROM title_words WHERE nums = ? AND word IN ({marks})",
                                    (mnums, *rarest))
        return self._candidates(f"SELECT rid FROM title_words WHERE series IN (?, '') AND nums = ? "
                                f"AND word IN ({marks})", (series, mnums, *rarest))

    def _title_match(self, m: _Mention) -> int | None:
        """The one known record whose title m's title matches: same type, compatible issuer,
        same numbers, at least 90% of m's words in the title and 60% overlap, not later."""
        v = _vocab()
        toks = [t for t in _tokens(m.tkey or "") if t not in v["stop"]]
        if len(toks) < 4:
            return None
        mset = set(toks)
        mnums = {t for t in mset if t.isdigit()}
        mtype = _canon_type(m.type) if m.type else None
        hits = []
        for c in self._title_candidates(frozenset(mset), " ".join(sorted(mnums)), m.series):
            if mtype is not None:
                rt = self._rec_type(c)
                if rt and _canon_type(rt) != mtype:
                    continue
            if m.series is not None and c.series is not None and c.series != m.series:
                continue
            if m.series is None and c.series is None:
                continue
            if c.year is not None and m.citing_year is not None and c.year > m.citing_year:
                continue
            if m.year is not None and c.year is not None and m.year != c.year:
                continue
            for kset in self._title_entries(c.rid):
                if {t for t in kset if t.isdigit()} != mnums:
                    continue
                inter = len(mset & kset)
                if inter / len(mset) >= v["min_cont"] and inter / len(mset | kset) >= v["min_jacc"]:
                    hits.append(c.rid)
                    break
            if len(hits) > 1:
                return None
        return hits[0] if len(hits) == 1 else None

    # ------------------------------------------------------------------------- results

    def _build_records(self) -> None:
        """The DocumentRecords, in identity order; two identities with one key (a display clash)
        are merged into the first."""
        db = self.db
        for row in self._rows("SELECT rid, key, series, year, third, idk, source, h_type, h_title, h_date, "
                              "h_identifier, h_issuer, h_issuer_id FROM recs ORDER BY ident"):
            rid, key, series, year, third, idk, source = row[:7]
            header = _Header(*row[7:]) if source is not None else None
            cited = db.execute("SELECT c_type, date, c_issuer, c_issuer_id, c_identifier, c_subject, c_title "
                               "FROM mentions WHERE rid = ?", (rid,))
            dr = _build_record(key, series, year, third, idk, source, header, cited)
            got = db.execute("SELECT record FROM documents WHERE key = ?", (key,)).fetchone()
            if got is None:
                db.execute("INSERT INTO documents VALUES (?, ?)", (key, _dumps(dr)))
            else:
                first = pickle.loads(got[0])
                _merge_into(first, dr)
                db.execute("UPDATE documents SET record = ? WHERE key = ?", (_dumps(first), key))

    def _agencies_used(self) -> dict[str, Agency]:
        """The agencies the documents and records name, with the bodies above them."""
        used = sorted(aid for (aid,) in self.db.execute(
            "SELECT issuer_id FROM docs UNION SELECT c_issuer_id FROM mentions UNION SELECT series FROM recs")
            if aid)
        agencies: dict[str, Agency] = {}
        for aid in used:
            for ag in self.gaz.parents(aid):
                agencies.setdefault(ag.id, ag)
        return dict(sorted(agencies.items()))

    # ------------------------------------------------------------------------- reading the registry

    def counts(self) -> dict[str, int]:
        """Documents, citations and distinct documents cited."""
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {"documents": one("SELECT count(*) FROM docs"),
                "citations": one("SELECT count(*) FROM mentions"),
                "cited_documents": one("SELECT count(DISTINCT r.key) FROM mentions m JOIN recs r ON r.rid = m.rid "
                                       "WHERE m.status IN ('resolved', 'undated')")}

    def records(self) -> Iterator[DocumentRecord]:
        """Every record, in key order, read a page at a time."""
        last = ""
        while True:
            rows = self.db.execute("SELECT key, record FROM documents WHERE key > ? ORDER BY key LIMIT ?",
                                   (last, _PAGE)).fetchall()
            if not rows:
                return
            for _, record in rows:
                yield pickle.loads(record)
            last = rows[-1][0]

    def record(self, key: str) -> DocumentRecord | None:
        row = self.db.execute("SELECT record FROM documents WHERE key = ?", (key,)).fetchone()
        return pickle.loads(row[0]) if row else None

    def source_key(self, source: str) -> str | None:
        """The key of the record that source document is."""
        row = self.db.execute("SELECT r.key FROM docs d JOIN recs r ON r.rid = d.rid WHERE d.source = ? "
                              "ORDER BY d.sha256 DESC LIMIT 1", (source,)).fetchone()
        return row[0] if row else None

    def sources(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT d.source, r.key FROM docs d JOIN recs r ON r.rid = d.rid "
                                    "ORDER BY d.source, d.sha256"))

    def links(self, source: str | None = None) -> list[MentionLink]:
        """The links of one source's mentions (of all, in (source, index) order, when None)."""
        sql = ("SELECT m.source, m.idx, m.status, m.candidates, r.key FROM mentions m "
               "LEFT JOIN recs r ON r.rid = m.rid")
        rows = self._rows(sql + " ORDER BY m.mid") if source is None else \
            self.db.execute(sql + " WHERE m.source = ? ORDER BY m.mid", (source,))
        out = []
        for src, idx, status, candidates, key in rows:
            target = key if status in ("resolved", "undated") else None
            if status in ("resolved", "undated") and target is None:
                status = "unresolved"
            out.append(MentionLink(src, idx, target, status, json.loads(candidates) if candidates else []))
        return out

    def sub_registry(self, source: str, issuer_id: str | None) -> Registry:
        """The part of the registry one source document's graph refers to: its record, the
        records its links target or list as candidates, their agencies (and the issuer's), its
        links. graph.build_dataset describes every agency of the registry it is given, and the
        whole registry's agencies are described once, in the registry graph (others are looked
        up in the gazetteer when the document's facts use them)."""
        links = self.links(source)
        own = self.source_key(source)
        keys = {own} if own else set()
        for link in links:
            if link.target:
                keys.add(link.target)
            keys.update(link.candidates)
        documents = {k: r for k in sorted(keys) if (r := self.record(k)) is not None}
        used = {r.issuer_id for r in documents.values() if r.issuer_id}
        for r in documents.values():
            used.update(r.agencies)
        if issuer_id:
            used.add(issuer_id)
        agencies = {a: self.agencies[a] for a in sorted(used) if a in self.agencies}
        return Registry(documents=documents, links=links, sources={source: own} if own else {}, agencies=agencies)

    def registry(self) -> Registry:
        """The whole registry, in memory."""
        return Registry(documents={r.key: r for r in self.records()}, links=self.links(),
                        sources=self.sources(), agencies=dict(self.agencies))


def _dumps(record: DocumentRecord) -> bytes:
    return pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)


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


@lru_cache(maxsize=4096)
def _canon_type(t: str) -> str:
    return canon(t)


# ----------------------------------------------------------------------------- records

class _Header(NamedTuple):
    """What a record keeps of its source document's header."""
    type: str | None
    title: str | None
    date: str | None
    identifier: str | None
    issuer: str | None
    issuer_id: str | None


def _most_common(counts: Counter) -> str | None:
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def _build_record(key: str, series: str | None, year: int | None, third: str, idk: str | None,
                  source: str | None, h: _Header | None, cited: Iterable[tuple]) -> DocumentRecord:
    """The record of identity (series, year, third) from its header and its mentions' citations
    (type, full date, issuer, issuer_id, identifier, subject, title), counted as they are read."""
    types: Counter = Counter()
    full_dates: Counter = Counter()
    issuers: set[str] = set()
    agencies: set[str] = set()
    identifiers: Counter = Counter()
    subjects: Counter = Counter()
    titles: Counter = Counter()
    mentions = 0
    for c_type, date, issuer, issuer_id, identifier, subject, title in cited:
        mentions += 1
        for counter, value in ((types, c_type), (full_dates, date), (identifiers, identifier),
                               (subjects, subject), (titles, title)):
            if value:
                counter[value] += 1
        if issuer:
            issuers.add(issuer)
        if issuer_id:
            agencies.add(issuer_id)
    forms: Counter = Counter()
    for identifier, n in identifiers.items():
        forms[norm_identifier(identifier)] += n
    dates = sorted(set(full_dates) | ({h.date} if h is not None and h.date else set()))
    conflicts: list[str] = []
    if len(dates) > 1:
        conflicts.append("date: " + " ≠ ".join(dates))
    # the date: the header's, else the most frequent date of the key year
    if h is not None and h.date:
        date = h.date
    else:
        date = _most_common(Counter({d: n for d, n in full_dates.items() if year is None or d.startswith(str(year))}))
    if year is not None:
        off = sorted({d for d in dates if not d.startswith(str(year))})
        if off:
            conflicts.append(f"year: key year {year}, also dated " + ", ".join(off))
    rtype = (h.type if h is not None and h.type else None) or _most_common(types)
    if h is not None and h.title:
        title = h.title
    else:
        title = _most_common(subjects) or _most_common(titles)
    ident = None
    if idk is not None:
        if h is not None and h.identifier:
            ident = norm_identifier(h.identifier)
        else:
            ident = _most_common(forms) or third
        if parse_identifier(ident).style == "bare":
            ident = (third or ident).split(" @")[0]
    return DocumentRecord(
        key=key, type=rtype, identifier=ident, issuer_id=series, year=year, date=date, title=title, dates=dates,
        types=sorted(set(types) | ({h.type} if h is not None and h.type else set())),
        issuers=sorted(issuers | ({h.issuer} if h is not None and h.issuer else set())),
        conflicts=conflicts, source=source, mentions=mentions,
        agencies=sorted(agencies | ({h.issuer_id} if h is not None and h.issuer_id else set())),
        identifiers=sorted(set(forms) | ({norm_identifier(h.identifier)} if h is not None and h.identifier else set())),
        titles=sorted(set(subjects) | set(titles) | ({h.title} if h is not None and h.title else set())))


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
