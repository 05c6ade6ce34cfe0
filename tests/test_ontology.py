"""The ontology files parse, and the closed KG namespace and ontology/*.ttl agree both ways."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg_builder.namespace import KG, KG_NS, ONTOLOGY_IRI, kg_terms

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))



@pytest.fixture(scope="module")
def per_file() -> dict[Path, Graph]:
    graphs = {}
    for path in ONTOLOGY_FILES:
        graphs[path] = Graph().parse(path, format="turtle")   # a syntax error fails here
    return graphs


@pytest.fixture(scope="module")
def ontology(per_file) -> Graph:
    g = Graph()
    for pg in per_file.values():
        for t in pg:
            g.add(t)
    return g


def declared_terms(g: Graph) -> set[URIRef]:
    """kg: IRIs given an rdf:type in the ontology: classes, properties, schemes and their concepts."""
    return {s for s in g.subjects(RDF.type) if isinstance(s, URIRef) and str(s).startswith(KG_NS)}


def test_core_ontology_header(per_file):
    g = per_file[ROOT / "ontology" / "kg.ttl"]
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    titles = {t.language for t in g.objects(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/title"))}
    assert {"vi", "en"} <= titles
    assert g.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/license")) is not None


def test_every_kg_term_is_declared_in_the_ontology(ontology):
    missing = sorted(str(t) for t in kg_terms() - declared_terms(ontology))
    assert not missing, f"terms in namespace.KG but not declared in ontology/*.ttl: {missing}"


def test_every_declared_term_is_in_the_namespace_class(ontology):
    missing = sorted(str(t) for t in declared_terms(ontology) - kg_terms())
    assert not missing, f"terms declared in ontology/*.ttl but missing from namespace.KG: {missing}"


def test_every_term_has_vi_and_en_labels_and_definitions(ontology):
    problems = []
    for term in sorted(declared_terms(ontology)):
        labels = {l.language for l in ontology.objects(term, RDFS.label) if isinstance(l, Literal)}
        defs = {d.language for p in (SKOS.definition, RDFS.comment)
                for d in ontology.objects(term, p) if isinstance(d, Literal)}
        if not {"vi", "en"} <= labels:
            problems.append(f"{term}: rdfs:label languages {sorted(filter(None, labels))}")
        if "en" not in defs or "vi" not in defs:
            problems.append(f"{term}: definition languages {sorted(filter(None, defs))}")
    assert not problems, "\n".join(problems)


def test_core_terms_are_defined_by_the_ontology(per_file):
    g = per_file[ROOT / "ontology" / "kg.ttl"]
    undefined = [str(t) for t in declared_terms(g) if g.value(t, RDFS.isDefinedBy) != ONTOLOGY_IRI]
    assert not undefined


def test_no_term_is_declared_in_two_files(per_file):
    where = defaultdict(list)
    for path, g in per_file.items():
        for t in declared_terms(g):
            where[t].append(path.name)
    twice = {str(t): files for t, files in where.items() if len(files) > 1}
    assert not twice, f"declared in more than one ontology file: {twice}"


def test_no_undeclared_kg_iri_is_used_in_the_ontology(ontology):
    """A misspelt kg: IRI (e.g. kg:cite in a subPropertyOf) is used but never declared."""
    declared = declared_terms(ontology)
    used = {n for t in ontology for n in t if isinstance(n, URIRef) and str(n).startswith(KG_NS)}
    misspelt = sorted(str(u) for u in used - declared)
    assert not misspelt, f"kg: IRIs used but not declared: {misspelt}"


def test_every_document_type_has_its_class():
    entries = json.loads((ROOT / "data" / "vocab" / "document_types.json").read_text(encoding="utf-8"))
    if isinstance(entries, dict):
        entries = entries.get("types", [])
    names = {e["class"] for e in entries if e.get("class")}
    assert {"Report", "Decision", "Plan", "Resolution", "Directive"} <= names
    for name in sorted(names):
        assert URIRef(KG_NS + name) in kg_terms(), f"document type class kg:{name} is not in KG"


def test_document_classes_are_aligned_to_eli(ontology):
    from kg_builder.namespace import ELI
    assert (KG.Document, RDFS.subClassOf, ELI.LegalResource) in ontology
    for cls in (KG.Report, KG.Decision, KG.Resolution, KG.Directive, KG.PartyDocument, KG.StateDocument):
        assert (cls, RDFS.subClassOf, KG.Document) in ontology
    assert (KG.basedOn, RDFS.subPropertyOf, ELI.based_on) in ontology
    assert (KG.basedOn, RDFS.subPropertyOf, KG.cites) in ontology
    assert (KG.cites, RDFS.subPropertyOf, ELI.cites) in ontology
    assert (KG.implementedBy, OWL.inverseOf, KG.implements) in ontology


def test_closed_namespace_rejects_misspelt_terms():
    assert KG.cites == URIRef(KG_NS + "cites")
    with pytest.raises(AttributeError):
        KG.cite  # noqa: B018 - the point is that this raises


def test_namespace_terms_are_valid_local_names():
    for term in kg_terms():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", str(term)[len(KG_NS):]), term


def test_queries_and_shapes_use_only_declared_kg_terms():
    """A misspelt kg: term in a stored query or a shape silently matches nothing."""
    terms = kg_terms()
    problems = []
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = "\n".join(l for l in path.read_text(encoding="utf-8").splitlines() if not l.lstrip().startswith("#"))
        text = re.sub(r'"[^"\n]*"', '""', text)      # not inside string literals
        prefixed = re.sub(r"<[^>\s]*>", "<>", text)   # nor inside IRIs (<urn:x-kg:any>)
        for local in set(re.findall(r"(?<![\w:])kg:([A-Za-z_][\w-]*)", prefixed)):
            if URIRef(KG_NS + local) not in terms:
                problems.append(f"{path.name}: kg:{local}")
        for iri in set(re.findall(r"<https://w3id\.org/vngovkg/ont#([^>]+)>", text)):
            if URIRef(KG_NS + iri) not in terms:
                problems.append(f"{path.name}: <{KG_NS}{iri}>")
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        g = Graph().parse(path, format="turtle")
        for node in {n for t in g for n in t if isinstance(n, URIRef) and str(n).startswith(KG_NS)}:
            if node not in terms:
                problems.append(f"{path.name}: {node}")
    assert not problems, problems
