"""`kg serve`: the SPARQL 1.1 Protocol over real HTTP (loopback), queried with SPARQLWrapper."""
from __future__ import annotations

import csv
import io
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg_builder.serve import make_server
from kg_builder.store import open_batch
from test_store import EX, fixture_dataset

KG = "https://w3id.org/vngovkg/ont#"
SELECT_IDS = ("PREFIX eli: <http://data.europa.eu/eli/ontology#> "
              "SELECT ?d ?id WHERE { ?d eli:id_local ?id } ORDER BY ?id")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "store"
    with open_batch(path) as st:
        st.load_dataset(fixture_dataset())
    return path


def _start(store_path, **kw):
    srv = make_server(store_path, "127.0.0.1", 0, workers=1, **kw)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    return srv


@pytest.fixture(scope="module")
def server(store_path):
    srv = _start(store_path, timeout=20, limit=10000)
    yield srv
    srv.shutdown()
    srv.server_close()


def _sw(server, fmt=JSON, method=None):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw


def _get(url, headers=None, data=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_select_json_get_and_post(server):
    for method in (None, POST):
        sw = _sw(server, JSON, method)
        sw.setQuery(SELECT_IDS)
        res = sw.query().convert()
        assert res["head"]["vars"] == ["d", "id"]
        ids = [b["id"]["value"] for b in res["results"]["bindings"]]
        assert ids == ["01/NQ-CP", "12/BC-UBND", "79/QĐ-UBND"]
        assert res["results"]["bindings"][0]["d"] == {"type": "uri", "value": EX + "doc/chinh-phu/2022/01-nq-cp"}


def test_select_xml_csv_tsv(server):
    sw = _sw(server, XML)
    sw.setQuery(SELECT_IDS)
    doc = sw.query().convert()          # an xml.dom document
    lits = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert lits == ["01/NQ-CP", "12/BC-UBND", "79/QĐ-UBND"]
    sw = _sw(server, CSV)
    sw.setQuery(SELECT_IDS)
    rows = list(csv.reader(io.StringIO(sw.query().convert().decode("utf-8"))))
    assert rows[0] == ["d", "id"] and rows[3] == [EX + "doc/ubnd-tinh-lang-son/2023/79-qd-ubnd", "79/QĐ-UBND"]
    sw = _sw(server, TSV)
    sw.setQuery(SELECT_IDS)
    lines = sw.query().convert().decode("utf-8").splitlines()
    assert lines[0] == "?d\t?id" and lines[1] == f'<{EX}doc/chinh-phu/2022/01-nq-cp>\t"01/NQ-CP"'


def test_typed_and_tagged_literals_in_json(server):
    sw = _sw(server)
    sw.setQuery("SELECT ?date ?title WHERE { ?d <http://data.europa.eu/eli/ontology#date_document> ?date ; "
                "<http://data.europa.eu/eli/ontology#title> ?title }")
    b = sw.query().convert()["results"]["bindings"][0]
    assert b["date"] == {"type": "literal", "value": "2023-01-18", "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert b["title"] == {"type": "literal", "value": "Quyết định về kế hoạch", "xml:lang": "vi"}


def test_ask_and_construct_turtle_jsonld(server):
    sw = _sw(server)
    sw.setQuery(f"ASK {{ <{EX}doc/chinh-phu/2022/01-nq-cp> a <{KG}Resolution> }}")
    assert sw.query().convert()["boolean"] is True
    q = f"CONSTRUCT {{ ?s <{KG}cites> ?o }} WHERE {{ ?s <{KG}cites> ?o }}"
    sw = _sw(server, TURTLE)
    sw.setQuery(q)
    data = sw.query().convert()
    g = rdflib.Graph().parse(data=data, format="turtle")
    assert len(g) == 2
    sw = _sw(server, JSONLD)
    sw.setQuery(q)
    g2 = sw.query().convert()            # SPARQLWrapper parses JSON-LD into an rdflib graph
    assert len(g2) == 2 and set(g2) == set(g)


def test_content_negotiation_by_accept_and_format(server):
    q = urllib.parse.quote(SELECT_IDS)
    st, h, body = _get(f"{server.url}/sparql?query={q}", {"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert st == 200 and h["Content-Type"].startswith("application/sparql-results+xml")
    st, h, body = _get(f"{server.url}/sparql?query={q}&format=csv", {"Accept": "application/json"})
    assert st == 200 and h["Content-Type"].startswith("text/csv") and body.decode().startswith("d,id")
    st, h, body = _get(f"{server.url}/sparql?query={q}", {"Accept": "image/png"})
    assert st == 406
    st, h, body = _get(f"{server.url}/sparql", data=SELECT_IDS.encode(),
                       headers={"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"})
    assert st == 200 and body.decode().startswith("?d\t?id")


def test_protocol_errors(server):
    st, _h, body = _get(f"{server.url}/sparql?query=" + urllib.parse.quote("SELECT WHERE {"))
    assert st == 400 and b"syntax" in body.lower()
    st, _h, _b = _get(f"{server.url}/sparql")
    assert st == 400
    st, _h, _b = _get(f"{server.url}/nowhere")
    assert st == 404
    sw = _sw(server)
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_updates_are_refused_on_a_read_only_endpoint(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setMethod(POST)
    sw.setQuery(f"INSERT DATA {{ GRAPH <{EX}graph/x> {{ <{EX}s> <{EX}p> 1 }} }}")
    with pytest.raises(urllib.error.HTTPError) as exc:
        sw.query()
    assert exc.value.code == 403
    st, _h, _b = _get(f"{server.url}/sparql", data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert st == 403
    sw = _sw(server)
    sw.setQuery(f"ASK {{ GRAPH <{EX}graph/x> {{ ?s ?p ?o }} }}")
    assert sw.query().convert()["boolean"] is False


def test_update_with_token(tmp_path):
    path = tmp_path / "store"
    with open_batch(path) as st:
        st.load_dataset(fixture_dataset())
    srv = _start(path, allow_update=True, token="s3cret")
    try:
        upd = f"INSERT DATA {{ GRAPH <{EX}graph/x> {{ <{EX}s> <{EX}p> 1 }} }}"
        st, h, _b = _get(f"{srv.url}/sparql", data=upd.encode(), headers={"Content-Type": "application/sparql-update"})
        assert st == 401 and "Bearer" in h.get("WWW-Authenticate", "")
        st, _h, _b = _get(f"{srv.url}/sparql", data=upd.encode(), headers={
            "Content-Type": "application/sparql-update", "Authorization": "Bearer wrong"})
        assert st == 401
        st, _h, _b = _get(f"{srv.url}/sparql", data=urllib.parse.urlencode({"update": upd}).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer s3cret"})
        assert st == 200
        sw = SPARQLWrapper(srv.url + "/sparql")
        sw.setReturnFormat(JSON)
        sw.setQuery(f"ASK {{ GRAPH <{EX}graph/x> {{ <{EX}s> <{EX}p> 1 }} }}")
        assert sw.query().convert()["boolean"] is True
    finally:
        srv.shutdown()
        srv.server_close()


def test_timeout_kills_a_runaway_query_and_limit_cuts_results(store_path):
    srv = _start(store_path, timeout=1.0, limit=2)
    try:
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
                "?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x . ?y ?z ?aa }")
        st, _h, body = _get(f"{srv.url}/sparql?query=" + urllib.parse.quote(slow))
        assert st == 503 and b"timed out" in body
        # the replacement worker answers
        st, h, body = _get(f"{srv.url}/sparql?query=" + urllib.parse.quote(SELECT_IDS))
        assert st == 200 and h.get("X-KG-Truncated") == "true"
        assert len(json.loads(body)["results"]["bindings"]) == 2
    finally:
        srv.shutdown()
        srv.server_close()


def test_discovery_lists_stored_queries_and_graphs(server):
    st, _h, body = _get(f"{server.url}/queries")
    assert st == 200
    qs = json.loads(body)["queries"]
    names = {q["name"] for q in qs}
    assert names, "queries/*.rq should be listed"
    for q in qs:
        assert q["url"].endswith("/queries/" + urllib.parse.quote(q["name"]))
        assert all({"name", "type", "optional", "description"} <= set(p) for p in q["params"])
    st, _h, body = _get(f"{server.url}/queries/no-such-query")
    assert st == 404
    st, _h, body = _get(f"{server.url}/graphs")
    graphs = {g["graph"]: g for g in json.loads(body)["graphs"]}
    assert graphs[EX + "graph/a"]["triples"] == 5
    st, _h, body = _get(server.url + "/")
    assert json.loads(body)["sparql"].endswith("/sparql")


def test_stored_queries_over_http_match_the_store(corpus_store):
    """GET /queries/NAME?param=... answers what `kg query NAME --param ...` answers."""
    from kg_builder import query as kgq
    from kg_builder.store import Store

    srv = _start(corpus_store, timeout=60)
    try:
        st = Store(corpus_store, read_only=True)
        checked = 0
        for q in kgq.list_queries():
            if not all(p.optional for p in q.params):
                continue
            st_, _h, body = _get(f"{srv.url}/queries/{urllib.parse.quote(q.name)}")
            assert st_ == 200, (q.name, body[:300])
            data = json.loads(body)
            local = kgq.run(st.dataset(), q, {})
            if local.type != "SELECT":
                continue
            assert data["head"]["vars"] == [str(v) for v in local.vars]
            assert len(data["results"]["bindings"]) == len(list(local)), q.name
            checked += 1
        assert checked >= 3
        # a parameter given in the URL is bound as a term
        q = next(q for q in kgq.list_queries() if q.name == "citing-documents")
        st_, _h, body = _get(f"{srv.url}/queries/citing-documents?identifier=01%2FNQ-CP&format=csv")
        assert st_ == 200
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        local = list(kgq.run(st.dataset(), q, {"identifier": "01/NQ-CP"}))
        assert len(rows) - 1 == len(local) >= 1
        st_, _h, body = _get(f"{srv.url}/queries/citing-documents?nosuchparam=1")
        assert st_ == 400
        # pages: limit= and offset= choose the rows, in the query's order
        q = next(q for q in kgq.list_queries() if q.name == "documents")
        whole = [str(r["doc"]) for r in kgq.run(st.dataset(), q, {})]
        pages = []
        for offset in range(0, len(whole), 2):
            st_, _h, body = _get(f"{srv.url}/queries/documents?limit=2&offset={offset}")
            assert st_ == 200
            pages.append([b["doc"]["value"] for b in json.loads(body)["results"]["bindings"]])
        assert [len(p) for p in pages[:-1]] == [2] * (len(pages) - 1)
        assert [d for p in pages for d in p] == whole
        for bad in ("limit=0", "limit=x", "offset=-1"):
            st_, _h, body = _get(f"{srv.url}/queries/documents?{bad}")
            assert st_ == 400 and bad.split("=")[0].encode() in body, (bad, body)
        st.close()
    finally:
        srv.shutdown()
        srv.server_close()
