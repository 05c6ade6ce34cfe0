"""Indicators: numbers, periods, the scheme, prose and table extraction, the Data Cube graph,
consistency checks, stored queries, the chart and the CLI — on the real corpus texts."""
from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF

from kg_builder import numbers, periods
from kg_builder.indicators import norm, resolve_indicator, scheme

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
KGI = "https://w3id.org/vngovkg/ont/indicator/"
KGU = "https://w3id.org/vngovkg/ont/unit/"
KG = "https://w3id.org/vngovkg/ont#"

Q1 = "lang-son_2023-q1_bao-cao-kt-xh.txt"
DECISION = "lang-son_2023_qd-79-qd-ubnd.txt"
REPORT_2024 = "lang-son_2024-h1_bao-cao-kh-2025.txt"
CITY = "tp-lang-son_2023-h1_bc-583-bc-ubnd.txt"
JAN_2022 = "lang-son_2022-01_bao-cao-nq01-cp.txt"


@pytest.fixture(scope="session")
def idocs(corpus_docs):
    """The corpus documents through the real pipeline (the indicator stage is an EXTRA_STAGE)."""
    return corpus_docs


@pytest.fixture(scope="session")
def ind_dataset(idocs):
    from kg_builder import graph, resolve

    docs = list(idocs.values())
    return graph.build_dataset(docs, resolve.resolve(docs))


@pytest.fixture(scope="session")
def ind_fast(ind_dataset):
    """The same dataset queried by Oxigraph (what the CLI does)."""
    from kg_builder.consistency import fast_dataset

    return fast_dataset(ind_dataset)


@pytest.fixture(scope="session")
def records(ind_fast):
    from kg_builder.consistency import load_records

    return load_records(ind_fast)


def obs_of(doc, key, measure=None, period_label=None):
    out = [o for o in doc.extras["indicators"] if o.indicator == KGI + key
           and (measure is None or o.measure == measure)
           and (period_label is None or (o.period is not None and o.period.label == period_label))]
    return out


# ============================================================================================
# numbers and periods

@pytest.mark.parametrize("text,kind,vi,en", [
    ("3,760", "ambiguous", "3.760", "3760"),
    ("2.590", "ambiguous", "2590", "2.590"),
    ("13,592.5", "en", None, "13592.5"),
    ("1.350,053", "vi", "1350.053", None),
    ("7,5", "vi", "7.5", None),
    ("96.1", "en", None, "96.1"),
    ("1.798.700", "vi", "1798700", None),
    ("1.230.5", "invalid", None, None),
    ("640", "plain", "640", "640"),
])
def test_number_forms(text, kind, vi, en):
    form = numbers.classify(text)
    assert form.kind == kind
    assert form.vi == (Decimal(vi) if vi else None)
    assert form.en == (Decimal(en) if en else None)


def test_convention_from_evidence_not_per_number():
    ev = numbers.Evidence()
    for t in ("13,592.5", "96.1", "11.3", "3,760", "7,5"):
        ev.add_number(t)
    assert (ev.en, ev.vi, ev.ambiguous) == (3, 1, 1)
    assert numbers.decide_convention(ev) == numbers.EN
    # the same ambiguous number reads differently under each convention, and is flagged without one
    form = numbers.classify("3,760")
    assert numbers.read(form, numbers.EN) == (Decimal("3760"), False)
    assert numbers.read(form, numbers.VI) == (Decimal("3.760"), False)
    assert numbers.read(form, None)[1] is True
    mixed = numbers.Evidence()
    for t in ("96.1", "7,5"):
        mixed.add_number(t)
    assert numbers.decide_convention(mixed) is None


@pytest.mark.parametrize("text,bound,value,lower,upper", [
    ("7 - 7,5", "range", None, "7", "7.5"),
    ("≥ 5", "ge", None, "5", None),
    (">3", "gt", None, "3", None),
    ("<5", "lt", None, None, "5"),
    ("trên 31", "gt", None, "31", None),
    ("(-4,33)", "eq", "-4.33", None, None),
    ("2.900 - 3.000", "range", None, "2900", "3000"),
    ("khoảng 40 - 41", "range", None, "40", "41"),
])
def test_parse_value(text, bound, value, lower, upper):
    pv = numbers.parse_value(text, numbers.VI)
    assert pv is not None and pv.bound == bound
    assert pv.value == (Decimal(value) if value else None)
    assert pv.lower == (Decimal(lower) if lower else None)
    assert pv.upper == (Decimal(upper) if upper else None)


