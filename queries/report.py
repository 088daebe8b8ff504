"""The credit report (信用报告): one organisation's credit information on a day, for one decision, in the layout
public credit reports follow (cover, explanation, overview, credit information by kind, related risk, the
verdict, verification), built from the existing use-cases, not from new copies of their rules:

- overview: registration data decoded from the USCC (graph/identifiers.py), the organisation's key persons with
  every role and period (queries/lookup.py), its shareholders on the day and the control chain with ratios
  (queries/ownership.py `actual_controller`);
- credit information: the subject's own entries, each with its status as the history stood on the day
  (graph/rules.py `status_on`, `in_force_on`), basis document, recognising department, period and measures
  with their legal basis, grouped by kind (lists, penalties, red list), with objection and repair marks from
  its lifecycle (queries/lifecycle.py `history`);
- related risk and the verdict: the check for the scenario (queries/checks.py `check_subjects`: officers,
  liability tracing through the role held at the time, controlling holders up the equity chain, with paths);
- verification: the report number and the SHA-256 of the report's canonical JSON (`report_hash`). The number
  and hash are kept in the report's access record (queries/audit.py), which is append-only: `verify` reads that
  record, so a report is verified against the log, not a second, mutable store.

The policy texts (shared/seeds): 发改财金〔2013〕920号 (credit records and credit reports in administrative
decisions), 发改办财金〔2018〕893号 item 十一 (a listed subject submits a credit report to leave the list),
国发〔2016〕33号 item (二十二) (objections: measures suspended while the information is verified), 国办发〔2019〕35号
(graded supervision; credit repair).

Persons appear as the graph holds them; the API edge masks them for callers who may not see them in full
(api/auth.py), exactly as every other field. `identity_assurance` says how sure each person's identity is.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import secrets
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from graph import model, rules, settings
from graph.errors import InvalidInput
from graph.identifiers import decode_valid_uscc
from graph.statements import audit as audit_statements
from graph.store import GraphStore
from queries import checks, lifecycle, lookup, ownership
from queries.subjects import SubjectRef

Row = dict[str, Any]

OPERATION = "creditReport"  # the access record's operation
VERIFY_OPERATION = "verifyReport"

# The order of the credit-information sections, and their Chinese titles (with the English kind names).
KIND_ORDER: tuple[str, ...] = (
    model.ListKind.BLACKLIST, model.ListKind.DISHONEST_DEBTOR, model.ListKind.FOCUS_LIST,
    model.ListKind.ADMINISTRATIVE_PENALTY, model.ListKind.RED_LIST,
)
KIND_LABELS: dict[str, str] = {
    model.ListKind.BLACKLIST: "严重失信主体名单（黑名单）",
    model.ListKind.DISHONEST_DEBTOR: "失信被执行人",
    model.ListKind.FOCUS_LIST: "重点关注名单",
    model.ListKind.ADMINISTRATIVE_PENALTY: "行政处罚",
    model.ListKind.RED_LIST: "守信红名单",
}
STATUS_LABELS: dict[str, str] = {
    model.EntryStatus.PROPOSED: "拟列入（告知中）",
    model.EntryStatus.EFFECTIVE: "有效",
    model.EntryStatus.UNDER_OBJECTION: "异议核查中",
    model.EntryStatus.REPAIRED: "已信用修复",
    model.EntryStatus.EXPIRED: "已到期",
    model.EntryStatus.REVOKED: "已撤销",
}
ROLE_LABELS: dict[str, str] = {
    model.Role.LEGAL_REPRESENTATIVE: "法定代表人",
    model.Role.PRINCIPAL: "主要负责人",
    model.Role.ACTUAL_CONTROLLER: "实际控制人",
    model.Role.DIRECTOR: "董事",
    model.Role.SUPERVISOR: "监事",
    model.Role.SENIOR_MANAGER: "高级管理人员",
    model.Role.DIRECTLY_RESPONSIBLE: "负有直接责任的人员",
}
VERDICT_LABELS: dict[str, str] = {"CLEAR": "未发现限制（CLEAR）", "REVIEW": "需进一步审查（REVIEW）",
                                  "RESTRICTED": "依法限制（RESTRICTED）"}

# The explanation section (报告说明), with the policy text each statement rests on.
EXPLANATION: tuple[str, ...] = (
    "本报告依据《关于在行政管理事项中使用信用记录和信用报告的若干意见》（发改财金〔2013〕920号）出具，"
    "汇集报告主体在本系统信用信息图谱中截至查询日的信用记录，供报告用途所述的决策参考。",
    "信用信息按类别列示：严重失信主体名单（黑名单）、失信被执行人、重点关注名单、行政处罚、守信红名单；"
    "每条记录列明状态（按查询日的历史状态）、认定部门、认定依据文书、有效期间及惩戒措施与其法律依据。",
    "关联风险依据责任追溯规则列示：对单位的失信记录，追溯至行为发生时或列入名单时在任的法定代表人、"
    "主要负责人等人员（国发〔2016〕33号、发改办财金〔2018〕893号）；控股股东按股权链穿透、多链合计持股比例超过50%。",
    "异议标注：信用主体提出异议、信息核实期间，联合惩戒措施暂不执行（国发〔2016〕33号（二十二））。"
    "修复标注：已完成信用修复的记录不再作为联合惩戒依据（国办发〔2019〕35号、发改办财金〔2018〕893号）。",
    "失信主体申请退出黑名单或重点关注名单时，应主动提交信用报告（发改办财金〔2018〕893号第十一条）。",
    "自然人信息按查询者的权限显示：身份证号仅对具有解除脱敏权限的调查用户完整显示，其余显示为脱敏号码"
    "（前3位与后4位）；每次出具报告、每位显示的自然人及每次解除脱敏均记入访问日志。"
    "身份确定性：有有效居民身份证号者为“身份确定”，仅有姓名者为“仅凭姓名”（同名者可能为他人）。",
    "核验：凭报告编号与报告哈希（SHA-256）可在本系统核验报告的真实性（GraphQL verifyReport，或 /reports/verify 页面）；"
    "哈希与访问日志中该报告的记录一致，即证明报告内容自出具以来未被改动。",
)


def label(table: dict[str, str], code: str | None) -> str | None:
    return table.get(code, code) if code else None


# --------------------------------------------------------------------------------------------- identity


class IdentityLevel(enum.StrEnum):
    """How sure the graph is that a person mention is one real person (issue 14 will add resolved levels)."""

    CERTAIN = "CERTAIN"  # a valid resident ID number (居民身份证号; the loaders accept only valid ones)
    NAME_ONLY = "NAME_ONLY"  # a name without an ID number: the same name may be another person


@dataclass(frozen=True)
class IdentityAssurance:
    level: IdentityLevel
    basis: str  # in Chinese, for the report


def identity_assurance(person: Row) -> IdentityAssurance:
    """How sure each person's identity is, for the report. Today: certain when the person has a (valid) resident
    ID number, name-only otherwise. The one place to extend when person identity (issue 14: `Person.identity`,
    POSSIBLY_SAME candidates, judgements) is merged: e.g. a level for identities merged by a SAME judgement, and
    one for open candidates."""
    if person.get("idMasked"):
        return IdentityAssurance(IdentityLevel.CERTAIN, "身份确定：有效居民身份证号")
    return IdentityAssurance(IdentityLevel.NAME_ONLY, "仅凭姓名识别：无身份证号，同名者可能为他人")


# ---------------------------------------------------------------------------------------------- model


@dataclass
class KeyPerson:
    person: Row
    roles: list[Row]  # the person's roles in the organisation, each with its period, earliest first
    current: bool  # holds one of them on the report's day
    identity: IdentityAssurance


@dataclass
class Mark:
    """An objection or repair mark on an entry (异议标注 / 修复标注)."""

    kind: str  # OBJECTION or REPAIR
    status: str  # PENDING, UPHELD, REJECTED / PENDING, APPROVED, REJECTED; or the entry's status
    at: str | None  # filed / applied (day)
    decided_at: str | None
    text: str  # in Chinese


@dataclass
class ReportEntry:
    entry: Row
    status_on: str | None  # as the history stood on the report's day
    in_force: bool
    marks: list[Mark]


@dataclass
class EntryGroup:
    kind: str
    title: str
    entries: list[ReportEntry]


@dataclass
class CreditReport:
    number: str
    issued_at: str
    as_of: str
    scenario: str
    purpose: str | None
    who: str  # the caller's key label
    role: str
    key_id: str | None
    issuer: str
    organization: Row
    registration: Row  # the USCC decoded
    key_persons: list[KeyPerson]
    shareholders: list[Row]  # held on the day
    control: ownership.Control
    groups: list[EntryGroup]
    check: checks.CheckResult
    # The legal basis of every measure the report names (entries and findings), by document id.
    documents: dict[str, Row] = field(default_factory=dict)
    explanation: tuple[str, ...] = EXPLANATION
    report_hash: str = ""
    body: str = ""  # the canonical JSON that was hashed

    @property
    def data_version(self) -> int:
        return self.check.data_version

    @property
    def related(self) -> list[checks.Finding]:
        """The related risk: findings through persons and controlling holders (not the subject's own entries)."""
        return [f for f in self.check.findings if f.via is not checks.Via.SELF]


# ---------------------------------------------------------------------------------------------- build


def new_number(now: dt.datetime) -> str:
    """CR + issue day + 12 random hex digits: unguessable, so a number alone reveals nothing."""
    return f"CR{now:%Y%m%d}-{secrets.token_hex(6).upper()}"


_OBJECTION_TEXT = {"PENDING": "异议核查中，惩戒措施暂不执行", "UPHELD": "异议成立，记录已更正或撤销",
                   "REJECTED": "异议不成立，记录维持"}
_REPAIR_TEXT = {"PENDING": "信用修复申请审核中", "APPROVED": "信用修复已批准", "REJECTED": "信用修复申请未获批准"}


def _mark(kind: str, status: str, filed: str | None, decided: str | None, day: dt.date) -> Mark | None:
    """The mark as it stood on the report's day: none when filed later; still PENDING when decided later."""
    filed_on, decided_on = rules.day_of((filed or "")[:10] or None), rules.day_of((decided or "")[:10] or None)
    if filed_on is not None and filed_on > day:
        return None
    if decided_on is not None and decided_on > day:
        status, decided_on = "PENDING", None
    texts = _OBJECTION_TEXT if kind == "OBJECTION" else _REPAIR_TEXT
    return Mark(kind, status, rules.iso(filed_on), rules.iso(decided_on), texts.get(status, status))


def _marks(store: GraphStore, entry: Row, status: str | None, day: dt.date) -> list[Mark]:
    """Objection and repair marks from the entry's lifecycle records, as they stood on the day."""
    history = lifecycle.history(store, entry["entryId"])
    found = [_mark("OBJECTION", o.get("status") or "", o.get("filedAt"), o.get("resolvedAt"), day)
             for o in history["objections"]]
    found += [_mark("REPAIR", r.get("status") or "", r.get("appliedAt"), r.get("decidedAt"), day)
              for r in history["repairs"]]
    marks = [m for m in found if m is not None]
    # A status loaded from a source without the lifecycle's records still carries its mark.
    if status == model.EntryStatus.UNDER_OBJECTION and not any(m.kind == "OBJECTION" and m.status == "PENDING"
                                                              for m in marks):
        marks.append(Mark("OBJECTION", status, None, None, _OBJECTION_TEXT["PENDING"]))
    if status == model.EntryStatus.REPAIRED and not any(m.kind == "REPAIR" and m.status == "APPROVED"
                                                       for m in marks):
        marks.append(Mark("REPAIR", status, None, None, "已完成信用修复，不再作为联合惩戒依据"))
    return marks


def _groups(store: GraphStore, entries: list[Row], day: dt.date) -> list[EntryGroup]:
    by_kind: dict[str, list[ReportEntry]] = {}
    for entry in entries:
        typed = rules.Entry.from_map(entry)
        status = rules.status_on(typed, day)
        if status is None:
            continue  # not yet proposed on the day
        by_kind.setdefault(entry["kind"], []).append(
            ReportEntry({**entry, "measures": sorted(entry.get("measures") or [], key=lambda m: m["code"])},
                        status, rules.in_force_on(typed, day), _marks(store, entry, status, day)))
    for items in by_kind.values():
        items.sort(key=lambda r: (not r.in_force, r.entry.get("start") or "", r.entry["entryId"]))
    return [EntryGroup(kind, KIND_LABELS.get(kind, kind), by_kind.get(kind, [])) for kind in KIND_ORDER]


def _key_persons(roles: list[Row], day: dt.date) -> list[KeyPerson]:
    by_person: dict[str, KeyPerson] = {}
    order = {role: i for i, role in enumerate(model.ROLES)}
    for row in roles:
        person, role = row["person"], row["role"]
        kp = by_person.get(person["pid"])
        if kp is None:
            kp = by_person[person["pid"]] = KeyPerson(person, [], False, identity_assurance(person))
        kp.roles.append(role)
        kp.current |= rules.held_on(rules.RoleHeld.from_map(role), day)
    for kp in by_person.values():
        kp.roles.sort(key=lambda r: (r.get("from") or "", order.get(r["role"], 99)))
    return sorted(by_person.values(), key=lambda kp: (not kp.current, min(order.get(r["role"], 99) for r in kp.roles),
                                                       kp.person.get("name") or "", kp.person["pid"]))


def build(store: GraphStore, subject: SubjectRef, scenario: str, as_of: dt.date | None = None, *,
          purpose: str | None, who: str, role: str, key_id: str | None,
          now: dt.datetime | None = None) -> CreditReport:
    """The report on an organisation for a scenario on a day (today when not given)."""
    if subject.uscc is None:
        raise InvalidInput("subject: credit reports are made for organisations; give subject.uscc",
                           field="subject")
    now = now or dt.datetime.now(dt.UTC)
    day = as_of or now.date()
    result = checks.check_subjects(store, [subject], scenario, day, now=now)[0]  # NotFound for an unknown USCC
    uscc = subject.uscc
    organization = lookup.organizations(store, [uscc])[0] or result.subject_map
    registration = decode_valid_uscc(uscc)
    roles = lookup.roles_in_organizations(store, [uscc])[0]
    holders = [r for r in lookup.shareholders_of(store, [uscc])[0]
               if rules.held_on(rules.Period.from_map(r["holding"]), day)]
    holders.sort(key=lambda r: (-float(r["holding"].get("ratio") or 0),
                                (r.get("holder") or {}).get("uscc") or (r.get("person") or {}).get("pid") or ""))
    control = ownership.actual_controller(store, uscc, day)
    groups = _groups(store, lookup.entries_of_organizations(store, [uscc])[0], day)
    report = CreditReport(
        number=new_number(now), issued_at=now.isoformat(timespec="seconds"), as_of=day.isoformat(),
        scenario=scenario, purpose=purpose, who=who, role=role, key_id=key_id, issuer=settings.REPORT_ISSUER,
        organization=organization, registration=registration, key_persons=_key_persons(roles, day),
        shareholders=holders, control=control, groups=groups, check=result,
    )
    basis = sorted({m["basisDocument"] for g in groups for r in g.entries for m in r.entry.get("measures") or []
                    if m.get("basisDocument")}
                   | {m["basisDocument"] for f in result.findings for m in f.measures if m.get("basisDocument")}
                   | ({result.scenario["basisDocument"]} if result.scenario.get("basisDocument") else set()))
    report.documents = {d["documentId"]: d for d in lookup.documents(store, basis) if d}
    report.body = canonical(report)
    report.report_hash = hashlib.sha256(report.body.encode("utf-8")).hexdigest()
    return report


# ------------------------------------------------------------------------------------------ hashing


_NOT_HASHED = frozenset({"report_hash", "body", "explanation"})


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, checks.CheckResult):
        # The check is represented by its own evidence hash (which covers its whole answer).
        return {"verdict": value.verdict.value, "evidenceHash": value.evidence_hash, "asOf": value.as_of,
                "dataVersion": value.data_version, "scenario": value.scenario.get("code")}
    if isinstance(value, tuple):
        return list(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value) if f.name not in _NOT_HASHED}
    raise TypeError(f"{type(value).__name__} is not part of a credit report")


