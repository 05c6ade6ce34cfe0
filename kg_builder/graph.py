"""Graph stage: turn the extracted documents and the registry into an RDF dataset.

One named graph per source document and one registry graph:

- `{base}graph/{issuer}/{year}/{slug}` (the source document's own identity, like its document
  IRI) or `{base}graph/src-{sha256[:16]}` when it has no number: the source document node
  (types, identifier or number-blank flag, date or partial date, issuer, place, title,
  incomplete flag, sha256, relative source path), its section tree, its mentions (with
  provenance) and one typed citation edge per distinct (source, cited document, relation);
- `{base}graph/registry`: one node per real document (merged metadata from every mention and
  from the document's own header) and the agencies used.

IRIs (stable across builds, derived from identity only):

- documents `{base}doc/{issuer_id|unknown}/{year|undated}/{slug(identifier)}`, number-less ones
  `.../t-{sha1(normalised title)[:12]}` (resolve.record_slug when available);
- agencies `{base}agency/{id}` (gazetteer ids), places `{base}place/{slug(name)}`;
- facts extracted from a source `{base}src/{sha256[:16]}/{kind}/{start}-{end}`.

Later graph stages (graph_indicators.py, graph_tasks.py) plug in by defining
`add_document(graph, doc, ctx)` and/or `add_registry(graph, docs, registry, ctx)`; `ctx` is a
`GraphContext` (see below) with the minter and the IRIs of the current document.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import importlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from .models import Agency, DocumentRecord, ExtractedDocument, Registry
from .namespace import DEFAULT_BASE_IRI, ELI, KG, OA, ORG, bind_prefixes
from .resources import data_path

if TYPE_CHECKING:
    from .resolve import Resolver

# Citation.relation value -> property
RELATIONS: dict[str, URIRef] = {
    "cites": KG.cites,
    "based_on": KG.basedOn,
    "implements": KG.implements,
    "amends": KG.amends,
    "repeals": KG.repeals,
    "guides": KG.guides,
}
# MentionLink.status values with a single target document
LINKED_STATUSES = {"resolved", "undated"}

# Party-style identifiers "11-NQ/TW", "52-CTr/TU"; state style "79/QĐ-UBND", "15/2021/NĐ-CP".
PARTY_ID = re.compile(r"^\d+[a-z]?-[A-ZĐ][A-Za-zĐđ]*/[A-ZĐ][A-Za-zĐđ0-9]*(-[A-Za-zĐđ0-9]+)*$")
STATE_ID = re.compile(r"^\d+[a-z]?(/\d{4})?/[A-ZĐ][A-Za-zĐđ]*(-[A-Za-zĐđ0-9&]+)*$")
PARTY_KINDS = {"party", "party-organ", "congress"}

# Extension modules of the graph stage, each optional.
EXTENSION_MODULES = ("graph_indicators", "graph_tasks")


# --------------------------------------------------------------------------------------------
# IRIs

def base_iri(value: str | None = None) -> str:
    """The data base IRI: argument, else env KG_BASE_IRI, else the default; ends with / or #."""
    base = value or os.environ.get("KG_BASE_IRI") or DEFAULT_BASE_IRI
    if not base.endswith(("/", "#")):
        base += "/"
    return base


def slugify(text: str) -> str:
    """ASCII slug: '79/QĐ-UBND' -> '79-qd-ubnd', 'Lạng Sơn' -> 'lang-son'."""
    text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def title_hash(title: str) -> str:
    norm = " ".join(unicodedata.normalize("NFC", title).lower().split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]


def _record_slug_fallback(rec: DocumentRecord) -> tuple[str, str, str]:
    issuer = rec.issuer_id or "unknown"
    year = str(rec.year) if rec.year else "undated"
    if rec.identifier:
        slug = slugify(rec.identifier)
    elif rec.title:
        slug = "t-" + title_hash(rec.title)
    else:
        slug = "t-" + hashlib.sha1(rec.key.encode("utf-8")).hexdigest()[:12]
    return issuer, year, slug


