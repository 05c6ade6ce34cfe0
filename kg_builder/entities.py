"""Programmes, projects, schemes and places named in a document (issue 6).

Grammar in code, names in data:
- data/vocab/programmes.json — trigger words (Chương trình, Dự án, Đề án, cụm công
  nghiệp, tuyến cao tốc …), abbreviations (MTQG, KT-XH, QL …), stop phrases that end a
  name, generic names that are not entities, status words, and curated entities with
  aliases ("Chương trình MTQG …" = "Chương trình mục tiêu quốc gia …");
- data/vocab/places/*.json — one gazetteer per province (files starting with "_" are
  shared: _types.json holds the type words "huyện", "xã", "cửa khẩu" …).

`find_entities(doc)` returns EntityMention objects (one per mention, with its span,
comparison key, status words and the places in it); `find_places(doc)` returns
PlaceMention objects. `merge_entities(docs)` groups mentions of all documents into
Entity nodes: by curated id when a key matches a curated name or alias, otherwise by
token-set similarity of the comparison keys within the same kind.
All offsets are original offsets (CleanText.to_original).
"""
from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

from .models import CleanText, ExtractedDocument
from .resources import data_path

# ----------------------------------------------------------------------------- helpers

def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def is_upper_word(w: str) -> bool:
    w = w.lstrip("“\"'(")
    return bool(w) and (w[0].isupper() or w[0].isdigit())


def slugify(s: str, maxlen: int = 60) -> str:
    s = nfc(s).lower().replace("đ", "d")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > maxlen:
        h = hashlib.sha1(s.encode()).hexdigest()[:6]
        s = s[:maxlen].rstrip("-") + "-" + h
    return s or "x"


def clean_index(ct: CleanText, orig: int) -> int:
    """Clean offset of the first cleaned character at or after an original offset (body only)."""
    # bisect within bounds instead of slicing: O(log n), not O(n), per call (large files)
    hi = ct.body_end if ct.body_end else len(ct.offsets) - 1
    return bisect.bisect_left(ct.offsets, orig, 0, hi)


def body_text(ct: CleanText) -> str:
    return ct.text[: ct.body_end] if ct.body_end else ct.text


def orig_span(ct: CleanText, s: int, e: int) -> tuple[int, int]:
    return ct.to_original(s, e)


_SENT_END = re.compile(r"(?<=[.!?;…])\s+(?=[\"“(]?[A-ZÀ-ÝĂÂĐÊÔƠƯẠ-Ỹ0-9-])|\n+")


@lru_cache(maxsize=4)
def _sentence_ends(text: str) -> list[int]:
    """End offsets of every sentence break of a text, in order (computed once per text)."""
    return [m.end() for m in _SENT_END.finditer(text)]


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """[start, end) of the sentence around pos (a sentence ends at . ! ? ; or a newline)."""
    # Same result as scanning text[:pos] from 0, in time linear in the sentence: breaks that end
    # before pos are found by bisection in the breaks of the whole text, and only the stretch
    # after the last of them is scanned with the text cut at pos.
    ends = _sentence_ends(text)
    k = bisect.bisect_left(ends, pos) - 1
    lo = ends[k] if k >= 0 else 0
    start = lo
    for m in _SENT_END.finditer(text, lo, pos):
        start = m.end()
    m = _SENT_END.search(text, pos)
    end = m.start() if m else len(text)
    return start, end


def clause_bounds(text: str, pos: int, end_pos: int | None = None) -> tuple[int, int]:
    """[start, end) of the clause around a span: between ; : or sentence ends."""
    s, e = sentence_bounds(text, pos)
    for m in re.finditer(r"[;:]\s", text[s:pos]):
        s2 = s + m.end()
        if s2 <= pos:
            start = s2
            s = start
    end_from = end_pos if end_pos is not None else pos
    m = re.search(r";\s|:\s", text[end_from:e])
    if m:
        e = end_from + m.start()
    return s, e


