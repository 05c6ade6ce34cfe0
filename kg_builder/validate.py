"""Validation of new documents before they join the graph (`kg validate`, `kg add`).

A new file is extracted and turned into its own graph (the same stages as `kg build`), then
checked with the SHACL shapes of shapes/*.ttl (helper shapes/core.ttl: structure; shapes/
checks.ttl: data quality) on a small data graph made of

- the new document's graphs (its source graph and its registry records),
- the nodes of the existing graph the checks need (ExistingGraph.context_for: the cited
  documents and their agencies, documents with the same identifier or number and date, and
  only those other mentions and target observations a constraint can use; bounded by the new
  document, not by the size of the graph), and
- the code lists of data/vocab/ (type and issuer codes) as SKOS concepts, which the SPARQL
  constraints use to tell a party identifier from a state one.

Findings on nodes of the new document are kept; each is located in the source file (kg:start of
the focus node, or the header field's span, mapped to line:column) and quoted. A few checks need
facts the graph does not keep (dates that are not calendar dates); they run in Python and their
findings join the same report, under shapes declared (deactivated) in shapes/checks.ttl.

Two engines give the same findings: `pyshacl` (the reference) and `fast` (the default): pyshacl
for the SHACL Core part and each SPARQL constraint run ONCE over all focus nodes in Oxigraph
(instead of once per focus node), which keeps validation of a corpus-size document well under a
second (see bench/validate_bench.py).
"""
from __future__ import annotations

import bisect
import json
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from .errors import InputError, KGError
from .models import ExtractedDocument
from .namespace import ELI, KG, KG_NS, bind_prefixes
from .resources import data_path, shapes_path

VOCAB = Namespace("https://w3id.org/vngovkg/vocab/")
CHK = Namespace("https://w3id.org/vngovkg/shapes/checks#")
SEVERITIES = ("Violation", "Warning", "Info")
SEVERITY_IRI = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}
_SEVERITY_NAME = {v: k for k, v in SEVERITY_IRI.items()}

# Which header field locates a finding on the source document node, by check (shape) name.
_HEADER_FIELD = {
    "HeaderIssuer": ("issuer",), "HeaderDateWellFormed": ("date",), "HeaderDateMissing": ("date",),
    "HeaderDatePartial": ("date",), "HeaderNumberBlank": ("number", "identifier"),
    "HeaderNoNumber": ("number",), "HeaderType": ("type", "title"),
}
_IDENTIFIER_FIELDS = ("identifier", "number")


# ------------------------------------------------------------------------------------------
# Report structures

@dataclass
class Finding:
    """One problem found in a new document, located in its source file."""

    severity: str                    # Violation | Warning | Info
    check: str                       # shape / constraint local name, e.g. "CitedAfterCiting"
    message_vi: str
    message_en: str
    name_vi: str = ""
    name_en: str = ""
    focus: str | None = None         # focus node IRI
    path: str | None = None          # sh:resultPath
    value: str | None = None         # sh:value
    start: int | None = None         # original character offsets
    end: int | None = None
    line: int | None = None          # 1-based
    column: int | None = None        # 1-based, in characters
    quote: str | None = None         # original[start:end]
    shape: str | None = None         # the full shape IRI

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "check": self.check, "message": {"vi": self.message_vi, "en": self.message_en},
                "line": self.line, "column": self.column, "start": self.start, "end": self.end,
                "quote": self.quote, "focus": self.focus, "path": self.path, "value": self.value}

    def sort_key(self) -> tuple:
        # the fields after `check` only break ties (findings come from sets): same report, same order
        return (SEVERITIES.index(self.severity), self.start if self.start is not None else -1, self.check,
                self.end if self.end is not None else -1, self.focus or "", self.path or "", self.value or "",
                self.message_en)