def record_slug(rec: DocumentRecord) -> tuple[str, str, str]:
    """(issuer_id|'unknown', year|'undated', slug) — resolve.record_slug when it exists."""
    try:
        from . import resolve
        fn = getattr(resolve, "record_slug", None)
    except ImportError:  # resolve stage not installed yet
        fn = None
    if fn is None:
        return _record_slug_fallback(rec)
    issuer, year, slug = fn(rec)
    return str(issuer or "unknown"), str(year or "undated"), str(slug)


class Minter:
    """Mints every IRI of the data from identity only."""

    def __init__(self, base: str | None = None):
        self.base = base_iri(base)
        self._doc_cache: dict[str, URIRef] = {}

    def doc_path(self, rec: DocumentRecord) -> str:
        issuer, year, slug = record_slug(rec)
        return f"{slugify(issuer)}/{year}/{slug}"

    def doc(self, rec: DocumentRecord) -> URIRef:
        iri = self._doc_cache.get(rec.key)
        if iri is None:
            iri = self._doc_cache[rec.key] = URIRef(f"{self.base}doc/{self.doc_path(rec)}")
        return iri

    def agency(self, agency_id: str) -> URIRef:
        return URIRef(f"{self.base}agency/{slugify(agency_id)}")

    def place(self, name_or_id: str) -> URIRef:
        return URIRef(f"{self.base}place/{slugify(name_or_id)}")

    def graph(self, local: str) -> URIRef:
        return URIRef(f"{self.base}graph/{local}")

    def registry_graph(self) -> URIRef:
        return self.graph("registry")

    def fact(self, sha256: str, kind: str, start: int, end: int, suffix: str | None = None) -> URIRef:
        """`{base}src/{sha256[:16]}/{kind}/{start}-{end}` (+ `-{suffix}` to separate equal spans)."""
        tail = f"{start}-{end}" + (f"-{suffix}" if suffix else "")
        return URIRef(f"{self.base}src/{sha256[:16]}/{kind}/{tail}")


@dataclass
class GraphContext:
    """What a graph extension needs to add its triples to a source document's graph."""

    minter: Minter
    registry: Registry
    doc_iri: URIRef | None = None            # the source document node
    graph_iri: URIRef | None = None
    section_iris: dict[str, URIRef] = field(default_factory=dict)   # Section.id -> IRI
    record_iris: dict[str, URIRef] = field(default_factory=dict)    # DocumentRecord.key -> IRI

    def fact(self, doc: ExtractedDocument, kind: str, start: int, end: int) -> URIRef:
        return self.minter.fact(doc.sha256, kind, start, end)

    def section_at(self, doc: ExtractedDocument, pos: int) -> URIRef | None:
        sec = doc.section_at(pos)
        return self.section_iris.get(sec.id) if sec else None

    def provenance(self, g: Graph, node: URIRef, doc: ExtractedDocument, start: int, end: int) -> None:
        """The uniform provenance of an extracted fact: source, start, end, exact, inSection."""
        add_provenance(g, node, self.doc_iri, doc, start, end, self.section_at(doc, start))


# --------------------------------------------------------------------------------------------
# Literals

def lit_vi(text: str) -> Literal:
    return Literal(unicodedata.normalize("NFC", text), lang="vi")


def lit_int(value: int) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def lit_bool(value: bool) -> Literal:
    return Literal(bool(value), datatype=XSD.boolean)


