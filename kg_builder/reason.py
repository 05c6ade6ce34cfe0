"""Reasoning: add the entailments the queries need, fast.

Full OWL-RL (owlrl) over the whole corpus takes minutes, so `materialise(ds)` adds only what
the ontology's axioms imply for the data, graph by graph, with plain triple loops:

- sub-properties: a kg:basedOn edge also gives kg:cites and eli:based_on, eli:cites;
  kg:issuer gives eli:passed_by; kg:source gives prov:wasDerivedFrom; ... (rdfs:subPropertyOf*);
- inverses: kg:implements gives kg:implementedBy, kg:cites gives kg:citedBy (owl:inverseOf),
  and their super-properties in turn;
- super-classes: a kg:Report is also a kg:Document and an eli:LegalResource (rdfs:subClassOf*).

The axioms are read from ontology/*.ttl (never listed here), so terms added there by other
stages are covered. Each entailed triple goes into the named graph of the triple it follows
from. `owlrl_closure(graph)` runs the full OWL-RL closure of one graph plus the ontology, for
checking `materialise` on one document at a time.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .resources import ontology_path


def load_ontology() -> Graph:
    """ontology/*.ttl in one graph."""
    g = Graph()
    for path in sorted(ontology_path().glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def transitive_closure(pairs: dict[URIRef, set[URIRef]]) -> dict[URIRef, frozenset[URIRef]]:
    """Reflexive-free transitive closure of a 'sub -> supers' map."""
    result: dict[URIRef, frozenset[URIRef]] = {}
    for start in pairs:
        seen: set[URIRef] = set()
        stack = list(pairs[start])
        while stack:
            x = stack.pop()
            if x in seen or x == start:
                continue
            seen.add(x)
            stack.extend(pairs.get(x, ()))
        result[start] = frozenset(seen)
    return result


class Axioms:
    """The sub-property, inverse and sub-class axioms of the ontology, closed."""

    def __init__(self, ontology: Graph):
        sub_props: dict[URIRef, set[URIRef]] = defaultdict(set)
        for s, o in ontology.subject_objects(RDFS.subPropertyOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                sub_props[s].add(o)
        inverse: dict[URIRef, set[URIRef]] = defaultdict(set)
        for s, o in ontology.subject_objects(OWL.inverseOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                inverse[s].add(o)
                inverse[o].add(s)
        sub_classes: dict[URIRef, set[URIRef]] = defaultdict(set)
        for s, o in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                sub_classes[s].add(o)
        for s, o in ontology.subject_objects(OWL.equivalentClass):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                sub_classes[s].add(o)
                sub_classes[o].add(s)
        self.super_properties = transitive_closure(sub_props)
        self.inverses = {p: frozenset(q) for p, q in inverse.items()}
        self.super_classes = transitive_closure(sub_classes)

    def property_entailments(self, p: URIRef) -> tuple[frozenset[URIRef], frozenset[URIRef]]:
        """(properties p' with s p' o, properties q with o q s) entailed by s p o."""
        forward: set[URIRef] = set(self.super_properties.get(p, ()))
        backward: set[URIRef] = set()
        # inverses of p and of its super-properties, then their super-properties; repeat to fixpoint
        changed = True
        while changed:
            changed = False
            for q in list(forward | {p}):
                for inv in self.inverses.get(q, ()):
                    for r in {inv} | set(self.super_properties.get(inv, ())):
                        if r not in backward:
                            backward.add(r)
                            changed = True
            for q in list(backward):
                for inv in self.inverses.get(q, ()):
                    for r in {inv} | set(self.super_properties.get(inv, ())):
                        if r != p and r not in forward:
                            forward.add(r)
                            changed = True
        return frozenset(forward), frozenset(backward)


@lru_cache(maxsize=1)
def default_axioms() -> Axioms:
    return Axioms(load_ontology())


def materialise_graph(g: Graph, axioms: Axioms | None = None) -> int:
    """Add the entailed triples of one graph into it; returns how many were new."""
    axioms = axioms or default_axioms()
    before = len(g)
    new = []
    cache: dict[URIRef, tuple[frozenset[URIRef], frozenset[URIRef]]] = {}
    for s, p, o in g:
        if p == RDF.type:
            for c in axioms.super_classes.get(o, ()):
                new.append((s, RDF.type, c))
            continue
        ent = cache.get(p)
        if ent is None:
            ent = cache[p] = axioms.property_entailments(p)
        forward, backward = ent
        for q in forward:
            new.append((s, q, o))
        if backward and isinstance(o, URIRef):
            for q in backward:
                new.append((o, q, s))
    for t in new:
        g.add(t)
    return len(g) - before


def materialise(ds: Dataset | Graph, axioms: Axioms | None = None) -> int:
    """Materialise the needed entailments in every named graph (in place); returns the count added."""
    axioms = axioms or default_axioms()
    if isinstance(ds, Dataset):
        added = 0
        try:
            from .graph_tasks import materialise_drives   # transitive kg:drivenBy / kg:drives (issue 6)
        except ImportError:
            materialise_drives = None
        if materialise_drives is not None:   # first: its graph then gets the closure below too
            added += materialise_drives(ds)
        return added + sum(materialise_graph(g, axioms) for g in list(ds.graphs()))
    return materialise_graph(ds, axioms)


def owlrl_closure(graph: Graph, ontology: Graph | None = None) -> Graph:
    """The full OWL-RL closure (owlrl) of one graph together with the ontology (a new graph).

    Slow on big graphs: use it on one document's graph at a time.
    """
    import owlrl

    g = Graph()
    for t in ontology if ontology is not None else load_ontology():
        g.add(t)
    for t in graph:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(g)
    return g
