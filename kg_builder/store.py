"""The persistent quad store: Oxigraph (pyoxigraph) on disk, rdflib as the programming interface.

Layout of a store directory P (default ``data/store``, ``--store PATH``, env ``KG_STORE``)::

    P/current  -> db-<stamp>         symlink to the live database (swapped atomically)
    P/db-<stamp>/oxigraph/           the Oxigraph (RocksDB) store: one named graph per source
                                     document + the registry graph; nothing in the default graph
    P/db-<stamp>/meta.sqlite         bookkeeping: graph IRI -> content hash, source, triple count
    P/.lock                          writers hold an exclusive flock on it

Two ways to write:

* ``Store(path)`` (writable): each ``replace_graph`` is one Oxigraph transaction (DROP + INSERT
  DATA in one SPARQL update), so a reader sees the old graph or the new one, never half of it.
  The bookkeeping row is deleted before and written after, so an interruption can only cause one
  redundant re-load later, never a wrong "unchanged".
* ``with open_batch(path) as st:`` (``kg build``): the live database is checkpointed (RocksDB
  hard links, fast) into a new directory, all writes go there with the bulk loader, and the
  ``current`` symlink is swapped on success. An interrupted build leaves the previous store intact.

Readers (``Store(path, read_only=True)``, ``kg serve``) open a read-only snapshot and call
``refresh()`` to pick up a newer generation.

Queries see the union of all named graphs as their default graph (``GRAPH ?g`` works as usual),
like an rdflib ``Dataset(default_union=True)`` and like Virtuoso's default behaviour.
Parameters are bound as RDF terms (SPARQL substitutions), never spliced into the text.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, Node, URIRef

from .errors import KGError

DEFAULT_STORE = Path("data/store")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
BULK_FLUSH_QUADS = 200_000        # quads buffered in a batch before the bulk loader writes them


class StoreError(KGError):
    """The store is missing, busy or damaged."""


def default_store_path(path: str | Path | None = None) -> Path:
    """`path`, else $KG_STORE, else data/store."""
    if path:
        return Path(path)
    env = os.environ.get("KG_STORE")
    return Path(env) if env else DEFAULT_STORE


# --- term conversion -------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@lru_cache(maxsize=65536)
def _literal(value: str, lang: str | None, datatype: str | None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    if datatype is not None:
        return ox.Literal(value, datatype=_named(datatype))
    return ox.Literal(value)


def to_ox(term: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term (or a plain Python value, as a literal) as an Oxigraph term."""
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term
    if isinstance(term, URIRef):
        return _named(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        return _literal(str(term), term.language, str(term.datatype) if term.datatype is not None else None)
    if isinstance(term, (str, int, float, bool)):
        return to_ox(Literal(term))
    raise StoreError(f"cannot store {type(term).__name__} {term!r} as an RDF term")


def from_ox(term: Any) -> Node | None:
    """An Oxigraph term as an rdflib term; plain literals come back without xsd:string (as rdflib makes them)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise StoreError(f"unexpected term from the store: {term!r}")


def _ox_triples(data: Any) -> list[ox.Triple]:
    """Triples from an rdflib Graph, an iterable of rdflib triples, or Oxigraph triples/quads."""
    out = []
    for t in (data.triples((None, None, None)) if isinstance(data, rdflib.Graph) and not isinstance(data, rdflib.Dataset) else data):
        if isinstance(t, ox.Triple):
            out.append(t)
        elif isinstance(t, ox.Quad):
            out.append(ox.Triple(t.subject, t.predicate, t.object))
        else:
            s, p, o = t[:3]
            out.append(ox.Triple(to_ox(s), to_ox(p), to_ox(o)))
    return out


def content_hash(triples: list[ox.Triple]) -> str:
    """The sum (mod 2^256) of the sha256 of each distinct triple's canonical N-Triples line
    (RDFC-1.0 relabelling when the graph has blank nodes). Independent of order, so a graph
    written in parts (the streaming build's registry, _GraphFile) gets the hash of the whole."""
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        ds = ox.Dataset([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])
        ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        lines = {str(q.subject) + " " + str(q.predicate) + " " + str(q.object) for q in ds}
    else:
        lines = {str(t) for t in triples}
    return _hash_text(sum(_line_digest(line) for line in lines))


def _line_digest(line: str) -> int:
    return int.from_bytes(hashlib.sha256(line.encode("utf-8") + b"\n").digest(), "big")


def _hash_text(total: int) -> str:
    return f"sum-sha256:{total % (1 << 256):064x}"


# --- on-disk layout ---------------------------------------------------------------------

def _current_dir(root: Path) -> Path | None:
    link = root / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = root / os.readlink(link) if link.is_symlink() else link
    return target if (target / "oxigraph").is_dir() else None


def _new_db_dir(root: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for i in range(1000):
        d = root / f"db-{stamp}-{os.getpid()}-{i}"
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise StoreError(f"{root}: cannot create a new database directory")


def _swap_current(root: Path, new: Path) -> None:
    tmp = root / f".current.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(new.name, tmp)
    os.replace(tmp, root / "current")
    _fsync_dir(root)


def _fsync_dir(d: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale(root: Path, keep: Iterable[Path]) -> None:
    keep_names = {p.name for p in keep if p is not None}
    for d in root.glob("db-*"):
        if d.name not in keep_names and d.is_dir():
            shutil.rmtree(d, ignore_errors=True)


class _Lock:
    """Exclusive writer lock on P/.lock (released when the process ends, whatever happens)."""

    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.fh = open(root / ".lock", "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise StoreError(f"{root}: the store is being written by another process; try again when it ends") from None

    def release(self) -> None:
        if not self.fh.closed:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


def du(path: Path) -> int:
    """Bytes used by the files under `path` (the store's size on disk)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_size
    return total


_META_SQL = """CREATE TABLE IF NOT EXISTS graphs (
    iri TEXT PRIMARY KEY, hash TEXT NOT NULL, source TEXT, triples INTEGER NOT NULL, updated REAL NOT NULL)"""


# --- the store --------------------------------------------------------------------------

class Store:
    """A quad store of the knowledge graph: on disk (default) or in memory (``Store.memory()``).

    ``Store(path)`` opens (creating it when missing) for writing; ``Store(path, read_only=True)``
    opens a snapshot for reading (many readers may run beside one writer).
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False,
                 _memory: bool = False, _dbdir: Path | None = None, _bulk: bool = False):
        self.read_only = read_only
        self.bulk = _bulk
        self._lock: _Lock | None = None
        self._buffer: list[ox.Quad] = []
        self._nquads: list[bytes] = []          # N-Quads waiting for the bulk loader (batch only)
        self._nquads_count = 0
        self._meta_pending = 0                  # graph records written but not yet committed
        self._dataset: rdflib.Dataset | None = None
        if _memory:
            self.root = None
            self.dbdir = None
            self._ox = ox.Store()
            self._meta = sqlite3.connect(":memory:", check_same_thread=False)
            self._meta.execute(_META_SQL)
            self._generation = None
            return
        self.root = default_store_path(path)
        if _dbdir is not None:            # a batch's new database (the batch holds the lock)
            self.dbdir = _dbdir
        else:
            if read_only:
                cur = _current_dir(self.root)
                if cur is None:
                    raise StoreError(f"{self.root}: no store here (run `kg build` first, or give --store PATH)")
                self.dbdir = cur
            else:
                self._lock = _Lock(self.root)
                cur = _current_dir(self.root)
                if cur is None:
                    cur = _new_db_dir(self.root)
                    (cur / "oxigraph").mkdir()
                    _swap_current(self.root, cur)
                _remove_stale(self.root, [cur])
                self.dbdir = cur
        self._open_db()

    # opening / closing
    def _open_db(self) -> None:
        db = self.dbdir / "oxigraph"
        meta = self.dbdir / "meta.sqlite"
        try:
            if self.read_only:
                self._ox = ox.Store.read_only(str(db))
            else:
                db.mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(str(db))
        except OSError as exc:
            raise StoreError(f"{db}: cannot open the store ({str(exc).splitlines()[0]})") from None
        if self.read_only:
            if meta.exists():
                self._meta = sqlite3.connect(f"file:{meta}?mode=ro", uri=True, check_same_thread=False)
            else:
                self._meta = sqlite3.connect(":memory:", check_same_thread=False)
                self._meta.execute(_META_SQL)
        else:
            self._meta = sqlite3.connect(str(meta), check_same_thread=False)
            self._meta.execute(_META_SQL)
            self._meta.commit()
        self._generation = self._current_generation()
        self._dataset = None

    def _current_generation(self) -> tuple | None:
        if self.root is None:
            return None
        try:
            target = os.readlink(self.root / "current")
            mtime = (self.root / target / "meta.sqlite").stat().st_mtime_ns
        except OSError:
            return None
        return (target, mtime)

    def refresh(self) -> bool:
        """Read-only stores: reopen when a writer has swapped or changed the store. True if reopened."""
        if not self.read_only or self.root is None:
            return False
        gen = self._current_generation()
        if gen is None or gen == self._generation:
            return False
        cur = _current_dir(self.root)
        if cur is None:
            return False
        self._meta.close()
        self.dbdir = cur
        self._open_db()
        return True

    @classmethod
    def memory(cls) -> "Store":
        """An in-memory store (tests and small runs)."""
        return cls(_memory=True)

    def close(self) -> None:
        if getattr(self, "_ox", None) is None:
            return
        if not self.read_only:
            self.flush()
        self._meta.close()
        self._dataset = None
        self._ox = None
        if self._lock:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph Store."""
        return self._ox

    # writing
    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")

    def replace_graph(self, graph_iri: str | URIRef, data: Any, content_hash: str | None = None,
                      source: str | None = None) -> str:
        """Make the named graph `graph_iri` hold exactly `data` (an rdflib Graph or triples).

        Returns "added", "replaced" or "unchanged" (same content hash as stored: nothing written).
        `content_hash` defaults to the hash of the triples' canonical N-Triples.
        """
        self._check_writable()
        iri = str(graph_iri)
        triples = _ox_triples(data)
        h = content_hash or globals()["content_hash"](triples)
        exists = self._graph_state(iri, h)
        if exists is None:
            return "unchanged"
        g = _named(iri)
        if self.bulk:
            if exists:
                self._flush_buffer()
                self._ox.remove_graph(g)
            self._buffer.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
            if len(self._buffer) >= BULK_FLUSH_QUADS:
                self._flush_buffer()
        else:
            self._meta.execute("DELETE FROM graphs WHERE iri = ?", (iri,))
            self._meta.commit()
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
            self._ox.update(f"DROP SILENT GRAPH <{iri}> ;\nINSERT DATA {{ GRAPH <{iri}> {{\n{body}}} }}")
            if not triples:     # INSERT DATA of nothing does not create the graph
                self._ox.add_graph(g)
        self._meta.execute("INSERT OR REPLACE INTO graphs (iri, hash, source, triples, updated) VALUES (?,?,?,?,?)",
                           (iri, h, source, len(triples), time.time()))
        self._meta.commit()
        self._dataset = None
        return "replaced" if exists else "added"

    def load_graph_nquads(self, graph_iri: str | URIRef, nquads: bytes | Path, triples: int,
                          content_hash: str | None = None, source: str | None = None) -> str:
        """replace_graph for a graph already serialised as N-Quads (all in `graph_iri`), as the
        streaming build's workers send them: in a batch the bytes go to the bulk loader as they are.
        `nquads` may be a file (of distinct quads), which the bulk loader then reads as a stream."""
        if isinstance(nquads, Path) and not self.bulk:
            nquads = nquads.read_bytes()
        if not self.bulk or content_hash is None:
            quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
            return self.replace_graph(graph_iri, [ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                                      content_hash=content_hash, source=source)
        self._check_writable()
        iri = str(graph_iri)
        exists = self._graph_state(iri, content_hash)
        if exists is None:
            return "unchanged"
        if exists:
            self._flush_buffer()
            self._ox.remove_graph(_named(iri))
        if isinstance(nquads, Path):
            self._flush_buffer()
            self._ox.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        else:
            self._nquads.append(nquads)
            self._nquads_count += triples
            if self._nquads_count >= BULK_FLUSH_QUADS:
                self._flush_buffer()
        self._meta.execute("INSERT OR REPLACE INTO graphs (iri, hash, source, triples, updated) VALUES (?,?,?,?,?)",
                           (iri, content_hash, source, triples, time.time()))
        self._meta_pending += 1
        if self._meta_pending >= 500:
            self._meta.commit()
            self._meta_pending = 0
        self._dataset = None
        return "replaced" if exists else "added"

    def _graph_state(self, iri: str, content_hash: str) -> bool | None:
        """Whether the graph is there (True/False), or None when it is there with this content hash."""
        row = self._meta.execute("SELECT hash FROM graphs WHERE iri = ?", (iri,)).fetchone()
        exists = row is not None or self._ox.contains_named_graph(_named(iri))
        if row is not None and row[0] == content_hash and exists:
            return None
        return exists

    def change_graph(self, graph_iri: str | URIRef, add: Any = (), remove: Any = ()) -> str:
        """Remove triples from and add triples to one named graph, in one transaction, without
        rewriting the rest of it (`kg add` changes a few records of a registry of millions of
        triples). Returns "added", "replaced" or "unchanged" (nothing to change).

        The recorded content hash stays exact: it is a sum over the graph's triples, so it moves
        by the difference (recomputed from the stored graph when blank nodes are involved or
        the recorded hash is of another kind)."""
        self._check_writable()
        iri = str(graph_iri)
        g = _named(iri)
        self._flush_buffer()
        gone = {t for t in _ox_triples(remove) if ox.Quad(t.subject, t.predicate, t.object, g) in self._ox}
        new = {t for t in _ox_triples(add) if t in gone or ox.Quad(t.subject, t.predicate, t.object, g) not in self._ox}
        gone, new = gone - new, new - gone
        existed = self.has_graph(iri)
        if not gone and not new and existed:
            return "unchanged"
        row = self._meta.execute("SELECT hash, source, triples FROM graphs WHERE iri = ?", (iri,)).fetchone()
        old_hash, source, count = row if row is not None else ("", None, 0)
        body = []
        if gone:
            body.append(f"DELETE DATA {{ GRAPH <{iri}> {{\n{ox.serialize(gone, format=ox.RdfFormat.N_TRIPLES).decode()}}} }}")
        if new:
            body.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{ox.serialize(new, format=ox.RdfFormat.N_TRIPLES).decode()}}} }}")
        if body:
            self._ox.update(" ;\n".join(body))
        if not existed and not new:
            self._ox.add_graph(g)
        blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in gone | new)
        if existed and old_hash.startswith("sum-sha256:") and not blank:
            total = int(old_hash.split(":", 1)[1], 16) + sum(_line_digest(str(t)) for t in new) \
                - sum(_line_digest(str(t)) for t in gone)
            h, count = _hash_text(total), count + len(new) - len(gone)
        else:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in self._ox.quads_for_pattern(None, None, None, g)]
            h, count = globals()["content_hash"](triples), len(triples)
        self._meta.execute("INSERT OR REPLACE INTO graphs (iri, hash, source, triples, updated) VALUES (?,?,?,?,?)",
                           (iri, h, source, count, time.time()))
        self._meta.commit()
        self._dataset = None
        return "replaced" if existed else "added"

    def remove_graph(self, graph_iri: str | URIRef) -> bool:
        """Delete a named graph; True if it was there."""
        self._check_writable()
        iri = str(graph_iri)
        self._flush_buffer()
        self._meta.execute("DELETE FROM graphs WHERE iri = ?", (iri,))
        self._meta.commit()
        g = _named(iri)
        if self._ox.contains_named_graph(g):
            self._ox.update(f"DROP SILENT GRAPH <{iri}>")
            return True
        return False

    def update(self, text: str) -> None:
        """Run a SPARQL Update (one transaction). The recorded content hashes are then unknown,
        so they are cleared: the next `kg add`/`kg build` reloads those graphs."""
        self._check_writable()
        self._flush_buffer()
        self._meta.execute("UPDATE graphs SET hash = '', updated = ?", (time.time(),))
        self._meta.commit()
        self._ox.update(text)
        present = {g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode)}
        known = {r[0] for r in self._meta.execute("SELECT iri FROM graphs")}
        self._meta.executemany("DELETE FROM graphs WHERE iri = ?", [(i,) for i in known - present])
        self._meta.executemany("INSERT INTO graphs (iri, hash, source, triples, updated) VALUES (?, '', NULL, 0, ?)",
                               [(i, time.time()) for i in present - known])
        self._meta.commit()
        self._dataset = None

    def load_dataset(self, ds: rdflib.Dataset, sources: Mapping[str, str] | None = None) -> dict[str, int]:
        """replace_graph for every non-empty named graph of an rdflib Dataset; counts per outcome."""
        counts = {"added": 0, "replaced": 0, "unchanged": 0}
        for g in ds.graphs():
            if g.identifier == rdflib.graph.DATASET_DEFAULT_GRAPH_ID or not isinstance(g.identifier, URIRef):
                if len(g):
                    raise StoreError("the dataset has triples outside named graphs; the store keeps each source in its own graph")
                continue
            if not len(g):
                continue
            counts[self.replace_graph(g.identifier, g, source=(sources or {}).get(str(g.identifier)))] += 1
        return counts

    def _flush_buffer(self) -> None:
        if self._buffer:
            self._ox.bulk_extend(self._buffer)
            self._buffer = []
        if self._nquads:
            # serialised by Oxigraph itself: lenient parsing skips re-validating the IRIs
            self._ox.bulk_load(input=b"".join(self._nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
            self._nquads, self._nquads_count = [], 0
        if self._meta_pending:
            self._meta.commit()
            self._meta_pending = 0

    def flush(self) -> None:
        """Write buffered quads and flush the database to disk."""
        if self.read_only or self._ox is None:
            return
        self._flush_buffer()
        if self.root is not None:
            self._ox.flush()

    # reading
    def has_graph(self, graph_iri: str | URIRef) -> bool:
        iri = str(graph_iri)
        if self._meta.execute("SELECT 1 FROM graphs WHERE iri = ?", (iri,)).fetchone():
            return True
        return self._ox.contains_named_graph(_named(iri))

    def graph_hash(self, graph_iri: str | URIRef) -> str | None:
        """The content hash recorded when the graph was written (None if absent)."""
        row = self._meta.execute("SELECT hash FROM graphs WHERE iri = ?", (str(graph_iri),)).fetchone()
        return row[0] if row and row[0] else None

    def graph_info(self) -> list[dict]:
        """Bookkeeping rows: iri, hash, source, triples, updated (epoch seconds)."""
        cur = self._meta.execute("SELECT iri, hash, source, triples, updated FROM graphs ORDER BY iri")
        return [dict(zip(("iri", "hash", "source", "triples", "updated"), r)) for r in cur]

    def named_graphs(self) -> list[str]:
        self._flush_buffer() if not self.read_only else None
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def graph(self, graph_iri: str | URIRef) -> rdflib.Graph:
        """A copy of one named graph as an in-memory rdflib Graph."""
        g = rdflib.Graph(identifier=URIRef(str(graph_iri)))
        for q in self._ox.quads_for_pattern(None, None, None, _named(str(graph_iri))):
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return g

    def quads(self, graph_iri: str | URIRef | None = None) -> Iterator[ox.Quad]:
        if not self.read_only:
            self._flush_buffer()
        return self._ox.quads_for_pattern(None, None, None, _named(str(graph_iri)) if graph_iri else None)

    def __len__(self) -> int:
        if not self.read_only:
            self._flush_buffer()
        return len(self._ox)

    def size_on_disk(self) -> int:
        return du(self.dbdir) if self.dbdir else 0

    def raw_query(self, text: str, params: Mapping[str, Any] | None = None):
        """Run SPARQL on the union of the named graphs; pyoxigraph's result object."""
        if not self.read_only:
            self._flush_buffer()
        text = bind_params(text, params)
        try:
            return self._ox.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            from .errors import QueryError
            raise QueryError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from None
        except OSError as exc:
            raise StoreError(f"store read failed: {exc}") from None

    def query(self, text: str, params: Mapping[str, Any] | None = None) -> rdflib.query.Result:
        """Run SPARQL with `params` bound as RDF terms; an rdflib Result (as Graph.query returns)."""
        res = self.raw_query(text, params)
        return ox_to_rdflib_result(res)

    def dataset(self) -> rdflib.Dataset:
        """A live rdflib view of the store (oxrdflib): queries run in Oxigraph, default graph = union."""
        if self._dataset is None:
            if not self.read_only:
                self._flush_buffer()
            self._dataset = rdflib.Dataset(store=_rdflib_store_class()(store=self._ox), default_union=True)
        return self._dataset

    def as_rdflib(self) -> rdflib.Dataset:
        """An in-memory rdflib Dataset copy of the whole store (small stores only)."""
        ds = rdflib.Dataset(default_union=True)
        for q in self.quads():
            ctx = ds.graph(from_ox(q.graph_name)) if isinstance(q.graph_name, ox.NamedNode) else ds.default_graph
            ctx.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return ds

    def dump(self, path: str | Path, fmt: str = "trig") -> Path:
        """Write the whole store to a file (trig or nq), atomically."""
        fmts = DUMP_FORMATS
        if fmt not in fmts:
            raise StoreError(f"unknown dump format {fmt!r} (use trig or nq)")
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            self._ox.dump(fh, format=fmts[fmt])
        os.replace(tmp, path)
        return path


# Oxigraph's writers of the dataset formats (Store.dump streams the whole store through them)
DUMP_FORMATS = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "nquads": ox.RdfFormat.N_QUADS}

_IRI_STOP = set('<>"{}|^`\\ \t\r\n')


def _scan_query(text: str):
    """Yield (position, token, depth) for braces and keywords outside comments, strings and
    IRIs, so the WHERE group can be found without a full parser."""
    i, n, depth = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "'\"":
            q3 = text[i:i + 3]
            if q3 == c * 3:
                j = i + 3
                while j < n and text[j:j + 3] != q3:
                    j += 2 if text[j] == "\\" else 1
                i = j + 3
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "<":
            j = i + 1
            while j < n and text[j] not in _IRI_STOP:
                j += 1
            if j < n and text[j] == ">":
                i = j + 1
                continue
        if c == "{":
            yield i, c, depth
            depth += 1
        elif c == "}":
            depth -= 1
            yield i, c, depth
        elif c.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:?$")):
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            if j >= n or text[j] != ":":
                yield i, text[i:j].upper(), depth
            i = j
            continue
        i += 1


def term_sparql(term: Any) -> str:
    """An RDF term written in SPARQL syntax (N-Triples form, escaped by Oxigraph)."""
    return str(to_ox(term))


def bind_params(text: str, params: Mapping[str, Any] | None) -> str:
    """Bind query parameters as RDF terms: a VALUES block opening the query's WHERE group.

    The terms are written by Oxigraph's N-Triples serializer (escaped), so a parameter value
    can never change the query's structure. Works for SELECT, ASK, CONSTRUCT and DESCRIBE,
    for the embedded store and for an external endpoint alike. (Oxigraph's own substitution
    requires the variable to be projected, which stored queries' parameters often are not.)
    Hint lines of the given parameters (`#+name PATTERN`, kg_builder.query.apply_hints) become
    patterns first.
    """
    params = {k.lstrip("?$"): v for k, v in (params or {}).items() if v is not None}
    if not params:
        return text
    for name in params:
        if not name.replace("_", "a").isalnum():
            raise KGError(f"bad parameter name {name!r}")
    from .query import apply_hints   # `#+name PATTERN` lines of the given parameters become patterns
    text = apply_hints(text, {k: term_sparql(v) for k, v in params.items()})
    values = " ".join(f"VALUES ?{k} {{ {term_sparql(v)} }}" for k, v in params.items())
    where_seen = False
    first_brace = None
    for pos, tok, depth in _scan_query(text):
        if depth != 0:
            continue
        if tok == "WHERE":
            where_seen = True
        elif tok == "{":
            if where_seen:
                return text[:pos + 1] + " " + values + " " + text[pos + 1:]
            if first_brace is None:
                first_brace = pos
    if first_brace is not None and not re.match(r"(?is)\s*(?:(?:PREFIX|BASE)\b[^{]*?)*CONSTRUCT\b", _strip_comments(text)):
        return text[:first_brace + 1] + " " + values + " " + text[first_brace + 1:]
    raise KGError("cannot bind parameters: the query has no WHERE group")


def _strip_comments(text: str) -> str:
    return re.sub(r"(?m)^\s*#.*$", "", text)


@lru_cache(maxsize=1)
def _rdflib_store_class():
    """oxrdflib's rdflib Store, with our parameter binding and rdflib-style plain literals."""
    from oxrdflib import OxigraphStore
    from oxrdflib._converter import to_ox_quad_pattern

    class KGOxigraphStore(OxigraphStore):
        def query(self, query, initNs, initBindings, queryGraph, **kwargs):  # noqa: N803
            if not isinstance(query, str):
                raise StoreError("the store runs SPARQL text, not pre-parsed queries")
            prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in dict(initNs or {}).items())
            text = bind_params(prefixes + query, initBindings)
            res = self._inner.query(text, use_default_graph_as_union=queryGraph == "__UNION__",
                                    default_graph=(to_ox(queryGraph) if isinstance(queryGraph, URIRef) else None))
            return ox_to_rdflib_result(res)

        def triples(self, triple_pattern, context=None):
            try:
                quads = self._inner.quads_for_pattern(*to_ox_quad_pattern(triple_pattern, context))
            except (TypeError, ValueError):
                return iter(())
            from oxrdflib._converter import from_ox_graph_name
            return (((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)),
                     iter((from_ox_graph_name(q.graph_name, self),))) for q in quads)

    return KGOxigraphStore


def ox_to_rdflib_result(res: Any) -> rdflib.query.Result:
    from rdflib.query import Result
    from rdflib.term import Variable

    if isinstance(res, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(res)
        return out
    if isinstance(res, ox.QuerySolutions):
        out = Result("SELECT")
        out.vars = [Variable(v.value) for v in res.variables]
        names = out.vars
        out.bindings = [{v: from_ox(val) for v, val in zip(names, sol) if val is not None} for sol in res]
        return out
    out = Result("CONSTRUCT")
    g = rdflib.Graph()
    for t in res:
        g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    out.graph = g
    return out


@contextlib.contextmanager
def open_batch(path: str | Path | None = None, fresh: bool = False, _lock: bool = True) -> Iterator[Store]:
    """Write many graphs into a copy of the store; swap it in only when the block succeeds.

    `fresh=True` starts from an empty store (a full rebuild); otherwise the live store is
    checkpointed first (hard links) so unchanged graphs are kept and recognised by their hash.
    """
    root = default_store_path(path)
    lock = _Lock(root) if _lock else None
    new = None
    st = None
    try:
        cur = _current_dir(root)
        _remove_stale(root, [cur])
        new = _new_db_dir(root)
        if cur is not None and not fresh:
            src = ox.Store.read_only(str(cur / "oxigraph"))
            src.backup(str(new / "oxigraph"))
            del src
            if (cur / "meta.sqlite").exists():
                with sqlite3.connect(f"file:{cur / 'meta.sqlite'}?mode=ro", uri=True) as a, \
                        sqlite3.connect(str(new / "meta.sqlite")) as b:
                    a.backup(b)
        st = Store(root, _dbdir=new, _bulk=True)
        yield st
        st.flush()
        st.close()
        st = None
        _swap_current(root, new)
        new = None
        _remove_stale(root, [_current_dir(root)])
    finally:
        if st is not None:
            with contextlib.suppress(Exception):
                st.close()
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)
        if lock is not None:
            lock.release()


# --- writing a build into the store ------------------------------------------------------

def sync_dataset(ds: rdflib.Dataset, path: str | Path | None = None, sources: Mapping[str, str] | None = None,
                 fresh: bool = False) -> dict[str, Any]:
    """Make the store at `path` hold exactly the named graphs of `ds` (a whole in-memory build).

    Unchanged graphs (same content hash) are kept as they are; graphs of an earlier build that
    this one no longer produces are removed. Atomic: all or nothing (see open_batch).
    """
    with open_batch(path, fresh=fresh) as st:
        before = set(st.named_graphs())
        counts: dict[str, Any] = st.load_dataset(ds, sources)
        keep = {str(g.identifier) for g in ds.graphs() if isinstance(g.identifier, URIRef) and len(g)}
        counts["removed"] = 0
        for gname in sorted(before - keep):
            st.remove_graph(gname)
            counts["removed"] += 1
        counts["quads"] = len(st)
        root = st.root
    counts["path"] = str(root)
    counts["bytes"] = du(root)
    return counts


def _slim(doc):
    """What pass 1 keeps of a document: header and citations (for resolve) and the summary of its
    extras the graph extensions need across documents (registry_extras), without text or facts."""
    import dataclasses

    from . import graph
    from .models import CleanText

    extras: dict = {}
    for ext in graph._extensions():
        summary = getattr(ext, "registry_extras", None)
        if summary is not None:
            extras.update(summary(doc.extras))
    return dataclasses.replace(
        doc, text=CleanText(original="", text="", offsets=[0]), sections=[], extras=extras,
        citations=[dataclasses.replace(c, evidence=None) for c in doc.citations])


def _extract_to_cache(args: tuple[str, str, int]) -> tuple:
    """Pass 1 worker: extract one file, keep the full result on disk, return the slim part."""
    import pickle
    import zlib

    from .pipeline import extract_file, gazetteer_delta

    path, cachedir, index = args
    try:
        doc = extract_file(path)
    except KGError as exc:
        return ("error", str(exc), None, gazetteer_delta())
    cache = Path(cachedir) / f"{index:07d}.pkl.z"
    cache.write_bytes(zlib.compress(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL), 1))
    return ("ok", _slim(doc), str(cache), gazetteer_delta())


