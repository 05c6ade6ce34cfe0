"""Stored SPARQL queries (queries/*.rq) and a runner that binds parameters as RDF terms.

A stored query starts with a comment header:

    # title: Documents citing a document
    # description: which source documents cite the document with this identifier ...
    # param: ?identifier xsd:string — the cited document's identifier, e.g. 96/NQ-CP
    # param: ?year xsd:integer optional — its year of issue
    # param: ?doc iri optional — the cited document's IRI (instead of the identifier)
    # example: kg query citing-documents --param identifier=96/NQ-CP

Parameter lines: `# param: ?name [TYPE] [optional] — meaning`. TYPE is `iri`, a datatype
`xsd:...` or absent. Parameters are required unless marked `optional`; an optional parameter
that is not given stays unbound (queries test it with BOUND()). Values given on the command
line are turned into RDF terms, never spliced into the query text:

- declared `iri`: an IRI — `<http://...>`, `http(s)://...`, `urn:...` or a prefixed name with a
  known prefix (`kg:Directive`); anything else is an error;
- declared `xsd:T`: a literal of datatype T, checked (an integer must look like one, a date
  like YYYY-MM-DD); `xsd:string` gives a plain string literal;
- undeclared type: an IRI if the value looks like one (`<...>`, `http(s)://...`, `urn:...`,
  known `prefix:name`), else a plain string literal.

Queries run over the union of the named graphs.

Pages. `limit` / `offset` (kg query --limit/--offset, `kg serve` ?limit=&offset=) ask for one
page of an answer; a `#page ORDER BY ...` line marks where a query chooses its page (apply_page).

Hint lines. A line of the query body `#+name[,name...] PATTERN`, e.g.

    #+identifier ?doc eli:id_local ?identifier .

is a comment unless every parameter it names is given; then the runner turns it into the pattern
it carries, where it stands (`apply_hints`; every path applies it: rdflib in memory, the store,
`kg serve`, an external endpoint, through `kg_builder.store.bind_params`). The pattern must be
implied by the query's own filters and must not change row multiplicity (or the query must be
DISTINCT / grouped with COUNT(DISTINCT)), so the answer is the same with or without it; it only
lets the engine's optimiser start from the parameter instead of scanning what the filter tests
(a FILTER EXISTS on a parameter is evaluated after the scan, on every engine). In an applied hint,
`$name` stands for the parameter's value (a term in SPARQL syntax), for a sub-select or UNION
branch, which does not see the parameter bound around the query: `#+kind ?initiative a $kind .`
restricts a sub-select joined on ?initiative; `#+problem FILTER ($problem = "conflict")` empties a
branch whose rows the query's last filter drops anyway.
"""
from __future__ import annotations

import shlex

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import ConjunctiveGraph
from rdflib.query import Result

from .errors import QueryError
from .namespace import PREFIXES, XSD
from .resources import queries_path

_HEADER = re.compile(r"^#\s*(title|description|param|example)\s*:\s*(.*)$", re.I)
_PARAM = re.compile(r"^\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<rest>.*)$")
_DASH = re.compile(r"\s+(?:—|–|--|-)\s+")
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_CURIE = re.compile(r"^([A-Za-z][\w-]*):([A-Za-z_][\w.-]*)$")
_IRI_SCHEMES = ("http://", "https://", "urn:")
_HINT = re.compile(r"^([ \t]*)#\+([A-Za-z_][A-Za-z0-9_]*(?:,[A-Za-z_][A-Za-z0-9_]*)*)[ \t]+(.*)$", re.M)

_CHECKS = {
    XSD.integer: re.compile(r"^[+-]?\d+$"),
    XSD.decimal: re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    XSD.double: re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^(NaN|INF|-INF)$"),
    XSD.date: re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    XSD.gYear: re.compile(r"^\d{4}$"),
    XSD.gYearMonth: re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    XSD.boolean: re.compile(r"^(true|false|1|0)$"),
}


@dataclass
class Param:
    name: str
    type: str | None = None          # "iri", "xsd:integer", ... or None
    optional: bool = False
    description: str = ""


@dataclass
class StoredQuery:
    name: str
    path: Path | None
    text: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def example_params(self) -> list[dict[str, str]]:
        """Parameter sets to run the query with: each `# example:` line's --param values, and
        none first when every parameter is optional (duplicates dropped)."""
        sets: list[dict[str, str]] = [{}] if all(p.optional for p in self.params) else []
        for ex in self.examples:
            words = shlex.split(ex)
            params = {}
            for i, w in enumerate(words):
                if w in ("--param", "-p") and i + 1 < len(words):
                    value = words[i + 1]
                elif w.startswith("--param="):
                    value = w[len("--param="):]
                else:
                    continue
                k, _, v = value.partition("=")
                params[k] = v
            if params not in sets:
                sets.append(params)
        return sets


