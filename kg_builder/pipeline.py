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
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a text file")
    try:
        data = p.read_bytes()
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
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
            fn = next((f for f in ct.footnotes if f.start <= cit.start < f.end), None)
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


# Later stages that add to ExtractedDocument.extras (indicators, tasks, entities).
EXTRA_STAGES: list[Callable[[ExtractedDocument], None]] = []


def expand_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Files named, and the text files inside directories named. Returns (files, problems)."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in TEXT_SUFFIXES)
            for q in found:
                if not os.access(q, os.R_OK):
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

    def as_dict(self) -> dict:
        return {"documents": self.documents, "citations": self.citations,
                "cited_documents": self.cited_documents, "triples": self.triples,
                "seconds": round(self.seconds, 3), "outputs": self.outputs, "skipped": self.skipped}


def extract_all(files: list[Path], progress: Callable[[str], None] | None = None,
                problems: list[str] | None = None) -> list[ExtractedDocument]:
    """Extract every file; unreadable ones are reported in `problems` and skipped."""
    from .errors import InputError as _InputError

    docs = []
    for f in files:
        try:
            docs.append(extract_file(f))
        except _InputError as exc:
            if problems is None:
                raise
            problems.append(str(exc))
        if progress:
            progress(str(f))
    return docs


def build(paths: Iterable[str | Path], outdir: str | Path, base_iri: str | None = None,
          reason: bool = False, progress: Callable[[str], None] | None = None) -> BuildSummary:
    """Extract, resolve and write the graph of the given files into `outdir`."""
    import time

    from . import export, graph, resolve

    t0 = time.perf_counter()
    files, problems = expand_inputs(paths)
    if not files:
        raise InputError("; ".join(problems) or "no input files")
    docs = extract_all(files, progress, problems)
    if not docs:
        raise InputError("; ".join(problems))
    registry = resolve.resolve(docs)
    ds = graph.build_dataset(docs, registry, base_iri=base_iri)
    if reason:
        from . import reason as reasoning
        reasoning.materialise(ds)
    outputs = export.write_outputs(ds, Path(outdir))
    summary = BuildSummary(
        documents=len(docs),
        citations=sum(len(d.citations) for d in docs),
        cited_documents=len({l.target for l in registry.links if l.target}),
        triples=len(ds),
        seconds=time.perf_counter() - t0,
        outputs={k: str(v) for k, v in outputs.items()},
        skipped=problems,
    )
    return summary