def _graph_worker_init(agencies: dict, states: dict) -> None:
    """A pass-2 worker is a new process, not a fork of the parent (whose heap it would copy as it
    allocates): it is given the local agencies the parent's gazetteer learned instead, and
    the state the graph extensions' prepare() left in the parent (exported_state)."""
    from . import graph
    from .pipeline import merge_gazetteer

    merge_gazetteer(agencies)
    for ext in graph._extensions():
        if ext.__name__ in states:
            ext.import_state(states[ext.__name__])


def _extension_states() -> dict:
    from . import graph

    return {ext.__name__: ext.exported_state() for ext in graph._extensions() if hasattr(ext, "exported_state")}


class _Heads:
    """Pass 1's slim documents (header and the summary of the extras; no citations) in a SQLite
    file of the build's temporary directory, read back in order as often as asked: nothing is
    kept in memory per document between the passes."""

    def __init__(self, path: Path):
        import sqlite3

        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE heads (n INTEGER PRIMARY KEY, cache TEXT, source TEXT, issuer TEXT, "
                         "body BLOB)")
        self._count = 0

    def append(self, cache: str, doc) -> None:
        import pickle
        import zlib

        self._db.execute("INSERT INTO heads VALUES (?, ?, ?, ?, ?)",
                         (self._count, cache, doc.source, doc.header.issuer_id,
                          zlib.compress(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL), 1)))
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator:
        import pickle
        import zlib

        for (body,) in self._db.execute("SELECT body FROM heads ORDER BY n"):
            yield pickle.loads(zlib.decompress(body))

    def documents(self) -> Iterator[tuple[str, str, str | None]]:
        """(cache file, source, issuer id) of each document, in order."""
        yield from self._db.execute("SELECT cache, source, issuer FROM heads ORDER BY n")

    def close(self) -> None:
        self._db.close()


