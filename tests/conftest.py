"""Shared fixtures: the bundled corpus and its gold annotations."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


def corpus_manifest() -> list[dict]:
    return json.loads((RAW / "manifest.json").read_text(encoding="utf-8"))["files"]


@pytest.fixture(scope="session")
def corpus_paths() -> list[Path]:
    return [RAW / f["file"] for f in corpus_manifest()]


@pytest.fixture(scope="session")
def gold() -> dict[str, dict]:
    """Gold annotations keyed by the local file name in data/raw/."""
    g = json.loads((ROOT / "tests" / "data" / "citations_seeds.json").read_text(encoding="utf-8"))
    by_original = {f["original"]: f["file"] for f in corpus_manifest()}
    return {by_original[name]: v for name, v in g["files"].items()}


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The bundled corpus built once per session (kg_builder.pipeline.build): (outdir, summary)."""
    from kg_builder.pipeline import build

    outdir = tmp_path_factory.mktemp("corpus-build")
    summary = build([RAW], outdir)
    return outdir, summary


@pytest.fixture(scope="session")
def corpus_dataset(corpus_build):
    """The corpus graph read back from graph.trig (named graphs, default graph = union)."""
    from kg_builder.export import load_dataset

    return load_dataset(corpus_build[0] / "graph.trig")


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory):
    """The bundled corpus built once per session straight into a persistent store (the
    streaming path of `kg build --no-export`, two worker processes): the store's directory."""
    from kg_builder import graph
    from kg_builder.pipeline import build

    path = tmp_path_factory.mktemp("corpus-store") / "store"
    # the registry graph in pieces of 40 records (not 20,000), so that its streaming is exercised
    default = graph.REGISTRY_PIECE_RECORDS
    graph.REGISTRY_PIECE_RECORDS = 40
    try:
        build([RAW], None, store=path, jobs=2)
    finally:
        graph.REGISTRY_PIECE_RECORDS = default
    return path


@pytest.fixture(scope="session")
def corpus_docs():
    """Every corpus document through the whole text pipeline, once per session: {file name: doc}."""
    from kg_builder.pipeline import extract_file

    return {f["file"]: extract_file(RAW / f["file"]) for f in corpus_manifest()}
