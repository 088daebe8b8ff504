"""FollowTheMoney out: the graph (or one subject's subgraph) as FollowTheMoney entities, built and checked with the
`followthemoney` library's model, written as JSON lines the FtM reader (loaders/ftm.py) loads back unchanged.

The mapping is the reader's, inverted (docs/DATA_FORMAT.md, "FollowTheMoney out"):
- organisation → `Company` (USCC registration authority 9, market regulation) or `Organization`, id `uscc-<USCC>`;
- person → `Person`, id = the person id; `idNumber` = the 居民身份证号 and the other identity documents, read
  through queries/access.py, only when `personal_ids` (the command line; the API's export leaves them out,
  rule 10);
- role → `Directorship` (`role` = the title as written and the canonical role), held by a person or an
  organisation; shareholding → `Ownership` (`percentage` in percent);
- list entry → `Sanction` (`recordId` = entry id, `programId` = kind, `authority`/`authorityId` = department,
  `proof` = the basis `Document`, `provisions` = the measure codes the record named (implied measures are
  left out: loading implies them again), `summary` = `severity: …`, `leniency: …`,
  `repairable: …`, `date` = act date) and its basis `Document` (id = document id).
Entities are sorted by id and their properties by name, so the same graph always gives the same file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model

from graph.errors import InvalidInput, NotFound
from graph.model import ListKind
from graph.statements import export
from graph.store import GraphStore
from queries import access
from queries.subjects import SubjectRef

Entity = dict[str, Any]

# The program written for each kind: the generic list names the reader maps back (programId decides anyway).
PROGRAM_NAMES: dict[str, str] = {
    ListKind.DISHONEST_DEBTOR: "失信被执行人名单",
    ListKind.BLACKLIST: "严重失信主体名单",
    ListKind.FOCUS_LIST: "重点关注名单",
    ListKind.RED_LIST: "红名单",
    ListKind.ADMINISTRATIVE_PENALTY: "行政处罚",
}
MAX_DEPTH = 3


@dataclass
class Scope:
    """What is exported: everything, or the subjects given (a relationship when both its ends are)."""

    everything: bool = True
    usccs: set[str] = field(default_factory=set)
    pids: set[str] = field(default_factory=set)

    def parameters(self) -> dict[str, Any]:
        return {"all": self.everything, "usccs": sorted(self.usccs), "pids": sorted(self.pids)}


def subgraph(store: GraphStore, subject: SubjectRef, depth: int = 1) -> Scope:
    """The subject and the subjects within `depth` hops of it through roles and shareholdings."""
    if not 0 <= depth <= MAX_DEPTH:
        raise InvalidInput(f"depth: 0 to {MAX_DEPTH}", field="depth")
    scope = Scope(False, {subject.uscc} if subject.uscc else set(), {subject.person_id} if subject.person_id else set())
    found = store.read(export.ORGANIZATIONS if subject.uscc else export.PERSONS, scope.parameters())
    if not found:
        raise NotFound(f"no {'organisation' if subject.uscc else 'person'} {subject.key}")
    frontier = Scope(False, set(scope.usccs), set(scope.pids))
    for _ in range(depth):
        rows = store.read(export.NEIGHBOURS, frontier.parameters())
        frontier = Scope(False, {r["uscc"] for r in rows if r["uscc"]} - scope.usccs,
                         {r["pid"] for r in rows if r["pid"]} - scope.pids)
        scope.usccs |= frontier.usccs
        scope.pids |= frontier.pids
    return scope


def organization_id(uscc: str) -> str:
    return f"uscc-{uscc}"


def _link_id(prefix: str, *parts: Any) -> str:
    return f"{prefix}-" + hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def _number(value: float) -> str:
    """A number as written back: no trailing `.0`, no exponent (ratios have 6 decimals, percentages 4)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _make(schema: str, eid: str, props: dict[str, Any]) -> Entity:
    """An entity built by the followthemoney model (unknown properties and invalid values raise), with its
    properties sorted by name; empty values are left out."""
    proxy = model.make_entity(schema)
    proxy.id = eid
    for name in sorted(props):
        value = props[name]
        for item in value if isinstance(value, list) else [value]:
            if item is not None and str(item) != "":
                proxy.add(name, str(item), quiet=False)
    data = proxy.to_dict()
    return {"id": data["id"], "schema": data["schema"],
            "properties": {name: data["properties"][name] for name in sorted(data["properties"])}}


