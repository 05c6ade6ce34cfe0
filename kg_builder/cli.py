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
        from .errors import InputError
        raise InputError("no readable input files")
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
          format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f"),
          store: Optional[Path] = typer.Option(None, "--store", help="Persistent store directory (default data/store, env KG_STORE)."),
          no_store: bool = typer.Option(False, "--no-store", help="Do not write the persistent store."),
          no_export: bool = typer.Option(False, "--no-export", help="Write only the store (streams: bounded memory for big corpora)."),
          jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Extract documents in N worker processes."),
          fresh: bool = typer.Option(False, "--fresh", help="Rebuild the store from empty instead of updating it.")):
    """Build the graph of the inputs into OUTPUT (graph.trig, graph.ttl, graph.jsonld) and the store."""
    from rich.progress import Progress

    from .pipeline import build as run_build, expand_inputs
    from .store import default_store_path

    if no_store and no_export:
        raise KGError("--no-store and --no-export: nothing would be written")
    store_path = None if no_store else default_store_path(store)
    files, _ = expand_inputs(inputs)
    with Progress(console=err, transient=True, disable=format is TextOrJson.json) as progress:
        task = progress.add_task("building", total=(len(files) * (2 if no_export else 1)) or None)
        summary = run_build(inputs, None if no_export else output, base_iri=_base_iri(base_iri), reason=reason,
                            progress=lambda name: progress.advance(task), store=store_path, jobs=jobs, fresh=fresh)
    for p in summary.skipped:
        err.print(f"[yellow]skipped:[/] {p}")
    if format is TextOrJson.json:
        sys.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False) + "\n")
    else:
        table = Table(title=f"Graph built in {summary.store.get('path') if no_export else output}")
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
        if summary.store:
            st = summary.store
            out.print(f"  store graphs: {st['added']} added, {st['replaced']} replaced, {st['unchanged']} unchanged, "
                      f"{st['removed']} removed; {st['quads']} quads, {st['bytes'] / 1e6:.1f} MB on disk")
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
          graph: Optional[Path] = typer.Option(None, "--graph", "-g", help="Graph file (graph.trig, .nq, .ttl, .jsonld) or build directory (default: the store if there is one, else data/build/graph.trig)."),
          format: QueryFormat = typer.Option(QueryFormat.table, "--format", "-f", help="table, csv or json (SPARQL JSON results)."),
          store: Optional[Path] = typer.Option(None, "--store", help="Query this persistent store (default data/store, env KG_STORE)."),
          endpoint: Optional[str] = typer.Option(None, "--endpoint", help="Query an external SPARQL endpoint instead (via SPARQLWrapper)."),
          user: Optional[str] = typer.Option(None, "--user", help="User for the external endpoint."),
          password: Optional[str] = typer.Option(None, "--password", envvar="KG_ENDPOINT_PASSWORD", help="Password (env KG_ENDPOINT_PASSWORD)."),
          limit: Optional[int] = typer.Option(None, "--limit", min=1, help="One page of the answer: at most this many rows (of the rows the query pages by)."),
          offset: int = typer.Option(0, "--offset", min=0, help="Skip this many rows first (with --limit: the next page).")):
    """Run a stored SPARQL query (or a .rq file) over the store, a graph file or an external endpoint."""
    from . import export, query as q
    from .store import Store, default_store_path

    stored = q.load_query(name)
    params = _parse_params(param)
    bindings = q.bind_params(stored, params)   # check the parameters before loading the graph
    if endpoint:
        from rdflib import Graph
        from .namespace import PREFIXES
        from .push import remote_query
        result = remote_query(endpoint, q.apply_page(stored.text, limit, offset),
                              {str(k): v for k, v in bindings.items()}, user=user,
                              password=password, prefixes={k: str(v) for k, v in PREFIXES.items()})
        ds = Graph()
        for k, v in PREFIXES.items():
            ds.bind(k, v)
    elif graph is None and (store is not None or (default_store_path() / "current").exists()):
        from .namespace import bind_prefixes
        ds = Store(store, read_only=True).dataset()
        bind_prefixes(ds)
        result = q.run(ds, stored, params, limit, offset)
    else:
        ds = export.load_dataset(graph or DEFAULT_BUILD / "graph.trig")
        result = q.run(ds, stored, params, limit, offset)
    if format is QueryFormat.csv:
        sys.stdout.write(q.format_csv(result))
    elif format is QueryFormat.json:
        sys.stdout.write(q.format_json(result) + "\n")
    else:
        from .namespace import DEFAULT_BASE_IRI, bind_prefixes
        bind_prefixes(ds, _base_iri(None) or DEFAULT_BASE_IRI)   # id: shortens the data IRIs
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
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (written atomically); stdout when absent."),
           store: Optional[Path] = typer.Option(None, "--store", help="Dump this persistent store instead (nq or trig), streamed: for a bulk loader.")):
    """Write the built graph in another RDF format."""
    from . import export as ex

    if store is not None:
        from .store import DUMP_FORMATS, Store, default_store_path

        if format.value not in DUMP_FORMATS:
            raise KGError(f"a store is dumped as nq or trig, not {format.value}")
        with Store(default_store_path(store), read_only=True) as st:
            if output is None:
                st.oxigraph.dump(sys.stdout.buffer, format=DUMP_FORMATS[format.value])
                sys.stdout.flush()
                return
            try:
                st.dump(output, format.value)
            except OSError as exc:
                raise KGError(f"{output}: cannot write ({exc.strerror or exc})") from None
        err.print(f"wrote {output}")
        return
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


