"""Resolve stage: one record per real document, on the bundled corpus and on hand-built cases."""
from __future__ import annotations

import random
from dataclasses import asdict
from pathlib import Path

import pytest

from kg_builder.gazetteer import Gazetteer
from kg_builder.models import Citation, DocumentHeader, ExtractedDocument
from kg_builder.normalise import clean
from kg_builder.resolve import id_key, record_slug, resolve, title_key

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
REPORT_2022 = "lang-son_2022-01_bao-cao-nq01-cp.txt"
REPORT_2023Q1 = "lang-son_2023-q1_bao-cao-kt-xh.txt"
DECISION_79 = "lang-son_2023_qd-79-qd-ubnd.txt"
REPORT_2024 = "lang-son_2024-h1_bao-cao-kh-2025.txt"
CITY_583 = "tp-lang-son_2023-h1_bc-583-bc-ubnd.txt"


@pytest.fixture(scope="module")
def docs(corpus_docs) -> list[ExtractedDocument]:
    return [corpus_docs[name] for name in sorted(corpus_docs)]


@pytest.fixture(scope="module")
def registry(docs):
    return resolve(docs)


def _doc(docs, name: str) -> ExtractedDocument:
    return next(d for d in docs if Path(d.source).name == name)


def _links(registry, docs, name: str, identifier: str) -> list:
    d = _doc(docs, name)
    k = id_key(identifier)[0]
    idx = {i for i, c in enumerate(d.citations) if c.identifier and id_key(c.identifier)[0] == k}
    return [l for l in registry.links if l.source == d.source and l.index in idx]


# ------------------------------------------------------------------ corpus


def test_every_citation_has_exactly_one_link(docs, registry):
    expected = {(d.source, i) for d in docs for i in range(len(d.citations))}
    got = [(l.source, l.index) for l in registry.links]
    assert len(got) == len(set(got)) == len(expected)
    assert set(got) == expected
    for l in registry.links:
        assert l.status in {"resolved", "undated", "ambiguous", "unresolved"}
        if l.status in ("resolved", "undated"):
            assert l.target in registry.documents
        else:
            assert l.target is None
        if l.status == "ambiguous":
            assert len(l.candidates) >= 2 and all(c in registry.documents for c in l.candidates)


def test_01_nq_cp_of_2022_and_2023_are_two_records(docs, registry):
    r22 = registry.documents["chinh-phu|2022|01/NQ-CP"]
    r23 = registry.documents["chinh-phu|2023|01/NQ-CP"]
    assert r22.date == "2022-01-08" and r23.date == "2023-01-06"
    l22 = _links(registry, docs, REPORT_2022, "01/NQ-CP")
    l23 = _links(registry, docs, DECISION_79, "01/NQ-CP")
    assert len(l22) >= 3 and l23
    # the undated mentions in the 2022 report join the 2022 resolution cited with its date there
    assert {l.target for l in l22} == {r22.key}
    assert {l.target for l in l23} == {r23.key}
    assert all(l.status == "resolved" for l in l22 + l23)


def test_11_nq_tw_undated_and_dated_mentions_are_one_document(docs, registry):
    undated = _links(registry, docs, REPORT_2023Q1, "11-NQ/TW")
    dated = _links(registry, docs, DECISION_79, "11-NQ/TW")
    assert undated and dated
    d = _doc(docs, REPORT_2023Q1)
    assert d.citations[undated[0].index].date is None        # "Nghị quyết số 11-NQ/TW của Bộ Chính trị"
    assert {l.target for l in undated} == {l.target for l in dated}
    rec = registry.documents[dated[0].target]
    assert rec.year == 2022 and rec.date == "2022-02-10"
    assert undated[0].status == "resolved"
    assert "bo-chinh-tri" in rec.agencies                    # the specific body is kept


def test_01_ct_ubnd_date_conflict_is_flagged_not_overwritten(docs, registry):
    links = _links(registry, docs, REPORT_2022, "01/CT-UBND")
    assert len(links) == 2
    assert len({l.target for l in links}) == 1               # same id + issuer + day-month: one document
    rec = registry.documents[links[0].target]
    assert rec.dates == ["2021-01-05", "2022-01-05"]
    assert rec.year == 2022                                  # the latest year not after the citing report
    assert any("2021-01-05" in c and "2022-01-05" in c for c in rec.conflicts)
    assert rec.issuer_id == "ubnd-tinh-lang-son"
    assert "chu-tich-ubnd-tinh-lang-son" in rec.agencies


