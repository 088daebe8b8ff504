"""The measures catalogue (`loaders/catalogue/*.csv`): departments, basis documents, decision scenarios,
joint-punishment measures and the graded-supervision table (credit-risk indicators and classes A-D), loaded before
every bundle. It is the project's own data, so a bad row is a bug:
loading stops with the row named instead of skipping it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from graph import classes
from graph.errors import InvalidInput
from graph.statements import audit, lookup, writes
from graph.statements import classes as class_statements
from graph.store import GraphStore, load_bounds
from loaders import rows as r

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

_FILES: tuple[tuple[str, Any, str], ...] = (
    ("departments.csv", r.parse_department, writes.UPSERT_DEPARTMENTS),
    ("documents.csv", r.parse_document, writes.UPSERT_DOCUMENTS),
    ("scenarios.csv", r.parse_scenario, writes.UPSERT_SCENARIOS),
    ("measures.csv", r.parse_measure, writes.UPSERT_MEASURES),
    # The graded-supervision table (graph/classes.py): loaded into the graph rather than read by queries/classes.py,
    # so that queries need not import loaders, every process classifies with the table the graph holds, and a
    # changed table is a new data version, like a changed measure.
    ("credit_indicators.csv", r.parse_credit_indicator, class_statements.UPSERT_INDICATORS),
    ("credit_classes.csv", r.parse_credit_class, class_statements.UPSERT_CLASS_BANDS),
)


def read_catalogue(directory: Path = CATALOGUE_DIR) -> dict[str, list[dict[str, Any]]]:
    parsed: dict[str, list[dict[str, Any]]] = {}
    for name, parse, _ in _FILES:
        rows: list[dict[str, Any]] = []
        with (directory / name).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for raw in reader:
                try:
                    rows.append(parse(raw))
                except r.RowError as exc:
                    raise InvalidInput(f"{directory / name}:{reader.line_num}: {exc}") from None
        parsed[name] = rows
    _check_table(directory, parsed)
    return parsed


def _check_table(directory: Path, parsed: dict[str, list[dict[str, Any]]]) -> None:
    """The graded-supervision table as a whole: indicators in file order, their basis documents in documents.csv,
    the classes A-D with ascending scores (graph/classes.py `bands_problem`)."""
    documents = {row["documentId"] for row in parsed["documents.csv"]}
    for order, row in enumerate(parsed["credit_indicators.csv"]):
        row["props"]["order"] = order
        if row["props"]["basisDocument"] not in documents:
            raise InvalidInput(f"{directory / 'credit_indicators.csv'}: indicator {row['code']}: basis_document "
                               f"{row['props']['basisDocument']} is not in documents.csv")
    bands = [classes.ClassBand.from_map({"code": row["code"], **row["props"]}) for row in parsed["credit_classes.csv"]]
    problem = classes.bands_problem(bands)
    if problem:
        raise InvalidInput(f"{directory / 'credit_classes.csv'}: {problem}")


def load_catalogue(store: GraphStore, directory: Path = CATALOGUE_DIR) -> dict[str, int]:
    """Upsert the catalogue; returns rows written per file."""
    with load_bounds():  # a load, not held to the request bounds
        return _load_catalogue(store, directory)


def _load_catalogue(store: GraphStore, directory: Path) -> dict[str, int]:
    parsed = read_catalogue(directory)
    before = store.read(lookup.MEASURES), store.read(class_statements.TABLE)
    counts: dict[str, int] = {}
    for name, _, statement in _FILES:
        counts[name] = store.write_rows(statement, parsed[name])
        if counts[name] != len(parsed[name]):
            raise InvalidInput(
                f"{name}: {len(parsed[name]) - counts[name]} row(s) refer to a department or document "
                "missing from the catalogue"
            )
    store.write(class_statements.PRUNE_INDICATORS, {"codes": [row["code"] for row in parsed["credit_indicators.csv"]]})
    if (store.read(lookup.MEASURES), store.read(class_statements.TABLE)) != before:
        # Checks cache the measures (and classes the table) per data version: a changed catalogue is a new version.
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        store.write(audit.BUMP_DATA_VERSION, {"now": now})
    return counts
