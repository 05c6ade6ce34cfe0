"""Graph extension for tasks, programmes/projects/schemes, places and drives edges (issue 6).

Plugged into graph.build_dataset (graph.EXTENSION_MODULES): `prepare(docs, registry)` merges
the programme/project mentions of all documents into entities, `add_document(g, doc, ctx)`
writes a source's tasks (with deadlines, targets, assignments), its initiative mentions and
the drives edges with their evidence into the source's named graph, and
`add_registry(g, docs, registry, ctx)` writes the merged Initiative nodes and the places used.

Drives edges (see ontology/tasks.ttl), each with a kg:DriveStatement (kg:driver, kg:driven,
kg:driveKind, kg:source, kg:start, kg:end, kg:exact, kg:inSection):
- document kg:implements / kg:basedOn document  (the recogniser's citation relation; the
  triple itself is written by graph.py, the evidence here)     kinds implements, based-on
- document kg:implements document stated in one sentence ("A … thực hiện B", "ban hành kế
  hoạch thực hiện B" — the plan is a number-less document node)  kind in-sentence
- task kg:taskOf document (top-level items) / kg:subTaskOf task     kind sets-task
- task kg:drivenBy document cited in it / in its section's lead    cited-in-task, section-lead
- task kg:drivenBy programme or scheme named in it (+ kg:concerns)  programme-in-task

`materialise_drives(ds)` adds the entailed kg:drivenBy / kg:drives triples (sub-properties,
inverse, transitive closure) to the graph `{base}graph/inferred-drives`.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from .entities import EntityIndex, KeyUse, key_uses, mention_ident, place_gazetteer, programme_vocab
from .models import DocumentRecord, ExtractedDocument, Registry
from .namespace import KG, KG_NS

_KIND_CLASS = {"programme": "ProgrammeInitiative", "project": "Project", "scheme": "SchemeInitiative"}
_RELATION_KIND = {"implements": "implements", "based_on": "based-on"}
INFERRED_GRAPH = "graph/inferred-drives"

# state shared between prepare() and add_document() of one build: the merged entities, the id
# of each mention ident, the citation links
_STATE: dict[str, Any] = {"entities": {}, "entity_ids": {}, "links": {}}


def _kg(name: str) -> URIRef:
    """A KG term declared in another helper's ontology file (kg:leadAgency, kg:cooperatingAgency
    of ontology/indicators.ttl). Until its namespace block lists it, the IRI is built from the
    namespace (tests/test_ontology.py checks that the term is declared)."""
    try:
        return getattr(KG, name)
    except AttributeError:
        return URIRef(KG_NS + name)


def _lit_vi(s: str) -> Literal:
    return Literal(s, lang="vi")


def _int(v: int) -> Literal:
    return Literal(v, datatype=XSD.integer)


def initiative_iri(ctx, entity_id: str) -> URIRef:
    return URIRef(f"{ctx.minter.base}initiative/{entity_id}")


def place_iri(ctx, place_id: str) -> URIRef:
    return ctx.minter.place(place_id)


# ----------------------------------------------------------------------------- prepare

def _entity_uses(extras: dict) -> list[KeyUse]:
    if "entity_uses" in extras:         # a streaming build's summary (registry_extras)
        return extras["entity_uses"]
    return key_uses(extras.get("entities", []))


def prepare(docs: Iterable[ExtractedDocument], registry: Registry) -> None:
    """Merge the programme/project mentions of all documents into entities (read once)."""
    index = EntityIndex()
    for d in docs:
        uses = _entity_uses(d.extras)
        if uses:
            index.add(d.source, uses)
    _STATE["entities"], _STATE["entity_ids"] = index.merge()
    _STATE["links"] = {(l.source, l.index): l for l in registry.links}


def exported_state() -> dict:
    """What a graph worker in another process needs of prepare()'s state (not the links:
    each document brings its own in its sub-registry)."""
    return {"entity_ids": _STATE["entity_ids"]}


def import_state(state: dict) -> None:
    _STATE.update(state)


def _entity_id(em) -> str:
    if em.entity_id:
        return em.entity_id
    merged = _STATE["entity_ids"].get(mention_ident(em))
    if merged:
        return merged
    if em.curated:
        return em.curated
    from .entities import slugify
    return f"{em.kind}-{slugify(em.key)}"


def _cited_iri(doc: ExtractedDocument, index: int, ctx) -> URIRef | None:
    links = _STATE.get("links") or {(l.source, l.index): l for l in ctx.registry.links}
    link = links.get((doc.source, index))
    if link is None or not link.target or link.status not in ("resolved", "undated"):
        return None
    return ctx.record_iris.get(link.target)


# ----------------------------------------------------------------------------- per document

def _provenance(g: Graph, node: URIRef, doc: ExtractedDocument, ctx, start: int, end: int) -> None:
    ctx.provenance(g, node, doc, start, end)


def _drive(g: Graph, doc: ExtractedDocument, ctx, driver: URIRef, driven: URIRef, kind: str,
           start: int, end: int, prop: URIRef | None = KG.drivenBy) -> None:
    """driven kg:drivenBy driver (or `prop`), and its DriveStatement evidence."""
    if driver == driven:
        return
    if prop is not None:
        g.add((driven, prop, driver))
    suffix = hashlib.sha1(f"{driver}|{driven}|{kind}".encode()).hexdigest()[:10]
    st = ctx.minter.fact(doc.sha256, "drive", start, end, suffix)
    g.add((st, RDF.type, KG.DriveStatement))
    g.add((st, KG.driver, driver))
    g.add((st, KG.driven, driven))
    g.add((st, KG.driveKind, Literal(kind)))
    _provenance(g, st, doc, ctx, start, end)


def _plan_node(g: Graph, doc: ExtractedDocument, ctx, rel) -> URIRef:
    """A number-less plan named in a sentence ("kế hoạch thực hiện Nghị quyết số 96/NQ-CP")."""
    from .graph import title_hash, type_class
    year = doc.header.year
    issuer = rel.issuer_id
    key = f"{issuer or ''}|{year or ''}|t-{title_hash(rel.plan_title)}"
    rec = DocumentRecord(key=key, type=rel.plan_type, identifier=None, issuer_id=issuer, year=year,
                         title=rel.plan_title)
    iri = ctx.record_iris.get(key) or ctx.minter.doc(rec)
    g.add((iri, RDF.type, KG.Document))
    cls = type_class(rel.plan_type)
    if cls is not None:
        g.add((iri, RDF.type, cls))
    g.add((iri, KG.title, _lit_vi(rel.plan_title)))
    if issuer:
        g.add((iri, KG.issuer, ctx.minter.agency(issuer)))
    return iri


def add_document(g: Graph, doc: ExtractedDocument, ctx) -> None:
    if "tasks" not in doc.extras:
        return
    src = ctx.doc_iri
    ents = doc.extras.get("entities", [])
    # --- document-level drives: the recogniser's implements / based_on citations
    for i, cit in enumerate(doc.citations):
        kind = _RELATION_KIND.get(cit.relation)
        if kind is None:
            continue
        target = _cited_iri(doc, i, ctx)
        if target is not None:
            _drive(g, doc, ctx, target, src, kind, cit.start, cit.end, prop=None)
    # --- relations stated in one sentence
    for rel in doc.extras.get("derived_relations", []):
        obj = _cited_iri(doc, rel.object, ctx)
        if obj is None:
            continue
        subj = _cited_iri(doc, rel.subject, ctx) if rel.subject is not None else _plan_node(g, doc, ctx, rel)
        if subj is None or subj == obj:
            continue
        _drive(g, doc, ctx, obj, subj, "in-sentence", rel.start, rel.end, prop=KG.implements)
    # --- initiative mentions
    mention_iris: list[URIRef] = []
    for em in ents:
        m = ctx.minter.fact(doc.sha256, "initiative-mention", em.start, em.end)
        mention_iris.append(m)
        g.add((m, RDF.type, KG.InitiativeMention))
        g.add((m, KG.refersTo, initiative_iri(ctx, _entity_id(em))))
        for code in em.status:
            g.add((m, KG.initiativeStatus, Literal(code)))
        for w in em.status_words:
            g.add((m, KG.statusWord, _lit_vi(w)))
        for pid in em.places:
            g.add((m, KG.place, place_iri(ctx, pid)))
        _provenance(g, m, doc, ctx, em.start, em.end)
    # --- tasks
    by_id = {t.id: t for t in doc.extras["tasks"]}
    iris = {t.id: ctx.minter.fact(doc.sha256, "task", t.start, t.end, t.id) for t in doc.extras["tasks"]}
    tsecs = {ts.section: ts for ts in doc.extras.get("task_sections", [])}
    from .tasks import period_bounds
    for t in doc.extras["tasks"]:
        node = iris[t.id]
        g.add((node, RDF.type, KG.Task))
        g.add((node, KG.taskLabel, Literal(t.label)))
        g.add((node, KG.taskPath, Literal(t.path)))
        if t.heading:
            g.add((node, KG.taskHeading, _lit_vi(t.heading)))
        if t.period:
            g.add((node, KG.forPeriod, Literal(t.period)))
            b = period_bounds(t.period)
            if b:
                g.add((node, KG.periodStartDate, Literal(b[0], datatype=XSD.date)))
                g.add((node, KG.periodEndDate, Literal(b[1], datatype=XSD.date)))
        ctx.provenance(g, node, doc, t.start, t.own_end)
        if t.section and ctx.section_iris.get(t.section) is not None:
            g.set((node, KG.inSection, ctx.section_iris[t.section]))
        if t.parent:
            _drive(g, doc, ctx, iris[t.parent], node, "sets-task", t.start, t.own_end, prop=KG.subTaskOf)
        else:
            _drive(g, doc, ctx, src, node, "sets-task", t.start, t.own_end, prop=KG.taskOf)
            ts = tsecs.get(t.task_section)
            if ts is not None:
                for i in ts.lead_citations:
                    target = _cited_iri(doc, i, ctx)
                    if target is not None:
                        c = doc.citations[i]
                        _drive(g, doc, ctx, target, node, "section-lead", c.start, c.end)
                for k in ts.lead_entities:
                    em = ents[k]
                    if em.kind in ("programme", "scheme"):
                        _drive(g, doc, ctx, initiative_iri(ctx, _entity_id(em)), node, "section-lead",
                               em.start, em.end)
        for i in t.citations:
            target = _cited_iri(doc, i, ctx)
            if target is not None and target != src:
                c = doc.citations[i]
                _drive(g, doc, ctx, target, node, "cited-in-task", c.start, c.end)
        for k in t.entities:
            em = ents[k]
            e_iri = initiative_iri(ctx, _entity_id(em))
            g.add((node, KG.concerns, e_iri))
            if em.kind in ("programme", "scheme"):
                _drive(g, doc, ctx, e_iri, node, "programme-in-task", em.start, em.end)
        for pid in t.places:
            g.add((node, KG.place, place_iri(ctx, pid)))
        for n, d in enumerate(t.deadlines):
            dn = ctx.minter.fact(doc.sha256, "deadline", d.start, d.end)
            g.add((node, KG.hasDeadline, dn))
            _add_deadline(g, dn, d, doc, ctx)
        for n, tg in enumerate(t.targets):
            tn = ctx.minter.fact(doc.sha256, "target", tg.start, tg.end, str(n))
            g.add((node, KG.hasTarget, tn))
            g.add((tn, RDF.type, KG.Target))
            g.add((tn, KG.targetValue, Literal(repr(tg.value) if tg.value != int(tg.value) else str(int(tg.value)),
                                              datatype=XSD.decimal)))
            if tg.value_max is not None:
                g.add((tn, KG.targetMaxValue, Literal(str(tg.value_max), datatype=XSD.decimal)))
            if tg.unit:
                g.add((tn, KG.targetUnit, Literal(tg.unit)))
            g.add((tn, KG.targetComparator, Literal(tg.comparator)))
            if tg.subject:
                g.add((tn, KG.targetSubject, _lit_vi(tg.subject)))
            if tg.deadline is not None:
                g.add((tn, KG.hasDeadline, ctx.minter.fact(doc.sha256, "deadline", tg.deadline.start,
                                                           tg.deadline.end)))
            concept = _indicator_for(tg.text)
            if concept is not None:
                g.add((tn, KG.targetIndicator, concept))
            ctx.provenance(g, tn, doc, tg.start, tg.end)
        for ar in t.agencies:
            an = ctx.minter.fact(doc.sha256, "assignment", ar.start, ar.end, f"{t.id}-{ar.role}")
            ag = ctx.minter.agency(ar.agency_id)
            g.add((node, _kg("leadAgency") if ar.role == "lead" else _kg("cooperatingAgency"), ag))
            g.add((an, RDF.type, KG.Assignment))
            g.add((an, KG.assignedTask, node))
            g.add((an, KG.assignee, ag))
            g.add((an, KG.assignmentRole, Literal(ar.role)))
            ctx.provenance(g, an, doc, ar.start, ar.end)
            if ar.agency_id not in ctx.registry.agencies:
                ag_obj = _agency(ar.agency_id)
                if ag_obj is not None:
                    ctx.registry.agencies[ar.agency_id] = ag_obj


def _agency(agency_id: str):
    try:
        from .gazetteer import Gazetteer
        return Gazetteer.default().agency(agency_id)
    except Exception:  # noqa: BLE001
        return None


def _add_deadline(g: Graph, dn: URIRef, d, doc: ExtractedDocument, ctx) -> None:
    g.add((dn, RDF.type, KG.Deadline))
    if d.date:
        g.add((dn, KG.dueDate, Literal(d.date, datatype=XSD.date)))
    if d.period:
        g.add((dn, KG.forPeriod, Literal(d.period)))
    g.add((dn, KG.deadlineQualifier, Literal(d.qualifier)))
    ctx.provenance(g, dn, doc, d.start, d.end)


_INDICATORS: dict[str, URIRef] | None = None


def _indicator_for(subject: str) -> URIRef | None:
    """The indicator concept whose label ends the target's subject text (optional link to
    helper-5's SKOS scheme in ontology/indicators.ttl, when it is there)."""
    global _INDICATORS
    if _INDICATORS is None:
        _INDICATORS = {}
        try:
            from .resources import ontology_path
            path = ontology_path("indicators.ttl")
            if path.exists():
                og = Graph().parse(path, format="turtle")
                indicators = set(og.subjects(RDF.type, KG.Indicator))   # not the other schemes' concepts
                for prop in (SKOS.prefLabel, SKOS.altLabel):
                    for c, _, lab in og.triples((None, prop, None)):
                        if c in indicators and getattr(lab, "language", None) in ("vi", None):
                            _INDICATORS.setdefault(" ".join(str(lab).lower().split()), c)
        except Exception:  # noqa: BLE001 - the link is optional
            _INDICATORS = {}
    s = " ".join(subject.lower().split())
    best = None
    for lab, c in _INDICATORS.items():
        if len(lab) >= 8 and lab in s and (best is None or len(lab) > len(best[0])):
            best = (lab, c)
    return best[1] if best else None


