"""The persistent store: replace/skip by content hash, atomic batches, queries with bound params."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef

from kg_builder.errors import KGError
from kg_builder.store import Store, open_batch

EX = "https://w3id.org/vngovkg/id/"
TRIG = textwrap.dedent(f"""
    @prefix kg: <https://w3id.org/vngovkg/ont#> .
    @prefix eli: <http://data.europa.eu/eli/ontology#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{EX}graph/a> {{
      <{EX}doc/ubnd-tinh-lang-son/2023/79-qd-ubnd> a kg:Decision ;
          eli:id_local "79/QĐ-UBND" ; eli:title "Quyết định về kế hoạch"@vi ;
          eli:date_document "2023-01-18"^^xsd:date ;
          kg:basedOn <{EX}doc/chinh-phu/2022/01-nq-cp> .
    }}
    <{EX}graph/b> {{
      <{EX}doc/ubnd-tinh-lang-son/2022/12-bc-ubnd> a kg:Report ;
          eli:id_local "12/BC-UBND" ;
          kg:cites <{EX}doc/chinh-phu/2022/01-nq-cp> , <{EX}doc/ubnd-tinh-lang-son/2023/79-qd-ubnd> .
      [] a kg:Mention ; kg:start 10 ; kg:end 25 ; kg:exact "Nghị quyết số 01/NQ-CP" .
    }}
    <{EX}graph/registry> {{
      <{EX}doc/chinh-phu/2022/01-nq-cp> a kg:Resolution ; eli:id_local "01/NQ-CP" .
    }}
