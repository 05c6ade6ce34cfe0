"""Structure stage: document header and section tree.

Headers are checked against the hand-checked `self` entries of the gold file
(tests/data/citations_seeds.json); section trees against the real numbering of
the corpus documents; small hand-made headers cover layout variants.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict
from pathlib import Path

import pytest

from kg_builder.models import CleanText, DocumentHeader, Section
from kg_builder.normalise import clean, decode
from kg_builder.structure import parse_header, parse_sections

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
MANIFEST = json.loads((RAW / "manifest.json").read_text(encoding="utf-8"))["files"]
FILES = [f["file"] for f in MANIFEST]

Q1_2023 = "lang-son_2023-q1_bao-cao-kt-xh.txt"
JAN_2022 = "lang-son_2022-01_bao-cao-nq01-cp.txt"
H1_2024 = "lang-son_2024-h1_bao-cao-kh-2025.txt"
QD_79 = "lang-son_2023_qd-79-qd-ubnd.txt"
CITY_583 = "tp-lang-son_2023-h1_bc-583-bc-ubnd.txt"


@pytest.fixture(scope="session")
def parsed() -> dict[str, tuple[str, CleanText, DocumentHeader, list[Section]]]:
    out = {}
    for name in FILES:
        original = decode((RAW / name).read_bytes(), name)
        ct = clean(original)
        out[name] = (original, ct, parse_header(ct), parse_sections(ct))
    return out


def _fields(h: DocumentHeader) -> dict:
    d = asdict(h)
    d.pop("spans")
    return d


def _children(sections: list[Section], parent: Section | None, kinds: tuple[str, ...] | None = None) -> list[Section]:
    pid = parent.id if parent else None
    return [s for s in sections if s.parent == pid and (kinds is None or s.kind in kinds)]


def _by_label(sections: list[Section], label: str) -> Section:
    found = [s for s in sections if s.label == label]
    assert found, f"no section {label!r}"
    return found[0]


# --------------------------------------------------------------------------- headers vs gold

@pytest.mark.parametrize("name", FILES)
def test_header_matches_gold(name, parsed, gold):
    original, _, h, _ = parsed[name]
    g = gold[name]["self"]
    assert h.type == g["type"]
    assert h.identifier == g["identifier"]
    assert h.number_blank == bool(g.get("number_blank"))
    assert h.symbol == g.get("symbol")
    assert h.date == g["date"]
    assert h.date_partial == g.get("date_partial")
    assert h.place == g["place"]
    assert h.issuer == g["issuer"]
    assert h.title == g["title"]
    assert h.issuer_id is None
    signer = g.get("signer")
    assert h.signer == (signer.split(" (")[0] if signer else None)
    if "header_number_surface" in g:
        s, e = h.spans["number"]
        assert original[s:e] == g["header_number_surface"]
        assert s == g["header_number_start"]


@pytest.mark.parametrize("name", FILES)
def test_header_spans_quote_the_original(name, parsed):
    original, _, h, _ = parsed[name]
    for key in ("identifier", "date", "place", "signer"):
        value = (h.date or h.date_partial) if key == "date" else getattr(h, key)
        if value is None:
            assert key not in h.spans
            continue
        s, e = h.spans[key]
        quoted = original[s:e]
        if key == "date":
            assert quoted.startswith("ngày") and quoted.endswith((h.date or h.date_partial)[:4])
        else:
            assert quoted == value
    if h.title:
        s, e = h.spans["title"]
        assert " ".join(original[s:e].replace("*", "").split()) == h.title
    s, e = h.spans["type"]
    assert original[s:e].casefold() == h.type.casefold()


def test_header_type_codes(parsed):
    assert parsed[QD_79][2].type_code == "QĐ"
    assert parsed[CITY_583][2].type_code == "BC"
    assert parsed[Q1_2023][2].type_code == "BC"
    # the issuer comes straight from the header block of the decision, split over two lines
    original, _, h, _ = parsed[QD_79]
    s, e = h.spans["issuer"]
    assert original[s:e] == "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN"


def test_headerless_report_is_incomplete(parsed):
    original, _, h, _ = parsed[H1_2024]
    assert h.incomplete is True
    assert h.type == "Báo cáo" and h.type_code == "BC"
    assert h.date is None and h.date_partial is None and h.year is None
    assert h.title is None and h.identifier is None and h.symbol is None and not h.number_blank
    assert h.issuer == "UBND tỉnh Lạng Sơn"
    s, e = h.spans["issuer"]
    assert original[s:e] == "Ủy ban nhân dân tỉnh Lạng Sơn"        # from the closing sentence
    assert "trân trọng báo cáo" in original[s:e + 30]
    for name in FILES:
        if name != H1_2024:
            assert parsed[name][2].incomplete is False


def test_header_years(parsed):
    assert parsed[Q1_2023][2].year == 2023
    assert parsed[JAN_2022][2].year == 2022
    assert parsed[QD_79][2].year == 2023
    assert parsed[CITY_583][2].year == 2023


# --------------------------------------------------------------------------- section trees

@pytest.mark.parametrize("name", FILES)
def test_section_invariants(name, parsed):
    original, ct, _, sections = parsed[name]
    assert sections, "every corpus document has numbered sections"
    by_id = {s.id: s for s in sections}
    assert [s.id for s in sections] == [f"s{i}" for i in range(1, len(sections) + 1)]
    starts = [s.start for s in sections]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    last_body_char = ct.offsets[ct.body_end - 1] + 1     # footnotes may be lifted from the middle
    fn_spans = [(f.start, f.end) for f in ct.footnotes]
    for s in sections:
        # the heading is quoted exactly from the original at the section start
        assert s.heading and original[s.start:s.start + len(s.heading)] == s.heading, s
        assert s.start < s.end <= len(original)
        assert not any(a <= s.start < b for a, b in fn_spans), "a footnote text is not a section"
        if s.parent is None:
            assert s.level == 1
        else:
            p = by_id[s.parent]
            assert s.level == p.level + 1
            assert p.start < s.start and s.end <= p.end
            assert s.label.startswith(p.label + ".")
    assert max(s.end for s in sections) <= last_body_char


@pytest.mark.parametrize("name", FILES)
def test_sections_are_deterministic(name, parsed):
    _, ct, _, sections = parsed[name]
    assert parse_sections(ct) == sections
    plain = parse_sections(ct, dashes=False)
    assert not any(s.kind in ("dash", "plus") for s in plain)
    assert [s.label for s in plain] == [s.label for s in sections if s.kind not in ("dash", "plus")]


def test_q1_2023_report_sections(parsed):
    original, _, _, sections = parsed[Q1_2023]
    top = _children(sections, None)
    assert [s.label for s in top] == ["I", "II", "III"]
    assert all(s.kind == "roman" for s in top)
    assert "NHIỆM VỤ TRỌNG TÂM QUÝ II" in top[2].heading
    assert top[0].heading == "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
    ii = _children(sections, top[1])
    assert [s.label for s in ii] == [f"II.{i}" for i in range(1, 9)]
    ii1 = _children(sections, ii[0])
    assert [s.kind for s in ii1] == ["decimal"] * 6
    assert [s.label for s in ii1] == [f"II.1.{i}" for i in range(1, 7)]
    assert ii1[1].heading == "1.2. Phát triển kinh tế cửa khẩu"
    assert [s.label for s in _children(sections, top[2])] == [f"III.{i}" for i in range(1, 13)]
    # III ends before the recipients list / signature
    assert "Nơi nhận" not in original[top[2].start:top[2].end]
    assert "Nơi nhận" in original[top[2].end:top[2].end + 40]


def test_jan_2022_report_letters(parsed):
    _, _, _, sections = parsed[JAN_2022]
    assert [s.label for s in _children(sections, None)] == ["I", "II", "III"]
    ii1 = _by_label(sections, "II.1")
    letters = _children(sections, ii1)
    assert [s.label for s in letters] == ["II.1.a", "II.1.b", "II.1.c", "II.1.d", "II.1.đ", "II.1.e"]
    assert all(s.kind == "letter" and s.level == 3 for s in letters)


def test_decision_articles_and_appendix(parsed):
    original, _, _, sections = parsed[QD_79]
    top = _children(sections, None)
    assert [s.label for s in top] == ["Điều 1", "Điều 2", "Điều 3", "Phụ lục"]
    assert [s.kind for s in top] == ["article", "article", "article", "appendix"]
    appendix = top[3]
    assert appendix.heading.startswith("PHỤ LỤC") and "GIAO THỰC HIỆN CÁC NHÓM CHỈ TIÊU" in appendix.heading
    assert appendix.end == len(original.rstrip())
    # the appendix table's STT cells ("1", "2", ... alone on a line) are not sections
    assert not [s for s in sections if s.start > appendix.start and s.kind not in ("dash", "plus")]
    art1 = _children(sections, top[0])
    assert [s.label for s in art1] == [f"Điều 1.{i}" for i in range(1, 17)]
    d6 = _children(sections, art1[5], ("decimal",))
    assert [s.label for s in d6] == [f"Điều 1.6.{i}" for i in range(1, 11)]
    assert [s.label for s in _children(sections, d6[7], ("letter",))] == \
        ["Điều 1.6.8.a", "Điều 1.6.8.b", "Điều 1.6.8.c"]
    assert [s.label for s in _children(sections, top[1])] == [f"Điều 2.{i}" for i in range(1, 5)]
    # Điều 3 stops before the recipients list and the signature
    assert "Nơi nhận" not in original[top[2].start:top[2].end]
    # the body before "Điều 1" (header, "Căn cứ ...", "QUYẾT ĐỊNH:") is no section
    assert original[top[0].start:].startswith("Điều 1. Nhiệm vụ, giải pháp chủ yếu")
    assert "Căn cứ" not in original[top[0].start:top[0].start + 300]


def test_2024_report_parts(parsed):
    original, ct, _, sections = parsed[H1_2024]
    top = _children(sections, None)
    assert [s.kind for s in top] == ["part", "part"]
    assert [s.label for s in top] == ["Phần 1", "Phần 2"]
    assert top[0].heading.startswith("Phần thứ nhất\nTÌNH HÌNH KINH TẾ - XÃ HỘI 6 THÁNG ĐẦU NĂM")
    assert top[1].heading.startswith("Phần thứ hai\nDỰ KIẾN KẾ HOẠCH")
    # the source numbers Phần 1 I, II, IV (no III) and repeats III in Phần 2
    assert [s.label for s in _children(sections, top[0])] == ["Phần 1.I", "Phần 1.II", "Phần 1.IV"]
    assert [s.label for s in _children(sections, top[1])] == \
        ["Phần 2.I", "Phần 2.II", "Phần 2.III", "Phần 2.III", "Phần 2.IV"]
    # the indicator tables' group cells "I" / "II" / "III" alone on a line are no sections
    assert all(s.heading.strip() not in ("I", "II", "III") for s in sections)
    # "Điều hành chi ngân sách ..." is running text, not an article
    assert not [s for s in sections if s.kind == "article"]
    assert "1.3 . Lĩnh vực Nông nghiệp" in _by_label(sections, "Phần 2.III.1.3").heading
    # footnote texts sit after the body: no section reaches them
    first_note = min(f.start for f in ct.footnotes)
    assert max(s.end for s in sections) < first_note


def test_city_report_parts(parsed):
    _, _, _, sections = parsed[CITY_583]
    top = _children(sections, None)
    assert [s.label for s in top] == ["Phần 1", "Phần 2"]
    assert [s.label for s in _children(sections, top[0])] == ["Phần 1.I", "Phần 1.II", "Phần 1.III"]
    assert [s.label for s in _children(sections, top[1])] == [f"Phần 2.{i}" for i in range(1, 9)]
    assert _by_label(sections, "Phần 1.II.3.e").heading == "e) Dân tộc, tôn giáo"
    # "1.3." appears twice in the source: both kept, in order
    assert [s.heading[:4] for s in _children(sections, _by_label(sections, "Phần 1.III.1"))] == \
        ["1.1.", "1.2.", "1.3.", "1.3.", "1.4.", "1.5.", "1.6.", "1.7.", "1.8."]


def test_section_at_finds_deepest(parsed):
    from kg_builder.models import ExtractedDocument
    original, ct, h, sections = parsed[QD_79]
    doc = ExtractedDocument(source="x", sha256="0", text=ct, header=h, sections=sections)
    pos = original.index("Tổ chức lựa chọn nhà thầu qua mạng đối với toàn bộ")
    assert doc.section_at(pos).label == "Điều 1.6.8.a"


# --------------------------------------------------------------------------- hand-made headers

PLAN = """ỦY BAN NHÂN DÂN
TỈNH HÀ GIANG
-------

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số: /KH-UBND

