"""Runs the stages in order: normalise -> structure -> recognise -> resolve -> graph -> export.

Each stage is a module with plain-dataclass inputs and outputs; this module only
wires them together and reads files.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import InputError
from .models import ExtractedDocument

TEXT_SUFFIXES = {".txt", ".text", ".md"}


def read_source(path: str | Path) -> tuple[str, str]:
    """Read one file: (decoded original text, sha256 of its bytes). One-line errors."""
    from .normalise import decode

    p = Path(path)
    if not p.exists():
        if p.is_symlink():
            raise InputError(f"{p}: broken symbolic link (its target does not exist)")
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a text file")
    if not p.is_file():
        raise InputError(f"{p}: not a regular file (device, pipe or socket)")
    try:
        data = p.read_bytes()
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except MemoryError:
        raise InputError(f"{p}: too large to read into memory") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return decode(data, str(p)), hashlib.sha256(data).hexdigest()


def extract_text(original: str, source: str = "<text>", sha256: str | None = None) -> ExtractedDocument:
    """All text stages on one document's decoded text."""
    from . import recognise, structure
    from .gazetteer import Gazetteer
    from .normalise import clean

    if sha256 is None:
        sha256 = hashlib.sha256(original.encode("utf-8")).hexdigest()
    ct = clean(original)
    header = structure.parse_header(ct)
    sections = structure.parse_sections(ct)
    doc = ExtractedDocument(source=source, sha256=sha256, text=ct, header=header, sections=sections)
    gazetteer = Gazetteer.default()
    gazetteer.complete_header(header)
    doc.citations = recognise.find_citations(ct, header)
    for cit in doc.citations:
        anchor = cit.start
        if cit.in_footnote:
            fn = ct.footnote_containing(cit.start)
            if fn is not None and fn.anchor is not None:
                anchor = fn.anchor
        sec = doc.section_at(anchor)
        cit.section = sec.id if sec else None
        gazetteer.complete_citation(cit, header)
    for stage in EXTRA_STAGES:
        stage(doc)
    return doc


def extract_file(path: str | Path) -> ExtractedDocument:
    original, sha = read_source(path)
    return extract_text(original, str(path), sha)


def _tasks_stage(doc: ExtractedDocument) -> None:
    """Tasks, programmes, projects, schemes and places (extras["tasks"], extras["entities"])."""
    from .tasks import stage

    stage(doc)


def _indicators_stage(doc: ExtractedDocument) -> None:
    """Indicator targets and reported values (extras["indicators"])."""
    from .indicators import extract_indicators

    extract_indicators(doc)


# Later stages that add to ExtractedDocument.extras, in order.
EXTRA_STAGES: list[Callable[[ExtractedDocument], None]] = [_tasks_stage, _indicators_stage]


def expand_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Files named, and the text files inside directories named. Returns (files, problems)."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in TEXT_SUFFIXES
                           and (q.is_file() or (q.is_symlink() and not q.exists())))
            for q in found:
                if not q.exists():
                    problems.append(f"{q}: broken symbolic link (skipped)")
                elif not os.access(q, os.R_OK):
                    problems.append(f"{q}: permission denied (skipped)")
                else:
                    files.append(q)
            if not found:
                problems.append(f"{p}: no text files (*.txt) in this directory")
        elif p.exists():
            files.append(p)
        else:
            problems.append(f"{p}: no such file")
    return files, problems


@dataclass
class BuildSummary:
    documents: int = 0
    citations: int = 0
    cited_documents: int = 0
    triples: int = 0
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    store: dict = field(default_factory=dict)     # the persistent store: path, added/replaced/unchanged/removed

    def as_dict(self) -> dict:
        return {"documents": self.documents, "citations": self.citations,
                "cited_documents": self.cited_documents, "triples": self.triples,
                "seconds": round(self.seconds, 3), "outputs": self.outputs, "skipped": self.skipped,
                "store": self.store}


_SHARED_INSTANCES: set[str] = set()