def lit_date(value: str | None) -> Literal | None:
    """xsd:date from 'YYYY-MM-DD' when it is a real calendar date, else None."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return None
    return Literal(value, datatype=XSD.date)


def lit_partial_date(value: str | int | None) -> Literal | None:
    """'2023-03' -> xsd:gYearMonth, '2023' -> xsd:gYear, '--06-19' -> xsd:gMonthDay."""
    if value is None or value == "":
        return None
    value = str(value)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    if re.fullmatch(r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
        return Literal(value, datatype=XSD.gMonthDay)
    return None


@lru_cache(maxsize=1)
def type_classes() -> dict[str, str]:
    """Canonical type word ('Báo cáo') -> class local name ('Report'), from document_types.json."""
    entries = json.loads(data_path("vocab", "document_types.json").read_text(encoding="utf-8"))
    if isinstance(entries, dict):
        entries = entries.get("types", [])
    return {e["type"]: e["class"] for e in entries if e.get("type") and e.get("class")}


def type_class(type_word: str | None) -> URIRef | None:
    if not type_word:
        return None
    name = type_classes().get(type_word)
    if not name:
        return None
    try:
        return KG[name]
    except (AttributeError, KeyError):   # a class missing from the ontology: test_ontology reports it
        return None


def source_path_literal(source: str) -> str:
    """The source path as stored in the graph: relative (as given or under the cwd), else its name."""
    p = Path(source)
    if not p.is_absolute():
        if ".." not in p.parts:
            return p.as_posix()
        p = p.resolve()
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.name


# --------------------------------------------------------------------------------------------
# Building

class _Agencies:
    """Agency lookup: the registry's agencies, then the gazetteer."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._gaz = None
        self._gaz_loaded = False

    def get(self, agency_id: str | None) -> Agency | None:
        if not agency_id:
            return None
        ag = self.registry.agencies.get(agency_id)
        if ag is not None:
            return ag
        if not self._gaz_loaded:
            self._gaz_loaded = True
            try:
                from .gazetteer import Gazetteer
                self._gaz = Gazetteer.default()
            except Exception:  # noqa: BLE001 - gazetteer stage missing or broken: no extra data
                self._gaz = None
        if self._gaz is None:
            return None
        try:
            return self._gaz.agency(agency_id)
        except Exception:  # noqa: BLE001 - unknown id
            return None


def document_system(identifier: str | None, agency: Agency | None) -> URIRef | None:
    """kg:PartyDocument / kg:StateDocument from the identifier's style, else the issuer's kind."""
    if identifier:
        if PARTY_ID.match(identifier):
            return KG.PartyDocument
        if STATE_ID.match(identifier):
            return KG.StateDocument
    if agency is not None and agency.kind:
        return KG.PartyDocument if agency.kind in PARTY_KINDS else KG.StateDocument
    return None


def add_provenance(g: Graph, node: URIRef, source: URIRef, doc: ExtractedDocument, start: int, end: int,
                   section: URIRef | None = None) -> None:
    add = g.add
    add((node, KG.source, source))
    add((node, KG.start, lit_int(start)))
    add((node, KG.end, lit_int(end)))
    add((node, KG.exact, Literal(doc.text.original[start:end])))
    if section is not None:
        add((node, KG.inSection, section))


def _add_document_types(g: Graph, node: URIRef, type_word: str | None, identifier: str | None,
                        agency: Agency | None) -> None:
    g.add((node, RDF.type, KG.Document))
    cls = type_class(type_word)
    if cls is not None:
        g.add((node, RDF.type, cls))
    system = document_system(identifier, agency)
    if system is not None:
        g.add((node, RDF.type, system))


def _add_source_document(g: Graph, doc: ExtractedDocument, node: URIRef, minter: Minter,
                         agencies: _Agencies, used_agencies: set[str]) -> None:
    h = doc.header
    add = g.add
    agency = agencies.get(h.issuer_id)
    identifier = None if h.number_blank else h.identifier
    _add_document_types(g, node, h.type, identifier, agency)
    add((node, RDF.type, KG.SourceDocument))
    if identifier:
        add((node, ELI.id_local, Literal(identifier)))
    add((node, KG.numberBlank, lit_bool(h.number_blank)))
    if h.symbol:
        add((node, KG.symbol, Literal(h.symbol)))
    date = lit_date(h.date)
    if date is not None:
        add((node, ELI.date_document, date))
    else:
        partial = lit_partial_date(h.date_partial) or lit_partial_date(h.year)
        if partial is not None:
            add((node, KG.datePartial, partial))
    if h.issuer_id:
        add((node, KG.issuer, minter.agency(h.issuer_id)))
        used_agencies.add(h.issuer_id)
    if h.place:
        place = minter.place(_place_id(h.place, agency) or h.place)
        add((node, KG.place, place))
        add((place, RDF.type, KG.Place))
        add((place, SKOS.altLabel, lit_vi(h.place)))   # as written; the gazetteer gives prefLabel
    if h.title:
        add((node, KG.title, lit_vi(h.title)))
    if h.signer:
        add((node, KG.signer, lit_vi(h.signer)))
    add((node, KG.incomplete, lit_bool(h.incomplete)))
    add((node, KG.sha256, Literal(doc.sha256)))
    add((node, KG.sourcePath, Literal(source_path_literal(doc.source))))