# --- store: serve / push (store helper) -----------------------------------------------------

@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
          port: int = typer.Option(8000, "--port", help="TCP port (0: any free port)."),
          store: Optional[Path] = typer.Option(None, "--store", help="Store directory (default data/store, env KG_STORE)."),
          timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run before it is stopped (503)."),
          limit: int = typer.Option(10000, "--limit", help="Most result rows/triples returned (0: no limit)."),
          workers: int = typer.Option(2, "--workers", min=1, help="Query worker processes."),
          allow_update: bool = typer.Option(False, "--allow-update", help="Accept SPARQL Update with the bearer token."),
          token: Optional[str] = typer.Option(None, "--token", envvar="KG_SERVE_TOKEN", help="Bearer token for updates (env KG_SERVE_TOKEN)."),
          verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every request.")):
    """Serve the store as a read-only SPARQL 1.1 endpoint (/sparql, /queries, /graphs)."""
    from .serve import make_server
    from .store import default_store_path

    srv = make_server(default_store_path(store), host, port, timeout=timeout, limit=limit, workers=workers,
                      allow_update=allow_update, token=token, quiet=not verbose)
    err.print(f"SPARQL endpoint {srv.url}/sparql  (stored queries: {srv.url}/queries; Ctrl-C stops)")
    import signal

    def _stop(_sig, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _stop)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


@app.command()
def push(endpoint: Optional[str] = typer.Option(None, "--endpoint", help="SPARQL 1.1 Update endpoint of the external store."),
         graph_store: Optional[str] = typer.Option(None, "--graph-store", help="Graph Store Protocol URL (used instead of Update)."),
         user: Optional[str] = typer.Option(None, "--user", help="User name (Basic or Digest authentication)."),
         password: Optional[str] = typer.Option(None, "--password", envvar="KG_ENDPOINT_PASSWORD", help="Password (env KG_ENDPOINT_PASSWORD)."),
         store: Optional[Path] = typer.Option(None, "--store", help="Store directory (default data/store, env KG_STORE)."),
         batch: Optional[int] = typer.Option(None, "--batch", min=1, help="Triples per request (default 100 with Update, 10000 with the Graph Store Protocol)."),
         format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f")):
    """Send every named graph of the store to an external SPARQL store, replacing it there."""
    from rich.progress import Progress

    from .push import push as run_push
    from .store import Store

    if not endpoint and not graph_store:
        raise KGError("give --endpoint URL (SPARQL Update) or --graph-store URL (Graph Store Protocol)")
    with Store(store, read_only=True) as st:
        names = st.named_graphs()
        with Progress(console=err, transient=True, disable=format is TextOrJson.json) as progress:
            task = progress.add_task("pushing", total=len(names) or None)
            summary = run_push(st, endpoint, graph_store=graph_store, user=user, password=password,
                               batch_size=batch, graphs=names, progress=lambda g, n: progress.advance(task))
    if format is TextOrJson.json:
        sys.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False) + "\n")
    else:
        out.print(f"pushed {summary.graphs} graphs ({summary.triples} triples, {summary.requests} requests) "
                  f"to {summary.endpoint} in {summary.seconds:.1f} s")


