"""GraphQL types: thin wrappers built from the maps `queries/` returns.

Persons expose `idNumber` masked (`110***********1234`): the raw number is never projected by any read
statement (DOMAIN rule 10).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api.auth import (
    MayUnmask,
    PublicView,
    person_id_number,
    person_key,
    person_name,
    raw_id_number,
    unmasking_logged,
)
from api.offload import offload_sync_fields
from graph import model, rules

if TYPE_CHECKING:
    from api.identity import Identity

# The domain's enumerations are the GraphQL enums (strawberry.enum registers the class itself).
strawberry.enum(model.Role, description="A person's role in an organisation (法定代表人, 董事, …)")
strawberry.enum(model.ListKind, description="The kind of credit list an entry is on")
strawberry.enum(model.EntryStatus)
strawberry.enum(model.Severity)
strawberry.enum(model.Leniency, description="Grounds for lenient treatment (国办发〔2020〕49号 item 16)")
Role = model.Role
ListKind = model.ListKind
EntryStatus = model.EntryStatus
Severity = model.Severity
Leniency = model.Leniency


# Dates cross the edge as ISO strings from the graph and `datetime.date` in GraphQL: one conversion each way.
to_date = rules.day_of
iso = rules.iso


@strawberry.type(description="A department: recognises list entries, implements measures")
class Department:
    code: str
    name: str | None

    @classmethod
    def from_map(cls, m: dict[str, Any] | None) -> Department | None:
        return cls(code=m["code"], name=m.get("name")) if m else None


@strawberry.type(description="A legal document: judgment, penalty decision, policy document")
class Document:
    document_id: str
    number: str | None
    title: str | None
    issuer: str | None
    date: dt.date | None
    kind: str | None

    @classmethod
    def from_map(cls, m: dict[str, Any] | None) -> Document | None:
        if not m:
            return None
        return cls(document_id=m["documentId"], number=m.get("number"), title=m.get("title"),
                   issuer=m.get("issuer"), date=to_date(m.get("date")), kind=m.get("kind"))


@strawberry.type(description="A joint-punishment measure from the catalogue (惩戒措施清单)")
class Measure:
    code: str
    name: str
    name_en: str | None
    basis_document: str | None = strawberry.field(description="document_id of the legal basis")
    basis_item: str | None = strawberry.field(description="item of the basis document, as written")
    department_code: str | None = strawberry.field(description="implementing department")
    mandatory: bool = strawberry.field(description="强制性 (true) or 推荐性 (false)")
    targets: list[str]
    scenarios: list[str]
    kinds: list[ListKind]
    min_severity: Severity | None

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> Measure:
        return cls(
            code=m["code"], name=m.get("name") or m["code"], name_en=m.get("nameEn"),
            basis_document=m.get("basisDocument"), basis_item=m.get("basisItem"),
            department_code=m.get("departmentCode"), mandatory=bool(m.get("mandatory")),
            targets=list(m.get("targets") or []), scenarios=list(m.get("scenarios") or []),
            kinds=[model.ListKind(k) for k in m.get("kinds") or []],
            min_severity=model.Severity(m["minSeverity"]) if m.get("minSeverity") else None,
        )


@strawberry.type(description="A decision scenario and whose records it checks (中办发〔2016〕64号)")
class DecisionScenario:
    code: str
    name: str
    checked_roles: list[Role]
    basis_document: str | None
    basis_item: str | None
    note: str | None

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> DecisionScenario:
        return cls(code=m["code"], name=m.get("name") or m["code"],
                   checked_roles=[model.Role(r) for r in m.get("checkedRoles") or []],
                   basis_document=m.get("basisDocument"), basis_item=m.get("basisItem"), note=m.get("note"))


@strawberry.type(description="A credit record: a dishonest-debtor, blacklist, focus-list, red-list entry or a penalty")
class ListEntry:
    entry_id: str
    kind: ListKind
    reason: str | None
    severity: Severity | None
    start: dt.date | None
    end: dt.date | None
    act_date: dt.date | None
    status: EntryStatus
    leniency: list[Leniency]
    repairable: bool
    department: Department | None = strawberry.field(description="the recognising department")
    document: Document | None = strawberry.field(description="the basis document")
    measures: list[Measure]
    measures_implied: bool = strawberry.field(description="true: the record named no measures, and these are the "
                                                          "catalogue's measures for its kind and severity")
    # The entry as the rules see it (with its history): what `inForce` and every `asOf` filter ask.
    rules_entry: strawberry.Private[rules.Entry]

    @strawberry.field(description="In force on the date (today when not given): the status the entry had that "
                                  "day was live (EFFECTIVE or UNDER_OBJECTION) and the date lies within its period")
    def in_force(self, on: dt.date | None = None) -> bool:
        return rules.in_force_on(self.rules_entry, on or dt.date.today())

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> ListEntry:
        return cls(
            entry_id=m["entryId"], kind=model.ListKind(m["kind"]), reason=m.get("reason"),
            severity=model.Severity(m["severity"]) if m.get("severity") else None,
            start=to_date(m.get("start")), end=to_date(m.get("end")), act_date=to_date(m.get("actDate")),
            status=model.EntryStatus(m.get("status") or "EFFECTIVE"),
            leniency=[model.Leniency(x) for x in m.get("leniency") or []],
            repairable=m.get("repairable") is not False,
            department=Department.from_map(m.get("department")),
            document=Document.from_map(m.get("document")),
            # A pattern comprehension has no order, and the engines return different ones: code order.
            measures=[Measure.from_map(x) for x in sorted(m.get("measures") or [], key=lambda x: x["code"])],
            measures_implied=bool(m.get("measuresImplied")), rules_entry=rules.Entry.from_map(m),
        )


def _entries(rows: list[dict[str, Any]], in_force_on: dt.date | None) -> list[ListEntry]:
    entries = [ListEntry.from_map(m) for m in rows]
    if in_force_on is not None:
        entries = [e for e in entries if e.in_force(in_force_on)]
    return entries


@strawberry.type(description="A role held in an organisation over a period")
class RoleHeld:
    role: Role
    title: str | None = strawberry.field(description="the title as written (董事长, 总经理, …)")
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    source: str | None
    person: Person
    organization: Organization

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RoleHeld:
        r = row["role"]
        return cls(role=model.Role(r["role"]), title=r.get("title"), from_=to_date(r.get("from")),
                   to=to_date(r.get("to")), source=r.get("source"), person=Person.from_map(row["person"]),
                   organization=Organization.from_map(row["organization"]))


@strawberry.type(description="A shareholding: who holds what share of an organisation, over a period")
class Shareholding:
    ratio: float = strawberry.field(description="share held, in (0, 1]")
    amount: float | None
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    source: str | None
    holder_organization: Organization | None
    holder_person: Person | None
    organization: Organization

    @strawberry.field(description="the holder, organisation or person")
    def holder(self) -> Annotated[Organization | Person, strawberry.union("Subject")]:
        holder = self.holder_organization or self.holder_person
        if holder is None:  # the statement matches a holder node; a row without one is a bug, not a null
            raise ValueError("a shareholding without a holder")
        return holder

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Shareholding:
        h = row["holding"]
        holder_org = row.get("holder")
        holder_person = row.get("person")
        return cls(ratio=float(h.get("ratio") or 0), amount=h.get("amount"), from_=to_date(h.get("from")),
                   to=to_date(h.get("to")), source=h.get("source"),
                   holder_organization=Organization.from_map(holder_org) if holder_org else None,
                   holder_person=Person.from_map(holder_person) if holder_person else None,
                   organization=Organization.from_map(row["organization"]))


def _held(period: dict[str, Any], as_of: dt.date | None) -> bool:
    """No `asOf`: every role or holding, past and present; with it, those held on that day."""
    return as_of is None or rules.held_on(rules.Period.from_map(period), as_of)


@strawberry.type(description="An organisation (法人和非法人组织), keyed by its Unified Social Credit Code")
class Organization:
    uscc: str
    name: str | None
    status: str | None
    established: dt.date | None
    registration_authority: str | None
    registration_authority_code: str | None
    category: str | None
    category_code: str | None
    division: str | None = strawberry.field(description="6-digit administrative-division code")
    province: str | None
    registered_capital: float | None = strawberry.field(
        default=None, description="Registered capital (注册资本), in units of capitalCurrency (not 万)")
    capital_currency: str | None = strawberry.field(default=None, description="ISO 4217 code, e.g. CNY")
    legal_form: str | None = strawberry.field(default=None, description="Type of enterprise as registered (企业类型)")
    address: str | None = strawberry.field(default=None, description="Registered address (注册地址)")
    business_scope: str | None = strawberry.field(default=None, description="Business scope (经营范围)")

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> Organization:
        return cls(uscc=m["uscc"], name=m.get("name"), status=m.get("status"),
                   established=to_date(m.get("established")),
                   registration_authority=m.get("registrationAuthority"),
                   registration_authority_code=m.get("registrationAuthorityCode"), category=m.get("category"),
                   category_code=m.get("categoryCode"), division=m.get("division"), province=m.get("province"),
                   registered_capital=m.get("registeredCapital"), capital_currency=m.get("capitalCurrency"),
                   legal_form=m.get("legalForm"), address=m.get("address"), business_scope=m.get("businessScope"))

    @strawberry.field(description="Roles held in this organisation; with asOf, only those held on that date")
    async def roles(self, info: Info, as_of: dt.date | None = None) -> list[RoleHeld]:
        rows = await info.context.loaders.roles_in_organization.load(self.uscc)
        return [RoleHeld.from_row(r) for r in rows if _held(r["role"], as_of)]

    @strawberry.field(description="Who holds shares in this organisation")
    async def shareholders(self, info: Info, as_of: dt.date | None = None) -> list[Shareholding]:
        rows = await info.context.loaders.shareholders.load(self.uscc)
        return [Shareholding.from_row(r) for r in rows if _held(r["holding"], as_of)]

    @strawberry.field(description="Organisations this one holds shares in")
    async def investments(self, info: Info, as_of: dt.date | None = None) -> list[Shareholding]:
        rows = await info.context.loaders.investments_of_organization.load(self.uscc)
        return [Shareholding.from_row(r) for r in rows if _held(r["holding"], as_of)]

    @strawberry.field(description="Credit records of this organisation; with inForceOn, only those in force then "
                                  "(PUBLIC: only those in force today)", extensions=[PublicView()])
    async def entries(self, info: Info, in_force_on: dt.date | None = None) -> list[ListEntry]:
        return _entries(await info.context.loaders.entries_of_organization.load(self.uscc), in_force_on)


@strawberry.type(description="A natural person (自然人); the ID number is shown masked. Shown in full (and registered "
                             "in the access log) under a root field with a declared purpose, or to ADMIN; "
                             "otherwise masked: name 张**, no ID number, an opaque id (api/auth.py)")
class Person:
    id: strawberry.ID = strawberry.field(description="stable person id; masked view: an opaque id, the same "
                                                     "within one response only", extensions=[person_key()])
    name: str | None = strawberry.field(description="the name; masked view: 张** (see api/auth.py)",
                                        extensions=[person_name()])
    id_number: str | None = strawberry.field(description="居民身份证号, masked: 110***********1234; masked view: null",
                                             extensions=[person_id_number()])
    identity_key: strawberry.Private[str | None] = None

    @strawberry.field(description="The identity this record (a mention) belongs to: every record of the same "
                                  "person, how sure that is, and the judgements it rests on (issue 14). Its key is "
                                  "the id of the identity's canonical mention, masked as the person id is")
    def identity(self) -> Annotated[Identity, strawberry.lazy("api.identity")] | None:
        from api.identity import Identity

        return Identity(identity_key=self.identity_key) if self.identity_key else None

    @strawberry.field(description="居民身份证号 in full: keys with the unmask right, under a field with a declared "
                                  "purpose; registered in the access log",
                      permission_classes=[MayUnmask], extensions=[unmasking_logged()])
    def id_number_unmasked(self, info: Info) -> str | None:
        return raw_id_number(info, str(self.id))

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> Person:
        return cls(id=strawberry.ID(m["pid"]), name=m.get("name"), id_number=m.get("idMasked"),
                   identity_key=m.get("identity"))

    @strawberry.field(description="Roles this person holds or held; with asOf, only those held on that date")
    async def roles(self, info: Info, as_of: dt.date | None = None) -> list[RoleHeld]:
        rows = await info.context.loaders.roles_of_person.load(str(self.id))
        return [RoleHeld.from_row(r) for r in rows if _held(r["role"], as_of)]

    @strawberry.field(description="Organisations this person holds shares in")
    async def investments(self, info: Info, as_of: dt.date | None = None) -> list[Shareholding]:
        rows = await info.context.loaders.investments_of_person.load(str(self.id))
        return [Shareholding.from_row(r) for r in rows if _held(r["holding"], as_of)]

    @strawberry.field(description="Credit records of this person; with inForceOn, only those in force then "
                                  "(PUBLIC: only those in force today)", extensions=[PublicView()])
    async def entries(self, info: Info, in_force_on: dt.date | None = None) -> list[ListEntry]:
        return _entries(await info.context.loaders.entries_of_person.load(str(self.id)), in_force_on)


# Person.idNumberUnmasked reads the raw number from the store: off the event loop, as the root fields.
offload_sync_fields(Person, only=frozenset({"id_number_unmasked"}))


Subject = Annotated[Organization | Person, strawberry.union("Subject")]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class SubjectConnection:
    nodes: list[Subject]
    page_info: PageInfo


def subject_from_row(row: dict[str, Any]) -> Organization | Person:
    if row.get("organization"):
        return Organization.from_map(row["organization"])
    return Person.from_map(row["person"])