def _graph_job(task: tuple) -> tuple:
    """Pass 2: one document's named graphs as N-Quads (with their content hashes), from its
    cached extraction and its part of the registry (the extensions' corpus-wide state being
    prepared); and what it adds to the registry graph, as N-Triples."""
    import pickle
    import zlib

    from . import graph

    cache_file, registry, base_iri, reason, global_graphs = task
    doc = pickle.loads(zlib.decompress(Path(cache_file).read_bytes()))
    ds = graph.build_dataset([doc], registry, base_iri=base_iri, corpus=False)
    out = []
    minter = graph.Minter(base_iri)
    reg_iri = str(minter.registry_graph())
    doc_prefix = minter.base + "doc/"
    shared: list[ox.Triple] = []
    for g in ds.graphs():
        if str(g.identifier) == reg_iri:
            # what the document adds to the registry beyond the document records (the agencies,
            # places, concepts its facts refer to): merged into the registry graph
            shared = [t for t in _ox_triples(g) if not (isinstance(t.subject, ox.NamedNode)
                                                        and t.subject.value.startswith(doc_prefix))]
        if not isinstance(g.identifier, URIRef) or str(g.identifier) in global_graphs or not len(g):
            continue
        if reason:
            from . import reason as reasoning
            reasoning.materialise_graph(g)
        triples = _ox_triples(g)
        name = _named(str(g.identifier))
        out.append((str(g.identifier), content_hash(triples),
                    ox.serialize((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples),
                                 format=ox.RdfFormat.N_QUADS), len(triples)))
    Path(cache_file).unlink(missing_ok=True)
    return doc.source, doc.sha256, out, ox.serialize(shared, format=ox.RdfFormat.N_TRIPLES) if shared else b""