def _norm_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().replace(".", " ").split())


def _place_id(text: str, agency: Agency | None) -> str | None:
    """The place gazetteer's id for a header's place of issue ("Lạng Sơn", "TP. Lạng Sơn").

    The whole text must be a known place (with its type word), or be the bare name of the
    issuing agency's own place. None when the gazetteer is missing or does not know it."""
    try:
        from .entities import place_gazetteer
        gaz = place_gazetteer()
    except Exception:  # noqa: BLE001 - the place gazetteer (tasks stage) is optional
        return None
    stripped = text.strip()
    for pid, start, end in gaz.find(stripped):
        if start == 0 and end >= len(stripped.rstrip(" .,")):
            return pid
    if agency is not None and agency.place:
        place = getattr(gaz, "places", {}).get(agency.place)
        if place is not None and _norm_name(getattr(place, "name", "")) == _norm_name(stripped):
            return agency.place
    return None


def _add_sections(g: Graph, doc: ExtractedDocument, node: URIRef, minter: Minter) -> dict[str, URIRef]:
    iris: dict[str, URIRef] = {}
    seen: set[URIRef] = set()
    for sec in doc.sections:
        iri = minter.fact(doc.sha256, "section", sec.start, sec.end)
        if iri in seen:   # two sections with the same extent (a heading and its only child)
            iri = minter.fact(doc.sha256, "section", sec.start, sec.end, slugify(sec.id))
        seen.add(iri)
        iris[sec.id] = iri
    add = g.add
    for sec in doc.sections:
        iri = iris[sec.id]
        add((iri, RDF.type, KG.Section))
        add((iri, KG.source, node))
        add((iri, KG.label, Literal(sec.label)))
        if sec.heading:
            add((iri, KG.heading, lit_vi(sec.heading)))
        add((iri, KG.sectionKind, Literal(sec.kind)))
        add((iri, KG.depth, lit_int(sec.level)))
        add((iri, KG.start, lit_int(sec.start)))
        add((iri, KG.end, lit_int(sec.end)))
        parent = iris.get(sec.parent) if sec.parent else None
        add((iri, DCTERMS.isPartOf, parent if parent is not None else node))
    return iris