Hà Giang, ngày      tháng 5 năm 2024

KẾ HOẠCH
Triển khai thực hiện Nghị quyết số 12/NQ-HĐND
ngày 10/12/2023 của HĐND tỉnh

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Bảo đảm thực hiện đồng bộ.
2. Yêu cầu
- Phân công cụ thể.
- Bảo đảm tiến độ.
Các đơn vị thực hiện nghiêm.
II - NHIỆM VỤ
1. Sở Kế hoạch và Đầu tư chủ trì.
Điều hành chi ngân sách đúng dự toán.
STT
1
2
Nơi nhận:
- Như trên;
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Đức Quý
"""


def _header(text: str) -> DocumentHeader:
    return parse_header(clean(text))


def test_plan_header_blank_number_and_two_line_issuer():
    h = _header(PLAN)
    assert h.type == "Kế hoạch" and h.type_code == "KH"
    assert h.identifier is None and h.number_blank is True and h.symbol == "KH-UBND"
    assert h.date is None and h.date_partial == "2024-05"
    assert h.place == "Hà Giang"
    assert h.issuer == "ỦY BAN NHÂN DÂN TỈNH HÀ GIANG"
    assert h.title == "Triển khai thực hiện Nghị quyết số 12/NQ-HĐND ngày 10/12/2023 của HĐND tỉnh"
    assert h.signer == "Trần Đức Quý"
    assert h.incomplete is False


def test_crlf_and_nfd_give_the_same_header_and_sections():
    base_ct = clean(PLAN)
    base = parse_header(base_ct)
    crlf = decode(PLAN.replace("\n", "\r\n").encode("utf-8"))
    nfd = unicodedata.normalize("NFD", PLAN)
    assert nfd != PLAN
    for variant in (crlf, nfd, PLAN.replace("\n", "\r\n")):
        ct = clean(variant)
        assert _fields(parse_header(ct)) == _fields(base)
        secs = parse_sections(ct)
        assert [(s.label, s.kind, s.level) for s in secs] == \
            [(s.label, s.kind, s.level) for s in parse_sections(base_ct)]
    # spans still point into the NFD original
    h = parse_header(clean(nfd))
    s, e = h.spans["place"]
    assert unicodedata.normalize("NFC", nfd[s:e]) == "Hà Giang"


def test_plan_sections():
    original = PLAN
    secs = parse_sections(clean(original))
    labels = [s.label for s in secs]
    assert labels == ["I", "I.1", "I.2", "I.2.-1", "I.2.-2", "II", "II.1"]
    assert secs[5].heading == "II - NHIỆM VỤ"
    # a dash item ends with its paragraph, its section goes on
    dash2 = secs[4]
    assert original[dash2.start:dash2.end] == "- Bảo đảm tiến độ."
    assert "Các đơn vị thực hiện nghiêm." in original[secs[2].start:secs[2].end]
    # table cells "1", "2" and the recipients list are no sections; II.1 stops before them
    assert original[secs[6].start:secs[6].end].endswith("2")
    assert "Nơi nhận" not in original[secs[6].start:secs[6].end]


def test_side_by_side_header_with_number():
    text = ("ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "HUYỆN BẢO LÂM            Độc lập - Tự do - Hạnh phúc\n"
            "Số: 125/BC-UBND          Bảo Lâm, ngày 05 tháng 6 năm 2024\n"
            "BÁO CÁO\n"
            "Kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2024\n"
            "Kính gửi: Ủy ban nhân dân tỉnh Cao Bằng.\n"
            "I. KẾT QUẢ\nNội dung.\n")
    h = _header(text)
    assert h.identifier == "125/BC-UBND" and h.symbol == "BC-UBND" and not h.number_blank
    assert h.date == "2024-06-05" and h.place == "Bảo Lâm"
    assert h.issuer == "ỦY BAN NHÂN DÂN HUYỆN BẢO LÂM"
    assert h.type == "Báo cáo"
    assert h.title == "Kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2024"


def test_issuer_inferred_from_place_prefix_and_signature():
    text = ("Số: 12/BC-UBND\n\nTP. Hà Giang, ngày 01 tháng 02 năm 2024\n\n**BÁO CÁO**\n\n"
            "**Tình hình tháng 01 năm 2024**\n\nI. KẾT QUẢ\n\nUBND thành phố đã chỉ đạo. UBND tỉnh đã giao.\n\n"
            "Nơi nhận:\n- UBND tỉnh;\n\n**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**\n\nNguyễn Văn An\n")
    h = _header(text)
    assert h.issuer == "UBND thành phố Hà Giang"
    assert h.place == "TP. Hà Giang" and h.date == "2024-02-01"
    assert h.title == "Tình hình tháng 01 năm 2024"
    assert h.signer == "Nguyễn Văn An"


def test_issuer_level_counted_from_the_body():
    text = ("Số: /BC-UBND\nYên Bái, ngày tháng năm 2024\nBÁO CÁO\nTình hình quý I\n"
            "I. KẾT QUẢ\nUBND tỉnh đã chỉ đạo UBND các huyện. UBND tỉnh đã ban hành. UBND huyện Trạm Tấu báo cáo.\n"
            "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Huy Tuấn\n")
    h = _header(text)
    assert h.issuer == "UBND tỉnh Yên Bái"
    assert h.date is None and h.date_partial == "2024"
    assert h.number_blank and h.identifier is None


def test_headerless_district_report():
    text = ("Thực hiện Công văn số 12/UBND-KT ngày 02/01/2024 của UBND tỉnh Cao Bằng, UBND huyện Bảo Lâm "
            "báo cáo kết quả thực hiện Kế hoạch phát triển kinh tế - xã hội năm 2024 như sau:\n"
            "I. KẾT QUẢ\nNội dung.\n"
            "UBND huyện Bảo Lâm trân trọng báo cáo./.\n"
            "Nơi nhận:\n- UBND tỉnh;\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nHoàng Văn Thạch\n")
    h = _header(text)
    assert h.incomplete is True
    assert h.type == "Báo cáo"
    assert h.issuer == "UBND huyện Bảo Lâm"
    assert h.date is None and h.date_partial is None and h.title is None
    assert h.signer == "Hoàng Văn Thạch"


def test_decision_title_stops_at_enacting_authority():
    text = ("HỘI ĐỒNG NHÂN DÂN\nTỈNH CAO BẰNG\n\nSố: 29/NQ-HĐND\n\nCao Bằng, ngày 10 tháng 12 năm 2022\n\n"
            "NGHỊ QUYẾT\n\nVỀ MỤC TIÊU, NHIỆM VỤ KẾ HOẠCH NĂM 2023\n\n"
            "HỘI ĐỒNG NHÂN DÂN TỈNH CAO BẰNG\nKHÓA XVII, KỲ HỌP THỨ MƯỜI BỐN\n\n"
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n\nQUYẾT NGHỊ:\n\n"
            "Điều 1. Mục tiêu\n\n1. Tăng trưởng.\n\nĐiều 2. Tổ chức thực hiện\n")
    ct = clean(text)
    h = parse_header(ct)
    assert h.type == "Nghị quyết" and h.identifier == "29/NQ-HĐND" and h.type_code == "NQ"
    assert h.title == "VỀ MỤC TIÊU, NHIỆM VỤ KẾ HOẠCH NĂM 2023"
    assert h.issuer == "HỘI ĐỒNG NHÂN DÂN TỈNH CAO BẰNG"
    assert h.date == "2022-12-10" and h.place == "Cao Bằng"
    assert [s.label for s in parse_sections(ct)] == ["Điều 1", "Điều 1.1", "Điều 2"]


def test_type_from_symbol_when_type_line_missing_and_invalid_date():
    h = _header("Số: 7/TB-UBND\nĐà Nẵng, ngày 31 tháng 02 năm 2024\nKết luận của Chủ tịch\n\nI. NỘI DUNG\nA.\n")
    assert h.type == "Thông báo" and h.type_code == "TB"
    assert h.identifier == "7/TB-UBND"
    assert h.date is None and h.date_partial == "2024-02"
    assert h.place == "Đà Nẵng"


def test_party_style_number():
    h = _header("ĐẢNG BỘ TỈNH CAO BẰNG\nBAN THƯỜNG VỤ TỈNH ỦY\n*\nSố 12-CT/TU\n\nĐẢNG CỘNG SẢN VIỆT NAM\n"
                "Cao Bằng, ngày 3 tháng 3 năm 2023\n\nCHỈ THỊ\nVề tăng cường công tác phòng cháy\n\nI. MỤC TIÊU\n")
    assert h.identifier == "12-CT/TU" and h.symbol == "CT/TU"
    assert h.type == "Chỉ thị" and h.date == "2023-03-03"
    assert h.issuer == "BAN THƯỜNG VỤ TỈNH ỦY"
    assert h.title == "Về tăng cường công tác phòng cháy"


def test_opening_statement_skips_the_cited_agency():
    # no closing sentence: the author is the agency that "báo cáo ... như sau", not "của UBND tỉnh ..."
    text = ("Thực hiện Công văn số 12/UBND-KT ngày 02/01/2024 của UBND tỉnh Cao Bằng, UBND huyện Hà Quảng "
            "báo cáo kết quả thực hiện nhiệm vụ năm 2024 như sau:\n"
            "I. KẾT QUẢ\nNội dung.\nII. KIẾN NGHỊ\nKhông.\n")
    ct = clean(text)
    h = parse_header(ct)
    assert h.issuer == "UBND huyện Hà Quảng"
    s, e = h.spans["issuer"]
    assert text[s:e] == "UBND huyện Hà Quảng"
    assert h.type is None and h.incomplete is True     # nothing says what it is: left open
    assert [s.label for s in parse_sections(ct)] == ["I", "II"]


def test_plan_title_does_not_swallow_the_first_sentence():
    text = ("Số: 45/KH-UBND\nLào Cai, ngày 02 tháng 3 năm 2024\nKẾ HOẠCH\n"
            "Thực hiện Chương trình chuyển đổi số năm 2024\n"
            "Thực hiện Quyết định số 1/QĐ-TTg ngày 02/01/2024 của Thủ tướng Chính phủ, UBND tỉnh ban hành "
            "Kế hoạch như sau:\n"
            "Phần thứ nhất. Mục đích, yêu cầu\n1. Mục đích\nPhần thứ hai. Nhiệm vụ\n1. Nhiệm vụ chung\n")
    ct = clean(text)
    h = parse_header(ct)
    assert h.title == "Thực hiện Chương trình chuyển đổi số năm 2024"
    assert h.type == "Kế hoạch" and h.identifier == "45/KH-UBND" and h.date == "2024-03-02"
    secs = parse_sections(ct)
    assert [(s.label, s.kind, s.level) for s in secs] == [
        ("Phần 1", "part", 1), ("Phần 1.1", "arabic", 2), ("Phần 2", "part", 1), ("Phần 2.1", "arabic", 2)]
    assert secs[0].heading == "Phần thứ nhất. Mục đích, yêu cầu"


def test_running_text_is_not_a_part():
    text = ("I. KẾT QUẢ\nPhần thứ hai của báo cáo nêu nhiệm vụ.\nV.v. các nội dung khác\n"
            "5. Một dòng số lẻ không phải mục\n1. Mục thật\n")
    secs = parse_sections(clean(text))
    assert [s.label for s in secs] == ["I", "I.1"]


def test_capital_letter_parts_and_slash_numbering():
    text = ("A. TÌNH HÌNH THỰC HIỆN NĂM 2023\nI/ KẾT QUẢ\n1/ Về kinh tế\na/ Nông nghiệp\nb/ Công nghiệp\n"
            "2/ Về xã hội\nB. KẾ HOẠCH NĂM 2024\nI/ MỤC TIÊU\nNội dung, tỷ lệ 12/2023 đạt.\n")
    secs = parse_sections(clean(text))
    assert [(s.label, s.kind, s.level) for s in secs] == [
        ("A", "part", 1), ("A.I", "roman", 2), ("A.I.1", "arabic", 3), ("A.I.1.a", "letter", 4),
        ("A.I.1.b", "letter", 4), ("A.I.2", "arabic", 3), ("B", "part", 1), ("B.I", "roman", 2)]
