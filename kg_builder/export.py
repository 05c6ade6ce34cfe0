"""Export stage: write the dataset as TriG (named graphs), Turtle (union) and JSON-LD.

Every file is written to a temporary file in the output directory, then moved into place
with os.replace, so a reader never sees a half-written file.
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.graph import ConjunctiveGraph

from .errors import InputError, KGError
from .namespace import bind_prefixes
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
    for ctx in ds.graphs() if isinstance(ds, Dataset) else ds.contexts():
        for t in ctx:
            add(t)
    return g


def serialize(ds: Dataset | Graph, fmt: str) -> bytes:
    """The dataset in one format: ttl | nt | nq | trig | jsonld (ttl and nt are the union)."""
    if fmt not in FORMATS:
        raise KGError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    rdf_format, _, quads = FORMATS[fmt]
    data = ds if quads else union_graph(ds)
    kwargs = {}
    if fmt == "jsonld":
        kwargs = {"context": jsonld_context(), "auto_compact": True}
    out = data.serialize(format=rdf_format, encoding="utf-8", **kwargs)
    return out


def atomic_write(path: Path, data: bytes) -> Path:
    """Write bytes to a temporary file next to `path`, then os.replace it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
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
    written: dict[str, Path] = {}
    for fmt, name in OUTPUTS.items():
        try:
            written[fmt] = atomic_write(outdir / name, serialize(ds, fmt))
        except PermissionError:
            raise KGError(f"{outdir / name}: permission denied") from None
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
        if fmt in ("turtle", "nt"):
            # triples only: into one named graph, named after the file
            ds.graph(path.resolve().as_uri()).parse(path, format=fmt)
        else:
            ds.parse(path, format=fmt)
    except Exception as exc:  # noqa: BLE001 - any parser error is a bad input file
        raise InputError(f"{path}: cannot parse as {fmt} ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''})") from None
    bind_prefixes(ds)
    return ds
