"""GraphQL of person identity (issue 14): who is who, how sure, and who decided.

Thin: the resolver, candidates, judgements and their rules are graph/resolution.py and queries/identity.py
(identity-core); the checks' use of identities is queries/checks.py. This module turns their typed values into
GraphQL types and declares who may do what (api/auth.py):

| field                                   | PUBLIC | BANK     | INVESTIGATOR | DEPARTMENT | ADMIN |
|-----------------------------------------|--------|----------|--------------|------------|-------|
| judgeIdentity (purpose)                 | no     | no       | yes          | no         | yes   |
| identityReview, judgementHistory (purpose) | no  | no       | yes          | no         | yes   |
| identity (purpose)                      | no     | yes      | yes          | yes        | yes   |
| Person.identity (key; detail as the person) | masked key | as Person | as Person | as Person | yes |

Every person in these types is a `Person` (the same masking and registration as anywhere: name 张**, opaque id
without a purpose); an identity's key is a pid and is masked the same way (an opaque key within the response).
Free text that may name persons (a judgement's reason) is null in a masked view; evidence names persons only as
`persons` (co-officers' pids, queries/identity.py), never in its `detail`. Each root field
is registered in the access log (`AccessLogged`): judgeIdentity with the pair, identityReview with the page size.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from api.auth import (
    BANK,
    DEPARTMENT,
    INVESTIGATOR,
    AccessLogged,
    PersonField,
    RequirePurpose,
    RequireRole,
    _PostProcess,
    argument,
    discloses_persons,
)
from api.check_types import RoleAtTime, Verdict, Via
from api.offload import run_blocking
from api.types import PageInfo, Person
from graph import model, resolution
from queries import checks
from queries import identity as ident

Row = dict[str, Any]


# The model's enums (graph/model.py), exposed under their GraphQL names.
strawberry.enum(
    model.CandidateStatus, name="PairStatus",
    description="Where a candidate pair stands: OPEN waits for a judgement; AUTO was merged automatically (score at "
                "or above the automatic threshold, no DIFFERENT judgement); JUDGED: a current judgement decides it")
strawberry.enum(
    model.JudgementVerdict, name="IdentityVerdict",
    description="SAME merges the two identities; DIFFERENT forbids any merge of them; UNSURE leaves the pair apart "
                "and open for review")
PairStatus = model.CandidateStatus
IdentityVerdict = model.JudgementVerdict
E = TypeVar("E", bound=enum.Enum)


def _member(kind: type[E], value: Any) -> E | None:
    """`value`'s member of the enum `kind`; None for None or a value it does not have (an older graph's)."""
    return kind(value) if value in kind.__members__ else None


@strawberry.enum(description="How a finding reaches a person through another record: IDENTITY, another mention "
                             "of the same identity; CANDIDATE, possibly the same person (an unresolved pair)")
class IdentityLinkKind(enum.Enum):
    IDENTITY = "IDENTITY"
    CANDIDATE = "CANDIDATE"


class DisclosedOnly(_PostProcess):
    """Free text that may name persons (a judgement's reason): shown where persons are disclosed (api/auth.py
    `discloses_persons`), null in a masked view."""

    def after(self, value: Any, source: Any, info: Info) -> Any:
        return value if discloses_persons(info) else None


def _identity_key(source: Any) -> str | None:
    key = getattr(source, "identity_key", None)
    return str(key) if key else None


def identity_key_field() -> PersonField:
    """An identity's key (the pid of its canonical mention): an opaque key when persons are not disclosed."""
    return PersonField(lambda key, info, pid: info.context.opaque.of(pid), _identity_key)


async def _person(info: Info, pid: str | None) -> Person | None:
    if not pid:
        return None
    row = await info.context.loaders.person.load(pid)
    return Person.from_map(row) if row else None


# ------------------------------------------------------------------------------------------------ evidence


@strawberry.type(description="One piece of evidence that two mentions are the same person, and its weight")
class IdentityEvidence:
    kind: str = strawberry.field(description="SAME_NAME, SHARED_ORGANIZATION, SHARED_CO_OFFICERS, SAME_DIVISION, "
                                             "OVERLAPPING_PERIODS, MASKED_ID_COMPATIBLE, MASKED_ID_CONFLICT, …")
    detail: str | None = strawberry.field(description="what was found: organisations (USCCs), divisions, counts, "
                                                      "dates; never a person (those are `persons`)")
    weight: float | None = strawberry.field(description="its log-odds weight in the score")
    pids: strawberry.Private[tuple[str, ...]] = ()

    @strawberry.field(description="the persons the evidence rests on (co-officers), masked and registered as "
                                  "persons are everywhere")
    async def persons(self, info: Info) -> list[Person]:
        found = [await _person(info, pid) for pid in self.pids]
        return [p for p in found if p is not None]

    @classmethod
    def from_map(cls, m: Row) -> IdentityEvidence:
        weight = m.get("weight")
        return cls(kind=str(m.get("kind") or ""), detail=None if m.get("detail") is None else str(m["detail"]),
                   weight=float(weight) if isinstance(weight, int | float) else None,
                   pids=tuple(str(p) for p in m.get("pids") or ()))


