"""Bad input never crashes the tool nor leaves partial output: decoding (empty, binary, UTF-16,
Windows-1258/1252, damaged UTF-8, NFD, CRLF, HTML), odd texts (very long lines, malformed
identifiers, impossible dates), file-system problems (missing paths, broken links, unreadable
files, unwritable outputs), a very large file, Ctrl-C during a build, and random / mutated corpus
text fed to the extractor (hypothesis)."""
from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_builder.errors import InputError
from kg_builder.normalise import decode, looks_like_html, strip_html
from kg_builder.pipeline import extract_text, read_source

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
FIX = ROOT / "tests" / "fixtures" / "validate"


def _corpus(name_part: str) -> str:
    p = next(p for p in sorted(RAW.glob("*.txt")) if name_part in p.name)
    return p.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def qd79() -> str:
    return _corpus("qd-79")


@pytest.fixture(scope="module")
def excerpt(qd79) -> str:
    """The header and the first legal bases of Quyết định 79/QĐ-UBND (several citations)."""
    end = qd79.index("\n", qd79.index("Căn cứ Nghị quyết số 01/NQ-CP"))
    return qd79[:end + 1]


def _idents(doc) -> list[str | None]:
    return [c.identifier for c in doc.citations]


def _assert_spans_quote(doc, original: str) -> None:
    for c in doc.citations:
        assert 0 <= c.start <= c.end <= len(original)
        assert c.surface == original[c.start:c.end]
        if c.date is not None:
            dt.date.fromisoformat(c.date)
    for s in doc.sections:
        assert 0 <= s.start <= s.end <= len(original)
    for name, (a, b) in doc.header.spans.items():
        assert 0 <= a <= b <= len(original), name


# --- decoding ------------------------------------------------------------------------------

@pytest.mark.parametrize("data, words", [
    (b"", ["empty"]),
    (b"   \r\n\t\n  ", ["white space"]),
    (codecs.BOM_UTF8 + b" \n\xc2\xa0\n", ["white space"]),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", ["binary", "PNG"]),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", ["binary", "PDF"]),
    (b"\x7fELF\x02\x01\x01\x00", ["binary"]),
    (bytes(range(256)) * 8, ["binary"]),
    (b"abc \x81\x8d\x8f\x90\x9d def\n", ["not UTF-8", "offset 4", "Windows-1258"]),
])
def test_unusable_bytes_give_one_clear_line(data, words):
    with pytest.raises(InputError) as exc:
        decode(data, "x.txt")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("x.txt: ")
    for w in words:
        assert w in msg


def test_zip_archive_is_named():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("doc.txt", "Số: 79/QĐ-UBND")
    with pytest.raises(InputError, match="ZIP"):
        decode(buf.getvalue(), "a.docx")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(excerpt, encoding):
    data = excerpt.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):      # no byte-order mark: told by the NUL bytes
        assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    assert decode(data) == excerpt