""")

CITED = "PREFIX kg: <https://w3id.org/vngovkg/ont#> SELECT ?src WHERE { ?src kg:cites|kg:basedOn ?doc } ORDER BY ?src"


def fixture_dataset() -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(data=TRIG, format="trig")
    return ds


@pytest.fixture
def disk_store(tmp_path):
    path = tmp_path / "store"
    with open_batch(path) as st:
        st.load_dataset(fixture_dataset())
    return path


def test_load_and_query_with_bound_parameter(disk_store):
    with Store(disk_store, read_only=True) as st:
        assert st.named_graphs() == [EX + "graph/a", EX + "graph/b", EX + "graph/registry"]
        assert len(st) == 15
        res = st.query(CITED, {"doc": URIRef(EX + "doc/chinh-phu/2022/01-nq-cp")})
        assert [str(r.src) for r in res] == [EX + "doc/ubnd-tinh-lang-son/2022/12-bc-ubnd",
                                              EX + "doc/ubnd-tinh-lang-son/2023/79-qd-ubnd"]
        res = st.query(CITED, {"doc": URIRef(EX + "doc/ubnd-tinh-lang-son/2023/79-qd-ubnd")})
        assert [str(r.src) for r in res] == [EX + "doc/ubnd-tinh-lang-son/2022/12-bc-ubnd"]
        # a parameter is a term, not text: an injection attempt matches nothing
        res = st.query("SELECT ?d WHERE { ?d <http://data.europa.eu/eli/ontology#id_local> ?id }",
                       {"id": Literal('79/QĐ-UBND" } UNION { ?d ?p ?o')})
        assert list(res) == []
        # plain literals come back as rdflib makes them (no xsd:string), tagged ones keep the tag
        row = next(iter(st.query("SELECT ?id ?t WHERE { ?d <http://data.europa.eu/eli/ontology#id_local> ?id ; "
                                 "<http://data.europa.eu/eli/ontology#title> ?t }")))
        assert row.id == Literal("79/QĐ-UBND") and row.t == Literal("Quyết định về kế hoạch", lang="vi")
        # GRAPH ?g sees each source's graph
        gs = {str(r.g) for r in st.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?c } }")}
        assert gs == {EX + "graph/a", EX + "graph/b", EX + "graph/registry"}


def test_replace_unchanged_and_changed(disk_store):
    with Store(disk_store) as st:
        g = fixture_dataset().graph(URIRef(EX + "graph/a"))
        h = st.graph_hash(EX + "graph/a")
        assert h and h.startswith("sum-sha256:")
        assert st.replace_graph(EX + "graph/a", g) == "unchanged"
        g.add((URIRef(EX + "doc/x"), URIRef(EX + "p"), Literal("mới")))
        assert st.replace_graph(EX + "graph/a", g) == "replaced"
        assert st.graph_hash(EX + "graph/a") != h
        assert len(st.graph(EX + "graph/a")) == 6
        assert st.replace_graph(EX + "graph/c", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal(1))]) == "added"
        assert st.has_graph(EX + "graph/c") and not st.has_graph(EX + "graph/zzz")
        assert st.remove_graph(EX + "graph/c") and not st.has_graph(EX + "graph/c")
    # the changes are on disk for a new reader
    with Store(disk_store, read_only=True) as st:
        assert len(st.graph(EX + "graph/a")) == 6
        assert EX + "graph/c" not in st.named_graphs()


def test_change_graph_keeps_the_content_hash_exact(disk_store):
    """A graph changed triple by triple has the hash it would have if written whole."""
    from kg_builder.store import content_hash, _ox_triples

    with Store(disk_store) as st:
        g = fixture_dataset().graph(URIRef(EX + "graph/a"))
        old = next(iter(g))
        extra = (URIRef(EX + "doc/x"), URIRef(EX + "p"), Literal("mới"))
        assert st.change_graph(EX + "graph/a", add=[extra], remove=[old]) == "replaced"
        g.remove(old)
        g.add(extra)
        assert st.graph_hash(EX + "graph/a") == content_hash(_ox_triples(g))
        assert set(st.graph(EX + "graph/a")) == set(g)
        assert st.replace_graph(EX + "graph/a", g) == "unchanged"
        assert st.change_graph(EX + "graph/a", add=[extra]) == "unchanged"
    with Store(disk_store, read_only=True) as st:
        assert set(st.graph(EX + "graph/a")) == set(g)


def test_blank_node_graph_hash_is_stable(disk_store):
    with Store(disk_store) as st:
        g = fixture_dataset().graph(URIRef(EX + "graph/b"))   # a fresh parse: new blank node labels
        assert st.replace_graph(EX + "graph/b", g) == "unchanged"


def test_interrupted_batch_leaves_previous_store(disk_store):
    with pytest.raises(RuntimeError):
        with open_batch(disk_store) as st:
            st.replace_graph(EX + "graph/a", [])
            st.replace_graph(EX + "graph/new", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("x"))])
            raise RuntimeError("killed")
    with Store(disk_store, read_only=True) as st:
        assert EX + "graph/new" not in st.named_graphs()
        assert len(st.graph(EX + "graph/a")) == 5
    assert len(list(disk_store.glob("db-*"))) == 1


def test_killed_build_process_leaves_previous_store(disk_store):
    code = textwrap.dedent(f"""
        import os
        from rdflib import URIRef, Literal
        from kg_builder.store import open_batch
        with open_batch({str(disk_store)!r}) as st:
            for i in range(50):
                st.replace_graph("{EX}graph/k%d" % i, [(URIRef("{EX}s"), URIRef("{EX}p"), Literal(i))])
            st.flush()
            os._exit(9)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert r.returncode == 9
    with Store(disk_store, read_only=True) as st:
        assert not any("/graph/k" in g for g in st.named_graphs())
        assert len(st) == 15
    # the next writer cleans the abandoned copy up
    with open_batch(disk_store) as st:
        assert st.replace_graph(EX + "graph/a", fixture_dataset().graph(URIRef(EX + "graph/a"))) == "unchanged"
    assert len(list(disk_store.glob("db-*"))) == 1


def test_reader_refreshes_after_a_write(disk_store):
    reader = Store(disk_store, read_only=True)
    with Store(disk_store) as st:
        st.replace_graph(EX + "graph/c", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("x"))])
    assert EX + "graph/c" not in reader.named_graphs()       # a snapshot
    assert reader.refresh()
    assert EX + "graph/c" in reader.named_graphs()
    with open_batch(disk_store, fresh=True) as st:
        st.replace_graph(EX + "graph/only", [(URIRef(EX + "s"), URIRef(EX + "p"), Literal("y"))])
    assert reader.refresh()
    assert reader.named_graphs() == [EX + "graph/only"]
    reader.close()


def test_second_writer_is_refused(disk_store):
    with Store(disk_store):
        with pytest.raises(KGError, match="another process"):
            Store(disk_store)


