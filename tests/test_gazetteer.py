"""Agency gazetteer: data integrity, codes and names in context, headers of the corpus."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg_builder.gazetteer import Gazetteer, canon, fold, parse_identifier, slugify
from kg_builder.models import Citation, DocumentHeader

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
AGENCIES = ROOT / "data" / "vocab" / "agencies"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="module")
def docs(corpus_docs):
    return dict(sorted(corpus_docs.items()))


def _province(name: str = "Lạng Sơn") -> DocumentHeader:
    return DocumentHeader(type="Báo cáo", symbol="BC-UBND", number_blank=True, date_partial="2023-03", place=name)


def _city() -> DocumentHeader:
    return DocumentHeader(type="Báo cáo", identifier="583/BC-UBND", symbol="BC-UBND", date="2023-07-04",
                          place="TP. Lạng Sơn")


# ------------------------------------------------------------------ data


def test_data_files_are_consistent(gaz):
    central = json.loads((AGENCIES / "central.json").read_text(encoding="utf-8"))
    local = json.loads((AGENCIES / "local.json").read_text(encoding="utf-8"))
    ids = [a["id"] for a in central["agencies"]]
    assert len(ids) == len(set(ids))
    for a in central["agencies"]:
        assert a["id"] == slugify(a["id"])
        if a.get("parent"):
            assert a["parent"] in ids, a["id"]
    tids = {t["id"] for t in local["templates"]} | {g["id"] for g in local["groups"]}
    for t in local["templates"] + local["groups"]:
        for key in ("parent", "series"):
            ref = t.get(key) or ""
            if ref.startswith("@"):
                assert ref.lstrip("@") in tids, (t["id"], ref)
            elif ref:
                assert ref in ids
        if t.get("parent_central"):
            assert t["parent_central"] in ids
    # every code maps to one central body
    codes = [c for a in central["agencies"] for c in a.get("codes", [])]
    assert len(codes) == len(set(codes))
    for name, aid in [("Bộ Kế hoạch và Đầu tư", "bo-ke-hoach-va-dau-tu"), ("Bộ Y tế", "bo-y-te"),
                      ("Ban Tuyên giáo Trung ương", "ban-tuyen-giao-trung-uong"), ("Ủy ban Dân tộc", "uy-ban-dan-toc")]:
        assert gaz.lookup(name).id == aid


def test_fold_keeps_length_and_unifies_tone_placement():
    s = "Ban Thường vụ Thành uỷ Lạng Sơn – khoá XXI"
    assert len(fold(s)) == len(s)
    assert canon("Thành uỷ") == canon("THÀNH ỦY") == "thành ủy"
    assert canon("khoá") == canon("khóa")


def test_parse_identifier_styles():
    p = parse_identifier("15/2021/NĐ-CP")
    assert (p.number, p.year, p.type_code, p.issuer_code, p.style) == ("15", 2021, "NĐ", "CP", "state")
    p = parse_identifier("11- NQ/TW")
    assert (p.number, p.type_code, p.issuer_code, p.style) == ("11", "NQ", "TW", "party")
    p = parse_identifier("263/BKHĐT-TH")
    assert (p.issuer_code, p.style) == ("BKHĐT", "letter")
    assert parse_identifier("973/2020/UBTVQH14").issuer_code == "UBTVQH14"
    assert parse_identifier("06").style == "bare"


# ------------------------------------------------------------------ codes and names


@pytest.mark.parametrize("identifier,issuer,issuer_id", [
    ("01/NQ-CP", "Chính phủ", "chinh-phu"),
    ("03/CT-TTg", "Thủ tướng Chính phủ", "thu-tuong-chinh-phu"),
    ("22/2023/QH15", "Quốc hội", "quoc-hoi"),
    ("973/2020/UBTVQH14", "Ủy ban Thường vụ Quốc hội", "uy-ban-thuong-vu-quoc-hoi"),
    ("11-NQ/TW", "Ban Chấp hành Trung ương Đảng", "ban-chap-hanh-trung-uong-dang"),
    ("4487/BKHĐT-TH", "Bộ Kế hoạch và Đầu tư", "bo-ke-hoach-va-dau-tu"),
    ("68/2022/TT-BTC", "Bộ Tài chính", "bo-tai-chinh"),
    ("01/CT-UBND", "Ủy ban nhân dân tỉnh Lạng Sơn", "ubnd-tinh-lang-son"),
    ("02-NQ/BCSĐ", "Ban cán sự đảng Ủy ban nhân dân tỉnh Lạng Sơn", "ban-can-su-dang-ubnd-tinh-lang-son"),
])
def test_issuer_from_code(gaz, identifier, issuer, issuer_id):
    c = Citation(surface=f"số {identifier}", start=0, end=1, type=None, identifier=identifier)
    gaz.complete_citation(c, _province())
    assert (c.issuer, c.issuer_id) == (issuer, issuer_id)


def test_written_issuer_is_never_overwritten(gaz):
    c = Citation(surface="Nghị quyết số 11-NQ/TW của Bộ Chính trị", start=0, end=1, type="Nghị quyết",
                 identifier="11-NQ/TW", issuer="Bộ Chính trị")
    gaz.complete_citation(c, _province())
    assert c.issuer == "Bộ Chính trị" and c.issuer_id == "bo-chinh-tri"
    assert gaz.series_id("bo-chinh-tri") == "ban-chap-hanh-trung-uong-dang"


@pytest.mark.parametrize("text,expected", [
    ("của Ban Thường vụ Tỉnh ủy", "ban-thuong-vu-tinh-uy-lang-son"),
    ("HĐND tỉnh", "hdnd-tinh-lang-son"),
    ("Hội đồng nhân dân tỉnh khóa XVII", "hdnd-tinh-lang-son"),
    ("Thủ tướng chính phủ", "thu-tuong-chinh-phu"),
    ("Bộ trưởng Bộ Tài chính", "bo-tai-chinh"),
    ("Ban Chấp hành Trung ương Đảng khóa XIII", "ban-chap-hanh-trung-uong-dang"),
    ("Ban Bí thư Trung ương", "ban-bi-thu"),
    ("Ban Chấp hành Đảng bộ tỉnh", "tinh-uy-lang-son"),
    ("Ban chấp hành Đảng bộ tỉnh Lạng Sơn", "tinh-uy-lang-son"),
    ("Chủ tịch UBND tỉnh", "chu-tich-ubnd-tinh-lang-son"),
    ("UBND tỉnh Cao Bằng", "ubnd-tinh-cao-bang"),
    ("UBND huyện Cao Lộc", "ubnd-huyen-cao-loc-lang-son"),
])
def test_names_in_a_provincial_document(gaz, text, expected):
    assert gaz.lookup(text, _province()).id == expected


def test_tu_depends_on_the_citing_document(gaz):
    assert gaz.by_code("TU", _province()).id == "tinh-uy-lang-son"
    assert gaz.by_code("TU", _city()).id == "thanh-uy-lang-son"
    # the "của …" text decides when present
    assert gaz.lookup("của Ban Thường vụ Tỉnh ủy", _city()).id == "ban-thuong-vu-tinh-uy-lang-son"
    assert gaz.lookup("của Ban Thường vụ Thành uỷ Lạng Sơn", _city()).id == "ban-thuong-vu-thanh-uy-lang-son"
    c = Citation(surface="Nghị quyết số 58-NQ/TU", start=0, end=1, type="Nghị quyết", identifier="58-NQ/TU")
    gaz.complete_citation(c, _city())
    assert c.issuer_id == "thanh-uy-lang-son" and c.issuer == "Thành ủy Lạng Sơn"
    assert gaz.series_id("ban-thuong-vu-thanh-uy-lang-son") == "thanh-uy-lang-son"


def test_other_provinces_and_central_cities(gaz):
    h = _province("Cao Bằng")
    gaz.complete_header(h)
    assert h.issuer_id == "ubnd-tinh-cao-bang" and h.issuer == "Ủy ban nhân dân tỉnh Cao Bằng"
    h = DocumentHeader(type="Báo cáo", symbol="BC-UBND", place="TP. Hồ Chí Minh")
    gaz.complete_header(h)
    assert h.issuer_id == "ubnd-thanh-pho-ho-chi-minh"
    assert gaz.agency(h.issuer_id).level == "province"
    h = DocumentHeader(type="Nghị quyết", symbol="NQ/HU", issuer="HUYỆN ỦY BÌNH GIA", place="Bình Gia")
    gaz.complete_header(h)
    assert h.issuer_id == "huyen-uy-binh-gia-lang-son"
    assert gaz.by_code("HU", h).id == "huyen-uy-binh-gia-lang-son"
    assert gaz.lookup("Tỉnh ủy", h).id == "tinh-uy-lang-son"


# ------------------------------------------------------------------ corpus


def test_corpus_headers(docs):
    expected = {
        "lang-son_2022-01_bao-cao-nq01-cp.txt": "ubnd-tinh-lang-son",
        "lang-son_2023-q1_bao-cao-kt-xh.txt": "ubnd-tinh-lang-son",
        "lang-son_2023_qd-79-qd-ubnd.txt": "ubnd-tinh-lang-son",
        "lang-son_2024-h1_bao-cao-kh-2025.txt": "ubnd-tinh-lang-son",
        "tp-lang-son_2023-h1_bc-583-bc-ubnd.txt": "ubnd-thanh-pho-lang-son",
    }
    for name, issuer_id in expected.items():
        assert docs[name].header.issuer_id == issuer_id, name
        assert docs[name].header.issuer


def test_corpus_citation_issuers(docs, gaz):
    seen = {}
    for name, d in docs.items():
        for c in d.citations:
            if c.identifier:
                seen.setdefault((name, c.identifier), c.issuer_id)
    assert seen[("lang-son_2023_qd-79-qd-ubnd.txt", "973/2020/UBTVQH14")] == "uy-ban-thuong-vu-quoc-hoi"
    assert seen[("lang-son_2023_qd-79-qd-ubnd.txt", "13/2019/TT-BXD")] == "bo-xay-dung"  # "Bộ trưởng Bộ Xây dựng"
    assert seen[("lang-son_2023_qd-79-qd-ubnd.txt", "02-NQ/BCSĐ")] == "ban-can-su-dang-ubnd-tinh-lang-son"
    assert seen[("tp-lang-son_2023-h1_bc-583-bc-ubnd.txt", "1494/QĐ-UBND")] == "ubnd-tinh-lang-son"
    assert seen[("tp-lang-son_2023-h1_bc-583-bc-ubnd.txt", "70/KH-UBND")] == "ubnd-thanh-pho-lang-son"
    # every citation with a số ký hiệu (not a bare short number like "đề án 1237") gets an issuer
    missing = [(n, i) for (n, i), a in seen.items() if a is None and "/" in i]
    assert not missing


def test_find_agencies_in_a_task_of_the_decision(docs, gaz):
    d = docs["lang-son_2023_qd-79-qd-ubnd.txt"]
    text = d.text.original
    m = re.search(r"Sở Tài chính, Cục Thuế, Cục Hải quan", text)
    assert m
    line_start = text.rfind("\n", 0, m.start()) + 1
    line = text[line_start:text.find("\n", m.end())]
    found = gaz.find_agencies(line, d.header)
    ids = [a.id for a, _, _ in found]
    assert ids[:3] == ["so-tai-chinh-tinh-lang-son", "cuc-thue-tinh-lang-son", "cuc-hai-quan-tinh-lang-son"]
    for a, s, e in found:
        assert canon(line[s:e]).startswith(canon(a.name.split()[0]))
    group = gaz.find_agencies("UBND các huyện, thành phố chủ trì; Sở KH&ĐT phối hợp", d.header)
    assert [a.id for a, _, _ in group] == ["ubnd-cap-huyen-tinh-lang-son", "so-ke-hoach-va-dau-tu-tinh-lang-son"]
    assert group[0][0].kind == "group" and group[0][0].parent == "ubnd-tinh-lang-son"


def test_find_agencies_in_the_city_report(docs, gaz):
    d = docs["tp-lang-son_2023-h1_bc-583-bc-ubnd.txt"]
    text = "Phòng Tài chính - Kế hoạch chủ trì, phối hợp với Phòng Kinh tế và UBND các phường, xã; báo cáo Thành ủy"
    got = [(a.id, text[s:e]) for a, s, e in gaz.find_agencies(text, d.header)]
    assert got == [
        ("phong-tai-chinh-ke-hoach-thanh-pho-lang-son", "Phòng Tài chính - Kế hoạch"),
        ("phong-kinh-te-thanh-pho-lang-son", "Phòng Kinh tế"),
        ("ubnd-cap-xa-thanh-pho-lang-son", "UBND các phường, xã"),
        ("thanh-uy-lang-son", "Thành ủy"),
    ]
    assert gaz.agency("phong-kinh-te-thanh-pho-lang-son").parent == "ubnd-thanh-pho-lang-son"


def test_place_words_after_a_name_are_checked(gaz):
    # "Đồng Đăng" is not a province: not taken as the place of a provincial body
    text = "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn"
    (a, s, e), = gaz.find_agencies(text, _province())
    assert a.id == "ban-quan-ly-khu-kinh-te-tinh-lang-son"
    (a, s, e), = gaz.find_agencies("Sở Giao thông vận tải Lạng Sơn làm chủ đầu tư", _province())
    assert a.id == "so-giao-thong-van-tai-tinh-lang-son" and e == len("Sở Giao thông vận tải Lạng Sơn")