# --- issue 6: kg trace / kg tasks (helper-6) ---------------------------------------------

class TraceFormat(str, Enum):
    text = "text"
    json = "json"
    dot = "dot"
    svg = "svg"


class TasksFormat(str, Enum):
    table = "table"
    json = "json"


def _trace_dataset(graph_file: Optional[Path], inputs: Optional[list[Path]], base_iri: Optional[str],
                   reasoned: bool = False):
    """The graph to read: a built file (--graph), else the inputs (default data/raw) built in memory."""
    from . import trace as tr

    if graph_file is not None:
        ds = tr.load_graph(graph_file)
        if reasoned:
            from .graph_tasks import materialise_drives
            materialise_drives(ds)
        return ds
    from .resources import data_path
    with err.status("building the graph of the inputs…"):
        return tr.build_graph(inputs or [data_path("raw")], base_iri=_base_iri(base_iri), reason=reasoned)


def _write_or_print(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from .export import atomic_write
    atomic_write(output, text.encode("utf-8"))
    err.print(f"wrote {output}")


@app.command()
def trace(document: str = typer.Argument(..., help="A document identifier (96/NQ-CP, 11-NQ/TW), an IRI, "
                                                   "or with --reverse a task IRI or a programme/project name."),
          year: Optional[int] = typer.Option(None, "--year", help="The year, when several documents share the number."),
          reverse: bool = typer.Option(False, "--reverse", help="Walk up to the resolutions behind it."),
          format: TraceFormat = typer.Option(TraceFormat.text, "--format", "-f", help="text, json, dot or svg."),
          graph_file: Optional[Path] = typer.Option(None, "--graph", "-g", help="A built graph (graph.trig); default: build the inputs."),
          inputs: Optional[list[Path]] = typer.Option(None, "--input", "-i", help="Text files or directories (default data/raw)."),
          output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
          depth: int = typer.Option(8, "--depth", help="Maximum depth of the tree."),
          no_leaves: bool = typer.Option(False, "--no-leaves", help="Leave out the programmes and agencies of each task."),
          reasoned: bool = typer.Option(False, "--reasoned", help="Materialise kg:drivenBy first (as `kg build --reason`)."),
          base_iri: Optional[str] = typer.Option(None, "--base-iri")):
    """The tree of everything a document drives: documents implementing it, their tasks, the
    programmes/projects those tasks concern, the agencies assigned — each edge with its evidence."""
    from . import trace as tr

    ds = _trace_dataset(graph_file, inputs, base_iri, reasoned)
    roots = tr.find_roots(ds, document, year, reverse)
    index = tr._Index(ds)
    trees = [tr.reverse_tree(ds, r, depth, index) if reverse else
             tr.trace_tree(ds, r, depth, leaves=not no_leaves, index=index) for r in roots]
    if format is TraceFormat.json:
        _write_or_print(tr.to_json(trees) + "\n", output)
    elif format is TraceFormat.dot:
        _write_or_print(tr.to_dot(trees), output)
    elif format is TraceFormat.svg:
        _write_or_print(tr.to_svg(trees), output)
    else:
        for t in trees:
            out.print(tr.to_rich(t))


@app.command()
def tasks(agency: Optional[str] = typer.Option(None, "--agency", help="Lead or cooperating agency (name, abbreviation or id)."),
          period: Optional[str] = typer.Option(None, "--period", help="2023, 2023-Q2, 2023-H2 or 2023-05."),
          document: Optional[str] = typer.Option(None, "--document", help="Identifier, IRI or part of the title of the source."),
          year: Optional[int] = typer.Option(None, "--year", help="Year of --document when the number is shared."),
          format: TasksFormat = typer.Option(TasksFormat.table, "--format", "-f", help="table or json."),
          graph_file: Optional[Path] = typer.Option(None, "--graph", "-g", help="A built graph (graph.trig); default: build the inputs."),
          inputs: Optional[list[Path]] = typer.Option(None, "--input", "-i", help="Text files or directories (default data/raw)."),
          base_iri: Optional[str] = typer.Option(None, "--base-iri")):
    """The tasks of plans, reports and decisions: deadlines, sub-targets, lead and cooperating agencies."""
    from . import trace as tr

    ds = _trace_dataset(graph_file, inputs, base_iri)
    rows = tr.list_tasks(ds, agency=agency, period=period, document=document, year=year)
    if format is TasksFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(rows)} tasks", show_lines=True)
    for col in ("document", "task", "period", "deadlines", "targets", "lead", "cooperating"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["document_label"] or "", f"{r['path']}: {(r['heading'] or '')[:90]}", r["period"] or "",
                      "; ".join(d["text"] or "" for d in r["deadlines"]),
                      "; ".join(f"{t['comparator'] or ''}{t['value']}{t['unit'] or ''}" for t in r["targets"]),
                      "; ".join(a["name"] for a in r["lead"]), "; ".join(a["name"] for a in r["cooperating"]))
    out.print(table)


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    ttl = "ttl"


