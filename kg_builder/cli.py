"""The `kg` command line. Thin: parses options, calls the pipeline, prints results."""
from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import KGError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build and query a knowledge graph of Vietnamese government documents.")
out = Console()
err = Console(stderr=True)

DEFAULT_BUILD = Path("data/build")


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


def _base_iri(value: Optional[str]) -> Optional[str]:
    return value or os.environ.get("KG_BASE_IRI") or None


@app.command()
def extract(files: list[Path] = typer.Argument(..., help="Text files (or directories of *.txt)."),
            format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f",
                                              help="text: a readable table; json: one JSON object per file per line.")):
    """Recognise each document's header and the documents it cites."""
    from .pipeline import expand_inputs, extract_file

    paths, problems = expand_inputs(files)
    for p in problems:
        err.print(f"[yellow]skipped:[/] {p}")
    if not paths:
        raise KGError("no readable input files")
    failed = 0
    for path in paths:
        try:
            doc = extract_file(path)
        except KGError as exc:
            err.print(f"[red]error:[/] {exc}")
            failed += 1
            continue
        if format is TextOrJson.json:
            obj = {"source": str(path), "document": doc.header_json(),
                   "citations": [c.to_json() for c in doc.citations]}
            sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        else:
            _print_extraction(doc)
    if failed or problems:
        raise typer.Exit(2)


def _print_extraction(doc) -> None:
    h = doc.header
    out.print(f"[bold]{doc.source}[/]: {h.type or '?'} {h.identifier or ('(số trống)' if h.number_blank else '')} "
              f"{h.date or h.date_partial or ''} — {h.issuer or '?'}")
    if h.title:
        out.print(f"  {h.title}")
    table = Table(show_lines=False)
    for col in ("offsets", "type", "identifier", "date", "issuer", "relation", "surface"):
        table.add_column(col)
    for c in doc.citations:
        table.add_row(f"{c.start}-{c.end}", c.type or "", c.identifier or "", c.date or "",
                      c.issuer or "", c.relation, c.surface.replace("\n", " ")[:80])
    out.print(table)


@app.command()
def build(inputs: list[Path] = typer.Argument(..., help="Text files or directories."),
          output: Path = typer.Option(DEFAULT_BUILD, "-o", "--output", help="Output directory."),
          base_iri: Optional[str] = typer.Option(None, "--base-iri", help="Base IRI of minted nodes (env KG_BASE_IRI)."),
          reason: bool = typer.Option(False, "--reason", help="Materialise OWL-RL entailments needed by queries."),
          format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f")):
    """Build the graph of the inputs into OUTPUT (graph.trig, graph.ttl, graph.jsonld)."""
    from rich.progress import Progress

    from .pipeline import build as run_build, expand_inputs

    files, _ = expand_inputs(inputs)
    with Progress(console=err, transient=True, disable=format is TextOrJson.json) as progress:
        task = progress.add_task("extracting", total=len(files) or None)
        summary = run_build(inputs, output, base_iri=_base_iri(base_iri), reason=reason,
                            progress=lambda name: progress.advance(task))
    for p in summary.skipped:
        err.print(f"[yellow]skipped:[/] {p}")
    if format is TextOrJson.json:
        sys.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False) + "\n")
    else:
        table = Table(title=f"Graph built in {output}")
        table.add_column("documents", justify="right")
        table.add_column("citations", justify="right")
        table.add_column("distinct cited documents", justify="right")
        table.add_column("triples", justify="right")
        table.add_column("time (s)", justify="right")
        table.add_row(str(summary.documents), str(summary.citations), str(summary.cited_documents),
                      str(summary.triples), f"{summary.seconds:.2f}")
        out.print(table)
        for kind, path in summary.outputs.items():
            out.print(f"  {kind}: {path}")
    if summary.skipped:
        raise typer.Exit(2)


# --- query / queries / export (graph helper) ------------------------------------------------

class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(str, Enum):
    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"


def _parse_params(values: Optional[list[str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise KGError(f"--param {item!r}: expected NAME=VALUE, e.g. --param identifier=96/NQ-CP")
        if name in params:
            raise KGError(f"--param {name} given twice")
        params[name] = value
    return params


@app.command()
def query(name: str = typer.Argument(..., help="A stored query name (see `kg queries`) or a .rq file."),
          param: Optional[list[str]] = typer.Option(None, "--param", "-p", help="NAME=VALUE, bound as an RDF term (repeatable)."),
          graph: Path = typer.Option(DEFAULT_BUILD / "graph.trig", "--graph", "-g", help="Graph file (graph.trig, .nq, .ttl, .jsonld) or build directory."),
          format: QueryFormat = typer.Option(QueryFormat.table, "--format", "-f", help="table, csv or json (SPARQL JSON results).")):
    """Run a stored SPARQL query (or a .rq file) over the built graph."""
    from . import export, query as q

    stored = q.load_query(name)
    params = _parse_params(param)
    q.bind_params(stored, params)          # check the parameters before loading the graph
    ds = export.load_dataset(graph)
    result = q.run(ds, stored, params)
    if format is QueryFormat.csv:
        sys.stdout.write(q.format_csv(result))
    elif format is QueryFormat.json:
        sys.stdout.write(q.format_json(result) + "\n")
    else:
        out.print(q.format_table(result, ds.namespace_manager, title=stored.title or stored.name))


@app.command()
def queries(format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f")):
    """List the stored queries with their titles and parameters."""
    from . import query as q

    stored = q.list_queries()
    if format is TextOrJson.json:
        sys.stdout.write(json.dumps([
            {"name": s.name, "title": s.title, "description": s.description,
             "params": [{"name": p.name, "type": p.type, "optional": p.optional, "description": p.description}
                        for p in s.params],
             "examples": s.examples} for s in stored], ensure_ascii=False) + "\n")
        return
    table = Table(title="Stored queries (queries/*.rq)")
    table.add_column("name")
    table.add_column("title")
    table.add_column("parameters")
    for s in stored:
        params = ", ".join(f"{p.name}{'?' if p.optional else ''}" + (f" ({p.type})" if p.type else "")
                           for p in s.params)
        table.add_row(s.name, s.title, params)
    out.print(table)


@app.command()
def export(format: ExportFormat = typer.Option(..., "--format", "-f", help="ttl, nt (union of graphs), nq, trig, jsonld (named graphs)."),
           graph: Path = typer.Option(DEFAULT_BUILD / "graph.trig", "--graph", "-g", help="Graph file or build directory."),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (written atomically); stdout when absent.")):
    """Write the built graph in another RDF format."""
    from . import export as ex

    ds = ex.load_dataset(graph)
    data = ex.serialize(ds, format.value)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            ex.atomic_write(output, data)
        except OSError as exc:
            raise KGError(f"{output}: cannot write ({exc.strerror or exc})") from None
        err.print(f"wrote {output}")


def main() -> None:
    """Entry point: one-line errors, never a traceback (KG_DEBUG=1 shows it)."""
    try:
        app(standalone_mode=False)
    except KGError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)
    except (typer.BadParameter, typer.Abort) as exc:  # pragma: no cover - click formats these
        err.print(f"error: {exc}")
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        import click
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("KG_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} (set KG_DEBUG=1 for details)")
        sys.exit(3)
