"""`kg trace`: what a resolution drives, with evidence; reasoned and unreasoned graphs agree (issue 6).

The expected edges were checked by reading the corpus:
- 79/QĐ-UBND: "Căn cứ Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ …";
- the Q1 2023 report, task III.1: "Tiếp tục tổ chức thực hiện … các nghị quyết …; Quyết định của
  UBND tỉnh về những nhiệm vụ, giải pháp chủ yếu … năm 2023" (that decision is 79/QĐ-UBND);
- the Q1 2023 report, section I: "Ban hành kế hoạch thực hiện Nghị quyết số 96/NQ-CP … và Chương
  trình hành động số 52-CTr/TU … của Ban Chấp hành Đảng bộ tỉnh về thực hiện Nghị quyết số 11-NQ/TW".
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset, URIRef

from kg_builder import trace as tr
from kg_builder.graph_tasks import materialise_drives


@pytest.fixture(scope="module")
def ds(corpus_dataset):
    return corpus_dataset


@pytest.fixture(scope="module")
def index(ds):
    return tr._Index(ds)


@pytest.fixture(scope="module")
def trees(ds, index):
    roots = {
        "01/2023": tr.find_roots(ds, "01/NQ-CP", 2023),
        "11": tr.find_roots(ds, "11-NQ/TW"),
        "79": tr.find_roots(ds, "79/QĐ-UBND"),
    }
    assert all(len(r) == 1 for r in roots.values()), roots
    return {k: tr.trace_tree(ds, r[0], index=index) for k, r in roots.items()}


def child(node, label_start, relation=None):
    hits = [c for c in node.children if c.label.startswith(label_start)
            and (relation is None or relation in (c.relation or ""))]
    assert hits, f"{label_start!r} not under {node.label!r}: {[(c.relation, c.label[:50]) for c in node.children]}"
    return hits[0]


def test_a_number_shared_by_two_years(ds):
    both = tr.find_roots(ds, "01/NQ-CP")
    assert [tr._doc_year(ds, d) for d in both] == [2022, 2023]
    assert tr.find_roots(ds, "01/NQ-CP", 2023) == [both[1]]
    with pytest.raises(Exception, match="no document 01/NQ-CP of 2019"):
        tr.find_roots(ds, "01/NQ-CP", 2019)


def test_resolution_01_2023_drives_decision_79_and_its_tasks(trees):
    root = trees["01/2023"]
    d79 = child(root, "79/QĐ-UBND", "based-on")
    ev = next(e for e in d79.evidence if e.kind == "based-on")
    assert ev.text.startswith("Nghị quyết số 01/NQ-CP ngày 06/01/2023") and ev.source_label == "79/QĐ-UBND"
    t = child(d79, "Nhiệm vụ Điều 1.6", "sets-task")
    sub = child(t, "Nhiệm vụ Điều 1.6.5", "sets-task")
    leads = [c for c in sub.children if c.relation == "lead"]
    coops = [c for c in sub.children if c.relation == "cooperating"]
    assert any("Kế hoạch và Đầu tư" in c.label for c in leads)
    assert any("Tài chính" in c.label for c in coops)
    assert coops[0].evidence[0].text == "Sở Tài chính"
    # the programmes and projects 79's tasks concern
    t45 = child(child(d79, "Nhiệm vụ Điều 1.4"), "Nhiệm vụ Điều 1.4.5")
    concerned = [c.label for c in t45.children if c.relation == "concerns"]
    assert "Nâng cấp Quốc lộ 4B đoạn Km18 - Km80" in concerned


def test_q1_report_tasks_are_driven_by_decision_79(trees):
    d79 = child(trees["01/2023"], "79/QĐ-UBND")
    q1_tasks = [c for c in d79.children if c.kind == "task" and c.label.startswith("Nhiệm vụ III.")]
    first = [c for c in q1_tasks if c.label.startswith("Nhiệm vụ III.1 [2023-Q2]")]
    assert first and "cited-in-task" in first[0].relation
    assert first[0].evidence[0].text.startswith("Quyết định của UBND tỉnh về những nhiệm vụ, giải")
    assert first[0].evidence[0].section.startswith("1. Tiếp tục tổ chức thực hiện")
    # the general first item leads the section: every Q2 2023 task is driven by the decision
    assert len({c.label.split(" ")[2] for c in q1_tasks}) == 12
    assert all("section-lead" in c.relation for c in q1_tasks)


def test_11_nq_tw_is_implemented_by_52_ctr_tu_and_the_ubnd_plan(ds, trees):
    root = trees["11"]
    ctr = child(root, "52-CTr/TU", "in-sentence")
    assert "về thực hiện Nghị quyết số 11-NQ/TW" in ctr.evidence[0].text
    plan = child(ctr, "Kế hoạch thực hiện Nghị quyết số 96/NQ-CP", "in-sentence")
    assert plan.kind == "document"
    from kg_builder.namespace import KG
    assert str(next(ds.objects(URIRef(plan.iri), KG.issuer))).endswith("/agency/ubnd-tinh-lang-son")
    # "Triển khai Chương trình hành động của Ban Chấp hành Đảng bộ tỉnh thực hiện Nghị quyết số 11-NQ/TW"
    child(root, "Chương trình hành động của Ban Chấp hành Đảng bộ tỉnh thực hiện Nghị quyết số 11", "in-sentence")
    # and the decision's task that names it
    t = child(root, "Nhiệm vụ Điều 1.2", "cited-in-task")
    assert "11- NQ/TW" in t.evidence[0].text


def test_reverse_from_a_project_up_to_the_resolutions(ds, index):
    roots = tr.find_roots(ds, "Quốc lộ 4B đoạn Km18", reverse=True)
    assert len(roots) == 1
    up = tr.reverse_tree(ds, roots[0], index=index)
    labels = {n.label.split(" — ")[0] for n in up.walk()}
    assert "79/QĐ-UBND (2023)" in labels and "01/NQ-CP (2023)" in labels
    tasks = [c for c in up.children if c.relation == "concerned by"]
    assert any(c.label.startswith("Nhiệm vụ III.5 [2023-Q2]") for c in tasks)      # Q1 2023 report
    assert any(c.label.startswith("Nhiệm vụ Điều 1.4.5 [2023]") for c in tasks)    # decision 79


def test_materialised_and_property_path_traces_agree(corpus_build, ds, index, trees):
    from kg_builder.export import load_dataset
    reasoned: Dataset = load_dataset(corpus_build[0] / "graph.trig")   # a copy: the fixture stays unreasoned
    assert materialise_drives(reasoned) > 0
    for key, tree in trees.items():
        root = URIRef(tree.iri)
        by_path = tr.reachable(ds, root, "paths")
        assert tr.reachable(ds, root, "materialised") < by_path or not by_path   # unreasoned: direct edges only
        by_reasoning = tr.reachable(reasoned, root, "materialised")
        assert by_path == by_reasoning, key
        in_tree = {URIRef(n.iri) for n in tree.walk() if n.kind in ("document", "task")} - {root}
        assert in_tree == by_path, key
        # the tree itself ignores the shortcuts reasoning added: the same edges either way
        again = tr.trace_tree(reasoned, root)
        assert [(n.iri, n.relation) for n in again.walk()] == [(n.iri, n.relation) for n in tree.walk()], key


def test_dot_and_svg_render(trees, monkeypatch):
    tree = [trees["11"]]
    n = sum(1 for _ in trees["11"].walk())
    assert n >= 4
    dot = tr.to_dot(tree)
    assert dot.startswith("digraph trace {") and dot.count("->") == n - 1 and 'label="in-sentence"' in dot
    # without the Graphviz binary, the built-in layout draws the picture
    monkeypatch.setattr(tr.shutil, "which", lambda name: None)
    svg = tr.to_svg(tree)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert len(root.findall(f".//{ns}rect")) == 1 + n       # background + one box per node
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert any(t and t.startswith("52-CTr/TU") for t in texts) and "in-sentence" in texts
    big = ET.fromstring(tr.tree_svg([trees["79"]]))            # a big tree lays out without overlap
    ys = [(float(r.get("x")), float(r.get("y"))) for r in big.iter(f"{ns}rect") if r.get("x")]
    assert len(ys) == len(set(ys)) == sum(1 for _ in trees["79"].walk())


def test_cli_trace_and_tasks(corpus_build):
    from typer.testing import CliRunner
    from kg_builder.cli import app

    graph = str(corpus_build[0] / "graph.trig")
    runner = CliRunner()
    res = runner.invoke(app, ["trace", "11-NQ/TW", "--graph", graph, "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "52-CTr/TU" in [c["label"][:9] for c in data["trees"][0]["children"]]
    res = runner.invoke(app, ["trace", "01/NQ-CP", "--graph", graph, "--format", "json", "--no-leaves"])
    assert res.exit_code == 0 and len(json.loads(res.stdout)["trees"]) == 2   # 2022 and 2023
    res = runner.invoke(app, ["trace", "99/NQ-CP", "--graph", graph])
    assert res.exit_code != 0 and "no document 99/NQ-CP in the graph" in str(res.exception or res.output)
    res = runner.invoke(app, ["tasks", "--graph", graph, "--agency", "Sở Tài chính", "--format", "json"])
    rows = json.loads(res.stdout)
    assert rows and all(any("Tài chính" in a["name"] for a in r["lead"] + r["cooperating"]) for r in rows)
    res = runner.invoke(app, ["tasks", "--graph", graph, "--period", "2023-05", "--format", "json"])
    rows = json.loads(res.stdout)
    assert any(d["text"] == "trong tháng 5/2023" for r in rows for d in r["deadlines"])
    assert not any(r["period"] == "2025" for r in rows)


def test_stored_task_queries(ds):
    from kg_builder import query as q

    def run(name, **params):
        stored = q.load_query(name)
        return list(ds.query(stored.text, initBindings=q.bind_params(stored, params)))

    tasks = run("task-driven-by", identifier="01/NQ-CP", year="2023")
    root = tr.find_roots(ds, "01/NQ-CP", 2023)[0]
    expected = {x for x in tr.reachable(ds, root) if tr.node_kind(ds, x) == "task"}
    assert {r.task for r in tasks} == expected and len(expected) > 80
    due = run("task-deadlines-in-period", **{"from": "2023-05-01", "to": "2023-05-31"})
    assert [str(r.deadlineText) for r in due] == ["trong tháng 5/2023"]
    top = run("task-agencies-most-assigned")
    assert int(top[0].tasks) >= int(top[-1].tasks) and int(top[0].tasks) >= 5
    ocop = [r for r in run("task-project-mentions", minDocuments="3") if str(r.initiative).endswith("/ocop")]
    assert len({r.source for r in ocop}) == 3


@pytest.mark.skipif(tr.shutil.which("dot") is None, reason="Graphviz `dot` is not installed (the fallback is tested above)")
def test_svg_through_graphviz(trees):
    svg = tr.to_svg([trees["11"]])
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Generated by graphviz" in svg and "CTr/TU (2022)" in svg   # dot writes "-" as &#45;
