"""Reasoning: what `materialise` adds, and that it agrees with full OWL-RL (owlrl) on one document."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg_builder import export, graph, reason
from kg_builder.namespace import ELI, KG, OA, PROV

CITATION_PROPERTIES = (KG.cites, KG.basedOn, KG.implements, KG.amends, KG.repeals, KG.guides)
# what the queries of the team rely on after `kg build --reason`
ENTAILED = (ELI.cites, ELI.based_on, KG.cites, KG.citedBy, KG.implementedBy)


def _tiny():
    from test_graph import tiny_corpus   # the hand-built two-document corpus
    docs, reg = tiny_corpus()
    return graph.build_dataset(docs, reg)


def test_materialise_adds_super_properties_inverses_and_super_classes():
    ds = _tiny()
    ask = "ASK { ?s eli:cites ?o }"
    from kg_builder.namespace import PREFIXES
    assert not ds.query(ask, initNs=PREFIXES).askAnswer
    added = reason.materialise(ds)
    assert added > 0
    assert ds.query(ask, initNs=PREFIXES).askAnswer
    decision = URIRef("https://w3id.org/vngovkg/id/doc/ubnd-tinh-lang-son/2023/79-qd-ubnd")
    g = ds.graph(URIRef("https://w3id.org/vngovkg/id/graph/ubnd-tinh-lang-son/2023/79-qd-ubnd"))
    basis = g.value(decision, KG.basedOn)
    directive = g.value(decision, KG.implements)
    # in the named graph of the premise
    assert (decision, KG.cites, basis) in g and (decision, ELI.cites, basis) in g
    assert (decision, ELI.based_on, basis) in g
    assert (basis, KG.citedBy, decision) in g
    assert (directive, KG.implementedBy, decision) in g and (directive, KG.citedBy, decision) in g
    assert (decision, ELI.cites, directive) in g
    assert (decision, ELI.based_on, directive) not in g
    assert (decision, RDF.type, ELI.LegalResource) in g
    assert (decision, RDF.type, PROV.Entity) in g                 # kg:SourceDocument ⊑ prov:Entity
    m = next(g.subjects(RDF.type, KG.Mention))
    assert (m, RDF.type, OA.Annotation) in g
    assert (m, PROV.wasDerivedFrom, decision) in g                # kg:source ⊑ prov:wasDerivedFrom
    assert (decision, ELI.passed_by, g.value(decision, KG.issuer)) in g   # kg:issuer ⊑ eli:passed_by
    assert reason.materialise(ds) == 0                            # idempotent


def test_axioms_come_from_the_ontology_files():
    axioms = reason.default_axioms()
    assert ELI.cites in axioms.super_properties[KG.basedOn]
    assert KG.cites in axioms.super_properties[KG.implements]
    forward, backward = axioms.property_entailments(KG.implements)
    assert KG.cites in forward and ELI.cites in forward
    assert {KG.implementedBy, KG.citedBy} <= backward


@pytest.fixture(scope="module")
def reasoned_corpus(corpus_build):
    ds = export.load_dataset(corpus_build[0] / "graph.trig")   # a copy: the session graph stays as built
    reason.materialise(ds)
    return ds


def test_on_the_corpus_every_typed_citation_is_an_eli_citation(reasoned_corpus):
    ds = reasoned_corpus
    typed = {(s, o) for p in CITATION_PROPERTIES for s, o in ds.subject_objects(p)}
    assert len(typed) > 100
    eli = set(ds.subject_objects(ELI.cites))
    assert typed <= eli
    based = set(ds.subject_objects(KG.basedOn))
    assert based and based <= set(ds.subject_objects(ELI.based_on))
    # decision 79/QĐ-UBND "Căn cứ Nghị quyết số 01/NQ-CP ngày 06/01/2023": found through eli:cites
    rows = list(ds.query("""
        SELECT ?cited WHERE { ?d eli:id_local "79/QĐ-UBND" ; eli:cites ?cited .
                              ?cited eli:id_local "01/NQ-CP" ; eli:date_document "2023-01-06"^^xsd:date }""",
                         initNs={"eli": str(ELI), "xsd": "http://www.w3.org/2001/XMLSchema#"}))
    assert len(rows) == 1
    assert {(o, s) for s, o in typed} <= set(ds.subject_objects(KG.citedBy))


def test_owlrl_on_one_document_agrees_with_materialise(corpus_dataset):
    sources = [g for g in corpus_dataset.graphs()
               if len(g) and not str(g.identifier).endswith("/registry")
               and next(g.subjects(RDF.type, KG.SourceDocument), None) is not None]
    smallest = min(sources, key=len)
    one = Graph()
    for t in smallest:
        one.add(t)
    full = reason.owlrl_closure(one)
    mine = Graph()
    for t in one:
        mine.add(t)
    reason.materialise(mine)
    for p in ENTAILED:
        assert set(full.triples((None, p, None))) == set(mine.triples((None, p, None))), p
    assert set(full.triples((None, ELI.cites, None)))
    doc = next(one.subjects(RDF.type, KG.SourceDocument))
    for cls in (KG.Document, ELI.LegalResource, PROV.Entity):
        assert (doc, RDF.type, cls) in full and (doc, RDF.type, cls) in mine
