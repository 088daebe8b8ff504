"""The measures catalogue (`loaders/catalogue/*.csv`): departments, basis documents, decision scenarios and
joint-punishment measures, loaded before every bundle. It is the project's own data, so a bad row is a bug:
loading stops with the row named instead of skipping it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput
from graph.statements import audit, lookup, writes
from graph.store import GraphStore, load_bounds
from loaders import rows as r

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

_FILES: tuple[tuple[str, Any, str], ...] = (
    ("departments.csv", r.parse_department, writes.UPSERT_DEPARTMENTS),
    ("documents.csv", r.parse_document, writes.UPSERT_DOCUMENTS),
    ("scenarios.csv", r.parse_scenario, writes.UPSERT_SCENARIOS),
    ("measures.csv", r.parse_measure, writes.UPSERT_MEASURES),
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
    return parsed


def load_catalogue(store: GraphStore, directory: Path = CATALOGUE_DIR) -> dict[str, int]:
    """Upsert the catalogue; returns rows written per file."""
    with load_bounds():  # a load, not held to the request bounds
        return _load_catalogue(store, directory)


def _load_catalogue(store: GraphStore, directory: Path) -> dict[str, int]:
    parsed = read_catalogue(directory)
    before = store.read(lookup.MEASURES)
    counts: dict[str, int] = {}
    for name, _, statement in _FILES:
        counts[name] = store.write_rows(statement, parsed[name])
        if counts[name] != len(parsed[name]):
            raise InvalidInput(
                f"{name}: {len(parsed[name]) - counts[name]} row(s) refer to a department or document "
                "missing from the catalogue"
            )
    if store.read(lookup.MEASURES) != before:
        # Checks cache the measures per data version: a changed catalogue is a new version.
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        store.write(audit.BUMP_DATA_VERSION, {"now": now})
    return counts
