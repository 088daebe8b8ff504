"""Sources in their own columns, read through a mapping file (docs/DATA_FORMAT.md, "Registry extracts by column
mapping"): a registry extract becomes the same raw records as a CSV bundle, so parsing, validation, reference
checks, writes and rejects are the pipeline's, unchanged. No code per source: a mapping (TOML) names the files,
their encoding, the cells that mean "no value", and for each record kind it produces, each target column's source
(a column, a constant, the file name) and an optional transform from the fixed set `TRANSFORMS`.

One input line gives one record per mapped kind, in load order; each record belongs to the one before it
(`Record.depends_on`: the legal representative to the organisation, the role to the representative), so a line
whose organisation is refused loads nothing else.

Persons known only by name get the id `NAME:<USCC>:<name>` (transform `name_id`): scoped to the organisation
of the line, so two organisations' representatives who share a name stay two persons (never merged by name
alone, DOMAIN rule 1 in spirit: a name is not an identity), and loading the same file again gives the same ids.
Deciding that two such persons are one is identity resolution (issue 14), which works on top of these ids.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput
from graph.identifiers import normalize_uscc
from loaders.csv_bundle import csv_rows
from loaders.kinds import RECORD_KINDS
from loaders.records import Record, Reject, belongs_to_refused

NAME_ID_PREFIX = "NAME"
_MAX_PERSON_ID = 80  # loaders.rows.parse_person


class TransformError(ValueError):
    """A cell the transform cannot read: the record it was for is refused with this reason."""


# ------------------------------------------------------------------------------------------- transforms


def _strip(value: str, spec: FieldSpec, row: Mapping[str, str]) -> str:
    """Whitespace runs (also ideographic spaces) collapsed to one space, trimmed."""
    return " ".join(value.split())


def _date(value: str, spec: FieldSpec, row: Mapping[str, str]) -> str:
    """A date in one of `formats` (strptime), as YYYY-MM-DD."""
    parsed = _parse_date(value.strip(), spec.formats)
    if parsed is None:
        raise TransformError(f"is not a date in the form {' or '.join(spec.formats)}")
    return parsed


@functools.lru_cache(maxsize=4096)  # a registry has few distinct dates, and strptime is slow
def _parse_date(value: str, formats: tuple[str, ...]) -> str | None:
    for form in formats:
        try:
            return dt.datetime.strptime(value, form).date().isoformat()
        except ValueError:
            continue
    return None


# "1,000(万元人民币)", "100万元人民币", "50(万)", "100（万元）", "30(万美元)", "500万港元", "8(万人民币元)"
# The currency after 万 → ISO 4217; none written means 人民币.
CURRENCIES = {"人民币": "CNY", "元人民币": "CNY", "人民币元": "CNY", "元": "CNY", "美元": "USD", "美": "USD",
              "港元": "HKD", "港币": "HKD", "香港元": "HKD", "欧元": "EUR", "日元": "JPY", "英镑": "GBP"}
_CAPITAL = re.compile(r"(?P<amount>[0-9][0-9,]*(?:\.[0-9]+)?)\s*[(（]?\s*万\s*(?P<currency>"
                      + "|".join(sorted(CURRENCIES, key=len, reverse=True)) + r")?\s*[)）]?")


@functools.lru_cache(maxsize=65536)
def _capital(value: str) -> tuple[str, str]:
    match = _CAPITAL.fullmatch(value.strip())
    if match is None:
        raise TransformError("is not an amount in 万 with a known currency (such as 1,000(万元人民币) or 50万美元)")
    amount = float(match["amount"].replace(",", "")) * 10_000
    return f"{amount:.2f}".rstrip("0").rstrip("."), CURRENCIES[match["currency"] or "人民币"]


def _capital_wan(value: str, spec: FieldSpec, row: Mapping[str, str]) -> str:
    """An amount written in 万 ("1,000(万元人民币)") → the amount in units of its currency ("10000000")."""
    return _capital(value)[0]


def _capital_wan_currency(value: str, spec: FieldSpec, row: Mapping[str, str]) -> str:
    """The currency of such an amount as an ISO 4217 code (人民币 or none → CNY, 美元 → USD, 港元 → HKD, …)."""
    return _capital(value)[1]


def name_id(uscc: str, name: str) -> str:
    """The id of a person known only by name in the organisation `uscc`: `NAME:<USCC>:<name>`, the USCC normalised
    as validation does and the name NFKC-normalised with its whitespace collapsed, so the same line always gives
    the same id."""
    return f"{NAME_ID_PREFIX}:{normalize_uscc(uscc)}:{' '.join(unicodedata.normalize('NFKC', name).split())}"


def _name_id(value: str, spec: FieldSpec, row: Mapping[str, str]) -> str:
    """The name-only person id of the name in this column, scoped to the organisation in column `scope`."""
    assert spec.scope is not None
    scope = (row.get(spec.scope) or "").strip()
    if not scope:
        raise TransformError(f"cannot make a name-only id: the organisation's {spec.scope} is empty")
    pid = name_id(scope, value)
    if len(pid) > _MAX_PERSON_ID:
        raise TransformError(f"is too long for a name-only id ({_MAX_PERSON_ID} characters with the prefix and USCC)")
    return pid


Transform = Callable[[str, "FieldSpec", Mapping[str, str]], str]

# name → (function, options it takes besides `column`).
TRANSFORMS: dict[str, tuple[Transform, frozenset[str]]] = {
    "strip": (_strip, frozenset()),
    "date": (_date, frozenset({"formats"})),
    "capital_wan": (_capital_wan, frozenset()),
    "capital_wan_currency": (_capital_wan_currency, frozenset()),
    "name_id": (_name_id, frozenset({"scope"})),
}


# ------------------------------------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class FieldSpec:
    """Where one target column of a record kind comes from."""

    target: str
    column: str | None = None  # a source column, or
    value: str | None = None  # a constant ({file} and {stem}: the source file's name, without its suffix)
    transform: str | None = None
    formats: tuple[str, ...] = ("%Y-%m-%d",)
    scope: str | None = None

    @property
    def origin(self) -> str:
        """How a reject names this field: the source column and the target ("统一社会信用代码 (uscc)")."""
        return f"{self.column} ({self.target})" if self.column else self.target

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.scope) if c]


@dataclass(frozen=True)
class SourceMapping:
    """A parsed mapping file."""

    name: str
    files: str
    encoding: str
    missing: frozenset[str]
    kinds: dict[str, tuple[FieldSpec, ...]]  # record kind → its fields, in load order

    def columns(self) -> list[str]:
        """Every source column the mapping reads (a file without one of them is refused whole)."""
        return sorted({c for fields in self.kinds.values() for spec in fields for c in spec.columns()})


_SPEC_KEYS = {"column", "value", "transform", "formats", "scope"}


def _field(kind: str, target: str, raw: Any, where: str) -> FieldSpec:
    here = f"{where}: [{kind}] {target}"
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        raise InvalidInput(f"{here}: expected a table such as {{ column = \"…\" }}")
    unknown = sorted(set(raw) - _SPEC_KEYS)
    if unknown:
        raise InvalidInput(f"{here}: unknown key(s) {', '.join(unknown)} (expected {', '.join(sorted(_SPEC_KEYS))})")
    if ("column" in raw) == ("value" in raw):
        raise InvalidInput(f"{here}: give exactly one of column and value")
    transform = raw.get("transform")
    if transform is not None:
        if transform not in TRANSFORMS:
            raise InvalidInput(f"{here}: unknown transform {transform!r} (one of {', '.join(TRANSFORMS)})")
        if "column" not in raw:
            raise InvalidInput(f"{here}: a transform needs a column")
    allowed = TRANSFORMS[transform][1] if transform else frozenset()
    misplaced = sorted({"formats", "scope"} & set(raw) - allowed)
    if misplaced:
        raise InvalidInput(f"{here}: {', '.join(misplaced)} does not apply to transform {transform!r}")
    if transform == "name_id" and not raw.get("scope"):
        raise InvalidInput(f"{here}: name_id needs scope = \"<the column of the organisation's USCC>\"")
    formats = raw.get("formats", ["%Y-%m-%d"])
    if not (isinstance(formats, list) and formats and all(isinstance(f, str) for f in formats)):
        raise InvalidInput(f"{here}: formats must be a list of strptime formats")
    for key in ("column", "value", "scope"):
        if key in raw and not isinstance(raw[key], str):
            raise InvalidInput(f"{here}: {key} must be a string")
    return FieldSpec(target, raw.get("column"), raw.get("value"), transform, tuple(formats), raw.get("scope"))


def load_mapping(path: Path) -> SourceMapping:
    """Read and check a mapping file; InvalidInput naming the file, section and key of anything wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the mapping: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not a valid TOML file: {exc}") from exc
    source = data.pop("source", {})
    if not isinstance(source, dict):
        raise InvalidInput(f"{path}: [source] must be a table")
    unknown = sorted(set(data) - set(RECORD_KINDS))
    if unknown:
        raise InvalidInput(f"{path}: unknown record kind(s) {', '.join(unknown)} (one of {', '.join(RECORD_KINDS)})")
    if not data:
        raise InvalidInput(f"{path}: maps no record kind (give a section such as [organizations])")
    kinds: dict[str, tuple[FieldSpec, ...]] = {}
    for kind in RECORD_KINDS.values():  # load order, whatever the order in the file
        if kind.name not in data:
            continue
        section = data[kind.name]
        if not isinstance(section, dict):
            raise InvalidInput(f"{path}: [{kind.name}] must be a table")
        known = set(kind.columns) | set(kind.extra_columns)
        for target in section:
            if target not in known:
                raise InvalidInput(f"{path}: [{kind.name}] {target}: not a column of {kind.name} "
                                   f"(one of {', '.join(kind.columns + kind.extra_columns)})")
        missing = [c for c in kind.required if c not in section]
        if missing:
            raise InvalidInput(f"{path}: [{kind.name}] does not map the required column(s) {', '.join(missing)}")
        kinds[kind.name] = tuple(_field(kind.name, t, spec, str(path)) for t, spec in section.items())
    blanks = source.get("missing", [])
    if not (isinstance(blanks, list) and all(isinstance(b, str) for b in blanks)):
        raise InvalidInput(f"{path}: [source] missing must be a list of strings")
    return SourceMapping(path.stem, str(source.get("files", "*.csv")), str(source.get("encoding", "utf-8-sig")),
                    frozenset(b.strip() for b in blanks), kinds)


