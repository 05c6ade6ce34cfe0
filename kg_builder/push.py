"""`kg push` and `kg query --endpoint`: an external SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB...).

push: every named graph of the embedded store (one per source document + the registry graph)
is sent to the external store, replacing that graph there, in batches:

* SPARQL 1.1 Update (default): ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {batch 1} }``
  then ``INSERT DATA`` for the following batches, POSTed as ``update=`` to the endpoint;
* SPARQL 1.1 Graph Store Protocol (``--graph-store URL``): ``PUT ?graph=<g>`` with the first batch,
  ``POST`` for the following ones (Turtle bodies).

Triples sharing a blank node always travel in the same batch (a blank node label only means
the same node within one request). Credentials are answered for Basic or Digest challenges
(Virtuoso's /sparql-auth uses Digest).

remote queries run through SPARQLWrapper; parameters are bound as RDF terms with the same
VALUES block as the embedded store (kg_builder.store.bind_params).
"""
from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, URIRef

from .errors import KGError

# Triples per request. SPARQL Update text is compiled by the server: Virtuoso's compiler grows
# superlinearly with INSERT DATA size (2000 triples fail: "generated SQL text has exceeded 10000
# lines"; 1000 take 4 s per request), so Update batches are small. Graph Store Protocol bodies
# are parsed as Turtle and can be large.
UPDATE_BATCH = 100
GSP_BATCH = 10000


class PushError(KGError):
    """The external store refused or could not be reached."""


@dataclass
class PushSummary:
    endpoint: str
    graphs: int = 0
    triples: int = 0
    requests: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"endpoint": self.endpoint, "graphs": self.graphs, "triples": self.triples,
                "requests": self.requests, "seconds": round(self.seconds, 3), "failed": self.failed}


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list[Any] = []
    if user is not None:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(mgr), urllib.request.HTTPBasicAuthHandler(mgr)]
    return urllib.request.build_opener(*handlers)


def _send(opener, url: str, data: bytes, method: str, content_type: str, timeout: float) -> None:
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    try:
        with opener.open(req, timeout=timeout) as r:
            r.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip().replace("\n", " ")
        hint = " (check --user/--password)" if exc.code in (401, 403) else ""
        raise PushError(f"{method} {url}: HTTP {exc.code} {exc.reason}{hint}: {detail}") from None
    except urllib.error.URLError as exc:
        raise PushError(f"{url}: cannot connect ({exc.reason})") from None
    except OSError as exc:
        raise PushError(f"{url}: {exc}") from None