def test_96_nq_cp_resolves_with_its_date(docs, registry):
    links = _links(registry, docs, REPORT_2023Q1, "96/NQ-CP")
    assert links and links[0].status == "resolved"
    rec = registry.documents[links[0].target]
    assert rec.date == "2022-08-01" and rec.issuer_id == "chinh-phu" and rec.year == 2022


def test_decision_cited_in_its_own_appendix_is_its_source_record(docs, registry):
    d = _doc(docs, DECISION_79)
    own = registry.sources[d.source]
    assert own == "ubnd-tinh-lang-son|2023|79/QĐ-UBND"
    assert registry.documents[own].source == d.source
    self_links = _links(registry, docs, DECISION_79, "79/QĐ-UBND")
    assert self_links and {l.target for l in self_links} == {own}


def test_titled_mention_matches_the_decision_by_title(docs, registry):
    # "Ban hành Quyết định về nhiệm vụ, giải pháp chủ yếu ... năm 2023" in the Q1 2023 report
    d = _doc(docs, REPORT_2023Q1)
    own = registry.sources[_doc(docs, DECISION_79).source]
    idx = [i for i, c in enumerate(d.citations) if not c.identifier and c.type == "Quyết định"
           and c.title and "giải pháp chủ yếu chỉ đạo, điều hành" in c.title and "năm 2023" in c.title]
    assert idx
    targets = {l.target for l in registry.links if l.source == d.source and l.index in idx}
    assert targets == {own}


def test_titled_government_resolution_matches_numbered_one(docs, registry):
    # "Nghị quyết của Chính phủ về nhiệm vụ, giải pháp chủ yếu ... năm 2023" = 01/NQ-CP of 2023
    d = _doc(docs, DECISION_79)
    idx = [i for i, c in enumerate(d.citations) if not c.identifier and c.type == "Nghị quyết"
           and c.issuer_id == "chinh-phu"]
    assert idx
    targets = {l.target for l in registry.links if l.source == d.source and l.index in idx}
    assert targets == {"chinh-phu|2023|01/NQ-CP"}


def test_tu_code_follows_the_citing_body(docs, registry):
    city = _links(registry, docs, CITY_583, "77-NQ/TU")
    prov = _links(registry, docs, DECISION_79, "95-NQ/TU")
    assert city and prov
    cd, pd = _doc(docs, CITY_583), _doc(docs, DECISION_79)
    assert cd.citations[city[0].index].issuer_id == "ban-thuong-vu-thanh-uy-lang-son"
    assert pd.citations[prov[0].index].issuer_id == "ban-thuong-vu-tinh-uy-lang-son"
    assert registry.documents[city[0].target].issuer_id == "thanh-uy-lang-son"
    assert registry.documents[prov[0].target].issuer_id == "tinh-uy-lang-son"
    # the undated 95-NQ/TU of the Q1 2023 report joins the dated one of the decision
    q1 = _links(registry, docs, REPORT_2023Q1, "95-NQ/TU")
    assert q1 and q1[0].target == prov[0].target


def test_sources_are_records(docs, registry):
    assert set(registry.sources) == {d.source for d in docs}
    keys = set(registry.sources.values())
    assert len(keys) == len(docs)
    drafts = [k for k in keys if "|draft-" in k]
    assert len(drafts) == 2                                   # two reports with "Số: /BC-UBND"
    assert registry.sources[_doc(docs, CITY_583).source] == "ubnd-thanh-pho-lang-son|2023|583/BC-UBND"


def test_laws_by_name(docs, registry):
    d = _doc(docs, REPORT_2024)
    by_title: dict[str, set[str]] = {}
    for l in registry.links:
        if l.source != d.source or not l.target:
            continue
        c = d.citations[l.index]
        if c.type == "Luật" and c.title and c.title.lower().startswith("luật đất đai") \
                and "sửa đổi" not in c.surface:
            by_title.setdefault(c.surface.strip().lower(), set()).add(l.target)
    y2024 = [t for s, ts in by_title.items() if "2024" in s for t in ts]
    assert y2024 and len(set(y2024)) == 1                     # "Luật Đất đai 2024" = "… năm 2024"
    rec = registry.documents[y2024[0]]
    assert rec.year == 2024 and rec.issuer_id == "quoc-hoi"