def _validation_progress(format_is_text: bool):
    """A transient status line on stderr while files are validated (shown for text output)."""
    from rich.status import Status

    status = Status("validating", console=err) if format_is_text else None
    if status is not None:
        status.start()

    def step(name: str) -> None:
        if status is not None:
            status.update(f"validating {name}")
    return status, step


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="New text files (or directories of *.txt) to check."),
             against: Optional[Path] = typer.Option(None, "--against", help="The existing graph: a store directory, a build directory or a graph file (.trig/.nq/.ttl). Default: data/store if present, else data/build/graph.trig, else none."),
             format: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="text: grouped by severity; json; ttl: a sh:ValidationReport."),
             engine: str = typer.Option("fast", "--engine", help="fast (default) or pyshacl (the reference engine, slow)."),
             base_iri: Optional[str] = typer.Option(None, "--base-iri", help="Base IRI of minted nodes (env KG_BASE_IRI).")):
    """Check new documents with the SHACL shapes against the existing graph (exit 0 conforms, 1 violations, 2 unreadable)."""
    from .validate import ENGINES, exit_code, report_graph, report_json, report_text, validate_files

    if engine not in ENGINES:
        raise KGError(f"unknown engine {engine!r}: use {' or '.join(ENGINES)}")
    status, step = _validation_progress(format is ReportFormat.text)
    try:
        reports = validate_files(files, against, base_iri=_base_iri(base_iri), engine=engine, progress=step)
    finally:
        if status is not None:
            status.stop()
    if format is ReportFormat.json:
        sys.stdout.write(json.dumps(report_json(reports, str(against) if against else None), ensure_ascii=False) + "\n")
    elif format is ReportFormat.ttl:
        sys.stdout.write(report_graph(reports).serialize(format="turtle"))
    else:
        out.print(report_text(reports), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(exit_code(reports))


@app.command()
def add(files: list[Path] = typer.Argument(..., help="New text files (or directories of *.txt) to add."),
        store: Optional[Path] = typer.Option(None, "--store", help="The store to add to (default data/store when it exists)."),
        graph: Optional[Path] = typer.Option(None, "--graph", help="Add to graph files instead (a build directory, default data/build)."),
        force: bool = typer.Option(False, "--force", help="Add even when validation finds violations."),
        format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f"),
        base_iri: Optional[str] = typer.Option(None, "--base-iri", help="Base IRI of minted nodes (env KG_BASE_IRI).")):
    """Validate new documents, then add those that conform (or all with --force), replacing earlier versions."""
    from .validate import add_files, exit_code, report_text

    if store is not None and graph is not None:
        raise KGError("give either --store or --graph, not both")
    status, step = _validation_progress(format is TextOrJson.text)
    try:
        reports, outcomes, target = add_files(files, store=store, graph=graph, force=force,
                                              base_iri=_base_iri(base_iri), progress=step)
    finally:
        if status is not None:
            status.stop()
    if format is TextOrJson.json:
        sys.stdout.write(json.dumps({"target": target, "added": [o.to_json() for o in outcomes],
                                     "files": [r.to_json() for r in reports]}, ensure_ascii=False) + "\n")
    else:
        out.print(report_text(reports), highlight=False, markup=False, soft_wrap=True)
        for o in outcomes:
            if o.added:
                extra = f" (replaced {', '.join(o.replaced)})" if o.replaced else ""
                out.print(f"added: {o.source} -> {o.graph} in {target}{extra}", highlight=False, markup=False)
            else:
                out.print(f"not added: {o.source}: {o.reason}", highlight=False, markup=False)
    code = exit_code(reports)
    if code == 1 and force:
        code = 0
    raise typer.Exit(code)


# --- indicators (helper-5): kg indicators, kg chart ------------------------------------------

class IndicatorFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _indicator_records(graph: Optional[Path], store: Optional[Path], files: Optional[list[Path]],
                       base_iri: Optional[str]):
    """Observations read from the graph: FILES built in memory, else --graph, else the store,
    else data/build/graph.trig."""
    from .consistency import load_records

    if files:
        from . import graph as graph_mod, resolve
        from .pipeline import expand_inputs, extract_all
        paths, problems = expand_inputs(files)
        for p in problems:
            err.print(f"[yellow]skipped:[/] {p}")
        if not paths:
            from .errors import InputError
            raise InputError("no readable input files")
        docs = extract_all(paths, problems=problems)
        ds = graph_mod.build_dataset(docs, resolve.resolve(docs), base_iri=_base_iri(base_iri))
        from .consistency import fast_dataset
        return load_records(fast_dataset(ds)), docs
    if graph is None:
        from .store import Store, default_store_path
        if store is not None or (default_store_path() / "current").exists():
            return load_records(Store(store, read_only=True).dataset()), None
    from .consistency import open_graph
    return load_records(open_graph(graph or DEFAULT_BUILD / "graph.trig")), None


def _select_indicator(records, indicator: Optional[str]):
    if not indicator:
        return records, None
    from .indicators import resolve_indicator
    con = resolve_indicator(indicator)
    if con is None:
        from .indicators import candidates
        cands = candidates(indicator)
        if cands:
            raise KGError(f"{indicator!r} names several indicators: "
                          + ", ".join(f"{c.key} ({c.pref_vi})" for c in cands[:8]) + " — give one of these keys")
        raise KGError(f"no indicator of the scheme matches {indicator!r} (ontology/indicators.ttl; "
                      f"try a name such as 'Tổng lượt khách du lịch' or a key such as 'tourists')")
    return [r for r in records if r.indicator == con.iri], con


def _area_matches(r_area: Optional[str], area: str) -> bool:
    from .graph import slugify
    if not r_area:
        return False
    last = r_area.rstrip("/").rsplit("/", 1)[-1]
    return r_area == area or last == area or last == slugify(area)


def _in_year(r, year: Optional[int]) -> bool:
    if year is None:
        return True
    if r.period_start is None or r.period_end is None:
        return False
    return r.period_start.year <= year <= r.period_end.year


@app.command()
def indicators(files: Optional[list[Path]] = typer.Argument(None, help="Text files to read directly (built in memory); default: the built graph."),
               year: Optional[int] = typer.Option(None, "--year", "-y", help="Only periods that include this year."),
               indicator: Optional[str] = typer.Option(None, "--indicator", "-i", help="Indicator key (tourists), name or variant ('Lượng khách du lịch')."),
               area: Optional[str] = typer.Option(None, "--area", help="Only this area: a place id (lang-son) or IRI."),
               format: IndicatorFormat = typer.Option(IndicatorFormat.table, "--format", "-f", help="table, csv or json."),
               graph: Optional[Path] = typer.Option(None, "--graph", "-g", help="Graph file or build directory (default: the store if any, else data/build/graph.trig)."),
               store: Optional[Path] = typer.Option(None, "--store", help="Read this persistent store."),
               check: bool = typer.Option(False, "--check", help="Report inconsistencies: implied plans against targets, evaluations against numbers."),
               tolerance: float = typer.Option(0.02, "--tolerance", help="Relative tolerance of --check for implied plans (0.02 = 2 %)."),
               unmatched: bool = typer.Option(False, "--unmatched", help="List indicator names that match no concept of the scheme, and table rows not read (needs FILES)."),
               base_iri: Optional[str] = typer.Option(None, "--base-iri", help="Base IRI when FILES are built in memory.")):
    """Targets and reported values of each indicator, with sources; --check finds inconsistencies."""
    if unmatched:
        _print_unmatched(files, format)
        return
    records, _ = _indicator_records(graph, store, files, base_iri)
    records, con = _select_indicator(records, indicator)
    if area:
        records = [r for r in records if _area_matches(r.area, area)]
    if check:
        from .consistency import check as run_check
        findings = run_check(records, tolerance)
        findings = [f for f in findings if _in_year(f.observation, year)]
        if format is IndicatorFormat.json:
            sys.stdout.write(json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=1) + "\n")
        elif format is IndicatorFormat.csv:
            import csv
            w = csv.writer(sys.stdout)
            w.writerow(["kind", "indicator", "message", "reported_source", "reported_start", "target_source", "target_start"])
            for f in findings:
                w.writerow([f.kind, f.indicator_label, f.message, f.observation.source, f.observation.start,
                            f.other.source if f.other else "", f.other.start if f.other else ""])
        else:
            if not findings:
                out.print("No inconsistency found.")
            for f in findings:
                out.print(f"[bold]{f.kind}[/] {f.message}", highlight=False)
                out.print(f"   reported: {f.observation.source_name} [{f.observation.start}-{f.observation.end}] "
                          f"«{f.observation.sentence[:160]}»", highlight=False)
                if f.other is not None:
                    out.print(f"   target:   {f.other.source_name} [{f.other.start}-{f.other.end}] "
                              f"«{f.other.sentence[:160]}»", highlight=False)
        return
    records = [r for r in records if _in_year(r, year)]
    groups = _group_indicators(records)
    if format is IndicatorFormat.json:
        sys.stdout.write(json.dumps(groups, ensure_ascii=False, indent=1) + "\n")
    elif format is IndicatorFormat.csv:
        import csv
        w = csv.writer(sys.stdout)
        w.writerow(["indicator", "indicator_label", "kind", "measure", "period", "value_text", "value", "lower",
                    "upper", "bound", "unit", "percent_of_plan", "year_on_year", "evaluation", "lead_agencies",
                    "cooperating_agencies", "set_by", "source", "source_id", "start", "end", "sentence"])
        for g in groups:
            for kind in ("targets", "values"):
                for v in g[kind]:
                    w.writerow([g["indicator"], g["label"], kind[:-1], v["measure"], v["period"]["label"],
                                v["value_text"], v["value"], v["lower"], v["upper"], v["bound"], v["unit_label"],
                                v.get("percent_of_plan") or "", v.get("year_on_year") or "", v["evaluation"] or "",
                                "; ".join(v["lead_agencies"]), "; ".join(v["cooperating_agencies"]),
                                v["set_by"] or "", v["source"], v["source_id"] or "", v["start"], v["end"], v["sentence"]])
    else:
        if not groups:
            out.print("No indicator values" + (f" for {year}" if year else "") + ".")
        for g in groups:
            area = (g["area"] or "").rstrip("/").rsplit("/", 1)[-1]
            table = Table(title=f"{g['label']} ({g['label_en']})" + (f" — {area}" if area else ""),
                          title_justify="left", show_lines=False)
            for col in ("loại", "kỳ", "giá trị", "đơn vị", "% KH", "so cùng kỳ", "đánh giá", "cơ quan chủ trì", "nguồn"):
                table.add_column(col)
            for kind in ("targets", "values"):
                for v in g[kind]:
                    table.add_row(v["measure_vi"], v["period"]["label"] or "", v["value_text"], v["unit_label"] or "",
                                  v.get("percent_of_plan") or "", v.get("year_on_year") or "", v["evaluation"] or "",
                                  "; ".join(v["lead_agencies"]), f"{v['source_name']} [{v['start']}-{v['end']}]")
            out.print(table)