def _add_mentions(g: Graph, doc: ExtractedDocument, node: URIRef, ctx: GraphContext,
                  links: dict[tuple[str, int], Any]) -> None:
    minter = ctx.minter
    add = g.add
    edges: set[tuple[URIRef, URIRef]] = set()
    seen: set[URIRef] = set()
    for index, cit in enumerate(doc.citations):
        iri = minter.fact(doc.sha256, "mention", cit.start, cit.end)
        if iri in seen:
            iri = minter.fact(doc.sha256, "mention", cit.start, cit.end, str(index))
        seen.add(iri)
        relation = RELATIONS.get(cit.relation, KG.cites)
        add((iri, RDF.type, KG.Mention))
        section = ctx.section_iris.get(cit.section) if cit.section else None
        add_provenance(g, iri, node, doc, cit.start, cit.end, section)
        add((iri, OA.hasTarget, node))
        add((iri, KG.relation, relation))
        add((iri, KG.inFootnote, lit_bool(cit.in_footnote)))
        if cit.type:
            add((iri, KG.citedType, lit_vi(cit.type)))
        if cit.identifier:
            add((iri, KG.citedIdentifier, Literal(cit.identifier)))
        date = lit_date(cit.date)
        if date is not None:
            add((iri, KG.citedDate, date))
        else:
            partial = lit_partial_date(cit.partial_date)
            if partial is not None:
                add((iri, KG.datePartial, partial))
        if cit.issuer:
            add((iri, KG.citedIssuer, lit_vi(cit.issuer)))
        if cit.title:
            add((iri, KG.citedTitle, lit_vi(cit.title)))
        if cit.subject:
            add((iri, KG.subject, lit_vi(cit.subject)))
        if cit.evidence:
            add((iri, KG.evidence, lit_vi(cit.evidence)))
        link = links.get((doc.source, index))
        status = link.status if link is not None else "unresolved"
        target = ctx.record_iris.get(link.target) if link is not None and link.target else None
        if target is None and status in LINKED_STATUSES:
            status = "unresolved"
        if status not in LINKED_STATUSES:
            target = None
        add((iri, KG.resolutionStatus, Literal(status)))
        if target is not None:
            add((iri, KG.mentions, target))
            if target != node:   # a document mentioning itself is not a citation
                edges.add((relation, target))
        if link is not None:
            for key in link.candidates:
                cand = ctx.record_iris.get(key)
                if cand is not None:
                    add((iri, KG.candidate, cand))
    for relation, target in sorted(edges):
        add((node, relation, target))
    # the counts listings show, kept with the document (replaced with it by kg add)
    add((node, KG.mentionCount, lit_int(len(seen))))
    add((node, KG.citedDocumentCount, lit_int(len({target for _, target in edges}))))


def _add_agency(g: Graph, agency_id: str, agencies: _Agencies, minter: Minter, done: set[str]) -> None:
    while agency_id and agency_id not in done:
        done.add(agency_id)
        iri = minter.agency(agency_id)
        ag = agencies.get(agency_id)
        g.add((iri, RDF.type, KG.Agency))
        g.add((iri, RDF.type, ORG.Organization))
        if ag is None:
            return
        g.add((iri, SKOS.prefLabel, lit_vi(ag.name)))
        if ag.name_en:
            g.add((iri, SKOS.prefLabel, Literal(ag.name_en, lang="en")))
        for alias in ag.aliases:
            if alias and alias != ag.name:
                g.add((iri, SKOS.altLabel, lit_vi(alias)))
        for code in ag.codes:
            g.add((iri, KG.code, Literal(code)))
        if ag.level:
            g.add((iri, KG.level, Literal(ag.level)))
        if ag.kind:
            g.add((iri, KG.agencyKind, Literal(ag.kind)))
        if ag.place:
            g.add((iri, KG.place, minter.place(ag.place)))
            g.add((minter.place(ag.place), RDF.type, KG.Place))
        if ag.parent:
            g.add((iri, ORG.subOrganizationOf, minter.agency(ag.parent)))
        agency_id = ag.parent


def _add_record(g: Graph, rec: DocumentRecord, iri: URIRef, minter: Minter, agencies: _Agencies,
                used_agencies: set[str], dated_sources: set[URIRef] = frozenset()) -> None:
    add = g.add
    _add_document_types(g, iri, rec.type, rec.identifier, agencies.get(rec.issuer_id))
    if rec.identifier:
        add((iri, ELI.id_local, Literal(rec.identifier)))
    date = lit_date(rec.date)
    if date is not None:
        add((iri, ELI.date_document, date))
    elif rec.year and iri not in dated_sources:   # a source's own header dates it more precisely
        partial = lit_partial_date(rec.year)
        if partial is not None:
            add((iri, KG.datePartial, partial))
    if rec.issuer_id:
        add((iri, KG.issuer, minter.agency(rec.issuer_id)))
        used_agencies.add(rec.issuer_id)
    if rec.title:
        add((iri, KG.title, lit_vi(rec.title)))
    for note in rec.conflicts:
        add((iri, KG.conflict, Literal(note)))


