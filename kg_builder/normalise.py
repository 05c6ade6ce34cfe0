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
         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-"}

_FN_LINE_SUP = re.compile(rf"^[ \t]*([{SUPERSCRIPT_DIGITS}]+)[ \t]*(?=\S)")
_FN_LINE_BRACKET = re.compile(r"^[ \t]*\[(\d{1,3})\][ \t]*(?=\S)")
_MARK_SUP = re.compile(rf"[{SUPERSCRIPT_DIGITS}]+")
_MARK_BRACKET = re.compile(r"\[(\d{1,3})\]")
_EMPHASIS = re.compile(r"\*\*+|(?<=\S)\*(?=[\s.,;:!?)]|$)|(?<![\S])\*(?=\S)")
_SENTENCE_END = re.compile(r"[.:;!?…”\"')]\s*$")
_CONTINUATION_START = re.compile(r"^[\s\"“(]*[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ0-9,;]")


def decode(data: bytes, source: str = "<input>") -> str:
    """Decode a text file's bytes the way Python's text mode does for UTF-8.

    UTF-8 with or without BOM (the BOM stays as U+FEFF so that offsets agree with
    `open(path, encoding="utf-8").read()`), UTF-16 when it has a BOM, and legacy
    Vietnamese code pages (cp1258) or cp1252 when the bytes are not UTF-8 but look
    like text in them. Newlines are translated to "\\n" (universal newlines).
    """
    if not data.strip():
        raise InputError(f"{source}: the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:4096]:
            raise InputError(f"{source}: binary data (NUL bytes), not a text document")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_legacy(data, source, exc)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip("\ufeff \n\t"):
        raise InputError(f"{source}: the file holds only white space")
    return text


def _decode_legacy(data: bytes, source: str, exc: UnicodeDecodeError) -> str:
    for enc in ("cp1258", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
        if controls <= len(text) // 1000:
            return text
    raise InputError(
        f"{source}: not UTF-8 (invalid byte at offset {exc.start}) and not a recognised legacy encoding")


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


class _Builder:
    """Accumulates cleaned characters with their original offsets."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.offs: list[int] = []

    def add(self, text: str, start: int) -> None:
        """Append original text[start:start+len] after per-character folding and NFC."""
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
                self.chars.append(ch)
                self.offs.append(start + i)
            i = j

    def add_synthetic(self, text: str, at: int) -> None:
        for ch in text:
            self.chars.append(ch)
            self.offs.append(at)

    def rstrip_to(self, at: int) -> None:
        while self.chars and self.chars[-1] in " \n":
            self.chars.pop()
            self.offs.pop()

    def tail(self, k: int = 200) -> str:
        return "".join(self.chars[-k:])

    def __len__(self) -> int:
        return len(self.chars)


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
    offsets = body.offs + [len(original)]
    return CleanText(original=original, text="".join(body.chars), offsets=offsets,
                     footnotes=footnotes, body_end=body_end)
