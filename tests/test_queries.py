"""Stored queries (queries/*.rq) on the corpus graph, with answers checked against the texts."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg_builder import query as q
from kg_builder.errors import QueryError
from kg_builder.namespace import KG

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
Q1_2023 = "lang-son_2023-q1_bao-cao-kt-xh.txt"
JAN_2022 = "lang-son_2022-01_bao-cao-nq01-cp.txt"
QD_79 = "lang-son_2023_qd-79-qd-ubnd.txt"
CITY_583 = "tp-lang-son_2023-h1_bc-583-bc-ubnd.txt"


def rows(ds, name, **params):
    result = q.run(ds, q.load_query(name), {k: str(v) for k, v in params.items()})
    return [{str(k): v for k, v in r.asdict().items()} for r in result]


def source_text(path_literal) -> str:
    return (RAW / Path(str(path_literal)).name).read_text(encoding="utf-8")


# --- headers ---------------------------------------------------------------------------------

def test_every_stored_query_has_a_complete_header():
    stored = q.list_queries()
    names = {s.name for s in stored}
    assert {"citing-documents", "most-cited", "incomplete-or-conflicting", "outgoing-references",
            "documents", "mentions-of"} <= names
    for s in stored:
        assert s.title and s.description and s.examples, s.name
        for p in s.params:
            assert p.description, f"{s.name}: ?{p.name} has no description"
            assert p.type in (None, "iri") or p.type.startswith("xsd:"), (s.name, p.type)
        for example in s.examples:
            # each example is a valid shell command: `kg query NAME [--param k=v]... [--format F] [--limit N]`
            argv = shlex.split(example)
            assert argv[:3] == ["kg", "query", s.name], example
            rest, given = argv[3:], {}
            while rest:
                opt = rest.pop(0)
                assert opt in ("--param", "-p", "--format", "-f", "--graph", "-g", "--limit", "--offset") \
                    and rest, example
                value = rest.pop(0)
                if opt in ("--limit", "--offset"):
                    assert value.isdigit(), example
                if opt in ("--param", "-p"):
                    name, sep, v = value.partition("=")
                    assert sep, example
                    given[name] = v
            q.bind_params(s, given)   # every example's parameters are declared and well typed


def test_every_stored_query_runs_on_the_corpus(corpus_dataset):
    for s in q.list_queries():
        required = {p.name for p in s.params if not p.optional}
        runs = [r for r in s.example_params() if r and required <= set(r)][:1] or [{p: "x" for p in required}]
        for params in runs:   # once per query (the examples' values are checked above)
            result = q.run(corpus_dataset, s, params)
            assert result.type == "SELECT", s.name
            assert list(result.vars), s.name


# --- answers ---------------------------------------------------------------------------------

def test_citing_documents_96_nq_cp(corpus_dataset):
    # lang-son_2023-q1: "... Nghị quyết số 96/NQ-CP ngày 01/8/2022 của Chính phủ ..."
    found = rows(corpus_dataset, "citing-documents", identifier="96/NQ-CP")
    assert found, "96/NQ-CP is cited by the Q1 2023 report"
    assert {r["date"] for r in found} == {Literal("2022-08-01", datatype=XSD.date)}
    citing = {r["citing"] for r in found}
    paths = {str(corpus_dataset.value(c, KG.sourcePath)) for c in citing}
    assert any(p.endswith(Q1_2023) for p in paths)
    assert all(r["mentions"].toPython() >= 1 for r in found)


def test_citing_documents_year_parameter_separates_the_two_01_nq_cp(corpus_dataset):
    # 01/NQ-CP of 08/01/2022 (reported on in the January 2022 report) and 01/NQ-CP of 06/01/2023
    # (the legal basis of decision 79/QĐ-UBND) are different resolutions.
    y2023 = rows(corpus_dataset, "citing-documents", identifier="01/NQ-CP", year=2023)
    y2022 = rows(corpus_dataset, "citing-documents", identifier="01/NQ-CP", year=2022)
    assert {r["date"] for r in y2023} == {Literal("2023-01-06", datatype=XSD.date)}
    assert {r["date"] for r in y2022} == {Literal("2022-01-08", datatype=XSD.date)}
    assert {str(r["citingIdentifier"]) for r in y2023 if r.get("citingIdentifier")} >= {"79/QĐ-UBND"}
    assert any(r["relation"] == KG.basedOn and str(r.get("citingIdentifier")) == "79/QĐ-UBND" for r in y2023)
    paths_2022 = {str(corpus_dataset.value(r["citing"], KG.sourcePath)) for r in y2022}
    assert any(p.endswith(JAN_2022) for p in paths_2022)
    both = rows(corpus_dataset, "citing-documents", identifier="01/NQ-CP")
    assert len({r["doc"] for r in both}) == 2


def test_citing_documents_by_iri(corpus_dataset):
    by_id = rows(corpus_dataset, "citing-documents", identifier="96/NQ-CP")
    doc = by_id[0]["doc"]
    by_iri = rows(corpus_dataset, "citing-documents", doc=f"<{doc}>")
    assert {(r["citing"], r["relation"]) for r in by_iri} == {(r["citing"], r["relation"]) for r in by_id}


def test_outgoing_references_of_decision_79(corpus_dataset):
    found = rows(corpus_dataset, "outgoing-references", identifier="79/QĐ-UBND")
    assert len(found) >= 10
    # "Căn cứ Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ ..." in the preamble
    basis = [r for r in found if str(r.get("citedIdentifier")) == "01/NQ-CP"]
    assert basis, "79/QĐ-UBND is based on 01/NQ-CP"
    r = basis[0]
    assert r["relation"] == KG.basedOn
    assert r["citedDate"] == Literal("2023-01-06", datatype=XSD.date)
    assert str(r["cited"]).rstrip("/").split("/")[-2] == "2023"
    assert "Căn cứ" in str(r.get("evidence") or "") or r["relation"] == KG.basedOn
    text = source_text(corpus_dataset.value(r["doc"], KG.sourcePath))
    start, end = r["start"].toPython(), r["end"].toPython()
    assert text[start:end] == str(r["exact"])
    assert "01/NQ-CP" in str(r["exact"])
    # the preamble's other bases: 1506/QĐ-TTg, 29/NQ-HĐND
    based = {str(x.get("citedIdentifier")) for x in found if x["relation"] == KG.basedOn}
    assert {"1506/QĐ-TTg", "29/NQ-HĐND"} <= based
    starts = [x["start"].toPython() for x in found]
    assert starts == sorted(starts), "in text order"


def test_every_reference_offset_points_at_its_text(corpus_dataset):
    texts: dict[str, str] = {}
    for r in rows(corpus_dataset, "outgoing-references"):
        path = str(corpus_dataset.value(r["doc"], KG.sourcePath))
        text = texts.setdefault(path, source_text(path))
        assert text[r["start"].toPython():r["end"].toPython()] == str(r["exact"])


def test_incomplete_or_conflicting_lists_01_ct_ubnd(corpus_dataset):
    # January 2022 report: "Chỉ thị số 01/CT-UBND ngày 05/01/2022" and, later,
    # "Chỉ thị số 01/CT-UBND ngày 05/01/2021" — the same directive with two dates.
    conflicts = rows(corpus_dataset, "incomplete-or-conflicting", problem="conflict")
    assert conflicts and all(str(r["issue"]) == "conflict" for r in conflicts)
    ct01 = [r for r in conflicts if str(r.get("identifier")) == "01/CT-UBND"]
    assert ct01
    assert any("2021-01-05" in str(r["detail"]) and "2022-01-05" in str(r["detail"]) for r in ct01)
    everything = rows(corpus_dataset, "incomplete-or-conflicting")
    kinds = {str(r["issue"]) for r in everything}
    assert {"conflict", "no-date"} <= kinds
    assert kinds <= {"conflict", "no-date", "no-issuer", "unresolved", "ambiguous"}
    # the draft Q1 2023 report ("ngày   tháng 3 năm 2023") has only a partial date
    no_date = [r for r in everything if str(r["issue"]) == "no-date"]
    q1 = [r for r in no_date if str(corpus_dataset.value(r["doc"], KG.sourcePath) or "").endswith(Q1_2023)]
    assert q1 and str(q1[0]["detail"]) == "only 2023-03"


def test_mentions_of_01_ct_ubnd_give_both_dates(corpus_dataset):
    found = rows(corpus_dataset, "mentions-of", identifier="01/CT-UBND")
    assert len(found) >= 2
    assert {str(r["citedDate"]) for r in found if r.get("citedDate")} >= {"2022-01-05", "2021-01-05"}
    for r in found:
        assert str(r["path"]).endswith(JAN_2022)
        text = source_text(r["path"])
        assert text[r["start"].toPython():r["end"].toPython()] == str(r["exact"])
        assert "01/CT-UBND" in str(r["exact"])


def test_most_cited(corpus_dataset):
    found = rows(corpus_dataset, "most-cited")
    counts = [r["mentions"].toPython() for r in found]
    assert counts == sorted(counts, reverse=True)
    # "Đề án 06" (of the Government) is named in four of the five texts (not in the 2022 report)
    de_an_06 = [r for r in found if r.get("identifier") and str(r["identifier"]).endswith("06")
                and "Đề án" in str(r.get("kind"))]
    assert de_an_06 and de_an_06[0]["citingSources"].toPython() == 4
    # counts agree with the mentions listed one by one
    top = found[0]
    listed = rows(corpus_dataset, "mentions-of", doc=f"<{top['doc']}>")
    assert len([r for r in listed if r["source"] != top["doc"]]) == top["mentions"].toPython()
    assert len({r["source"] for r in listed if r["source"] != top["doc"]}) == top["citingSources"].toPython()


def test_most_cited_directives(corpus_dataset):
    found = rows(corpus_dataset, "most-cited", type="kg:Directive")
    assert found
    for r in found:
        assert (r["doc"], None, None) and KG.Directive in set(corpus_dataset.objects(r["doc"], URIRef(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
    top = found[0]
    assert str(top["identifier"]) == "01/CT-UBND" and top["mentions"].toPython() == 2


def test_documents_lists_the_five_sources(corpus_dataset):
    found = rows(corpus_dataset, "documents")
    by_path = {Path(str(r["path"])).name: r for r in found}
    assert len(found) == 5 and len(by_path) == 5
    assert str(by_path[QD_79]["identifier"]) == "79/QĐ-UBND"
    assert by_path[QD_79]["date"] == Literal("2023-01-19", datatype=XSD.date)
    assert str(by_path[QD_79]["type"]) == "Decision"
    assert str(by_path[CITY_583]["identifier"]) == "583/BC-UBND"
    assert by_path[CITY_583]["date"] == Literal("2023-07-04", datatype=XSD.date)
    assert "thành phố" in str(by_path[CITY_583]["issuer"])
    q1 = by_path[Q1_2023]
    assert q1["numberBlank"].toPython() is True and "identifier" not in q1
    assert q1["date"] == Literal("2023-03", datatype=XSD.gYearMonth)
    assert str(q1["type"]) == "Report"
    assert all(r["mentions"].toPython() > 0 for r in found)


def test_documents_counts_are_those_of_the_mentions(corpus_dataset):
    # kg:mentionCount / kg:citedDocumentCount, written with each document, against its mentions
    for r in rows(corpus_dataset, "documents"):
        mentions = set(corpus_dataset.subjects(KG.source, r["doc"])) & set(corpus_dataset.subjects(RDF.type, KG.Mention))
        cited = {c for m in mentions for c in corpus_dataset.objects(m, KG.mentions)} - {r["doc"]}
        assert r["mentions"].toPython() == len(mentions) > 0
        assert r["citedDocuments"].toPython() == len(cited)


def test_pages_of_an_answer(corpus_dataset):
    whole = rows(corpus_dataset, "documents")
    stored = q.load_query("documents")
    pages = [[{str(k): v for k, v in r.asdict().items()} for r in q.run(corpus_dataset, stored, {}, limit=2, offset=o)]
             for o in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [r for p in pages for r in p] == whole
    # the page is chosen where the query marks it; without a mark, LIMIT/OFFSET end the query
    marked = "SELECT ?s WHERE {\n  { SELECT ?s WHERE { ?s ?p ?o }\n    #page ORDER BY ?s\n  }\n}"
    assert "\n    ORDER BY ?s LIMIT 3 OFFSET 6\n" in q.apply_page(marked, 3, 6)
    assert q.apply_page(marked) == marked
    assert q.apply_page("SELECT * WHERE { ?s ?p ?o }", 5).rstrip().endswith("LIMIT 5")
    assert q.apply_page("SELECT * WHERE { ?s ?p ?o }", None, 5).rstrip().endswith("OFFSET 5")
    for limit, offset in ((0, 0), (2, -1)):
        with pytest.raises(QueryError):
            q.apply_page(marked, limit, offset)


# --- parameters ------------------------------------------------------------------------------

def test_parameters_are_bound_as_typed_terms():
    assert q.to_term("96/NQ-CP", "xsd:string") == Literal("96/NQ-CP")
    assert q.to_term("2022", "xsd:integer") == Literal("2022", datatype=XSD.integer)
    assert q.to_term("kg:Directive", "iri") == KG.Directive
    assert q.to_term("<https://example.org/x>", "iri") == URIRef("https://example.org/x")
    assert q.to_term("https://example.org/x", None) == URIRef("https://example.org/x")
    assert q.to_term("96/NQ-CP", None) == Literal("96/NQ-CP")
    assert q.to_term("Điều 1: x", None) == Literal("Điều 1: x")   # unknown prefix: a string
    for value, type_ in [("abc", "xsd:integer"), ("Directive", "iri"), ("2022-13-01", "xsd:date"),
                         ("<a b>", "iri")]:
        with pytest.raises(QueryError):
            q.to_term(value, type_)


def test_injection_is_impossible(corpus_dataset):
    # a value is one literal, never SPARQL text
    evil = '96/NQ-CP" } UNION { ?s ?p ?o } #'
    assert rows(corpus_dataset, "citing-documents", identifier=evil) == []


def test_bad_queries_and_params_are_one_line_errors(corpus_dataset, tmp_path):
    with pytest.raises(QueryError, match="unknown query"):
        q.load_query("no-such-query")
    with pytest.raises(QueryError, match="no parameter"):
        q.run(corpus_dataset, q.load_query("most-cited"), {"nope": "1"})
    with pytest.raises(QueryError, match="not a valid xsd:integer"):
        q.run(corpus_dataset, q.load_query("citing-documents"), {"year": "twenty"})
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT * WHERE { ?s ?p }", encoding="utf-8")
    with pytest.raises(QueryError) as exc:
        q.run(corpus_dataset, q.load_query(bad), {})
    assert "\n" not in str(exc.value)


def test_output_formats(corpus_dataset):
    result = q.run(corpus_dataset, q.load_query("documents"), {})
    data = json.loads(q.format_json(result))
    assert len(data["results"]["bindings"]) == 5
    assert "doc" in data["head"]["vars"]
    csv_text = q.format_csv(q.run(corpus_dataset, q.load_query("documents"), {}))
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("doc,") and len(lines) == 6


# --- hint lines (`#+name PATTERN`) ------------------------------------------------------------

def test_hint_lines_become_patterns_only_with_their_parameters():
    text = "SELECT * WHERE {\n  #+a ?s ?p ?a .\n\t#+a,b FILTER (false)\n  # +a not a hint\n  ?s ?p ?o\n}"
    assert q.apply_hints(text, []) == text
    assert q.apply_hints(text, ["b"]) == text
    with_a = q.apply_hints(text, ["?a"])
    assert "\n  ?s ?p ?a .\n\t#+a,b FILTER (false)\n  # +a not a hint\n" in with_a
    assert "\n  ?s ?p ?a .\n\tFILTER (false)\n" in q.apply_hints(text, ["a", "b"])
    assert q.hint_params(text) == {"a", "b"}
    # the store's binding (every path but rdflib in memory) applies them too
    from kg_builder.store import bind_params
    bound = bind_params(text, {"a": Literal("x")})
    assert "\n  ?s ?p ?a .\n" in bound and "#+a,b FILTER" in bound
    assert bind_params(text, {}) == text
    # `$name` in an applied hint is the parameter's value, written as a term (never as text)
    sub = "SELECT * WHERE {\n  { SELECT ?a WHERE {\n    #+a VALUES ?a { $a }\n    ?s ?p ?a } }\n}"
    assert "\n    VALUES ?a { \"x\" }\n" in q.apply_hints(sub, {"a": '"x"'})
    evil = bind_params(sub, {"a": Literal('x" } ?s ?p ?o { "')})
    assert evil.count('VALUES ?a { "x\\" } ?s ?p ?o { \\"" }') == 2


def _hint_cases(ds):
    """(query, params) for every stored query with hint lines: its examples, plus one case per
    hinted parameter that no example gives (a value taken from the corpus)."""
    extra = {"path": next(str(o) for o in ds.objects(None, KG.sourcePath) if str(o).endswith(QD_79))}
    for s in q.list_queries():
        hinted = q.hint_params(s.text)
        if not hinted:
            continue
        cases = [p for p in s.example_params() if hinted & set(p)]
        for name in hinted - {n for p in cases for n in p}:
            if name in extra:
                cases.append({name: extra[name]})
        yield s, cases


def _unhinted(s):
    return q.parse_header(s.text.replace("#+", "#-"), s.name)


def _answer(result):
    names, rows_ = q.result_rows(result)
    return names, sorted(tuple("" if t is None else t.n3() for t in r) for r in rows_)


def test_hint_lines_name_declared_parameters_and_never_change_answers(corpus_dataset, corpus_store):
    """A hint only helps the optimiser: with or without it the answer is the same (rdflib in
    memory and the store)."""
    from kg_builder.store import Store

    store_ds = Store(corpus_store, read_only=True).dataset()
    compared = 0
    for s, cases in _hint_cases(corpus_dataset):
        assert q.hint_params(s.text) <= {p.name for p in s.params}, s.name
        for params in cases:
            for ds in (corpus_dataset, store_ds):
                hinted = _answer(q.run(ds, s, params))
                plain = _answer(q.run(ds, _unhinted(s), params))
                assert hinted == plain, (s.name, params)
                compared += bool(hinted[1])
    assert compared >= 5