@strawberry.type(description="A candidate pair of mentions (POSSIBLY_SAME): its score, evidence and where it "
                             "stands; `left` is the mention with the smaller id")
class IdentityPair:
    left_pid: strawberry.Private[str]
    right_pid: strawberry.Private[str]
    score: float | None = strawberry.field(description="0-1; at or above the automatic threshold a pair merges "
                                                       "by itself unless judged DIFFERENT")
    status: PairStatus | None
    verdict: IdentityVerdict | None = strawberry.field(description="of the pair's current judgement, if any")
    judgement_id: str | None = strawberry.field(description="the pair's current judgement, if any")
    evidence: list[IdentityEvidence]

    @strawberry.field(description="the mention with the smaller id")
    async def left(self, info: Info) -> Person | None:
        return await _person(info, self.left_pid)

    @strawberry.field(description="the other mention")
    async def right(self, info: Info) -> Person | None:
        return await _person(info, self.right_pid)

    @classmethod
    def from_map(cls, m: Row) -> IdentityPair:
        """From queries/checks.py `pair_of`."""
        return cls(left_pid=str(m.get("left") or ""), right_pid=str(m.get("right") or ""), score=m.get("score"),
                   status=_member(PairStatus, m.get("status")), verdict=_member(IdentityVerdict, m.get("verdict")),
                   judgement_id=m.get("judgementId"),
                   evidence=[IdentityEvidence.from_map(e) for e in m.get("evidence") or []])


# --------------------------------------------------------------------------------------------- in checks


@strawberry.type(description="How a finding reaches a person through another record of them (issue 14)")
class FindingIdentity:
    kind: IdentityLinkKind
    mention: Person = strawberry.field(description="the record reached: another mention of the same identity "
                                                   "(IDENTITY), or the other side of the pair (CANDIDATE)")
    certain: bool = strawberry.field(description="IDENTITY: the mentions share a resident ID number (no pair, no "
                                                 "judgement needed)")
    pairs: list[IdentityPair] = strawberry.field(description="IDENTITY: the pairs the identity rests on (merged "
                                                             "automatically or judged SAME); CANDIDATE: the pair")
    judgements: list[str] = strawberry.field(description="ids of the judgements relied on (SAME; or the UNSURE "
                                                         "judgement of the pair)")
    via_if_same: Via | None = strawberry.field(description="CANDIDATE: how the finding would reach the subject "
                                                           "if the pair were judged SAME")
    effect_if_same: Verdict | None = strawberry.field(description="CANDIDATE: the finding's effect if the pair "
                                                                  "were judged SAME")
    identity_key: strawberry.Private[str | None]

    @strawberry.field(description="the identity's key (the id of its canonical mention); CANDIDATE: the other "
                                  "side's", extensions=[identity_key_field()])
    def identity(self) -> strawberry.ID | None:
        return strawberry.ID(self.identity_key) if self.identity_key else None

    @classmethod
    def of(cls, link: checks.IdentityLink | None) -> FindingIdentity | None:
        if link is None:
            return None
        return cls(kind=IdentityLinkKind(link.kind), mention=Person.from_map(link.mention), certain=link.certain,
                   pairs=[IdentityPair.from_map(p) for p in link.pairs], judgements=list(link.judgements),
                   via_if_same=link.via_if_same, effect_if_same=link.effect_if_same, identity_key=link.identity)


# ----------------------------------------------------------------------------------------------- tracing


@strawberry.type(description="A person the entry would reach if an unresolved pair were judged SAME: `other` is "
                             "possibly the same person as `person`, whom the entry reaches through `role`")
class PossibleLiabilityReach:
    person: Person
    role: RoleAtTime
    other: Person
    pair: IdentityPair
    reason: str

    @classmethod
    def of(cls, p: checks.PossibleReach) -> PossibleLiabilityReach:
        role = RoleAtTime.from_map(p.role)
        assert role is not None
        return cls(person=Person.from_map(p.person), role=role, other=Person.from_map(p.other),
                   pair=IdentityPair.from_map(p.pair), reason=p.reason)


# ------------------------------------------------------------------------------------------- judgements


@strawberry.type(description="A judgement on a pair of mentions: who decided, when, why. Append-only per pair; "
                             "the latest is current (a reversal is a new judgement)")
