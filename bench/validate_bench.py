"""Benchmark of `kg validate`: one new document against the graph of the whole corpus.

    .venv/bin/python bench/validate_bench.py [--repeat N] [--pyshacl-timeout S] [--large-mb MB] [--large-only]

Measures, for each corpus document validated as a new document against the graph of the whole
bundled corpus (the targeted form: only the nodes it refers to are read from that graph):

- extraction time, validation time (graph of the document, targeted context, SHACL: the fast
  engine = pySHACL for SHACL Core + each SPARQL constraint once in Oxigraph), context size;
- the reference engine (pySHACL with SHACL-SPARQL) on the same data for one document;
- pySHACL on the WHOLE corpus graph (what validating without the targeted form would cost),
  and the fast engine on the whole graph, each with a time limit;
- optionally (--large-mb) the core extraction stages on a large file made of corpus text.

Writes bench/results/validate.json (CPU and wall-clock seconds; the machine may be shared).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Graph  # noqa: E402

from kg_builder import graph as graph_stage  # noqa: E402
from kg_builder import resolve  # noqa: E402
from kg_builder import validate as V  # noqa: E402
from kg_builder.export import serialize  # noqa: E402
from kg_builder.pipeline import extract_file  # noqa: E402

RAW = ROOT / "data" / "raw"
OUT = ROOT / "bench" / "results" / "validate.json"


def _timed(fn, *args, **kw):
    w, c = time.perf_counter(), time.process_time()
    res = fn(*args, **kw)
    return res, time.perf_counter() - w, time.process_time() - c


def _whole_graph_job(kind: str, trig: str, q) -> None:
    ds = V.ExistingGraph.open(trig)
    data = Graph()
    from kg_builder.store import from_ox
    for quad in ds.ox.quads_for_pattern(None, None, None, None):
        data.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    for t in V.vocab_graph():
        data.add(t)
    for t in V.ontology_hierarchy():
        data.add(t)
    shapes = V.load_shapes()
    w, c = time.perf_counter(), time.process_time()
    results = V.ENGINES[kind](data, shapes)
    q.put({"triples": len(data), "results": len(results),
           "wall_s": round(time.perf_counter() - w, 3), "cpu_s": round(time.process_time() - c, 3)})


def whole_graph(kind: str, trig: Path, timeout: float) -> dict:
    q = mp.Queue()
    p = mp.Process(target=_whole_graph_job, args=(kind, str(trig), q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.terminate()
        p.join()
        return {"finished": False, "timeout_s": timeout}
    return {"finished": True, **q.get()} if not q.empty() else {"finished": False, "error": "no result"}


def _large_job(mb: float, q) -> None:
    from kg_builder import pipeline
    pipeline.EXTRA_STAGES[:] = []       # the core stages only (see the note in the results)
    raw = "".join(p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))) + "\n"
    unit = raw.encode("utf-8")
    with tempfile.TemporaryDirectory() as d:
        big = Path(d) / "big.txt"
        with open(big, "wb") as fh:
            for _ in range(int(mb * 1024 * 1024 // len(unit)) + 1):
                fh.write(unit)
        w, c = time.perf_counter(), time.process_time()
        doc = pipeline.extract_file(big)
        q.put({"bytes": big.stat().st_size, "citations": len(doc.citations), "sections": len(doc.sections),
               "wall_s": round(time.perf_counter() - w, 2), "cpu_s": round(time.process_time() - c, 2),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})


def large(mb: float, timeout: float) -> dict:
    q = mp.Queue()
    p = mp.Process(target=_large_job, args=(mb, q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.terminate()
        p.join()
        return {"finished": False, "timeout_s": timeout}
    return q.get() if not q.empty() else {"finished": False}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pyshacl-timeout", type=float, default=900)
    ap.add_argument("--large-mb", type=float, default=0)
    ap.add_argument("--large-only", action="store_true",
                    help="only the large-file measure, merged into the existing results file")
    args = ap.parse_args()
    if args.large_only:
        mb = args.large_mb or 50
        result = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
        result["large_file_core_stages"] = {"megabytes": mb, **large(mb, 3600),
                                            "note": "decode, clean, header, sections, citations; "
                                                    "indicator/task stages excluded"}
        print("large:", result["large_file_core_stages"])
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return

    paths = sorted(RAW.glob("*.txt"))
    docs, t_extract, _ = _timed(lambda: [extract_file(p) for p in paths])
    ds = graph_stage.build_dataset(docs, resolve.resolve(docs))
    tmp = Path(tempfile.mkdtemp(prefix="kg-validate-bench-"))
    trig = tmp / "graph.trig"
    trig.write_bytes(serialize(ds, "trig"))
    existing, t_open, _ = _timed(V.ExistingGraph.open, trig)
    V.load_shapes()
    V.vocab_graph()
    V.ontology_hierarchy()

    per_doc = []
    for doc in docs:
        _, ex_w, ex_c = _timed(extract_file, doc.source)
        walls, cpus = [], []
        report = None
        for _ in range(args.repeat):
            report, w, c = _timed(V.validate_document, doc, existing)
            walls.append(w)
            cpus.append(c)
        gname, node = V.source_graph_of(report.dataset)
        new = Graph()
        for g in report.dataset.graphs():
            for t in g:
                new.add(t)
        ctx = existing.context_for(new, node, existing.graphs_of(node, doc.sha256))
        per_doc.append({
            "document": Path(doc.source).name, "characters": len(doc.text.original),
            "citations": len(doc.citations), "sections": len(doc.sections),
            "extract_wall_s": round(ex_w, 3), "extract_cpu_s": round(ex_c, 3),
            "validate_wall_s_median": round(statistics.median(walls), 3),
            "validate_cpu_s_median": round(statistics.median(cpus), 3),
            "document_triples": len(new), "context_triples": len(ctx),
            "findings": {s: report.count(s) for s in V.SEVERITIES},
        })
        print(json.dumps(per_doc[-1], ensure_ascii=False))

    # the reference engine on one document (the largest)
    big_doc = max(docs, key=lambda d: len(d.text.original))
    ref, ref_w, ref_c = _timed(V.validate_document, big_doc, existing, engine="pyshacl")
    fast = next(r for r in per_doc if r["document"] == Path(big_doc.source).name)
    same = sorted((f.check, f.severity, f.focus) for f in ref.findings) == \
        sorted((f.check, f.severity, f.focus) for f in V.validate_document(big_doc, existing).findings)
    pyshacl_one = {"document": Path(big_doc.source).name, "wall_s": round(ref_w, 2), "cpu_s": round(ref_c, 2),
                   "same_findings_as_fast": same}
    print("pyshacl one document:", pyshacl_one)

    whole_fast = whole_graph("fast", trig, args.pyshacl_timeout)
    print("fast engine, whole graph:", whole_fast)
    whole_ref = whole_graph("pyshacl", trig, args.pyshacl_timeout)
    print("pyshacl, whole graph:", whole_ref)

    result = {
        "what": "kg validate: one new corpus document against the graph of the whole corpus (targeted form)",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "corpus": {"documents": len(docs), "graph_triples": len(ds), "extract_all_wall_s": round(t_extract, 2),
                   "open_graph_file_wall_s": round(t_open, 3)},
        "per_document": per_doc,
        "validate_wall_s_median_over_documents": round(statistics.median(r["validate_wall_s_median"] for r in per_doc), 3),
        "validate_cpu_s_max": max(r["validate_cpu_s_median"] for r in per_doc),
        "fast_engine_largest_document_cpu_s": fast["validate_cpu_s_median"],
        "pyshacl_one_document": pyshacl_one,
        "whole_graph_fast_engine": whole_fast,
        "whole_graph_pyshacl": whole_ref,
    }
    if args.large_mb:
        result["large_file_core_stages"] = {"megabytes": args.large_mb, **large(args.large_mb, 3600),
                                            "note": "decode, clean, header, sections, citations; "
                                                    "indicator/task stages excluded"}
        print("large:", result["large_file_core_stages"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = OUT.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp_out, OUT)
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
