"""Stage 1 — normalise: decode bytes, and build the cleaned text used for matching.

The cleaned text (`CleanText.text`) differs from the original in ways that help
the recognisers, while `CleanText.offsets` maps every cleaned character back to
the original (the span-updater idea of eyecite):
- Unicode NFC (NFD input gives the same cleaned text), NBSP and odd dashes folded;
- BOM, zero-width characters, markdown `**`/`*` emphasis marks removed;
- web-page junk lines (data/vocab/junk_lines.txt) removed;
- footnote markers (¹²³, [1]) removed from the body; footnote texts lifted out of
  the body and appended after it, so that a paragraph cut by a footnote block at a
  page break reads as one paragraph again.
"""
from __future__ import annotations

import codecs
import re
from array import array
import unicodedata
from functools import lru_cache

from .errors import InputError
from .models import CleanText, Footnote
from .resources import data_path

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = {ord(c): str(i) for i, c in enumerate(SUPERSCRIPT_DIGITS)}

# Characters dropped from the cleaned text.
_DROP = {"\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad"}
# One-to-one folds (keep offsets simple).
_FOLD = {"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
         # look-alikes typed for Đ/đ by legacy keyboards and PDF fonts (Icelandic eth, D with stroke)
         "\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ"}

_FN_LINE_SUP = re.compile(rf"^[ \t]*([{SUPERSCRIPT_DIGITS}]+)[ \t]*(?=\S)")
_FN_LINE_BRACKET = re.compile(r"^[ \t]*\[(\d{1,3})\][ \t]*(?=\S)")
_MARK_SUP = re.compile(rf"[{SUPERSCRIPT_DIGITS}]+")
_MARK_BRACKET = re.compile(r"\[(\d{1,3})\]")
_EMPHASIS = re.compile(r"\*\*+|(?<=\S)\*(?=[\s.,;:!?)]|$)|(?<![\S])\*(?=\S)")
_SENTENCE_END = re.compile(r"[.:;!?…”\"')]\s*$")
_CONTINUATION_START = re.compile(r"^[\s\"“(]*[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ0-9,;]")