def gazetteer_delta() -> dict:
    """Local agencies the gazetteer instantiated in this (worker) process since the last call.

    resolve() looks agencies up in the process-wide gazetteer, which learns local agencies while
    documents are extracted; a parent process whose workers did the extracting must be told
    (merge_gazetteer) or its resolve() would differ from a one-process build."""
    from .gazetteer import Gazetteer

    inst = getattr(Gazetteer.default(), "_instances", {})
    new = {k: v for k, v in inst.items() if k not in _SHARED_INSTANCES}
    _SHARED_INSTANCES.update(new)
    return new


def merge_gazetteer(delta: dict) -> None:
    from .gazetteer import Gazetteer

    inst = getattr(Gazetteer.default(), "_instances", None)
    if inst is not None:
        for k, v in delta.items():
            inst.setdefault(k, v)


def _extract_or_error(path: Path) -> tuple[ExtractedDocument | InputError, dict]:
    try:
        return extract_file(path), gazetteer_delta()
    except InputError as exc:
        return exc, gazetteer_delta()


def extract_all(files: list[Path], progress: Callable[[str], None] | None = None,
                problems: list[str] | None = None, jobs: int = 1) -> list[ExtractedDocument]:
    """Extract every file (in `jobs` worker processes); unreadable ones are reported in `problems` and skipped."""
    docs = []
    pool = None
    if jobs > 1 and len(files) > 1:
        import concurrent.futures as cf
        import multiprocessing as mp
        pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"))
    try:
        results = pool.map(_extract_or_error, files, chunksize=2) if pool else map(_extract_or_error, files)
        for f, (res, delta) in zip(files, results):
            if pool is not None:
                merge_gazetteer(delta)
            if isinstance(res, InputError):
                if problems is None:
                    raise res
                problems.append(str(res))
            else:
                docs.append(res)
            if progress:
                progress(str(f))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return docs


def build(paths: Iterable[str | Path], outdir: str | Path | None, base_iri: str | None = None,
          reason: bool = False, progress: Callable[[str], None] | None = None,
          store: str | Path | None = None, jobs: int = 1, fresh: bool = False) -> BuildSummary:
    """Extract, resolve and write the graph of the given files into `outdir` and/or the `store`.

    With a store and no `outdir` the build streams (kg_builder.store.stream_build): each
    document's graph goes to the store as soon as it is built, memory stays bounded.
    """
    import time

    from . import export, graph, resolve

    t0 = time.perf_counter()
    files, problems = expand_inputs(paths)
    if not files:
        raise InputError("; ".join(problems) or "no input files")
    if outdir is None:
        if store is None:
            raise InputError("nothing to write: give an output directory or a store")
        from .store import stream_build
        st = stream_build(files, store, base_iri=base_iri, jobs=jobs, reason=reason, progress=progress,
                          problems=problems, fresh=fresh)
        return BuildSummary(documents=st["documents"], citations=st["citations"],
                            cited_documents=st["cited_documents"], triples=st["triples"],
                            seconds=time.perf_counter() - t0, outputs={"store": st["store"]["path"]},
                            skipped=problems, store=st["store"])
    docs = extract_all(files, progress, problems, jobs=jobs)
    if not docs:
        raise InputError("; ".join(problems))
    registry = resolve.resolve(docs)
    ds = graph.build_dataset(docs, registry, base_iri=base_iri)
    if reason:
        from . import reason as reasoning
        reasoning.materialise(ds)
    outputs = export.write_outputs(ds, Path(outdir))
    store_counts: dict = {}
    if store is not None:
        from .store import sync_dataset
        store_counts = sync_dataset(ds, store, fresh=fresh)
        outputs["store"] = store_counts["path"]
    summary = BuildSummary(
        documents=len(docs),
        citations=sum(len(d.citations) for d in docs),
        cited_documents=len({l.target for l in registry.links if l.target}),
        triples=len(ds),
        seconds=time.perf_counter() - t0,
        outputs={k: str(v) for k, v in outputs.items()},
        skipped=problems,
        store=store_counts,
    )
    return summary