def _in_order(pool, fn, tasks: Iterable, window: int) -> Iterator:
    """pool.map with at most `window` tasks submitted at a time (map would take them all at
    once, and each carries its part of the registry)."""
    from collections import deque

    pending: deque = deque()
    for task in tasks:
        pending.append(pool.submit(fn, task))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class _GraphFile:
    """One named graph written to an N-Quads file part by part, never held whole in memory, and
    its content_hash (which does not depend on the order of the triples; no blank nodes here).

    Parts given as `distinct` are known to share no triple with any other part (the registry's
    records); the others are checked against what was written before (agencies, places,
    concepts: a bounded vocabulary that documents describe again and again).
    """

    def __init__(self, path: Path, iri: str):
        self.path, self._graph = path, f" {_named(iri)} .\n"
        self._fh = open(path, "w", encoding="utf-8")
        self._sum = 0
        self._count = 0
        self._seen: set[int] = set()

    def add(self, triples: Iterable[ox.Triple], distinct: bool) -> None:
        for t in triples:
            line = str(t)
            digest = _line_digest(line)
            if not distinct:
                if digest in self._seen:
                    continue
                self._seen.add(digest)
            self._sum += digest
            self._count += 1
            self._fh.write(line + self._graph)

    def close(self) -> tuple[Path, int, str]:
        """(the file, its number of triples, its content hash)."""
        if not self._fh.closed:
            self._fh.close()
        return self.path, self._count, _hash_text(self._sum)