@lru_cache(maxsize=None)
def _load_json(*parts: str) -> Any:
    return json.loads(data_path(*parts).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- vocabulary

@dataclass
class Trigger:
    word: str
    kind: str
    capitalised_only: bool
    keep_trigger: bool


@dataclass
class CuratedEntity:
    id: str
    kind: str
    name: str
    name_en: str | None
    aliases: list[str]
    parent: str | None = None
    programme: str | None = None
    group: bool = False


class ProgrammeVocab:
    def __init__(self, data: dict) -> None:
        self.triggers: list[Trigger] = []
        for t in data["triggers"]:
            for w in t["words"]:
                self.triggers.append(Trigger(nfc(w).lower(), t["kind"], bool(t.get("capitalised_only")),
                                             bool(t.get("keep_trigger"))))
        self.triggers.sort(key=lambda t: -len(t.word))
        self.abbrev = [(re.compile(k), v) for k, v in data.get("abbreviations", {}).items()]
        self.qualifiers = [re.compile(p) for p in data.get("qualifier_patterns", [])]
        self.stops = [nfc(s).lower() for s in data.get("stop_phrases", [])]
        self.generic = {nfc(s).lower() for s in data.get("generic_names", [])}
        self.not_entities = [nfc(s).lower() for s in data.get("not_entities", [])]
        self.comma_cont = [nfc(s) for s in data.get("comma_continuations", [])]
        self.status_words = sorted(((nfc(k).lower(), v) for k, v in data.get("status_words", {}).items()),
                                   key=lambda kv: -len(kv[0]))
        self.entities: dict[str, CuratedEntity] = {}
        self.by_key: dict[tuple[str, str], str] = {}
        for e in data.get("entities", []):
            ce = CuratedEntity(e["id"], e["kind"], e["name"], e.get("name_en"), list(e.get("aliases", [])),
                               e.get("parent"), e.get("programme"), bool(e.get("group")))
            self.entities[ce.id] = ce
            for n in [ce.name, *ce.aliases]:
                self.by_key.setdefault((ce.kind, self.key(n, ce.kind)), ce.id)
        trig = "|".join(re.escape(t.word) for t in self.triggers)
        self.trigger_re = re.compile(rf"(?<![\wÀ-ỹ])(?:{trig})(?![\wÀ-ỹ])", re.IGNORECASE)

    def key(self, name: str, kind: str | None = None) -> str:
        """Comparison key: lower case, abbreviations expanded, qualifiers and punctuation dropped."""
        s = nfc(name).lower()
        s = s.replace("–", "-").replace("“", " ").replace("”", " ").replace('"', " ")
        for pat, rep in self.abbrev:
            s = pat.sub(rep, s)
        for pat in self.qualifiers:
            s = pat.sub(" ", s)
        # drop the kind word itself so "Dự án X" = "X"
        s = re.sub(r"\(\s*(mục tiêu quốc gia|[a-zđ]{2,6})\s*\)", " ", s)
        s = re.sub(r"^\s*(các\s+)?(tiểu dự án|dự án thành phần|dự án|đề án)\s+", "", s)
        s = re.sub(r"^\s*(tuyến|đường)\s+(?=cao tốc)", "", s)   # "tuyến/đường cao tốc X" = "cao tốc X"
        s = re.sub(r"\bđến\b|\bvới\b|\bđể\b|\bđoạn\b|\btheo hình thức\b", " ", s)
        s = re.sub(r"[^\w\s+]", " ", s)
        s = re.sub(r"\+", " ", s)
        return " ".join(s.split())

    def curated_for(self, kind: str, key: str) -> str | None:
        hit = self.by_key.get((kind, key))
        if hit:
            return hit
        if kind == "programme":
            # "Chương trình MTQG giảm nghèo bền vững năm 2023 tỉnh …" starts with a curated key
            best = None
            for (k, ck), cid in self.by_key.items():
                if k == kind and key.startswith(ck + " ") and (best is None or len(ck) > len(best[0])):
                    best = (ck, cid)
            if best and not self.entities[best[1]].group:
                return best[1]
        return None


@lru_cache(maxsize=1)
def programme_vocab() -> ProgrammeVocab:
    return ProgrammeVocab(_load_json("vocab", "programmes.json"))


# ----------------------------------------------------------------------------- places

@dataclass
class Place:
    id: str
    type: str
    name: str
    parent: str | None
    aliases: list[str]
    name_en: str | None = None
    gate_level: str | None = None

    def label(self, types: dict) -> str:
        return f"{types[self.type]['label_vi']} {self.name}"


@dataclass
class PlaceMention:
    place_id: str
    surface: str
    start: int
    end: int


class PlaceGazetteer:
    def __init__(self, types: dict, places: list[Place]) -> None:
        self.types = types
        self.places = {p.id: p for p in places}
        self.by_type_name: dict[tuple[str, str], list[str]] = {}
        for p in places:
            for n in [p.name, *p.aliases]:
                self.by_type_name.setdefault((p.type, nfc(n).lower()), []).append(p.id)
        words: list[tuple[str, str, bool]] = []
        for t, spec in types.items():
            for w in spec.get("words", []):
                words.append((nfc(w).lower(), t, False))
            for w in spec.get("plural", []):
                words.append((nfc(w).lower(), t, True))
        words.sort(key=lambda x: -len(x[0]))
        self.type_words = words
        alt = "|".join(re.escape(w) for w, _, _ in words)
        self.type_re = re.compile(rf"(?<![\wÀ-ỹ])({alt})(?=[\s:])", re.IGNORECASE)
        names = sorted({nfc(n) for p in places for n in [p.name, *p.aliases]}, key=len, reverse=True)
        self.name_re = re.compile(r"(" + "|".join(re.escape(n) for n in names) + r")(?![\wÀ-ỹ])") if names else None

    @classmethod
    def load(cls) -> "PlaceGazetteer":
        d = data_path("vocab", "places")
        types = json.loads((d / "_types.json").read_text(encoding="utf-8"))["types"]
        places: list[Place] = []
        for f in sorted(d.glob("*.json")):
            if f.name.startswith("_"):
                continue
            for p in json.loads(f.read_text(encoding="utf-8"))["places"]:
                places.append(Place(p["id"], p["type"], p["name"], p.get("parent"), list(p.get("aliases", [])),
                                    p.get("name_en"), p.get("gate_level")))
        return cls(types, places)

    def _lookup(self, type_: str, name: str, context_ids: Iterable[str] = ()) -> str | None:
        ids = self.by_type_name.get((type_, nfc(name).lower()))
        if not ids:
            return None
        if len(ids) == 1:
            return ids[0]
        ctx = set(context_ids)
        for i in ids:
            if self.places[i].parent in ctx:
                return i
        return None

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(place id, start, end) in a text: typed forms ("huyện Cao Lộc", "cửa khẩu Tân Thanh")
        and lists after a type word ("các huyện: Hữu Lũng, Bắc Sơn và Đình Lập")."""
        out: list[tuple[str, int, int]] = []
        if self.name_re is None:
            return out
        for m in self.type_re.finditer(text):
            tw = nfc(m.group(1)).lower()
            type_, plural = next((t, pl) for w, t, pl in self.type_words if w == tw)
            pos = m.end()
            first = True
            while True:
                sep = re.match(r"\s*:\s*|\s+", text[pos:]) if first else re.match(r"\s*(,|và|;)\s*", text[pos:])
                if not sep:
                    break
                nm = self.name_re.match(text, pos + sep.end())
                if not nm:
                    break
                pid = self._lookup(type_, nm.group(1), [o[0] for o in out])
                if pid is None and type_ == "thanh-pho" and nm.group(1).lower() != "lạng sơn":
                    break
                if pid is None:
                    break
                start = m.start() if first else nm.start()
                out.append((pid, start, nm.end()))
                pos = nm.end()
                first = False
                if not plural and not re.match(r"\s*(,|và)\s*(các\s+)?(huyện|xã|phường|thị trấn)?\s*" , text[pos:]):
                    break
        out.sort(key=lambda x: x[1])
        # drop overlaps (keep the first, longest)
        res: list[tuple[str, int, int]] = []
        for o in out:
            if res and o[1] < res[-1][2]:
                continue
            res.append(o)
        return res


@lru_cache(maxsize=1)
def place_gazetteer() -> PlaceGazetteer:
    return PlaceGazetteer.load()


def find_places(doc: ExtractedDocument) -> list[PlaceMention]:
    ct = doc.text
    text = body_text(ct)
    out = []
    for pid, s, e in place_gazetteer().find(text):
        os_, oe = orig_span(ct, s, e)
        out.append(PlaceMention(pid, ct.original[os_:oe], os_, oe))
    return out


# ----------------------------------------------------------------------------- entities

@dataclass
class EntityMention:
    kind: str                        # programme | project | scheme
    name: str                        # the name as written (without trailing qualifiers of the sentence)
    key: str                         # comparison key (programmes.json rules)
    curated: str | None              # curated entity id when the key matches one
    surface: str                     # exact original text original[start:end]
    start: int
    end: int
    status: list[str] = field(default_factory=list)        # status codes ("started", "completed" …)
    status_words: list[str] = field(default_factory=list)  # the words as written
    places: list[str] = field(default_factory=list)        # place ids named in the mention
    programme: str | None = None     # curated programme id of "… thuộc Chương trình X"
    section: str | None = None       # Section.id
    entity_id: str | None = None     # filled by merge_entities (corpus-wide id)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "entity": self.entity_id or self.curated,
                "start": self.start, "end": self.end, "status": self.status,
                "status_words": self.status_words, "places": self.places, "section": self.section}


def _cut_name(text: str, start: int, vocab: ProgrammeVocab, stops: bool = True) -> int:
    """End (exclusive) of a programme/project name that starts at `start` (punctuation,
    then stop phrases unless `stops` is false)."""
    limit = min(len(text), start + 220)
    seg = text[start:limit]
    # a quoted name: take up to the closing quote
    q = re.match(r"\s*[“\"]([^”\"]{3,200})[”\"]", seg)
    if q:
        return start + q.end()
    end = len(seg)
    i = 0
    while i < len(seg):
        ch = seg[i]
        if ch == "(":
            close = seg.find(")", i, i + 60)
            inner = seg[i + 1:close].strip().lower() if close != -1 else ""
            if close == -1 or re.match(r"(gồm|bao gồm|nếu|trong đó|kèm theo|chiếm|đạt|tăng|giảm)", inner) \
                    or ":" in inner:
                end = i
                break
            i = close + 1
            continue
        if ch == ")" or ch in ";:!?\n":
            end = i
            break
        if ch == "." and not (i + 1 < len(seg) and seg[i + 1].isdigit() and i > 0 and seg[i - 1].isalnum()):
            end = i
            break
        if ch == ",":
            nxt = seg[i + 1:i + 40].lstrip()
            if not any(nxt.startswith(w + " ") for w in vocab.comma_cont):
                end = i
                break
        i += 1
    low = seg[:end].lower()
    cut = end
    for sp in (vocab.stops if stops else ()):
        j = low.find(sp)
        if j != -1 and j < cut:
            cut = j
    # " và Dự án …" / " và cụm công nghiệp …" starts a second name
    m = re.search(r"\s(và|hoặc)\s+(?=[A-ZÀ-ÝĂÂĐÊÔƠƯẠ-Ỹ]|(\d+\s+)?(?i:dự án|cụm công nghiệp|khu công nghiệp|đề án|chương trình)\b)",
                  seg[:cut])
    if m:
        cut = m.start()
    return start + len(seg[:cut].rstrip(" ,-–"))


def _mention_name_ok(name_after: str, curated: str | None, capitalised_trigger: bool, trig: Trigger,
                     vocab: ProgrammeVocab) -> bool:
    if curated:
        return True
    if re.match(r"\s*[,;:.)]", name_after):
        return False
    s = name_after.strip(" ,-–:")
    low = nfc(s).lower()
    if not s or len(s) < 3:
        return False
    if any(low.startswith(n) for n in vocab.not_entities):
        return False
    if low in vocab.generic or low.split(" (")[0] in vocab.generic:
        return False
    if re.match(r"^[“\"]", s):
        return True
    words = s.split()
    if not capitalised_trigger:
        # lower-case "dự án …" names an entity only when its name is a proper name
        return is_upper_word(words[0]) and not words[0][0].isdigit()
    if len(words) < 3 and not any(is_upper_word(w) for w in words):
        return False
    return True


_NAMED_KINDS = {"Chương trình", "Đề án", "Dự án"}


def find_entities(doc: ExtractedDocument) -> list[EntityMention]:
    """Programme / project / scheme mentions of one document (see module docstring)."""
    vocab = programme_vocab()
    ct = doc.text
    text = body_text(ct)
    cit_spans = []
    for c in doc.citations:
        cs, ce = clean_index(ct, c.start), clean_index(ct, c.end - 1) + 1
        cit_spans.append((cs, ce))
    out: list[EntityMention] = []
    taken: list[tuple[int, int]] = []
    gaz = place_gazetteer()

    def overlaps(s: int, e: int, spans) -> bool:
        return any(s < b and a < e for a, b in spans)

    cit_at: dict[int, list[int]] = {}          # citation start -> indices (look-up, not a scan)
    for k, (a, _b) in enumerate(cit_spans):
        cit_at.setdefault(a, []).append(k)
    for m in vocab.trigger_re.finditer(text):
        tword = nfc(m.group(0)).lower()
        trig = next(t for t in vocab.triggers if t.word == tword)
        s = m.start()
        if overlaps(s, m.end(), taken):
            continue
        # "Chương trình hành động số 52-CTr/TU", "Đề án 06" are documents; a number-less
        # "Chương trình …"/"Đề án …" citation, or one inside a plan's title, names the undertaking
        if any(doc.citations[k].identifier or (doc.citations[k].type or "") not in _NAMED_KINDS
               for d in (-1, 0, 1) for k in cit_at.get(s + d, ())):
            continue
        capitalised = text[s].isupper()
        name_start = m.end()
        end = _cut_name(text, name_start, vocab)
        name_after = text[name_start:end]
        # a mention immediately followed by a number is a document ("Đề án 06", "Chương trình 135")
        if re.match(r"\s*(số\s+)?\d+([\-/]|\s|$)", text[name_start:name_start + 12]):
            continue
        # a curated name may hold a stop phrase ("Hỗ trợ kỹ thuật để xây dựng …")
        end_p = _cut_name(text, name_start, vocab, stops=False)
        if end_p > end:
            kp = vocab.key(text[s:end_p] if (trig.keep_trigger or trig.kind == "programme") else text[name_start:end_p])
            if trig.kind == "programme" and not kp.startswith("chương trình"):
                kp = "chương trình " + kp
            if vocab.by_key.get((trig.kind, kp)):
                end = end_p
                name_after = text[name_start:end]
        full = text[s:end] if (trig.keep_trigger or trig.kind == "programme") else text[s:end]
        key = vocab.key(full if trig.kind == "programme" or trig.keep_trigger else name_after, trig.kind)
        if trig.kind == "programme" and not key.startswith("chương trình"):
            key = "chương trình " + key
        # "…, thành phố Lạng Sơn" / "… huyện Cao Lộc (giai đoạn …)" at the end locates the entity,
        # it does not name it
        for _pid, ps, pe in gaz.find(text[s:end]):
            pkey = vocab.key(text[s + ps:s + pe])
            if pkey and key.endswith(" " + pkey) and len(key) > len(pkey) + 8:
                key = key[: -len(pkey) - 1]
        curated = vocab.curated_for(trig.kind, key)
        if not _mention_name_ok(name_after, curated, capitalised, trig, vocab):
            continue
        if trig.kind == "programme" and tword == "chương trình" and not curated and not capitalised:
            continue
        # plural generic "các chương trình mục tiêu quốc gia" is the group node
        os_, oe = orig_span(ct, s, end)
        em = EntityMention(kind=trig.kind, name=" ".join(text[s:end].split()), key=key, curated=curated,
                           surface=ct.original[os_:oe], start=os_, end=oe)
        # status words in the clause, and "thuộc Chương trình X"
        cs, ce = clause_bounds(text, s, end)
        clause = text[cs:ce].lower()
        for w, code in vocab.status_words:
            if re.search(rf"(?<![\wÀ-ỹ]){re.escape(w)}(?![\wÀ-ỹ])", clause):
                if code not in em.status:
                    em.status.append(code)
                    em.status_words.append(w)
        em.places = [pid for pid, _, _ in gaz.find(text[s:end])]
        tail = text[end:end + 120]
        pm = re.match(r"\s*,?\s*thuộc\s+(Chương trình[^.;:]*)", tail)
        if pm:
            pkey = vocab.key(pm.group(1)[:100], "programme")
            em.programme = vocab.curated_for("programme", pkey)
        sec = doc.section_at(os_) if doc.sections else None
        em.section = sec.id if sec else None
        out.append(em)
        taken.append((s, end))
    out.extend(_list_projects(doc, text, taken, cit_spans))
    out.sort(key=lambda e: e.start)
    return out


_LIST_INTRO = re.compile(r"(?:các|một số)\s+(?:dự án|công trình)(?:\s+(?:lớn|trọng điểm|khởi công mới|quan trọng|chuyển tiếp))*"
                         r"(?:\s+như)?\s*:\s*", re.IGNORECASE)


def _list_projects(doc: ExtractedDocument, text: str, taken, cit_spans) -> list[EntityMention]:
    """Projects listed after "các dự án lớn như: A; B; C" / "các dự án: A, B, C"."""
    vocab = programme_vocab()
    ct = doc.text
    out = []
    for m in _LIST_INTRO.finditer(text):
        s0 = m.end()
        # a list ends at the end of the sentence ('.'), items split on ';' (or ', ' + capital)
        me = re.compile(r"\.\s|\n").search(text, s0)
        seg_end = me.start() if me else len(text)
        seg = text[s0:seg_end]
        parts = re.split(r";\s*", seg) if ";" in seg else re.split(r",\s+(?=[A-ZÀ-ÝĂÂĐÊÔƠƯẠ-Ỹ])", seg)
        pos = s0
        for part in parts:
            ps = text.find(part, pos)
            pos = ps + len(part)
            item = part.strip()
            if not item or not is_upper_word(item.split()[0]):
                continue
            lead = re.match(r"(Dự án|dự án)\s+", item)
            if lead:
                continue     # already found through its trigger word
            ist = ps + (len(part) - len(part.lstrip()))
            iend = ist + len(item.rstrip(" .,"))
            if any(a <= ist < b for a, b in taken) or any(ist < b and a < iend for a, b in cit_spans):
                continue
            name = " ".join(text[ist:iend].split())
            if len(name) > 200:
                continue
            key = vocab.key(name, "project")
            os_, oe = orig_span(ct, ist, iend)
            em = EntityMention("project", name, key, vocab.curated_for("project", key),
                               ct.original[os_:oe], os_, oe)
            cs, ce = clause_bounds(text, m.start(), m.end())
            clause = text[sentence_bounds(text, m.start())[0]:m.end()].lower()
            for w, code in vocab.status_words:
                if re.search(rf"(?<![\wÀ-ỹ]){re.escape(w)}(?![\wÀ-ỹ])", clause) and code not in em.status:
                    em.status.append(code)
                    em.status_words.append(w)
            em.places = [pid for pid, _, _ in place_gazetteer().find(text[ist:iend])]
            sec = doc.section_at(os_) if doc.sections else None
            em.section = sec.id if sec else None
            out.append(em)
            taken.append((ist, iend))
    return out


# ----------------------------------------------------------------------------- corpus-wide merge

@dataclass
class Entity:
    id: str
    kind: str
    name: str
    name_en: str | None = None
    curated: bool = False
    parent: str | None = None        # group programme (curated)
    programme: str | None = None     # programme a project belongs to
    mentions: list[tuple[str, EntityMention]] = field(default_factory=list)   # (source, mention); merge_entities only
    names: list[str] = field(default_factory=list)
    places: set[str] = field(default_factory=set)     # place ids named in its mentions


def _tokens(key: str) -> set[str]:
    return set(key.split())


@dataclass(frozen=True)
class KeyUse:
    """What the corpus-wide merge needs of one document's mentions sharing kind, comparison key
    and curated id: how often each name is written, the places named, and the first programme
    named ("… thuộc Chương trình X") as (mention index, start, programme id). A document's
    uses are a few hundred bytes where its mentions (surface, status, section …) are kilobytes:
    the streaming build keeps these between its passes."""
    kind: str
    key: str
    curated: str | None
    names: tuple[tuple[str, int], ...]
    places: tuple[str, ...]
    programme: tuple[int, int, str] | None

    @property
    def ident(self) -> tuple[str, str, str | None]:
        return self.kind, self.key, self.curated


def mention_ident(em: EntityMention) -> tuple[str, str, str | None]:
    """The part of a mention that decides its entity (the merge gives one id per ident)."""
    return em.kind, em.key, em.curated


def key_uses(mentions: Iterable[EntityMention]) -> list[KeyUse]:
    """One document's mentions folded into KeyUse records (in order of first mention)."""
    folded: dict[tuple, tuple[dict[str, int], set[str], list]] = {}
    for i, em in enumerate(mentions):
        names, places, prog = folded.setdefault(mention_ident(em), ({}, set(), []))
        names[em.name] = names.get(em.name, 0) + 1
        places.update(em.places)
        if em.programme and not prog:
            prog.append((i, em.start, em.programme))
    return [KeyUse(k[0], k[1], k[2], tuple(names.items()), tuple(sorted(places)), prog[0] if prog else None)
            for k, (names, places, prog) in folded.items()]


class _KeyTotals:
    """All documents' KeyUse records of one ident, summed."""
    __slots__ = ("names", "places", "programme")

    def __init__(self):
        self.names: dict[str, int] = {}
        self.places: set[str] = set()
        self.programme: tuple | None = None     # (order, programme id): the first in merge order

    def add(self, use: KeyUse, order: tuple) -> None:
        for name, n in use.names:
            self.names[name] = self.names.get(name, 0) + n
        self.places.update(use.places)
        if use.programme and (self.programme is None or order < self.programme[0]):
            self.programme = (order, use.programme[2])


class EntityIndex:
    """The corpus-wide merge, fed a document at a time: memory grows with the distinct names in
    the corpus, not with its documents or mentions.

    Mentions with a curated id join that entity; the others are clustered within their kind
    when their comparison keys are equal or their token sets overlap strongly (Jaccard ≥ 0.8,
    or one contains the other with ≥ 4 tokens). Ids are stable: the curated id, else kind +
    slug of the cluster's smallest key. A curated entity's programme, when its vocabulary
    gives none, is the first one named in document order; a clustered entity's, the first in
    order of key, source and offset.
    """

    def __init__(self):
        self._totals: dict[tuple, _KeyTotals] = {}
        self._documents = 0

    def add(self, source: str, uses: Iterable[KeyUse]) -> None:
        doc = self._documents
        self._documents += 1
        for use in uses:
            totals = self._totals.get(use.ident)
            if totals is None:
                totals = self._totals[use.ident] = _KeyTotals()
            prog = use.programme
            order = () if prog is None else (doc, prog[0]) if use.curated else (source, prog[1])
            totals.add(use, order)

    def merge(self) -> tuple[dict[str, Entity], dict[tuple[str, str, str | None], str]]:
        """(entity id -> Entity, mention ident -> entity id)."""
        vocab = programme_vocab()
        entities: dict[str, Entity] = {}
        ids: dict[tuple, str] = {}
        curated_first: dict[str, tuple] = {}
        for ident in sorted(i for i in self._totals if i[2]):
            totals = self._totals[ident]
            ce = vocab.entities[ident[2]]
            ent = entities.setdefault(ce.id, Entity(ce.id, ce.kind, ce.name, ce.name_en, True, ce.parent,
                                                    ce.programme))
            ids[ident] = ce.id
            ent.names = sorted(set(ent.names) | set(totals.names))
            ent.places |= totals.places
            if totals.programme and (ce.id not in curated_first or totals.programme[0] < curated_first[ce.id]):
                curated_first[ce.id] = totals.programme[0]
                if not ce.programme:
                    ent.programme = totals.programme[1]
        clusters: list[list[tuple]] = []
        ckeys: list[tuple[str, set[str]]] = []
        postings: dict[tuple[str, str], list[int]] = {}     # (kind, token) -> clusters (candidate lookup)
        for ident in sorted(i for i in self._totals if not i[2]):
            kind, key, _ = ident
            toks = _tokens(key)
            hit = None
            if toks:
                counts: dict[int, int] = {}
                for t in toks:
                    plist = postings.get((kind, t), [])
                    if len(plist) > 2000:       # a word in every name ("dự", "án") does not select
                        continue
                    for i in plist:
                        counts[i] = counts.get(i, 0) + 1
                for i in sorted(counts, key=lambda i: (-counts[i], i)):
                    ktoks = ckeys[i][1]
                    inter = len(toks & ktoks)
                    union = len(toks | ktoks)
                    if inter / union >= 0.8 or (min(len(toks), len(ktoks)) >= 4 and inter == min(len(toks), len(ktoks))
                                                 and inter / union >= 0.6):
                        hit = i
                        break
            if hit is None:
                hit = len(clusters)
                clusters.append([])
                ckeys.append((kind, toks))
                for t in toks:
                    postings.setdefault((kind, t), []).append(hit)
            clusters[hit].append(ident)
        for members in clusters:
            kind, first_key = members[0][0], min(i[1] for i in members)
            eid = f"{kind}-{slugify(first_key)}"
            counts = {}
            for ident in members:
                for name, n in self._totals[ident].names.items():
                    counts[name] = counts.get(name, 0) + n
            names = sorted(counts, key=lambda n: (-counts[n], len(n), n))
            ent = Entity(eid, kind, names[0], None, False, names=sorted(counts))
            for ident in members:       # in key order
                totals = self._totals[ident]
                ids[ident] = eid
                ent.places |= totals.places
                if totals.programme and not ent.programme:
                    ent.programme = totals.programme[1]
            entities[eid] = ent
        return entities, ids


def merge_entities(docs: Iterable[ExtractedDocument]) -> dict[str, Entity]:
    """One Entity per real programme/project/scheme across documents (EntityIndex), with
    each mention listed on its entity and given its id (em.entity_id)."""
    docs = [d for d in docs if "entities" in d.extras]
    index = EntityIndex()
    for doc in docs:
        index.add(doc.source, key_uses(doc.extras["entities"]))
    entities, ids = index.merge()
    for doc in docs:
        for em in doc.extras["entities"]:
            em.entity_id = ids[mention_ident(em)]
            entities[em.entity_id].mentions.append((doc.source, em))
    for ent in entities.values():
        if not ent.curated:         # a cluster's mentions in merge order
            ent.mentions.sort(key=lambda m: (m[1].key, m[0], m[1].start))
    return entities
