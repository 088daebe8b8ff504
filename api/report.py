"""GraphQL types of the credit report (信用报告, queries/report.py) and its two root fields: `creditReport` and
`verifyReport`. The HTML page and the PDF (api/report_page.py) render what `creditReport` answers.

Persons are the schema's `Person` and `PathNode` types, so they are masked or shown in full (and registered in the
access log) exactly as everywhere else (api/auth.py `PersonField`); entries are `ListEntry` and the verdict is
`CheckResult`. Each report is registered in the access log with its number and hash (queries/report.py
`access_record`); `verifyReport` reads that record back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from api.auth import (
    BANK,
    DEPARTMENT,
    INVESTIGATOR,
    AccessLogged,
    RequirePurpose,
    RequireRole,
    principal,
)
from api.check_types import (
    CheckResult,
    Finding,
    LiabilityTrace,
    ScenarioCode,
    Shared,
    SubjectRef,
    liability_trace,
)
from api.network import ActualController
from api.types import (
    Document,
    EntryStatus,
    ListEntry,
    ListKind,
    Measure,
    Organization,
    Person,
    Role,
    Subject,
    to_date,
)
from graph import model, rules
from queries import checks
from queries import report as rep

# Who may see, in a report, the liability tracing of the subject's own entries: whoever may call traceLiability.
TRACE_ROLES: tuple[str, ...] = (INVESTIGATOR, DEPARTMENT)

strawberry.enum(rep.IdentityLevel, description="How sure the graph is that a person is one real person: CERTAIN "
                                               "(a valid resident ID number) or NAME_ONLY (a name alone)")
IdentityLevel = rep.IdentityLevel


@strawberry.type(description="身份确定性 How sure a person's identity is")
class ReportIdentity:
    level: IdentityLevel
    basis: str
    records: int = strawberry.field(description="the identity's records (mentions) in the sources")
    judgements: list[str] = strawberry.field(description="ids of the SAME judgements the identity rests on")
    open_candidates: int = strawberry.field(description="unresolved pairs with records that may be the same "
                                                        "person (identityReview)")

    @classmethod
    def of(cls, a: rep.IdentityAssurance) -> ReportIdentity:
        return cls(level=a.level, basis=a.basis, records=a.records, judgements=list(a.judgements),
                   open_candidates=a.open_candidates)


@strawberry.type(description="报告封面 The cover")
class ReportCover:
    title: str = strawberry.field(description="企业信用报告")
    report_number: str
    subject: Organization
    as_of: dt.date = strawberry.field(description="查询日 the day the records are taken as of")
    issued_at: dt.datetime
    data_version: int
    scenario: ScenarioCode  # type: ignore[valid-type]
    scenario_name: str
    scenario_basis: Document | None = strawberry.field(description="the scenario's basis document")
    purpose: str | None
    issuer: str = strawberry.field(description="出具系统 the issuing system")
    key_label: str = strawberry.field(description="查询者 the caller's key label")
    role: str = strawberry.field(description="the caller's role")


@strawberry.type(description="登记信息 Registration data, decoded from the USCC and as registered")
class ReportRegistration:
    uscc: str
    name: str | None
    registration_authority: str | None
    registration_authority_code: str
    category: str | None
    category_code: str
    division: str
    province: str | None
    organization_code: str = strawberry.field(description="the 9-character organisation code inside the USCC")
    organization_code_valid: bool
    status: str | None
    established: dt.date | None
    legal_form: str | None
    registered_capital: float | None
    capital_currency: str | None
    address: str | None
    business_scope: str | None


@strawberry.type(description="一个任职 A role held, with its period")
class ReportRole:
    role: Role
    role_label: str
    title: str | None
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    held_on_as_of: bool


@strawberry.type(description="主要人员 A key person and every role held in the subject")
class ReportKeyPerson:
    person: Person
    roles: list[ReportRole]
    current: bool = strawberry.field(description="holds one of the roles on the report's day")
    identity: ReportIdentity


@strawberry.type(description="股东 A shareholder on the report's day")
class ReportShareholder:
    holder: Subject
    ratio: float
    amount: float | None
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    identity: ReportIdentity | None = strawberry.field(description="for a person holder")


@strawberry.type(description="概况 Overview: registration, key persons, shareholders, control chain")
class ReportOverview:
    registration: ReportRegistration
    key_persons: list[ReportKeyPerson]
    shareholders: list[ReportShareholder]
    control: ActualController


@strawberry.type(description="异议/修复标注 An objection or repair mark on an entry")
class ReportMark:
    kind: str = strawberry.field(description="OBJECTION or REPAIR")
    status: str
    at: dt.date | None = strawberry.field(description="filed / applied")
    decided_at: dt.date | None
    text: str


@strawberry.type(description="惩戒措施及法律依据 A measure with its legal basis")
class ReportMeasure:
    measure: Measure
    basis: Document | None = strawberry.field(description="the basis document of the measure")


@strawberry.type(description="一条信用记录 A credit record of the subject, as it stood on the report's day")
class ReportEntry:
    entry: ListEntry
    kind_label: str
    status_on_as_of: EntryStatus | None
    status_label: str | None
    in_force: bool = strawberry.field(description="in force on the report's day")
    marks: list[ReportMark]
    measures: list[ReportMeasure]
    traced: strawberry.Private[bool]
    entry_id: strawberry.Private[str]

    @strawberry.field(description="责任追溯 Whom the entry reaches through the role held at the time (the entries of "
                                  "kinds that are traced; roles as for traceLiability)",
                      permission_classes=[RequireRole(*TRACE_ROLES)])
    def liability(self, info: Info) -> LiabilityTrace | None:
        if not self.traced:
            return None
        return liability_trace(*checks.trace_liability(info.context.store, self.entry_id))


@strawberry.type(description="一类信用信息 The records of one kind")
class ReportCreditGroup:
    kind: ListKind
    title: str
    entries: list[ReportEntry]

    @strawberry.field(description="records in force on the report's day")
    def in_force_count(self) -> int:
        return sum(1 for e in self.entries if e.in_force)


@strawberry.type(description="关联风险 A risk through a person or a controlling holder, with its path")
class ReportRelatedRisk:
    finding: Finding
    identity: ReportIdentity | None = strawberry.field(description="for a person found")
    measures: list[ReportMeasure] = strawberry.field(description="the finding's measures with their legal basis")


@strawberry.type(description="核验信息 Verification: the report number and hash, and how to verify them")
class ReportVerification:
    report_number: str
    report_hash: str = strawberry.field(description="SHA-256 of the report's canonical JSON, hex")
    algorithm: str
    check_evidence_hash: str = strawberry.field(description="the check's evidence hash (CheckResult.evidenceHash)")
    verify_url: str = strawberry.field(description="the page that verifies this report")
    note: str


@strawberry.type(description="企业信用报告 A credit report on an organisation, for one decision, as of one day")
class CreditReport:
    cover: ReportCover
    explanation: list[str] = strawberry.field(description="报告说明, with the policy text each statement rests on")
    overview: ReportOverview
    credit: list[ReportCreditGroup] = strawberry.field(description="信用信息 by kind, in a fixed order")
    related_risk: list[ReportRelatedRisk] = strawberry.field(description="关联风险: findings through persons and "
                                                                         "controlling holders")
    verdict: CheckResult = strawberry.field(description="the check for the scenario")
    verdict_label: str
    verification: ReportVerification


@strawberry.type(description="The answer of verifyReport")
class ReportVerificationResult:
    report_number: str
    valid: bool
    reason: str
    subject_uscc: str | None = strawberry.field(description="when valid")
    issued_at: dt.datetime | None
    as_of: dt.date | None
    scenario: str | None
    verdict: str | None
    data_version: int | None
    purpose: str | None


# ------------------------------------------------------------------------------------------- building


def _identity(r: rep.CreditReport, person: dict[str, Any] | None) -> ReportIdentity | None:
    if not person or not person.get("pid"):
        return None
    return ReportIdentity.of(r.identities.get(person["pid"]) or rep.identity_assurance(person))


def _role(role: dict[str, Any], day: dt.date) -> ReportRole:
    return ReportRole(role=model.Role(role["role"]), role_label=rep.ROLE_LABELS.get(role["role"], role["role"]),
                      title=role.get("title"), from_=to_date(role.get("from")), to=to_date(role.get("to")),
                      held_on_as_of=rules.held_on(rules.RoleHeld.from_map(role), day))


def _registration(r: rep.CreditReport) -> ReportRegistration:
    o, d = r.organization, r.registration
    return ReportRegistration(
        uscc=d["uscc"], name=o.get("name"), registration_authority=d.get("registrationAuthority"),
        registration_authority_code=d["registrationAuthorityCode"], category=d.get("category"),
        category_code=d["categoryCode"], division=d["division"], province=d.get("province"),
        organization_code=d["organizationCode"], organization_code_valid=bool(d["organizationCodeValid"]),
        status=o.get("status"), established=to_date(o.get("established")), legal_form=o.get("legalForm"),
        registered_capital=o.get("registeredCapital"), capital_currency=o.get("capitalCurrency"),
        address=o.get("address"), business_scope=o.get("businessScope"))


def _measures(r: rep.CreditReport, measures: list[dict[str, Any]], shared: Shared) -> list[ReportMeasure]:
    return [ReportMeasure(measure=shared.measure(m),
                          basis=Document.from_map(r.documents.get(m.get("basisDocument") or ""))) for m in measures]


def _entry(r: rep.CreditReport, e: rep.ReportEntry, shared: Shared) -> ReportEntry:
    entry = ListEntry.from_map(e.entry)
    return ReportEntry(
        entry=entry, kind_label=str(rep.KIND_LABELS.get(e.entry["kind"], e.entry["kind"])),
        status_on_as_of=model.EntryStatus(e.status_on) if e.status_on else None,
        status_label=rep.label(rep.STATUS_LABELS, e.status_on), in_force=e.in_force,
        marks=[ReportMark(kind=m.kind, status=m.status, at=to_date(m.at), decided_at=to_date(m.decided_at),
                          text=m.text) for m in e.marks],
        measures=_measures(r, e.entry.get("measures") or [], shared),
        traced=e.entry["kind"] in model.TRACED_KINDS, entry_id=e.entry["entryId"])


def credit_report(r: rep.CreditReport) -> CreditReport:
    shared = Shared()
    day = dt.date.fromisoformat(r.as_of)
    verdict = CheckResult.from_result(r.check, shared)
    holders = []
    for row in r.shareholders:
        h = row["holding"]
        holder: Organization | Person = (Organization.from_map(row["holder"]) if row.get("holder")
                                         else Person.from_map(row["person"]))
        holders.append(ReportShareholder(holder=holder, ratio=float(h.get("ratio") or 0), amount=h.get("amount"),
                                         from_=to_date(h.get("from")), to=to_date(h.get("to")),
                                         identity=_identity(r, row.get("person"))))
    related = [ReportRelatedRisk(finding=Finding.from_finding(f, shared),
                                 identity=_identity(r, f.subject) if f.subject_kind == "PERSON" else None,
                                 measures=_measures(r, f.measures, shared))
               for f in r.related]
    return CreditReport(
        cover=ReportCover(
            title="企业信用报告", report_number=r.number, subject=Organization.from_map(r.organization),
            as_of=day, issued_at=dt.datetime.fromisoformat(r.issued_at), data_version=r.data_version,
            scenario=ScenarioCode[r.scenario],  # type: ignore[misc]
            scenario_name=r.check.scenario.get("name") or r.scenario,
            scenario_basis=Document.from_map(r.documents.get(r.check.scenario.get("basisDocument") or "")),
            purpose=r.purpose, issuer=r.issuer,
            key_label=r.who, role=r.role),
        explanation=list(r.explanation),
        overview=ReportOverview(
            registration=_registration(r),
            key_persons=[ReportKeyPerson(person=Person.from_map(kp.person), roles=[_role(x, day) for x in kp.roles],
                                         current=kp.current, identity=ReportIdentity.of(kp.identity))
                         for kp in r.key_persons],
            shareholders=holders, control=ActualController.of(r.control)),
        credit=[ReportCreditGroup(kind=model.ListKind(g.kind), title=g.title,
                                  entries=[_entry(r, e, shared) for e in g.entries]) for g in r.groups],
        related_risk=related, verdict=verdict,
        verdict_label=rep.VERDICT_LABELS.get(r.check.verdict.value, r.check.verdict.value),
        verification=ReportVerification(
            report_number=r.number, report_hash=r.report_hash, algorithm="SHA-256",
            check_evidence_hash=r.check.evidence_hash,
            verify_url=f"/reports/verify?number={r.number}&hash={r.report_hash}",
            note="凭报告编号与报告哈希在本系统核验（GraphQL verifyReport 或上述页面）；"
                 "哈希与出具记录一致即报告未被改动。"),
    )


# ----------------------------------------------------------------------------------------------- fields


@strawberry.type
class ReportQuery:
    @strawberry.field(description="企业信用报告: a credit report on an organisation for a decision scenario as of a "
                                  "day (cover, explanation, overview, credit information by kind, related risk, "
                                  "verdict, verification). Registered in the access log with its number and hash; "
                                  "persons masked or in full as in every field. As a page and a PDF: "
                                  "GET /reports/{uscc}.html and /reports/{uscc}.pdf",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), RequirePurpose])
    def credit_report(self, info: Info, subject: SubjectRef, scenario: ScenarioCode,  # type: ignore[valid-type]
                      as_of: dt.date | None = None, purpose: str | None = None) -> CreditReport:
        who = principal(info)
        report = rep.build(info.context.store, subject.to_ref(), scenario.value, as_of,
                           purpose=info.context.purposes.of(info.path), who=who.label, role=who.role,
                           key_id=who.key_id)
        info.context.access.add(rep.access_record(report))
        return credit_report(report)

    @strawberry.field(description="Verify a credit report by its number and hash (报告核验): valid when the access "
                                  "log holds a report issued under that number with that hash. Open to every "
                                  "caller; registered in the access log",
                      extensions=[AccessLogged(rep.VERIFY_OPERATION, lambda source, kwargs: (
                          str(kwargs.get("number")), "REPORT"), lambda v: 1 if v.valid else 0)])
    def verify_report(self, info: Info, number: str, hash: str) -> ReportVerificationResult:
        v = rep.verify(info.context.store, number, hash)
        record = v.record or {}
        return ReportVerificationResult(
            report_number=v.number, valid=v.valid, reason=v.reason, subject_uscc=record.get("subject"),
            issued_at=dt.datetime.fromisoformat(record["at"]) if record.get("at") else None,
            as_of=to_date(record.get("asOf")), scenario=record.get("scenario"), verdict=record.get("verdict"),
            data_version=record.get("dataVersion"), purpose=record.get("purpose"))