def _write_corpus_graphs(heads, resolver, base_iri, reason: bool, registry_file: "_GraphFile") -> list:
    """Write the registry graph of `resolver` (a resolve.Resolver that has run) into
    `registry_file`, piece by piece; return the other corpus-wide graphs (the entailments across
    documents, when the build reasons)."""
    from . import graph

    if reason:
        from . import reason as reasoning
        # entailments across the registry need it whole (the pieces' union is the same graph)
        reg_ds = graph.build_dataset(heads, resolver.registry(), base_iri=base_iri, documents=False)
        reasoning.materialise(reg_ds)
        others = []
        for g in reg_ds.graphs():
            if isinstance(g.identifier, URIRef) and len(g):
                if g.identifier == graph.Minter(base_iri).registry_graph():
                    registry_file.add(_ox_triples(g), distinct=False)
                else:
                    others.append(g)
        return others
    # every piece but the last holds only records (distinct subjects); the last has the
    # agencies and concepts that documents' graphs describe again
    pieces = graph.registry_pieces(heads, resolver, base_iri=base_iri)
    last = next(pieces)
    for piece in pieces:
        registry_file.add(_ox_triples(last), distinct=True)
        last = piece
    registry_file.add(_ox_triples(last), distinct=False)
    return []


def _entailed_across_documents(st: "Store", base_iri: str | None) -> list[rdflib.Graph]:
    """The entailments that join documents (the transitive kg:drivenBy of graph_tasks, as the
    in-memory build's reason.materialise makes them), read from the graphs already stored."""
    try:
        from .graph_tasks import DRIVEN_BY_PROPS, materialise_drives
    except ImportError:
        return []
    from . import graph
    from . import reason as reasoning
    from .namespace import KG

    st.flush()
    stored = st.dataset()
    edges = rdflib.Dataset(default_union=True)
    g = edges.graph(graph.Minter(base_iri).registry_graph())
    for p in (*DRIVEN_BY_PROPS, KG.drives):
        for t in stored.triples((None, p, None)):
            g.add(t[:3])
    materialise_drives(edges, base_iri)
    out = [x for x in edges.graphs() if x.identifier != g.identifier and isinstance(x.identifier, URIRef) and len(x)]
    for x in out:
        reasoning.materialise_graph(x)
    return out