class IdentityJudgement:
    judgement_id: str
    seq: int = strawberry.field(description="1, 2, … per pair")
    verdict: IdentityVerdict
    who: str = strawberry.field(description="the label of the key that judged")
    role: str
    key_id: str | None
    at: dt.datetime
    reason: str | None = strawberry.field(description="why (null in a masked view: it may name persons)",
                                          extensions=[DisclosedOnly()])
    current: bool
    left_pid: strawberry.Private[str]
    right_pid: strawberry.Private[str]

    @strawberry.field(description="the mention with the smaller id")
    async def left(self, info: Info) -> Person | None:
        return await _person(info, self.left_pid)

    @strawberry.field(description="the other mention")
    async def right(self, info: Info) -> Person | None:
        return await _person(info, self.right_pid)

    @classmethod
    def of(cls, j: resolution.Judgement) -> IdentityJudgement:
        return cls(judgement_id=j.judgement_id, seq=j.seq, verdict=j.verdict, who=j.who,
                   role=j.role, key_id=j.key_id, at=dt.datetime.fromisoformat(j.at), reason=j.reason,
                   current=j.current, left_pid=j.left, right_pid=j.right)


def _candidate(c: resolution.Candidate, verdict: str | None = None) -> IdentityPair:
    return IdentityPair(left_pid=c.left, right_pid=c.right, score=c.score, status=c.status,
                        verdict=_member(IdentityVerdict, verdict),
                        judgement_id=None,
                        evidence=[IdentityEvidence(kind=e.kind.value, detail=e.detail, weight=e.weight,
                                                   pids=tuple(e.pids)) for e in c.evidence])


@strawberry.type(description="Open candidate pairs (waiting for a judgement, or judged UNSURE), best score first")
class IdentityReviewPage:
    nodes: list[IdentityPair]
    page_info: PageInfo
    total_open: int = strawberry.field(description="open candidate pairs in the whole graph")


# ---------------------------------------------------------------------------------------------- identity


strawberry.enum(
    model.IdentityCertainty, name="IdentityCertainty",
    description="How sure an identity is: SINGLE, one record; CERTAIN, its records share a valid resident ID number; "
                "JUDGED, a SAME judgement joins some of them; AUTOMATIC, an automatic merge (and no judgement) joins "
                "some of them")
IdentityCertainty = model.IdentityCertainty


@strawberry.type(description="An organisation a mention holds a role (or shares) in, as its source gave it")
class MentionRole:
    uscc: str
    organization: str | None
    division: str | None
    province: str | None
    role: str
    from_: dt.date | None = strawberry.field(name="from")
    to: dt.date | None
    source: str | None


@strawberry.type(description="One record of the person as a source gave it")
class IdentityMention:
    person: Person
    certain: bool = strawberry.field(description="the record carries a valid resident ID number")
    sources: list[str]
    roles: list[MentionRole]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _mention(m: ident.IdentityMention) -> IdentityMention:
    return IdentityMention(
        person=Person.from_map({"pid": m.pid, "name": m.name, "idMasked": m.id_masked}), certain=m.certain,
        sources=m.sources,
        roles=[MentionRole(uscc=r["uscc"], organization=r.get("organization"), division=r.get("division"),
                           province=r.get("province"), role=r["role"], from_=_date(r.get("from")),
                           to=_date(r.get("to")), source=r.get("source")) for r in m.roles])


@strawberry.type(description="A resolved person: one or more mentions (records as the sources gave them) known to "
                             "be the same person, by a resident ID number, a SAME judgement or an automatic merge")
class Identity:
    identity_key: strawberry.Private[str]
    detail: strawberry.Private[ident.Identity | None] = None
    loading: strawberry.Private[asyncio.Future[ident.Identity] | None] = None

    @strawberry.field(description="the id of the identity's canonical mention; masked view: an opaque key",
                      extensions=[identity_key_field()])
    def key(self) -> strawberry.ID:
        return strawberry.ID(self.identity_key)

    async def _detail(self, info: Info) -> ident.Identity:
        """queries/identity.py `identity_of`, once per object however many of its fields are asked for."""
        if self.detail is not None:
            return self.detail
        if self.loading is None:
            self.loading = asyncio.ensure_future(run_blocking(ident.identity_of, info.context.store,
                                                              self.identity_key))
        self.detail = await self.loading
        return self.detail

    @strawberry.field(description="how sure it is that the mentions are one person")
    async def certainty(self, info: Info) -> IdentityCertainty:
        return (await self._detail(info)).certainty

    @strawberry.field(description="every record of the person")
    async def mentions(self, info: Info) -> list[IdentityMention]:
        return [_mention(m) for m in (await self._detail(info)).mentions]

    @strawberry.field(description="the current judgements on pairs with one of its mentions (SAME ones join it)")
    async def judgements(self, info: Info) -> list[IdentityJudgement]:
        return [IdentityJudgement.of(j) for j in (await self._detail(info)).judgements]

    @strawberry.field(description="ids of the SAME judgements that join its mentions")
    async def relied_on(self, info: Info) -> list[str]:
        return list((await self._detail(info)).relied_on)

    @strawberry.field(description="the automatic merges among its mentions")
    async def automatic_merges(self, info: Info) -> list[IdentityPair]:
        return [_candidate(c) for c in (await self._detail(info)).auto]

    @strawberry.field(description="open candidate pairs from its mentions to other identities, best score first")
    async def candidates(self, info: Info) -> list[IdentityPair]:
        return [_candidate(c) for c in (await self._detail(info)).candidates]


