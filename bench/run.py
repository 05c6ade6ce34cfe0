"""Scale benchmark of the build, the store and the stored queries (run by `make bench`).

    python bench/run.py [--sizes 100 1000 10000] [--jobs 1 2] [--profile full|core]

For each size N a SYNTHETIC corpus (bench/synth.py: documents of data/raw renumbered,
re-dated and moved to other provinces; file names start with `synthetic_`) is built straight
into a fresh store (`kg build --no-export`, the streaming path) with 1 and 2 worker processes,
each build in its own process so its peak memory can be measured. Then, on the stores built:

* latency (median and p95 over --repeat runs) of every stored query (queries/*.rq, with the
  parameters of each `# example:` line) on the largest store, and on the N=1000 store: the
  first page of --page rows (100; as `kg query --limit` and `kg serve ?limit=` ask for it),
  or the whole answer with --page 0;
* the same queries on an in-memory rdflib Dataset of the N=1000 store (the ratio baseline);
* validation time of one new document against the largest store (kg_builder.validate).

Profiles: `full` runs every extraction stage; `core` leaves out the extra stages (tasks,
indicators: pipeline.EXTRA_STAGES), to measure the store and graph path at sizes the full
extraction would take hours to reach. The profile is recorded with the figures.

Figures are printed as tables and written to bench/results/ (JSON). Work files (corpora,
stores) go to bench/work/ (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _rss_mb(ru_maxrss_kb: int) -> float:
    return round(ru_maxrss_kb / 1024, 1)


class MemorySampler:
    """Polls /proc once a second for this process and its children: the peak of their summed
    PSS (proportional set size: a page shared by k processes counts 1/k in each, so the sum is
    the memory the build really occupies, unlike RSS that counts the pages workers inherit by
    fork in every one of them) and the peak USS (private pages) of any one worker; and every
    `every` seconds a point of the timeline (seconds, steps done, the parent's RSS and PSS, the
    PSS of all processes), `steps` being what the build reported done (`step()`: a document
    extracted in pass 1, a document graph loaded in pass 2), so memory can be read against N."""

    def __init__(self, interval: float = 1.0, every: float = 30.0):
        import threading

        self.interval, self.every = interval, every
        self.peak_pss_total_kb = 0
        self.peak_uss_worker_kb = 0
        self.steps = 0
        self.timeline: list[dict] = []
        self._t0 = time.perf_counter()
        self._next = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rollup(pid: int) -> dict[str, int]:
        out = {}
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    parts = line.split()
                    if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                        out[parts[0][:-1]] = int(parts[1])
        except OSError:
            pass
        return out

    @staticmethod
    def _children(pid: int) -> list[int]:
        kids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                            kids.append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        return kids

    def step(self, _what: str = "") -> None:
        self.steps += 1

    def sample(self) -> None:
        me = os.getpid()
        mine = self._rollup(me)
        total = mine.get("Pss", 0)
        for kid in self._children(me):
            r = self._rollup(kid)
            total += r.get("Pss", 0)
            self.peak_uss_worker_kb = max(self.peak_uss_worker_kb, r.get("Private_Clean", 0) + r.get("Private_Dirty", 0))
        self.peak_pss_total_kb = max(self.peak_pss_total_kb, total)
        elapsed = time.perf_counter() - self._t0
        if elapsed >= self._next:
            self._next = elapsed + self.every
            self.timeline.append({"s": round(elapsed, 1), "steps": self.steps, "rss_main_mb": _rss_mb(mine.get("Rss", 0)),
                                  "pss_main_mb": _rss_mb(mine.get("Pss", 0)), "pss_total_mb": _rss_mb(total)})

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- one build, in a child process ------------------------------------------------------

def child_build(inputs: str, store: str, jobs: int, profile: str) -> None:
    from kg_builder import pipeline

    if profile == "core":
        pipeline.EXTRA_STAGES.clear()
    t0 = time.perf_counter()
    with MemorySampler() as mem:
        summary = pipeline.build([inputs], None, store=store, jobs=jobs, fresh=True, progress=mem.step)
    wall = time.perf_counter() - t0
    from kg_builder.store import Store, du
    t1 = time.perf_counter()
    with Store(store) as st:
        st.oxigraph.optimize()
    optimize_s = time.perf_counter() - t1
    out = {"seconds": wall, "documents": summary.documents, "citations": summary.citations,
           "cited_documents": summary.cited_documents, "triples": summary.triples,
           "quads": summary.store.get("quads"), "store_bytes": summary.store.get("bytes"),
           "store_bytes_optimized": du(Path(store)), "optimize_seconds": round(optimize_s, 2),
           "peak_rss_main_mb": _rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
           "peak_rss_worker_mb": _rss_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
           "peak_pss_total_mb": _rss_mb(mem.peak_pss_total_kb),
           "peak_uss_worker_mb": _rss_mb(mem.peak_uss_worker_kb),
           "memory_timeline": mem.timeline,
           "skipped": len(summary.skipped)}
    print("RESULT " + json.dumps(out))


def child_replicate(source: str, store: str, n: int) -> None:
    """Store scale without the text pipeline: the document graphs of a built store, replicated
    (IRIs under {base}src/, {base}graph/ and {base}doc/ renamed per copy; agencies, places,
    indicators shared) until the store holds n document graphs, loaded graph by graph through
    the same bulk path as `kg build`."""
    import re

    import pyoxigraph as ox

    from kg_builder.store import Store, du, open_batch

    src = Store(source, read_only=True)
    graphs = [g for g in src.named_graphs() if not g.endswith("/graph/registry")]
    texts = {g: ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in src.quads(g)],
                             format=ox.RdfFormat.N_TRIPLES).decode() for g in graphs}
    registry = [g for g in src.named_graphs() if g.endswith("/graph/registry")]
    base = registry[0][: -len("graph/registry")] if registry else "https://w3id.org/vngovkg/id/"
    pat = re.compile(re.escape(base) + r"(src|graph|doc)/")
    t0 = time.perf_counter()
    total = 0
    with open_batch(store, fresh=True) as st:
        if registry:
            reg = [ox.Triple(q.subject, q.predicate, q.object) for q in src.quads(registry[0])]
            st.replace_graph(registry[0], reg)
            total += len(reg)
        for i in range(n):
            copy, g = divmod(i, len(graphs))
            gname = graphs[g]
            text = texts[gname] if copy == 0 else pat.sub(lambda m: f"{base}{m.group(1)}/c{copy}-", texts[gname])
            new = gname if copy == 0 else pat.sub(lambda m: f"{base}{m.group(1)}/c{copy}-", gname)
            triples = list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))
            st.replace_graph(new, triples, content_hash="-")
            total += len(triples)
    wall = time.perf_counter() - t0
    print("RESULT " + json.dumps({
        "seconds": wall, "documents": n, "triples": total, "quads": total, "store_bytes": du(Path(store)),
        "store_bytes_optimized": du(Path(store)), "optimize_seconds": 0,
        "peak_rss_main_mb": _rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peak_rss_worker_mb": 0.0, "skipped": 0, "citations": None, "cited_documents": None}))


def _child(what: str, args: list, timeout: float | None = None) -> dict:
    """Run this script with `args` in a new process; its RESULT line (subprocess.TimeoutExpired
    after `timeout` seconds)."""
    r = subprocess.run([sys.executable, __file__, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    line = next((l for l in r.stdout.splitlines() if l.startswith("RESULT ")), None)
    if r.returncode != 0 or line is None:
        raise SystemExit(f"{what} failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(line[7:])


def run_replicate(source: Path, store: Path, n: int) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    load0 = os.getloadavg()[0]
    res = _child(f"replication into {store}", ["--child-replicate", source, store, n])
    res.update(jobs=1, n=n, mode="replicated graphs (store load only)", load_before=round(load0, 2),
               load_after=round(os.getloadavg()[0], 2), docs_per_s=round(n / res["seconds"], 2),
               triples_per_s=round(res["triples"] / res["seconds"], 1))
    return res


def run_build(inputs: Path, store: Path, jobs: int, profile: str) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    load0 = os.getloadavg()[0]
    res = _child(f"build of {inputs}", ["--child-build", inputs, store, jobs, profile])
    res.update(jobs=jobs, load_before=round(load0, 2), load_after=round(os.getloadavg()[0], 2),
               docs_per_s=round(res["documents"] / res["seconds"], 2),
               triples_per_s=round(res["triples"] / res["seconds"], 1))
    return res


# --- queries ------------------------------------------------------------------------------

def query_cases() -> list[tuple[str, dict]]:
    from kg_builder import query as kgq
    cases = []
    for q in kgq.list_queries():
        for params in q.example_params():
            cases.append((q.name, params))
    return cases


def _time_case_in_child(ds, name: str, params: dict, repeat: int, timeout: float, page: int | None = None) -> dict:
    """time_queries for one case in a forked child (sharing `ds` copy-on-write), given up after
    `timeout` seconds: an in-memory rdflib query cannot be interrupted in-process."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work():
        child.send(time_queries(ds, [(name, params)], repeat, page=page)[0])

    proc = ctx.Process(target=work)
    proc.start()
    row = parent.recv() if parent.poll(timeout) else None
    if row is None:
        proc.kill()
    proc.join()
    return row or {"query": name, "params": params, "rows": None, "median_ms": None, "p95_ms": None,
                   "runs": 0, "timeout_s": timeout}


