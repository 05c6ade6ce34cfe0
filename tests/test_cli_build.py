"""`kg build` / `kg query` / `kg export` from the command line, and input-form invariance."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg_builder import export
from kg_builder.namespace import KG

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
DECISION = "lang-son_2023_qd-79-qd-ubnd.txt"


def kg(*args, cwd=ROOT, check=True, hash_seed="0"):
    env = dict(os.environ, PYTHONWARNINGS="ignore", PYTHONHASHSEED=hash_seed)
    env.pop("KG_BASE_IRI", None)
    proc = subprocess.run([sys.executable, "-m", "kg_builder", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-build")
    proc = kg("build", "data/raw", "-o", out, "--format", "json", "--no-store")
    return out, json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])


def quads(ds) -> set:
    return {(s, p, o, g.identifier) for g in ds.graphs() for s, p, o in g}


def test_build_writes_three_files_with_the_same_triples(cli_build):
    out, summary = cli_build
    assert summary["documents"] == 5
    assert summary["citations"] > 100 and summary["skipped"] == []
    assert {Path(p).name for k, p in summary["outputs"].items() if k != "store"} == \
        {"graph.trig", "graph.ttl", "graph.jsonld"}
    ds = export.load_dataset(out / "graph.trig")
    graphs = [g for g in ds.graphs() if len(g)]
    sources = [g for g in graphs if (None, RDF.type, KG.SourceDocument) in g]
    assert len(sources) == 5
    assert [str(g.identifier) for g in graphs if g not in sources] == \
        ["https://w3id.org/vngovkg/id/graph/registry"]
    assert len(graphs) == 6
    # every file parses back to the same RDF
    trig = quads(ds)
    assert quads(export.load_dataset(out / "graph.jsonld")) == trig
    ttl = Graph().parse(out / "graph.ttl", format="turtle")
    assert len(ttl) == len({(s, p, o) for s, p, o, _ in trig})
    assert set(ttl) == {(s, p, o) for s, p, o, _ in trig}
    # relative source paths, as given on the command line
    assert {str(o) for o in ds.objects(None, KG.sourcePath)} == \
        {f"data/raw/{p.name}" for p in RAW.glob("*.txt")}


def test_build_is_deterministic(cli_build, tmp_path):
    """Same input, another hash seed (set and dict order): byte-identical outputs."""
    out, _ = cli_build
    kg("build", "data/raw", "-o", tmp_path, "--format", "json", "--no-store", hash_seed="12345")
    for name in ("graph.trig", "graph.ttl", "graph.jsonld"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_query_and_export_commands(cli_build, tmp_path):
    from typer.testing import CliRunner

    from kg_builder.cli import app

    out, _ = cli_build
    proc = kg("query", "citing-documents", "--param", "identifier=96/NQ-CP", "--graph", out / "graph.trig",
              "--format", "json")
    data = json.loads(proc.stdout)
    dates = {b["date"]["value"] for b in data["results"]["bindings"]}
    assert dates == {"2022-08-01"}
    runner = CliRunner()
    res = runner.invoke(app, ["query", "documents", "--graph", str(out), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert len(res.stdout.strip().splitlines()) == 6
    res = runner.invoke(app, ["query", "documents", "--graph", str(out), "--format", "csv", "--limit", "2",
                              "--offset", "4"])
    assert res.exit_code == 0, res.output
    assert len(res.stdout.strip().splitlines()) == 2      # header and the fifth document
    res = runner.invoke(app, ["queries", "--format", "json"])
    assert {"citing-documents", "most-cited", "documents"} <= {q["name"] for q in json.loads(res.stdout)}
    res = runner.invoke(app, ["export", "--format", "nq", "--graph", str(out / "graph.trig")])
    assert res.exit_code == 0
    assert res.stdout_bytes.count(b"\n") == len(quads(export.load_dataset(out / "graph.trig")))
    target = tmp_path / "x" / "graph.nt"
    res = runner.invoke(app, ["export", "--format", "nt", "--graph", str(out / "graph.trig"), "-o", str(target)])
    assert res.exit_code == 0
    assert len(Graph().parse(target, format="nt")) > 1000
    assert not list(target.parent.glob(".*.tmp"))


@pytest.mark.parametrize("args, message", [
    (["query", "no-such-query"], "unknown query"),
    (["query", "most-cited", "--param", "type=Directive"], "not an IRI"),
    (["query", "citing-documents", "--param", "year"], "expected NAME=VALUE"),
    (["query", "documents", "--limit", "0"], "--limit"),
    (["export", "--format", "ttl", "--graph", "/nonexistent/graph.trig"], "no such graph file"),
])
def test_cli_errors_are_one_line(cli_build, args, message):
    out, _ = cli_build
    if args[0] == "query":
        args = [*args, "--graph", out]
    proc = kg(*args, check=False)
    assert proc.returncode != 0
    err = proc.stderr.decode("utf-8").strip()
    assert message in err and "Traceback" not in err
    assert len(err.splitlines()) == 1


# --- the same document as CRLF or NFD text gives the same graph -------------------------------

def _build_one(directory: Path, data: bytes) -> tuple[export.Dataset, str]:
    import hashlib

    from kg_builder.pipeline import build
    directory.mkdir(parents=True)
    (directory / "doc.txt").write_bytes(data)
    build([directory / "doc.txt"], directory / "out")
    return export.load_dataset(directory / "out" / "graph.trig"), hashlib.sha256(data).hexdigest()


_HASH_SUFFIX = re.compile(r"(/src/SHA/[a-z-]+/\d+-\d+)-[0-9a-f]{8,}$")


def _without_sha(ds, sha: str) -> set:
    """Quads with the file's digest replaced by a placeholder: in kg:sha256, in the IRIs minted
    from it (`{base}src/{sha[:16]}/...`, `.../draft-{sha[:12]}`), in literals that embed it, and
    in hash suffixes that stages compute from such IRIs (`.../drive/1-9-{sha1(...)[:10]}`)."""
    def fix(t):
        if isinstance(t, URIRef):
            iri = str(t).replace(sha[:16], "SHA").replace(sha[:12], "SHA")
            return URIRef(_HASH_SUFFIX.sub(r"\1-HASH", iri))
        if isinstance(t, Literal) and sha[:12] in str(t):
            return Literal(str(t).replace(sha, "SHA").replace(sha[:16], "SHA").replace(sha[:12], "SHA"),
                           lang=t.language, datatype=t.datatype)
        return t
    return {tuple(fix(t) for t in q) for q in quads(ds)}


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    base = tmp_path_factory.mktemp("variants")
    raw = (RAW / DECISION).read_bytes()
    text = raw.decode("utf-8")
    assert "\r" not in text and unicodedata.is_normalized("NFC", text)
    return {
        "lf": _build_one(base / "lf", raw),
        "crlf": _build_one(base / "crlf", text.replace("\n", "\r\n").encode("utf-8")),
        "nfd": _build_one(base / "nfd", unicodedata.normalize("NFD", text).encode("utf-8")),
    }


def test_crlf_copy_gives_the_same_graph(variants):
    (lf, lf_sha), (crlf, crlf_sha) = variants["lf"], variants["crlf"]
    assert lf_sha != crlf_sha
    # universal newlines: same decoded text, same offsets; only the digest differs
    a, b = _without_sha(lf, lf_sha), _without_sha(crlf, crlf_sha)
    assert len(a) > 1000
    assert a == b


def _projection(ds, sha: str):
    """What must not depend on the Unicode form: every triple about documents and agencies (the
    registry and the citation edges), and each mention's NFC text, relation, status and target."""
    docs = set()
    for s, p, o, g in _without_sha(ds, sha):
        if "/src/" not in str(s) and not (isinstance(o, URIRef) and "/src/" in str(o)) and p != KG.exact:
            docs.add((s, p, o, g))
    mentions = sorted(
        (unicodedata.normalize("NFC", str(ds.value(m, KG.exact))), str(ds.value(m, KG.relation)),
         str(ds.value(m, KG.resolutionStatus)), str(ds.value(m, KG.mentions)))
        for m in ds.subjects(RDF.type, KG.Mention))
    return docs, mentions


def test_nfd_copy_gives_the_same_graph_up_to_offsets(variants):
    (lf, lf_sha), (nfd, nfd_sha) = variants["lf"], variants["nfd"]
    docs_lf, mentions_lf = _projection(lf, lf_sha)
    docs_nfd, mentions_nfd = _projection(nfd, nfd_sha)
    assert len(mentions_lf) > 50
    assert mentions_nfd == mentions_lf
    assert docs_nfd == docs_lf
    # offsets are offsets into the NFD text as it is (decomposed characters count)
    text = unicodedata.normalize("NFD", (RAW / DECISION).read_text(encoding="utf-8"))
    for m in nfd.subjects(RDF.type, KG.Mention):
        start, end = nfd.value(m, KG.start).toPython(), nfd.value(m, KG.end).toPython()
        assert text[start:end] == str(nfd.value(m, KG.exact))