def test_periods():
    title = "Tình hình thực hiện Kế hoạch phát triển kinh tế - xã hội quý I, nhiệm vụ trọng tâm quý II năm 2023"
    found = [pm.period for pm in periods.find_periods(title)]
    assert [p.label for p in found] == ["quý I/2023", "quý II/2023"]
    assert found[0].start == dt.date(2023, 1, 1) and found[0].end == dt.date(2023, 3, 31)
    p = periods.first_period("6 tháng đầu năm 2024")
    assert (p.kind, p.end) == ("half", dt.date(2024, 6, 30))
    p = periods.first_period("Kế hoạch phát triển kinh tế - xã hội 5 năm giai đoạn 2021 - 2025")
    assert (p.kind, p.start, p.end) == ("multi-year", dt.date(2021, 1, 1), dt.date(2025, 12, 31))
    p = periods.first_period("đến hết 31/3/2023 ước 589,8 tỷ đồng")
    assert (p.kind, p.start, p.end) == ("to-date", dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    p = periods.first_period("phấn đấu hết quý II/2023 tỷ lệ giải ngân")
    assert (p.kind, p.end) == ("to-date", dt.date(2023, 6, 30))
    assert periods.first_period("tháng 01/2022").label == "tháng 01/2022"


# ============================================================================================
# the scheme

def test_scheme_concepts_complete():
    sch = scheme()
    assert len(sch.concepts) >= 40
    for con in sch.concepts.values():
        assert con.pref_vi and con.pref_en and con.pref_vi != con.key, con.key
        assert con.unit in sch.units, con.key
    for key in ("grdp-growth", "economic-structure", "grdp-per-capita", "tourists", "tourism-revenue",
                "exports", "imports", "budget-revenue", "domestic-revenue", "budget-spending",
                "development-investment", "ntm-communes-new", "commune-paved-roads",
                "national-standard-schools-new", "standard-cultural-houses", "doctors-per-10000",
                "beds-per-10000", "health-insurance-coverage", "trained-labour", "social-insurance-coverage",
                "poverty-reduction", "traffic-accident-reduction", "crime-reduction", "new-forest",
                "forest-cover", "rural-clean-water", "urban-waste-collection", "medical-waste-treatment",
                "new-enterprises", "public-investment-disbursement", "retail-sales",
                "industrial-production-index"):
        assert KGI + key in sch.concepts, key
    assert sch.concepts[KGI + "poverty-rate"].higher_is_better is False
    assert sch.concepts[KGI + "tourists"].higher_is_better is True
    assert sch.units[KGU + "million-usd"].multiplier == Decimal(1000000)
    assert sch.units[KGU + "percent"].exact_match == "http://qudt.org/vocab/unit/PERCENT"


@pytest.mark.parametrize("text", ["Tổng lượt khách du lịch", "Lượng khách du lịch (nghìn lượt)",
                                  "Thu hút 1.350,053 nghìn lượt khách", "tổng lượng khách du lịch"])
def test_tourist_variants_match_one_concept(text):
    found = scheme().match(text)
    assert found is not None and found[0].key == "tourists"


def test_unmatched_and_contextual_names():
    sch = scheme()
    assert sch.match("Tổng số thu Bảo hiểm xã hội, Bảo hiểm y tế, bảo hiểm thất nghiệp") is None
    assert sch.match("khách quốc tế") is None
    assert sch.match("khách quốc tế", [KGI + "tourists"])[0].key == "international-tourists"
    # "doanh thu" names tourism revenue only right after the tourists
    assert sch.match("doanh thu") is None
    assert sch.match("doanh thu", [KGI + "tourists"])[0].key == "tourism-revenue"
    assert sch.match("xuất khẩu", [KGI + "trade-turnover"])[0].key == "exports"
    assert sch.match("- Dịch vụ", [KGI + "economic-structure"])[0].key == "structure-services"
    assert norm("Tỷ lệ thôn có nhà văn hoá") == norm("tỷ lệ thôn có nhà văn hóa")
    assert resolve_indicator("tourists").key == "tourists"
    assert resolve_indicator("Lượng khách du lịch").key == "tourists"


# ============================================================================================
# extraction: prose

def test_q1_exports_prose(idocs):
    doc = idocs[Q1]
    [value] = obs_of(doc, "trade-turnover", "estimate", "quý I/2023")
    assert value.value == Decimal("640") and value.unit == KGU + "million-usd"
    assert doc.text.original[value.start:value.end] == "640 triệu USD"
    assert "Tổng kim ngạch xuất nhập khẩu qua địa bàn ước 640 triệu USD" in value.sentence
    i = doc.extras["indicators"].index(value)
    linked = {o.measure: o for o in doc.extras["indicators"] if o.of_index == i}
    assert linked["percent-of-plan"].value == Decimal("16.84")
    assert linked["percent-of-plan"].plan_basis == "kế hoạch"
    assert linked["year-on-year"].value == Decimal("31.96")
    assert linked["year-on-year"].comparison_basis == "cùng kỳ"
    # the sub-items after "trong đó:" are the exports and the imports, estimates too
    [exports] = obs_of(doc, "exports", "estimate")
    [imports] = obs_of(doc, "imports", "estimate")
    assert (exports.value, imports.value) == (Decimal("300"), Decimal("340"))
    yoy_imports = [o for o in doc.extras["indicators"] if o.of_index == doc.extras["indicators"].index(imports)
                   and o.measure == "year-on-year"]
    assert yoy_imports[0].value == Decimal("-10.53")      # "giảm 10,53%"


def test_q1_prose_numbers_vietnamese(idocs):
    doc = idocs[Q1]
    [tourists] = obs_of(doc, "tourists", "result")
    assert tourists.value == Decimal("1350.053") and tourists.unit == KGU + "thousand-visit"
    assert doc.text.original[tourists.start:tourists.end] == "1.350,053 nghìn lượt khách"
    [sown] = obs_of(doc, "sown-area", "result")
    assert sown.value == Decimal("26538") and sown.unit == KGU + "hectare"
    [drop] = [o for o in doc.extras["indicators"] if o.of_index == doc.extras["indicators"].index(sown)]
    assert drop.value == Decimal("-13.7")
    [iip] = obs_of(doc, "industrial-production-index")
    assert iip.measure == "estimate" and iip.value == Decimal("4.98")    # a growth indicator: its own value
    [target] = obs_of(doc, "public-investment-disbursement-rate", "target")
    assert target.bound == "gt" and target.lower == Decimal("31")
    assert target.period.kind == "to-date" and target.period.end == dt.date(2023, 6, 30)


def test_prose_targets_2025(idocs):
    doc = idocs[REPORT_2024]
    grdp = [o for o in obs_of(doc, "grdp-growth", "target", "năm 2025") if o.value_text == "7,5 - 8"]
    assert grdp and (grdp[0].lower, grdp[0].upper) == (Decimal("7.5"), Decimal("8"))
    [services] = obs_of(doc, "structure-services", "target", "năm 2025")
    assert (services.lower, services.upper) == (Decimal("50"), Decimal("51"))
    [poverty] = obs_of(doc, "poverty-rate", "target", "năm 2025")
    assert poverty.value == Decimal("2.02")


def test_unmatched_names_reported_not_guessed(idocs):
    doc = idocs[Q1]
    names = {o.name for o in doc.extras["indicators"] if o.indicator is None}
    assert "gieo cấy lúa" in names             # a value with a change whose name is not in the scheme
    [rice] = [o for o in doc.extras["indicators"] if o.name == "gieo cấy lúa" and o.measure == "result"]
    assert rice.value == Decimal("8439.5") and rice.indicator is None      # not guessed as the sown area
    # the footnote's "khách quốc tế" continues the tourists of the sentence that points at it
    [intl] = obs_of(doc, "international-tourists", "result")
    assert intl.value == Decimal("8987") and intl.unit == KGU + "visit"


def test_city_report_area_and_scale(idocs):
    doc = idocs[CITY]
    [tourists] = obs_of(doc, "tourists", "result")
    assert tourists.value == Decimal("1798700") and tourists.unit == KGU + "visit"
    province = obs_of(idocs[Q1], "tourists", "result")[0]
    assert tourists.area and province.area and tourists.area != province.area


def test_malformed_number_reported(idocs):
    problems = idocs[JAN_2022].extras["indicator_problems"]
    assert any(p.text == "1.230.5" and "malformed" in p.reason for p in problems)


# ============================================================================================
# extraction: tables

def test_decision_appendix_table_english_numbers(idocs):
    doc = idocs[DECISION]
    [tourists] = obs_of(doc, "tourists", "target")
    assert tourists.value == Decimal("3760") and tourists.unit == KGU + "thousand-visit"
    assert doc.text.original[tourists.start:tourists.end] == "3,760"
    assert tourists.sentence.startswith("Tổng lượt khách du lịch | Nghìn lượt | 3,760")
    assert tourists.lead_agencies == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert tourists.cooperating_agencies == ["UBND các huyện, thành phố"]
    assert tourists.period.label == "năm 2023" and tourists.set_by_source
    assert tourists.convention == "en"
    [spending] = obs_of(doc, "budget-spending", "target")
    assert spending.value == Decimal("13592.5")
    [trade] = obs_of(doc, "trade-turnover", "target")
    assert trade.value == Decimal("3100")
    # "7 - 7,5" is written the Vietnamese way inside the English-style table: read from its own form
    [grdp] = obs_of(doc, "grdp-growth", "target")
    assert (grdp.lower, grdp.upper) == (Decimal("7"), Decimal("7.5"))
    # a row without agency cells takes them from the row above (merged cells)
    [revenue] = obs_of(doc, "tourism-revenue", "target")
    assert revenue.lead_agencies == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert any("inherited" in n for n in revenue.notes)
    # a cell cut over two lines
    [schools] = [o for o in obs_of(doc, "national-standard-schools-new", "target") if o.origin == "table"]
    assert schools.lead_agencies == ["Sở Giáo dục và Đào tạo"]
    [crime] = obs_of(doc, "crime-reduction", "target")
    assert crime.bound == "ge" and crime.lower == Decimal("3")
    # economic structure: the sector rows under the group row
    [agri] = obs_of(doc, "structure-agriculture", "target")
    assert (agri.lower, agri.upper) == (Decimal("19"), Decimal("20"))
    assert doc.extras["indicator_problems"] == []


def test_report_2024_table_columns_and_evaluation(idocs):
    doc = idocs[REPORT_2024]
    tour = {o.measure: o for o in obs_of(doc, "tourists") if o.origin == "table" and o.period
            and o.period.label in ("năm 2024", "giai đoạn 2021 - 2023")}
    assert tour["target"].value == Decimal("4060") and tour["target"].period.label == "năm 2024"
    assert tour["result"].value == Decimal("3919") and tour["result"].period.label == "giai đoạn 2021 - 2023"
    assert tour["estimate"].value == Decimal("4160") and tour["estimate"].evaluation_text == "Vượt"
    assert tour["estimate"].evaluation == KG + "exceeded"
    assert doc.text.original[tour["estimate"].start:tour["estimate"].end] == "4.160"
    [grdp] = [o for o in obs_of(doc, "grdp-growth", "estimate", "năm 2024") if o.origin == "table"]
    assert grdp.value == Decimal("6.33") and grdp.evaluation_text == "Không đạt"
    [dom] = [o for o in obs_of(doc, "domestic-revenue-growth", "estimate") if o.origin == "table"]
    assert dom.value == Decimal("-4.33") and dom.value_text == "(-4,33)"
    usd = [o for o in obs_of(doc, "grdp-per-capita", "target") if o.unit == KGU + "usd"]
    assert usd and (usd[0].lower, usd[0].upper) == (Decimal("2900"), Decimal("3000"))
    # tourism revenue has no evaluation cell of its own: the group's ("Vượt") holds for it
    [rev] = [o for o in obs_of(doc, "tourism-revenue", "estimate", "năm 2024") if o.origin == "table"]
    assert rev.evaluation_text == "Vượt" and rev.evaluation_scope == "group"


# ============================================================================================
# graph

def test_data_cube_graph(ind_dataset, idocs):
    from kg_builder.namespace import KG as K, QB

    doc = idocs[Q1]
    [value] = obs_of(doc, "trade-turnover", "estimate", "quý I/2023")
    nodes = [s for s in ind_dataset.subjects(K.start, Literal(value.start)) if (s, RDF.type, K.IndicatorObservation) in ind_dataset]
    assert len(nodes) == 1
    node = nodes[0]
    assert str(node).endswith(f"/src/{doc.sha256[:16]}/obs/{value.start}-{value.end}")
    assert (node, K.indicator, URIRef(KGI + "trade-turnover")) in ind_dataset
    assert (node, K.measureType, K.estimate) in ind_dataset
    assert (node, K.unit, URIRef(KGU + "million-usd")) in ind_dataset
    [pct_node] = list(ind_dataset.subjects(K.ofObservation, node))[:1]
    from kg_builder.namespace import SDMX_ATTRIBUTE
    assert (pct_node, SDMX_ATTRIBUTE.unitMeasure, URIRef("http://qudt.org/vocab/unit/PERCENT")) in ind_dataset
    assert Decimal(str(ind_dataset.value(node, K.value))) == Decimal("640")
    assert Decimal(str(ind_dataset.value(node, K.baseValue))) == Decimal("640000000")
    assert str(ind_dataset.value(node, K.exact)) == "640 triệu USD"
    assert ind_dataset.value(node, K.inSection) is not None
    ds_node = ind_dataset.value(node, QB.dataSet)
    assert (ds_node, QB.structure, K.IndicatorStructure) in ind_dataset
    period = ind_dataset.value(node, K.period)
    assert str(ind_dataset.value(period, K.periodStart)) == "2023-01-01"
    assert str(ind_dataset.value(period, K.periodEnd)) == "2023-03-31"
    pct = next(ind_dataset.subjects(K.ofObservation, node))
    assert (pct, K.measureType, K.percentOfPlan) in ind_dataset


def test_structure_definition_in_ontology():
    from rdflib import Graph
    from kg_builder.namespace import KG as K, QB, kg_terms

    g = Graph().parse(ROOT / "ontology" / "indicators.ttl")
    dims = {g.value(c, QB.dimension) for c in g.objects(K.IndicatorStructure, QB.component)} - {None}
    assert dims == {K.indicator, K.period, K.refArea, K.measureType}
    assert {g.value(c, QB.measure) for c in g.objects(K.IndicatorStructure, QB.component)} - {None} == {K.value}
    declared = {s for s in g.subjects() if str(s).startswith(KG)}
    assert declared <= kg_terms()


# ============================================================================================
# consistency

def test_consistency_finds_the_real_ones(records):
    from kg_builder.consistency import check

    findings = check(records, 0.02)
    implied = {(f.indicator, f.observation.source_name) for f in findings if f.kind == "implied-plan"}
    assert (KGI + "trade-turnover", Q1) in implied
    trade = next(f for f in findings if f.indicator == KGI + "trade-turnover")
    assert round(float(trade.implied_plan) / 1e6) == 3800            # 640 / 16.84 %
    assert trade.other.value == Decimal("3100") and trade.other.source_id == "79/QĐ-UBND"
    # tourists (1.350,053 / 35,9 % ≈ 3760.6 vs 3,760) and the budget figures agree
    assert not any(f.indicator in (KGI + "tourists", KGI + "tourism-revenue", KGI + "budget-revenue")
                   for f in findings if f.kind == "implied-plan")
    evaluations = {f.indicator for f in findings if f.kind == "evaluation"}
    assert KGI + "village-hardened-roads" in evaluations       # "Vượt" with 81 against 82
    assert KGI + "health-insurance-coverage" in evaluations    # group "Đạt" with 95 against 98
    assert KGI + "grdp-growth" not in evaluations              # "Không đạt" with 6,33 against 7 - 7,5
    assert len(check(records, 0.25)) < len(findings)           # 22.6 % is within a 25 % tolerance


def test_meets_bounds():
    from kg_builder.consistency import ObsRecord, meets

    def target(bound, value=None, lower=None, upper=None):
        return ObsRecord("t", "i", "", "", True, "target", bound, "", value=value, lower=lower, upper=upper)

    D = Decimal
    assert meets((None, D(5)), target("ge", lower=D(5)), True, "lt") is False      # "<5" against "≥5"
    assert meets((D(3), None), target("ge", lower=D(3)), True, "ge") is True       # "≥3" against "≥3"
    assert meets((D("2.0"), D("2.0")), target("gt", lower=D(3)), True) is False     # 2,0 against ">3"
    assert meets((D("8.3"), D("8.3")), target("range", lower=D(8), upper=D(9)), True) is True
    assert meets((D("2.02"), D("2.02")), target("lt", upper=D(3)), True) is True


# ============================================================================================
# stored queries

def test_inconsistency_query(ind_fast):
    from kg_builder import query as q

    stored = q.load_query("indicator-inconsistencies")
    rows = list(q.run(ind_fast, stored, {}))
    implied = {str(r.indicator) for r in rows if str(r.kind) == "implied-plan"}
    assert KGI + "trade-turnover" in implied and KGI + "tourists" not in implied
    evaluation = {str(r.indicator) for r in rows if str(r.kind) == "evaluation"}
    assert KGI + "village-hardened-roads" in evaluation
    rows = list(q.run(ind_fast, stored, {"tolerance": "0.25"}))
    assert not any(str(r.kind) == "implied-plan" for r in rows)


def test_other_stored_queries(ind_fast):
    from kg_builder import query as q

    ind_dataset = ind_fast
    rows = list(q.run(ind_dataset, q.load_query("indicator-targets-vs-latest"), {"year": "2023"}))
    tour = [r for r in rows if str(r.indicator) == KGI + "tourists"]
    assert tour and str(tour[0].target) == "3,760" and str(tour[0].latest) == "1.350,053"
    assert str(tour[0].percentOfPlan) == "35,9%"
    rows = list(q.run(ind_dataset, q.load_query("indicator-agency-leads"), {"name": "văn hóa"}))
    assert {str(r.indicator) for r in rows} >= {KGI + "tourists", KGI + "tourism-revenue"}
    assert all("Văn hóa" in str(r.leadName) for r in rows)
    rows = list(q.run(ind_dataset, q.load_query("indicator-not-achieved"), {"year": "2024"}))
    assert KGI + "grdp-growth" in {str(r.indicator) for r in rows}
    assert KGI + "tourists" not in {str(r.indicator) for r in rows}
    for name in ("indicator-targets-vs-latest", "indicator-agency-leads", "indicator-not-achieved",
                 "indicator-inconsistencies"):
        stored = q.load_query(name)
        assert stored.title and stored.examples, name


# ============================================================================================
# chart and CLI

def test_chart_png_and_svg(records, tmp_path):
    from kg_builder.chart import draw

    tour = [r for r in records if r.indicator == KGI + "tourists"]
    png = draw(tour, tmp_path / "tourists.png")
    assert png.exists() and png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = draw([r for r in records if r.indicator == KGI + "grdp-growth"], tmp_path / "grdp.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert "Tốc độ tăng tổng sản phẩm" in svg.read_text(encoding="utf-8")


def test_cli_indicators_and_check(ind_dataset, tmp_path):
    from typer.testing import CliRunner

    from kg_builder.cli import app

    trig = tmp_path / "graph.nq"
    data = ind_dataset.serialize(format="nquads")
    trig.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    runner = CliRunner()
    res = runner.invoke(app, ["indicators", "--graph", str(trig), "--indicator", "Lượng khách du lịch",
                              "--year", "2023", "--format", "json"])
    assert res.exit_code == 0, res.output
    groups = json.loads(res.output)
    province = next(g for g in groups if g["area"].endswith("/lang-son"))
    assert province["label"] == "Tổng lượt khách du lịch"
    assert any(t["value_text"] == "3,760" and t["lead_agencies"] == ["Sở Văn hóa, Thể thao và Du lịch"]
               for t in province["targets"])
    q1 = next(v for v in province["values"] if v["value_text"] == "1.350,053")
    assert q1["percent_of_plan"] == "35,9%" and q1["year_on_year"].startswith("+78.6")
    res = runner.invoke(app, ["indicators", "--graph", str(trig), "--check", "--format", "json"])
    assert res.exit_code == 0, res.output
    kinds = {(f["kind"], f["indicator"]) for f in json.loads(res.output)}
    assert ("implied-plan", KGI + "trade-turnover") in kinds
    out_png = tmp_path / "c.png"
    res = runner.invoke(app, ["chart", "tourists", "-o", str(out_png), "--graph", str(trig)])
    assert res.exit_code == 0, res.output
    assert out_png.stat().st_size > 10_000


# ============================================================================================
# another province's wording (general rules, not the corpus files)

OTHER_PROVINCE = """ỦY BAN NHÂN DÂN TỈNH CAO BẰNG
Số: 12/BC-UBND
Cao Bằng, ngày 10 tháng 7 năm 2024
BÁO CÁO
Tình hình kinh tế - xã hội 6 tháng đầu năm 2024
I. KẾT QUẢ THỰC HIỆN
Tổng số lượt khách du lịch ước đạt 1.250 nghìn lượt, đạt 52,1% kế hoạch, tăng 12,4% so với cùng kỳ. Tổng thu ngân sách nhà nước trên địa bàn 1.120,5 tỷ đồng, bằng 48,7% dự toán, giảm 3,2% so với cùng kỳ.
II. CÁC CHỈ TIÊU CHỦ YẾU
STT
Chỉ tiêu
Đơn vị tính
KH 2024
Ước TH 6 tháng 2024
So với KH (%)
1
Tổng lượt khách du lịch
Nghìn lượt
2.400
1.250
52,1
2
Tỷ lệ che phủ rừng
%
57,5
57,5
100
III. NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024
Phấn đấu tỷ lệ hộ nghèo giảm trên 3%; giảm tai nạn giao thông từ 5% trở lên.
"""


def test_other_province_prose_table_and_targets():
    from kg_builder.pipeline import extract_text

    doc = extract_text(OTHER_PROVINCE, "cao-bang.txt")
    obs = doc.extras["indicators"]
    [plan] = obs_of(doc, "tourists", "target")
    assert plan.value == Decimal("2400") and plan.period.label == "năm 2024" and plan.origin == "table"
    table_est = [o for o in obs_of(doc, "tourists", "estimate") if o.origin == "table"]
    assert table_est[0].value == Decimal("1250") and table_est[0].period.label == "6 tháng đầu năm 2024"
    assert obs[table_est[0].target_index] is plan
    # the "So với KH (%)" column is the row's percent of plan
    [pct] = [o for o in obs_of(doc, "tourists", "percent-of-plan") if o.origin == "table"]
    assert pct.value == Decimal("52.1") and obs[pct.of_index] is table_est[0]
    prose_est = [o for o in obs_of(doc, "tourists", "estimate") if o.origin == "prose"]
    assert prose_est and prose_est[0].value == Decimal("1250")
    [budget] = obs_of(doc, "budget-revenue", "result")
    assert budget.value == Decimal("1120.5")
    [poverty] = obs_of(doc, "poverty-reduction", "target")
    assert poverty.bound == "gt" and poverty.lower == Decimal("3")      # a reduction stays positive
    [traffic] = obs_of(doc, "traffic-accident-reduction", "target")
    assert traffic.bound == "ge" and traffic.lower == Decimal("5")
    assert doc.extras["indicator_problems"] == []


def test_cli_unmatched_lists_names():
    from typer.testing import CliRunner

    from kg_builder.cli import app

    res = CliRunner().invoke(app, ["indicators", str(RAW / Q1), "--unmatched", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert any(r["kind"] == "unmatched-name" and r["name"] == "gieo cấy lúa" for r in rows)
    assert all(r["source"].endswith(Q1) for r in rows)


def test_table_without_stt_column():
    from kg_builder.pipeline import extract_text

    text = ("BÁO CÁO\nKết quả thực hiện các chỉ tiêu năm 2023\nChỉ tiêu\nĐơn vị\nKế hoạch năm 2023\n"
            "Thực hiện năm 2023\nĐánh giá\nTỷ lệ che phủ rừng\n%\n57,5\n57,8\nVượt\n"
            "Số bác sĩ/10.000 dân\nBác sĩ\n12\n11,5\nKhông đạt\nỦy ban nhân dân tỉnh trân trọng báo cáo./.\n")
    doc = extract_text(text, "x.txt")
    obs = doc.extras["indicators"]
    [cover] = obs_of(doc, "forest-cover", "result")
    assert cover.value == Decimal("57.8") and cover.evaluation_text == "Vượt"
    assert obs[cover.target_index].value == Decimal("57.5")
    [doctors] = obs_of(doc, "doctors-per-10000", "result")
    assert doctors.value == Decimal("11.5") and doctors.unit == KGU + "doctor"
    assert doc.extras["indicator_problems"] == []


def test_target_conflict_between_documents():
    from kg_builder.consistency import ObsRecord, target_conflicts

    def target(source, value):
        return ObsRecord(f"{source}#t", KGI + "tourists", "Tổng lượt khách du lịch", "", True, "target", "eq",
                         str(value), value=Decimal(value), base_value=Decimal(value) * 1000,
                         base_unit=KGU + "visit", period_start=dt.date(2023, 1, 1),
                         period_end=dt.date(2023, 12, 31), period_label="năm 2023", area="lang-son", source=source)

    found = target_conflicts([target("a", 3760), target("b", 3900), target("c", 3765)], 0.02)
    assert {(f.observation.source, f.other.source) for f in found} == {("a", "b"), ("b", "c")}
