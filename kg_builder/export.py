"""Export stage: write the dataset as TriG (named graphs), Turtle (union) and JSON-LD.

Every file is written to a temporary file in the output directory, then moved into place
with os.replace, so a reader never sees a half-written file.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph

from .errors import InputError, KGError
from .namespace import PREFIXES, bind_prefixes
from .resources import ontology_path

FORMATS = {
    # name: (rdflib format, file suffix, keeps named graphs)
    "ttl": ("turtle", ".ttl", False),
    "nt": ("nt", ".nt", False),
    "nq": ("nquads", ".nq", True),
    "trig": ("trig", ".trig", True),
    "jsonld": ("json-ld", ".jsonld", True),
}
SUFFIX_FORMATS = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".ttl": "turtle",
                  ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}

OUTPUTS = {"trig": "graph.trig", "ttl": "graph.ttl", "jsonld": "graph.jsonld"}


@contextlib.contextmanager
def quiet_rdflib():
    """Silence rdflib 7's own deprecation warnings (Dataset.default_context, ConjunctiveGraph),
    which it raises from inside its parsers, serialisers and SPARQL engine on every triple."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning,
                                message=r"(Dataset\.default_context|ConjunctiveGraph) is deprecated")
        yield


@lru_cache(maxsize=1)
def jsonld_context() -> dict:
    """The compact JSON-LD @context kept in ontology/context.jsonld."""
    return json.loads(ontology_path("context.jsonld").read_text(encoding="utf-8"))["@context"]


def union_graph(ds: Dataset | Graph) -> Graph:
    """All triples of every named graph in one graph (duplicates merged)."""
    if not isinstance(ds, (Dataset, ConjunctiveGraph)):
        return ds
    g = Graph()
    for prefix, ns in ds.namespace_manager.namespaces():
        g.namespace_manager.bind(prefix, ns, override=True, replace=True)
    add = g.add
    with quiet_rdflib():
        for ctx in ds.graphs() if isinstance(ds, Dataset) else ds.contexts():
            for t in ctx:
                add(t)
    return g


def _ox_term(t):
    import pyoxigraph as ox

    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    raise KGError(f"cannot serialise RDF term {t!r}")


def _rdflib_term(t):
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == _XSD_STRING:
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    raise KGError(f"unsupported RDF term {t!r}")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _sorted_quads(ds: Dataset | Graph, union: bool) -> list:
    """Quads as pyoxigraph terms in a stable order (so equal graphs give equal bytes)."""
    import pyoxigraph as ox

    with quiet_rdflib():
        if not isinstance(ds, (Dataset, ConjunctiveGraph)):
            rows = {("", s, p, o) for s, p, o in ds}
        elif union:
            rows = {("", s, p, o) for g in ds.graphs() for s, p, o in g}
        else:
            rows = {(str(g.identifier), s, p, o) for g in ds.graphs() for s, p, o in g}
    key = lambda q: (q[0], q[1].n3(), q[2].n3(), q[3].n3())  # noqa: E731
    default = ox.DefaultGraph()
    return [ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), ox.NamedNode(g) if g else default)
            for g, s, p, o in sorted(rows, key=key)]


def _sort_prefix_lines(data: bytes) -> bytes:
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix"):
        n += 1
    return b"\n".join(sorted(lines[:n]) + lines[n:])


def serialize(ds: Dataset | Graph, fmt: str) -> bytes:
    """The dataset in one format: ttl | nt | nq | trig | jsonld (ttl and nt are the union).

    Turtle, N-Triples, N-Quads and TriG are written by pyoxigraph (fast) from sorted quads;
    JSON-LD by rdflib with the compact context of ontology/context.jsonld.
    """
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    rdf_format, _, quads = FORMATS[fmt]
    if fmt == "jsonld":
        with quiet_rdflib():
            data = ds.serialize(format="json-ld", encoding="utf-8", context=jsonld_context(), auto_compact=True)
        # rdflib emits nodes and values in store order; JSON-LD arrays (other than @list)
        # are unordered, so sorting them gives the same graph in a stable byte form
        doc = _canonical_json(json.loads(data))
        return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    import pyoxigraph as ox

    ox_format = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                 "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[fmt]
    items = _sorted_quads(ds, union=not quads)
    if not quads:
        items = [q.triple for q in items]
    if fmt in ("ttl", "trig"):
        return _sort_prefix_lines(ox.serialize(items, format=ox_format, prefixes=PREFIXES))
    return ox.serialize(items, format=ox_format)


