"""`kg trace`: what a document drives, directly and transitively, with the evidence of each edge.

The tree is read from the graph (graph_tasks.py writes the edges):
document ─implements/based-on/in-sentence→ documents ─sets-task→ tasks ─sub-task→ tasks,
and every task's programmes/projects (kg:concerns) and assigned agencies (kg:leadAgency,
kg:cooperatingAgency) as leaves. Each edge carries its evidence: the source document, the
section, the quoted text and its offsets (kg:DriveStatement, kg:InitiativeMention,
kg:Assignment). `--reverse` walks up from a task, a project/programme or a document to the
documents behind it.

Two ways to the same answer: `reachable(ds, root, "paths")` asks SPARQL with the property path
(kg:drivenBy|kg:implements|kg:basedOn|kg:taskOf|kg:subTaskOf|^kg:drives)+ on an unreasoned
graph; `reachable(ds, root, "materialised")` asks for plain kg:drivenBy after
graph_tasks.materialise_drives (or `kg build --reason`). tests/test_trace.py checks they agree.

Output: a rich Tree, JSON, Graphviz DOT, or SVG (the `dot` program when installed, else a
pure-Python layered layout, `tree_svg`).
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from .errors import InputError, KGError
from .namespace import ELI, KG, KG_NS

DRIVEN_BY_PATH = "(kg:drivenBy|kg:implements|kg:basedOn|kg:taskOf|kg:subTaskOf|^kg:drives)"
PREFIXES = f"PREFIX kg: <{KG_NS}>\nPREFIX eli: <{ELI}>\nPREFIX skos: <{SKOS}>\n"
_LEAD = URIRef(KG_NS + "leadAgency")
_COOP = URIRef(KG_NS + "cooperatingAgency")
_EDGE_PROPS = {
    KG.implements: "implements", KG.basedOn: "based-on", KG.taskOf: "sets-task",
    KG.subTaskOf: "sub-task", KG.drivenBy: "drives",
}


# ----------------------------------------------------------------------------- loading

def build_graph(inputs: Iterable[str | Path], base_iri: str | None = None, reason: bool = False) -> Dataset:
    """Extract, resolve and build the dataset of text inputs in memory."""
    from . import graph as graph_mod
    from . import resolve
    from .pipeline import expand_inputs, extract_all

    files, problems = expand_inputs(inputs)
    if not files:
        raise InputError("; ".join(problems) or "no input files")
    docs = extract_all(files, None, problems)
    if not docs:
        raise InputError("; ".join(problems))
    ds = graph_mod.build_dataset(docs, resolve.resolve(docs), base_iri=base_iri)
    if reason:
        from .graph_tasks import materialise_drives
        materialise_drives(ds)
    return ds


def load_graph(path: str | Path) -> Dataset:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such graph file (build one with `kg build`)")
    try:
        from .export import load_dataset
        return load_dataset(p)
    except ImportError:  # pragma: no cover - export stage missing
        ds = Dataset(default_union=True)
        ds.parse(p, format="trig" if p.suffix == ".trig" else None)
        return ds


# ----------------------------------------------------------------------------- labels

def _one(ds: Graph, s: URIRef, p: URIRef, lang: str | None = "vi") -> str | None:
    best = None
    for o in ds.objects(s, p):
        if isinstance(o, Literal):
            if lang is None or o.language in (lang, None):
                return str(o)
            best = best or str(o)
    return best


def node_kind(ds: Graph, n: URIRef) -> str:
    types = set(ds.objects(n, RDF.type))
    if KG.Task in types:
        return "task"
    if KG.Initiative in types or str(n).find("/initiative/") != -1:
        return "initiative"
    if KG.Agency in types or "/agency/" in str(n):
        return "agency"
    if KG.Document in types or "/doc/" in str(n):
        return "document"
    return "other"


def node_label(ds: Graph, n: URIRef) -> str:
    kind = node_kind(ds, n)
    if kind == "document":
        ident = _one(ds, n, ELI.id_local, None)
        title = _one(ds, n, KG.title)
        m = re.search(r"/doc/[^/]+/(\d{4})/", str(n))
        year = f" ({m.group(1)})" if m else ""
        if ident:
            return f"{ident}{year}" + (f" — {title}" if title else "")
        return (title or str(n).rsplit("/", 1)[-1]) + year
    if kind == "task":
        path = _one(ds, n, KG.taskPath, None) or ""
        period = _one(ds, n, KG.forPeriod, None)
        heading = _one(ds, n, KG.taskHeading) or ""
        return f"Nhiệm vụ {path}" + (f" [{period}]" if period else "") + (f": {heading}" if heading else "")
    return _one(ds, n, SKOS.prefLabel) or str(n).rsplit("/", 1)[-1]


def _short_doc(ds: Graph, n: URIRef | None) -> str | None:
    if n is None:
        return None
    ident = _one(ds, n, ELI.id_local, None)
    if ident:
        return ident
    title = _one(ds, n, KG.title)
    return (title[:60] + "…") if title and len(title) > 60 else (title or str(n))


# ----------------------------------------------------------------------------- tree

@dataclass
class Evidence:
    source: str | None                 # source document IRI
    source_label: str | None
    section: str | None                # section label ("III.5") and heading
    text: str | None
    start: int | None
    end: int | None
    kind: str | None = None            # the drive kind (based-on, cited-in-task, …) it evidences

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "source_label": self.source_label,
                "section": self.section, "text": self.text, "start": self.start, "end": self.end}


@dataclass
class TraceNode:
    iri: str
    kind: str
    label: str
    relation: str | None = None        # edge from the parent
    evidence: list[Evidence] = field(default_factory=list)
    children: list["TraceNode"] = field(default_factory=list)
    repeated: bool = False             # already shown elsewhere in the tree

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"iri": self.iri, "kind": self.kind, "label": self.label}
        if self.relation:
            out["relation"] = self.relation
            out["evidence"] = [e.to_json() for e in self.evidence]
        if self.repeated:
            out["repeated"] = True
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def _evidence_of(ds: Graph, node: URIRef) -> Evidence:
    src = next(ds.objects(node, KG.source), None)
    sec = next(ds.objects(node, KG.inSection), None)
    sec_label = None
    if sec is not None:
        lab = _one(ds, sec, KG.label, None)
        head = _one(ds, sec, KG.heading)
        head = " ".join((head or "").split())
        sec_label = (head[:80] + ("…" if len(head) > 80 else "")) if head else lab
    start = next(ds.objects(node, KG.start), None)
    end = next(ds.objects(node, KG.end), None)
    text = _one(ds, node, KG.exact, None)
    if text:
        # a span cut by a footnote block at a page break: show the body text only
        text = re.split(r"\n[ \t]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\d{1,3}\])[ \t]*\S", text)[0]
        text = " ".join(text.split()) + ("…" if len(text) < int(end) - int(start) else "") \
            if start is not None and end is not None else " ".join(text.split())
    return Evidence(str(src) if src else None, _short_doc(ds, src), sec_label,
                    text or None,
                    int(start) if start is not None else None, int(end) if end is not None else None)


class _Index:
    """Direct edges of the graph, read once."""

    def __init__(self, ds: Graph):
        self.ds = ds
        self.down: dict[URIRef, set[URIRef]] = {}   # driver -> driven
        self.up: dict[URIRef, set[URIRef]] = {}     # driven -> drivers
        self.prop: dict[tuple[URIRef, URIRef], set[str]] = {}
        for p, name in _EDGE_PROPS.items():
            for s, _, o in ds.triples((None, p, None)):
                if isinstance(s, URIRef) and isinstance(o, URIRef):
                    self.prop.setdefault((o, s), set()).add(name)
        # direct edges: those with a kg:DriveStatement, and the asserted structural relations;
        # never kg:drivenBy shortcuts that reasoning added (transitive closure)
        pairs: set[tuple[URIRef, URIRef]] = set()
        for p in (KG.implements, KG.basedOn, KG.taskOf, KG.subTaskOf):
            for x, _, y in ds.triples((None, p, None)):
                pairs.add((x, y))
        self.statements: dict[tuple[URIRef, URIRef], list[tuple[str, URIRef]]] = {}
        for st in ds.subjects(RDF.type, KG.DriveStatement):
            d1 = next(ds.objects(st, KG.driver), None)
            d2 = next(ds.objects(st, KG.driven), None)
            kind = _one(ds, st, KG.driveKind, None) or "drives"
            if d1 is not None and d2 is not None:
                self.statements.setdefault((d1, d2), []).append((kind, st))
                pairs.add((d2, d1))
        for x, y in pairs:
            if not (isinstance(x, URIRef) and isinstance(y, URIRef)) or x == y:
                continue
            self.down.setdefault(y, set()).add(x)
            self.up.setdefault(x, set()).add(y)
        self.concerns: dict[URIRef, set[URIRef]] = {}
        self.concerned_by: dict[URIRef, set[URIRef]] = {}
        for s, _, o in ds.triples((None, KG.concerns, None)):
            self.concerns.setdefault(s, set()).add(o)
            self.concerned_by.setdefault(o, set()).add(s)
        self.mentions: dict[URIRef, list[URIRef]] = {}
        for m, _, e in ds.triples((None, KG.refersTo, None)):
            self.mentions.setdefault(e, []).append(m)
        self.assignments: dict[URIRef, list[URIRef]] = {}
        for a, _, t in ds.triples((None, KG.assignedTask, None)):
            self.assignments.setdefault(t, []).append(a)
        self.kinds: dict[URIRef, str] = {}

    def kind(self, n: URIRef) -> str:
        k = self.kinds.get(n)
        if k is None:
            k = self.kinds[n] = node_kind(self.ds, n)
        return k

    def edge(self, driver: URIRef, driven: URIRef) -> tuple[str, list[Evidence]]:
        sts = self.statements.get((driver, driven), [])
        kinds = sorted({k for k, _ in sts}) or sorted(self.prop.get((driver, driven), {"drives"}))
        evs = []
        for k, st in sorted(sts, key=lambda x: (x[0], str(x[1]))):
            e = _evidence_of(self.ds, st)
            e.kind = k
            evs.append(e)
        return ", ".join(kinds), evs

    def concern_evidence(self, task: URIRef, ent: URIRef) -> list[Evidence]:
        ds = self.ds
        src = next(ds.objects(task, KG.source), None)
        ts = next(ds.objects(task, KG.start), None)
        te = next(ds.objects(task, KG.end), None)
        out = []
        for m in self.mentions.get(ent, []):
            if next(ds.objects(m, KG.source), None) != src:
                continue
            ms = next(ds.objects(m, KG.start), None)
            if ts is not None and te is not None and ms is not None and int(ts) <= int(ms) < int(te):
                out.append(_evidence_of(ds, m))
        return out


def _visit(ds: Graph, ix: "_Index", seen: set[URIRef], n: URIRef, too_deep: bool, relation: str | None,
           ev: list[Evidence]) -> tuple[TraceNode, bool]:
    """A tree node for `n`, and whether to expand it: each node is expanded once (a later visit
    is marked repeated), and not below the depth limit."""
    tn = TraceNode(str(n), ix.kind(n), node_label(ds, n), relation, ev)
    if n in seen:
        tn.repeated = True
        return tn, False
    seen.add(n)
    return tn, not too_deep


def trace_tree(ds: Graph, root: URIRef, max_depth: int = 8, leaves: bool = True,
               index: _Index | None = None) -> TraceNode:
    """Everything `root` drives, as a tree (each node expanded once; later visits are marked)."""
    ix = index or _Index(ds)
    seen: set[URIRef] = set()

    def build(n: URIRef, depth: int, relation: str | None, ev: list[Evidence]) -> TraceNode:
        tn, expand = _visit(ds, ix, seen, n, depth >= max_depth, relation, ev)
        if not expand:
            return tn
        kind = tn.kind
        if kind in ("document", "task") or n == root:
            kids = sorted(ix.down.get(n, ()), key=lambda x: (_order(ds, x), str(x)))
            for x in kids:
                rel, evs = ix.edge(n, x)
                tn.children.append(build(x, depth + 1, rel, evs))
        if kind == "task" and leaves:
            for e in sorted(ix.concerns.get(n, ()), key=str):
                tn.children.append(TraceNode(str(e), "initiative", node_label(ds, e), "concerns",
                                             ix.concern_evidence(n, e)))
            for a in ix.assignments.get(n, []):
                ag = next(ds.objects(a, KG.assignee), None)
                role = _one(ds, a, KG.assignmentRole, None) or "assigned"
                if ag is not None:
                    tn.children.append(TraceNode(str(ag), "agency", node_label(ds, ag), role,
                                                 [_evidence_of(ds, a)]))
        return tn

    return build(root, 0, None, [])


def _order(ds: Graph, n: URIRef) -> tuple:
    """Documents first, then tasks in document order."""
    start = next(ds.objects(n, KG.start), None)
    return (0 if node_kind(ds, n) == "document" else 1, str(next(ds.objects(n, KG.source), "")),
            int(start) if start is not None else 0)


def reverse_tree(ds: Graph, start: URIRef, max_depth: int = 8, index: _Index | None = None) -> TraceNode:
    """From a task, programme/project or document up to the documents behind it."""
    ix = index or _Index(ds)
    seen: set[URIRef] = set()

    def build(n: URIRef, depth: int, relation: str | None, ev: list[Evidence]) -> TraceNode:
        tn, expand = _visit(ds, ix, seen, n, depth >= max_depth, relation, ev)
        if not expand:
            return tn
        for y in sorted(ix.up.get(n, ()), key=str):
            rel, evs = ix.edge(y, n)
            if ix.kind(y) == "initiative" and n != start:
                continue      # a programme named in a task: shown only when asked about it
            tn.children.append(build(y, depth + 1, f"driven by ({rel})", evs))
        if tn.kind == "initiative":
            for t in sorted(ix.concerned_by.get(n, ()), key=str):
                tn.children.append(build(t, depth + 1, "concerned by", ix.concern_evidence(t, n)))
        return tn

    return build(start, 0, None, [])


def reachable(ds: Graph, root: URIRef, mode: str = "paths") -> set[URIRef]:
    """Everything transitively driven by `root`: via the SPARQL property path on an unreasoned
    graph ("paths"), or via materialised kg:drivenBy triples ("materialised")."""
    if mode == "paths":
        q = PREFIXES + f"SELECT DISTINCT ?x WHERE {{ ?x {DRIVEN_BY_PATH}+ ?root . }}"
    elif mode == "materialised":
        q = PREFIXES + "SELECT DISTINCT ?x WHERE { ?x kg:drivenBy ?root . }"
    else:
        raise ValueError(mode)
    return {r[0] for r in ds.query(q, initBindings={"root": root}) if isinstance(r[0], URIRef)} - {root}


# ----------------------------------------------------------------------------- finding roots

def find_documents(ds: Graph, identifier: str, year: int | None = None) -> list[URIRef]:
    """Document nodes with this identifier (spaces and case ignored), optionally of one year."""
    want = re.sub(r"\s+", "", identifier).upper()
    out = []
    for d, _, ident in ds.triples((None, ELI.id_local, None)):
        if re.sub(r"\s+", "", str(ident)).upper() != want:
            continue
        if year is not None and _doc_year(ds, d) != year:
            continue
        if d not in out:
            out.append(d)
    return sorted(out, key=str)


def _doc_year(ds: Graph, d: URIRef) -> int | None:
    for p in (ELI.date_document, KG.datePartial):
        v = next(ds.objects(d, p), None)
        if v is not None and str(v)[:4].isdigit():
            return int(str(v)[:4])
    m = re.search(r"/doc/[^/]+/(\d{4})/", str(d))
    return int(m.group(1)) if m else None


def find_roots(ds: Graph, what: str, year: int | None = None, reverse: bool = False) -> list[URIRef]:
    """IRIs for a trace: an IRI; a document identifier; or (reverse) an initiative/task label."""
    if re.match(r"^(https?|urn):", what):
        iri = URIRef(what)
        if (iri, None, None) not in ds and (None, None, iri) not in ds:
            raise KGError(f"{what}: not in the graph")
        return [iri]
    docs = find_documents(ds, what, year)
    if docs:
        return docs
    if reverse or not re.search(r"\d", what):
        needle = what.lower()
        hits = []
        for s, _, o in ds.triples((None, SKOS.prefLabel, None)):
            if needle in str(o).lower() and node_kind(ds, s) == "initiative":
                hits.append(s)
        for s, _, o in ds.triples((None, SKOS.altLabel, None)):
            if needle in str(o).lower() and node_kind(ds, s) == "initiative":
                hits.append(s)
        if hits:
            return sorted(set(hits), key=str)
    suffix = f" of {year}" if year else ""
    raise KGError(f"no document {what}{suffix} in the graph")


# ----------------------------------------------------------------------------- output

def to_rich(tn: TraceNode, evidence: bool = True):
    from rich.markup import escape
    from rich.tree import Tree

    style = {"document": "bold cyan", "task": "green", "initiative": "magenta", "agency": "yellow"}

    def label(n: TraceNode) -> str:
        rel = f"[dim]{escape(n.relation)}[/] → " if n.relation else ""
        text = escape(n.label if len(n.label) <= 140 else n.label[:139] + "…")
        s = f"{rel}[{style.get(n.kind, 'white')}]{text}[/]" + (" [dim](see above)[/]" if n.repeated else "")
        if evidence and n.evidence and not (n.relation or "").startswith(("sets-task", "sub-task")):
            e = n.evidence[0]
            quote = (e.text or "")[:120]
            where = ", ".join(x for x in (e.source_label, e.section) if x)
            s += f"\n[dim]  “{escape(quote)}” — {escape(where)} [{e.start}-{e.end}][/]"
        return s

    root = Tree(label(tn))

    def add(t, n: TraceNode) -> None:
        for c in n.children:
            add(t.add(label(c)), c)

    add(root, tn)
    return root


def to_dot(trees: list[TraceNode]) -> str:
    shape = {"document": "box", "task": "note", "initiative": "hexagon", "agency": "component"}
    color = {"document": "lightblue", "task": "palegreen", "initiative": "plum", "agency": "khaki"}
    lines = ["digraph trace {", '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10, style=filled];',
             '  edge [fontname="Helvetica", fontsize=8];']
    ids: dict[str, str] = {}

    def nid(n: TraceNode) -> str:
        if n.iri not in ids:
            ids[n.iri] = f"n{len(ids)}"
            lab = n.label if len(n.label) <= 60 else n.label[:59] + "…"
            lines.append(f'  {ids[n.iri]} [label="{_dot_escape(lab)}", shape={shape.get(n.kind, "ellipse")}, '
                         f'fillcolor="{color.get(n.kind, "white")}"];')
        return ids[n.iri]

    edges: set[tuple[str, str, str]] = set()

    def walk(n: TraceNode) -> None:
        a = nid(n)
        for c in n.children:
            b = nid(c)
            e = (a, b, c.relation or "")
            if e not in edges:
                edges.add(e)
                tip = (c.evidence[0].text or "")[:200] if c.evidence else ""
                lines.append(f'  {a} -> {b} [label="{_dot_escape(c.relation or "")}", '
                             f'tooltip="{_dot_escape(tip)}"];')
            walk(c)

    for t in trees:
        walk(t)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_svg(trees: list[TraceNode], use_dot: bool = True) -> str:
    """SVG of the trace: Graphviz `dot` when installed, else the built-in layered layout."""
    exe = shutil.which("dot") if use_dot else None
    if exe:
        try:
            res = subprocess.run([exe, "-Tsvg"], input=to_dot(trees).encode("utf-8"), capture_output=True,
                                 timeout=120, check=True)
            return res.stdout.decode("utf-8")
        except (subprocess.SubprocessError, OSError):
            pass
    return tree_svg(trees)


def tree_svg(trees: list[TraceNode], col_width: int = 420, row_height: int = 26, box_width: int = 290) -> str:
    """A pure-Python layered layout: depth → column, leaves in order → rows, parents centred
    on their children; elbow edges labelled with the relation."""
    fill = {"document": "#cfe8fc", "task": "#d8f5d0", "initiative": "#f1d7f5", "agency": "#fbf1c2"}
    placed: list[tuple[TraceNode, int, float]] = []
    edges: list[tuple[int, float, int, float, str]] = []
    row = [0]

    def layout(n: TraceNode, depth: int) -> float:
        if not n.children:
            y = row[0]
            row[0] += 1
        else:
            ys = [layout(c, depth + 1) for c in n.children]
            y = (ys[0] + ys[-1]) / 2
            for c, cy in zip(n.children, ys):
                edges.append((depth, y, depth + 1, cy, c.relation or ""))
        placed.append((n, depth, y))
        return y

    for t in trees:
        layout(t, 0)
        row[0] += 1
    depth_max = max((d for _, d, _ in placed), default=0)
    width = (depth_max + 1) * col_width + 40
    height = max(row[0], 1) * row_height + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>']
    bh = row_height - 6

    def x_of(d: int) -> int:
        return 20 + d * col_width

    def y_of(r: float) -> float:
        return 20 + r * row_height

    for d1, y1, d2, y2, rel in edges:
        xa, ya = x_of(d1) + box_width, y_of(y1) + bh / 2
        xb, yb = x_of(d2), y_of(y2) + bh / 2
        xm = xa + 16          # the elbow near the parent leaves room for the label
        out.append(f'<path d="M{xa},{ya:.1f} H{xm} V{yb:.1f} H{xb}" fill="none" stroke="#888"/>')
        if rel:
            out.append(f'<text x="{xm + 3}" y="{yb - 3:.1f}" font-size="8" fill="#555">{html.escape(rel[:26])}</text>')
    for n, d, r in placed:
        x, y = x_of(d), y_of(r)
        lab = n.label if len(n.label) <= 48 else n.label[:47] + "…"
        title = html.escape(n.label + ("\n" + n.evidence[0].text if n.evidence and n.evidence[0].text else ""))
        dash = ' stroke-dasharray="3,2"' if n.repeated else ""
        out.append(f'<g><title>{title}</title><rect x="{x}" y="{y:.1f}" width="{box_width}" height="{bh}" rx="4" '
                   f'fill="{fill.get(n.kind, "#eee")}" stroke="#666"{dash}/>'
                   f'<text x="{x + 5}" y="{y + bh - 6:.1f}">{html.escape(lab)}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_json(trees: list[TraceNode]) -> str:
    return json.dumps({"trees": [t.to_json() for t in trees]}, ensure_ascii=False, indent=1)


# ----------------------------------------------------------------------------- kg tasks

def list_tasks(ds: Graph, agency: str | None = None, period: str | None = None,
               document: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """Tasks with their document, period, deadlines, targets and agencies, filtered.

    agency: a name, abbreviation or id (case-insensitive substring of the agency's labels or id),
    as lead or cooperating agency; period: "2023", "2023-Q2", "2023-H2", "2023-05" — the task's
    period overlaps it or one of its deadlines falls in it; document: an identifier, IRI, or a
    piece of the source document's title.
    """
    from .tasks import period_bounds

    want = period_bounds(period) if period else None
    if period and want is None:
        raise KGError(f"{period}: not a period (use 2023, 2023-Q2, 2023-H1, 2023-05)")
    doc_filter: set[URIRef] | None = None
    if document:
        if re.match(r"^https?:", document):
            doc_filter = {URIRef(document)}
        else:
            doc_filter = set(find_documents(ds, document, year))
            if not doc_filter:
                needle = document.lower()
                doc_filter = {s for s, _, o in ds.triples((None, KG.title, None)) if needle in str(o).lower()}
            if not doc_filter:
                raise KGError(f"no document {document} in the graph")
    rows = []
    for t in ds.subjects(RDF.type, KG.Task):
        src = next(ds.objects(t, KG.source), None)
        if doc_filter is not None and src not in doc_filter:
            continue
        agencies = []
        for prop, role in ((_LEAD, "lead"), (_COOP, "cooperating")):
            for a in ds.objects(t, prop):
                names = [str(o) for o in ds.objects(a, SKOS.prefLabel)] + [str(o) for o in ds.objects(a, SKOS.altLabel)]
                agencies.append({"agency": str(a), "name": _one(ds, a, SKOS.prefLabel) or str(a).rsplit("/", 1)[-1],
                                 "role": role, "_names": names})
        if agency:
            needle = agency.lower()
            if not any(needle in n.lower() for a in agencies for n in a["_names"] + [a["agency"].rsplit("/", 1)[-1]]):
                continue
        deadlines = []
        for d in ds.objects(t, KG.hasDeadline):
            deadlines.append({"text": _one(ds, d, KG.exact, None), "date": _one(ds, d, KG.dueDate, None),
                              "period": _one(ds, d, KG.forPeriod, None)})
        deadlines.sort(key=lambda d: d["date"] or "")
        tperiod = _one(ds, t, KG.forPeriod, None)
        if want:
            tb = period_bounds(tperiod) if tperiod else None
            overlap = tb is not None and tb[0] <= want[1] and want[0] <= tb[1]
            in_deadline = any(d["date"] and want[0] <= d["date"] <= want[1] for d in deadlines)
            if not (overlap or in_deadline):
                continue
        targets = []
        for g in ds.objects(t, KG.hasTarget):
            targets.append({"text": _one(ds, g, KG.exact, None), "value": _one(ds, g, KG.targetValue, None),
                            "unit": _one(ds, g, KG.targetUnit, None),
                            "comparator": _one(ds, g, KG.targetComparator, None)})
        start = next(ds.objects(t, KG.start), None)
        rows.append({
            "task": str(t), "document": str(src) if src else None, "document_label": _short_doc(ds, src),
            "path": _one(ds, t, KG.taskPath, None), "period": tperiod, "heading": _one(ds, t, KG.taskHeading),
            "deadlines": deadlines, "targets": targets,
            "lead": [{k: v for k, v in a.items() if k != "_names"} for a in agencies if a["role"] == "lead"],
            "cooperating": [{k: v for k, v in a.items() if k != "_names"} for a in agencies if a["role"] == "cooperating"],
            "_order": (str(src), int(start) if start is not None else 0),
        })
    rows.sort(key=lambda r: r["_order"])
    for r in rows:
        del r["_order"]
    return rows
