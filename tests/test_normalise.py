"""The normalise stage: decoding, cleaning, footnote lifting and the offset map."""
from __future__ import annotations

import unicodedata

import pytest

from kg_builder.errors import InputError
from kg_builder.normalise import clean, decode


def _read(path):
    return decode(path.read_bytes(), str(path))


@pytest.fixture(scope="module")
def cleaned(corpus_paths):
    return {p.name: clean(_read(p)) for p in corpus_paths}


def test_decode_matches_python_text_mode(corpus_paths):
    for p in corpus_paths:
        assert _read(p) == p.read_text(encoding="utf-8")


def test_offset_map_points_at_the_same_characters(cleaned):
    for name, ct in cleaned.items():
        assert len(ct.offsets) == len(ct.text) + 1
        for i, ch in enumerate(ct.text):
            o = ct.offsets[i]
            if ch in " \n-":      # synthetic separators and folded dashes
                continue
            assert ct.original[o] == ch, (name, i)


def test_footnote_block_is_lifted_and_paragraph_rejoined(corpus_paths):
    """000: "...các Nghị quyết đã được kỳ họp thứ" / footnotes ¹ ² / "14, 15 và 16 HĐND tỉnh thông qua."."""
    p = next(p for p in corpus_paths if "2023-q1" in p.name)
    ct = clean(_read(p))
    body = ct.text[:ct.body_end]
    assert "các Nghị quyết đã được kỳ họp thứ 14, 15 và 16 HĐND tỉnh thông qua." in body
    # the footnote text is no longer inside the body but after it
    assert "Gồm dự thảo Chương trình hành động" not in body
    assert "Gồm dự thảo Chương trình hành động" in ct.text[ct.body_end:]
    # every footnote found has its anchor (a superscript marker in the body), before its text
    labels = [f.label for f in ct.footnotes]
    assert labels[:3] == ["1", "2", "3"]
    assert all(f.anchor is not None and f.anchor < f.start for f in ct.footnotes)
    # footnote spans quote the original
    fn1 = ct.footnotes[0]
    assert ct.original[fn1.start:fn1.end].startswith("Gồm dự thảo")
    assert ct.text[fn1.clean_start:fn1.clean_end] == ct.original[fn1.start:fn1.end]


def test_rejoined_span_maps_back_across_the_footnote_block(corpus_paths):
    p = next(p for p in corpus_paths if "2023-q1" in p.name)
    ct = clean(_read(p))
    i = ct.text.index("kỳ họp thứ 14, 15")
    s, e = ct.to_original(i, i + len("kỳ họp thứ 14, 15"))
    quoted = ct.original[s:e]
    assert quoted.startswith("kỳ họp thứ") and quoted.endswith("14, 15")
    assert "¹" in quoted          # the original span covers the footnote block in between


def test_bracket_footnotes_at_the_end(corpus_paths):
    p = next(p for p in corpus_paths if "2024-h1" in p.name)
    ct = clean(_read(p))
    assert [f.label for f in ct.footnotes][:3] == ["1", "2", "3"]
    assert "[1]" not in ct.text[:ct.body_end]
    assert ct.footnotes[0].anchor is not None
    assert ct.original[ct.footnotes[0].anchor:ct.footnotes[0].anchor + 3] == "[1]"


def test_web_junk_lines_and_markdown_marks_removed(corpus_paths):
    qd = next(p for p in corpus_paths if "qd-79" in p.name)
    ct = clean(_read(qd))
    assert "Đang tải nội dung" not in ct.text
    assert "Đang tải nội dung" in ct.original
    city = next(p for p in corpus_paths if "tp-lang-son" in p.name)
    ct = clean(_read(city))
    assert "**" in ct.original and "**" not in ct.text


def test_crlf_and_nfd_give_the_same_clean_text(corpus_paths):
    p = next(p for p in corpus_paths if "2022-01" in p.name)
    text = _read(p)
    base = clean(text).text
    crlf = decode(text.replace("\n", "\r\n").encode("utf-8"))
    assert clean(crlf).text == base
    nfd = unicodedata.normalize("NFD", text)
    ct = clean(nfd)
    assert ct.text == base
    # offsets point into the NFD original: each clean character is the NFC of its cluster
    i = ct.text.index("Nghị quyết")
    s, e = ct.to_original(i, i + len("Nghị quyết"))
    assert unicodedata.normalize("NFC", nfd[s:e]) == "Nghị quyết"


def test_superscript_runs_split_by_sequence():
    text = "Câu một¹. Câu hai²³. Câu ba⁴.\n\n¹ Một.\n\n² Hai.\n\n³ Ba.\n\n⁴ Bốn.\n"
    ct = clean(text)
    anchors = {f.label: f.anchor for f in ct.footnotes}
    assert anchors["2"] == anchors["3"] == text.index("²")
    assert anchors["4"] == text.index("⁴")


@pytest.mark.parametrize("data, msg", [
    (b"", "empty"),
    (b"   \n\t\n", "white space"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_decode_rejects_unusable_input(data, msg):
    with pytest.raises(InputError, match=msg):
        decode(data, "x.txt")


def test_decode_utf16_and_bom():
    text = "Căn cứ Nghị quyết số 01/NQ-CP"
    assert decode(text.encode("utf-16")) == text
    assert decode("\ufeff".encode("utf-8") + text.encode("utf-8")) == "\ufeff" + text
    assert clean("\ufeff" + text).text.startswith("Căn cứ")


def test_span_end_keeps_trailing_combining_marks():
    nfd = unicodedata.normalize("NFD", "của Chính phủ về")
    ct = clean(nfd)
    i = ct.text.index("phủ")
    s, e = ct.to_original(i, i + len("phủ"))
    assert nfd[s:e] == unicodedata.normalize("NFD", "phủ")
