"""Resolution out of memory: resolve.Resolver keeps mentions, records and links in SQLite, and the
streaming build reads the registry from it a part at a time."""
from __future__ import annotations

import dataclasses
import tracemalloc
from pathlib import Path

import pytest

from kg_builder import graph, resolve, store


@pytest.fixture(scope="module")
def docs(corpus_docs):
    return list(corpus_docs.values())


@pytest.fixture(scope="module")
def registry(docs):
    return resolve.resolve(docs)


@pytest.fixture(scope="module")
def resolver(docs, tmp_path_factory):
    """The streaming build's resolver: a database file, fed the slim documents in another order."""
    path = tmp_path_factory.mktemp("resolver") / "resolve.sqlite"
    with resolve.Resolver(path) as r:
        for d in reversed(docs):
            r.add_document(store._slim(d))
        r.run()
        yield r


def _as_dicts(items):
    return [dataclasses.asdict(x) for x in items]


def test_resolver_on_disk_gives_the_registry_of_resolve(resolver, registry):
    whole = resolver.registry()
    assert list(whole.documents) == list(registry.documents)
    assert _as_dicts(whole.documents.values()) == _as_dicts(registry.documents.values())
    assert _as_dicts(whole.links) == _as_dicts(registry.links)
    assert whole.sources == registry.sources
    assert list(whole.agencies) == list(registry.agencies)


def test_records_are_read_in_key_order(resolver, registry):
    assert [r.key for r in resolver.records()] == sorted(registry.documents)
    for key, rec in registry.documents.items():
        assert resolver.record(key) == rec
    assert resolver.record("no|such|record") is None
    for source, key in registry.sources.items():
        assert resolver.source_key(source) == key
    assert resolver.counts() == {
        "documents": len(registry.sources),
        "citations": len(registry.links),
        "cited_documents": len({link.target for link in registry.links if link.target})}


def test_sub_registry_is_the_part_of_the_registry_a_source_refers_to(resolver, registry, docs):
    for doc in docs:
        sub = resolver.sub_registry(doc.source, doc.header.issuer_id)
        links = [link for link in registry.links if link.source == doc.source]
        assert links and _as_dicts(sub.links) == _as_dicts(links)     # that source's links only
        own = registry.sources[doc.source]
        assert sub.sources == {doc.source: own}
        keys = {own} | {link.target for link in links if link.target}
        keys |= {k for link in links for k in link.candidates}
        assert sub.documents == {k: registry.documents[k] for k in sorted(keys)}
        used = {doc.header.issuer_id} | {r.issuer_id for r in sub.documents.values()}
        used = {a for r in sub.documents.values() for a in r.agencies} | used - {None}
        assert sub.agencies == {a: registry.agencies[a] for a in sorted(used) if a in registry.agencies}


def test_registry_pieces_from_the_resolver_make_the_registry_graph(resolver, registry, docs):
    heads = [dataclasses.replace(store._slim(d), citations=[]) for d in docs]
    whole = graph.build_dataset(docs, registry, documents=False).graph(graph.Minter().registry_graph())
    pieces = list(graph.registry_pieces(heads, resolver, records_per_piece=30))
    assert len(pieces) == len(registry.documents) // 30 + 1 > 2
    assert set().union(*map(set, pieces)) == set(whole)


def test_resolution_memory_does_not_grow_with_the_citations(docs, tmp_path, monkeypatch):
    """The resolver's Python memory while it runs is about the same for 8 and for 64 copies of
    the corpus (8 times more mentions and links: they stay in the database)."""
    monkeypatch.setattr(resolve, "_PAGE", 50)      # pages that both sizes fill
    def peak(copies: int) -> int:
        slim = [store._slim(d) for d in docs]
        with resolve.Resolver(tmp_path / f"{copies}.sqlite") as r:
            for i in range(copies):
                for d in slim:
                    r.add_document(dataclasses.replace(d, source=f"copy{i}/{d.source}", sha256=f"{i:04d}{d.sha256}"))
            tracemalloc.start()
            r.run()
            top = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert r.counts()["citations"] == copies * sum(len(d.citations) for d in docs)
        return top

    small, large = peak(8), peak(64)
    assert large < 1.5 * small, (small, large)


def test_stream_build_resolves_in_its_temporary_directory(corpus_paths, tmp_path, monkeypatch):
    """The resolver's database is a file of the build's temporary directory, removed with it."""
    seen: list[Path] = []

    class Watched(resolve.Resolver):
        def run(self):
            path = Path(self.db.execute("PRAGMA database_list").fetchone()[2])
            assert path.exists() and path.parent.name.startswith(".build-") and path.parent.parent == root
            seen.append(path)
            super().run()

    root = tmp_path / "store"
    monkeypatch.setattr(resolve, "Resolver", Watched)
    stats = store.stream_build(corpus_paths, root, jobs=1)
    assert stats["documents"] == len(corpus_paths) and stats["citations"] > 0
    assert len(seen) == 1 and not seen[0].exists() and not seen[0].parent.exists()