# ----------------------------------------------------------------------------- registry

def places_used(extras: dict) -> set[str]:
    """The ids of the places a document's tasks, programmes and place mentions refer to."""
    if "places_used" in extras:
        return set(extras["places_used"])
    used: set[str] = set()
    for t in extras.get("tasks", []):
        used.update(t.places)
    for use in _entity_uses(extras):
        used.update(use.places)
    for pm in extras.get("places", []):
        used.add(pm.place_id)
    return used


def registry_extras(extras: dict) -> dict:
    """What prepare() and add_registry() need of a document's extras (the streaming build keeps
    only this of every document between its passes): its entity mentions folded by ident, and
    the places used."""
    return {"entity_uses": _entity_uses(extras), "places_used": sorted(places_used(extras))}


def add_registry(g: Graph, docs: Iterable[ExtractedDocument], registry: Registry, ctx) -> None:
    if not _STATE.get("entities"):
        prepare(docs, registry)
    entities = _STATE["entities"]
    vocab = programme_vocab()
    for eid, ent in sorted(entities.items()):
        node = initiative_iri(ctx, eid)
        g.add((node, RDF.type, KG.Initiative))
        g.add((node, RDF.type, getattr(KG, _KIND_CLASS[ent.kind])))
        g.add((node, SKOS.prefLabel, _lit_vi(ent.name)))
        if ent.name_en:
            g.add((node, SKOS.prefLabel, Literal(ent.name_en, lang="en")))
        for n in ent.names:
            if n != ent.name:
                g.add((node, SKOS.altLabel, _lit_vi(n)))
        if ent.curated:
            for a in vocab.entities[eid].aliases:
                g.add((node, SKOS.altLabel, _lit_vi(a)))
        for parent in (ent.parent, ent.programme):
            if parent:
                g.add((node, KG.partOfProgramme, initiative_iri(ctx, parent)))
        for pid in sorted(ent.places):
            g.add((node, KG.place, place_iri(ctx, pid)))
    # the places used (and the units containing them)
    gaz = place_gazetteer()
    used: set[str] = set()
    for d in docs:
        used.update(places_used(d.extras))
    done: set[str] = set()
    for pid in sorted(used):
        while pid and pid not in done and pid in gaz.places:
            done.add(pid)
            p = gaz.places[pid]
            node = place_iri(ctx, pid)
            spec = gaz.types[p.type]
            g.add((node, RDF.type, KG.Place))
            g.add((node, RDF.type, getattr(KG, spec["class"])))
            g.add((node, SKOS.prefLabel, _lit_vi(f"{spec['label_vi']} {p.name}")))
            if p.name_en:
                g.add((node, SKOS.prefLabel, Literal(p.name_en, lang="en")))
            for a in p.aliases:
                g.add((node, SKOS.altLabel, _lit_vi(a)))
            g.add((node, KG.placeType, Literal(p.type)))
            if p.parent:
                g.add((node, KG.withinPlace, place_iri(ctx, p.parent)))
            pid = p.parent