@dataclass
class FileReport:
    """The validation of one input file."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None         # the file could not be read (InputError message)
    document: dict[str, Any] = field(default_factory=dict)
    graph_iri: str | None = None
    seconds: float = 0.0
    dataset: Dataset | None = None   # the new document's graphs (for `kg add`)
    doc: ExtractedDocument | None = None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        return self.error is None and self.count("Violation") == 0

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "conforms": self.conforms, "error": self.error,
                "document": self.document, "graph": self.graph_iri,
                "counts": {s: self.count(s) for s in SEVERITIES},
                "seconds": round(self.seconds, 3),
                "findings": [f.to_json() for f in self.findings]}


def exit_code(reports: Iterable[FileReport]) -> int:
    """2 if an input could not be read, else 1 if any violation, else 0."""
    reports = list(reports)
    if any(r.error for r in reports):
        return 2
    if any(not r.conforms for r in reports):
        return 1
    return 0


# ------------------------------------------------------------------------------------------
# Text positions

class LineIndex:
    """Offset -> (line, column), both 1-based, for one text."""

    def __init__(self, text: str):
        self.starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


# ------------------------------------------------------------------------------------------
# Shapes and the vocabulary graph

@lru_cache(maxsize=4)
def load_shapes(paths: tuple[str, ...] | None = None) -> Graph:
    """shapes/*.ttl (core.ttl of the graph stage and checks.ttl), parsed once."""
    g = Graph()
    files = [Path(p) for p in paths] if paths else sorted(shapes_path().glob("*.ttl"))
    if not files:
        raise KGError(f"{shapes_path()}: no SHACL shapes (*.ttl)")
    for p in files:
        try:
            g.parse(p, format="turtle")
        except Exception as exc:  # noqa: BLE001 - a broken shapes file is a project error
            raise KGError(f"{p}: cannot parse the shapes ({type(exc).__name__}: {exc})") from None
    return g


@lru_cache(maxsize=1)
def vocab_graph() -> Graph:
    """Type and issuer codes of data/vocab/ as SKOS concepts for the SPARQL constraints."""
    g = Graph()
    types = json.loads(data_path("vocab", "document_types.json").read_text(encoding="utf-8"))
    types = types.get("types", []) if isinstance(types, dict) else types
    for i, t in enumerate(types):
        c = VOCAB[f"type/{i}"]
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, VOCAB.typeCodes))
        g.add((c, SKOS.prefLabel, Literal(t["type"], lang="vi")))
        if t.get("class"):
            g.add((c, SKOS.exactMatch, URIRef(KG_NS + t["class"])))
        for code in t.get("codes", []):
            g.add((c, SKOS.notation, Literal(code)))
            g.add((c, SKOS.notation, Literal(code.upper())))   # the shapes compare upper case
        if t.get("party_codes"):
            pc = VOCAB[f"party-type/{i}"]
            g.add((pc, RDF.type, SKOS.Concept))
            g.add((pc, SKOS.inScheme, VOCAB.partyTypeCodes))
            g.add((pc, SKOS.prefLabel, Literal(t["type"], lang="vi")))
            for code in t["party_codes"]:
                g.add((pc, SKOS.notation, Literal(code)))
                g.add((pc, SKOS.notation, Literal(code.upper())))
        if t.get("generic") or not (t.get("codes") or t.get("party_codes")):
            g.add((c, SKOS.inScheme, VOCAB.genericTypes))
    try:
        issuers = json.loads(data_path("vocab", "issuer_codes.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        issuers = {"codes": [], "patterns": []}
    for i, c in enumerate(issuers.get("codes", [])):
        node = VOCAB[f"issuer/{i}"]
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, VOCAB.issuerCodes))
        party = str(c.get("level", "")).startswith("party")
        g.add((node, SKOS.inScheme, VOCAB.partyIssuerCodes if party else VOCAB.stateIssuerCodes))
        g.add((node, SKOS.notation, Literal(c["code"])))
        g.add((node, SKOS.notation, Literal(c["code"].upper())))
        if c.get("name"):
            g.add((node, SKOS.prefLabel, Literal(c["name"], lang="vi")))
    for i, p in enumerate(issuers.get("patterns", [])):
        node = VOCAB[f"issuer-pattern/{i}"]
        g.add((node, SKOS.inScheme, VOCAB.issuerCodePatterns))
        g.add((node, SKOS.notation, Literal(p["regex"])))
        party = str(p.get("level", "")).startswith("party")
        g.add((node, SKOS.inScheme, VOCAB.partyIssuerCodes if party else VOCAB.stateIssuerCodes))
    return g


@lru_cache(maxsize=1)
def ontology_hierarchy() -> Graph:
    """rdfs:subClassOf / rdfs:subPropertyOf of ontology/*.ttl (shapes target classes through it)."""
    from .resources import ontology_path
    g = Graph()
    onto = Graph()
    for p in sorted(ontology_path().glob("*.ttl")):
        try:
            onto.parse(p, format="turtle")
        except Exception:  # noqa: BLE001 - the ontology's own tests report a broken file
            continue
    for p in (RDFS.subClassOf, RDFS.subPropertyOf):
        for t in onto.triples((None, p, None)):
            if isinstance(t[0], URIRef) and isinstance(t[2], URIRef):
                g.add(t)
    return g


@dataclass
class ShapeInfo:
    name_vi: str = ""
    name_en: str = ""
    message_vi: str = ""
    message_en: str = ""


def _lang_pair(g: Graph, node: Any, prop: URIRef) -> tuple[str, str]:
    vi = en = ""
    for o in g.objects(node, prop):
        if isinstance(o, Literal):
            if o.language == "vi" and not vi:
                vi = str(o)
            elif o.language == "en" and not en:
                en = str(o)
            elif not o.language and not en:
                en = str(o)
    return vi, en


def shape_info(shapes: Graph, node: Any) -> ShapeInfo:
    nv, ne = _lang_pair(shapes, node, SH.name)
    mv, me = _lang_pair(shapes, node, SH.message)
    return ShapeInfo(nv, ne, mv, me)


def _path_text(shapes: Graph, shape: Any, path: Any) -> str | None:
    """A result's path as text: the IRI of a predicate path, else the property shape's path in
    SPARQL syntax (the report's blank node for it is named anew on every run)."""
    if path is None or isinstance(path, URIRef):
        return str(path) if path is not None else None
    declared = shapes.value(shape, SH.path) if shape is not None else None
    return _sparql_path(shapes, declared) if declared is not None else None


def _sparql_path(g: Graph, node: Any) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in g:            # a sequence path: an RDF list
        return "(" + "/".join(_sparql_path(g, x) for x in g.items(node)) + ")"
    for pred, fmt in ((SH.alternativePath, None), (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                      (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = g.value(node, pred)
        if inner is not None:
            if fmt is None:
                return "(" + "|".join(_sparql_path(g, x) for x in g.items(inner)) + ")"
            return fmt.format(_sparql_path(g, inner))
    return "()"


def check_name(shapes: Graph, shape: Any, component: Any = None) -> str:
    """A readable name for a finding: the shape's local name; for an anonymous property shape,
    its parent shape's name and the constraint ("SourceDocumentShape/kg:issuer/MinCount")."""
    if isinstance(shape, URIRef):
        return local_name(shape)
    parent = next(iter(shapes.subjects(SH.property, shape)), None)
    path = shapes.value(shape, SH.path)
    comp = local_name(component).replace("ConstraintComponent", "") if component is not None else ""
    parts = [local_name(parent) if isinstance(parent, URIRef) else "Shape"]
    if isinstance(path, URIRef):
        parts.append(_short_path(path))
    if comp:
        parts.append(comp)
    return "/".join(parts)


def _short_path(iri: URIRef) -> str:
    from .namespace import PREFIXES
    s = str(iri)
    for prefix, ns in PREFIXES.items():
        if s.startswith(ns):
            return f"{prefix}:{s[len(ns):]}"
    return local_name(iri)


def local_name(iri: Any) -> str:
    s = str(iri)
    return re.split(r"[#/]", s)[-1] if s else s


# ------------------------------------------------------------------------------------------
# The existing graph (targeted look-ups)

def _ox_of(st: Any) -> Any:
    """The pyoxigraph Store inside a kg_builder.store.Store."""
    ox_store = st.oxigraph
    return ox_store() if callable(ox_store) else ox_store


_SPARQL_PREFIXES = ("PREFIX kg: <https://w3id.org/vngovkg/ont#>\n"
                    "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n")


def _number(identifier: str) -> str:
    """The leading number of an identifier, as the shapes take it (REPLACE "^([0-9]+).*$")."""
    m = re.fullmatch(r"([0-9]+).*", identifier)
    return m.group(1) if m else identifier


class ExistingGraph:
    """The graph a new document is validated against, read through Oxigraph.

    `against` may be a store directory (kg store), a build directory holding graph.trig, or a
    graph file (.trig, .nq, .ttl, .nt). Only the nodes a new document refers to are read.
    """

    def __init__(self, ox_store: Any, label: str, store: Any = None):
        self.ox = ox_store
        self.label = label
        self.store = store           # a kg_builder.store.Store when opened from a store

    @classmethod
    def open(cls, against: str | Path | None) -> "ExistingGraph | None":
        import pyoxigraph as ox

        if against is None:
            from .store import _current_dir, default_store_path
            root = default_store_path(None)
            if _current_dir(root) is not None:
                against = root
            elif Path("data/build/graph.trig").exists():
                against = Path("data/build/graph.trig")
            else:
                return None
        p = Path(against)
        if p.is_dir():
            from .store import Store, _current_dir
            if _current_dir(p) is not None:
                st = Store(p, read_only=True)
                return cls(_ox_of(st), str(p), st)
            if (p / "graph.trig").exists():
                p = p / "graph.trig"
            else:
                raise InputError(f"{p}: neither a store nor a build directory (no graph.trig)")
        if not p.exists():
            raise InputError(f"{p}: no such graph or store")
        fmt = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS,
               ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}.get(p.suffix.lower())
        if fmt is None:
            raise InputError(f"{p}: unknown graph format (use a store directory, .trig, .nq, .ttl or .nt)")
        s = ox.Store()
        try:
            if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
                s.load(path=str(p), format=fmt, to_graph=ox.NamedNode(p.resolve().as_uri()))
            else:
                s.load(path=str(p), format=fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError(f"{p}: cannot read the graph ({str(exc).splitlines()[0][:200]})") from None
        return cls(s, str(p))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    # --- primitives
    def _quads(self, s=None, p=None, o=None):
        from .store import to_ox
        return self.ox.quads_for_pattern(to_ox(s) if s is not None else None,
                                         to_ox(p) if p is not None else None,
                                         to_ox(o) if o is not None else None, None)

    def graphs_of(self, doc_iri: URIRef | None, sha256: str | None) -> set[str]:
        """Named graphs holding an earlier version of a document (same node or same content hash)."""
        out: set[str] = set()
        if doc_iri is not None:
            for q in self._quads(doc_iri, RDF.type, KG.SourceDocument):
                if q.graph_name is not None and hasattr(q.graph_name, "value"):
                    out.add(q.graph_name.value)
        if sha256:
            for q in self._quads(None, KG.sha256, Literal(sha256)):
                if hasattr(q.graph_name, "value"):
                    out.add(q.graph_name.value)
        return out

    # Properties copied from the existing graph, by kind of node.
    _DOC_PROPS = frozenset({RDF.type, ELI.id_local, ELI.date_document, KG.datePartial, KG.issuer, KG.sha256,
                            KG.sourcePath, KG.title, KG.numberBlank})
    _MENTION_PROPS = frozenset({KG.citedDate, KG.citedType, KG.citedIssuer, KG.source, KG.datePartial})
    _AGENCY_PROPS = frozenset({RDF.type, SKOS.prefLabel, KG.code, KG.level, KG.agencyKind})
    _OBS_PROPS = frozenset({KG.measureType, KG.indicator, KG.baseValue, KG.baseUnit, KG.period, KG.refArea,
                            KG.source})

    def _select(self, query: str) -> list:
        return list(self.ox.query(_SPARQL_PREFIXES + query, use_default_graph_as_union=True))

    def context_for(self, new: Graph, source_node: URIRef, exclude_graphs: set[str]) -> Graph:
        """The triples of the existing graph the shapes need to check a new document's graph.

        Bounded by what the new document cites and measures, not by the size of the graph: the
        documents it refers to (with their agencies), the documents that could be the "other"
        document of ConflictingIssuers / DifferentTypeCode (same identifier or number, found by
        indexed queries), and, of the other mentions and target observations, only those a
        constraint can use: one witness where a constraint asks whether one exists, and where a
        message aggregates (SAMPLE, GROUP_CONCAT), the first and last candidates of each group in
        the order the complete context had, which the constraints' results depend on.
        """
        from .store import from_ox, to_ox

        ctx = Graph()
        add = ctx.add
        node_ox = to_ox(source_node)

        def keep(q) -> bool:
            g = q.graph_name
            return not (hasattr(g, "value") and g.value in exclude_graphs)

        def kept(s, p, o) -> bool:
            return any(keep(q) for q in self._quads(s, p, o))

        def from_new_source(m) -> bool:
            # the new document's own earlier statements are never "other" sources
            return any(True for _ in self.ox.quads_for_pattern(to_ox(m), to_ox(KG.source), node_ox, None))

        def values(n: Any) -> str:
            return "UNDEF" if n is None else str(to_ox(n))

        # --- the documents the new graph refers to, with their properties
        docs: set[URIRef] = set()
        for p in (KG.mentions, KG.candidate):
            docs.update(o for o in new.objects(None, p) if isinstance(o, URIRef))
        docs.update(s for s in new.subjects(RDF.type, KG.Document) if isinstance(s, URIRef))
        agencies: set[URIRef] = set(o for o in new.objects(None, KG.issuer) if isinstance(o, URIRef))

        def add_doc(d: URIRef) -> None:
            for q in self._quads(d):
                if not keep(q):
                    continue
                p = from_ox(q.predicate)
                if p not in self._DOC_PROPS:
                    continue
                o = from_ox(q.object)
                if p == RDF.type and o == KG.SourceDocument:
                    continue   # an existing source document is not validated again
                if p == KG.issuer:
                    agencies.add(o)
                add((d, p, o))

        for d in docs:
            add_doc(d)

        def objs(s: Any, p: URIRef) -> set:
            return set(new.objects(s, p)) | set(ctx.objects(s, p))

        # --- what the new document's mentions say about each document
        own_dates: dict[URIRef, set] = {}     # ConflictingDates
        own_types: dict[URIRef, set] = {}     # DifferentTypeWord
        own_refs: list[tuple[URIRef, list, list]] = []   # ConflictingIssuers, DifferentTypeCode
        unknown_ref: set[URIRef] = set()      # UnknownReference
        for m, d in new.subject_objects(KG.mentions):
            if not isinstance(d, URIRef):
                continue
            dates = list(new.objects(m, KG.citedDate))
            ids = list(new.objects(m, KG.citedIdentifier))
            if dates:
                own_dates.setdefault(d, set()).update(dates)
            if ids:
                types = {str(t) for t in new.objects(m, KG.citedType)}
                if types:
                    own_types.setdefault(d, set()).update(types)
                if dates:
                    own_refs.append((d, ids, dates))
            if any(s != d for s in new.objects(m, KG.source)):
                unknown_ref.add(d)

        # --- documents that may be the "other" document: same identifier, or same number and
        # issuer, with the cited date (indexed look-ups, instead of every identifier of the graph)
        rows = []
        for d, ids, dates in own_refs:
            issuers = objs(d, KG.issuer)
            for v in ids:
                for date in dates:
                    for i in issuers:
                        rows.append(f"({values(v)} {values(date)} {values(d)} {values(i)})")
        others: set[URIRef] = set()
        if rows:
            # (a FILTER inside a UNION branch does not see the VALUES: two queries)
            head = "SELECT DISTINCT ?x WHERE { VALUES (?value ?date ?doc ?issuer) { " + " ".join(sorted(set(rows))) + " } "
            tail = ("FILTER (?x != ?doc) FILTER EXISTS { { ?x eli:date_document ?date } UNION "
                    "{ ?m3 kg:mentions ?x ; kg:citedDate ?date } } }")
            same_id = "?x eli:id_local ?value . "
            same_number = ('?x kg:issuer ?issuer ; eli:id_local ?other . FILTER (?other != ?value && '
                           'REPLACE(?other, "^([0-9]+).*$", "$1") = REPLACE(?value, "^([0-9]+).*$", "$1")) ')
            for body in (same_id, same_number):
                for sol in self._select(head + body + tail):
                    x = from_ox(sol["x"])
                    if isinstance(x, URIRef) and x not in docs:
                        others.add(x)
        for x in others:
            add_doc(x)

        # mentions chosen per document; a mention joins the context with its properties
        chosen: dict[URIRef, set] = {}

        # one mention giving the cited date for each possible "other" document (existence only)
        numbers = {x: {_number(str(i)) for i in objs(x, ELI.id_local)} for x in docs | others} if own_refs else {}
        for d, ids, dates in own_refs:
            nums = {_number(str(v)) for v in ids}
            for x, xnums in numbers.items():
                if x == d or not xnums & nums:
                    continue
                for date in dates:
                    if (x, ELI.date_document, date) in ctx or (x, ELI.date_document, date) in new:
                        continue
                    for sol in self._select(
                            f"SELECT ?m WHERE {{ ?m kg:mentions {values(x)} ; kg:citedDate {values(date)} . "
                            f"FILTER NOT EXISTS {{ ?m kg:source {node_ox} }} }} LIMIT 50"):
                        m = from_ox(sol["m"])
                        if kept(m, KG.mentions, x):
                            chosen.setdefault(x, set()).add(m)
                            break

        # ConflictingDates / DifferentTypeWord: the other mentions that disagree with the new
        # document; the first and last of each group (date, type word) in the store's order
        rows = []
        for d in set(own_dates) | set(own_types):
            dv, tv = own_dates.get(d, set()), own_types.get(d, set())
            dm = "none" if not dv else "one" if len(dv) == 1 else "any"
            tm = "none" if not tv else "one" if len(tv) == 1 else "any"
            rows.append(f'({values(d)} "{dm}" {values(next(iter(dv))) if dm == "one" else "UNDEF"} '
                        f'"{tm}" {values(Literal(next(iter(tv)))) if tm == "one" else "UNDEF"})')
        groups: dict[tuple, set] = {}
        if rows:
            for sol in self._select(
                    "SELECT DISTINCT ?d ?m ?date ?type ?cd ?tw WHERE { VALUES (?d ?dm ?v ?tm ?t) { "
                    + " ".join(rows) + " } ?m kg:mentions ?d ; kg:source ?src2 . "
                    "OPTIONAL { ?m kg:citedDate ?date } OPTIONAL { ?m kg:citedType ?type } "
                    f"FILTER NOT EXISTS {{ ?m kg:source {node_ox} }} "
                    'BIND (COALESCE((?dm = "any" && BOUND(?date)) || (?dm = "one" && ?date != ?v), false) AS ?cd) '
                    'BIND (COALESCE((?tm = "any" && BOUND(?type)) || (?tm = "one" && STR(?type) != ?t), false) AS ?tw) '
                    "FILTER (?cd || ?tw) }"):
                d, m = from_ox(sol["d"]), from_ox(sol["m"])
                if sol["cd"].value == "true":
                    groups.setdefault((d, "date", str(sol["date"])), set()).add(m)
                if sol["tw"].value == "true":
                    groups.setdefault((d, "type", sol["type"].value), set()).add(m)
        orders: dict[tuple, dict] = {}

        def order(p: URIRef, o: URIRef) -> dict:
            # the order in which the complete context listed them (the store's index order)
            if (p, o) not in orders:
                seen: dict = {}
                for q in self._quads(None, p, o):
                    if keep(q):
                        seen.setdefault(from_ox(q.subject), len(seen))
                orders[(p, o)] = seen
            return orders[(p, o)]

        def ranked(members: set, p: URIRef, o: URIRef) -> list:
            return sorted(members, key=order(p, o).__getitem__) if len(members) > 1 else list(members)

        def ends(members: set, p: URIRef, o: URIRef) -> set:
            """Of the candidates still in the graph, the first and the last in that order."""
            members = ranked({m for m in members if kept(m, p, o)}, p, o)
            return {members[0], members[-1]} if members else set()

        for (d, _kind, _value), members in groups.items():
            chosen.setdefault(d, set()).update(ends(members, KG.mentions, d))

        # UnknownReference: whether any other document mentions it (one witness)
        for d in unknown_ref:
            if any(True for m in chosen.get(d, ()) for _ in self._quads(m, KG.source)):
                continue
            for q in self._quads(None, KG.mentions, d):
                m = from_ox(q.subject)
                if keep(q) and not from_new_source(m) and any(True for _ in self._quads(m, KG.source)):
                    chosen.setdefault(d, set()).add(m)
                    break

        for d, members in chosen.items():
            for m in ranked(members, KG.mentions, d):
                add((m, KG.mentions, d))
                for q2 in self._quads(m):
                    p = from_ox(q2.predicate)
                    if p in self._MENTION_PROPS:
                        add((m, p, from_ox(q2.object)))
                        if p == KG.source:
                            for q3 in self._quads(q2.object, KG.sourcePath):
                                add((from_ox(q3.subject), KG.sourcePath, from_ox(q3.object)))

        for a in agencies:
            for q in self._quads(a):
                p = from_ox(q.predicate)
                if p in self._AGENCY_PROPS:
                    add((a, p, from_ox(q.object)))

        # PercentOfPlanInconsistent: the targets of the same indicator, year, unit and area that
        # disagree with a "% of plan"; per target value, the first and last in the store's order
        rows = set()
        for obs in new.subjects(KG.measureType, KG.percentOfPlan):
            for value in new.objects(obs, KG.value):
                for r in new.objects(obs, KG.ofObservation):
                    years = {y for rp in new.objects(r, KG.period) for y in new.objects(rp, KG.referenceYear)}
                    areas = set(new.objects(r, KG.refArea)) or {None}
                    rows.update((ind, bu, y, rv, value, ra) for ind in new.objects(r, KG.indicator)
                                for rv in new.objects(r, KG.baseValue) for bu in new.objects(r, KG.baseUnit)
                                for y in years for ra in areas)
        targets: dict[tuple, set] = {}
        for ind, bu, y, rv, value, ra in rows:
            # the shape's join and filters with the new document's side bound; EXISTS rather
            # than joins on shared nodes (a period is in many graphs of the union)
            area = (f"FILTER (NOT EXISTS {{ ?t kg:refArea ?ta }} || EXISTS {{ ?t kg:refArea {values(ra)} }}) "
                    if ra is not None else "")
            for sol in self._select(
                    f"SELECT DISTINCT ?t ?target WHERE {{ ?t kg:indicator {values(ind)} ; kg:measureType kg:target ; "
                    f"kg:baseUnit {values(bu)} ; kg:baseValue ?target . "
                    f"FILTER ({values(value)} > 0 && ?target > 0) "
                    f"FILTER (ABS(ROUND({values(rv)} * 100 / {values(value)}) - ?target) > 0.05 * ?target) "
                    f"FILTER EXISTS {{ ?t kg:period ?tp . ?tp kg:referenceYear {values(y)} }} {area}"
                    f"FILTER NOT EXISTS {{ ?t kg:source {node_ox} }} }}"):
                key = (ind, bu, y, rv, value, ra, str(sol["target"]))
                targets.setdefault(key, set()).add(from_ox(sol["t"]))
        chosen_obs: dict[URIRef, set] = {}
        for (ind, *_key), members in targets.items():
            chosen_obs.setdefault(ind, set()).update(ends(members, KG.indicator, ind))
        for ind, members in chosen_obs.items():
            for obs in ranked(members, KG.indicator, ind):
                if (obs, KG.measureType, KG.target) in ctx:
                    continue
                for x in self._quads(obs):
                    p, o = from_ox(x.predicate), from_ox(x.object)
                    if p not in self._OBS_PROPS:
                        continue
                    add((obs, p, o))
                    if p == KG.period:
                        for y in self._quads(o, KG.referenceYear):
                            add((o, KG.referenceYear, from_ox(y.object)))
                    elif p == KG.source:
                        for y in self._quads(o, KG.sourcePath):
                            add((o, KG.sourcePath, from_ox(y.object)))
        # never re-introduce the new document's own earlier statements as "other" sources
        for m in list(ctx.subjects(KG.source, source_node)):
            ctx.remove((m, None, None))
        return ctx


# ------------------------------------------------------------------------------------------
# SHACL engines

@dataclass
class RawResult:
    """One sh:ValidationResult, engine-independent."""

    focus: Any
    shape: Any                       # the constraint node (sh:sourceShape, or SPARQL constraint)
    severity: str
    component: Any = None
    path: Any = None
    value: Any = None
    message_vi: str = ""
    message_en: str = ""


_SUBST = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _format_message(template: str, row: dict[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        v = row.get(m.group(1))
        return _short(v) if v is not None else m.group(0)
    return _SUBST.sub(sub, template)


def _short(v: Any) -> str:
    if isinstance(v, URIRef):
        s = str(v)
        for marker in ("/doc/", "/agency/", "/src/", "/place/"):
            if marker in s:
                return s.split(marker, 1)[1]
        return s
    return str(v)


def run_pyshacl(data: Graph, shapes: Graph, focus: set | None = None) -> list[RawResult]:
    """The reference engine: pySHACL with SHACL-SPARQL (advanced) on; only the `focus` nodes
    (those of the targets that are in it) are validated when given."""
    import pyshacl

    if focus:
        from pyshacl.graph_abstraction import DataGraph

        v = _FocusSetValidator(DataGraph.from_rdflib(data), shacl_graph=shapes, options={
            "advanced": True, "inference": "none", "allow_warnings": True, "allow_infos": True,
            "inplace": True, "focus_nodes": [str(f) for f in focus if isinstance(f, URIRef)]})
        conforms, report, _ = v.run()
    else:
        conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none",
                                               allow_warnings=True, allow_infos=True, inplace=True)
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        msgs = [m for m in report.objects(r, SH.resultMessage) if isinstance(m, Literal)]
        vi = next((str(m) for m in msgs if m.language == "vi"), "")
        en = next((str(m) for m in msgs if m.language == "en"), "") or next((str(m) for m in msgs if not m.language), "")
        src = report.value(r, SH.sourceShape)
        value = report.value(r, SH.value)
        if value is not None:   # pySHACL leaves {?value} in some messages
            vi, en = _format_message(vi, {"value": value}), _format_message(en, {"value": value})
        node = report.value(r, SH.focusNode)
        if focus and node not in focus:
            continue
        out.append(RawResult(focus=node, shape=src,
                             severity=_SEVERITY_NAME.get(report.value(r, SH.resultSeverity), "Violation"),
                             component=report.value(r, SH.sourceConstraintComponent),
                             path=report.value(r, SH.resultPath), value=report.value(r, SH.value),
                             message_vi=vi, message_en=en))
    return out


def _focus_set_validator():
    from pyshacl import Validator

    class FocusSetValidator(Validator):
        """pySHACL restricted to some focus nodes, tested with a set (pySHACL keeps a list and
        tests membership for every target of every shape: slower than validating them all)."""

        def make_executor(self):
            executor = super().make_executor()
            if executor.focus_nodes:
                executor.focus_nodes = set(executor.focus_nodes)
            return executor
    return FocusSetValidator


def _FocusSetValidator(*args, **kwargs):  # noqa: N802 - a lazily made class
    global _FOCUS_SET_VALIDATOR
    if _FOCUS_SET_VALIDATOR is None:
        _FOCUS_SET_VALIDATOR = _focus_set_validator()
    return _FOCUS_SET_VALIDATOR(*args, **kwargs)


_FOCUS_SET_VALIDATOR = None


@dataclass
class _SparqlConstraint:
    shape: Any                       # the node shape
    node: Any                        # the constraint
    select: str
    severity: str
    targets: list[tuple[URIRef, URIRef]]   # (sh:targetClass | sh:targetSubjectsOf | ..., value)
    message_vi: str
    message_en: str


_SPLIT_CACHE: dict[int, tuple[Graph, Graph, list[_SparqlConstraint]]] = {}


def _split_shapes(shapes: Graph) -> tuple[Graph, list[_SparqlConstraint]]:
    """(shapes without their SPARQL constraints, the SPARQL constraints), cached per shapes graph."""
    hit = _SPLIT_CACHE.get(id(shapes))
    if hit is not None and hit[0] is shapes:
        return hit[1], hit[2]
    core = Graph()
    for t in shapes:
        core.add(t)
    constraints: list[_SparqlConstraint] = []
    for shape, c in list(shapes.subject_objects(SH.sparql)):
        select = shapes.value(c, SH.select)
        if select is None or (shape, SH.deactivated, Literal(True)) in shapes \
                or (c, SH.deactivated, Literal(True)) in shapes:
            continue
        prefixes = []
        for decl_src in shapes.objects(c, SH.prefixes):
            for decl in shapes.objects(decl_src, SH.declare):
                prefixes.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
        targets = [(p, o) for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                   for o in shapes.objects(shape, p)]
        if (shape, RDF.type, RDFS.Class) in shapes:
            targets.append((SH.targetClass, shape))
        sev = shapes.value(c, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
        mv, me = _lang_pair(shapes, c, SH.message)
        if not (mv or me):
            mv, me = _lang_pair(shapes, shape, SH.message)
        query = "\n".join(sorted(set(prefixes))) + "\n" + str(select)
        constraints.append(_SparqlConstraint(shape, c, query, _SEVERITY_NAME.get(sev, "Violation"),
                                             targets, mv, me))
        core.remove((shape, SH.sparql, c))
    _SPLIT_CACHE[id(shapes)] = (shapes, core, constraints)
    return core, constraints


def _target_pattern(targets: list[tuple[URIRef, URIRef]]) -> str | None:
    parts = []
    for kind, value in targets:
        v = f"<{value}>"
        if kind == SH.targetClass:
            parts.append(f"{{ ?this a/<{RDFS.subClassOf}>* {v} }}")
        elif kind == SH.targetSubjectsOf:
            parts.append(f"{{ ?this {v} [] }}")
        elif kind == SH.targetObjectsOf:
            parts.append(f"{{ [] {v} ?this }}")
        elif kind == SH.targetNode:
            parts.append(f"{{ VALUES ?this {{ {v} }} }}")
    if not parts:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _inject_target(select: str, target: str) -> str | None:
    """Rewrite `SELECT $this … WHERE { body }` to run over every focus node at once."""
    q = re.sub(r"\$this\b", "?this", select)
    m = re.search(r"\bWHERE\s*\{", q, re.IGNORECASE)
    if not m:
        return None
    return q[:m.end()] + "\n" + target + "\n" + q[m.end():]


def run_fast(data: Graph, shapes: Graph, focus: set | None = None) -> list[RawResult]:
    """pySHACL for SHACL Core; each SPARQL constraint once over all its focus nodes (Oxigraph)."""
    import pyoxigraph as ox
    import pyshacl

    from .store import from_ox, to_ox

    core, constraints = _split_shapes(shapes)
    out: list[RawResult] = []
    if any(True for _ in core.subjects(SH.path, None)) or any(True for _ in core.subjects(SH.property, None)):
        out.extend(run_pyshacl(data, core, focus))
    st = ox.Store()
    st.bulk_extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in data])
    for c in constraints:
        target = _target_pattern(c.targets)
        query = _inject_target(c.select, target) if target else None
        if query is None:
            continue
        try:
            res = st.query(query)
        except SyntaxError as exc:
            raise KGError(f"shape {c.node}: SPARQL error ({str(exc).splitlines()[0]})") from None
        names = [v.value for v in res.variables]
        for sol in res:
            row = {n: from_ox(sol[n]) for n in names if sol[n] is not None}
            node = row.get("this")
            if node is None or (focus and node not in focus):
                continue
            out.append(RawResult(focus=node, shape=c.shape, severity=c.severity,
                                 component=SH.SPARQLConstraintComponent,
                                 path=row.get("path"), value=row.get("value"),
                                 message_vi=_format_message(c.message_vi, row),
                                 message_en=_format_message(c.message_en, row)))
    return out


ENGINES: dict[str, Callable[..., list[RawResult]]] = {"fast": run_fast, "pyshacl": run_pyshacl}


# ------------------------------------------------------------------------------------------
# Python checks (facts not kept in the graph)

_DATE_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d/])")
_DATE_WORDS = re.compile(r"(?i:ngày)\s+(\d{1,2})\s+(?i:tháng)\s+(\d{1,2})\s+(?i:năm)\s+(\d{4})")


def _real_date(d: int, m: int, y: int) -> bool:
    import datetime as dt
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def python_checks(doc: ExtractedDocument, shapes: Graph) -> list[tuple[str, int, int, str]]:
    """(check, start, end, value) of problems found on the text itself."""
    out: list[tuple[str, int, int, str]] = []
    text = doc.text.text
    seen: set[tuple[int, int]] = set()
    for rx in (_DATE_NUMERIC, _DATE_WORDS):
        for m in rx.finditer(text):
            if rx is _DATE_NUMERIC:
                d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
            else:
                d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if not (1000 <= y <= 2999) or _real_date(d, mo, y):
                continue
            s, e = doc.text.to_original(m.start(), m.end())
            if (s, e) not in seen:
                seen.add((s, e))
                out.append(("ImpossibleDate", s, e, doc.text.original[s:e]))
    # dates the recogniser returned that are not calendar dates
    for c in doc.citations:
        if c.date and not _iso_ok(c.date) and not any(s <= c.start < e or c.start <= s < c.end for s, e in seen):
            seen.add((c.start, c.end))
            out.append(("ImpossibleDate", c.start, c.end, c.date))
    if doc.header.date and not _iso_ok(doc.header.date):
        s, e = doc.header.spans.get("date", (0, 0))
        if not any(a <= s < b for a, b in seen):
            out.append(("ImpossibleDate", s, e, doc.header.date))
    return out


def _iso_ok(value: str) -> bool:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    return bool(m) and _real_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


# ------------------------------------------------------------------------------------------
# Validation of one document

def _resolve_single(doc: ExtractedDocument):
    from . import resolve
    return resolve.resolve([doc])


def document_dataset(doc: ExtractedDocument, base_iri: str | None = None) -> Dataset:
    """The graphs `kg build` would make for this document alone."""
    from . import graph
    return graph.build_dataset([doc], _resolve_single(doc), base_iri=base_iri)


def source_graph_of(ds: Dataset) -> tuple[URIRef, URIRef]:
    """(named graph IRI, source document node) of a one-document dataset."""
    for g in ds.graphs():
        for s in g.subjects(RDF.type, KG.SourceDocument):
            return g.identifier, s
    raise KGError("the graph stage produced no source document")


def validate_document(doc: ExtractedDocument, existing: ExistingGraph | None = None, *,
                      base_iri: str | None = None, engine: str = "fast",
                      shapes: Graph | None = None, html_original: str | None = None) -> FileReport:
    """Validate one extracted document; findings located in its original text."""
    t0 = time.perf_counter()
    shapes = shapes if shapes is not None else load_shapes()
    ds = document_dataset(doc, base_iri)
    gname, node = source_graph_of(ds)
    data = Graph()
    for g in ds.graphs():
        data.addN((s, p, o, data) for s, p, o in g)
    if existing is not None:
        exclude = existing.graphs_of(node, doc.sha256)
        ctx = existing.context_for(data, node, exclude)
        data.addN((s, p, o, data) for s, p, o in ctx)
    data.addN((s, p, o, data) for s, p, o in vocab_graph())
    data.addN((s, p, o, data) for s, p, o in ontology_hierarchy())
    own = set(ds.graph(gname).subjects())
    raws = ENGINES[engine](data, shapes, own)

    report = FileReport(source=doc.source, document=doc.header_json(), graph_iri=str(gname), dataset=ds, doc=doc)
    index = LineIndex(html_original if html_original is not None else doc.text.original)
    seen: set[tuple] = set()
    for r in raws:
        if r.focus not in own:
            continue
        check = check_name(shapes, r.shape, r.component)
        key = (str(r.focus), check, str(r.value), r.message_en)
        if key in seen:
            continue
        seen.add(key)
        info = shape_info(shapes, r.shape)
        f = Finding(severity=r.severity, check=check,
                    message_vi=r.message_vi or info.message_vi or info.name_vi,
                    message_en=r.message_en or info.message_en or info.name_en,
                    name_vi=info.name_vi, name_en=info.name_en, focus=str(r.focus),
                    path=_path_text(shapes, r.shape, r.path),
                    value=str(r.value) if r.value is not None else None, shape=str(r.shape))
        _locate(f, r.focus, node, data, doc, index)
        report.findings.append(f)
    for check, s, e, value in python_checks(doc, shapes):
        info = shape_info(shapes, CHK[check])
        row = {"value": value}
        f = Finding(severity="Violation", check=check,
                    message_vi=_format_message(info.message_vi, row), message_en=_format_message(info.message_en, row),
                    name_vi=info.name_vi, name_en=info.name_en, focus=str(node), value=value,
                    start=s, end=e, quote=doc.text.original[s:e], shape=str(CHK[check]))
        f.line, f.column = index.line_col(s)
        report.findings.append(f)
    report.findings.sort(key=Finding.sort_key)
    report.seconds = time.perf_counter() - t0
    return report


def _locate(f: Finding, focus: Any, node: URIRef, data: Graph, doc: ExtractedDocument, index: LineIndex) -> None:
    start = data.value(focus, KG.start)
    end = data.value(focus, KG.end)
    if start is None and focus == node:
        fields = _HEADER_FIELD.get(f.check)
        if fields is None and f.path is not None and f.path in (str(ELI.id_local),):
            fields = _IDENTIFIER_FIELDS
        if fields is None and f.check in ("PartyInStateStyle", "StateInPartyStyle", "UnknownTypeCode",
                                          "UnknownIssuerCode", "IdentifierYearDate", "MalformedIdentifier"):
            fields = _IDENTIFIER_FIELDS
        for name in fields or ():
            span = doc.header.spans.get(name)
            if span:
                start, end = span
                break
    if start is None and focus != node:
        # a document node: locate it by the first mention of it in the new document
        spans = [(int(data.value(m, KG.start)), int(data.value(m, KG.end)))
                 for m in data.subjects(KG.mentions, focus)
                 if data.value(m, KG.source) == node and data.value(m, KG.start) is not None]
        if not spans:
            spans = [(int(data.value(m, KG.start)), int(data.value(m, KG.end)))
                     for m in data.subjects(KG.candidate, focus)
                     if data.value(m, KG.source) == node and data.value(m, KG.start) is not None]
        if spans:
            start, end = min(spans)
    if start is None:
        return
    s, e = int(start), int(end if end is not None else start)
    if (focus, RDF.type, KG.Section) in data:
        # a section is quoted by its heading line, not its whole extent
        nl = doc.text.original.find("\n", s, e)
        if nl != -1:
            e = nl
    f.start, f.end = s, e
    f.line, f.column = index.line_col(s)
    quote = doc.text.original[s:e]
    if len(quote) > 300:
        quote = quote[:300] + "…"
    f.quote = quote


# ------------------------------------------------------------------------------------------
# Files

def read_for_validation(path: str | Path) -> tuple[str, str, str | None]:
    """(text, sha256, raw page text when the file is HTML)."""
    from .normalise import decode, looks_like_html
    from .pipeline import read_source

    text, sha = read_source(path)
    raw = None
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"<" in head:      # an HTML page: keep the page itself for line:column
        try:
            page = decode(Path(path).read_bytes(), str(path), html=False)
            if looks_like_html(page):
                raw = page
        except InputError:
            pass
    return text, sha, raw


def validate_files(paths: Iterable[str | Path], against: str | Path | None = None, *,
                   base_iri: str | None = None, engine: str = "fast",
                   progress: Callable[[str], None] | None = None,
                   existing: ExistingGraph | None = None) -> list[FileReport]:
    """Validate each file against the existing graph; unreadable files get a report with `error`."""
    from .pipeline import expand_inputs, extract_text

    files, problems = expand_inputs(paths)
    reports = [FileReport(source=p.split(":", 1)[0], error=p) for p in problems]
    own_existing = existing is None
    if existing is None:
        existing = ExistingGraph.open(against)
    try:
        for f in files:
            if progress:
                progress(str(f))
            try:
                text, sha, page = read_for_validation(f)
                doc = extract_text(text, str(f), sha)
            except InputError as exc:
                reports.append(FileReport(source=str(f), error=str(exc)))
                continue
            reports.append(validate_document(doc, existing, base_iri=base_iri, engine=engine, html_original=page))
    finally:
        if own_existing and existing is not None:
            existing.close()
    return reports


# ------------------------------------------------------------------------------------------
# Output

def report_json(reports: list[FileReport], against: str | None = None) -> dict[str, Any]:
    return {"conforms": exit_code(reports) == 0, "against": against,
            "files": [r.to_json() for r in reports]}


def report_graph(reports: list[FileReport]) -> Graph:
    """The standard sh:ValidationReport (one for all files), results annotated with kg:start/end/exact."""
    g = Graph()
    bind_prefixes(g)
    g.bind("chk", CHK)
    rep = BNode()
    g.add((rep, RDF.type, SH.ValidationReport))
    g.add((rep, SH.conforms, Literal(exit_code(reports) == 0)))
    for r in reports:
        for f in r.findings:
            res = BNode()
            g.add((rep, SH.result, res))
            g.add((res, RDF.type, SH.ValidationResult))
            g.add((res, SH.resultSeverity, SEVERITY_IRI[f.severity]))
            if f.focus:
                g.add((res, SH.focusNode, URIRef(f.focus)))
            if f.shape:
                g.add((res, SH.sourceShape, URIRef(f.shape)))
            if f.path and not f.path.startswith(("(", "<", "^")):    # a predicate path (IRI)
                g.add((res, SH.resultPath, URIRef(f.path)))
            if f.value is not None:
                g.add((res, SH.value, Literal(f.value)))
            g.add((res, SH.resultMessage, Literal(f.message_vi, lang="vi")))
            g.add((res, SH.resultMessage, Literal(f.message_en, lang="en")))
            if f.start is not None:
                g.add((res, KG.start, Literal(f.start, datatype=XSD.integer)))
                g.add((res, KG.end, Literal(f.end, datatype=XSD.integer)))
                g.add((res, KG.exact, Literal(f.quote or "")))
    return g


def report_text(reports: list[FileReport]) -> str:
    """Human report: per file, findings grouped by severity, with line:col, vi + en, quote."""
    out: list[str] = []
    for r in reports:
        if r.error:
            msg = r.error if r.error.startswith(r.source) else f"{r.source}: {r.error}"
            out.append(f"{msg} — không đọc được / cannot read")
            out.append("")
            continue
        h = r.document
        counts = ", ".join(f"{r.count(s)} {s.lower()}{'s' if r.count(s) != 1 else ''}" for s in SEVERITIES)
        verdict = "conforms / hợp lệ" if r.conforms else "does NOT conform / không hợp lệ"
        out.append(f"{r.source}: {h.get('type') or '?'} {h.get('identifier') or ''} {h.get('date') or ''} — "
                   f"{verdict} ({counts})")
        for sev in SEVERITIES:
            group = [f for f in r.findings if f.severity == sev]
            if not group:
                continue
            out.append(f"  {sev} ({len(group)})")
            for f in group:
                where = f"{f.line}:{f.column}" if f.line else "—"
                out.append(f"    {where:>9}  [{f.check}] {f.message_vi}")
                out.append(f"    {'':>9}  {' ' * (len(f.check) + 2)} {f.message_en}")
                if f.quote:
                    q = " ".join(f.quote.split())
                    out.append(f"    {'':>9}  {' ' * (len(f.check) + 2)} « {q[:160]}{'…' if len(q) > 160 else ''} »")
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# Adding validated documents (`kg add`)

# Properties with one value per document in the registry graph: a new mention does not add a
# second value; a disagreement is kept as a kg:conflict note instead.
_FUNCTIONAL = (ELI.date_document, KG.datePartial, KG.title, ELI.id_local, KG.issuer)


@dataclass
class AddOutcome:
    source: str
    added: bool
    graph: str | None = None
    replaced: list[str] = field(default_factory=list)
    reason: str | None = None        # why it was not added

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "added": self.added, "graph": self.graph,
                "replaced": self.replaced, "reason": self.reason}


def merge_registry(existing: Graph, new: Graph, own_nodes: set[URIRef]) -> Graph:
    """The registry graph after adding a document's records to it.

    Records the graph already has keep their single-valued facts (a different value from the
    new document becomes a kg:conflict note), except the new document's own node, whose header
    is authoritative; new records and other facts are added.
    """
    out = Graph()
    for t in existing:
        out.add(t)
    for s in set(new.subjects()):
        known = (s, None, None) in existing
        for p, o in new.predicate_objects(s):
            if s in own_nodes and p in _FUNCTIONAL:
                out.remove((s, p, None))
                out.add((s, p, o))
                continue
            if known and p in _FUNCTIONAL:
                old = list(existing.objects(s, p))
                if old and o not in old:
                    note = f"{_short_path(p)}: {o} ≠ {', '.join(str(x) for x in old)}"
                    out.add((s, KG.conflict, Literal(note)))
                    continue
            if known and p == RDF.type and s not in own_nodes and o not in (KG.Document,) \
                    and any(True for _ in existing.objects(s, RDF.type)):
                # keep the type the graph already gives a document cited elsewhere
                if (s, p, o) not in existing and str(o).startswith(KG_NS) and o not in (
                        KG.StateDocument, KG.PartyDocument):
                    continue
            out.add((s, p, o))
    return out


def add_files(paths: Iterable[str | Path], *, store: str | Path | None = None, graph: str | Path | None = None,
              force: bool = False, base_iri: str | None = None, engine: str = "fast",
              progress: Callable[[str], None] | None = None) -> tuple[list[FileReport], list[AddOutcome], str]:
    """Validate each file against the target graph and add the ones that conform (or all, with
    `force`), replacing an earlier version of the same document (same node or same content hash).

    Target: the store (`store`, else data/store when it exists), else the graph files (`graph`,
    default data/build; graph.trig/ttl/jsonld rewritten atomically). Returns (reports, outcomes,
    target description).
    """
    from .graph import Minter
    from .store import Store, _current_dir, default_store_path, from_ox, to_ox

    st = None
    ds_file: Dataset | None = None
    outdir: Path | None = None
    if store is not None or (graph is None and _current_dir(default_store_path(None)) is not None):
        st = Store(default_store_path(store))
        existing = ExistingGraph(_ox_of(st), str(st.root))
        target = f"store {st.root}"
    else:
        from .export import load_dataset
        gp = Path(graph) if graph is not None else Path("data/build")
        trig = gp / "graph.trig" if gp.is_dir() or gp.suffix == "" else gp
        outdir = trig.parent
        if trig.exists():
            ds_file = load_dataset(trig)
            existing = ExistingGraph.open(trig)
        else:
            ds_file = Dataset(default_union=True)
            bind_prefixes(ds_file)
            existing = None
        target = f"graph files in {outdir}"
    outcomes: list[AddOutcome] = []
    try:
        reports = validate_files(paths, base_iri=base_iri, engine=engine, progress=progress,
                                 existing=existing if existing is not None else _EmptyGraph())
        registry_iri = Minter(base_iri).registry_graph()
        changed = False
        for r in reports:
            if r.error:
                reason = r.error[len(r.source) + 2:] if r.error.startswith(r.source + ": ") else r.error
                outcomes.append(AddOutcome(r.source, False, reason=reason))
                continue
            if not r.conforms and not force:
                outcomes.append(AddOutcome(r.source, False, graph=r.graph_iri,
                                           reason=f"{r.count('Violation')} violation(s); fix them or use --force"))
                continue
            ds = r.dataset
            gname, node = source_graph_of(ds)
            src_graph = ds.graph(gname)
            new_reg = ds.graph(registry_iri)
            old = existing.graphs_of(node, r.doc.sha256 if r.doc else None) if existing is not None else set()
            old.discard(str(gname))
            if st is not None:
                st.replace_graph(gname, src_graph, source=r.source)
                # only the records the document describes change: merged with what the store
                # has of them, and written as a change to the registry graph, not a rewrite
                stored = Graph()
                for s in set(new_reg.subjects()):
                    for q in st.oxigraph.quads_for_pattern(to_ox(s), None, None, to_ox(registry_iri)):
                        stored.add((s, from_ox(q.predicate), from_ox(q.object)))
                merged = merge_registry(stored, new_reg, {node})
                st.change_graph(registry_iri, add=merged - stored, remove=stored - merged)
                for g in sorted(old):
                    st.remove_graph(g)
            else:
                assert ds_file is not None
                target_graph = ds_file.graph(gname)
                target_graph.remove((None, None, None))
                for t in src_graph:
                    target_graph.add(t)
                reg = ds_file.graph(registry_iri)
                merged = merge_registry(reg, new_reg, {node})
                reg.remove((None, None, None))
                for t in merged:
                    reg.add(t)
                for g in old:
                    ds_file.remove_graph(ds_file.graph(URIRef(g)))
            changed = True
            outcomes.append(AddOutcome(r.source, True, graph=str(gname), replaced=sorted(old)))
            r.dataset = None
        if changed and ds_file is not None and outdir is not None:
            from .export import write_outputs
            write_outputs(ds_file, outdir)
        if st is not None:
            st.flush()
    finally:
        if st is not None:
            st.close()
    return reports, outcomes, target


class _EmptyGraph(ExistingGraph):
    """No existing graph: validate the documents alone."""

    def __init__(self) -> None:
        import pyoxigraph as ox
        super().__init__(ox.Store(), "(none)")
