"""Agency gazetteer: issuing and responsible bodies, central and local.

Knowledge is data (data/vocab/agencies/*.json):
- central.json — national bodies (state, party, ministries) with issuer codes and aliases;
- local.json — templates of local bodies (UBND, HĐND, Tỉnh ủy, Ban Thường vụ, Sở, Phòng, ...)
  valid in any province / district / commune, the unit words (tỉnh, thành phố, huyện ...),
  and groups ("UBND các huyện, thành phố").

A template is instantiated for one place: ("ubnd", tỉnh Lạng Sơn) -> Agency
"ubnd-tinh-lang-son" "Ủy ban nhân dân tỉnh Lạng Sơn". The place comes from the text
("UBND tỉnh Lạng Sơn") or, when the text gives only the unit ("UBND tỉnh", "Tỉnh ủy"),
from the citing document's header (its issuer and place line: "Lạng Sơn, ngày ..." ->
tỉnh Lạng Sơn; "TP. Lạng Sơn, ngày ..." -> thành phố Lạng Sơn in tỉnh Lạng Sơn).
data/vocab/places/*.json (when present) tells provinces from districts and gives place ids.

API: `Gazetteer.default()`, `.agency(id)`, `.by_code(code, header)`, `.by_identifier(identifier,
header)`, `.lookup(text, header)`, `.find_agencies(text, header)`, `.complete_header(header)`,
`.complete_citation(cit, header)`, `.series_id(agency_id)`, `.context(header)`.
Matching ignores case and tone-mark placement (uỷ = ủy, hoà = hòa) and keeps offsets.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .models import Agency, Citation, DocumentHeader
from .resources import data_path

# ----------------------------------------------------------------------------- text helpers

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2212": "-", "\u00a0": " "})


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def slugify(s: str) -> str:
    """'Ủy ban nhân dân tỉnh Lạng Sơn' -> 'uy-ban-nhan-dan-tinh-lang-son'."""
    s = nfc(s).lower().replace("đ", "d")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def _tone_table() -> tuple[re.Pattern[str], dict[str, str]]:
    """New-style tone placement at a syllable end (uỷ, hoà, khoẻ) -> old style (ủy, hòa, khỏe)."""
    marks = ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    table = {}
    for v1, v2 in (("o", "a"), ("o", "e"), ("u", "y")):
        for m in marks:
            table[v1 + nfc(v2 + m)] = nfc(v1 + m) + v2
    pat = re.compile("(" + "|".join(map(re.escape, table)) + r")(?![^\W\d_])")
    return pat, table


_TONE_RE, _TONE = _tone_table()


def fold(s: str) -> str:
    """Lower case, unified dashes and tone placement; same length as `s` (offsets kept)."""
    low = s.lower()
    if len(low) != len(s):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    low = low.translate(_DASHES)
    return _TONE_RE.sub(lambda m: _TONE[m.group(1)], low)


_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")


def canon(s: str) -> str:
    """Comparison key of a name: folded, spaces only between words."""
    toks = _TOKEN.findall(fold(nfc(s)))
    out = ""
    prev_word = False
    for t in toks:
        word = t[0].isalnum()
        if out and word and prev_word:
            out += " "
        out += t
        prev_word = word
    return out


def _alias_regex(alias: str) -> str:
    toks = _TOKEN.findall(fold(nfc(alias)))
    parts = []
    prev_word = None
    for t in toks:
        word = t[0].isalnum()
        if parts:
            parts.append(r"\s+" if (word and prev_word) else r"\s*")
        parts.append(re.escape(t))
        prev_word = word
    body = "".join(parts)
    return body + (r"(?![\w/])" if prev_word else "")


def code_key(code: str) -> str:
    """Issuer code for lookup: folded, no spaces/dashes/dots, term number dropped (QH15 -> qh)."""
    k = re.sub(r"[\s\-.]", "", fold(nfc(code)))
    k2 = re.sub(r"\d+$", "", k)
    return k2 or k


# ----------------------------------------------------------------------------- identifiers

@dataclass
class IdParts:
    number: str
    year: int | None = None
    type_code: str | None = None
    issuer_code: str | None = None
    style: str = "bare"            # state | party | letter | bare


def norm_identifier(ident: str) -> str:
    """Display form: NFC, no spaces, unified hyphens ('11- NQ/TW' -> '11-NQ/TW')."""
    return re.sub(r"\s+", "", nfc(ident).translate(_DASHES))


@lru_cache(maxsize=1)
def _type_codes() -> frozenset[str]:
    codes: set[str] = set()
    p = data_path("vocab", "document_types.json")
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
        types = d["types"] if isinstance(d, dict) else d
        for t in types:
            for c in list(t.get("codes", [])) + list(t.get("party_codes", [])):
                codes.add(code_key(c))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return frozenset(codes or {"nq", "qđ", "ct", "kh", "nđ", "tt", "bc", "cv", "tb", "kl", "ctr", "hd", "cđ"})


def parse_identifier(ident: str) -> IdParts:
    """'01/NQ-CP' -> state NQ/CP; '15/2021/NĐ-CP' -> year 2021; '11-NQ/TW' -> party NQ/TW;
    '263/BKHĐT-TH' -> letter style, issuer BKHĐT; '22/2023/QH15' -> issuer QH15; '06' -> bare."""
    s = norm_identifier(ident)
    parts = [p for p in s.split("/") if p]
    if len(parts) <= 1:
        return IdParts(number=s)
    m = re.match(r"^(\d+[A-Za-z]?)-(.+)$", parts[0])
    if m and len(parts) == 2:
        return IdParts(number=m.group(1), type_code=m.group(2),
                       issuer_code=parts[1].split("-")[0] or None, style="party")
    year = None
    if len(parts) >= 3 and re.fullmatch(r"(19|20)\d\d", parts[1]):
        year = int(parts[1])
    pieces = [p for p in parts[-1].split("-") if p]
    if not pieces:
        return IdParts(number=parts[0], year=year)
    if len(pieces) >= 2 and code_key(pieces[0]) in _type_codes():
        return IdParts(number=parts[0], year=year, type_code=pieces[0], issuer_code=pieces[1], style="state")
    if len(pieces) == 1:
        return IdParts(number=parts[0], year=year, issuer_code=pieces[0], style="state")
    return IdParts(number=parts[0], year=year, issuer_code=pieces[0], style="letter")


# ----------------------------------------------------------------------------- data model

@dataclass
class Unit:
    unit: str
    unit_en: str
    level: str
    variants: list[str]
    committee: str
    committee_variants: list[str]
    party_code: str
    place_type: str
    place_prefix: str


@dataclass(frozen=True)
class Locality:
    unit: str                       # canonical unit word: "tỉnh", "thành phố", "huyện" ...
    name: str                       # "Lạng Sơn"
    level: str                      # province | district | commune
    province: "Locality | None" = None
    place_id: str | None = None

    @property
    def prov(self) -> "Locality":
        return self if self.level == "province" or self.province is None else self.province


@dataclass
class Context:
    """Where a document comes from: its own place first, then the places above it."""

    chain: tuple[Locality, ...] = ()
    issuer: Agency | None = None

    @property
    def level(self) -> str:
        return self.chain[0].level if self.chain else "central"


@dataclass
class _Entry:
    kind: str                       # central | template | group
    target: str                     # agency id or template id
    unit: str | None = None         # unit named by the alias itself


@dataclass
class _Match:
    entry: _Entry
    start: int
    end: int                        # end of the alias
    place: str | None = None        # place name written after the alias
    place_end: int | None = None


# ----------------------------------------------------------------------------- gazetteer

class Gazetteer:
    """Curated agencies; see the module docstring."""

    _default: "Gazetteer | None" = None

    def __init__(self, directory: Path | None = None, places_dir: Path | None = None):
        directory = directory or data_path("vocab", "agencies")
        central = json.loads((directory / "central.json").read_text(encoding="utf-8"))
        local = json.loads((directory / "local.json").read_text(encoding="utf-8"))
        self.central: dict[str, Agency] = {}
        self._series: dict[str, str] = {}
        self._head_titles: dict[str, list[str]] = {}
        for a in central["agencies"]:
            ag = Agency(id=a["id"], name=a["name"], name_en=a.get("name_en"), level="central",
                        kind=a.get("kind"), parent=a.get("parent"), codes=list(a.get("codes", [])),
                        aliases=list(a.get("aliases", [])))
            if a.get("series"):
                ag.series = a["series"]
            self.central[ag.id] = ag
            self._head_titles[ag.id] = list(a.get("head_titles", []))
        self.type_issuers = {k: v for k, v in central.get("type_issuers", {}).items() if k != "description"}
        self.title_leads = {canon(k): v for k, v in central.get("title_lead_aliases", {}).items()
                            if k != "description"}
        self.units: dict[str, Unit] = {}
        for u in local["units"]:
            self.units[u["unit"]] = Unit(u["unit"], u.get("unit_en", ""), u["level"], list(u["variants"]),
                                         u["committee"], list(u.get("committee_variants", [])),
                                         u.get("party_code", ""), u.get("place_type", slugify(u["unit"])),
                                         u.get("place_prefix", slugify(u["unit"])))
        self._unit_by_variant: dict[str, str] = {}
        for u in self.units.values():
            for v in [u.unit, *u.variants]:
                self._unit_by_variant.setdefault(canon(v), u.unit)
        self.province_cities = {canon(n) for n in local.get("province_level_cities", [])}
        self.province_names = {canon(n): n for n in local.get("province_names", [])}
        self.place_stop = {canon(w) for w in local.get("place_stopwords", [])}
        self.templates: dict[str, dict[str, Any]] = {t["id"]: t for t in local["templates"]}
        self.groups: dict[str, dict[str, Any]] = {g["id"]: g for g in local.get("groups", [])}
        self._instances: dict[str, Agency] = {}
        self._load_places(places_dir or data_path("vocab", "places"))
        self._build_codes()
        self._build_matcher()
        self._ctx_cache: dict[tuple, Context] = {}

    # -- loading --------------------------------------------------------------------------

    @classmethod
    def default(cls) -> "Gazetteer":
        if cls._default is None:
            cls._default = cls()
        return cls._default

    def _load_places(self, d: Path) -> None:
        """(type, canon name) -> [(place id, display name, parent id)] from data/vocab/places."""
        self.places: dict[str, dict[str, Any]] = {}
        self.place_index: dict[tuple[str, str], list[str]] = {}
        if not d.is_dir():
            return
        for f in sorted(d.glob("*.json")):
            if f.name.startswith("_"):
                continue
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for p in data.get("places", []):
                if not isinstance(p, dict) or "id" not in p or "name" not in p:
                    continue
                self.places[p["id"]] = p
                for n in [p["name"], *p.get("aliases", [])]:
                    self.place_index.setdefault((p.get("type", ""), canon(n)), []).append(p["id"])

    def _build_codes(self) -> None:
        self.central_codes: dict[str, str] = {}
        for ag in self.central.values():
            for c in ag.codes:
                self.central_codes.setdefault(code_key(c), ag.id)
        self.template_codes: dict[str, list[str]] = {}
        for t in self.templates.values():
            for c in t.get("codes", []):
                self.template_codes.setdefault(code_key(c), []).append(t["id"])
        self.party_codes: dict[str, list[str]] = {}
        for u in self.units.values():
            if u.party_code:
                self.party_codes.setdefault(code_key(u.party_code), []).append(u.unit)

    def _template_units(self, levels: Iterable[str]) -> list[Unit]:
        lv = set(levels)
        out = [u for u in self.units.values() if u.level in lv]
        if "province" in lv and not any(u.unit == "thành phố" for u in out):
            out += [u for u in self.units.values() if u.unit == "thành phố"]  # centrally-run cities
        return out

    def _build_matcher(self) -> None:
        entries: dict[str, _Entry] = {}

        def add(alias: str, entry: _Entry) -> None:
            k = canon(alias)
            if k and k not in entries:
                entries[k] = entry

        for ag in self.central.values():
            for a in [ag.name, *ag.aliases]:
                add(a, _Entry("central", ag.id))
            for title in self._head_titles.get(ag.id, []):
                add(f"{title} {ag.name}", _Entry("central", ag.id))
        for kind, specs in (("template", self.templates), ("group", self.groups)):
            for t in specs.values():
                units = self._template_units(t.get("levels", t.get("scope_levels", [])))
                aliases = list(t.get("aliases", []))
                if kind == "template":
                    aliases = [f"{t['name']} {{unit}}", *aliases]
                    if t.get("bare", True):
                        aliases.append(t["name"])
                for a in aliases:
                    if "{unit}" in a:
                        for u in units:
                            for v in [u.unit, *u.variants]:
                                add(a.replace("{unit}", v), _Entry(kind, t["id"], u.unit))
                    elif "{committee}" in a:
                        for u in units:
                            for v in [u.committee, *u.committee_variants]:
                                add(a.replace("{committee}", v), _Entry(kind, t["id"], u.unit))
                    else:
                        add(a, _Entry(kind, t["id"], None))
        self._entries = entries
        alts = sorted(entries, key=lambda k: (-len(k), k))
        self._alias_re = re.compile(r"(?<![\w/-])(?:" + "|".join(_alias_regex(k) for k in alts) + ")")

    # -- places ---------------------------------------------------------------------------

    def _place_lookup(self, unit: str | None, name: str) -> list[str]:
        cn = canon(name)
        if unit:
            u = self.units.get(unit)
            return list(self.place_index.get((u.place_type if u else slugify(unit), cn), []))
        out: list[str] = []
        for (t, n), ids in sorted(self.place_index.items()):
            if n == cn:
                out.extend(ids)
        return out

    def _display(self, name: str) -> str:
        name = " ".join(name.split())
        if name.isupper():
            name = name.title()
        pl = self.province_names.get(canon(name))
        return pl or name

    def locality(self, unit: str | None, name: str, near: Iterable[Locality] = ()) -> Locality:
        """The place `unit name` ('thành phố', 'Lạng Sơn'); `near` = localities of the citing
        document (to find the province of a district)."""
        name = self._display(name)
        near = list(near)
        cn = canon(name)
        if unit is None:
            # a bare name: a province name, or a place the places files know
            if cn in self.province_names or self._place_lookup("tỉnh", name):
                unit = "tỉnh"
            else:
                for pid in self._place_lookup(None, name):
                    t = self.places[pid].get("type")
                    unit = next((u.unit for u in self.units.values() if u.place_type == t), None)
                    if unit:
                        break
            unit = unit or "huyện"
        u = self.units.get(unit)
        level = u.level if u else "district"
        if unit == "thành phố" and cn in self.province_cities:
            level = "province"
        if level == "province":
            ids = self._place_lookup("tỉnh", name) or self._place_lookup(unit, name)
            return Locality(unit, name, "province", None, ids[0] if ids else slugify(name))
        # district / commune: find the province
        prov: Locality | None = None
        ids = self._place_lookup(unit, name)
        near_prov = [loc.prov for loc in near if loc.prov.level == "province"]
        pid = None
        if ids:
            pid = ids[0]
            if len(ids) > 1 and near_prov:
                pid = next((i for i in ids if self._province_of_place(i) == near_prov[0].place_id), ids[0])
            pp = self._province_of_place(pid)
            if pp and pp in self.places:
                prov = Locality("tỉnh", self.places[pp]["name"], "province", None, pp)
        if prov is None and near_prov:
            prov = near_prov[0]
        if prov is None and cn in self.province_names:
            prov = self.locality("tỉnh", name)
        if pid is None:
            prefix = u.place_prefix if u else slugify(unit)
            pid = f"{prov.place_id}/{prefix}-{slugify(name)}" if prov else f"{prefix}-{slugify(name)}"
        return Locality(unit, name, level, prov, pid)

    def _province_of_place(self, pid: str) -> str | None:
        seen = set()
        while pid and pid in self.places and pid not in seen:
            seen.add(pid)
            p = self.places[pid]
            if p.get("type") == "tinh":
                return pid
            pid = p.get("parent")
        return None

    # -- instantiation --------------------------------------------------------------------

    def agency(self, agency_id: str) -> Agency:
        """A central agency or an instantiated local one (KeyError when unknown)."""
        if agency_id in self.central:
            return self.central[agency_id]
        if agency_id in self._instances:
            return self._instances[agency_id]
        raise KeyError(agency_id)

    def series_id(self, agency_id: str | None) -> str | None:
        """Id of the body whose number series the agency's documents use (itself by default)."""
        if agency_id is None:
            return None
        try:
            ag = self.agency(agency_id)
        except KeyError:
            return agency_id
        return getattr(ag, "series", None) or ag.id

    def _fill(self, pattern: str, t: dict[str, Any], loc: Locality | None, unit: str | None) -> str:
        u = self.units.get(unit or (loc.unit if loc else ""))
        base = t.get("name_by_level", {}).get(loc.level, t["name"]) if loc else t["name"]
        vals = {"name": base, "unit": u.unit if u else "", "unit_en": u.unit_en if u else "",
                "committee": u.committee if u else "", "place": loc.name if loc else "", "id": t["id"]}
        s = pattern
        for k, v in vals.items():
            s = s.replace("{" + k + "}", v)
        return " ".join(s.split())

    def instantiate(self, tid: str, loc: Locality | None, unit: str | None = None) -> Agency:
        """Template (or group) `tid` at a place; `loc` None = the generic body (no place)."""
        t = self.templates.get(tid) or self.groups[tid]
        is_group = tid in self.groups
        unit = loc.unit if loc else unit
        id_pat = t.get("id_pattern") or ("{committee}-{place}" if tid == "cap-uy" else
                                           "ban-thuong-vu-{committee}-{place}" if tid == "ban-thuong-vu" else
                                           "{id}-{unit}-{place}")
        aid = slugify(self._fill(id_pat, t, loc, unit))
        if loc is not None and loc.level != "province" and loc.province is not None \
                and slugify(loc.province.name) != slugify(loc.name):
            aid += "-" + slugify(loc.province.name)
        if aid in self._instances:
            return self._instances[aid]
        name = self._fill(t.get("name_pattern", "{name} {unit} {place}"), t, loc, unit)
        name_en = self._fill(t.get("name_en", ""), t, loc, unit) or None
        if name_en:
            name_en = " ".join(name_en.replace(" of  ", " of ").split())
        u = self.units.get(unit or "")
        level = loc.level if loc else (u.level if u else "local")
        aliases: list[str] = []
        for a in t.get("aliases", []):
            if ("{unit}" in a or "{committee}" in a) and u is not None and len(aliases) < 3:
                form = " ".join(a.replace("{unit}", u.unit).replace("{committee}", u.committee).split())
                form = f"{form} {loc.name}" if loc else form
                if canon(form) != canon(name) and canon(form) not in {canon(x) for x in aliases} \
                        and "cấp " not in form:
                    aliases.append(form)
        ag = Agency(id=aid, name=name, name_en=name_en, level=level,
                    kind="group" if is_group else t.get("kind"), place=loc.place_id if loc else None,
                    codes=list(t.get("codes", [])), aliases=aliases)
        if tid == "cap-uy" and unit in self.units:
            ag.codes = [self.units[unit].party_code]
        ag.template = tid
        self._instances[aid] = ag
        # parent and number series
        parent = None
        spec = t.get("parent")
        if loc is not None and loc.level == "province" and t.get("parent_central") and \
                (not spec or spec.startswith("@@")):
            parent = t["parent_central"]
        elif spec and spec.startswith("@@"):
            if loc is not None and loc.province is not None and loc.level != "province":
                up = spec[2:]
                if loc.province.level in self.templates[up].get("levels", []):
                    parent = self.instantiate(up, loc.province).id
        elif spec and spec.startswith("@"):
            parent = self.instantiate(spec[1:], loc, unit).id
        elif spec:
            parent = spec
        ag.parent = parent
        if t.get("series", "").startswith("@"):
            ag.series = self.instantiate(t["series"][1:], loc, unit).id
        return ag

    def _at(self, tid: str, ctx: Context, unit: str | None = None) -> Agency | None:
        """Template at the nearest place of the context where it exists (and has that unit)."""
        t = self.templates.get(tid) or self.groups.get(tid)
        if t is None:
            return None
        levels = t.get("levels", t.get("scope_levels", []))
        for loc in ctx.chain:
            if unit is not None and loc.unit != unit:
                continue
            if loc.level in levels or (unit is not None and loc.unit == unit):
                return self.instantiate(tid, loc)
        if unit is not None:
            u = self.units.get(unit)
            if u is not None and u.level == "province":
                prov = next((loc.prov for loc in ctx.chain), None)
                if prov is not None:
                    return self.instantiate(tid, prov)
            only = self._only_place(unit, ctx)
            if only is not None:
                return self.instantiate(tid, only)
            return self.instantiate(tid, None, unit)
        return None

    def _only_place(self, unit: str, ctx: Context) -> Locality | None:
        """The one place of this unit in the citing document's province ("UBND thành phố" in a
        provincial document of a province with a single city), from the places files."""
        u = self.units.get(unit)
        prov = next((loc.prov for loc in ctx.chain), None)
        if u is None or prov is None or prov.place_id not in self.places:
            return None
        ids = sorted(pid for pid, p in self.places.items()
                     if p.get("type") == u.place_type and self._province_of_place(pid) == prov.place_id)
        if len(ids) != 1:
            return None
        return self.locality(unit, self.places[ids[0]]["name"], ctx.chain)

    # -- context --------------------------------------------------------------------------

    _PLACE_LINE = re.compile(r"^\s*(?:(?P<unit>TP\.?|Tp\.?|T\.P\.?|[Tt]hành phố|[Tt]hị xã|TX\.?|[Hh]uyện|[Qq]uận|"
                             r"[Tt]ỉnh|[Xx]ã|[Pp]hường|[Tt]hị trấn)\s*)?(?P<name>[^\d,]+?)\s*,?\s*$")

    def context(self, header: DocumentHeader | None) -> Context:
        """The citing document's places and issuer, from its header."""
        if header is None:
            return Context()
        key = (header.issuer, header.place, header.symbol, header.identifier, header.type)
        hit = self._ctx_cache.get(key)
        if hit is not None:
            return hit
        ctx = self._context(header)
        self._ctx_cache[key] = ctx
        return ctx

    def _context(self, header: DocumentHeader) -> Context:
        loc: Locality | None = None
        central: Agency | None = None
        tmpl: str | None = None
        written_unit: str | None = None
        if header.issuer:
            for m in self._scan(header.issuer):
                if m.entry.kind == "central":
                    central = self.central[m.entry.target]
                    break
                tmpl = m.entry.target
                written_unit = m.entry.unit
                if m.place:
                    loc = self.locality(m.entry.unit, m.place)
                break
        if loc is None and header.place:
            pm = self._PLACE_LINE.match(header.place)
            if pm and pm.group("name"):
                unit = self._unit_by_variant.get(canon(pm.group("unit"))) if pm.group("unit") else None
                unit = unit or written_unit
                loc = self.locality(unit, pm.group("name"))
        if central is not None and loc is None:
            return Context((), central)
        chain: tuple[Locality, ...] = ()
        if loc is not None:
            chain = (loc,) if loc.level == "province" or loc.province is None else (loc, loc.province)
        ctx = Context(chain, None)
        issuer: Agency | None = central
        if issuer is None and tmpl is not None and chain:
            issuer = self._at(tmpl, ctx, written_unit if written_unit and written_unit == chain[0].unit else None)
        if issuer is None:
            ident = header.identifier or (f"0/{header.symbol}" if header.symbol else None)
            if ident:
                issuer = self.by_identifier(ident, ctx=ctx)
        ctx.issuer = issuer
        return ctx

    # -- lookups --------------------------------------------------------------------------

    def by_code(self, code: str, header: DocumentHeader | None = None, ctx: Context | None = None) -> Agency | None:
        """Agency of an issuer code ('CP', 'TTg', 'QH15', 'TU', 'UBND') for a citing document."""
        ctx = ctx if ctx is not None else self.context(header)
        k = code_key(code)
        if k in self.central_codes:
            return self.central[self.central_codes[k]]
        if k in self.party_codes:
            units = self.party_codes[k]
            for loc in ctx.chain:
                if loc.unit in units:
                    return self.instantiate("cap-uy", loc)
            return None
        for tid in self.template_codes.get(k, []):
            ag = self._at(tid, ctx)
            if ag is not None:
                return ag
        return None

    def by_identifier(self, identifier: str, header: DocumentHeader | None = None,
                      ctx: Context | None = None) -> Agency | None:
        parts = parse_identifier(identifier)
        if not parts.issuer_code:
            return None
        return self.by_code(parts.issuer_code, header, ctx)

    def _scan(self, text: str, start: int = 0) -> Iterable[_Match]:
        folded = fold(nfc(text)) if len(nfc(text)) == len(text) else fold(text)
        for m in self._alias_re.finditer(folded, start):
            entry = self._entries.get(canon(m.group(0)))
            if entry is None:
                continue
            mt = _Match(entry, m.start(), m.end())
            if entry.kind != "central":
                self._extend_place(text, mt)
            yield mt

    _PLACE_WORDS = re.compile(r"[ \t]+((?:[^\W\d_]+)(?:[ \t]+[^\W\d_]+){0,4})(\.?)")

    def _extend_place(self, text: str, mt: _Match) -> None:
        if mt.entry.kind == "group":
            return
        pm = self._PLACE_WORDS.match(text, mt.end)
        if not pm:
            return
        words = pm.group(1).split()
        if pm.group(2) and words and words[-1].isupper():
            words = words[:-1]          # "KT." / "TM.": an abbreviation, not a name
        caps_alias = text[mt.start:mt.end].isupper()
        take: list[str] = []
        for w in words:
            if not w[0].isupper() or canon(w) in self.place_stop:
                break
            if re.fullmatch(r"[IVXLCDM]+", w):
                break
            if w.isupper() and len(w) > 1 and not caps_alias:
                break  # an abbreviation, not a place name
            take.append(w)
        if not take:
            return
        # prefer the longest prefix that names a known place
        for n in range(len(take), 0, -1):
            cand = " ".join(take[:n])
            if canon(cand) in self.province_names or self._place_lookup(mt.entry.unit, cand):
                take = take[:n]
                break
        else:
            take = take[:3]
        name = " ".join(take)
        mt.place = name
        # end offset of the last taken word in the original text
        pos = pm.start(1)
        for w in take:
            pos = text.index(w, pos) + len(w)
        mt.place_end = pos

    def _resolve_match(self, mt: _Match, ctx: Context) -> Agency | None:
        e = mt.entry
        if e.kind == "central":
            return self.central[e.target]
        if mt.place:
            unit = e.unit
            if unit is None:
                t = self.templates.get(e.target) or self.groups.get(e.target) or {}
                levels = t.get("levels", t.get("scope_levels", []))
                if levels == ["province"]:
                    unit = "tỉnh"
            loc = self.locality(unit, mt.place, ctx.chain)
            t = self.templates.get(e.target) or self.groups.get(e.target) or {}
            known = loc.level != "province" or canon(loc.name) in self.province_names \
                or bool(self._place_lookup("tỉnh", loc.name))
            if known and (loc.level in t.get("levels", t.get("scope_levels", [])) or e.unit is not None):
                return self.instantiate(e.target, loc)
            mt.place, mt.place_end = None, None   # not a place: the words after the name are text
        return self._at(e.target, ctx, e.unit)

    def lookup(self, text: str | None, header: DocumentHeader | None = None,
               ctx: Context | None = None) -> Agency | None:
        """The body named first in `text` ('của Ban Thường vụ Tỉnh ủy', 'Bộ trưởng Bộ Tài chính')."""
        if not text:
            return None
        ctx = ctx if ctx is not None else self.context(header)
        for mt in self._scan(text):
            ag = self._resolve_match(mt, ctx)
            if ag is not None:
                return ag
        return None

    def find_agencies(self, text: str, context_header: DocumentHeader | None = None) -> list[tuple[Agency, int, int]]:
        """Every body named in `text`: (Agency, start, end) with offsets into `text`, leftmost-longest,
        non-overlapping ('Sở Kế hoạch và Đầu tư chủ trì, phối hợp với UBND các huyện, thành phố')."""
        ctx = self.context(context_header)
        out: list[tuple[Agency, int, int]] = []
        for mt in self._scan(text):
            ag = self._resolve_match(mt, ctx)
            if ag is not None:
                out.append((ag, mt.start, mt.place_end or mt.end))
        return out

    def matches_code(self, agency_id: str, code: str) -> bool:
        try:
            ag = self.agency(agency_id)
        except KeyError:
            return False
        return code_key(code) in {code_key(c) for c in ag.codes}

    # -- pipeline hooks -------------------------------------------------------------------

    def complete_header(self, header: DocumentHeader) -> None:
        """Set header.issuer_id (and header.issuer when it was missing but can be inferred)."""
        ctx = self.context(header)
        if ctx.issuer is not None:
            header.issuer_id = ctx.issuer.id
            if not header.issuer:
                header.issuer = ctx.issuer.name

    def complete_citation(self, cit: Citation, header: DocumentHeader | None) -> None:
        """Set cit.issuer_id; set cit.issuer from the identifier's issuer code (or the type of a
        number-less document) when the text gives none. Never overwrites a written issuer."""
        ctx = self.context(header)
        code_ag = None
        if cit.identifier:
            code_ag = self.by_identifier(cit.identifier, ctx=ctx)
        name_ag = self.lookup(cit.issuer, ctx=ctx) if cit.issuer else None
        ag: Agency | None
        if name_ag is not None and (code_ag is None or self._written(cit)
                                    or self.series_id(name_ag.id) == self.series_id(code_ag.id)):
            ag = name_ag
        else:
            ag = code_ag or name_ag
        if ag is None and not cit.issuer:
            ag = self._issuer_from_title(cit, ctx)
        if ag is None:
            return
        cit.issuer_id = ag.id
        if not cit.issuer:
            cit.issuer = ag.name

    @staticmethod
    def _written(cit: Citation) -> bool:
        iss = canon(cit.issuer or "")
        return bool(iss) and (iss in canon(cit.surface or "") or iss in canon(cit.evidence or ""))

    def _issuer_from_title(self, cit: Citation, ctx: Context) -> Agency | None:
        text = cit.title or cit.surface or ""
        rest = text
        if cit.type:
            ft, fr = canon(cit.type), canon(text)
            if fr.startswith(ft):
                # cut the type word in the original text
                m = re.match(r"\s*" + _alias_regex(cit.type), fold(text))
                rest = text[m.end():] if m else text[len(cit.type):]
        rest_c = canon(rest)
        for lead, aid in self.title_leads.items():
            if rest_c == lead or rest_c.startswith(lead + " "):
                return self.central.get(aid)
        for mt in self._scan(rest):
            if rest[:mt.start].strip() == "":
                ag = self._resolve_match(mt, ctx)
                if ag is not None and (ag.kind in ("congress", "party-organ", "party") or
                                       canon(rest[:mt.end]).startswith(("đại hội", "hội nghị"))):
                    return ag
            break
        if cit.type and not cit.identifier and cit.type in self.type_issuers:
            return self.central.get(self.type_issuers[cit.type])
        return None

    def parents(self, agency_id: str) -> list[Agency]:
        """The agency and every body above it (for the graph)."""
        out: list[Agency] = []
        seen: set[str] = set()
        aid: str | None = agency_id
        while aid and aid not in seen:
            seen.add(aid)
            try:
                ag = self.agency(aid)
            except KeyError:
                break
            out.append(ag)
            aid = ag.parent
        return out
