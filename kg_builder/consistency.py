"""Reading indicator observations back from the graph, and checking them against each other.

`load_records(ds)` runs SPARQL queries over the built dataset (the graph is the source of
truth) and returns `ObsRecord`s; `open_graph(path)` / `fast_dataset(ds)` put a graph in an
in-memory Oxigraph store first, where these queries run fast. `check(records, tolerance)` finds
- plan mismatches: a value given as "X % of plan" implies the plan value (value / X * 100);
  it is compared with the target that a plan or decision in the graph sets for the same
  indicator, area and year; a relative difference beyond `tolerance` is reported with both
  sources ("implied-plan");
- evaluation contradictions: a reported evaluation (Đạt / Vượt / Không đạt) that the numbers
  on its table row contradict, aware of the indicator's direction (kg:higherIsBetter) and of
  ranges and bounds; an evaluation written once for a group of rows (a merged cell) is checked
  against the whole group: "Đạt"/"Vượt" needs every row to meet its target, "Không đạt" at
  least one row to miss it ("evaluation");
- target conflicts: two documents stating different targets for the same indicator, area and
  period ("target-conflict").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KG = "https://w3id.org/vngovkg/ont#"
ACHIEVED, NOT_ACHIEVED, EXCEEDED, MOSTLY = (KG + "achieved", KG + "notAchieved", KG + "exceeded", KG + "mostlyAchieved")
MEASURE_BY_IRI = {KG + "target": "target", KG + "estimate": "estimate", KG + "result": "result",
                  KG + "percentOfPlan": "percent-of-plan", KG + "yearOnYearChange": "year-on-year"}

OBS_QUERY = """
PREFIX kg: <https://w3id.org/vngovkg/ont#>
SELECT ?o ?p ?v WHERE { ?o a kg:IndicatorObservation ; ?p ?v . }
"""
PERIOD_QUERY = """
PREFIX kg: <https://w3id.org/vngovkg/ont#>
SELECT ?s ?p ?v WHERE { ?s a kg:Period ; ?p ?v . }
"""
VOCAB_QUERY = """
PREFIX kg: <https://w3id.org/vngovkg/ont#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?v WHERE {
  VALUES ?t { kg:Indicator kg:Unit }
  VALUES ?p { skos:prefLabel kg:higherIsBetter }
  ?s a ?t ; ?p ?v .
}
"""
SOURCE_QUERY = """
PREFIX kg: <https://w3id.org/vngovkg/ont#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT ?s ?p ?v WHERE {
  VALUES ?p { eli:id_local kg:title kg:sourcePath }
  ?s a kg:SourceDocument ; ?p ?v .
}
"""


def _triples(ds, query: str) -> dict[str, dict[str, list]]:
    out: dict[str, dict[str, list]] = {}
    for r in ds.query(query):
        local = str(r.p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        out.setdefault(str(r.s if hasattr(r, "s") and r.s is not None else r.o), {}).setdefault(local, []).append(r.v)
    return out


@dataclass
class ObsRecord:
    iri: str
    indicator: str
    indicator_vi: str
    indicator_en: str
    higher_is_better: bool | None
    measure: str
    bound: str
    value_text: str
    value: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None
    unit: str | None = None
    unit_vi: str | None = None
    base_value: Decimal | None = None
    base_lower: Decimal | None = None
    base_upper: Decimal | None = None
    base_unit: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    period_label: str | None = None
    period_kind: str | None = None
    area: str | None = None
    source: str = ""
    source_id: str | None = None
    source_title: str | None = None
    source_path: str | None = None
    start: int = 0
    end: int = 0
    sentence: str = ""
    evaluation: str | None = None
    evaluation_text: str | None = None
    evaluation_scope: str | None = None
    row_group: str | None = None
    of: str | None = None
    compared_with: str | None = None
    plan_basis: str | None = None
    comparison_basis: str | None = None
    set_by: str | None = None
    label: str | None = None
    leads: list[str] = field(default_factory=list)
    coops: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return self.period_end.year if self.period_end else None

    @property
    def source_name(self) -> str:
        if self.source_id:
            return self.source_id
        if self.source_path:
            return self.source_path.rsplit("/", 1)[-1]
        if self.source_title:
            return self.source_title[:60]
        return self.source.rsplit("/", 1)[-1]

    def interval(self, base: bool = True) -> tuple[Decimal | None, Decimal | None]:
        """(low, high) of the value: a point gives (v, v); ">3" gives (3, None)."""
        v, lo, hi = (self.base_value, self.base_lower, self.base_upper) if base else (self.value, self.lower, self.upper)
        if v is not None:
            return v, v
        return lo, hi

    def as_json(self) -> dict[str, Any]:
        def num(v):
            return None if v is None else float(v)
        return {
            "observation": self.iri, "indicator": self.indicator, "indicator_label": self.indicator_vi,
            "indicator_label_en": self.indicator_en, "name_as_written": self.label, "measure": self.measure,
            "value": num(self.value), "lower": num(self.lower), "upper": num(self.upper), "bound": self.bound,
            "value_text": self.value_text, "unit": self.unit, "unit_label": self.unit_vi,
            "period": {"label": self.period_label, "kind": self.period_kind,
                       "start": self.period_start.isoformat() if self.period_start else None,
                       "end": self.period_end.isoformat() if self.period_end else None},
            "area": self.area, "evaluation": self.evaluation_text, "evaluation_scope": self.evaluation_scope,
            "plan_basis": self.plan_basis, "comparison_basis": self.comparison_basis,
            "lead_agencies": self.leads, "cooperating_agencies": self.coops, "set_by": self.set_by,
            "source": self.source, "source_id": self.source_id, "source_path": self.source_path, "start": self.start, "end": self.end,
            "sentence": self.sentence, "notes": self.notes,
        }


def _d(term) -> Decimal | None:
    if term is None:
        return None
    try:
        return Decimal(str(term))
    except Exception:  # noqa: BLE001
        return None


def _date(term) -> dt.date | None:
    if term is None:
        return None
    try:
        return dt.date.fromisoformat(str(term)[:10])
    except ValueError:
        return None


def _s(term) -> str | None:
    return None if term is None else str(term)


_OX_FORMATS = {".trig": "TRIG", ".nq": "N_QUADS", ".ttl": "TURTLE", ".nt": "N_TRIPLES", ".jsonld": "JSON_LD"}


def open_graph(path) -> Any:
    """A built graph file (or build directory) as an rdflib Dataset whose queries run in Oxigraph
    (in memory; much faster than rdflib's own engine). Falls back to export.load_dataset."""
    from pathlib import Path

    from .errors import InputError

    p = Path(path)
    if p.is_dir():
        p = p / "graph.trig"
    if not p.exists():
        raise InputError(f"{p}: no such graph file (run `kg build` first)")
    fmt = _OX_FORMATS.get(p.suffix.lower())
    try:
        import pyoxigraph as ox
        import rdflib
        from rdflib.store import Store as _Store

        if fmt is None or not hasattr(ox.RdfFormat, fmt):
            raise ValueError(fmt)
        store = ox.Store()
        kwargs = {"to_graph": ox.NamedNode(p.resolve().as_uri())} if fmt in ("TURTLE", "N_TRIPLES") else {}
        store.load(path=str(p), format=getattr(ox.RdfFormat, fmt), **kwargs)
        return rdflib.Dataset(store=rdflib.plugin.get("Oxigraph", _Store)(store=store), default_union=True)
    except (ImportError, ValueError, SyntaxError, OSError, TypeError):
        from .export import load_dataset
        return load_dataset(p)


def fast_dataset(ds) -> Any:
    """An rdflib Dataset in memory copied into Oxigraph for querying (a no-op for Oxigraph stores)."""
    if type(ds.store).__name__ == "OxigraphStore":
        return ds
    try:
        import pyoxigraph as ox
        import rdflib
        from rdflib.store import Store as _Store

        data = ds.serialize(format="nquads")
        store = ox.Store()
        store.load(data.encode("utf-8") if isinstance(data, str) else data, format=ox.RdfFormat.N_QUADS)
        return rdflib.Dataset(store=rdflib.plugin.get("Oxigraph", _Store)(store=store), default_union=True)
    except Exception:  # noqa: BLE001 - no Oxigraph: rdflib's own engine (slower) still works
        return ds


def load_records(ds) -> list[ObsRecord]:
    """Every indicator observation of the dataset (SPARQL over the built graph)."""
    obs = _triples(ds, OBS_QUERY)
    periods = _triples(ds, PERIOD_QUERY)
    vocab = _triples(ds, VOCAB_QUERY)
    sources = _triples(ds, SOURCE_QUERY)

    def one(d: dict, key: str):
        vals = d.get(key) or []
        return vals[0] if vals else None

    def label(node: str | None, lang: str) -> str | None:
        if not node:
            return None
        for v in vocab.get(node, {}).get("prefLabel", []):
            if getattr(v, "language", None) == lang:
                return str(v)
        return None

    out = []
    for iri, d in obs.items():
        ind = _s(one(d, "indicator"))
        if ind is None:
            continue
        hib = one(vocab.get(ind, {}), "higherIsBetter")
        per = periods.get(_s(one(d, "period")) or "", {})
        src = _s(one(d, "source")) or ""
        sd = sources.get(src, {})
        unit = _s(one(d, "unit"))
        out.append(ObsRecord(
            iri=iri, indicator=ind, indicator_vi=label(ind, "vi") or ind.rsplit("/", 1)[-1],
            indicator_en=label(ind, "en") or "", higher_is_better=None if hib is None else bool(hib.toPython()),
            measure=MEASURE_BY_IRI.get(_s(one(d, "measureType")) or "", _s(one(d, "measureType")) or ""),
            bound=_s(one(d, "boundType")) or "eq", value_text=_s(one(d, "valueText")) or "",
            value=_d(one(d, "value")), lower=_d(one(d, "lowerBound")), upper=_d(one(d, "upperBound")),
            unit=unit, unit_vi=label(unit, "vi"), base_value=_d(one(d, "baseValue")),
            base_lower=_d(one(d, "baseLowerBound")), base_upper=_d(one(d, "baseUpperBound")),
            base_unit=_s(one(d, "baseUnit")), period_start=_date(one(per, "periodStart")),
            period_end=_date(one(per, "periodEnd")), period_label=_s(one(per, "periodLabel")),
            period_kind=_s(one(per, "periodKind")), area=_s(one(d, "refArea")),
            source=src, source_id=_s(one(sd, "id_local")), source_title=_s(one(sd, "title")),
            source_path=_s(one(sd, "sourcePath")),
            start=int(one(d, "start") or 0), end=int(one(d, "end") or 0), sentence=_s(one(d, "sentence")) or "",
            evaluation=_s(one(d, "evaluation")), evaluation_text=_s(one(d, "evaluationText")),
            evaluation_scope=_s(one(d, "evaluationScope")), row_group=_s(one(d, "rowGroup")),
            of=_s(one(d, "ofObservation")), compared_with=_s(one(d, "comparedWithTarget")),
            plan_basis=_s(one(d, "planBasis")), comparison_basis=_s(one(d, "comparisonBasis")),
            set_by=_s(one(d, "setBy")), label=_s(one(d, "indicatorLabel")),
            leads=sorted(str(v) for v in d.get("leadAgencyName", [])),
            coops=sorted(str(v) for v in d.get("cooperatingAgencyName", [])),
            notes=sorted(str(v) for v in d.get("note", []))))
    out.sort(key=lambda o: (o.indicator_vi, o.period_end or dt.date.min, o.measure, o.source, o.start))
    return out


# ============================================================================================
# checks

@dataclass
class Finding:
    kind: str                  # implied-plan | evaluation | target-conflict
    indicator: str
    indicator_label: str
    message: str
    observation: ObsRecord
    other: ObsRecord | None = None
    implied_plan: Decimal | None = None
    difference: float | None = None

    def as_json(self) -> dict[str, Any]:
        o, t = self.observation, self.other
        return {
            "kind": self.kind, "indicator": self.indicator, "indicator_label": self.indicator_label,
            "message": self.message,
            "implied_plan": None if self.implied_plan is None else float(self.implied_plan),
            "relative_difference": self.difference,
            "reported": {"source": o.source, "source_id": o.source_id, "period": o.period_label,
                         "value_text": o.value_text, "start": o.start, "end": o.end, "sentence": o.sentence},
            "target": None if t is None else {"source": t.source, "source_id": t.source_id,
                                              "period": t.period_label, "value_text": t.value_text,
                                              "start": t.start, "end": t.end, "sentence": t.sentence},
        }


def meets(value: tuple[Decimal | None, Decimal | None], target: ObsRecord, hib: bool | None,
          bound: str = "eq") -> bool | None:
    """Does a value (an interval; a point is (v, v)) meet the target? None when it cannot be told."""
    lo, hi = value
    if lo is None and hi is None:
        return None
    t_lo, t_hi = target.interval(base=False)

    def all_of(pred) -> bool | None:
        # True when every value of the interval satisfies pred, False when none does
        if lo is not None and hi is not None:
            a, b = pred(lo), pred(hi)
            return a if a == b else None
        return None

    if target.bound in ("ge", "gt"):
        t = t_lo
        strict = target.bound == "gt"
        if lo is not None and (lo > t or (lo >= t and not strict)):
            return True
        if hi is not None and (hi < t or (hi <= t and (strict or bound == "lt"))):
            return False
        return None
    if target.bound in ("le", "lt"):
        t = t_hi
        strict = target.bound == "lt"
        if hi is not None and (hi < t or (hi <= t and not strict)):
            return True
        if lo is not None and (lo > t or (lo >= t and (strict or bound == "gt"))):
            return False
        return None
    if t_lo is None or t_hi is None:
        return None
    if hib is True:
        return all_of(lambda v: v >= t_lo)
    if hib is False:
        return all_of(lambda v: v <= t_hi)
    if target.bound != "range":
        return None      # no direction and a single number: "met" cannot be told
    return all_of(lambda v: t_lo <= v <= t_hi)


def exceeds(value: tuple[Decimal | None, Decimal | None], target: ObsRecord, hib: bool | None) -> bool | None:
    lo, hi = value
    t_lo, t_hi = target.interval(base=False)
    if lo is None or hi is None or target.bound not in ("eq", "approx", "range") or t_lo is None:
        return None
    if hib is True:
        return lo > t_hi
    if hib is False:
        return hi < t_lo
    return None


def check(records: list[ObsRecord], tolerance: float = 0.02) -> list[Finding]:
    return (implied_plan_findings(records, tolerance) + evaluation_findings(records)
            + target_conflicts(records, tolerance))


def target_conflicts(records: list[ObsRecord], tolerance: float = 0.02) -> list[Finding]:
    """Two documents that state different targets for the same indicator, area and period."""
    by_key: dict[tuple, list[ObsRecord]] = {}
    for r in records:
        if r.measure == "target" and r.base_unit and r.period_start and r.period_end:
            by_key.setdefault((r.indicator, r.area, r.period_start, r.period_end, r.base_unit), []).append(r)
    out: list[Finding] = []
    for group in by_key.values():
        done: set[tuple[str, str]] = set()
        for a in group:
            for b in group:
                if a.source >= b.source or (a.source, b.source) in done:
                    continue
                a_lo, a_hi = a.interval(base=True)
                b_lo, b_hi = b.interval(base=True)
                if None in (a_lo, a_hi, b_lo, b_hi) or a.bound != b.bound:
                    continue
                ref = max(abs(a_hi), abs(b_hi)) or Decimal(1)
                diff = float(max(abs(a_lo - b_lo), abs(a_hi - b_hi)) / ref)
                if diff <= tolerance:
                    continue
                done.add((a.source, b.source))
                out.append(Finding(
                    "target-conflict", a.indicator, a.indicator_vi,
                    f"{a.indicator_vi}: mục tiêu {a.period_label} là {a.value_text} {a.unit_vi or ''} ({a.source_name}) "
                    f"nhưng {b.value_text} {b.unit_vi or ''} ({b.source_name})", a, b, None, diff))
    return out


def implied_plan_findings(records: list[ObsRecord], tolerance: float = 0.02) -> list[Finding]:
    by_iri = {r.iri: r for r in records}
    targets: dict[tuple, list[ObsRecord]] = {}
    for r in records:
        if r.measure == "target" and r.period_kind == "year" and r.base_unit:
            targets.setdefault((r.indicator, r.area, r.year, r.base_unit), []).append(r)
    out: list[Finding] = []
    for pct in records:
        if pct.measure != "percent-of-plan" or not pct.of or pct.value is None or pct.value == 0:
            continue
        val = by_iri.get(pct.of)
        if val is None or val.base_value is None or val.base_unit is None:
            continue
        implied = val.base_value * 100 / pct.value
        for t in targets.get((val.indicator, val.area, val.year, val.base_unit), []):
            t_lo, t_hi = t.interval(base=True)
            if t.bound not in ("eq", "approx", "range") or t_lo is None or t_hi is None:
                continue
            if t_lo <= implied <= t_hi:
                diff = 0.0
            else:
                ref = t_lo if implied < t_lo else t_hi
                diff = float(abs(implied - ref) / ref) if ref else float("inf")
            if diff <= tolerance:
                continue
            mult = (val.base_value / val.value) if val.value else Decimal(1)
            implied_shown = implied / mult if mult else implied
            out.append(Finding(
                "implied-plan", val.indicator, val.indicator_vi,
                f"{val.indicator_vi}: {val.value_text} {val.unit_vi or ''} = {pct.value_text} kế hoạch "
                f"({val.period_label}, {val.source_name}) ⇒ kế hoạch {_fmt(implied_shown)} {val.unit_vi or ''}; "
                f"mục tiêu năm {t.year} là {t.value_text} {t.unit_vi or ''} ({t.source_name}); "
                f"lệch {diff * 100:.1f}% (> {tolerance * 100:.0f}%)",
                val, t, implied, diff))
    return out


def evaluation_findings(records: list[ObsRecord]) -> list[Finding]:
    by_iri = {r.iri: r for r in records}
    out: list[Finding] = []
    groups: dict[str, list[ObsRecord]] = {}
    for r in records:
        if r.evaluation is None or r.measure == "target":
            continue
        if r.evaluation_scope == "group" and r.row_group:
            groups.setdefault(r.row_group + "|" + str(r.evaluation), []).append(r)
            continue
        t = by_iri.get(r.compared_with) if r.compared_with else None
        if t is None:
            continue
        ok = meets(r.interval(base=False), t, r.higher_is_better, r.bound)
        msg = _contradiction(r.evaluation, ok, exceeds(r.interval(base=False), t, r.higher_is_better))
        if msg:
            out.append(Finding("evaluation", r.indicator, r.indicator_vi,
                               f"{r.indicator_vi}: đánh giá \"{r.evaluation_text}\" nhưng {r.value_text} "
                               f"so với mục tiêu {t.value_text} ({r.period_label}, {r.source_name}): {msg}", r, t))
    for key, members in groups.items():
        ev = members[0].evaluation
        results = []
        for r in members:
            t = by_iri.get(r.compared_with) if r.compared_with else None
            if t is not None:
                results.append((r, t, meets(r.interval(base=False), t, r.higher_is_better, r.bound)))
        if not results:
            continue
        if ev in (ACHIEVED, EXCEEDED):
            for r, t, ok in results:
                if ok is False:
                    out.append(Finding("evaluation", r.indicator, r.indicator_vi,
                                       f"{r.indicator_vi}: nhóm chỉ tiêu được đánh giá \"{r.evaluation_text}\" nhưng "
                                       f"{r.value_text} không đạt mục tiêu {t.value_text} ({r.period_label}, {r.source_name})",
                                       r, t))
        elif ev == NOT_ACHIEVED and all(ok is True for _, _, ok in results):
            r, t, _ = results[0]
            out.append(Finding("evaluation", r.indicator, r.indicator_vi,
                               f"{r.indicator_vi}: nhóm chỉ tiêu được đánh giá \"Không đạt\" nhưng mọi chỉ tiêu "
                               f"trong nhóm đạt mục tiêu ({r.period_label}, {r.source_name})", r, t))
    return out


def _contradiction(evaluation: str | None, ok: bool | None, exceeded: bool | None) -> str | None:
    if ok is None:
        return None
    if evaluation in (ACHIEVED, EXCEEDED) and ok is False:
        return "số liệu không đạt mục tiêu"
    if evaluation == EXCEEDED and ok is True and exceeded is False:
        return "số liệu chỉ bằng mục tiêu, không vượt"
    if evaluation == NOT_ACHIEVED and ok is True:
        return "số liệu đạt mục tiêu"
    return None


def _fmt(v: Decimal) -> str:
    q = v.quantize(Decimal("0.01"))
    s = f"{q:,.2f}".rstrip("0").rstrip(".")
    return s.replace(",", "\u2009")