def parse_header(text: str, name: str = "<query>", path: Path | None = None) -> StoredQuery:
    q = StoredQuery(name=name, path=path, text=text)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = _HEADER.match(stripped)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "title":
            q.title = value
        elif key == "description":
            q.description = (q.description + " " + value).strip()
        elif key == "example":
            q.examples.append(value)
        elif key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise QueryError(f"{path or name}: bad param line {value!r} (expected `# param: ?name [type] [optional] — meaning`)")
            rest = pm.group("rest")
            parts = _DASH.split(" " + rest, maxsplit=1)
            spec, desc = (parts[0], parts[1]) if len(parts) == 2 else (rest, "")
            words = spec.split()
            optional = "optional" in words
            types = [w for w in words if w != "optional"]
            q.params.append(Param(pm.group("name"), types[0] if types else None, optional, desc.strip()))
    return q


def list_queries() -> list[StoredQuery]:
    """The stored queries in queries/*.rq, sorted by name."""
    folder = queries_path()
    if not folder.is_dir():
        return []
    return [load_query(p) for p in sorted(folder.glob("*.rq"))]


def load_query(name_or_path: str | Path) -> StoredQuery:
    """A stored query by name ('citing-documents') or a path to a .rq file."""
    p = Path(name_or_path)
    if p.suffix == ".rq" or p.exists() or "/" in str(name_or_path):
        if not p.is_file():
            raise QueryError(f"{p}: no such query file")
        path = p
        name = p.stem
    else:
        name = str(name_or_path)
        path = queries_path(f"{name}.rq")
        if not path.is_file():
            known = ", ".join(q.name for q in list_queries()) or "none"
            raise QueryError(f"unknown query {name!r} (stored queries: {known})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read ({exc})") from None
    return parse_header(text, name, path)


def _expand_curie(value: str) -> URIRef | None:
    m = _CURIE.match(value)
    if m and m.group(1) in PREFIXES:
        return URIRef(PREFIXES[m.group(1)] + m.group(2))
    return None


def _looks_like_iri(value: str) -> URIRef | None:
    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        inner = value[1:-1]
        if re.search(r"[\s<>\"{}|\\^`]", inner):
            return None
        return URIRef(inner)
    if value.startswith(_IRI_SCHEMES) and not re.search(r"[\s<>\"{}|\\^`]", value):
        return URIRef(value)
    return _expand_curie(value)


def to_term(value: str, type_: str | None, name: str = "param") -> URIRef | Literal:
    """A command-line value as an RDF term (see the module docstring for the rules)."""
    if type_ == "iri":
        iri = _looks_like_iri(value)
        if iri is None:
            raise QueryError(f"--param {name}={value!r}: not an IRI (use <http://...>, http(s)://... or a prefixed name like kg:Directive)")
        return iri
    if type_:
        dt = _expand_curie(type_)
        if dt is None or not str(dt).startswith(str(XSD)):
            raise QueryError(f"param ?{name}: unknown type {type_!r} (use iri or xsd:...)")
        if dt == XSD.string:
            return Literal(value)
        check = _CHECKS.get(dt)
        if check is not None and not check.match(value):
            raise QueryError(f"--param {name}={value!r}: not a valid {type_}")
        return Literal(value, datatype=dt)
    return _looks_like_iri(value) or Literal(value)


def bind_params(query: StoredQuery, params: dict[str, str] | None) -> dict[Variable, Any]:
    params = dict(params or {})
    bindings: dict[Variable, Any] = {}
    if query.params:
        for name in params:
            if query.param(name) is None:
                known = ", ".join(p.name for p in query.params)
                raise QueryError(f"query {query.name!r} has no parameter {name!r} (parameters: {known})")
        for p in query.params:
            if p.name not in params:
                if not p.optional:
                    raise QueryError(f"query {query.name!r} needs --param {p.name}=... ({p.description or p.name})")
                continue
            bindings[Variable(p.name)] = to_term(params[p.name], p.type, p.name)
    else:
        used = set(_VAR.findall(_strip_comments(query.text)))
        for name, value in params.items():
            if name not in used:
                raise QueryError(f"query {query.name!r} has no variable ?{name}")
            bindings[Variable(name)] = to_term(value, None, name)
    return bindings


def hint_params(text: str) -> set[str]:
    """The parameter names the query's hint lines (`#+name PATTERN`) depend on."""
    return {n for m in _HINT.finditer(text) for n in m.group(2).split(",")}


def apply_hints(text: str, given) -> str:
    """The query text with each hint line `#+name[,name...] PATTERN` whose parameters are all in
    `given` replaced by its PATTERN; other hint lines stay comments. `given`: the given parameters'
    names (with or without ?/$), or a mapping of them to their values in SPARQL syntax, which then
    replace `$name` in an applied PATTERN (for a VALUES block inside a sub-select, where the
    parameter bound around the query is not seen)."""
    values = {str(k).lstrip("?$"): v for k, v in given.items()} if isinstance(given, dict) \
        else dict.fromkeys((str(n).lstrip("?$") for n in given), None)
    if "#+" not in text or not values:
        return text

    def apply(m: re.Match) -> str:
        names = m.group(2).split(",")
        if not set(names) <= set(values):
            return m.group(0)
        pattern = m.group(3)
        for n in names:
            if values[n] is not None:
                pattern = re.sub(r"\$" + n + r"\b", lambda _: values[n], pattern)
        return m.group(1) + pattern

    return _HINT.sub(apply, text)


