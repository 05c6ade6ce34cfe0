"""Graph stage for indicators: RDF Data Cube observations (qb:) of targets and reported values.

Plugged into graph.build_dataset through `add_document` (per source document, into its named
graph) and `add_registry` (the concepts, units and agencies used, into the registry graph).

Per source document:
- one qb:DataSet `{base}src/{sha256[:16]}/dataset/indicators` (qb:structure kg:IndicatorStructure,
  dcterms:source the source document);
- one kg:IndicatorObservation per value `{base}src/{sha256[:16]}/obs/{start}-{end}` with the
  dimensions kg:indicator (a kgi: concept), kg:period (a shared kg:Period node
  `{base}period/{start}_{end}`), kg:refArea (`{base}place/{area}`), kg:measureType; the measure
  kg:value (or kg:lowerBound / kg:upperBound + kg:boundType), kg:unit, the value in its base
  unit (kg:baseValue...), evaluation, agencies, and the uniform provenance (kg:source,
  kg:start, kg:end, kg:exact, kg:inSection) plus kg:sentence (the sentence or table row).
Values whose name matched no concept of the scheme are not observations of the cube (no
kg:indicator); `kg indicators --unmatched FILES` lists them.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .models import ExtractedDocument, Registry
from .namespace import KG, ORG, QB, SDMX_ATTRIBUTE

MEASURE_TERMS = {
    "target": KG.target, "estimate": KG.estimate, "result": KG.result,
    "percent-of-plan": KG.percentOfPlan, "year-on-year": KG.yearOnYearChange,
}


def _dec(v: Decimal) -> Literal:
    return Literal(format(v.normalize(), "f") if v == v.to_integral() else format(v, "f"), datatype=XSD.decimal)


def observations_of(doc: ExtractedDocument) -> list:
    obs = doc.extras.get("indicators")
    if obs is None:
        from .indicators import extract_indicators
        extract_indicators(doc)
        obs = doc.extras.get("indicators", [])
    return obs


def dataset_iri(base: str, doc: ExtractedDocument) -> URIRef:
    return URIRef(f"{base}src/{doc.sha256[:16]}/dataset/indicators")


def period_iri(base: str, period) -> URIRef:
    return URIRef(f"{base}period/{period.key}")


def add_document(g: Graph, doc: ExtractedDocument, ctx) -> None:
    """The document's indicator data set and observations, into its named graph."""
    from .indicators import scheme

    observations = observations_of(doc)
    if not observations:
        return
    sch = scheme()
    minter = ctx.minter
    base = minter.base
    add = g.add
    ds_node = dataset_iri(base, doc)
    add((ds_node, RDF.type, QB.DataSet))
    add((ds_node, QB.structure, KG.IndicatorStructure))
    if ctx.doc_iri is not None:
        add((ds_node, DCTERMS.source, ctx.doc_iri))
    title = doc.header.title or doc.source
    add((ds_node, RDFS.label, Literal(f"Chỉ tiêu trong văn bản: {title}", lang="vi")))
    add((ds_node, RDFS.label, Literal(f"Indicators in: {title}", lang="en")))

    nodes: dict[int, URIRef] = {}
    taken: set[URIRef] = set()
    for i, o in enumerate(observations):
        if o.indicator is None:
            continue
        node = minter.fact(doc.sha256, "obs", o.start, o.end)
        if node in taken:
            node = minter.fact(doc.sha256, "obs", o.start, o.end, o.measure)
        taken.add(node)
        nodes[i] = node
    for i, o in enumerate(observations):
        node = nodes.get(i)
        if node is None:
            continue
        add((node, RDF.type, KG.IndicatorObservation))
        add((node, RDF.type, QB.Observation))
        add((node, QB.dataSet, ds_node))
        add((node, KG.indicator, URIRef(o.indicator)))
        add((node, KG.measureType, MEASURE_TERMS[o.measure]))
        if o.period is not None:
            p = period_iri(base, o.period)
            add((node, KG.period, p))
            add((p, RDF.type, KG.Period))
            add((p, KG.periodStart, Literal(o.period.start.isoformat(), datatype=XSD.date)))
            add((p, KG.periodEnd, Literal(o.period.end.isoformat(), datatype=XSD.date)))
            add((p, KG.periodLabel, Literal(o.period.label, lang="vi")))
            add((p, KG.periodKind, Literal(o.period.kind)))
            add((p, KG.referenceYear, Literal(str(o.period.year), datatype=XSD.gYear)))
        if o.area:
            add((node, KG.refArea, minter.place(o.area)))
        add((node, KG.boundType, Literal(o.bound)))
        if o.value is not None:
            add((node, KG.value, _dec(o.value)))
        if o.lower is not None:
            add((node, KG.lowerBound, _dec(o.lower)))
        if o.upper is not None:
            add((node, KG.upperBound, _dec(o.upper)))
        add((node, KG.valueText, Literal(o.value_text)))
        unit = sch.unit(o.unit)
        if o.unit:
            add((node, KG.unit, URIRef(o.unit)))
            if unit is not None and unit.exact_match:
                # the standard unit too, where QUDT has one (unit:PERCENT, unit:HA, ...)
                add((node, SDMX_ATTRIBUTE.unitMeasure, URIRef(unit.exact_match)))
        if unit is not None:
            add((node, KG.baseUnit, URIRef(unit.base)))
            m = unit.multiplier
            if o.value is not None:
                add((node, KG.baseValue, _dec(o.value * m)))
            if o.lower is not None:
                add((node, KG.baseLowerBound, _dec(o.lower * m)))
            if o.upper is not None:
                add((node, KG.baseUpperBound, _dec(o.upper * m)))
        add((node, KG.indicatorLabel, Literal(o.name, lang="vi")))
        add((node, KG.sentence, Literal(o.sentence)))
        if o.evaluation:
            add((node, KG.evaluation, URIRef(o.evaluation)))
        if o.evaluation_text:
            add((node, KG.evaluationText, Literal(o.evaluation_text)))
        if o.evaluation_scope:
            add((node, KG.evaluationScope, Literal(o.evaluation_scope)))
        if o.row_group:
            add((node, KG.rowGroup, Literal(f"{doc.sha256[:16]}:{o.row_group}")))
        if o.plan_basis:
            add((node, KG.planBasis, Literal(o.plan_basis)))
        if o.comparison_basis:
            add((node, KG.comparisonBasis, Literal(o.comparison_basis)))
        if o.of_index is not None and o.of_index in nodes:
            add((node, KG.ofObservation, nodes[o.of_index]))
        if o.target_index is not None and o.target_index in nodes:
            add((node, KG.comparedWithTarget, nodes[o.target_index]))
        for note in o.notes:
            add((node, KG.note, Literal(note)))
        if o.ambiguous:
            add((node, KG.ambiguousNumber, Literal(True)))
        if o.convention:
            add((node, KG.numberConvention, Literal(o.convention)))
        for name in o.lead_agencies:
            add((node, KG.leadAgencyName, Literal(name, lang="vi")))
        for name in o.cooperating_agencies:
            add((node, KG.cooperatingAgencyName, Literal(name, lang="vi")))
        for aid in o.lead_agency_ids:
            add((node, KG.leadAgency, minter.agency(aid)))
        for aid in o.cooperating_agency_ids:
            add((node, KG.cooperatingAgency, minter.agency(aid)))
        if o.measure == "target" and o.set_by_source and ctx.doc_iri is not None:
            add((node, KG.setBy, ctx.doc_iri))
        if ctx.doc_iri is not None:
            ctx.provenance(g, node, doc, o.start, o.end)


