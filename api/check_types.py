"""GraphQL types of the credit check: the verdict, its findings and their explanation, the access log."""

from __future__ import annotations

import csv
import datetime as dt
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.auth import person_node_key, person_node_name
from api.types import (
    DecisionScenario,
    Leniency,
    ListEntry,
    Measure,
    Organization,
    PageInfo,
    Person,
    Role,
    Subject,
    to_date,
)
from graph import model, rules, settings
from queries import checks, subjects

if TYPE_CHECKING:
    from api.identity import FindingIdentity, PossibleLiabilityReach


def _scenario_codes() -> list[str]:
    with settings.SCENARIO_CATALOGUE.open(encoding="utf-8-sig", newline="") as handle:
        return [row["code"].strip() for row in csv.DictReader(handle) if (row.get("code") or "").strip()]


# Built from the catalogue: a new scenario is a new row in scenarios.csv, not new code.
ScenarioCode = strawberry.enum(  # type: ignore[call-overload]
    enum.Enum("Scenario", {code: code for code in _scenario_codes()}),
    name="Scenario", description="A decision in which credit records are checked (see `scenarios`)",
)
strawberry.enum(rules.Verdict, description="CLEAR: nothing applies; REVIEW: look closer; "
                                           "RESTRICTED: a mandatory measure applies")
strawberry.enum(checks.Via, description="How a finding reaches the checked subject")
Verdict = rules.Verdict
Via = checks.Via


@strawberry.input(description="Exactly one of uscc (an organisation) or personId")
class SubjectRef:
    uscc: str | None = None
    person_id: strawberry.ID | None = None

    def to_ref(self, field_name: str = "subject") -> subjects.SubjectRef:
        return subjects.SubjectRef.of(self.uscc, str(self.person_id) if self.person_id is not None else None,
                                    field_name)


def _subject_ref_from_input(cls: type[SubjectRef], value: Mapping[str, Any], context: Any) -> SubjectRef:
    """SubjectRef from its GraphQL value (already coerced by graphql-core: strings or null): what strawberry's
    generic conversion does, without its per-field look-ups, which were a tenth of a 1,000-subject checkBatch."""
    person_id = value.get("personId")
    return cls(uscc=value.get("uscc"), person_id=strawberry.ID(person_id) if person_id is not None else None)


# strawberry's hook for input types that build their own value (strawberry.pydantic uses it); an older strawberry
# without it converts field by field, with the same result.
_definition = getattr(SubjectRef, "__strawberry_definition__", None)
if hasattr(_definition, "from_input"):
    _definition.from_input = _subject_ref_from_input  # type: ignore[union-attr]


@strawberry.type(description="A role at the time it matters: its type, title as written and period")
class RoleAtTime:
    role: Role
    title: str | None
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None

    @classmethod
    def from_map(cls, m: dict[str, Any] | None) -> RoleAtTime | None:
        if not m:
            return None
        return cls(role=model.Role(m["role"]), title=m.get("title"), from_=to_date(m.get("from")),
                   to=to_date(m.get("to")))


@strawberry.type(description="A node on a path: an organisation, a person or a list entry")
class PathNode:
    kind: str
    key: str = strawberry.field(description="USCC, person id or entry id", extensions=[person_node_key()])
    name: str | None = strawberry.field(extensions=[person_node_name()])


@strawberry.type(description="A relationship on a path, between the nodes before and after it")
class PathRelationship:
    type: str
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    ratio: float | None
    forward: bool = strawberry.field(description="true: drawn from the node before to the node after")


@strawberry.type(description="From the checked subject to the list entry, nodes and relationships in order")
class Path:
    nodes: list[PathNode]
    relationships: list[PathRelationship]

    @classmethod
    def of(cls, nodes: list[subjects.PathNode], links: list[subjects.PathLink]) -> Path:
        return cls(nodes=[_node(n) for n in nodes],
                   relationships=[PathRelationship(type=x.type, from_=to_date(x.from_), to=to_date(x.to),
                                                   ratio=x.ratio, forward=x.forward) for x in links])