_PAGE = re.compile(r"^([ \t]*)#page\b([^\n]*)$", re.M)


def apply_page(text: str, limit: int | None = None, offset: int = 0) -> str:
    """The query text asking for one page of its answer: `limit` rows from row `offset`.

    A query whose answer is large chooses its page where that is cheap: a line
    `#page ORDER BY ...` in the sub-select that picks the rows to show (the documents, the
    cited documents …) becomes `ORDER BY ... LIMIT n OFFSET m` there, and the outer query
    decorates that page only (a page may then hold more than `limit` rows, when a chosen row
    has several values of a decoration). Without a page the line stays a comment: the
    sub-select is not ordered (some engines refuse an ordered sub-select without a LIMIT) and
    the outer ORDER BY orders the whole answer. A query without such a line gets LIMIT /
    OFFSET at its end."""
    if limit is None and not offset:
        return text
    if limit is not None and limit < 1:
        raise QueryError(f"page size must be at least 1 (got {limit})")
    if offset < 0:
        raise QueryError(f"page offset must not be negative (got {offset})")
    clause = ((f"LIMIT {limit} " if limit is not None else "") + (f"OFFSET {offset}" if offset else "")).strip()
    if _PAGE.search(text):
        return _PAGE.sub(lambda m: m.group(1) + " ".join(filter(None, (m.group(2).strip(), clause))), text, count=1)
    return text.rstrip() + "\n" + clause + "\n"


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _queryable(graph: Graph | Dataset) -> Graph:
    if isinstance(graph, Dataset) and not graph.default_union:
        graph.default_union = True
    return graph


def run(graph: Graph | Dataset | ConjunctiveGraph, query: str | StoredQuery,
        params: dict[str, str] | None = None, limit: int | None = None, offset: int = 0) -> Result:
    """Run a query (text or StoredQuery) over the union of the graphs, parameters bound as terms;
    one page of the answer when `limit` / `offset` are given (apply_page)."""
    if isinstance(query, str):
        query = parse_header(query)
    bindings = bind_params(query, params)
    from .export import quiet_rdflib

    ns = {k: v for k, v in PREFIXES.items()}
    paged = apply_page(query.text, limit, offset)
    try:
        with quiet_rdflib():
            text = apply_hints(paged, {str(k): v.n3() for k, v in bindings.items()})
            result = _queryable(graph).query(text, initBindings=bindings, initNs=ns)
            if result.type == "SELECT":
                result.bindings   # evaluate now (rdflib is lazy), inside the try
            return result
    except Exception as exc:  # noqa: BLE001 - rdflib raises pyparsing / other errors
        msg = " ".join(str(exc).split())[:300]
        raise QueryError(f"query {query.name!r} failed: {type(exc).__name__}: {msg}") from None


# --------------------------------------------------------------------------------------------
# Output

def short(term: Any, nm=None) -> str:
    """A term for a human: prefixed IRI when a prefix is known, literal lexical form."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        if nm is not None:
            # longest bound namespace that starts the IRI; for display only, so the local part
            # may contain "/" (id:doc/chinh-phu/2022/01-nq-cp)
            iri = str(term)
            best = max(((p, str(ns)) for p, ns in nm.namespaces() if p and iri.startswith(str(ns))),
                       key=lambda pn: len(pn[1]), default=None)
            if best and len(iri) > len(best[1]):
                return f"{best[0]}:{iri[len(best[1]):]}"
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def result_rows(result: Result) -> tuple[list[str], list[list[Any]]]:
    if result.type == "ASK":
        return ["ask"], [[Literal(bool(result.askAnswer))]]
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        g = result.graph
        return ["subject", "predicate", "object"], [list(t) for t in sorted(g)]
    names = [str(v) for v in result.vars]
    rows = [[row[v] if v in row.labels else None for v in names] for row in result] \
        if hasattr(result, "__iter__") else []
    return names, rows


def format_csv(result: Result) -> str:
    names, rows = result_rows(result)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(names)
    for row in rows:
        w.writerow(["" if t is None else str(t) for t in row])
    return buf.getvalue()


def format_json(result: Result) -> str:
    if result.type in ("SELECT", "ASK"):
        return result.serialize(format="json").decode("utf-8")
    names, rows = result_rows(result)
    return json.dumps({"head": {"vars": names}, "results": {"bindings": [
        {n: _json_term(t) for n, t in zip(names, row) if t is not None} for row in rows]}},
        ensure_ascii=False)


def _json_term(t: Any) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    d = {"type": "literal", "value": str(t)}
    if getattr(t, "language", None):
        d["xml:lang"] = t.language
    elif getattr(t, "datatype", None):
        d["datatype"] = str(t.datatype)
    return d


def format_table(result: Result, nm=None, title: str | None = None):
    """A rich Table of the result."""
    from rich.table import Table

    names, rows = result_rows(result)
    table = Table(title=title, show_lines=False)
    for n in names:
        table.add_column(n, overflow="fold")
    for row in rows:
        table.add_row(*[short(t, nm) for t in row])
    table.caption = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
    return table