def indicator_usage(extras: dict) -> dict[str, list[str]]:
    """The indicator concepts, units and agencies a document's observations use."""
    if "indicator_usage" in extras:
        return extras["indicator_usage"]
    concepts, units, agencies = set(), set(), set()
    for o in extras.get("indicators", []) or []:
        if o.indicator is None:
            continue
        concepts.add(o.indicator)
        if o.unit:
            units.add(o.unit)
        agencies.update(o.lead_agency_ids)
        agencies.update(o.cooperating_agency_ids)
    return {"concepts": sorted(concepts), "units": sorted(units), "agencies": sorted(agencies)}


def registry_extras(extras: dict) -> dict:
    """What add_registry() needs of a document's extras (kept by the streaming build between
    its passes instead of every observation)."""
    return {"indicator_usage": indicator_usage(extras)}


def add_registry(reg: Graph, docs: Iterable[ExtractedDocument], registry: Registry, ctx) -> None:
    """The concepts, units and agencies the observations use (labels for queries and charts)."""
    from .indicators import scheme

    sch = scheme()
    used_concepts: set[str] = set()
    used_units: set[str] = set()
    agencies: set[str] = set()
    for doc in docs:
        use = indicator_usage(doc.extras)
        used_concepts.update(use["concepts"])
        used_units.update(use["units"])
        agencies.update(use["agencies"])
    add_vocabulary(reg, sch, used_concepts, used_units)
    if agencies:
        _add_agencies(reg, agencies, ctx.minter)