def _cp1258(text: str) -> bytes:
    """Vietnamese text in Windows-1258: base letters (with ă â ê ô ơ ư đ) + combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in "\u0300\u0301\u0303\u0309\u0323"))
        tone = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_windows_1258_vietnamese(excerpt):
    data = _cp1258(excerpt)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = decode(data, "legacy.txt")
    assert unicodedata.normalize("NFC", text) == unicodedata.normalize("NFC", excerpt)
    doc, ref = extract_text(text), extract_text(excerpt)
    assert _idents(doc) == _idents(ref) and "01/NQ-CP" in _idents(doc)
    _assert_spans_quote(doc, text)


def test_windows_1252_text():
    text = "Bao cao so 12/BC-UBND – “Café” ½ €\n"
    assert decode(text.encode("cp1252")) == text


def test_damaged_utf8_is_reported_with_its_place(excerpt):
    data = bytearray(excerpt.encode("utf-8"))
    pos = len(data) // 2
    data[pos] = 0xFF
    with pytest.raises(InputError) as exc:
        decode(bytes(data), "broken.txt")
    msg = str(exc.value)
    assert "damaged UTF-8" in msg and f"offset {pos}" in msg
    line = bytes(data[:pos]).count(b"\n") + 1
    assert f"line {line}" in msg


def test_nfd_crlf_and_cr_give_the_same_citations(excerpt):
    ref = extract_text(excerpt)
    nfd = unicodedata.normalize("NFD", excerpt)
    for variant in (nfd, decode(excerpt.replace("\n", "\r\n").encode()), decode(excerpt.replace("\n", "\r").encode())):
        doc = extract_text(variant)
        assert _idents(doc) == _idents(ref)
        assert doc.header.identifier == ref.header.identifier == "79/QĐ-UBND"
        _assert_spans_quote(doc, variant)


# --- HTML ------------------------------------------------------------------------------------

def _as_html(text: str) -> str:
    paras = "".join(f"<p style=\"margin:0\">{line.replace('&', '&amp;').replace('Số:', 'S&#7889;:')}</p>\n"
                    for line in text.split("\n") if line.strip())
    return ("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Văn bản</title>"
            "<style>p { color: red; }</style><script>var x = '<p>Nghị quyết số 99/NQ-CP</p>';</script>"
            f"</head>\n<body><div class=\"content\">\n{paras}</div></body></html>\n")


def test_html_is_stripped_with_offsets_preserved(excerpt):
    page = _as_html(excerpt)
    assert looks_like_html(page)
    text = strip_html(page)
    assert len(text) == len(page) and text.count("\n") >= page.count("\n")
    assert "<p" not in text and "99/NQ-CP" not in text and "color" not in text
    doc = extract_text(decode(page.encode("utf-8"), "page.html"))
    ref = extract_text(excerpt)
    assert _idents(doc) == _idents(ref)
    assert doc.header.identifier == "79/QĐ-UBND"
    _assert_spans_quote(doc, text)
    # an offset of the stripped text is the same place in the page: the identifier is there
    c = next(c for c in doc.citations if c.identifier == "01/NQ-CP")
    assert "01/NQ-CP" in page[c.start:c.end]


def test_html_without_text_is_refused():
    with pytest.raises(InputError, match="HTML page without any text"):
        decode(b"<!DOCTYPE html><html><head><title>x</title></head><body><div> </div></body></html>")


def test_html_looking_text_is_left_alone():
    text = "Báo cáo: dùng thẻ <p> và <html> trong trang web.\n"
    assert decode(text.encode()) == text


# --- odd texts ---------------------------------------------------------------------------------

def test_extremely_long_line(qd79):
    one_line = qd79.replace("\n", " ")
    doc = extract_text(one_line)
    assert "01/NQ-CP" in _idents(doc)
    _assert_spans_quote(doc, one_line)


def test_malformed_identifiers_do_not_crash(excerpt):
    for junk in ("Số: ///BC", "Quyết định số /QĐ-", "Nghị quyết số 12//NQ-CP", "Số: 79/QĐ-UBND/QĐ-UBND/-/",
                 "Chỉ thị số 1-/TW", "Nghị định số 0000000000000000000000000/2099/NĐ-CP", "Số: -/-"):
        text = excerpt.replace("Số: 79/QĐ-UBND", junk, 1) + "\n" + junk + "\n"
        _assert_spans_quote(extract_text(text), text)


def test_recogniser_emits_only_calendar_dates(excerpt):
    """'ngày 31/02/2023', 'ngày 45/13/2023': reported by `kg validate`, never a bad ISO date."""
    text = excerpt.replace("ngày 06/01/2023", "ngày 31/02/2023").replace("ngày 19 tháng 01 năm 2023",
                                                                         "ngày 45 tháng 13 năm 2023")
    assert "31/02/2023" in text and "45 tháng 13" in text
    doc = extract_text(text)
    assert doc.header.date is None or dt.date.fromisoformat(doc.header.date)
    for c in doc.citations:
        assert c.date is None or dt.date.fromisoformat(c.date), c


# --- files and the command line ----------------------------------------------------------------

def _kg(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("KG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "kg_builder", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def test_missing_path_is_one_line_exit_2(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "nope.txt")
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="broken symbolic link"):
        read_source(link)
    r = _kg("extract", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "nope.txt" in r.stderr


@pytest.mark.parametrize("args", [("build", "--no-such-option", "x"), ("query", "--format", "yaml", "documents"),
                                  ("no-such-command",)])
def test_usage_errors_are_reported_without_traceback(tmp_path, args):
    r = _kg(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "error" in r.stderr.lower()


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    p = tmp_path / "locked.txt"
    p.write_text("Số: 1/BC-UBND\n", encoding="utf-8")

    def deny(self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(InputError, match="permission denied"):
        read_source(p)


def test_directory_with_bad_files_skips_them(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_bytes((FIX / "ok.txt").read_bytes())
    (d / "broken.txt").symlink_to(d / "missing.txt")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (d / "legacy.txt").write_bytes(b"abc \x81\x8d\x8f def\n")
    r = _kg("extract", str(d), "-f", "json", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert [line for line in r.stdout.splitlines() if line.strip()] and "good.txt" in r.stdout
    for name in ("broken.txt", "binary.txt", "legacy.txt"):
        assert name in r.stderr
    out = tmp_path / "out"
    b = _kg("build", str(d), "-o", str(out), "-f", "json", cwd=tmp_path)
    assert b.returncode == 2 and "Traceback" not in b.stderr
    assert (out / "graph.trig").exists()
    assert "binary.txt" in b.stderr and "broken.txt" in b.stderr


def test_validate_reports_unreadable_inputs(tmp_path):
    from kg_builder import validate as V

    png = tmp_path / "scan.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    page = tmp_path / "page.html"
    page.write_text(_as_html((FIX / "ok.txt").read_text(encoding="utf-8")), encoding="utf-8")
    reports = V.validate_files([png, page, tmp_path / "none.txt"], existing=V._EmptyGraph())
    by = {Path(r.source).name: r for r in reports}
    assert "PNG" in by["scan.txt"].error and by["none.txt"].error
    html = by["page.html"]
    assert html.error is None and html.document["identifier"] == "583/BC-UBND"
    # line:column point into the page itself
    raw = page.read_text(encoding="utf-8").split("\n")
    f = next(f for f in html.findings if f.check == "UnknownReference" and f.value == "01/NQ-CP")
    assert "01/NQ-CP" in raw[f.line - 1][f.column - 1:]
    assert V.exit_code(reports) == 2


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_unwritable_output_is_one_line_and_leaves_nothing(tmp_path, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("I am a file\n")
    out = blocker / "sub" if where == "under-a-file" else Path("/proc/kg-test-output")
    r = _kg("build", str(FIX / "ok.txt"), "-o", str(out), cwd=tmp_path)
    assert r.returncode != 0
    err = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("error:") and "Traceback" not in r.stderr
    assert blocker.read_text() == "I am a file\n"
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]     # no store, no temp files


def test_ctrl_c_during_build_keeps_the_previous_build(tmp_path):
    out = tmp_path / "build"
    first = _kg("build", str(FIX / "ok.txt"), "-o", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # a job started in the background by a shell ignores SIGINT, and so would the build: restore it
    proc = subprocess.Popen([sys.executable, "-m", "kg_builder", "build", str(RAW), "-o", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(3.0)           # imports done, extraction of the corpus under way
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "Traceback" not in stderr
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before        # byte-identical, no temporary files left behind


# --- a very large file ---------------------------------------------------------------------------

LARGE_MB = float(os.environ.get("KG_TEST_LARGE_MB", "50"))


def test_very_large_file_bounded_memory(tmp_path):
    """A LARGE_MB file of corpus text through decode, clean, header, sections and citations, in a
    child process (its peak memory measured): it finishes, with memory linear in the size.
    The indicator and task stages (pipeline.EXTRA_STAGES) are left out here: they are not yet
    linear on huge inputs (see bench/validate_bench.py for figures)."""
    raw = "".join(p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))) + "\n"
    unit = raw.encode("utf-8")
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        for _ in range(int(LARGE_MB * 1024 * 1024 // len(unit)) + 1):
            fh.write(unit)
    size = big.stat().st_size
    code = (
        "import json, resource, sys\n"
        "from kg_builder import pipeline\n"
        "pipeline.EXTRA_STAGES[:] = []\n"
        f"doc = pipeline.extract_file({str(big)!r})\n"
        "text = doc.text.original\n"
        "assert all(c.surface == text[c.start:c.end] for c in doc.citations)\n"
        "print(json.dumps({'citations': len(doc.citations), 'sections': len(doc.sections),"
        " 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=1800)
    assert r.returncode == 0, r.stderr[-2000:]
    import json
    res = json.loads(r.stdout.strip().splitlines()[-1])
    copies = size // len(unit)
    assert res["citations"] >= copies * 300
    # the text is held a few times (bytes, original, cleaned text, 8-byte offsets): ~25 bytes/char
    assert res["rss"] < 400 * 1024 * 1024 + 30 * size


# --- random and mutated corpus text (hypothesis) --------------------------------------------------

_CORPUS = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
_TOKENS = ["Số: ", "/", "-", "\n", "\n\n", "\r\n", "\ufeff", "¹", "²³", "[12]", "**", "*", "Nghị quyết số ",
           "Quyết định số 79/QĐ-UBND", "ngày 31/02/2023", "ngày 45 tháng 13 năm 2023", " tháng ", " năm ",
           "Căn cứ ", "của Chính phủ", "I. ", "II. ", "1. ", "a) ", "- ", "Điều 1. ", "\u0301", "\u00a0",
           "\u200b", "<p>", "&amp;", "(", ")", "“", "”", "0", "2023", "NQ-CP", "11-NQ/TW", "Phần thứ nhất\n"]


@st.composite
def mutated_corpus(draw):
    text = draw(st.sampled_from(_CORPUS))
    start = draw(st.integers(0, max(0, len(text) - 200)))
    text = text[start:start + draw(st.integers(50, 4000))]
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "swapcase", "nfd"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            ins = draw(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=8)))
            text = text[:pos] + ins + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        elif op == "duplicate":
            text = text[:pos] + text[pos:pos + 80] + text[pos:]
        elif op == "swapcase":
            text = text[:pos] + text[pos:pos + 60].swapcase() + text[pos + 60:]
        else:
            text = text[:pos] + unicodedata.normalize("NFD", text[pos:pos + 200]) + text[pos + 200:]
    return text


def _linear_section_at(doc, pos):
    best = None
    for s in doc.sections:
        if s.start <= pos < s.end and (best is None or s.level >= best.level):
            best = s
    return best


def _check_extraction(text: str) -> None:
    doc = extract_text(text, "random.txt")
    _assert_spans_quote(doc, text)
    for pos in range(0, len(text) + 1, max(1, len(text) // 50)):
        assert doc.section_at(pos) is _linear_section_at(doc, pos)
    for s in doc.sections:
        heading = (s.heading or "").split("\n")[0].strip()
        if not heading:
            continue
        norm = lambda x: re.sub(r"[\s*¹²³⁴⁵⁶⁷⁸⁹⁰\u200b\ufeff]+", "", unicodedata.normalize("NFC", x))  # noqa: E731
        assert norm(heading)[:12] in norm(text[s.start:s.end]), (s, text[s.start:s.start + 80])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_corpus())
def test_mutated_corpus_text_never_breaks_the_extractor(text):
    _check_extraction(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=1500))
def test_random_text_never_breaks_the_extractor(text):
    _check_extraction(text)