def _node(n: subjects.PathNode) -> PathNode:
    return PathNode(kind=n.kind, key=n.key, name=n.name)


@strawberry.type(description="One list entry reaching the checked subject, and why it matters")
class Finding:
    via: Via
    subject: Subject = strawberry.field(description="the organisation or person on the list")
    role: RoleAtTime | None = strawberry.field(description="the role linking that person to the checked "
                                                           "organisation on the check date")
    traced_role: RoleAtTime | None = strawberry.field(description="the role through which the entry reaches "
                                                                  "the person, held when the act happened or "
                                                                  "the listing was made")
    path: Path
    entry: ListEntry
    measures: list[Measure] = strawberry.field(description="measures on the list that apply in this scenario")
    effect: Verdict
    suspended: bool = strawberry.field(description="an objection is being verified: measures not executed")
    leniency: list[Leniency]
    ratio: float | None = strawberry.field(description="aggregated effective ratio of a controlling holder")
    chains: list[list[PathNode]] | None
    reasons: list[str]
    identity: Annotated[FindingIdentity, strawberry.lazy("api.identity")] | None = strawberry.field(
        description="reached through another record of the person: another mention of the same identity, with the "
                    "pairs and judgements the identity rests on; or (POSSIBLY_SAME_PERSON) the other side of an "
                    "unresolved pair, with its score and evidence")

    @classmethod
    def from_finding(cls, f: checks.Finding, shared: Shared | None = None) -> Finding:
        from api.identity import FindingIdentity

        shared = shared or Shared()
        subject: Organization | Person = (Organization.from_map(f.subject) if f.subject_kind == "ORGANIZATION"
                                          else Person.from_map(f.subject))
        return cls(
            via=f.via, subject=subject, role=RoleAtTime.from_map(f.role),
            traced_role=RoleAtTime.from_map(f.traced_role),
            path=Path.of(f.path_nodes, f.path_links),
            entry=ListEntry.from_map(f.entry), measures=[shared.measure(m) for m in f.measures],
            effect=f.effect, suspended=f.suspended, leniency=[model.Leniency(x) for x in f.leniency],
            ratio=f.ratio, chains=[[_node(n) for n in chain] for chain in f.chains] or None, reasons=f.reasons,
            identity=FindingIdentity.of(f.identity),
        )


@strawberry.type(description="The answer to a check: verdict, findings and the evidence to keep")
class CheckResult:
    verdict: Verdict
    subject: Subject
    scenario: ScenarioCode  # type: ignore[valid-type]
    scenario_detail: DecisionScenario
    as_of: dt.date
    checked_at: dt.datetime
    data_version: int
    findings: list[Finding]
    evidence: str = strawberry.field(description="canonical JSON of the result (sorted keys, no spaces, UTF-8)")
    evidence_hash: str = strawberry.field(description="SHA-256 of `evidence`, hex")
    judgements_relied_on: list[str] = strawberry.field(
        description="ids of the identity judgements the findings rely on (a SAME judgement merging two records, "
                    "the UNSURE judgement of a pair reported as possibly the same person); also in `evidence`")

    @classmethod
    def from_result(cls, r: checks.CheckResult, shared: Shared | None = None) -> CheckResult:
        """`shared`: the measures and scenarios already built for other results of the same request."""
        shared = shared or Shared()
        subject: Organization | Person = (Organization.from_map(r.subject_map) if r.subject.uscc
                                          else Person.from_map(r.subject_map))
        return cls(
            verdict=r.verdict, subject=subject, scenario=ScenarioCode[r.scenario["code"]],  # type: ignore[misc]
            scenario_detail=shared.scenario(r.scenario), as_of=dt.date.fromisoformat(r.as_of),
            checked_at=dt.datetime.fromisoformat(r.checked_at), data_version=r.data_version,
            findings=[Finding.from_finding(f, shared) for f in r.findings], evidence=r.evidence,
            evidence_hash=r.evidence_hash, judgements_relied_on=list(r.judgements),
        )