MEASURE_VI = {"target": "mục tiêu", "estimate": "ước thực hiện", "result": "kết quả",
              "percent-of-plan": "% kế hoạch", "year-on-year": "so cùng kỳ"}


def _group_indicators(records) -> list[dict]:
    by_iri = {r.iri: r for r in records}
    extras: dict[str, dict[str, str]] = {}
    for r in records:
        if r.of and r.of in by_iri:
            key = "percent_of_plan" if r.measure == "percent-of-plan" else "year_on_year"
            text = r.value_text if r.measure == "percent-of-plan" else (
                f"{'+' if (r.value or 0) >= 0 else ''}{r.value} %" if r.value is not None else r.value_text)
            extras.setdefault(r.of, {})[key] = text
    groups: dict[str, dict] = {}
    for r in records:
        g = groups.setdefault(f"{r.indicator} {r.area}", {
            "indicator": r.indicator, "label": r.indicator_vi, "label_en": r.indicator_en, "area": r.area,
            "higher_is_better": r.higher_is_better, "targets": [], "values": []})
        if r.measure in ("percent-of-plan", "year-on-year") and r.of in by_iri:
            continue
        item = r.as_json()
        item.update(extras.get(r.iri, {}))
        item["measure_vi"] = MEASURE_VI.get(r.measure, r.measure)
        item["unit_label"] = r.unit_vi
        item["source_name"] = r.source_name
        (g["targets"] if r.measure == "target" else g["values"]).append(item)
    return sorted(groups.values(), key=lambda g: (g["label"], g["area"] or ""))


