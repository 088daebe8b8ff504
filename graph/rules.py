"""Pure rules shared by the loader and the lifecycle mutations (no I/O, no graph access).

- `measure_problem`: proportionality (过惩相当, DOMAIN rule 5; 2020-49 items 9-10): only measures on the list, each
  allowed for the entry's kind and at or above its minimum severity;
- `period_problem`: the listing period against the kind's default period (list_kinds.csv; DOMAIN rule 6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from graph.model import Severity


def measure_problem(kind: str, severity: str, codes: Iterable[str],
                    catalogue: Mapping[str, Mapping[str, Any]]) -> tuple[str, str] | None:
    """The first measure that may not be imposed on an entry of this kind and severity, and why; else None."""
    rank = Severity(severity).rank
    for code in codes:
        measure = catalogue.get(code)
        if measure is None:
            return code, "is not in the measures catalogue"
        if kind not in (measure.get("kinds") or []):
            return code, f"{code} does not apply to {kind} entries"
        if rank < Severity(measure.get("minSeverity") or "MINOR").rank:
            return code, (f"{code} requires severity {measure['minSeverity']} or above (proportionality), "
                          f"the entry is {severity}")
    return None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_problem(kind: str, start: dt.date, end: dt.date, min_years: int | None,
                   max_years: int | None) -> str | None:
    """Why `start`..`end` does not fit the kind's default period of `min_years`-`max_years` years; else None.

    A period of N years runs from `start` to the day before the N-th anniversary, or to the anniversary itself.
    """
    if end < start:
        return f"end {end} is before start {start}"
    if min_years is not None and end < add_years(start, min_years) - dt.timedelta(days=1):
        return f"{kind} records are kept at least {min_years} years: end {end} is too early for start {start}"
    if max_years is not None and end > add_years(start, max_years):
        return f"{kind} records are kept at most {max_years} years: end {end} is too late for start {start}"
    return None