def canonical(report: CreditReport) -> str:
    """Canonical JSON of the report's content (sorted keys, no spaces, UTF-8): number, issue time, caller, subject,
    overview, every entry with its day's status and marks, and the check (by its evidence hash)."""
    return json.dumps(_json_value(report), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_value)


def access_record(report: CreditReport) -> Row:
    """The report's access record (queries/audit.py): the verdict, the report hash (`evidenceHash`), the number
    and the check's own evidence hash; verification reads it back."""
    return {
        "at": report.issued_at, "who": report.who, "role": report.role, "keyId": report.key_id,
        "operation": OPERATION, "subject": report.organization["uscc"], "subjectKind": "ORGANIZATION",
        "scenario": report.scenario, "purpose": report.purpose, "asOf": report.as_of,
        "verdict": report.check.verdict.value, "resultSize": len(report.check.findings),
        "evidenceHash": report.report_hash, "reportNumber": report.number,
        "checkEvidenceHash": report.check.evidence_hash, "dataVersion": report.data_version,
    }


# ---------------------------------------------------------------------------------------- verification


@dataclass
class Verification:
    number: str
    valid: bool
    reason: str
    record: Row | None = None  # the report's access record, when valid


def verify(store: GraphStore, number: str, report_hash: str) -> Verification:
    """Whether a report with this number was issued with this hash: read from the access log."""
    number = (number or "").strip().upper()
    given = (report_hash or "").strip().lower()
    if not number or len(number) > settings.MAX_REPORT_NUMBER_LENGTH:
        raise InvalidInput(f"number: a report number is 1-{settings.MAX_REPORT_NUMBER_LENGTH} characters",
                           field="number")
    if len(given) != 64 or any(c not in "0123456789abcdef" for c in given):
        raise InvalidInput("hash: the report hash is 64 hexadecimal digits (SHA-256)", field="hash")
    rows = store.read(audit_statements.REPORT_RECORD, {"number": number})
    if not rows:
        return Verification(number, False, "本系统未出具该编号的报告 (no report with this number was issued)")
    record = rows[0]["record"]
    if record.get("evidenceHash") != given:
        return Verification(number, False, "报告哈希不符：报告内容与出具时不一致 (the hash does not match the report "
                                           "issued under this number)")
    return Verification(number, True, "报告真实：编号与哈希与出具记录一致 (the number and hash match the issued "
                                      "report)", record)


__all__ = ["CreditReport", "EntryGroup", "IdentityAssurance", "IdentityLevel", "KeyPerson", "Mark", "ReportEntry",
           "Verification", "access_record", "build", "canonical", "identity_assurance", "verify"]