def _extensions() -> list[Any]:
    mods = []
    for name in EXTENSION_MODULES:
        try:
            mods.append(importlib.import_module(f"{__package__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
    return mods


def build_dataset(docs: Iterable[ExtractedDocument], registry: Registry,
                  base_iri: str | None = None, *, documents: bool = True, corpus: bool = True) -> Dataset:
    """The RDF dataset of the documents: one named graph per source + the registry graph.

    The streaming build (store.stream_build) makes the two halves apart:
    `documents=False` makes only the corpus-wide graphs (the registry: records, agencies, and
    what the extensions' prepare()/add_registry() derive from all documents' extras);
    `corpus=False` makes only the documents' own graphs (and, in the registry graph, their
    records and the agencies they use), the extensions' corpus-wide state being already prepared.
    """
    docs = list(docs)
    minter = Minter(base_iri)
    agencies = _Agencies(registry)
    ds = Dataset(default_union=True)
    bind_prefixes(ds, minter.base)
    record_iris = {key: minter.doc(rec) for key, rec in sorted(registry.documents.items())}
    links = {(l.source, l.index): l for l in registry.links}
    used_agencies: set[str] = set()
    extensions = _extensions()
    if corpus:
        for ext in extensions:   # corpus-wide preparation (graph_tasks: merge programme/project mentions)
            getattr(ext, "prepare", lambda *_: None)(docs, registry)

    # the source documents: IRIs first (sorted, so graph order does not depend on input order)
    planned: list[tuple[URIRef, URIRef, ExtractedDocument]] = []
    taken: set[URIRef] = {minter.registry_graph()}
    for doc in sorted(docs, key=lambda d: (d.sha256, d.source)):
        rec, node = _source_record(doc, registry, record_iris, minter)
        h = doc.header
        if h.identifier and not h.number_blank:
            gname = minter.graph(minter.doc_path(rec))
        else:
            gname = minter.graph(f"src-{doc.sha256[:16]}")
        if gname in taken:   # two files of the same document: keep them apart
            gname = minter.graph(f"src-{doc.sha256[:16]}")
        if gname in taken:   # the very same bytes twice
            gname = minter.graph(f"src-{doc.sha256[:16]}-{slugify(Path(doc.source).name)}")
        taken.add(gname)
        planned.append((gname, node, doc))

    dated_sources = {node for _, node, doc in planned if doc.header.date or doc.header.date_partial}
    if not documents:
        used_agencies.update(d.header.issuer_id for d in docs if d.header.issuer_id)
        planned = []
    for gname, node, doc in sorted(planned, key=lambda t: str(t[0])):
        g = ds.graph(gname)
        ctx = GraphContext(minter=minter, registry=registry, doc_iri=node, graph_iri=gname,
                           record_iris=record_iris)
        _add_source_document(g, doc, node, minter, agencies, used_agencies)
        ctx.section_iris = _add_sections(g, doc, node, minter)
        _add_mentions(g, doc, node, ctx, links)
        for ext in extensions:
            fn = getattr(ext, "add_document", None)
            if fn is not None:
                fn(g, doc, ctx)

    reg = ds.graph(minter.registry_graph())
    for _ in _registry_parts(docs, registry, minter, agencies, record_iris, used_agencies, dated_sources,
                             extensions if corpus else [], lambda: reg, None, ds.graphs()):
        pass
    return ds


REGISTRY_PIECE_RECORDS = 5_000      # records per piece of the streamed registry graph


def registry_pieces(docs: Iterable[ExtractedDocument], registry: "Registry | Resolver", base_iri: str | None = None,
                    records_per_piece: int | None = None) -> Iterator[Graph]:
    """The registry graph of `build_dataset(docs, registry, documents=False)`, as a sequence of
    graphs whose union it is: the records `records_per_piece` at a time, then (in the last piece,
    with the remaining records) the agencies and what the extensions add. The streaming build
    writes each piece out and drops it, so the corpus-wide graph is never held whole in memory;
    given a resolve.Resolver, the records are read from its database as they are written.
    Runs the extensions' prepare(). `docs` is read more than once: a collection, not an iterator."""
    minter = Minter(base_iri)
    record_iris = _RecordIris(registry, minter)
    extensions = _extensions()
    # a resolver's links stay in its database: pass 2 gives each document its own, in its
    # sub-registry (graph_tasks then reads them from there)
    prepared = registry if isinstance(registry, Registry) else Registry(agencies=registry.agencies)
    for ext in extensions:
        getattr(ext, "prepare", lambda *_: None)(docs, prepared)
    dated_sources = {_source_record(doc, registry, record_iris, minter)[1] for doc in docs
                     if doc.header.date or doc.header.date_partial}
    used_agencies = {d.header.issuer_id for d in docs if d.header.issuer_id}
    reg_iri = minter.registry_graph()
    yield from _registry_parts(docs, registry, minter, _Agencies(registry), record_iris, used_agencies,
                               dated_sources, extensions, lambda: Graph(identifier=reg_iri),
                               records_per_piece or REGISTRY_PIECE_RECORDS, ())


class _RecordIris(dict):
    """DocumentRecord.key -> IRI for a registry read a part at a time: a record's IRI is made
    when asked for and not kept (those set explicitly, for header records, are)."""

    def __init__(self, registry: "Registry | Resolver", minter: "Minter"):
        super().__init__()
        self.registry, self.minter = registry, minter

    def __missing__(self, key: str) -> URIRef:
        rec = self.registry.record(key)
        if rec is None:
            raise KeyError(key)
        return self.minter.doc(rec)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def _registry_parts(docs, registry: Registry, minter: "Minter", agencies: "_Agencies",
                    record_iris: dict[str, URIRef], used_agencies: set[str], dated_sources: set[URIRef],
                    extensions: list[Any], new_graph, per_piece: int | None, other_graphs) -> Iterator[Graph]:
    """Fill the registry graph: records (a new graph from `new_graph()` every `per_piece` records
    when given), then the agencies used, what the extensions add, and every agency any part or
    `other_graphs` refers to (with the bodies above it)."""
    prefix = f"{minter.base}agency/"
    referred: set[str] = set()
    done: set[str] = set()

    def note_agencies(g: Graph) -> None:
        for s, _, o in g:
            for node in (s, o):
                if isinstance(node, URIRef) and node.startswith(prefix):
                    referred.add(node[len(prefix):])

    g = new_graph()
    for n, rec in enumerate(registry.records(), 1):
        _add_record(g, rec, record_iris[rec.key], minter, agencies, used_agencies, dated_sources)
        if per_piece and n % per_piece == 0:
            note_agencies(g)
            yield g
            g = new_graph()
    used_agencies.update(registry.agencies)
    for agency_id in sorted(used_agencies):
        _add_agency(g, agency_id, agencies, minter, done)
    ctx = GraphContext(minter=minter, registry=registry, record_iris=record_iris)
    for ext in extensions:
        fn = getattr(ext, "add_registry", None)
        if fn is not None:
            fn(g, docs, registry, ctx)
    for other in other_graphs:
        note_agencies(other)
    note_agencies(g)
    for agency_id in sorted(referred - done):
        _add_agency(g, agency_id, agencies, minter, done)
    yield g


def _source_record(doc: ExtractedDocument, registry: "Registry | Resolver", record_iris: dict[str, URIRef],
                   minter: Minter) -> tuple[DocumentRecord, URIRef]:
    """The record of a source document and its node: the registry's, else one made from its
    header (whose IRI is then added to `record_iris`)."""
    key = registry.source_key(doc.source)
    rec = registry.record(key) if key else None
    if rec is None:
        rec = _record_for_header(doc)
        record_iris.setdefault(rec.key, minter.doc(rec))
    return rec, record_iris[rec.key]


def _record_for_header(doc: ExtractedDocument) -> DocumentRecord:
    """A record from the document's own header, when the registry has none for it."""
    h = doc.header
    identifier = None if h.number_blank else h.identifier
    title_or_sha = identifier or ("t-" + title_hash(h.title) if h.title else "s-" + doc.sha256[:12])
    key = f"{h.issuer_id or ''}|{h.year or ''}|{title_or_sha}"
    return DocumentRecord(key=key, type=h.type, identifier=identifier, issuer_id=h.issuer_id,
                          year=h.year, date=h.date, title=h.title, source=doc.source)
