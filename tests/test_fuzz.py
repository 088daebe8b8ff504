"""Property tests (hypothesis): identifier validators and the loader on arbitrary input (issue 6).

- `validate_uscc` / `validate_id_number` on any text either return a code that an independent implementation of
  GB 32100-2015 / ISO 7064 MOD 11-2 (below, written from the standard, not from graph/identifiers.py) accepts,
  or raise `InvalidIdentifier`; every single-character substitution of a valid USCC is refused.
- every row parser on any raw row returns a row whose codes are valid, or raises `RowError`;
- `read_csv_bundle` on arbitrary bytes never raises; what it reads parses or is rejected;
- the whole loader on arbitrary rows against a real graph never stores an invalid USCC or ID number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.identifiers import InvalidIdentifier, validate_id_number, validate_uscc
from graph.store import GraphStore
from loaders.csv_bundle import read_csv_bundle
from loaders.kinds import RECORD_KINDS
from loaders.pipeline import Loader
from loaders.records import Record
from loaders.rows import RowError
from tests.graphs import snapshot

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def reference_uscc_ok(code: str) -> bool:
    """GB 32100-2015 from the standard's text: 18 characters of the charset, digits 3-8, the check character."""
    if len(code) != 18 or any(c not in CHARSET for c in code) or not code[2:8].isdigit():
        return False
    check = 31 - sum(CHARSET.index(c) * w for c, w in zip(code[:17], WEIGHTS, strict=True)) % 31
    return CHARSET[0 if check == 31 else check] == code[17]


def reference_id_ok(code: str) -> bool:
    """ISO 7064 MOD 11-2 and a real birth date, from the standard's text (GB 11643-1999)."""
    if len(code) != 18 or not all(c in string.digits for c in code[:17]) or code[17] not in string.digits + "X":
        return False
    try:
        if dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14])) > dt.date.today():
            return False
    except ValueError:
        return False
    return "10X98765432"[sum(int(c) * w for c, w in zip(code[:17], ID_WEIGHTS, strict=True)) % 11] == code[17]


def with_check(first17: str) -> str:
    check = 31 - sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 31
    return first17 + CHARSET[0 if check == 31 else check]


# Text likely to be near a code (the code alphabets, lower case, spaces, full-width forms) and fully arbitrary.
near_code = st.text(alphabet=CHARSET + "iozsvIOZSVx -\u3000０１２Ａ", max_size=22)
any_text = st.one_of(near_code, st.text(max_size=40))
valid_uscc = st.builds(
    lambda head, division, body: with_check(head + division + body),
    st.text(alphabet=CHARSET, min_size=2, max_size=2), st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=CHARSET, min_size=9, max_size=9),
)


@given(any_text)
@settings(max_examples=600, deadline=None)
def test_uscc_validator_accepts_only_valid_codes(value: str) -> None:
    try:
        code = validate_uscc(value)
    except InvalidIdentifier:
        return
    assert reference_uscc_ok(code), (value, code)


@given(valid_uscc)
@settings(max_examples=300, deadline=None)
def test_valid_usccs_are_accepted(code: str) -> None:
    assert validate_uscc(code) == code


@given(valid_uscc, st.integers(0, 17), st.sampled_from(CHARSET))
@settings(max_examples=400, deadline=None)
def test_every_single_substitution_of_a_valid_uscc_is_refused(code: str, position: int, char: str) -> None:
    assume(code[position] != char)
    changed = code[:position] + char + code[position + 1:]
    assume(position < 2 or position > 7 or char.isdigit())  # a letter in the division fails for another reason
    with pytest.raises(InvalidIdentifier):
        validate_uscc(changed)


@given(st.one_of(st.text(alphabet=string.digits + "Xx ", min_size=16, max_size=19), st.text(max_size=30)))
@settings(max_examples=600, deadline=None)
def test_id_number_validator_accepts_only_valid_numbers(value: str) -> None:
    try:
        code = validate_id_number(value)
    except InvalidIdentifier:
        return
    assert reference_id_ok(code), (value, code)


