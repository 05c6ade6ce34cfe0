"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the persistent store.

Standard library only (http.server.ThreadingHTTPServer). Routes:

    GET  /                  a JSON description of the service (endpoints, limits, graphs count)
    GET  /sparql?query=...  SPARQL 1.1 Protocol query (also default-graph-uri / named-graph-uri)
    POST /sparql            form (query=... or update=...) or application/sparql-query|update body
    GET  /queries           the stored queries (queries/*.rq): name, title, params, url
    GET  /queries/NAME?p=v  run one stored query; parameters bound as RDF terms; limit= and
                            offset= ask for one page of the answer (query.apply_page)
    GET  /graphs            the named graphs with their triple counts and sources

Results by content negotiation (Accept header, or a `format`/`output` parameter): SELECT/ASK as
SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle (default), N-Triples,
JSON-LD or RDF/XML. A query runs in a worker process that is killed when it exceeds the timeout
(503); results beyond the row limit are cut (header `X-KG-Truncated: true`). Updates are refused
(403) unless the server was started with --allow-update and the request carries
`Authorization: Bearer TOKEN`.
"""
from __future__ import annotations

import hmac
import json
import multiprocessing as mp
import queue
import sys
import threading
import urllib.parse
import xml.sax.saxutils as saxutils
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import KGError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MAX_BODY = 16 * 1024 * 1024

# media type -> (format key, Content-Type sent)
RESULT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "text/javascript": "json", "application/javascript": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle",
    "text/n3": "turtle", "text/rdf+n3": "turtle", "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "jsonld", "application/x-json+ld": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdfxml", "application/xml": "rdfxml", "text/xml": "rdfxml",
}
FORMAT_PARAM = {   # values of ?format= / ?output= (SPARQLWrapper sends these)
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "json-ld": "jsonld", "jsonld": "jsonld", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json; charset=utf-8",
    "xml": "application/sparql-results+xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
    "rdfxml": "application/rdf+xml; charset=utf-8",
}
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Response:
    return Response(status, (message.rstrip() + "\n").encode("utf-8"))


# --- content negotiation ----------------------------------------------------------------

def _parse_accept(accept: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured, stable otherwise)."""
    if not accept:
        return []
    items = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        mt = bits[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if mt and q > 0:
            items.append((-q, i, mt))
    return [mt for _q, _i, mt in sorted(items)]


def negotiate(kind: str, accept: str | None, fmt: str | None) -> str | None:
    """The format key for a result kind ("results" or "graph"); None when nothing acceptable."""
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    default = "json" if kind == "results" else "turtle"
    if fmt:
        key = FORMAT_PARAM.get(fmt.lower()) or table.get(fmt.lower())
        if key is not None:
            if kind == "results" and key in ("json", "xml", "csv", "tsv"):
                return key
            if kind == "graph":
                return {"xml": "rdfxml", "json": "jsonld"}.get(key, key) if key not in ("csv", "tsv") else None
        return None
    types = _parse_accept(accept)
    if not types:
        return default
    for mt in types:
        if mt in table:
            return table[mt]
        if mt in ("*/*", "application/*", "text/*"):
            return default
    return None


# --- serialisation ----------------------------------------------------------------------

def _json_term(t: Any) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    d = {"type": "literal", "value": t.value}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype.value != XSD_STRING:
        d["datatype"] = t.datatype.value
    return d


def _xml_term(t: Any) -> str:
    esc = saxutils.escape
    if isinstance(t, ox.NamedNode):
        return f"<uri>{esc(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{esc(t.value)}</bnode>"
    if t.language:
        return f'<literal xml:lang={saxutils.quoteattr(t.language)}>{esc(t.value)}</literal>'
    if t.datatype.value != XSD_STRING:
        return f"<literal datatype={saxutils.quoteattr(t.datatype.value)}>{esc(t.value)}</literal>"
    return f"<literal>{esc(t.value)}</literal>"


def _csv_cell(t: Any) -> str:
    if t is None:
        return ""
    v = ("_:" + t.value) if isinstance(t, ox.BlankNode) else t.value
    if any(c in v for c in ',"\n\r'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def _tsv_cell(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.Literal) and not t.language and t.datatype.value == XSD_STRING:
        return '"' + t.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
            .replace("\r", "\\r").replace("\t", "\\t") + '"'
    return str(t)


def serialize_solutions(variables: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": [
            {v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]}},
            ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>" + "".join(f"<variable name={saxutils.quoteattr(v)}/>" for v in variables) + "</head>",
               "<results>"]
        for row in rows:
            out.append("<result>" + "".join(f"<binding name={saxutils.quoteattr(v)}>{_xml_term(t)}</binding>"
                                            for v, t in zip(variables, row) if t is not None) + "</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_cell(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)] + ["\t".join(_tsv_cell(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    return f"?_askResult\n{'true' if value else 'false'}\n".encode()


# --- executing a request against a store ------------------------------------------------

def execute(store, job: dict) -> Response:
    """Run one query job (a dict, picklable) on a Store; used in worker processes."""
    from .store import bind_params

    text = job["query"]
    limit = job.get("limit") or 0
    try:
        if job.get("params"):
            text = bind_params(text, job["params"])
        kwargs: dict[str, Any] = {}
        if job.get("default_graphs"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
        if job.get("prefixes"):
            kwargs["prefixes"] = job["prefixes"]
        res = store.oxigraph.query(text, **kwargs)
    except SyntaxError as exc:
        return error(400, f"SPARQL syntax error: {exc}")
    except (ValueError, RuntimeError, KGError) as exc:
        return error(400, f"bad query: {exc}")
    except OSError as exc:
        return error(500, f"store error: {exc}")
    headers: dict[str, str] = {}
    try:
        if isinstance(res, ox.QueryBoolean):
            fmt = negotiate("results", job.get("accept"), job.get("format"))
            if fmt is None:
                return error(406, "no acceptable format for an ASK result (use JSON, XML, CSV or TSV)")
            return Response(200, serialize_boolean(bool(res), fmt), CONTENT_TYPES[fmt])
        if isinstance(res, ox.QuerySolutions):
            fmt = negotiate("results", job.get("accept"), job.get("format"))
            if fmt is None:
                return error(406, "no acceptable format for SELECT results (use SPARQL JSON, XML, CSV or TSV)")
            variables = [v.value for v in res.variables]
            rows = []
            for sol in res:
                if limit and len(rows) >= limit:
                    headers["X-KG-Truncated"] = "true"
                    break
                rows.append([sol[i] for i in range(len(variables))])
            return Response(200, serialize_solutions(variables, rows, fmt), CONTENT_TYPES[fmt], headers)
        fmt = negotiate("graph", job.get("accept"), job.get("format"))
        if fmt is None:
            return error(406, "no acceptable format for a graph result (use Turtle, N-Triples, JSON-LD or RDF/XML)")
        triples = []
        for t in res:
            if limit and len(triples) >= limit:
                headers["X-KG-Truncated"] = "true"
                break
            triples.append(t)
        body = ox.serialize(triples, format=RDF_FORMATS[fmt]) if triples else \
            (b"[]" if fmt == "jsonld" else b"")
        return Response(200, body, CONTENT_TYPES[fmt], headers)
    except OSError as exc:
        return error(500, f"store error: {exc}")
    except (ValueError, RuntimeError) as exc:
        return error(400, f"query failed: {exc}")


def _worker_main(conn, store_path: str) -> None:
    from .store import Store

    st = None
    try:
        st = Store(store_path, read_only=True)
    except KGError:
        st = None                       # reported per query below
    try:
        conn.send("ready")              # started: the query timeout counts from here
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if st is None:
                st = Store(store_path, read_only=True)
            else:
                st.refresh()
            resp = execute(st, job)
        except KGError as exc:
            resp = error(503, str(exc))
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            resp = error(500, f"internal error: {type(exc).__name__}: {exc}")
        try:
            conn.send(resp)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, ctx, store_path: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_path), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until the worker has imported everything and opened the store."""
        if not self.ready and self.conn.poll(timeout):
            try:
                self.ready = self.conn.recv() == "ready"
            except (EOFError, OSError):
                return False
        return self.ready

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """Query worker processes, each with a read-only snapshot of the store; a worker that
    exceeds the timeout is killed and replaced."""

    def __init__(self, store_path: str, size: int = 2):
        self.ctx = mp.get_context("spawn")
        self.store_path = store_path
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.all: list[_Worker] = []
        self.lock = threading.Lock()
        for _ in range(max(1, size)):
            w = _Worker(self.ctx, store_path)
            self.all.append(w)
            self.idle.put(w)

    def run(self, job: dict, timeout: float) -> Response:
        try:
            w = self.idle.get(timeout=timeout)
        except queue.Empty:
            return error(503, f"all query workers are busy (waited {timeout:g} s); try again")
        if not w.wait_ready():
            w.kill()
            nw = _Worker(self.ctx, self.store_path)
            with self.lock:
                self.all = [x for x in self.all if x is not w] + [nw]
            self.idle.put(nw)
            return error(503, "the query worker did not start; try again")
        remaining = timeout             # the query's own time, from when a ready worker has it
        try:
            w.conn.send(job)
            if w.conn.poll(remaining):
                resp = w.conn.recv()
                self.idle.put(w)
                return resp
        except (EOFError, OSError, BrokenPipeError):
            pass
        # timed out (or the worker died): replace it
        w.kill()
        nw = _Worker(self.ctx, self.store_path)
        with self.lock:
            self.all = [x for x in self.all if x is not w] + [nw]
        self.idle.put(nw)
        return error(503, f"query timed out after {timeout:g} s (the limit is set with kg serve --timeout)")

    def close(self) -> None:
        for w in self.all:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in self.all:
            w.proc.join(2)
            if w.proc.is_alive():
                w.proc.kill()


# --- the HTTP server --------------------------------------------------------------------

@dataclass
class ServerConfig:
    store_path: str
    timeout: float = 30.0
    limit: int = 10000
    allow_update: bool = False
    token: str | None = None
    workers: int = 2
    quiet: bool = True


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], config: ServerConfig):
        from .store import Store

        self.config = config
        Store(config.store_path, read_only=True).close()     # fail early, one line, if missing
        self.pool = WorkerPool(config.store_path, config.workers)
        self.write_lock = threading.Lock()
        super().__init__(addr, Handler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def _stored_queries() -> dict[str, Any]:
    from .query import list_queries
    return {q.name: q for q in list_queries()}


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-sparql/1"

    def log_message(self, fmt: str, *args: Any) -> None:
        if not self.server.config.quiet:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    def _json(self, obj: Any, status: int = 200) -> None:
        self._send(Response(status, json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8"),
                            "application/json; charset=utf-8"))

    # routing
    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path = url.path.rstrip("/") or "/"
        try:
            if path == "/sparql":
                if "update" in params:
                    return self._send(error(405, "updates must be sent with POST"))
                return self._query(params)
            if path == "/":
                return self._describe()
            if path == "/queries":
                return self._list_queries()
            if path.startswith("/queries/"):
                return self._stored(urllib.parse.unquote(path[len("/queries/"):]), params)
            if path == "/graphs":
                return self._graphs()
            return self._send(error(404, f"no such resource {url.path!r} (see GET / for the endpoints)"))
        except KGError as exc:
            return self._send(error(400, str(exc)))

    def do_POST(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if (url.path.rstrip("/") or "/") != "/sparql":
            return self._send(error(404, f"POST {url.path!r}: use /sparql"))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self._send(error(413, f"request body over {MAX_BODY} bytes"))
        body = self.rfile.read(length) if length else b""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._send(error(400, "the request body is not UTF-8"))
        if ctype == "application/x-www-form-urlencoded":
            for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            params["query"] = [text]
        elif ctype == "application/sparql-update":
            params["update"] = [text]
        else:
            return self._send(error(415, "POST a form (application/x-www-form-urlencoded), "
                                         "application/sparql-query or application/sparql-update"))
        if "update" in params:
            return self._update(params)
        return self._query(params)

    # handlers
    def _job(self, query: str, params: dict[str, list[str]]) -> dict:
        cfg = self.server.config
        fmt = (params.get("format") or params.get("output") or params.get("results") or [None])[0]
        return {"query": query, "accept": self.headers.get("Accept"), "format": fmt, "limit": cfg.limit,
                "default_graphs": params.get("default-graph-uri") or [],
                "named_graphs": params.get("named-graph-uri") or []}

    def _query(self, params: dict[str, list[str]]) -> None:
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            return self._send(error(400, "give exactly one non-empty `query` parameter"))
        job = self._job(queries[0], params)
        self._send(self.server.pool.run(job, self.server.config.timeout))

    def _update(self, params: dict[str, list[str]]) -> None:
        cfg = self.server.config
        if not cfg.allow_update:
            return self._send(error(403, "this endpoint is read-only (start kg serve with --allow-update and a token)"))
        auth = self.headers.get("Authorization") or ""
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not cfg.token or not hmac.compare_digest(given.encode(), cfg.token.encode()):
            resp = error(401, "updates need Authorization: Bearer <token>")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="kg"'
            return self._send(resp)
        updates = params.get("update") or []
        if len(updates) != 1:
            return self._send(error(400, "give exactly one `update` parameter"))
        from .store import Store
        with self.server.write_lock:
            try:
                with Store(cfg.store_path) as st:
                    st.update(updates[0])
            except SyntaxError as exc:
                return self._send(error(400, f"SPARQL syntax error: {exc}"))
            except KGError as exc:
                return self._send(error(409 if "another process" in str(exc) else 400, str(exc)))
            except (OSError, ValueError, RuntimeError) as exc:
                return self._send(error(400, f"update failed: {exc}"))
        self._send(Response(200, b"update done\n"))

    def _describe(self) -> None:
        cfg = self.server.config
        base = f"http://{self.headers.get('Host') or '%s:%d' % self.server.server_address[:2]}"
        self._json({"service": "kg SPARQL 1.1 endpoint (read-only)" if not cfg.allow_update else "kg SPARQL 1.1 endpoint",
                    "sparql": base + "/sparql", "queries": base + "/queries", "graphs": base + "/graphs",
                    "timeout_seconds": cfg.timeout, "result_limit": cfg.limit, "updates": cfg.allow_update,
                    "result_formats": sorted(set(CONTENT_TYPES.values()))})

    def _list_queries(self) -> None:
        base = f"http://{self.headers.get('Host') or '%s:%d' % self.server.server_address[:2]}"
        out = []
        for q in _stored_queries().values():
            out.append({"name": q.name, "title": q.title, "description": q.description,
                        "params": [{"name": p.name, "type": p.type, "optional": p.optional,
                                    "description": p.description} for p in q.params],
                        "examples": q.examples, "url": f"{base}/queries/{urllib.parse.quote(q.name)}"})
        self._json({"queries": out})

    def _stored(self, name: str, params: dict[str, list[str]]) -> None:
        from . import query as kgquery
        from .namespace import PREFIXES

        q = _stored_queries().get(name)
        if q is None:
            return self._send(error(404, f"no stored query {name!r} (see /queries)"))
        given = {k: v[-1] for k, v in params.items() if k not in ("format", "output", "results", "limit", "offset")}
        try:
            bindings = kgquery.bind_params(q, given)
            limit = _count_param(params, "limit", 1)
            text = kgquery.apply_page(q.text, limit, _count_param(params, "offset", 0) or 0)
        except KGError as exc:
            return self._send(error(400, str(exc)))
        job = self._job(text, params)
        job["params"] = {str(k): v for k, v in bindings.items()}
        job["prefixes"] = {k: str(v) for k, v in PREFIXES.items()}
        self._send(self.server.pool.run(job, self.server.config.timeout))

    def _graphs(self) -> None:
        from .store import Store
        with Store(self.server.config.store_path, read_only=True) as st:
            info = {r["iri"]: r for r in st.graph_info()}
            names = st.named_graphs()
        self._json({"graphs": [{"graph": g, "triples": info.get(g, {}).get("triples"),
                                "source": info.get(g, {}).get("source")} for g in names]})


def _count_param(params: dict[str, list[str]], name: str, least: int) -> int | None:
    """A page parameter of a stored-query request (?limit=100&offset=200)."""
    if name not in params:
        return None
    value = params[name][-1]
    if not value.isdigit() or int(value) < least:
        raise KGError(f"{name} must be an integer of at least {least} (got {value!r})")
    return int(value)


def make_server(store_path: str | Path, host: str = "127.0.0.1", port: int = 8000, **kwargs: Any) -> SparqlServer:
    """A ready server (call serve_forever(); port 0 picks a free port, see .server_address)."""
    cfg = ServerConfig(store_path=str(store_path), **kwargs)
    if cfg.allow_update and not cfg.token:
        raise KGError("--allow-update needs a token (--token or env KG_SERVE_TOKEN)")
    try:
        return SparqlServer((host, port), cfg)
    except OSError as exc:
        raise KGError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