def test_record_slug(registry):
    assert record_slug(registry.documents["chinh-phu|2022|01/NQ-CP"]) == ("chinh-phu", "2022", "01-nq-cp")
    for rec in registry.documents.values():
        issuer, year, slug = record_slug(rec)
        assert issuer and year and slug
        assert year == ("undated" if rec.year is None else str(rec.year))
    slugs = [record_slug(r) for r in registry.documents.values()]
    assert len(slugs) == len(set(slugs))


def test_registry_agencies_include_parents(registry):
    assert "ubnd-tinh-lang-son" in registry.agencies
    for ag in registry.agencies.values():
        if ag.parent:
            assert ag.parent in registry.agencies


def test_deterministic_and_order_independent(docs, registry):
    again = resolve(list(docs))
    assert asdict(again) == asdict(registry)
    shuffled = list(docs)
    random.Random(7).shuffle(shuffled)
    other = resolve(shuffled)
    assert list(other.documents) == list(registry.documents)
    assert [(l.source, l.index, l.target, l.status) for l in other.links] == \
        [(l.source, l.index, l.target, l.status) for l in registry.links]


# ------------------------------------------------------------------ hand-built cases


def _hand_doc(source: str, header: DocumentHeader, cits: list[Citation]) -> ExtractedDocument:
    gaz = Gazetteer.default()
    gaz.complete_header(header)
    for c in cits:
        gaz.complete_citation(c, header)
    text = " ".join(c.surface for c in cits) or "x"
    return ExtractedDocument(source=source, sha256=(source * 8)[:64].ljust(64, "0"), text=clean(text),
                             header=header, citations=cits)


def _cit(surface: str, type_: str, identifier: str | None, date: str | None = None,
         issuer: str | None = None, title: str | None = None) -> Citation:
    return Citation(surface=surface, start=0, end=len(surface), type=type_, identifier=identifier,
                    date=date, issuer=issuer, title=title, year=int(date[:4]) if date else None)


def _prov_header(province: str, year: int, ident: str | None) -> DocumentHeader:
    return DocumentHeader(type="Báo cáo", identifier=ident, symbol="BC-UBND", number_blank=ident is None,
                          date=f"{year}-06-30", place=province)


def test_undated_with_two_dated_candidates_is_ambiguous():
    a = _hand_doc("a.txt", _prov_header("Cao Bằng", 2022, "10/BC-UBND"),
                  [_cit("Nghị quyết số 01/NQ-CP ngày 08/01/2022 của Chính phủ", "Nghị quyết", "01/NQ-CP", "2022-01-08", "Chính phủ")])
    b = _hand_doc("b.txt", _prov_header("Cao Bằng", 2023, "11/BC-UBND"),
                  [_cit("Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ", "Nghị quyết", "01/NQ-CP", "2023-01-06", "Chính phủ")])
    c = _hand_doc("c.txt", _prov_header("Cao Bằng", 2024, "12/BC-UBND"),
                  [_cit("Nghị quyết số 01/NQ-CP", "Nghị quyết", "01/NQ-CP")])
    reg = resolve([c, b, a])
    link = next(l for l in reg.links if l.source == "c.txt")
    assert link.status == "ambiguous" and link.target is None
    assert link.candidates == ["chinh-phu|2022|01/NQ-CP", "chinh-phu|2023|01/NQ-CP"]
    # a citing document of 2022 cannot cite the 2023 resolution: the one candidate fits
    d = _hand_doc("d.txt", _prov_header("Cao Bằng", 2022, "13/BC-UBND"),
                  [_cit("Nghị quyết 01/NQ-CP", "Nghị quyết", "01/NQ-CP")])
    reg = resolve([a, b, d])
    link = next(l for l in reg.links if l.source == "d.txt")
    assert (link.status, link.target) == ("resolved", "chinh-phu|2022|01/NQ-CP")


def test_undated_without_candidate_is_an_undated_record():
    a = _hand_doc("a.txt", _prov_header("Cao Bằng", 2023, "10/BC-UBND"),
                  [_cit("Chỉ thị số 05/CT-TTg", "Chỉ thị", "05/CT-TTg")])
    reg = resolve([a])
    link = reg.links[0]
    assert link.status == "undated"
    rec = reg.documents[link.target]
    assert rec.year is None and rec.issuer_id == "thu-tuong-chinh-phu"
    assert record_slug(rec) == ("thu-tuong-chinh-phu", "undated", "05-ct-ttg")