def _shared_triples(ntriples: bytes, reason: bool) -> list[ox.Triple]:
    """What a document adds to the registry graph (N-Triples from its graph job), with the
    entailments of each triple when the build reasons (they depend on that triple alone)."""
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    if not reason:
        return triples
    from . import reason as reasoning

    g = rdflib.Graph()
    for t in triples:
        g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    reasoning.materialise_graph(g)
    return _ox_triples(g)


def _pool(jobs: int, method: str = "fork", initializer=None, initargs: tuple = ()):
    import concurrent.futures as cf
    import multiprocessing as mp

    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context(method),
                                  initializer=initializer, initargs=initargs)


def _rename_graph(nquads: bytes, old: str, new: str) -> bytes:
    return nquads.replace(f"<{old}>".encode(), f"<{new}>".encode())


def stream_build(files: list[Path], path: str | Path | None = None, base_iri: str | None = None,
                 jobs: int = 1, reason: bool = False, progress=None, problems: list[str] | None = None,
                 fresh: bool = False) -> dict[str, Any]:
    """Build straight into the store, one document graph at a time (bounded memory).

    Pass 1 extracts every file (in `jobs` processes), keeping each full result compressed in a
    temporary directory, its header and citations in the resolver's database there and its
    header and the summary of its extras in a second database (`_Heads`); the registry is
    resolved in the first and read from it a part at a time; pass 2 builds each document's named
    graph (in `jobs` processes) and the store's bulk loader takes it at once. What grows with
    the corpus in memory: the names of the graphs loaded, the merged programme/project names
    (graph_tasks) and, with `reason`, the registry graph, reasoned over whole.
    """
    problems = problems if problems is not None else []
    root = default_store_path(path)
    lock = _Lock(root)          # held for both passes: one build at a time per store
    try:
        for stale in root.glob(".build-*"):     # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        return _stream_build(files, root, base_iri, jobs, reason, progress, problems, fresh)
    finally:
        lock.release()