# ------------------------------------------------------------------------------------------- reading


def read_mapped(path: Path, mapping: SourceMapping) -> tuple[list[Record], list[Reject]]:
    """The records of a file, or of every file matching the mapping's `files` in a directory (sorted by name)."""
    if path.is_dir():
        files = sorted(p for p in path.glob(mapping.files) if p.is_file())
        if not files:
            raise InvalidInput(f"{path}: no file matches {mapping.files!r} (the mapping's [source] files)")
    elif path.is_file():
        files = [path]
    else:
        raise InvalidInput(f"{path} does not exist")
    records: list[Record] = []
    rejects: list[Reject] = []
    for file in files:
        _read_file(file, mapping, records, rejects)
    return records, rejects


def _read_file(file: Path, mapping: SourceMapping, records: list[Record], rejects: list[Reject]) -> None:
    constants = {"file": file.name, "stem": file.stem}
    origins = {kind: {spec.target: spec.origin for spec in fields} for kind, fields in mapping.kinds.items()}
    for line, row in csv_rows(file, mapping.columns(), rejects, encoding=mapping.encoding):
        previous: Record | None = None
        refused: str | None = None  # the kind of a record of this line refused here: the later ones go with it
        for kind, fields in mapping.kinds.items():
            record = Record(kind, {}, file.name, line, depends_on=previous, origins=origins[kind])
            if refused is not None:
                rejects.append(record.reject(None, belongs_to_refused(refused)))
                refused = kind
                continue
            try:
                record.raw = {spec.target: _value(spec, row, mapping.missing, constants) for spec in fields}
            except _FieldError as exc:
                rejects.append(record.reject(exc.spec.target, str(exc.error), exc.value))
                refused = kind
                continue
            records.append(record)
            previous = record


class _FieldError(Exception):
    def __init__(self, spec: FieldSpec, error: TransformError, value: str) -> None:
        self.spec, self.error, self.value = spec, error, value


def _value(spec: FieldSpec, row: Mapping[str, str], missing: frozenset[str], constants: Mapping[str, str]) -> str:
    if spec.value is not None:
        return spec.value.format_map(constants)
    assert spec.column is not None
    cell = row[spec.column]
    if cell.strip() in missing or not cell.strip():
        return ""
    if spec.transform is None:
        return cell
    try:
        return TRANSFORMS[spec.transform][0](cell, spec, row)
    except TransformError as exc:
        raise _FieldError(spec, exc, cell) from None
