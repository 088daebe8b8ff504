"""The record kinds of a load, in one table: for each kind its file, columns, parser, identity, references and
write statements. The pipeline, the CSV reader and the synthetic generator all read this table, so a new field
or kind is added here once (the Cypher itself stays in graph/statements/writes.py).

Load order is the table's order: a record may refer only to records of earlier kinds (or already in the store).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graph import rules
from graph.model import ROLES
from graph.statements import writes
from loaders import rows as r

Row = dict[str, Any]
Statements = Iterator[tuple[str, list[Row]]]
# (input field, key, record kind referred to), e.g. ("uscc", "91350203MAD00001X", "organizations").
Reference = tuple[str, str, str]
# (input field, reason, value) of a rule a row breaks.
Problem = tuple[str, str, str]


@dataclass(frozen=True)
class Lookup:
    """How rows of a kind that other rows refer to are found in the store, and what a reference to a missing
    one says."""

    existing: str  # statement: $keys → the keys that exist, as `key`
    unknown: str  # reason of the reject when a reference finds none


@dataclass(frozen=True)
class Stored:
    """A check of records against their stored counterparts (the kind's identity is the key)."""

    statement: str
    problem: Callable[[Row, Row], Problem | None]


@dataclass(frozen=True)
class RecordKind:
    """One kind of input record (a file of the CSV bundle, docs/DATA_FORMAT.md)."""

    name: str
    columns: tuple[str, ...]  # every column, in the documented order (the generator writes them so)
    required: tuple[str, ...]  # columns without which nothing of the file can be read
    parse: Callable[[r.Raw], Row]  # raw record → the row the write statements take, or RowError
    identity: Callable[[Row], Any]  # two rows with the same identity in one load: the second is a duplicate
    statements: Callable[[list[Row]], Statements]  # the write statement for each group of rows
    references: Callable[[Row], list[Reference]] = lambda row: []  # noqa: E731  checked in this order
    lookup: Lookup | None = None  # for the kinds that are referred to
    # What the measures catalogue adds to a row once its references hold (entries: the implied measures), and
    # the domain rule then checked against it.
    from_catalogue: Callable[[Row, Mapping[str, Mapping[str, Any]]], None] | None = None
    catalogue_problem: Callable[[Row, Mapping[str, Mapping[str, Any]]], Problem | None] | None = None
    # When one row stands for several relationships (a compound title: one per canonical role it names), the
    # identity of each; a row sharing any of them with an earlier row is a duplicate. None: `[identity(row)]`.
    identities: Callable[[Row], list[Any]] | None = None
    # Records that must agree with what is stored for them (entries under due process): the statement reads the
    # stored counterpart of each identity ($keys → `key`, `entry`), the function names a disagreement.
    stored: Stored | None = None
    # Columns read when present, beyond `columns` (the generator does not write them; documented beside them).
    optional: tuple[str, ...] = ()

    def identities_of(self, row: Row) -> list[Any]:
        return self.identities(row) if self.identities is not None else [self.identity(row)]
    # Optional columns beyond `columns` (registry details): read when a file or mapping gives them, and a
    # column that is absent leaves what is stored alone. The synthetic generator does not write them.
    extra_columns: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


_SUBJECT_KINDS = {"ORGANIZATION": "organizations", "PERSON": "persons"}


def _one(statement: str) -> Callable[[list[Row]], Statements]:
    def statements(rows: list[Row]) -> Statements:
        yield statement, rows

    return statements


def _by_subject_kind(field: str, *statements: tuple[str, str]) -> Callable[[list[Row]], Statements]:
    """Rows about an organisation and rows about a person go to different statements (the MATCH differs);
    `statements` is (ORGANIZATION or PERSON, statement) in the order they are written."""

    def split(rows: list[Row]) -> Statements:
        for subject_kind, statement in statements:
            yield statement, [row for row in rows if row[field] == subject_kind]

    return split


def _role_statements(rows: list[Row]) -> Statements:
    """A person's roles: one statement per role (the relationship type is the role); a row naming several roles
    (a compound title) is in the group of each. An organisation's roles (a corporate director, a partnership's
    执行事务合伙人): one statement, the role a property, one row per role (checks reach persons only; the
    organisation's appointed representative holds a person role of their own)."""
    for role in ROLES:
        group = [row for row in rows if role in row["roles"] and row["holderKind"] == "PERSON"]
        if group:
            yield writes.UPSERT_ROLES[role], group
    corporate = [{**row, "role": role} for row in rows if row["holderKind"] == "ORGANIZATION" for role in row["roles"]]
    if corporate:
        yield writes.UPSERT_CORPORATE_ROLES, corporate


def _role_identities(row: Row) -> list[Any]:
    """The MERGE key of each relationship a role row writes: (role, holder, organisation, from)."""
    return [(role, row["holderKind"], row["holder"], row["uscc"], row["key"]) for role in row["roles"]]


def _role_references(row: Row) -> list[Reference]:
    holder = ("person_id", row["holder"], "persons") if row["holderKind"] == "PERSON" else (
        "director_uscc", row["holder"], "organizations")
    return [holder, ("uscc", row["uscc"], "organizations")]


def _shareholding_references(row: Row) -> list[Reference]:
    holder_field = "holder_uscc" if row["holderKind"] == "ORGANIZATION" else "holder_person_id"
    return [(holder_field, row["holder"], _SUBJECT_KINDS[row["holderKind"]]), ("uscc", row["uscc"], "organizations")]


def _entry_references(row: Row) -> list[Reference]:
    subject_field = "subject_uscc" if row["subjectKind"] == "ORGANIZATION" else "subject_person_id"
    # DOMAIN rule 2: a record cites an effective legal document and a recognising department.
    return [(subject_field, row["subject"], _SUBJECT_KINDS[row["subjectKind"]]),
            ("department", row["department"], "departments"), ("document_id", row["documentId"], "documents")]


def _entry_implied_measures(row: Row, catalogue: Mapping[str, Mapping[str, Any]]) -> None:
    """A record naming no measures carries those the catalogue attaches to its kind and severity (rule 5),
    marked implied; one naming any keeps exactly those (and a reload that names some clears the mark)."""
    implied = not row["measures"]
    if implied:
        row["measures"] = rules.implied_measures(row["props"]["kind"], row["props"]["severity"], catalogue)
    row["props"]["measuresImplied"] = implied


def _entry_due_process_problem(row: Row, stored: Row) -> Problem | None:
    """An entry with a lifecycle history belongs to due process (rules.due_process_conflict): a record that
    disagrees with it is refused, never applied over the decisions."""
    incoming = {**row["props"], "measures": row["measures"]}
    conflict = rules.due_process_conflict(stored["entry"], incoming)
    if conflict is None:
        return None
    name, have, want = conflict
    return (name, f"entry {row['entryId']} is under due process (it has a lifecycle history): the graph has "
                  f"{name} {have!r}, this record {want!r}; change it through the lifecycle API, or load the record "
                  "as the graph has it", str(want))


def _entry_measures_problem(row: Row, catalogue: Mapping[str, Mapping[str, Any]]) -> Problem | None:
    """DOMAIN rule 5: only measures on the list, and only those allowed for this kind and severity."""
    refused = rules.measure_problem(row["props"]["kind"], row["props"]["severity"], row["measures"], catalogue)
    return ("measures", refused[1], refused[0]) if refused else None


_KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "departments", ("code", "name"), ("code", "name"), r.parse_department, lambda row: row["code"],
        _one(writes.UPSERT_DEPARTMENTS),
        lookup=Lookup(writes.EXISTING_DEPARTMENTS, "is not a known department"),
    ),
    RecordKind(
        "documents", ("document_id", "number", "title", "issuer", "date", "kind"), ("document_id", "number", "title"),
        r.parse_document, lambda row: row["documentId"], _one(writes.UPSERT_DOCUMENTS),
        lookup=Lookup(writes.EXISTING_DOCUMENTS, "is not a known document"),
    ),
    RecordKind(
        "organizations", ("uscc", "name", "status", "established"), ("uscc", "name"), r.parse_organization,
        lambda row: row["uscc"], _one(writes.UPSERT_ORGANIZATIONS),
        lookup=Lookup(writes.EXISTING_ORGANIZATIONS, "refers to an organisation neither in this load nor in the store"),
        extra_columns=r.ORGANIZATION_DETAILS,
    ),
    RecordKind(
        "persons", ("person_id", "name", "id_number"), ("person_id", "name"), r.parse_person, lambda row: row["pid"],
        _one(writes.UPSERT_PERSONS),
        lookup=Lookup(writes.EXISTING_PERSONS, "refers to a person neither in this load nor in the store"),
        optional=("other_ids", "id_masked"),
    ),
    RecordKind(
        "roles", ("person_id", "uscc", "role", "title", "from", "to", "source"), ("person_id", "uscc", "role"),
        r.parse_role, lambda row: tuple(_role_identities(row)), _role_statements,
        references=_role_references, identities=_role_identities, optional=("director_uscc",),
    ),
    RecordKind(
        "shareholdings", ("holder_uscc", "holder_person_id", "uscc", "ratio", "amount", "from", "to", "source"),
        ("uscc", "ratio"), r.parse_shareholding, lambda row: (row["holder"], row["uscc"], row["key"]),
        _by_subject_kind("holderKind", ("PERSON", writes.UPSERT_PERSON_SHAREHOLDINGS),
                         ("ORGANIZATION", writes.UPSERT_ORGANIZATION_SHAREHOLDINGS)),
        references=_shareholding_references,
    ),
    RecordKind(
        "entries", ("entry_id", "subject_uscc", "subject_person_id", "kind", "reason", "severity", "department",
                    "document_id", "start", "end", "act_date", "status", "leniency", "repairable", "measures"),
        ("entry_id", "kind", "reason", "department", "document_id", "start"), r.parse_entry,
        lambda row: row["entryId"],
        _by_subject_kind("subjectKind", ("ORGANIZATION", writes.UPSERT_ORGANIZATION_ENTRIES),
                         ("PERSON", writes.UPSERT_PERSON_ENTRIES)),
        references=_entry_references, from_catalogue=_entry_implied_measures,
        stored=Stored(writes.ENTRIES_UNDER_DUE_PROCESS, _entry_due_process_problem),
        catalogue_problem=_entry_measures_problem,
    ),
)

RECORD_KINDS: dict[str, RecordKind] = {kind.name: kind for kind in _KINDS}


def statements_for(kind: str, rows: list[Row]) -> Statements:
    """The write statements for rows of one kind, each with the rows it takes."""
    return RECORD_KINDS[kind].statements(rows)
