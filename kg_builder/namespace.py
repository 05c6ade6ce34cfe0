"""RDF namespaces, defined once. Code refers to our own terms ONLY through `KG`.

`KG` is a closed DefinedNamespace: `KG.cites` works, `KG.cite` raises AttributeError,
so a misspelt term fails at once instead of minting a new IRI. Every term listed here must
be declared in ontology/*.ttl and vice versa (tests/test_ontology.py checks both ways).
Terms are in alphabetical blocks, one block per ontology file: add yours to the block of
your file (or start a block for a new file).
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD, DefinedNamespace

KG_NS = "https://w3id.org/vngovkg/ont#"
ONTOLOGY_IRI = URIRef("https://w3id.org/vngovkg/ont")
DEFAULT_BASE_IRI = "https://w3id.org/vngovkg/id/"


class KG(DefinedNamespace):
    """Terms of the kg: ontology (https://w3id.org/vngovkg/ont#)."""

    _NS = Namespace(KG_NS)
    _fail = True

    # --- ontology/kg.ttl: classes ---
    ActionProgramme: URIRef
    Agency: URIRef
    Agreement: URIRef
    ArrangementPlan: URIRef
    Charter: URIRef
    Circular: URIRef
    Code: URIRef
    CodeOfConduct: URIRef
    Conclusion: URIRef
    ConsolidatedText: URIRef
    Constitution: URIRef
    Decision: URIRef
    Decree: URIRef
    Directive: URIRef
    Document: URIRef
    Guidance: URIRef
    JointCircular: URIRef
    JointDirective: URIRef
    JointResolution: URIRef
    Law: URIRef
    Licence: URIRef
    MasterPlan: URIRef
    Memorandum: URIRef
    Mention: URIRef
    Minutes: URIRef
    Notice: URIRef
    OfficialDispatch: URIRef
    OfficialLetter: URIRef
    Order: URIRef
    Ordinance: URIRef
    Outline: URIRef
    PartyDocument: URIRef
    Place: URIRef
    Plan: URIRef
    Programme: URIRef
    Protocol: URIRef
    Regulation: URIRef
    Report: URIRef
    Resolution: URIRef
    Rules: URIRef
    Scheme: URIRef
    Section: URIRef
    SourceDocument: URIRef
    StateDocument: URIRef
    Strategy: URIRef
    Submission: URIRef
    Treaty: URIRef

    # --- ontology/kg.ttl: properties ---
    agencyKind: URIRef
    amends: URIRef
    basedOn: URIRef
    candidate: URIRef
    citedBy: URIRef
    citedDate: URIRef
    citedIdentifier: URIRef
    citedIssuer: URIRef
    citedTitle: URIRef
    citedType: URIRef
    cites: URIRef
    code: URIRef
    conflict: URIRef
    datePartial: URIRef
    depth: URIRef
    end: URIRef
    evidence: URIRef
    exact: URIRef
    guides: URIRef
    heading: URIRef
    implementedBy: URIRef
    implements: URIRef
    incomplete: URIRef
    inFootnote: URIRef
    inSection: URIRef
    issuer: URIRef
    label: URIRef
    level: URIRef
    mentions: URIRef
    numberBlank: URIRef
    place: URIRef
    relation: URIRef
    repeals: URIRef
    resolutionStatus: URIRef
    sectionKind: URIRef
    sha256: URIRef
    signer: URIRef
    source: URIRef
    sourcePath: URIRef
    mentionCount: URIRef
    citedDocumentCount: URIRef
    start: URIRef
    subject: URIRef
    symbol: URIRef
    title: URIRef

    # --- ontology/indicators.ttl ---
    # (helper-5 block: indicator observations, RDF Data Cube structure, schemes)
    Evaluation: URIRef
    EvaluationScheme: URIRef
    Indicator: URIRef
    IndicatorObservation: URIRef
    IndicatorScheme: URIRef
    IndicatorStructure: URIRef
    MeasureType: URIRef
    MeasureTypeScheme: URIRef
    Period: URIRef
    Unit: URIRef
    UnitScheme: URIRef
    achieved: URIRef
    ambiguousNumber: URIRef
    baseLowerBound: URIRef
    baseUnit: URIRef
    baseUpperBound: URIRef
    baseValue: URIRef
    boundType: URIRef
    comparedWithTarget: URIRef
    comparisonBasis: URIRef
    contextLabel: URIRef
    cooperatingAgency: URIRef
    cooperatingAgencyName: URIRef
    estimate: URIRef
    evaluation: URIRef
    evaluationScope: URIRef
    evaluationText: URIRef
    exceeded: URIRef
    growthRate: URIRef
    higherIsBetter: URIRef
    indicator: URIRef
    indicatorLabel: URIRef
    leadAgency: URIRef
    leadAgencyName: URIRef
    lowerBound: URIRef
    measureType: URIRef
    mostlyAchieved: URIRef
    notAchieved: URIRef
    note: URIRef
    numberConvention: URIRef
    ofObservation: URIRef
    percentOfPlan: URIRef
    period: URIRef
    periodEnd: URIRef
    periodKind: URIRef
    periodLabel: URIRef
    periodStart: URIRef
    planBasis: URIRef
    refArea: URIRef
    referenceYear: URIRef
    result: URIRef
    rowGroup: URIRef
    sentence: URIRef
    setBy: URIRef
    target: URIRef
    unit: URIRef
    unitMultiplier: URIRef
    upperBound: URIRef
    value: URIRef
    valueText: URIRef
    yearOnYearChange: URIRef

    # --- ontology/tasks.ttl ---
    # (helper-6 block: tasks, programmes/projects/schemes, places, drives)
    Assignment: URIRef
    BorderGate: URIRef
    CommuneLevelUnit: URIRef
    Deadline: URIRef
    DistrictLevelUnit: URIRef
    DriveStatement: URIRef
    Initiative: URIRef
    InitiativeMention: URIRef
    ProgrammeInitiative: URIRef
    Project: URIRef
    Province: URIRef
    SchemeInitiative: URIRef
    Target: URIRef
    Task: URIRef
    assignedAgency: URIRef
    assignedTask: URIRef
    assignee: URIRef
    assignmentRole: URIRef
    concerns: URIRef
    deadlineQualifier: URIRef
    driveKind: URIRef
    driven: URIRef
    drivenBy: URIRef
    driver: URIRef
    drives: URIRef
    dueDate: URIRef
    forPeriod: URIRef
    hasDeadline: URIRef
    hasTarget: URIRef
    initiativeStatus: URIRef
    partOfProgramme: URIRef
    periodEndDate: URIRef
    periodStartDate: URIRef
    placeType: URIRef
    refersTo: URIRef
    statusWord: URIRef
    subTaskOf: URIRef
    targetComparator: URIRef
    targetIndicator: URIRef
    targetMaxValue: URIRef
    targetSubject: URIRef
    targetUnit: URIRef
    targetValue: URIRef
    taskHeading: URIRef
    taskLabel: URIRef
    taskOf: URIRef
    taskPath: URIRef
    withinPlace: URIRef


# Standard vocabularies (rdflib ships DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD).
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VANN = Namespace("http://purl.org/vocab/vann/")

# Prefixes bound on every graph we write and used to shorten IRIs in query output.
PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    "eli": str(ELI),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "qb": str(QB),
    "time": str(TIME),
    "xsd": str(XSD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "sh": str(SH),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
}


def bind_prefixes(graph, base_iri: str | None = None) -> None:
    """Bind the standard prefixes (and `id:` for the data base IRI) on a graph or dataset."""
    nm = graph.namespace_manager
    for prefix, ns in PREFIXES.items():
        nm.bind(prefix, Namespace(ns), override=True, replace=True)
    if base_iri:
        nm.bind("id", Namespace(base_iri), override=True, replace=True)


__all__ = ["KG", "KG_NS", "ONTOLOGY_IRI", "DEFAULT_BASE_IRI", "ELI", "ORG", "OA", "QB", "PROV",
           "SKOS", "DCTERMS", "TIME", "XSD", "RDF", "RDFS", "OWL", "SH", "FOAF", "VANN",
           "SDMX_DIMENSION", "SDMX_MEASURE", "SDMX_ATTRIBUTE", "PREFIXES", "bind_prefixes"]


def kg_terms() -> set[URIRef]:
    """Every term of the closed KG namespace (its annotations)."""
    return {URIRef(KG_NS + name) for name in KG.__annotations__ if not name.startswith("_")}