# Signatures of common binary formats, to name them in the error message.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.odt)"), (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an MS Office file (.doc/.xls)"),
    (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"\x7fELF", "an executable"), (b"MZ", "a Windows executable"),
)
# Letters/marks that only a Vietnamese reading of cp1258 produces (ă đ ơ ư, tone marks).
_CP1258_VIETNAMESE = re.compile("[ĂăĐđƠơƯư\u0300\u0301\u0303\u0309\u0323₫]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, source: str = "<input>", html: bool = True) -> str:
    """Decode a text file's bytes the way Python's text mode does for UTF-8.

    UTF-8 with or without BOM (the BOM stays as U+FEFF so that offsets agree with
    `open(path, encoding="utf-8").read()`), UTF-16/32 with a BOM or detected from the
    pattern of NUL bytes, and legacy Vietnamese code pages (cp1258) or cp1252 when the
    bytes are not UTF-8 but read as text in them. Newlines are translated to "\\n"
    (universal newlines). An HTML page is turned into text with `strip_html` (same
    length, so offsets still point into the page) unless `html=False`.
    Raises InputError (one line naming the problem) for empty, white-space-only,
    binary, damaged UTF-8 or undecodable input.
    """
    if not data:
        raise InputError(f"{source}: the file is empty")
    text = _decode_bytes(data, source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip("\ufeff \n\t\f\v\u00a0\u200b"):
        raise InputError(f"{source}: the file holds only white space")
    controls = len(_CONTROL.findall(text, 0, 100_000))
    if controls > max(8, min(len(text), 100_000) // 200):
        raise InputError(f"{source}: binary data ({controls} control characters), not a text document")
    if html and looks_like_html(text):
        text = strip_html(text)
        if not text.strip("\ufeff \n\t\f\v\u00a0\u200b"):
            raise InputError(f"{source}: an HTML page without any text")
    return text


def _decode_bytes(data: bytes, source: str) -> str:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{source}: binary file ({what}), not a text document")
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: starts with a {enc.upper()} byte-order mark but is not valid "
                                 f"{enc.upper()} (bad data at byte {exc.start})") from None
    head = data[:4096]
    if b"\x00" in head:
        enc = _utf16_without_bom(head)
        if enc:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                pass
        raise InputError(f"{source}: binary data (NUL bytes), not a text document")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _decode_legacy(data, source, exc)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit regularly on one side of each byte pair."""
    n = len(head) // 2 * 2
    if n < 4:
        return None
    even = head[0:n:2].count(0)
    odd = head[1:n:2].count(0)
    pairs = n // 2
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes, source: str, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    where = f"byte 0x{data[exc.start]:02X} at offset {exc.start}, line {line}"
    # Mostly valid multi-byte UTF-8 with a few bad bytes: a damaged UTF-8 file, not a code page.
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    multibyte = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad
    if multibyte >= 2 * bad:
        raise InputError(f"{source}: damaged UTF-8 ({bad} invalid byte(s), first {where}); "
                         "re-save the file as UTF-8")
    try:
        text = data.decode("cp1258")
        if _CP1258_VIETNAMESE.search(text):
            return text          # Vietnamese in the Windows-1258 code page
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    raise InputError(f"{source}: not UTF-8 (invalid {where}), and not Windows-1258/1252 text either; "
                     "convert it to UTF-8")


# --- HTML -----------------------------------------------------------------------

_HTML_START = re.compile(r"\A[\ufeff\s]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
                         re.IGNORECASE | re.DOTALL)
_HTML_DROP = re.compile(r"<(script|style|head|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->",
                        re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*>|<![^>]*>|<\?[^>]*>", re.DOTALL)
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_BLOCK = frozenset(
    "p div br li ul ol tr table thead tbody tfoot h1 h2 h3 h4 h5 h6 title section article header footer "
    "nav aside main blockquote pre hr body html dl dt dd figure figcaption caption form address".split())
_HTML_CELL = frozenset({"td", "th"})


def looks_like_html(text: str) -> bool:
    """True for an HTML page (starts with <!DOCTYPE html> or <html>)."""
    return bool(_HTML_START.match(text[:4096]))


def _blank(s: str, fill: str = " ") -> str:
    """Same length, newlines kept, everything else `fill`."""
    return "".join("\n" if c == "\n" else fill for c in s)


def strip_html(text: str) -> str:
    """The text of an HTML page, at the same offsets as in the page.

    Markup is replaced by padding of the same length (newlines inside tags kept), so
    every character offset and line of the result is the offset and line of the page:
    block tags (p, div, br, tr, h1 …) become a line break, table cells a space, inline
    tags inside a word zero-width spaces (which the clean stage drops), other tags
    spaces; script/style/head/comments are blanked; an entity becomes its character
    followed by zero-width spaces.
    """
    import html as _html

    text = _HTML_DROP.sub(lambda m: _blank(m.group(0)), text)

    def tag(m: re.Match[str]) -> str:
        s = m.group(0)
        name = (m.group(2) or "").lower()
        if name in _HTML_BLOCK:
            if "\n" in s:
                return _blank(s)
            return "\n" + " " * (len(s) - 1)
        if name in _HTML_CELL or not name:
            return _blank(s)
        a, b = m.start(), m.end()
        inside_word = (a > 0 and text[a - 1].isalnum()) and (b < len(text) and text[b].isalnum())
        return _blank(s, "\u200b" if inside_word and "\n" not in s else " ")

    text = _HTML_TAG.sub(tag, text)

    def entity(m: re.Match[str]) -> str:
        s = m.group(0)
        ch = _html.unescape(s)
        if ch == s or len(ch) != 1:
            return s
        if ch.isspace():
            return " " * len(s)
        return ch + "\u200b" * (len(s) - 1)

    return _HTML_ENTITY.sub(entity, text)


@lru_cache(maxsize=1)
def _junk_patterns() -> tuple[re.Pattern[str], ...]:
    pats = []
    for line in data_path("vocab", "junk_lines.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            pats.append(re.compile(rf"(?:{line})", re.IGNORECASE))
    return tuple(pats)


def is_junk_line(line: str) -> bool:
    s = unicodedata.normalize("NFC", line).strip().strip("\ufeff")
    return bool(s) and any(p.fullmatch(s) for p in _junk_patterns())


def _combining_class_pattern() -> re.Pattern[str]:
    """Characters with a non-zero combining class (BMP), or dropped/folded by the cleaner."""
    marks = [chr(c) for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))]
    special = sorted(_DROP | set(_FOLD))
    return re.compile("[" + "".join(re.escape(c) for c in marks + special) + "]")


_NEEDS_CLUSTERING = _combining_class_pattern()


class _Builder:
    """Accumulates cleaned characters with their original offsets.

    Text is kept as pieces and offsets in a compact array, and a run of text that
    needs no folding (already NFC, no combining marks, nothing to drop or fold) is
    copied in one step, so cleaning is linear with a small constant and memory stays
    about 8 bytes per character even for very large files.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offs = array("q")

    def add(self, text: str, start: int) -> None:
        """Append original text[start:start+len] after per-character folding and NFC."""
        if not _NEEDS_CLUSTERING.search(text) and unicodedata.is_normalized("NFC", text):
            if text:
                self.parts.append(text)
                self.offs.extend(range(start, start + len(text)))
            return
        i = 0
        n = len(text)
        while i < n:
            # a cluster: one starter plus the combining marks after it
            j = i + 1
            while j < n and unicodedata.combining(text[j]):
                j += 1
            cluster = text[i:j]
            if cluster in _DROP:
                i = j
                continue
            cluster = _FOLD.get(cluster, cluster)
            for ch in unicodedata.normalize("NFC", cluster):
                self.parts.append(ch)
                self.offs.append(start + i)
            i = j

    def add_synthetic(self, text: str, at: int) -> None:
        for ch in text:
            self.parts.append(ch)
            self.offs.append(at)

    def rstrip_to(self, at: int) -> None:
        while self.parts:
            last = self.parts[-1]
            kept = last.rstrip(" \n")
            if kept == last:
                break
            for _ in range(len(last) - len(kept)):
                self.offs.pop()
            if kept:
                self.parts[-1] = kept
                break
            self.parts.pop()

    def tail(self, k: int = 200) -> str:
        out: list[str] = []
        n = 0
        for piece in reversed(self.parts):
            out.append(piece)
            n += len(piece)
            if n >= k:
                break
        return "".join(reversed(out))[-k:]

    def text(self) -> str:
        return "".join(self.parts)

    def __len__(self) -> int:
        return len(self.offs)


def _strip_marks(line: str) -> list[tuple[int, int]]:
    """Spans (within the line) to drop: emphasis marks and footnote markers."""
    spans = [m.span() for m in _EMPHASIS.finditer(line)]
    for m in _MARK_SUP.finditer(line):
        spans.append(m.span())
    for m in _MARK_BRACKET.finditer(line):
        spans.append(m.span())
    spans.sort()
    return spans


def _add_line(b: _Builder, line: str, line_start: int, anchors: list[tuple[str, int]]) -> None:
    pos = 0
    for s, e in _strip_marks(line):
        if s < pos:
            continue
        b.add(line[pos:s], line_start + pos)
        mark = line[s:e]
        if mark[0] in SUPERSCRIPT_DIGITS:
            # "³⁴" is two markers when both labels are plausible; keep the whole run as one anchor list
            anchors.append((mark.translate(_SUP_TO_DIGIT), line_start + s))
        elif mark.startswith("["):
            anchors.append((mark[1:-1], line_start + s))
        pos = e
    b.add(line[pos:], line_start + pos)


def _assign_anchors(anchors: list[tuple[str, int]]) -> dict[str, int]:
    """Label -> body offset. Markers run in sequence, so a run "³⁴" after note 2 is
    notes 3 and 4, while the same run after note 33 is note 34."""
    out: dict[str, int] = {}
    expected = 1
    for label, at in anchors:
        n = int(label)
        if n != expected and len(label) > 1:
            split = _split_consecutive(label, expected)
            if split:
                for part in split:
                    out.setdefault(part, at)
                expected = int(split[-1]) + 1
                continue
        out.setdefault(label, at)
        expected = n + 1
    return out


def _split_consecutive(label: str, expected: int) -> list[str] | None:
    parts: list[str] = []
    rest = label
    k = expected
    while rest:
        s = str(k)
        if not rest.startswith(s):
            return None
        parts.append(s)
        rest = rest[len(s):]
        k += 1
    return parts if len(parts) > 1 else None


def clean(original: str) -> CleanText:
    """Build the cleaned text and its offset map (see module docstring)."""
    lines: list[tuple[str, int]] = []
    pos = 0
    for raw in original.split("\n"):
        lines.append((raw, pos))
        pos += len(raw) + 1

    body = _Builder()
    anchors: list[tuple[str, int]] = []
    pending_notes: list[tuple[str, str, int]] = []   # (label, text, start)
    notes: list[tuple[str, str, int]] = []
    last_body_line = ""
    i = 0
    while i < len(lines):
        text, start = lines[i]
        if is_junk_line(text):
            i += 1
            continue
        m = _FN_LINE_SUP.match(text) or _FN_LINE_BRACKET.match(text)
        if m:
            label = m.group(1).translate(_SUP_TO_DIGIT)
            pending_notes.append((label, text[m.end():], start + m.end()))
            i += 1
            continue
        if not text.strip():
            if len(body) and not pending_notes:
                body.add(text, start)
                body.add_synthetic("\n", start + len(text))
            i += 1
            continue
        if pending_notes:
            # a footnote block sat between the previous body line and this one:
            # rejoin the paragraph when the previous line stops mid-sentence and this
            # one carries on in lower case
            prev = last_body_line.rstrip()
            if prev and not _SENTENCE_END.search(prev) and _CONTINUATION_START.match(text):
                body.rstrip_to(start)
                body.add_synthetic(" ", start)
            elif len(body) and body.tail(2) != "\n\n":
                body.add_synthetic("\n", start)
            notes.extend(pending_notes)
            pending_notes = []
        _add_line(body, text, start, anchors)
        body.add_synthetic("\n", start + len(text))
        last_body_line = text
        i += 1
    notes.extend(pending_notes)

    body_end = len(body)
    footnotes: list[Footnote] = []
    anchor_by_label = _assign_anchors(anchors)
    for label, text, start in notes:
        body.add_synthetic("\n", start)
        cs = len(body)
        fn_marks: list[tuple[str, int]] = []
        _add_line(body, text, start, fn_marks)
        ce = len(body)
        body.add_synthetic("\n", start + len(text))
        footnotes.append(Footnote(label=label, start=start, end=start + len(text),
                                  anchor=anchor_by_label.get(label), clean_start=cs, clean_end=ce))
    offsets = body.offs
    offsets.append(len(original))
    return CleanText(original=original, text=body.text(), offsets=offsets,
                     footnotes=footnotes, body_end=body_end)
