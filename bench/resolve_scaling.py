"""Scaling of the resolve stage (kg_builder.resolve.resolve) with the number of documents.

    python bench/resolve_scaling.py [--sizes 20 40 80 160 320] [--baseline HEAD]
                                    [--baseline-limit 200] [--out bench/results/resolve-scaling.json]

A SYNTHETIC corpus (bench/synth.py; file names start with `synthetic_`) of max(sizes)
documents is extracted once (the text stages only: pipeline.EXTRA_STAGES, tasks and indicators,
do not feed resolve), then resolve() is timed on the first N documents for each N.

With --baseline REV the resolve.py of that git revision is timed too, on the same documents in
the same process, and its registry is compared with the current one (dataclasses.asdict, JSON
with sorted keys): `equal` is true when they are byte-for-byte the same. The baseline is skipped
for the larger sizes once one of its runs took more than --baseline-limit seconds.

Figures are printed and written to --out (JSON). Work files go to bench/work/ (git-ignored).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def _load_revision(rev: str):
    """kg_builder/resolve.py of a git revision, loaded as a module of the kg_builder package."""
    src = subprocess.run(["git", "show", f"{rev}:kg_builder/resolve.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    fd, path = tempfile.mkstemp(prefix="resolve_baseline_", suffix=".py")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(src)
    spec = importlib.util.spec_from_file_location("kg_builder._resolve_baseline", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    os.unlink(path)
    return mod


def _dump(registry) -> str:
    return json.dumps(asdict(registry), sort_keys=True, ensure_ascii=False)


def _timed(fn, docs):
    t = time.perf_counter()
    reg = fn(docs)
    return time.perf_counter() - t, reg


def _exponents(rows: list[dict], key: str) -> None:
    """Local growth exponent between successive sizes: log(t2/t1) / log(n2/n1)."""
    prev = None
    for r in rows:
        if r.get(key) is None:
            continue
        if prev is not None and prev[key] > 0:
            r[key + "_exponent"] = round(math.log(r[key] / prev[key]) / math.log(r["documents"] / prev["documents"]), 2)
        prev = r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 40, 80, 160, 320])
    ap.add_argument("--baseline", help="git revision whose resolve.py is timed and compared too (e.g. HEAD)")
    ap.add_argument("--baseline-limit", type=float, default=200.0,
                    help="skip the baseline at larger sizes after a run longer than this (seconds)")
    ap.add_argument("--work", type=Path, default=HERE / "work" / "resolve-scaling")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "resolve-scaling.json")
    a = ap.parse_args()
    sizes = sorted(set(a.sizes))

    import synth

    from kg_builder import pipeline
    from kg_builder import resolve as current

    baseline = _load_revision(a.baseline) if a.baseline else None
    pipeline.EXTRA_STAGES.clear()
    files = synth.generate(max(sizes), a.work / "corpus")
    t = time.perf_counter()
    docs = [pipeline.extract_file(f) for f in sorted(files)]
    print(f"extracted {len(docs)} synthetic documents in {time.perf_counter() - t:.1f} s", flush=True)

    rows = []
    skip_baseline = False
    for n in sizes:
        sub = docs[:n]
        row: dict = {"documents": n, "mentions": sum(len(d.citations) for d in sub)}
        secs, reg = _timed(current.resolve, sub)
        row.update(seconds=round(secs, 3), records=len(reg.documents))
        if baseline is not None and not skip_baseline:
            bsecs, breg = _timed(baseline.resolve, sub)
            row.update(baseline_seconds=round(bsecs, 3), equal=_dump(breg) == _dump(reg))
            skip_baseline = bsecs > a.baseline_limit
        rows.append(row)
        print(json.dumps(row), flush=True)
    _exponents(rows, "seconds")
    _exponents(rows, "baseline_seconds")
    out = {
        "benchmark": "resolve scaling on a synthetic corpus (bench/synth.py); text stages only",
        "baseline": a.baseline, "sizes": rows,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "load_average": list(os.getloadavg())},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = a.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, a.out)
    print(f"written {a.out}")


if __name__ == "__main__":
    main()