# ------------------------------------------------------------------------------------------ row parsers

COLUMNS = {
    "departments": ("code", "name"),
    "documents": ("document_id", "number", "title", "issuer", "date", "kind"),
    "organizations": ("uscc", "name", "status", "established"),
    "persons": ("person_id", "name", "id_number"),
    "roles": ("person_id", "uscc", "role", "title", "from", "to", "source"),
    "shareholdings": ("holder_uscc", "holder_person_id", "uscc", "ratio", "amount", "from", "to"),
    "entries": ("entry_id", "subject_uscc", "subject_person_id", "kind", "reason", "severity", "department",
                "document_id", "start", "end", "act_date", "status", "leniency", "repairable", "measures"),
}
# Values: arbitrary text, plus valid-looking fragments so that parsers get past their first field sometimes.
cell = st.one_of(any_text, valid_uscc, st.sampled_from(["", "2024-01-01", "2024-02-30", "60%", "1.5", "-1", "nan",
                                                        "BLACKLIST", "EFFECTIVE", "法定代表人", "11010519491231002X",
                                                        "true", "SERIOUS", "A;B", "9999-12-31"]))


def raw_rows(kind: str) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({c: cell for c in COLUMNS[kind]}, optional={"extra": cell})


def codes_in(row: Any) -> tuple[list[str], list[str]]:
    """Every USCC-valued and ID-number-valued string in a parsed row (nested maps included)."""
    usccs: list[str] = []
    ids: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, str):
            if key in ("uscc", "holder", "subject") and len(value) == 18 and not value.startswith("P"):
                usccs.append(value)
            elif key == "idNumber":
                ids.append(value)

    walk(row)
    return usccs, ids


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_row_parsers_return_valid_rows_or_row_errors(kind: str) -> None:
    @given(raw_rows(kind))
    @settings(max_examples=300, deadline=None)
    def run(raw: dict[str, str]) -> None:
        try:
            row = RECORD_KINDS[kind].parse(raw)
        except RowError as exc:
            assert exc.reason
            return
        usccs, ids = codes_in(row)
        if kind == "organizations":
            assert reference_uscc_ok(row["uscc"])
        for code in usccs:
            assert reference_uscc_ok(code) or code == raw.get("holder_person_id") or code == raw.get(
                "subject_person_id"), (kind, raw, row)
        for code in ids:
            assert reference_id_ok(code), (raw, row)

    run()


@given(st.sampled_from(list(RECORD_KINDS)), st.binary(max_size=600), st.booleans())
@settings(max_examples=250, deadline=None)
def test_csv_reader_never_crashes_on_arbitrary_bytes(kind: str, body: bytes, with_header: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        header = (",".join(COLUMNS[kind]) + "\n").encode() if with_header else b""
        (Path(directory) / f"{kind}.csv").write_bytes(header + body)
        records, rejects = read_csv_bundle(Path(directory))
    for record in records:
        with contextlib.suppress(RowError):
            RECORD_KINDS[record.kind].parse(record.raw)
    assert all(reject.reason for reject in rejects)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(("organizations", "persons")), st.data()), min_size=1, max_size=12))
def test_the_loader_never_stores_an_invalid_code(store: GraphStore, batch: list[tuple[str, Any]]) -> None:
    records = [Record(kind, data.draw(raw_rows(kind)), "fuzz", i) for i, (kind, data) in enumerate(batch)]
    report = Loader(store).load(records)
    assert report.total_loaded + len(report.rejects) >= 0
    nodes, _ = snapshot(store)
    for line in nodes:
        node = json.loads(line)
        if "Organization" in node["labels"]:
            assert reference_uscc_ok(node["props"]["uscc"]), node
        if "Person" in node["labels"] and node["props"].get("idNumber") is not None:
            assert reference_id_ok(node["props"]["idNumber"]), node