def add_vocabulary(g: Graph, sch, concepts: set[str], units: set[str]) -> None:
    """Copy the scheme's description of the concepts and units used (so the data graph answers
    label, unit and direction questions without the ontology loaded)."""
    vocab = sch.graph
    keep = (RDF.type, SKOS.prefLabel, SKOS.inScheme, SKOS.broader, SKOS.related, SKOS.exactMatch,
            KG.unit, KG.higherIsBetter, KG.growthRate, KG.baseUnit, KG.unitMultiplier)
    for iri in sorted(concepts):
        for unit in vocab.objects(URIRef(iri), KG.unit):
            units.add(str(unit))
    for iri in sorted(concepts | units):
        node = URIRef(iri)
        for p in keep:
            for o in vocab.objects(node, p):
                g.add((node, p, o))
    for base in {str(o) for u in units for o in vocab.objects(URIRef(u), KG.baseUnit)}:
        for p in keep:
            for o in vocab.objects(URIRef(base), p):
                g.add((URIRef(base), p, o))
    for term in list(MEASURE_TERMS.values()) + [KG.achieved, KG.notAchieved, KG.exceeded, KG.mostlyAchieved]:
        for p in (RDF.type, SKOS.prefLabel, SKOS.inScheme, SKOS.notation):
            for o in vocab.objects(term, p):
                g.add((term, p, o))


def _add_agencies(g: Graph, ids: set[str], minter) -> None:
    try:
        from .gazetteer import Gazetteer
        gaz = Gazetteer.default()
    except Exception:  # noqa: BLE001 - gazetteer missing: IRIs only
        gaz = None
    for aid in sorted(ids):
        node = minter.agency(aid)
        if (node, RDF.type, KG.Agency) in g:
            continue
        g.add((node, RDF.type, KG.Agency))
        g.add((node, RDF.type, ORG.Organization))
        ag = None
        if gaz is not None:
            try:
                ag = gaz.agency(aid)
            except Exception:  # noqa: BLE001
                ag = None
        if ag is not None:
            g.add((node, SKOS.prefLabel, Literal(ag.name, lang="vi")))
            if ag.name_en:
                g.add((node, SKOS.prefLabel, Literal(ag.name_en, lang="en")))
            if ag.parent:
                g.add((node, ORG.subOrganizationOf, minter.agency(ag.parent)))


def add_indicators(ds: Dataset, docs: Iterable[ExtractedDocument], base_iri: str | None = None) -> Dataset:
    """Standalone: the indicator part of the dataset for `docs` (graph.build_dataset does the same
    through add_document / add_registry, with the documents' own metadata)."""
    from . import graph as graph_mod
    from .models import Registry as _Registry

    docs = list(docs)
    minter = graph_mod.Minter(base_iri)
    registry = _Registry()
    for doc in docs:
        rec = graph_mod._record_for_header(doc)
        node = minter.doc(rec)
        h = doc.header
        gname = minter.graph(minter.doc_path(rec)) if h.identifier and not h.number_blank \
            else minter.graph(f"src-{doc.sha256[:16]}")
        ctx = graph_mod.GraphContext(minter=minter, registry=registry, doc_iri=node, graph_iri=gname)
        add_document(ds.graph(gname), doc, ctx)
    ctx = graph_mod.GraphContext(minter=minter, registry=registry)
    add_registry(ds.graph(minter.registry_graph()), docs, registry, ctx)
    return ds