def test_same_number_of_two_provinces_are_two_documents():
    a = _hand_doc("a.txt", _prov_header("Cao Bằng", 2023, "10/BC-UBND"),
                  [_cit("Quyết định số 79/QĐ-UBND ngày 19/01/2023 của UBND tỉnh", "Quyết định", "79/QĐ-UBND",
                        "2023-01-19", "UBND tỉnh")])
    b = _hand_doc("b.txt", _prov_header("Hà Giang", 2023, "10/BC-UBND"),
                  [_cit("Quyết định số 79/QĐ-UBND ngày 19/01/2023", "Quyết định", "79/QĐ-UBND", "2023-01-19")])
    reg = resolve([a, b])
    targets = sorted(l.target for l in reg.links)
    assert targets == ["ubnd-tinh-cao-bang|2023|79/QĐ-UBND", "ubnd-tinh-ha-giang|2023|79/QĐ-UBND"]
    # and the provinces' own reports 10/BC-UBND are two records too
    assert len({v for v in reg.sources.values()}) == 2


def test_identifier_normalisation():
    assert id_key("11- NQ/TW")[0] == id_key("11-NQ/TW")[0]
    assert id_key("01/NQCP")[0] == id_key("01/NQ-CP")[0] == id_key("1/NQ–CP")[0]
    assert id_key("58/2016/TT- BTC")[1] == "58/2016/TT-BTC"
    assert id_key("06", "Đề án")[1] == "Đề án 06"
    assert id_key("06", "Đề án")[0] != id_key("06", "Chương trình")[0]


def test_law_year_variants_are_one_record():
    h = _prov_header("Cao Bằng", 2024, "10/BC-UBND")
    a = _hand_doc("a.txt", h, [
        _cit("Luật Đất đai 2024", "Luật", None, title="Luật Đất đai 2024"),
        _cit("Luật Đất đai năm 2024", "Luật", None, title="Luật Đất đai năm 2024"),
        _cit("Luật Đất đai", "Luật", None, title="Luật Đất đai"),
    ])
    b = _hand_doc("b.txt", _prov_header("Cao Bằng", 2024, "11/BC-UBND"),
                  [_cit("Luật Đất đai", "Luật", None, title="Luật Đất đai")])
    reg = resolve([a, b])
    la = [l for l in reg.links if l.source == "a.txt"]
    lb = [l for l in reg.links if l.source == "b.txt"]
    assert la[0].target == la[1].target and reg.documents[la[0].target].year == 2024
    assert la[2].target == la[0].target                       # dated version cited in the same source
    assert lb[0].status == "undated" and reg.documents[lb[0].target].year is None


def test_title_key_drops_type_issuer_and_term():
    gaz = Gazetteer.default()
    k1 = title_key("Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XVII, nhiệm kỳ 2020 - 2025", "Nghị quyết", gaz)
    k2 = title_key("Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Lạng Sơn lần thứ XVII", "Nghị quyết", gaz)
    assert k1 == k2 == "lần thứ xvii"
    assert title_key("Quyết định của UBND tỉnh về nhiệm vụ năm 2023", "Quyết định", gaz) == "nhiệm vụ năm 2023"


def test_type_and_date_only_mention():
    h = _prov_header("Cao Bằng", 2022, "10/BC-UBND")
    a = _hand_doc("a.txt", h, [
        _cit("Kế hoạch số 05/KH-UBND ngày 16/01/2022 của UBND tỉnh", "Kế hoạch", "05/KH-UBND", "2022-01-16", "UBND tỉnh"),
        _cit("Kế hoạch ngày 16/01/2022", "Kế hoạch", None, "2022-01-16"),
        _cit("Kế hoạch ngày 20/01/2022", "Kế hoạch", None, "2022-01-20"),
    ])
    reg = resolve([a])
    la = reg.links
    assert la[1].target == la[0].target == "ubnd-tinh-cao-bang|2022|05/KH-UBND"
    assert la[2].status == "resolved" and la[2].target != la[0].target
    assert reg.documents[la[2].target].year == 2022