class Shared:
    """The catalogue's measures and scenarios as GraphQL objects, built once for all the results of one request:
    a batch names the same few dozen measures and one scenario thousands of times (the rows are the catalogue's
    own maps, queries/checks.py `measure_catalogue`, so the same code is the same measure)."""

    def __init__(self) -> None:
        self._measures: dict[str, Measure] = {}
        self._scenarios: dict[str, DecisionScenario] = {}

    def measure(self, m: dict[str, Any]) -> Measure:
        built = self._measures.get(m["code"])
        if built is None:
            built = self._measures[m["code"]] = Measure.from_map(m)
        return built

    def scenario(self, m: dict[str, Any]) -> DecisionScenario:
        built = self._scenarios.get(m["code"])
        if built is None:
            built = self._scenarios[m["code"]] = DecisionScenario.from_map(m)
        return built


@strawberry.type(description="A person reached (or not) by an entry on an organisation, and why")
class LiabilityReach:
    person: Person
    role: RoleAtTime
    reached: bool
    held_on: dt.date | None = strawberry.field(description="the date the role was held: act or listing date")
    measures: list[Measure]
    reason: str
    path: Path


@strawberry.type(description="Liability tracing of one list entry on an organisation")
class LiabilityTrace:
    entry: ListEntry
    organization: Organization
    reached: list[LiabilityReach]
    not_reached: list[LiabilityReach]
    possibly_same: list[Annotated[PossibleLiabilityReach, strawberry.lazy("api.identity")]] = strawberry.field(
        default_factory=list,
        description="persons the entry would also reach if an unresolved pair (OPEN, or judged UNSURE) with one of "
                    "those it reaches were judged SAME: listed apart, reached by nothing until someone judges")


def liability_trace(organization: dict[str, Any], entry: dict[str, Any],
                    reaches: list[checks.Reach],
                    possibly_same: list[checks.PossibleReach] | None = None) -> LiabilityTrace:
    from api.identity import PossibleLiabilityReach

    def one(r: checks.Reach) -> LiabilityReach:
        role = RoleAtTime.from_map(r.role)
        assert role is not None
        return LiabilityReach(person=Person.from_map(r.person), role=role, reached=r.reached,
                              held_on=to_date(r.at), measures=[Measure.from_map(m) for m in r.measures],
                              reason=r.reason, path=Path.of(r.path_nodes, r.path_links))

    return LiabilityTrace(entry=ListEntry.from_map(entry), organization=Organization.from_map(organization),
                          reached=[one(r) for r in reaches if r.reached],
                          not_reached=[one(r) for r in reaches if not r.reached],
                          possibly_same=[PossibleLiabilityReach.of(p) for p in possibly_same or []])


@strawberry.type(description="One registered access (DOMAIN rule 10): who asked about whom, when and why")
class AccessRecord:
    seq: int
    at: dt.datetime
    who: str
    role: str | None
    key_id: str | None = strawberry.field(description="the API key used (null: anonymous)")
    operation: str
    subject: str
    subject_kind: str | None
    scenario: str | None
    purpose: str | None
    as_of: dt.date | None
    verdict: str | None
    result_size: int | None
    evidence_hash: str | None
    report_number: str | None = strawberry.field(default=None, description="creditReport: the report's number "
                                                                           "(evidenceHash is the report's hash)")

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> AccessRecord:
        return cls(seq=int(m["seq"]), at=dt.datetime.fromisoformat(m["at"]), who=m.get("who") or "",
                   role=m.get("role"), key_id=m.get("keyId"), operation=m.get("operation") or "",
                   subject=m.get("subject") or "",
                   subject_kind=m.get("subjectKind"), scenario=m.get("scenario"), purpose=m.get("purpose"),
                   as_of=to_date(m.get("asOf")), verdict=m.get("verdict"), result_size=m.get("resultSize"),
                   evidence_hash=m.get("evidenceHash"), report_number=m.get("reportNumber"))


@strawberry.type
class AccessRecordConnection:
    nodes: list[AccessRecord]
    page_info: PageInfo