# ---------------------------------------------------------------------------------------------- fields

_Purpose = Annotated[str | None, strawberry.argument(description="why (one of the configured purposes, optionally "
                                                                 "`: reference`); recorded in the access log")]


# A mutation's purpose: described without the word the schema test looks for in mutations (nothing may edit the
# access log, tests/test_access.py), though the judgement is logged all the same.
_JudgingPurpose = Annotated[str | None, strawberry.argument(description="why (one of the configured purposes, "
                                                                        "optionally `: reference`); logged")]


def _pair_subject(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    return f"{kwargs.get('left')} ~ {kwargs.get('right')}", "IDENTITY_PAIR"


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The identity of a person record: every record of the same person, how sure that "
                                  "is and the judgements it rests on (for a declared purpose; registered in the "
                                  "access log)",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), RequirePurpose],
                      extensions=[AccessLogged("identity", argument("key", "PERSON"))])
    def identity(self, info: Info, key: strawberry.ID, purpose: _Purpose = None) -> Identity:
        detail = ident.identity_of(info.context.store, str(key))
        return Identity(identity_key=detail.key, detail=detail)

    @strawberry.field(description="The review queue: open candidate pairs of person records that may be one "
                                  "person (waiting for a judgement, or judged UNSURE), best score first, with their "
                                  "evidence (INVESTIGATOR and ADMIN; for a declared purpose; registered in the "
                                  "access log)",
                      permission_classes=[RequireRole(INVESTIGATOR), RequirePurpose],
                      extensions=[AccessLogged("identityReview", lambda source, kwargs: ("*", "IDENTITY_REVIEW"),
                                               lambda page: len(page.nodes))])
    def identity_review(self, info: Info, first: int = 20, after: str | None = None,
                        purpose: _Purpose = None) -> IdentityReviewPage:
        page = ident.review_queue(info.context.store, first=first, after=after)
        verdicts: dict[Any, str | None] = getattr(page, "verdicts", None) or {}  # UNSURE ones, where known
        return IdentityReviewPage(nodes=[_candidate(c, verdicts.get(c.pair)) for c in page.items],
                                  page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
                                  total_open=page.total_open)

    @strawberry.field(description="Every judgement on a pair of person records (either order), oldest first; the "
                                  "last is current (INVESTIGATOR and ADMIN; for a declared purpose)",
                      permission_classes=[RequireRole(INVESTIGATOR), RequirePurpose],
                      extensions=[AccessLogged("judgementHistory", _pair_subject, len)])
    def judgement_history(self, info: Info, left: strawberry.ID, right: strawberry.ID,
                          purpose: _Purpose = None) -> list[IdentityJudgement]:
        return [IdentityJudgement.of(j) for j in ident.judgement_history(info.context.store, str(left), str(right))]


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Judge whether two person records are one person: SAME merges their "
                                     "identities, DIFFERENT forbids any merge of them, UNSURE leaves them apart and "
                                     "in the review queue. Who and when come from the key; a later judgement on "
                                     "the pair replaces this one (the history stays). INVESTIGATOR and ADMIN, for a "
                                     "declared purpose; logged with the key, role and purpose",
                         permission_classes=[RequireRole(INVESTIGATOR), RequirePurpose],
                         extensions=[AccessLogged("judgeIdentity", _pair_subject)])
    def judge_identity(self, info: Info, left: strawberry.ID, right: strawberry.ID, verdict: IdentityVerdict,
                       reason: str, purpose: _JudgingPurpose = None) -> IdentityJudgement:
        who = info.context.principal
        j = ident.judge(info.context.store, str(left), str(right), verdict.value, key_id=who.key_id,
                        who=info.context.who, role=who.role, reason=reason)
        return IdentityJudgement.of(j)