def batches(triples: list[ox.Triple], size: int) -> Iterable[list[ox.Triple]]:
    """Batches of about `size` triples; triples connected through blank nodes stay together."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in triples:
        bs = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if len(bs) == 2:
            a, b = find(bs[0]), find(bs[1])
            if a != b:
                parent[a] = b
    groups: dict[str | None, list[ox.Triple]] = {}
    plain: list[ox.Triple] = []
    for t in triples:
        b = t.subject if isinstance(t.subject, ox.BlankNode) else t.object if isinstance(t.object, ox.BlankNode) else None
        if b is None:
            plain.append(t)
        else:
            groups.setdefault(find(b.value), []).append(t)
    cur: list[ox.Triple] = []
    for grp in groups.values():
        if cur and len(cur) + len(grp) > size:
            yield cur
            cur = []
        cur.extend(grp)
    for t in plain:
        if len(cur) >= size:
            yield cur
            cur = []
        cur.append(t)
    if cur:
        yield cur


def _nt(triples: list[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def push(store, endpoint: str, graph_store: str | None = None, user: str | None = None,
         password: str | None = None, batch_size: int | None = None, graphs: Iterable[str] | None = None,
         timeout: float = 120.0, progress: Callable[[str, int], None] | None = None) -> PushSummary:
    """Replace each named graph of `store` (a kg_builder.store.Store) in the external store."""
    t0 = time.perf_counter()
    target = graph_store or endpoint
    if not target:
        raise PushError("give --endpoint (SPARQL Update) or --graph-store (Graph Store Protocol)")
    opener = _opener(target, user, password)
    batch_size = batch_size or (GSP_BATCH if graph_store else UPDATE_BATCH)
    summary = PushSummary(endpoint=target)
    names = list(graphs) if graphs is not None else store.named_graphs()
    for gname in names:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(gname)]
        first = True
        for batch in batches(triples, batch_size) if triples else [[]]:
            if graph_store:
                sep = "&" if "?" in graph_store else "?"
                url = f"{graph_store}{sep}graph={urllib.parse.quote(gname, safe='')}"
                if not batch:
                    _send(opener, url, b"", "DELETE", "text/turtle", timeout) if first else None
                else:
                    _send(opener, url, _nt(batch).encode("utf-8"), "PUT" if first else "POST",
                          "text/turtle; charset=utf-8", timeout)
            else:
                ops = []
                if first:
                    ops.append(f"DROP SILENT GRAPH <{gname}>")
                if batch:
                    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in batch):
                        # blank nodes are not allowed in INSERT DATA by some stores (Virtuoso):
                        # a template with one empty solution creates them the same way
                        ops.append(f"INSERT {{ GRAPH <{gname}> {{\n{_nt(batch)}}} }} WHERE {{}}")
                    else:
                        ops.append(f"INSERT DATA {{ GRAPH <{gname}> {{\n{_nt(batch)}}} }}")
                body = urllib.parse.urlencode({"update": " ;\n".join(ops)}).encode("ascii")
                _send(opener, endpoint, body, "POST", "application/x-www-form-urlencoded", timeout)
            summary.requests += 1
            summary.triples += len(batch)
            first = False
        summary.graphs += 1
        if progress:
            progress(gname, len(triples))
    summary.seconds = time.perf_counter() - t0
    return summary


# --- queries against an external endpoint ----------------------------------------------

def _declared_prefixes(text: str) -> set[str]:
    import re
    return {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", text)}


def with_prefixes(text: str, prefixes: Mapping[str, str]) -> str:
    """Prepend PREFIX lines for the known prefixes the text does not declare itself."""
    have = _declared_prefixes(text)
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items() if p and p not in have]
    return ("\n".join(lines) + "\n" + text) if lines else text


def _term(b: dict) -> Any:
    t = b.get("type")
    if t == "uri":
        return URIRef(b["value"])
    if t == "bnode":
        return BNode(b["value"])
    lang = b.get("xml:lang")
    dt = b.get("datatype")
    if lang:
        return Literal(b["value"], lang=lang)
    if dt and dt != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(b["value"], datatype=URIRef(dt))
    return Literal(b["value"])


def remote_query(endpoint: str, text: str, params: Mapping[str, Any] | None = None,
                 user: str | None = None, password: str | None = None,
                 prefixes: Mapping[str, str] | None = None, timeout: float = 120.0) -> rdflib.query.Result:
    """Run SPARQL on an external endpoint through SPARQLWrapper; an rdflib Result."""
    from rdflib.query import Result
    from rdflib.term import Variable
    from SPARQLWrapper import DIGEST, BASIC, JSON, N3, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    from .store import bind_params

    text = bind_params(with_prefixes(text, prefixes or {}), params)
    sw = SPARQLWrapper(endpoint)
    sw.setMethod(POST)
    sw.setTimeout(int(timeout))
    if user is not None:
        sw.setHTTPAuth(DIGEST if "sparql-auth" in endpoint else BASIC)
        sw.setCredentials(user, password or "")
    sw.setQuery(text)
    kind = sw.queryType
    graph_result = kind in ("CONSTRUCT", "DESCRIBE")
    sw.setReturnFormat(N3 if graph_result else JSON)
    try:
        raw = sw.query()
        data = raw.convert()
    except SPARQLWrapperException as exc:
        raise PushError(f"{endpoint}: {' '.join(str(exc).split())[:300]}") from None
    except urllib.error.HTTPError as exc:
        raise PushError(f"{endpoint}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise PushError(f"{endpoint}: cannot connect ({exc.reason})") from None
    if graph_result:
        out = Result("CONSTRUCT")
        g = rdflib.Graph()
        g.parse(data=data, format="turtle") if isinstance(data, (bytes, str)) else g.__iadd__(data)
        out.graph = g
        return out
    if "boolean" in data:
        out = Result("ASK")
        out.askAnswer = bool(data["boolean"])
        return out
    out = Result("SELECT")
    out.vars = [Variable(v) for v in data["head"]["vars"]]
    out.bindings = [{Variable(k): _term(v) for k, v in row.items()} for row in data["results"]["bindings"]]
    return out