# ----------------------------------------------------------------------------- reasoning

DRIVEN_BY_PROPS = (KG.drivenBy, KG.implements, KG.basedOn, KG.taskOf, KG.subTaskOf)


def direct_driven_by(ds: Dataset) -> set[tuple[URIRef, URIRef]]:
    """(x, y) for every asserted x kg:drivenBy y, its sub-properties and ^kg:drives."""
    pairs: set[tuple[URIRef, URIRef]] = set()
    for p in DRIVEN_BY_PROPS:
        for s, _, o in ds.triples((None, p, None)):
            pairs.add((s, o))
    for s, _, o in ds.triples((None, KG.drives, None)):
        pairs.add((o, s))
    return pairs


def materialise_drives(ds: Dataset, base_iri: str | None = None) -> int:
    """Add the entailed kg:drivenBy and kg:drives triples (sub-properties, inverse, transitive
    closure) to the named graph {base}graph/inferred-drives. Returns the number added."""
    from .graph import base_iri as _base
    if base_iri is None:   # the base the dataset was built with: that of its registry graph
        for ctx in ds.graphs():
            ident = str(ctx.identifier)
            if ident.endswith("graph/registry"):
                base_iri = ident[: -len("graph/registry")]
                break
    g = ds.graph(URIRef(_base(base_iri) + INFERRED_GRAPH))
    up: dict[URIRef, set[URIRef]] = {}
    for x, y in direct_driven_by(ds):
        up.setdefault(x, set()).add(y)
    from .reason import transitive_closure

    added = 0
    for x, drivers in transitive_closure(up).items():
        for y in drivers:
            for t in ((x, KG.drivenBy, y), (y, KG.drives, x)):
                if t not in g:
                    g.add(t)
                    added += 1
    return added
