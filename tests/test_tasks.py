"""Tasks, programmes/projects/schemes and places extracted from the corpus (issue 6).

Every expected value was checked by reading data/raw/*.txt.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg_builder import tasks as T
from kg_builder.entities import merge_entities, place_gazetteer, programme_vocab
from kg_builder.models import Section

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
Q1 = "lang-son_2023-q1_bao-cao-kt-xh.txt"
JAN22 = "lang-son_2022-01_bao-cao-nq01-cp.txt"
H1_24 = "lang-son_2024-h1_bao-cao-kh-2025.txt"
QD79 = "lang-son_2023_qd-79-qd-ubnd.txt"
CITY = "tp-lang-son_2023-h1_bc-583-bc-ubnd.txt"


@pytest.fixture(scope="module")
def docs(corpus_docs):
    return corpus_docs


def task(doc, path):
    hits = [t for t in doc.extras["tasks"] if t.path == path]
    assert hits, f"no task {path}: {[t.path for t in doc.extras['tasks']]}"
    return hits[0]


def agency_names(t, role):
    return [a.name for a in t.agencies if a.role == role]


# ----------------------------------------------------------------------------- task sections

def test_task_sections_of_every_kind_and_their_periods(docs):
    got = {name: [(ts.label, ts.period) for ts in d.extras["task_sections"]] for name, d in docs.items()}
    assert got[Q1] == [("III", "2023-Q2")]                       # NHIỆM VỤ TRỌNG TÂM QUÝ II NĂM 2023
    assert got[JAN22] == [("III", "2022-02")]                    # NHIỆM VỤ TRỌNG TÂM THÁNG 02 NĂM 2022
    assert got[QD79] == [("Điều 1", "2023"), ("Điều 2", "2023")]  # Nhiệm vụ, giải pháp …; Tổ chức thực hiện
    assert got[CITY] == [("Phần 2", "2023-H2")]                  # NHIỆM VỤ, GIẢI PHÁP … 6 THÁNG CUỐI NĂM 2023
    # Phần thứ hai (plan 2025): "III. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU" takes the year of its part;
    # "III. MỘT SỐ ĐỀ XUẤT, KIẾN NGHỊ" is not a task section
    assert got[H1_24] == [("Phần 1.IV", "2024-H2"), ("Phần 2.III", "2025")]


def test_every_numbered_item_is_a_task(docs):
    q1 = [t.path for t in docs[Q1].extras["tasks"]]
    assert q1 == [f"III.{i}" for i in range(1, 13)]
    assert [t.path for t in docs[JAN22].extras["tasks"]] == [f"III.{i}" for i in range(1, 12)]
    d79 = {t.path for t in docs[QD79].extras["tasks"]}
    assert {"Điều 1.4.1", "Điều 1.6.3.(3)", "Điều 1.6.8.b", "Điều 2.4"} <= d79
    assert "Điều 1.1" not in d79          # "Phương châm hành động": a motto, not a task
    dashes = [t for t in docs[H1_24].extras["tasks"] if t.path.startswith("Phần 2.III.3.-")]
    assert len(dashes) == 8               # the eight "- …" items under "3. Về phát triển kinh tế"
    assert all(t.parent == task(docs[H1_24], "Phần 2.III.3").id for t in dashes)


def test_paragraph_tasks_under_a_heading_item(docs):
    city = docs[CITY]
    kinh_te = task(city, "Phần 2.2")                 # "2. Kinh tế" then three paragraphs
    paras = [t for t in city.extras["tasks"] if t.parent == kinh_te.id]
    assert [t.label for t in paras] == ["¶1", "¶2", "¶3"]
    assert paras[0].heading.startswith("Tiếp tục tạo điều kiện thúc đẩy phát triển")
    # a paragraph cut by a page break ("… đúng\n\nchế độ quy định; …") stays one task
    assert not any(t.heading[:1].islower() for t in city.extras["tasks"])
    assert "chế độ quy định" in paras[2].text


# ----------------------------------------------------------------------------- deadlines, targets, agencies

def test_deadlines_and_targets_of_a_report_task(docs):
    t5 = task(docs[Q1], "III.5")
    by_text = {d.text: d for d in t5.deadlines}
    assert by_text["trong tháng 5/2023"].date == "2023-05-31"        # BOT expressway feasibility study
    assert by_text["trong tháng 6/2023"].period == "2023-06"
    assert by_text["hết quý II/2023"].date == "2023-06-30"
    disb = [g for g in t5.targets if g.unit == "%"]
    assert [(g.comparator, g.value) for g in disb] == [(">", 31.0)]  # "tỷ lệ giải ngân … đạt trên 31%"
    assert "tỷ lệ giải ngân vốn đầu tư công" in disb[0].subject
    assert disb[0].deadline is not None and disb[0].deadline.date == "2023-06-30"
    # "hết quý II" without a year takes the year of the section's period
    t2 = task(docs[Q1], "III.2")
    assert [(d.text, d.date) for d in t2.deadlines] == [("hết quý II", "2023-06-30")]
    assert [(g.value, g.unit) for g in t2.targets] == [(60.0, "%")]   # trồng rừng mới … đạt 60% kế hoạch


def test_deadlines_and_targets_of_a_decision_item(docs):
    t = task(docs[QD79], "Điều 1.6.3.(2)")     # nhóm dự án chuyển tiếp
    assert [d.date for d in t.deadlines] == ["2023-06-30", "2023-09-30", "2023-12-31"]
    assert [(g.comparator, g.value) for g in t.targets] == [("≥", 40.0), ("≥", 70.0), ("=", 100.0)]
    before = task(docs[QD79], "Điều 1.6.3")
    assert ("trước ngày 15/02/2023", "2023-02-15", "before") in [(d.text, d.date, d.qualifier) for d in before.deadlines]


def test_lead_and_cooperating_agencies(docs):
    t = task(docs[QD79], "Điều 1.6.5")   # "Sở Kế hoạch và Đầu tư chủ trì, phối hợp Sở Tài chính …"
    assert any("Kế hoạch và Đầu tư" in n for n in agency_names(t, "lead"))
    assert any("Tài chính" in n for n in agency_names(t, "cooperating"))
    assert not any("Tài chính" in n for n in agency_names(t, "lead"))
    # "Các cơ quan chủ trì … (gồm các Sở: Nông nghiệp và Phát triển nông thôn, Lao động - Thương
    # binh và Xã hội, Ban Dân tộc tỉnh)": a list of departments without the word "Sở" each time
    ctmtqg = task(docs[QD79], "Điều 1.6.4.-3")
    leads = " | ".join(agency_names(ctmtqg, "lead"))
    assert "Nông nghiệp và Phát triển nông thôn" in leads and "Lao động" in leads and "Dân tộc" in leads
    # the subject of the sentence leads: "UBND các huyện, thành phố đẩy nhanh tiến độ …"
    q1t2 = task(docs[Q1], "III.2")
    assert any("huyện" in n for n in agency_names(q1t2, "lead"))
    # "báo cáo UBND tỉnh, gửi Sở Kế hoạch và Đầu tư": recipients are not assigned
    t63 = task(docs[QD79], "Điều 1.6.3")
    assert not any("Kế hoạch và Đầu tư" in n for n in agency_names(t63, "lead") + agency_names(t63, "cooperating"))


def test_task_citations_and_section_lead(docs):
    q1 = docs[Q1]
    ts = q1.extras["task_sections"][0]
    lead = [q1.citations[i].surface for i in ts.lead_citations]
    # "1. Tiếp tục tổ chức thực hiện … các nghị quyết …; Quyết định của UBND tỉnh về những nhiệm vụ,
    # giải pháp chủ yếu …" leads the whole section
    assert any(s.startswith("Quyết định của UBND tỉnh về những nhiệm vụ, giải") for s in lead)
    t6 = task(q1, "III.6")
    cited = [q1.citations[i].identifier for i in t6.citations]
    assert "71-CTr/TU" in cited and "20-NQ/TW" in cited


def test_relations_stated_in_one_sentence(docs):
    q1 = docs[Q1]
    rels = q1.extras["derived_relations"]
    ids = lambda i: q1.citations[i].identifier if i is not None else None  # noqa: E731
    pairs = {(ids(r.subject), ids(r.object)) for r in rels}
    # "Chương trình hành động số 52-CTr/TU … về thực hiện Nghị quyết số 11-NQ/TW"
    assert ("52-CTr/TU", "11-NQ/TW") in pairs
    assert ("71-CTr/TU", "20-NQ/TW") in pairs
    # "Ban hành kế hoạch thực hiện Nghị quyết số 96/NQ-CP … và Chương trình hành động số 52-CTr/TU"
    plan = [r for r in rels if r.subject is None and r.plan_title.startswith("Kế hoạch thực hiện Nghị quyết số 96/NQ-CP")]
    assert {ids(r.object) for r in plan} == {"96/NQ-CP", "52-CTr/TU"}
    assert all(r.issuer_id == q1.header.issuer_id and r.plan_type == "Kế hoạch" for r in plan)


# ----------------------------------------------------------------------------- rules, not corpus keys

def test_period_and_deadline_grammar():
    assert T.parse_period("NHIỆM VỤ TRỌNG TÂM QUÝ II NĂM 2023") == "2023-Q2"
    assert T.parse_period("NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM 6 THÁNG CUỐI NĂM 2023") == "2023-H2"
    assert T.parse_period("NHIỆM VỤ TRỌNG TÂM THÁNG 02 NĂM 2022") == "2022-02"
    assert T.parse_period("Kế hoạch năm 2025") == "2025"
    assert T.period_bounds("2024-Q3") == ("2024-07-01", "2024-09-30")
    found = T.find_deadlines("hoàn thành chậm nhất trong quý III/2024; trước ngày 31/12/2024", None)
    assert [(p, d, q) for _, _, d, p, q in found] == [("2024-Q3", "2024-09-30", "by"), ("2024-12-31", "2024-12-31", "before")]
    # a date of issue is not a deadline
    assert T.find_deadlines("Nghị quyết số 01/NQ-CP ngày 06/01/2023 của Chính phủ", 2023) == []


def test_task_heading_words_are_data():
    def sec(kind, heading):
        return Section(id="s", kind=kind, label="B", heading=heading, level=1, start=0, end=1)
    assert T.is_task_heading(sec("roman", "B. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024"))
    assert T.is_task_heading(sec("part", "Phần thứ hai\nNHIỆM VỤ, GIẢI PHÁP CHỦ YẾU 6 THÁNG CUỐI NĂM"))
    assert T.is_task_heading(sec("article", "Điều 2. Tổ chức thực hiện"))
    assert not T.is_task_heading(sec("roman", "III. MỘT SỐ ĐỀ XUẤT, KIẾN NGHỊ"))
    assert not T.is_task_heading(sec("roman", "II. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ QUÝ I"))
    assert not T.is_task_heading(sec("roman", "Tổ chức thực hiện"))   # only for articles


def test_a_report_from_another_province():
    """General rules: a Cao Bằng report the corpus does not contain."""
    from kg_builder.pipeline import extract_text
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG\n\nSố: 12/BC-UBND\n\nCao Bằng, ngày 05 tháng 4 năm 2024\n\n"
        "BÁO CÁO\n\nTình hình kinh tế - xã hội quý I, nhiệm vụ trọng tâm quý II năm 2024\n\n"
        "I. TÌNH HÌNH KINH TẾ - XÃ HỘI QUÝ I NĂM 2024\n\nTổng sản phẩm tăng 5,1%.\n\n"
        "II. NHIỆM VỤ TRỌNG TÂM QUÝ II NĂM 2024\n\n"
        "1. Đẩy nhanh tiến độ giải ngân vốn đầu tư công, phấn đấu hết quý II/2024 đạt trên 35% kế hoạch.\n\n"
        "2. Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư rà soát dự toán, báo cáo trong tháng 5/2024.\n\n"
        "3. Tiếp tục triển khai Chương trình MTQG xây dựng nông thôn mới; đẩy nhanh tiến độ Dự án Đường cao tốc Đồng Đăng - Trà Lĩnh.\n"
    )
    d = extract_text(text, "cao-bang.txt")
    assert [(ts.label, ts.period) for ts in d.extras["task_sections"]] == [("II", "2024-Q2")]
    t1, t2, t3 = d.extras["tasks"]
    assert [(x.date, x.period) for x in t1.deadlines] == [("2024-06-30", "2024-Q2")]
    assert [(g.comparator, g.value, g.unit) for g in t1.targets] == [(">", 35.0, "%")]
    assert [x.date for x in t2.deadlines] == ["2024-05-31"]
    ents = [d.extras["entities"][i] for i in t3.entities]
    assert [e.curated for e in ents] == ["ctmtqg-nong-thon-moi", "cao-toc-dong-dang-tra-linh"]


# ----------------------------------------------------------------------------- programmes, projects, places

def test_programmes_named_differently_are_one_node(docs):
    ents = merge_entities(docs.values())
    ntm = ents["ctmtqg-nong-thon-moi"]
    names = {(Path(src).name, em.name) for src, em in ntm.mentions}
    assert (JAN22, "Chương trình mục tiêu quốc gia xây dựng nông thôn mới trên địa bàn tỉnh giai đoạn 2022 - 2025") in names
    assert (H1_24, "Chương trình MTQG xây dựng nông thôn mới") in names
    assert (Q1, "Chương trình xây dựng nông thôn mới") in names
    # not curated: the same scheme written "Khám chữa bệnh" and "Khám, chữa bệnh" is one node
    kcb = [e for e in ents.values() if "từ xa" in e.name]
    assert len(kcb) == 1 and not kcb[0].curated
    assert {Path(s).name for s, _ in kcb[0].mentions} == {Q1, QD79}
    # the Quốc lộ 4B upgrade Km18 - Km80, three spellings in three documents
    ql = ents["ql4b-km18-km80"]
    assert {Path(s).name for s, _ in ql.mentions} == {Q1, QD79, H1_24}
    assert ql.programme == "ct-phuc-hoi-kt-xh"


def test_status_words_and_places_of_project_mentions(docs):
    def mentions(name, eid):
        return [e for e in docs[name].extras["entities"] if e.curated == eid]
    bot_q1 = mentions(Q1, "cao-toc-huu-nghi-chi-lang")
    assert any("phê duyệt" in m.status_words for m in bot_q1)          # hoàn thành phê duyệt Báo cáo NCKT
    bot_24 = mentions(H1_24, "cao-toc-huu-nghi-chi-lang")
    assert any("đã khởi công" in m.status_words for m in bot_24)       # "đã khởi công Dự án tuyến cao tốc …"
    tdc = [e for e in docs[Q1].extras["entities"] if e.name.startswith("Khu tái định cư xã Hồ Sơn")]
    assert tdc and set(tdc[0].places) == {"lang-son/xa-ho-son", "lang-son/xa-hoa-thang", "lang-son/huyen-huu-lung"}
    # generic phrases are not entities
    assert not any(e.name.lower().startswith(("các dự án", "dự án trọng điểm")) for d in docs.values()
                   for e in d.extras["entities"])


def test_place_gazetteer_lists_and_types():
    gaz = place_gazetteer()
    found = [p for p, _, _ in gaz.find("Cụm công nghiệp tại các huyện: Hữu Lũng, Bắc Sơn, Đình Lập, Chi Lăng...")]
    assert found == ["lang-son/huyen-huu-lung", "lang-son/huyen-bac-son", "lang-son/huyen-dinh-lap",
                     "lang-son/huyen-chi-lang"]
    # the same name, different types: the ward Chi Lăng and the border gate Chi Ma
    assert [p for p, _, _ in gaz.find("điều chỉnh quy hoạch chi tiết phường Chi Lăng")] == ["lang-son/phuong-chi-lang"]
    assert [p for p, _, _ in gaz.find("cửa khẩu chính Chi Ma")] == ["lang-son/cua-khau-chi-ma"]
    districts = [p for p in gaz.places.values() if p.parent == "lang-son" and p.type in ("huyen", "thanh-pho")]
    assert len(districts) == 11


def test_curated_aliases_are_data():
    v = programme_vocab()
    assert v.curated_for("programme", v.key("Chương trình MTQG giảm nghèo bền vững", "programme")) == "ctmtqg-giam-ngheo"
    assert v.key("Cải tạo nâng cấp QL4B (đoạn Km3+700 đến Km18)") == v.key("Cải tạo, nâng cấp Quốc lộ 4B (đoạn Km3 700-Km18)")