def _print_unmatched(files: Optional[list[Path]], format) -> None:
    from .pipeline import expand_inputs, extract_all
    if not files:
        raise KGError("--unmatched reads the documents themselves: give the text files (e.g. data/raw)")
    paths, problems = expand_inputs(files)
    docs = extract_all(paths, problems=problems)
    rows = []
    for d in docs:
        for o in d.extras.get("indicators", []):
            if o.indicator is None:
                rows.append({"source": d.source, "kind": "unmatched-name", "name": o.name, "measure": o.measure,
                             "value_text": o.value_text, "start": o.start, "end": o.end, "sentence": o.sentence})
        for p in d.extras.get("indicator_problems", []):
            rows.append({"source": d.source, "kind": "not-read", "name": p.reason, "measure": "",
                         "value_text": "", "start": p.start, "end": p.end, "sentence": p.text})
    if format is IndicatorFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    if format is IndicatorFormat.csv:
        import csv
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["source"])
        w.writeheader()
        w.writerows(rows)
        return
    table = Table(title="Indicator names not in the scheme, and table content not read")
    for col in ("source", "kind", "name / reason", "value", "offsets"):
        table.add_column(col)
    for r in rows:
        table.add_row(Path(r["source"]).name, r["kind"], r["name"][:70], r["value_text"], f"{r['start']}-{r['end']}")
    out.print(table)