def test_missing_store_is_one_line_error(tmp_path):
    with pytest.raises(KGError, match="no store here"):
        Store(tmp_path / "nothing", read_only=True)


def test_rdflib_views_agree_with_store_queries(disk_store):
    with Store(disk_store, read_only=True) as st:
        mem = st.as_rdflib()
        assert len(mem) == 15
        a = sorted(str(r.src) for r in st.query(CITED))
        b = sorted(str(r.src) for r in mem.query(CITED))
        assert a == b and len(a) == 3
        live = st.dataset()
        c = sorted(str(r.src) for r in live.query(CITED, initBindings={"doc": URIRef(EX + "doc/chinh-phu/2022/01-nq-cp")}))
        assert len(c) == 2


def test_memory_store_and_dump(tmp_path):
    st = Store.memory()
    counts = st.load_dataset(fixture_dataset())
    assert counts == {"added": 3, "replaced": 0, "unchanged": 0}
    assert st.load_dataset(fixture_dataset()) == {"added": 0, "replaced": 0, "unchanged": 3}
    out = st.dump(tmp_path / "all.trig")
    back = rdflib.Dataset()
    back.parse(out, format="trig")
    assert len(back) == 15


def test_kg_export_dumps_the_store_for_a_bulk_loader(corpus_store, tmp_path):
    """`kg export --store PATH --format nq -o FILE`: every quad of the store, written atomically."""
    import pyoxigraph as ox

    out = tmp_path / "all.nq"
    proc = subprocess.run([sys.executable, "-c", "from kg_builder.cli import main; main()", "export", "--store",
                           str(corpus_store), "--format", "nq", "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with Store(corpus_store, read_only=True) as st:
        stored = {str(q) for q in st.oxigraph}
    dumped = {str(q) for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
    assert dumped == stored and len(stored) > 10_000
    assert not list(tmp_path.glob("*.tmp"))
    proc = subprocess.run([sys.executable, "-c", "from kg_builder.cli import main; main()", "export", "--store",
                           str(corpus_store), "--format", "ttl"], capture_output=True, text=True)
    assert proc.returncode != 0 and "nq or trig" in proc.stderr and "Traceback" not in proc.stderr


# --- the corpus: streaming build into the store ---------------------------------------------

def test_streaming_build_equals_in_memory_build(corpus_store, corpus_dataset):
    """`kg build --no-export` (one document graph at a time, 2 processes) stores exactly the
    graphs the in-memory build exports."""
    from collections import Counter
    from decimal import Decimal

    import pyoxigraph as ox

    from kg_builder.store import _ox_triples

    def norm(t):
        # graph.trig was read back: Turtle's short forms change lexical forms ("14" -> "14.0")
        # but not values; blank node labels are local to a file
        def term(x):
            if isinstance(x, ox.BlankNode):
                return "_"
            if isinstance(x, ox.Literal) and x.datatype.value.endswith(("#decimal", "#double", "#integer")):
                return (x.datatype.value, Decimal(x.value))
            return str(x)
        return tuple(term(x) for x in (t.subject, t.predicate, t.object))

    expected = {str(g.identifier): g for g in corpus_dataset.graphs()
                if isinstance(g.identifier, URIRef) and len(g)}
    with Store(corpus_store, read_only=True) as st:
        assert set(st.named_graphs()) == set(expected)
        assert any(name.endswith("/graph/registry") for name in expected)
        for name, g in expected.items():
            here = Counter(map(norm, _ox_triples(st.quads(name))))
            there = Counter(map(norm, _ox_triples(g)))
            assert here == there, (name, list((here - there).items())[:3], list((there - here).items())[:3])
        # the bookkeeping knows each source graph's file
        sources = {r["iri"]: r["source"] for r in st.graph_info()}
        assert sum(1 for s in sources.values() if s and s.endswith(".txt")) == len(expected) - 1


def test_registry_pieces_make_the_registry_graph(corpus_docs):
    """The streamed registry graph: its pieces' union is the registry graph of the whole build,
    and every piece but the last holds only records (so they need no duplicate check)."""
    from kg_builder import graph, resolve

    docs = list(corpus_docs.values())
    registry = resolve.resolve(docs)
    whole = graph.build_dataset(docs, registry, documents=False).graph(graph.Minter().registry_graph())
    pieces = list(graph.registry_pieces(docs, registry, records_per_piece=25))
    assert len(pieces) == len(registry.documents) // 25 + 1 > 2
    union = set()
    for piece in pieces:
        union |= set(piece)
    assert union == set(whole)
    doc_prefix = graph.Minter().base + "doc/"
    for piece in pieces[:-1]:
        assert len({s for s in piece.subjects()}) == 25
        assert all(str(s).startswith(doc_prefix) for s in piece.subjects())


def test_streaming_build_with_reasoning_equals_in_memory_build(tmp_path, corpus_docs):
    """`kg build --reason --no-export` stores the graphs of the in-memory reasoned build, the
    entailments joining documents (transitive kg:drivenBy) included."""
    from kg_builder import graph, reason, resolve
    from kg_builder.pipeline import build
    from kg_builder.store import _ox_triples

    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    files = sorted(raw.glob("*.txt"), key=lambda p: p.stat().st_size)[:2]
    build(files, None, store=tmp_path / "st", reason=True)
    docs = [corpus_docs[f.name] for f in files]
    ds = graph.build_dataset(docs, resolve.resolve(docs))
    reason.materialise(ds)
    expected = {str(g.identifier): set(map(str, _ox_triples(g))) for g in ds.graphs()
                if isinstance(g.identifier, URIRef) and len(g)}
    assert any(name.endswith("/graph/inferred-drives") for name in expected)
    with Store(tmp_path / "st", read_only=True) as st:
        stored = {name: set(map(str, _ox_triples(st.quads(name)))) for name in st.named_graphs()}
    assert stored == expected


def test_cli_build_writes_store_incrementally(tmp_path):
    from typer.testing import CliRunner

    from kg_builder.cli import app

    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    src = min(raw.glob("*.txt"), key=lambda p: p.stat().st_size)
    inputs = tmp_path / "in"
    inputs.mkdir()
    doc = inputs / src.name
    doc.write_bytes(src.read_bytes())
    store = tmp_path / "store"
    runner = CliRunner()

    def build(*extra):
        r = runner.invoke(app, ["build", str(inputs), "--store", str(store), "--format", "json", *extra])
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)

    first = build("-o", str(tmp_path / "out"))
    assert (tmp_path / "out" / "graph.trig").exists()
    assert first["store"]["added"] == 2 and first["store"]["quads"] > 100      # the source + the registry
    again = build("--no-export")
    assert again["store"]["unchanged"] == 2 and again["store"]["added"] == again["store"]["replaced"] == 0
    assert again["store"]["quads"] == first["store"]["quads"]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nCăn cứ Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ.\n",
                   encoding="utf-8")
    changed = build("--no-export")
    st = changed["store"]
    # both graphs change: the registry is replaced; the source graph too, or - when it is named
    # after the file's content hash (a draft without a number) - the new one added, the old removed
    assert st["unchanged"] == 0 and st["replaced"] + st["added"] == 2 and st["removed"] == st["added"]
    assert st["quads"] > first["store"]["quads"]
    # `kg query` reads the store by default when there is one
    r = runner.invoke(app, ["query", "documents", "--store", str(store), "-f", "csv"])
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) >= 2


def test_parameters_used_beside_a_union_take_effect_in_the_store(corpus_store):
    """A parameter is bound by a VALUES block around the query: a FILTER inside a UNION branch
    does not see it (SPARQL scoping, as in Oxigraph and Virtuoso), so the queries test it outside."""
    from kg_builder import query as kgq

    ds = Store(corpus_store, read_only=True).dataset()
    every = list(kgq.run(ds, kgq.load_query("task-driven-by"), {}))
    one = list(kgq.run(ds, kgq.load_query("task-driven-by"), {"identifier": "01/NQ-CP", "year": "2023"}))
    assert len({r.root for r in one}) == 1 and len(one) > 80
    assert len({r.root for r in every}) > 1 and len(every) > len(one)
    incons = kgq.load_query("indicator-inconsistencies")
    implied = {str(r.difference): r for r in kgq.run(ds, incons, {}) if str(r.kind) == "implied-plan"}
    assert implied and all(float(d) > 0.02 for d in implied)
    largest = max(float(d) for d in implied)
    loose = [r for r in kgq.run(ds, incons, {"tolerance": str(largest)}) if str(r.kind) == "implied-plan"]
    assert loose == []