def _canonical_json(value, key: str | None = None):
    if isinstance(value, dict):
        return {k: _canonical_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical_json(v) for v in value]
        if key in ("@list", "@context"):
            return items
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def _stage(path: Path, data: bytes) -> str:
    """Write bytes to a temporary file next to `path`; the caller renames it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; give the usual permissions
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def atomic_write(path: Path, data: bytes) -> Path:
    """Write bytes to a temporary file next to `path`, then os.replace it into place."""
    path = Path(path)
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_outputs(ds: Dataset, outdir: Path | str) -> dict[str, Path]:
    """graph.trig (named graphs), graph.ttl (union), graph.jsonld (named graphs, compact context)."""
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise KGError(f"{outdir}: exists and is not a directory")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KGError(f"{outdir}: cannot create the output directory ({exc.strerror or exc})") from None
    # serialise and stage every file before replacing any, so that an interruption leaves
    # either the previous set of files or the new one, not a mixture
    payloads = {fmt: serialize(ds, fmt) for fmt in OUTPUTS}
    staged: dict[str, str] = {}
    try:
        for fmt, name in OUTPUTS.items():
            try:
                staged[fmt] = _stage(outdir / name, payloads[fmt])
            except PermissionError:
                raise KGError(f"{outdir / name}: permission denied") from None
        written: dict[str, Path] = {}
        for fmt, name in OUTPUTS.items():
            os.replace(staged.pop(fmt), outdir / name)
            written[fmt] = outdir / name
    finally:
        for tmp in staged.values():
            _unlink(tmp)
    return written


def load_dataset(path: Path | str) -> Dataset:
    """Read a graph written by `write_outputs` (graph.trig; also .nq, .ttl, .nt, .jsonld)."""
    path = Path(path)
    if path.is_dir():
        path = path / OUTPUTS["trig"]
    if not path.exists():
        raise InputError(f"{path}: no such graph file (run `kg build` first)")
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown graph format (use .trig, .nq, .ttl, .nt or .jsonld)")
    ds = Dataset(default_union=True)
    try:
        with quiet_rdflib():
            if fmt == "json-ld":
                ds.parse(path, format=fmt)
            else:
                _parse_with_oxigraph(ds, path, fmt)
    except Exception as exc:  # noqa: BLE001 - any parser error is a bad input file
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise InputError(f"{path}: cannot parse as {fmt} ({type(exc).__name__}: {first})") from None
    bind_prefixes(ds)
    return ds


def _parse_with_oxigraph(ds: Dataset, path: Path, fmt: str) -> None:
    """Parse TriG / N-Quads / Turtle / N-Triples with pyoxigraph into the rdflib dataset.

    Triples of a Turtle / N-Triples file (or of the default graph of TriG) go into one named
    graph named after the file, so that every triple is in a named graph."""
    import pyoxigraph as ox

    ox_format = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
                 "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}[fmt]
    graphs: dict[str, Graph] = {}
    default_name = path.resolve().as_uri()
    conv: dict = {}

    def term(t):
        r = conv.get(t)
        if r is None:
            r = conv[t] = _rdflib_term(t)
        return r

    with open(path, "rb") as fh:
        for q in ox.parse(fh, format=ox_format):
            name = default_name if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            g = graphs.get(name)
            if g is None:
                g = graphs[name] = ds.graph(URIRef(name))
            g.add((term(q.subject), term(q.predicate), term(q.object)))