def ftm_entities(store: GraphStore, scope: Scope | None = None, *, personal_ids: bool = True) -> list[Entity]:
    """Every FollowTheMoney entity of the scope (default: the whole graph), sorted by id."""
    params = (scope or Scope()).parameters()
    entities: dict[str, Entity] = {}

    def put(entity: Entity) -> None:
        if entity["id"] in entities and entities[entity["id"]] != entity:
            raise InvalidInput(f"two different entities would have the id {entity['id']!r} (a person id equal to "
                               "a document id?)")
        entities[entity["id"]] = entity

    for row in store.read(export.ORGANIZATIONS, params):
        o = row["organization"]
        schema = "Company" if o.get("registrationAuthorityCode") == "9" else "Organization"
        put(_make(schema, organization_id(o["uscc"]), {"name": o["name"], "uscCode": o["uscc"],
                                                        "status": o.get("status"),
                                                        "incorporationDate": o.get("established")}))
    persons = [row["person"] for row in store.read(export.PERSONS, params)]
    documents = access.identity_documents(store, [p["pid"] for p in persons]) if personal_ids else {}
    for p in persons:
        put(_make("Person", p["pid"], {"name": p["name"], "idNumber": documents.get(p["pid"], [])}))

    def holder_id(kind: str, key: str) -> str:
        return key if kind == "PERSON" else organization_id(key)

    for row in store.read(export.ROLES, params):
        props = row["props"]
        eid = _link_id("role", row["holderKind"], row["holder"], row["role"], row["uscc"], props["key"])
        title = props.get("title")
        put(_make("Directorship", eid, {
            "director": holder_id(row["holderKind"], row["holder"]), "organization": organization_id(row["uscc"]),
            "role": [title, row["role"]] if title and title != row["role"] else [row["role"]],
            "startDate": props.get("from"), "endDate": props.get("to"),
            "publisher": props.get("source") or f"ftm:{eid}"}))
    for row in store.read(export.SHAREHOLDINGS, params):
        props = row["props"]
        eid = _link_id("own", row["holderKind"], row["holder"], row["uscc"], props["key"])
        amount = props.get("amount")
        put(_make("Ownership", eid, {
            "owner": holder_id(row["holderKind"], row["holder"]), "asset": organization_id(row["uscc"]),
            "percentage": _number(props["ratio"] * 100), "sharesValue": None if amount is None else _number(amount),
            "startDate": props.get("from"), "endDate": props.get("to"),
            "publisher": props.get("source") or f"ftm:{eid}"}))
    for row in store.read(export.ENTRIES, params):
        for entity in _sanction(row):
            put(entity)
    return [entities[key] for key in sorted(entities)]


def _sanction(row: dict[str, Any]) -> Iterable[Entity]:
    e, department, document = row["entry"], row["entry"]["department"], row["entry"]["document"]
    summary = [f"severity: {e['severity']}", f"repairable: {'true' if e.get('repairable', True) else 'false'}"]
    if e.get("leniency"):
        summary.append("leniency: " + ";".join(e["leniency"]))
    subject = row["subject"] if row["subjectKind"] == "PERSON" else organization_id(row["subject"])
    yield _make("Document", document["documentId"], {
        "fileName": document["documentId"], "name": document["number"], "title": document["title"],
        "publisher": document.get("issuer"), "date": document.get("date"), "keywords": document.get("kind")})
    yield _make("Sanction", f"entry-{e['entryId']}", {
        "entity": subject, "recordId": e["entryId"], "programId": e["kind"], "program": PROGRAM_NAMES[e["kind"]],
        "reason": e["reason"], "status": e["status"], "startDate": e["start"], "endDate": e.get("end"),
        "date": e.get("actDate"), "authority": department["name"], "authorityId": department["code"],
        "proof": document["documentId"], "summary": summary,
        # Implied measures are not written: the reader implies the same from the catalogue again.
        "provisions": [] if e.get("measuresImplied") else sorted(e.get("measures") or [])})


def ftm_text(entities: Iterable[Entity]) -> str:
    """The entities as FollowTheMoney JSON lines (keys sorted, UTF-8 text as is)."""
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities)
