"""Graph stage: RDF of hand-built dataclasses, export round trips, SHACL shapes on the corpus."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from kg_builder import export, graph
from kg_builder.models import (Agency, Citation, DocumentHeader, DocumentRecord, ExtractedDocument,
                               MentionLink, Registry, Section)
from kg_builder.namespace import ELI, KG, ORG
from kg_builder.normalise import clean

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/vngovkg/id/"

# --- a tiny corpus of two hand-built documents -------------------------------------------------

TEXT_A = """ỦY BAN NHÂN DÂN
TỈNH LẠNG SƠN
Số: 79/QĐ-UBND
Lạng Sơn, ngày 19 tháng 01 năm 2023
QUYẾT ĐỊNH
Về nhiệm vụ năm 2023
Căn cứ Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ về nhiệm vụ;
Điều 1. Thực hiện Chỉ thị số 01/CT-UBND ngày 05/01/2022 và Nghị quyết số 11-NQ/TW; tiếp tục thực hiện Chỉ thị số 01/CT-UBND. Quyết định này (Quyết định số 79/QĐ-UBND).
"""
TEXT_B = """Số: /BC-UBND
Lạng Sơn, ngày   tháng 3 năm 2023
BÁO CÁO
Tình hình quý I
I. KẾT QUẢ
Thực hiện Nghị quyết số 01/NQ-CP của Chính phủ và Quyết định số 79/QĐ-UBND ngày 19/01/2023.
Chỉ thị số 01/CT-UBND ngày 05/01/2021. Văn bản không rõ số 99/XX-YY.
"""
K_NQ01 = "chinh-phu|2023|01/NQ-CP"
K_QD79 = "ubnd-tinh-lang-son|2023|79/QĐ-UBND"
K_CT01 = "ubnd-tinh-lang-son|2022|01/CT-UBND"
K_DRAFT = "ubnd-tinh-lang-son|2023|draft-bbbbbbbbbbbb"
K_TW21 = "ban-chap-hanh-trung-uong|2021|11-NQ/TW"
K_TW22 = "ban-chap-hanh-trung-uong|2022|11-NQ/TW"


def _cit(text, surface, nth=0, **kw):
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Citation(surface=surface, start=start, end=start + len(surface), **kw)


def tiny_corpus(source_a="data/raw/a.txt", source_b="data/raw/b.txt"):
    a = ExtractedDocument(
        source=source_a, sha256="a" * 64, text=clean(TEXT_A),
        header=DocumentHeader(type="Quyết định", type_code="QĐ", identifier="79/QĐ-UBND", symbol="QĐ-UBND",
                              date="2023-01-19", place="Lạng Sơn", issuer="UBND tỉnh Lạng Sơn",
                              issuer_id="ubnd-tinh-lang-son", title="Về nhiệm vụ năm 2023"))
    art = TEXT_A.index("Điều 1.")
    a.sections = [Section(id="s1", kind="article", label="Điều 1", heading="Điều 1. Thực hiện", level=1,
                          start=art, end=len(TEXT_A))]
    a.citations = [
        _cit(TEXT_A, "Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ", type="Nghị quyết",
             identifier="01/NQ-CP", date="2023-01-06", issuer="Chính phủ", issuer_id="chinh-phu",
             relation="based_on", year=2023,
             evidence="Căn cứ Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ về nhiệm vụ;"),
        _cit(TEXT_A, "Chỉ thị số 01/CT-UBND ngày 05/01/2022", type="Chỉ thị", identifier="01/CT-UBND",
             date="2022-01-05", relation="implements", section="s1", year=2022),
        _cit(TEXT_A, "Nghị quyết số 11-NQ/TW", type="Nghị quyết", identifier="11-NQ/TW", section="s1"),
        _cit(TEXT_A, "Chỉ thị số 01/CT-UBND", nth=1, type="Chỉ thị", identifier="01/CT-UBND",
             relation="implements", section="s1"),
        _cit(TEXT_A, "Quyết định số 79/QĐ-UBND", type="Quyết định", identifier="79/QĐ-UBND", section="s1"),
    ]
    b = ExtractedDocument(
        source=source_b, sha256="b" * 64, text=clean(TEXT_B),
        header=DocumentHeader(type="Báo cáo", type_code="BC", symbol="BC-UBND", number_blank=True,
                              date_partial="2023-03", place="Lạng Sơn", issuer_id="ubnd-tinh-lang-son",
                              title="Tình hình quý I"))
    sec = TEXT_B.index("I. KẾT QUẢ")
    b.sections = [Section(id="s1", kind="roman", label="I", heading="I. KẾT QUẢ", level=1,
                          start=sec, end=len(TEXT_B))]
    b.citations = [
        _cit(TEXT_B, "Nghị quyết số 01/NQ-CP của Chính phủ", type="Nghị quyết", identifier="01/NQ-CP",
             issuer="Chính phủ", issuer_id="chinh-phu", relation="implements", section="s1"),
        _cit(TEXT_B, "Quyết định số 79/QĐ-UBND ngày 19/01/2023", type="Quyết định", identifier="79/QĐ-UBND",
             date="2023-01-19", section="s1", year=2023),
        _cit(TEXT_B, "Chỉ thị số 01/CT-UBND ngày 05/01/2021", type="Chỉ thị", identifier="01/CT-UBND",
             date="2021-01-05", section="s1", year=2021),
        _cit(TEXT_B, "số 99/XX-YY", type=None, identifier="99/XX-YY", section="s1"),
    ]
    reg = Registry()
    reg.documents = {
        K_NQ01: DocumentRecord(key=K_NQ01, type="Nghị quyết", identifier="01/NQ-CP", issuer_id="chinh-phu",
                               year=2023, date="2023-01-06", mentions=2),
        K_QD79: DocumentRecord(key=K_QD79, type="Quyết định", identifier="79/QĐ-UBND",
                               issuer_id="ubnd-tinh-lang-son", year=2023, date="2023-01-19",
                               title="Về nhiệm vụ năm 2023", source=source_a, mentions=2),
        K_CT01: DocumentRecord(key=K_CT01, type="Chỉ thị", identifier="01/CT-UBND", issuer_id="ubnd-tinh-lang-son",
                               year=2022, conflicts=["date: 2022-01-05 ≠ 2021-01-05"], mentions=3),
        K_DRAFT: DocumentRecord(key=K_DRAFT, type="Báo cáo", identifier=None, issuer_id="ubnd-tinh-lang-son",
                                year=2023, title="Tình hình quý I", source=source_b),
        K_TW21: DocumentRecord(key=K_TW21, type="Nghị quyết", identifier="11-NQ/TW",
                               issuer_id="ban-chap-hanh-trung-uong", year=2021),
        K_TW22: DocumentRecord(key=K_TW22, type="Nghị quyết", identifier="11-NQ/TW",
                               issuer_id="ban-chap-hanh-trung-uong", year=2022),
    }
    reg.sources = {source_a: K_QD79, source_b: K_DRAFT}
    reg.links = [
        MentionLink(source_a, 0, K_NQ01, "resolved"),
        MentionLink(source_a, 1, K_CT01, "resolved"),
        MentionLink(source_a, 2, None, "ambiguous", [K_TW21, K_TW22]),
        MentionLink(source_a, 3, K_CT01, "undated"),
        MentionLink(source_a, 4, K_QD79, "resolved"),          # the decision naming itself
        MentionLink(source_b, 0, K_NQ01, "resolved"),
        MentionLink(source_b, 1, K_QD79, "resolved"),
        MentionLink(source_b, 2, K_CT01, "resolved"),
        MentionLink(source_b, 3, None, "unresolved"),
    ]
    reg.agencies = {
        "chinh-phu": Agency(id="chinh-phu", name="Chính phủ", name_en="Government", kind="government", codes=["CP"]),
        "ban-chap-hanh-trung-uong": Agency(id="ban-chap-hanh-trung-uong", name="Ban Chấp hành Trung ương",
                                           name_en="Central Committee", kind="party", codes=["TW"]),
        "ubnd-tinh-lang-son": Agency(id="ubnd-tinh-lang-son", name="Ủy ban nhân dân tỉnh Lạng Sơn",
                                     name_en="People's Committee of Lạng Sơn province", level="province",
                                     kind="people-committee", parent="chinh-phu", codes=["UBND"]),
    }
    return [a, b], reg


@pytest.fixture()
def tiny():
    return tiny_corpus()


@pytest.fixture()
def tiny_ds(tiny):
    return graph.build_dataset(*tiny, base_iri=BASE)


def named(ds: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def doc_iri(rec_key: str, reg: Registry) -> URIRef:
    return graph.Minter(BASE).doc(reg.documents[rec_key])


# --- structure of the dataset ------------------------------------------------------------------

def test_one_named_graph_per_source_and_a_registry(tiny_ds):
    names = set(named(tiny_ds))
    assert names == {BASE + "graph/ubnd-tinh-lang-son/2023/79-qd-ubnd",
                     BASE + "graph/src-" + "b" * 16,
                     BASE + "graph/registry"}


def test_source_document_node(tiny, tiny_ds):
    g = named(tiny_ds)[BASE + "graph/ubnd-tinh-lang-son/2023/79-qd-ubnd"]
    doc = URIRef(BASE + "doc/ubnd-tinh-lang-son/2023/79-qd-ubnd")
    assert doc_iri(K_QD79, tiny[1]) == doc
    types = set(g.objects(doc, RDF.type))
    assert {KG.Decision, KG.Document, KG.SourceDocument, KG.StateDocument} <= types
    assert g.value(doc, ELI.id_local) == Literal("79/QĐ-UBND")
    assert g.value(doc, ELI.date_document) == Literal("2023-01-19", datatype=XSD.date)
    assert g.value(doc, KG.numberBlank) == Literal(False)
    assert g.value(doc, KG.numberBlank).datatype == XSD.boolean
    assert g.value(doc, KG.incomplete) == Literal(False)
    assert g.value(doc, KG.issuer) == URIRef(BASE + "agency/ubnd-tinh-lang-son")
    assert g.value(doc, KG.title) == Literal("Về nhiệm vụ năm 2023", lang="vi")
    assert g.value(doc, KG.sha256) == Literal("a" * 64)
    assert g.value(doc, KG.sourcePath) == Literal("data/raw/a.txt")
    assert g.value(doc, KG.place) is not None


def test_draft_without_number(tiny, tiny_ds):
    g = named(tiny_ds)[BASE + "graph/src-" + "b" * 16]
    doc = doc_iri(K_DRAFT, tiny[1])
    assert (doc, RDF.type, KG.Report) in g
    assert g.value(doc, ELI.id_local) is None
    assert g.value(doc, KG.numberBlank) == Literal(True)
    assert g.value(doc, KG.symbol) == Literal("BC-UBND")
    assert g.value(doc, KG.datePartial) == Literal("2023-03", datatype=XSD.gYearMonth)
    assert g.value(doc, ELI.date_document) is None
    # the registry does not add a less precise year to a source dated by its own header
    reg = named(tiny_ds)[BASE + "graph/registry"]
    assert reg.value(doc, KG.datePartial) is None


def test_sections_form_a_tree_with_offsets(tiny, tiny_ds):
    docs, _ = tiny
    g = named(tiny_ds)[BASE + "graph/ubnd-tinh-lang-son/2023/79-qd-ubnd"]
    sections = list(g.subjects(RDF.type, KG.Section))
    assert len(sections) == 1
    s = sections[0]
    assert str(s) == f"{BASE}src/{'a' * 16}/section/{docs[0].sections[0].start}-{docs[0].sections[0].end}"
    assert g.value(s, DCTERMS_IS_PART_OF) == URIRef(BASE + "doc/ubnd-tinh-lang-son/2023/79-qd-ubnd")
    assert g.value(s, KG.label) == Literal("Điều 1")
    assert g.value(s, KG.depth) == Literal(1)
    assert g.value(s, KG.heading).language == "vi"


DCTERMS_IS_PART_OF = URIRef("http://purl.org/dc/terms/isPartOf")


def test_mentions_carry_provenance_and_resolution(tiny, tiny_ds):
    docs, reg = tiny
    g = named(tiny_ds)[BASE + "graph/ubnd-tinh-lang-son/2023/79-qd-ubnd"]
    doc = doc_iri(K_QD79, reg)
    mentions = sorted(g.subjects(RDF.type, KG.Mention), key=lambda m: g.value(m, KG.start).toPython())
    assert len(mentions) == len(docs[0].citations)
    for m, cit in zip(mentions, sorted(docs[0].citations, key=lambda c: c.start)):
        assert str(m) == f"{BASE}src/{'a' * 16}/mention/{cit.start}-{cit.end}"
        assert g.value(m, KG.source) == doc
        start, end = g.value(m, KG.start), g.value(m, KG.end)
        assert start.datatype == XSD.integer and end.datatype == XSD.integer
        assert str(g.value(m, KG.exact)) == TEXT_A[start.toPython():end.toPython()] == cit.surface
        assert g.value(m, KG.inFootnote) == Literal(False)
    first = mentions[0]
    assert g.value(first, KG.mentions) == doc_iri(K_NQ01, reg)
    assert g.value(first, KG.relation) == KG.basedOn
    assert g.value(first, KG.resolutionStatus) == Literal("resolved")
    assert g.value(first, KG.citedDate) == Literal("2023-01-06", datatype=XSD.date)
    assert g.value(first, KG.evidence).language == "vi"
    assert g.value(first, KG.inSection) is None           # the preamble is in no section
    assert g.value(mentions[1], KG.inSection) is not None
    ambiguous = [m for m in mentions if g.value(m, KG.resolutionStatus) == Literal("ambiguous")]
    assert len(ambiguous) == 1
    assert g.value(ambiguous[0], KG.mentions) is None
    assert set(g.objects(ambiguous[0], KG.candidate)) == {doc_iri(K_TW21, reg), doc_iri(K_TW22, reg)}


def test_one_citation_edge_per_distinct_target_and_relation(tiny, tiny_ds):
    _, reg = tiny
    g = named(tiny_ds)[BASE + "graph/ubnd-tinh-lang-son/2023/79-qd-ubnd"]
    doc = doc_iri(K_QD79, reg)
    edges = {(p, o) for p, o in g.predicate_objects(doc)
             if p in (KG.cites, KG.basedOn, KG.implements, KG.amends, KG.repeals, KG.guides)}
    # two mentions of 01/CT-UBND with relation implements -> one edge; no edge to itself;
    # no edge for the ambiguous 11-NQ/TW
    assert edges == {(KG.basedOn, doc_iri(K_NQ01, reg)), (KG.implements, doc_iri(K_CT01, reg))}
    assert len(list(g.triples((doc, KG.implements, None)))) == 1


def test_unresolved_mention_has_no_target(tiny, tiny_ds):
    g = named(tiny_ds)[BASE + "graph/src-" + "b" * 16]
    unresolved = [m for m in g.subjects(KG.resolutionStatus, Literal("unresolved"))]
    assert len(unresolved) == 1
    assert g.value(unresolved[0], KG.mentions) is None
    assert g.value(unresolved[0], KG.citedIdentifier) == Literal("99/XX-YY")


def test_registry_graph(tiny, tiny_ds):
    _, reg = tiny
    g = named(tiny_ds)[BASE + "graph/registry"]
    docs = set(g.subjects(RDF.type, KG.Document))
    assert docs == {doc_iri(k, reg) for k in reg.documents}
    ct = doc_iri(K_CT01, reg)
    assert str(ct) == BASE + "doc/ubnd-tinh-lang-son/2022/01-ct-ubnd"
    assert (ct, RDF.type, KG.Directive) in g
    assert g.value(ct, KG.conflict) == Literal("date: 2022-01-05 ≠ 2021-01-05")
    assert g.value(ct, KG.datePartial) == Literal("2022", datatype=XSD.gYear)
    assert (doc_iri(K_TW21, reg), RDF.type, KG.PartyDocument) in g
    assert (doc_iri(K_NQ01, reg), RDF.type, KG.StateDocument) in g
    ubnd = URIRef(BASE + "agency/ubnd-tinh-lang-son")
    assert (ubnd, RDF.type, ORG.Organization) in g and (ubnd, RDF.type, KG.Agency) in g
    labels = {(l.language, str(l)) for l in g.objects(ubnd, SKOS.prefLabel)}
    assert ("vi", "Ủy ban nhân dân tỉnh Lạng Sơn") in labels and any(lang == "en" for lang, _ in labels)
    assert g.value(ubnd, ORG.subOrganizationOf) == URIRef(BASE + "agency/chinh-phu")
    assert g.value(ubnd, KG.level) == Literal("province")


def test_base_iri_argument_and_environment(tiny, monkeypatch):
    ds = graph.build_dataset(*tiny, base_iri="http://example.org/kg")
    assert all(str(g.identifier).startswith("http://example.org/kg/graph/") for g in ds.graphs() if len(g))
    monkeypatch.setenv("KG_BASE_IRI", "urn:test:")
    ds = graph.build_dataset(*tiny)
    assert all(str(g.identifier).startswith("urn:test:/graph/") for g in ds.graphs() if len(g))
    monkeypatch.delenv("KG_BASE_IRI")
    ds = graph.build_dataset(*tiny)
    assert all(str(g.identifier).startswith(BASE) for g in ds.graphs() if len(g))


def test_serialisation_is_deterministic(tiny):
    docs, reg = tiny
    one = export.serialize(graph.build_dataset(docs, reg), "trig")
    two = export.serialize(graph.build_dataset(list(reversed(docs)), copy.deepcopy(reg)), "trig")
    assert one == two


def test_absolute_source_paths_are_not_stored(tmp_path):
    docs, reg = tiny_corpus(source_a=str(tmp_path / "a.txt"), source_b=str(tmp_path / "b.txt"))
    ds = graph.build_dataset(docs, reg)
    paths = {str(o) for o in ds.objects(None, KG.sourcePath)}
    assert paths == {"a.txt", "b.txt"}


def test_literal_helpers_reject_bad_values():
    assert graph.lit_date("2021-02-30") is None
    assert graph.lit_date("05/01/2022") is None
    assert graph.lit_partial_date("2023-13") is None
    assert graph.lit_partial_date("--06-19").datatype == XSD.gMonthDay
    assert graph.slugify("79/QĐ-UBND") == "79-qd-ubnd"
    assert graph.slugify("Lạng Sơn") == "lang-son"


# --- export ------------------------------------------------------------------------------------

def test_outputs_round_trip(tiny_ds, tmp_path):
    out = export.write_outputs(tiny_ds, tmp_path / "out")
    assert set(out) == {"trig", "ttl", "jsonld"}
    assert not list((tmp_path / "out").glob(".*.tmp"))
    quads = {(s, p, o, g.identifier) for g in tiny_ds.graphs() for s, p, o in g}
    for name in ("trig", "jsonld"):
        back = export.load_dataset(out[name])
        assert {(s, p, o, g.identifier) for g in back.graphs() for s, p, o in g} == quads, name
    union = Graph().parse(out["ttl"], format="turtle")
    assert set(union) == set(export.union_graph(tiny_ds))
    for fmt in ("nt", "nq"):
        assert export.serialize(tiny_ds, fmt)


def test_load_dataset_errors_are_one_line(tmp_path):
    from kg_builder.errors import InputError
    with pytest.raises(InputError, match="no such graph file"):
        export.load_dataset(tmp_path / "missing.trig")
    bad = tmp_path / "bad.trig"
    bad.write_text("<a> <b> {", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        export.load_dataset(bad)
    assert "\n" not in str(exc.value)


# --- SHACL -------------------------------------------------------------------------------------

def _shapes() -> Graph:
    return Graph().parse(ROOT / "shapes" / "core.ttl", format="turtle")


def _ontology() -> Graph:
    from kg_builder.reason import load_ontology
    return load_ontology()


def validate(data: Graph):
    from pyshacl import validate as shacl
    conforms, report, _ = shacl(data, shacl_graph=_shapes(), ont_graph=_ontology(), allow_warnings=True)
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        results.append({
            "severity": report.value(r, SH.resultSeverity),
            "focus": report.value(r, SH.focusNode),
            "path": report.value(r, SH.resultPath),
            "component": report.value(r, SH.sourceConstraintComponent),
            "shape": report.value(r, SH.sourceShape),
            "messages": {m.language: str(m) for m in report.objects(r, SH.resultMessage)},
        })
    return conforms, results


def violations(results):
    return [r for r in results if r["severity"] == SH.Violation]


def test_every_shape_has_vi_and_en_messages():
    g = _shapes()
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    shapes |= {o for s in list(shapes) for o in g.objects(s, SH.property)}
    shapes |= set(g.objects(None, SH.sparql))
    assert len(shapes) > 20
    for shape in shapes:
        langs = {m.language for m in g.objects(shape, SH.message)}
        assert {"vi", "en"} <= langs, f"{shape}: sh:message languages {langs}"


def test_tiny_graph_conforms(tiny_ds):
    conforms, results = validate(export.union_graph(tiny_ds))
    assert conforms, violations(results)


def test_corpus_graph_conforms_to_the_core_shapes(corpus_dataset):
    conforms, results = validate(export.union_graph(corpus_dataset))
    assert conforms, violations(results)[:5]
    # what remains are warnings, and only of two kinds: a cited document whose issuer no mention
    # gives, and a source document without header whose date is unknown.
    for r in results:
        assert r["severity"] == SH.Warning
        assert r["path"] in (KG.issuer, None) or (r["focus"], KG.incomplete, Literal(True)) in corpus_dataset
        if r["path"] == KG.issuer:
            assert (r["focus"], RDF.type, KG.SourceDocument) not in corpus_dataset


def _first_mention(ds: Dataset) -> URIRef:
    return sorted(ds.subjects(RDF.type, KG.Mention))[0]


def test_mention_without_source_violates_the_provenance_shapes(tiny_ds):
    data = export.union_graph(tiny_ds)
    m = _first_mention(tiny_ds)
    data.remove((m, KG.source, None))
    conforms, results = validate(data)
    assert not conforms
    bad = [r for r in violations(results) if r["focus"] == m]
    assert bad and all(r["path"] == KG.source for r in bad)
    assert all(r["component"] == SH.MinCountConstraintComponent for r in bad)
    assert all({"vi", "en"} <= set(r["messages"]) for r in bad)


def test_date_typed_as_string_violates_the_date_shape(tiny_ds):
    data = export.union_graph(tiny_ds)
    doc = URIRef(BASE + "doc/ubnd-tinh-lang-son/2023/79-qd-ubnd")
    data.remove((doc, ELI.date_document, None))
    data.add((doc, ELI.date_document, Literal("2023-01-19")))
    conforms, results = validate(data)
    assert not conforms
    bad = violations(results)
    assert [(r["focus"], r["path"], r["component"]) for r in bad] == \
        [(doc, ELI.date_document, SH.DatatypeConstraintComponent)]


def test_offsets_out_of_order_violate_start_before_end(tiny_ds):
    data = export.union_graph(tiny_ds)
    m = _first_mention(tiny_ds)
    start = data.value(m, KG.start)
    data.set((m, KG.end, Literal(start.toPython(), datatype=XSD.integer)))
    _, results = validate(data)
    assert {(r["focus"], r["component"]) for r in violations(results)} == {(m, SH.LessThanConstraintComponent)}


def test_resolved_mention_without_target_and_blank_number_with_identifier_violate(tiny, tiny_ds):
    data = export.union_graph(tiny_ds)
    resolved = sorted(data.subjects(KG.resolutionStatus, Literal("resolved")))[0]
    data.remove((resolved, KG.mentions, None))
    draft = doc_iri(K_DRAFT, tiny[1])
    data.add((draft, ELI.id_local, Literal("12/BC-UBND")))
    _, results = validate(data)
    got = {(r["focus"], r["component"]) for r in violations(results)}
    assert (resolved, SH.XoneConstraintComponent) in got
    assert (draft, SH.OrConstraintComponent) in got


def test_malformed_identifier_violates_the_pattern(tiny_ds):
    data = export.union_graph(tiny_ds)
    doc = URIRef(BASE + "doc/chinh-phu/2023/01-nq-cp")
    data.set((doc, ELI.id_local, Literal("01 NQ CP")))
    _, results = validate(data)
    bad = violations(results)
    assert bad and all(r["focus"] == doc and r["component"] == SH.PatternConstraintComponent for r in bad)


# --- corpus dataset ----------------------------------------------------------------------------

def test_corpus_has_five_source_graphs_and_a_registry(corpus_dataset):
    names = {str(g.identifier): g for g in corpus_dataset.graphs() if len(g)}
    assert BASE + "graph/registry" in names
    sources = [n for n in names if n != BASE + "graph/registry"]
    assert len(sources) == 5
    for n in sources:
        g = names[n]
        srcs = set(g.subjects(RDF.type, KG.SourceDocument))
        assert len(srcs) == 1, n
        doc = next(iter(srcs))
        # one edge per distinct (target, relation) of the resolved mentions, none to itself
        expected = {(g.value(m, KG.relation), g.value(m, KG.mentions))
                    for m in g.subjects(RDF.type, KG.Mention)
                    if g.value(m, KG.mentions) is not None and g.value(m, KG.mentions) != doc}
        got = {(p, o) for p, o in g.predicate_objects(doc)
               if p in (KG.cites, KG.basedOn, KG.implements, KG.amends, KG.repeals, KG.guides)}
        assert got == expected, n


def test_document_without_a_specific_kind_violates_the_kind_shape(tiny_ds):
    data = export.union_graph(tiny_ds)
    doc = URIRef(BASE + "doc/chinh-phu/2023/01-nq-cp")
    data.remove((doc, RDF.type, KG.Resolution))
    _, results = validate(data)
    bad = violations(results)
    assert [(r["focus"], r["shape"], r["component"]) for r in bad] == \
        [(doc, URIRef("https://w3id.org/vngovkg/shapes#DocumentKindShape"), SH.SPARQLConstraintComponent)]
    assert "specific kind" in " ".join(bad[0]["messages"].values()) or \
        "loại cụ thể" in " ".join(bad[0]["messages"].values())