def child_query(store: str, name: str, params: str, repeat: int, page: int | None) -> None:
    from kg_builder.store import Store

    with Store(store, read_only=True) as st:
        print("RESULT " + json.dumps(time_queries(st.dataset(), [(name, json.loads(params))], repeat, page=page)[0]))


def time_store_queries(store: Path, cases, repeat: int, timeout: float, page: int | None = None) -> list[dict]:
    """time_queries on the store, each case in a new process (opening the store read-only),
    given up after `timeout` seconds."""
    out = []
    for name, params in cases:
        try:
            out.append(_child(f"query {name} {params}", ["--child-query", store, name, json.dumps(params), repeat,
                                                          page or 0], timeout=timeout))
        except subprocess.TimeoutExpired:
            out.append({"query": name, "params": params, "page": page, "rows": None, "median_ms": None,
                        "p95_ms": None, "runs": 0, "timeout_s": timeout})
    return out


def time_queries(ds, cases, repeat: int, timeout: float | None = None, page: int | None = None) -> list[dict]:
    """Median and p95 of each case: the whole answer, or its first `page` rows (query.apply_page)."""
    from kg_builder import query as kgq
    if timeout:
        return [_time_case_in_child(ds, name, params, repeat, timeout, page) for name, params in cases]
    out = []
    for name, params in cases:
        q = kgq.load_query(name)
        times, rows = [], 0
        runs = repeat + 1
        i = 0
        while i < runs:
            t = time.perf_counter()
            res = kgq.run(ds, q, params, limit=page)
            rows = len(res.graph) if res.type in ("CONSTRUCT", "DESCRIBE") else (1 if res.type == "ASK" else len(list(res)))
            dt = time.perf_counter() - t
            if i:                                       # the first run warms caches
                times.append(dt)
            elif dt > 5:                                # slow: one timed run is enough
                runs = 2
            i += 1
        times.sort()
        p95 = times[min(len(times) - 1, max(0, int(round(0.95 * len(times))) - 1))]
        out.append({"query": name, "params": params, "page": page, "rows": rows, "median_ms": round(statistics.median(times) * 1e3, 2),
                    "p95_ms": round(p95 * 1e3, 2), "runs": len(times)})
    return out