@app.command()
def chart(indicator: str = typer.Argument(..., help="Indicator key (tourists), name or variant."),
          output: Path = typer.Option(..., "-o", "--output", help="Output file: .png or .svg."),
          area: Optional[str] = typer.Option(None, "--area", help="Area IRI or place id (default: the area with most values)."),
          graph: Optional[Path] = typer.Option(None, "--graph", "-g", help="Graph file or build directory (default: the store if any, else data/build/graph.trig)."),
          store: Optional[Path] = typer.Option(None, "--store", help="Read this persistent store."),
          files: Optional[list[Path]] = typer.Option(None, "--from", help="Build these text files in memory instead of reading a graph (repeatable).")):
    """Plot an indicator's targets (a band for a range) and reported values over time."""
    from .chart import draw

    records, _ = _indicator_records(graph, store, files, None)
    records, con = _select_indicator(records, indicator)
    area_iri = None
    if area:
        area_iri = next((r.area for r in records if _area_matches(r.area, area)), None)
        if area_iri is None:
            known = sorted({r.area.rstrip("/").rsplit("/", 1)[-1] for r in records if r.area})
            raise KGError(f"no values of this indicator for area {area!r} (areas: {', '.join(known) or 'none'})")
    path = draw(records, output, area=area_iri)
    out.print(f"chart written: {path}")


def main() -> None:
    """Entry point: one-line errors, never a traceback (KG_DEBUG=1 shows it)."""
    try:
        code = app(standalone_mode=False)
        # click returns (does not raise) typer.Exit's code when standalone_mode is off
        if isinstance(code, int) and code:
            sys.exit(code)
    except KGError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)
    except (typer.BadParameter, typer.Abort) as exc:
        # format_message names the option ("Invalid value for '--limit': …"); str() does not
        err.print(f"error: {exc.format_message() if hasattr(exc, 'format_message') else exc}", highlight=False)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        # click's usage errors (typer >= 0.20 vendors click as typer._click: no import of it)
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("KG_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} (set KG_DEBUG=1 for details)")
        sys.exit(3)