def _stream_build(files, root, base_iri, jobs, reason, progress, problems, fresh) -> dict[str, Any]:
    import dataclasses
    import tempfile

    from . import graph, resolve

    stats: dict[str, Any] = {"documents": 0, "citations": 0, "triples": 0}
    # resolution runs in a database in the temporary directory, fed as documents are extracted
    with tempfile.TemporaryDirectory(prefix=".build-", dir=root) as cachedir, \
            resolve.Resolver(Path(cachedir) / "resolve.sqlite") as resolver:
        # pass 1: extract; what is kept of a document apart from its cached extraction is its
        # header and the summary of its extras (`heads`, on disk): the graphs made from all
        # documents together (the registry graph, and any the graph extensions declare) depend
        # on those, not on text or citations
        heads = _Heads(Path(cachedir) / "heads.sqlite")
        tasks = [(str(f), cachedir, i) for i, f in enumerate(files)]
        results = map(_extract_to_cache, tasks) if jobs <= 1 else None
        pool = _pool(jobs) if jobs > 1 else None
        try:
            if pool is not None:
                results = pool.map(_extract_to_cache, tasks, chunksize=4)
            from .pipeline import merge_gazetteer
            for (status, value, cache, delta), (fname, _d, _i) in zip(results, tasks):
                if pool is not None:
                    merge_gazetteer(delta)
                if status == "error":
                    problems.append(value)
                else:
                    resolver.add_document(value)
                    heads.append(cache, dataclasses.replace(value, citations=[]))
                if progress:
                    progress(fname)
        finally:
            if pool is not None:
                pool.shutdown()
        if not heads:
            from .errors import InputError
            raise InputError("; ".join(problems) or "no input files")
        resolver.run()
        stats.update(resolver.counts())
        from .gazetteer import Gazetteer

        minter = graph.Minter(base_iri)
        reg_iri = str(minter.registry_graph())
        global_graphs = {reg_iri} | {
            minter.base + ext.INFERRED_GRAPH for ext in graph._extensions() if isinstance(getattr(ext, "INFERRED_GRAPH", None), str)}
        registry_file = _GraphFile(Path(cachedir) / "registry.nq", reg_iri)
        # this also runs the extensions' prepare() on all documents (state kept for pass 2)
        other_graphs = _write_corpus_graphs(heads, resolver, base_iri, reason, registry_file)
        tasks = ((cache, resolver.sub_registry(source, issuer), base_iri, reason, global_graphs)
                 for cache, source, issuer in heads.documents())
        counts = {"added": 0, "replaced": 0, "unchanged": 0, "removed": 0}
        taken: set[str] = set(global_graphs)
        try:
            with open_batch(root, fresh=fresh, _lock=False) as st:
                before = set(st.named_graphs())
                pool = _pool(jobs, "spawn", _graph_worker_init,
                             (dict(getattr(Gazetteer.default(), "_instances", {})), _extension_states())) \
                    if jobs > 1 else None
                try:
                    results = _in_order(pool, _graph_job, tasks, 4 * jobs) if pool else map(_graph_job, tasks)
                    for source, sha, graphs, shared in results:
                        if shared:
                            registry_file.add(_shared_triples(shared, reason), distinct=False)
                        for gname, h, nq, n in graphs:
                            if gname in taken:      # two files of one document: keep them apart
                                new = str(minter.graph(f"src-{sha[:16]}"))
                                if new in taken:
                                    new = str(minter.graph(f"src-{sha[:16]}-{graph.slugify(Path(source).name)}"))
                                nq = _rename_graph(nq, gname, new)
                                gname, h = new, None
                            taken.add(gname)
                            counts[st.load_graph_nquads(gname, nq, n, content_hash=h, source=source)] += 1
                            stats["triples"] += n
                        if progress:
                            progress(source)
                finally:
                    if pool is not None:
                        pool.shutdown()
                path, n, digest = registry_file.close()
                counts[st.load_graph_nquads(reg_iri, path, n, content_hash=digest)] += 1
                stats["triples"] += n
                if reason:
                    other_graphs.extend(_entailed_across_documents(st, base_iri))
                for g in other_graphs:
                    counts[st.replace_graph(g.identifier, g)] += 1
                    stats["triples"] += len(g)
                del other_graphs
                for gname in sorted(before - taken):
                    st.remove_graph(gname)
                    counts["removed"] += 1
                counts["quads"] = len(st)
        finally:
            registry_file.close()
            heads.close()
    counts["path"] = str(root)
    counts["bytes"] = du(root)
    stats["store"] = counts
    return stats