def validation_time(store: Path, sample: Path) -> dict:
    try:
        from kg_builder.validate import validate_files
    except ImportError:
        return {"skipped": "kg_builder.validate.validate_files is not available"}
    t = time.perf_counter()
    reports = validate_files([sample], store)
    return {"seconds": round(time.perf_counter() - t, 3), "document": sample.name,
            "findings": sum(len(getattr(r, "findings", []) or []) for r in reports)}


# --- main ---------------------------------------------------------------------------------

PHASES = ("builds", "queries", "baseline", "validation")


def _store_dir(a, n: int, jobs: int) -> Path:
    return a.workdir / f"store-{a.profile}-{n}-j{jobs}"


def main() -> None:
    ap = argparse.ArgumentParser(description="kg scale benchmark")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--profile", choices=["full", "core"], default=os.environ.get("BENCH_PROFILE", "full"))
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per query (after one warm-up)")
    ap.add_argument("--single-job-max", type=int, default=None,
                    help="skip the 1-job build above this size (saves time on slow machines)")
    ap.add_argument("--workdir", type=Path, default=HERE / "work")
    ap.add_argument("--baseline-n", type=int, default=1000,
                    help="size of the store copied into an in-memory rdflib Dataset for the ratio baseline")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse builds recorded in bench/results/latest-PROFILE.json whose store is still there")
    ap.add_argument("--replicate", type=int, nargs="*", default=[],
                    help="also load stores of these sizes by replicating the document graphs of the "
                         "smallest build (measures the store and queries without the text pipeline)")
    ap.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES),
                    help="what to run: the builds, the query timings on the built stores, the rdflib "
                         "baseline, the validation timing (later phases reuse the stores of earlier runs)")
    ap.add_argument("--baseline-timeout", type=float, default=120.0,
                    help="give up a stored query on the rdflib baseline after this many seconds")
    ap.add_argument("--child-build", nargs=4, metavar=("INPUTS", "STORE", "JOBS", "PROFILE"), help=argparse.SUPPRESS)
    ap.add_argument("--child-replicate", nargs=3, metavar=("SOURCE", "STORE", "N"), help=argparse.SUPPRESS)
    ap.add_argument("--child-query", nargs=5, metavar=("STORE", "NAME", "PARAMS", "REPEAT", "PAGE"), help=argparse.SUPPRESS)
    ap.add_argument("--page", type=int, default=100,
                    help="time the first page of this many rows of each answer, as kg query --limit and "
                         "kg serve ?limit= ask for it (0: the whole answer)")
    ap.add_argument("--query-timeout", type=float, default=300.0,
                    help="give up a stored query case on a store after this many seconds (all its runs)")
    a = ap.parse_args()
    if a.child_build:
        inputs, store, jobs, profile = a.child_build
        child_build(inputs, store, int(jobs), profile)
        return
    if a.child_replicate:
        source, store, n = a.child_replicate
        child_replicate(source, store, int(n))
        return
    if a.child_query:
        store, name, params, repeat, page = a.child_query
        child_query(store, name, params, int(repeat), int(page) or None)
        return

    from rich.console import Console
    from rich.table import Table

    import synth
    from kg_builder.store import Store

    con = Console()
    sizes = sorted(set(a.sizes))
    corpus = a.workdir / "corpus"
    if "builds" in a.phases:
        t = time.perf_counter()
        files = synth.generate(max(sizes), corpus)
        con.print(f"synthetic corpus: {len(files)} documents in {corpus} ({time.perf_counter() - t:.1f} s)")
    results: dict = {"profile": a.profile, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "platform": platform.platform()},
                     "builds": [], "queries": {}, "rdflib_baseline": None, "validation": None}
    stores: dict[int, Path] = {}
    previous = []
    latest = HERE / "results" / f"latest-{a.profile}.json"
    if (a.reuse or "builds" not in a.phases) and latest.exists():
        earlier = json.loads(latest.read_text())
        previous = earlier["builds"]
        if "builds" not in a.phases:        # later phases only: add to the earlier run's record
            results.update({k: earlier.get(k, results[k]) for k in ("builds", "queries", "rdflib_baseline", "validation")})
            results["started"] = earlier.get("started", results["started"])
    for n in sizes:
        if "builds" not in a.phases:
            built = sorted((b for b in previous if b["n"] == n and not b.get("mode")), key=lambda b: -b["jobs"])
            for b in built:
                store = _store_dir(a, n, b["jobs"])
                if (store / "current").exists():
                    stores[n] = store
                    break
            else:
                con.print(f"N={n}: no store of an earlier build in {a.workdir}; skipped")
            continue
        d = a.workdir / f"sizes/{n}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for f in files[:n]:
            (d / f.name).symlink_to(f.resolve())
        for j in sorted(set(a.jobs)):
            if j == 1 and a.single_job_max and n > a.single_job_max and len(a.jobs) > 1:
                con.print(f"N={n}: 1-job build skipped (--single-job-max {a.single_job_max})")
                continue
            store = _store_dir(a, n, j)
            old = next((b for b in previous if b["n"] == n and b["jobs"] == j and not b.get("mode")), None)
            if old is not None and (store / "current").exists():
                con.print(f"N={n}, {j} job(s): reusing the earlier build ({old['seconds']:.1f} s)")
                results["builds"].append(old)
                stores[n] = store
                continue
            con.print(f"building N={n} with {j} job(s) ...")
            res = run_build(d, store, j, a.profile)
            res["n"] = n
            results["builds"].append(res)
            stores[n] = store
            con.print(f"  {res['seconds']:.1f} s, {res['docs_per_s']} docs/s, {res['triples_per_s']} triples/s, "
                      f"{res['store_bytes_optimized'] / 1e6:.1f} MB, peak RSS {res['peak_rss_main_mb']} MB")
            _write(results)
    for n in sorted(set(a.replicate)):
        store = a.workdir / f"store-replicated-{n}"
        con.print(f"loading a store of {n} replicated document graphs ...")
        res = run_replicate(stores[min(stores)], store, n)
        results["builds"].append(res)
        stores[n] = store
        con.print(f"  {res['seconds']:.1f} s, {res['triples_per_s']} triples/s, "
                  f"{res['store_bytes'] / 1e6:.1f} MB, peak RSS {res['peak_rss_main_mb']} MB")
        _write(results)
    if not stores:
        raise SystemExit("no stores to measure")
    cases = query_cases()
    for n in sorted({max(stores)} | ({1000, a.baseline_n} & set(stores))) if "queries" in a.phases else ():
        con.print(f"timing {len(cases)} stored-query cases on the N={n} store ...")
        results["queries"][str(n)] = time_store_queries(stores[n], cases, a.repeat, a.query_timeout, a.page or None)
        _write(results)
    if "baseline" in a.phases:
        base_n = a.baseline_n if a.baseline_n in stores else min(stores)
        with Store(stores[base_n], read_only=True) as st:
            t = time.perf_counter()
            mem = st.as_rdflib()
            load_s = time.perf_counter() - t
        n_triples = len(mem)
        con.print(f"timing the same queries on an in-memory rdflib Dataset (N={base_n}, {n_triples} triples) ...")
        rd = time_queries(mem, cases, max(2, a.repeat // 3), timeout=a.baseline_timeout, page=a.page or None)
        del mem
        results["rdflib_baseline"] = {"n": base_n, "triples": n_triples, "load_seconds": round(load_s, 2),
                                      "timeout_s": a.baseline_timeout, "queries": rd}
        _write(results)
    if "validation" in a.phases:
        extra = synth.generate(max(sizes) + 1, corpus)[-1]          # one document not in any store
        results["validation"] = validation_time(stores[max(stores)], extra)
        results["validation"]["n"] = max(stores)
    path = _write(results, final=True)
    _print_tables(con, results)
    con.print(f"results: {path}")


def _write(results: dict, final: bool = False) -> Path:
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    latest = out / f"latest-{results['profile']}.json"
    latest.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    if final:
        stamped = out / f"bench-{results['profile']}-{results['started'].replace(':', '')}.json"
        shutil.copy(latest, stamped)
        return stamped
    return latest


def _print_tables(con, results: dict) -> None:
    from rich.table import Table

    t = Table(title=f"build ({results['profile']} extraction profile)")
    for c in ("N", "mode", "jobs", "seconds", "docs/s", "triples", "triples/s", "store MB", "peak RSS main MB",
              "peak RSS worker MB", "peak PSS all MB", "peak USS worker MB"):
        t.add_column(c, justify="right")
    for b in results["builds"]:
        t.add_row(str(b["n"]), "replicated" if b.get("mode") else "kg build", str(b["jobs"]), f"{b['seconds']:.1f}", str(b["docs_per_s"]), str(b["triples"]),
                  str(b["triples_per_s"]), f"{b['store_bytes_optimized'] / 1e6:.1f}", str(b["peak_rss_main_mb"]),
                  str(b["peak_rss_worker_mb"]), str(b.get("peak_pss_total_mb", "-")), str(b.get("peak_uss_worker_mb", "-")))
    con.print(t)
    baseline = results["rdflib_baseline"] or {}
    base = {(r["query"], json.dumps(r["params"])): r for r in baseline.get("queries", [])}
    for n, rows in results["queries"].items():
        page = next((r.get("page") for r in rows), None)
        t = Table(title=f"stored queries on the N={n} store (ms; {f'first page of {page} rows' if page else 'whole answers'})")
        for c in ("query", "params", "rows", "median", "p95", f"rdflib N={baseline.get('n', '-')} median",
                  "rdflib / store"):
            t.add_column(c, justify="right")
        for r in rows:
            b = base.get((r["query"], json.dumps(r["params"])))
            rd = (b["median_ms"] if b["median_ms"] is not None else f"> {b['timeout_s'] * 1e3:.0f}") if b else ""
            ratio = f"{b['median_ms'] / r['median_ms']:.1f}×" if (b and b["median_ms"] and r["median_ms"]
                                                                  and int(n) == baseline.get("n")) else ""
            late = f"> {r['timeout_s'] * 1e3:.0f}" if r["median_ms"] is None else None
            t.add_row(r["query"], json.dumps(r["params"], ensure_ascii=False), str(r["rows"]),
                      late or str(r["median_ms"]), late or str(r["p95_ms"]), str(rd), ratio)
        con.print(t)
    con.print(f"validation of one new document: {results['validation']}")


if __name__ == "__main__":
    main()
