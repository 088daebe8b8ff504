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
Free text that may name persons (a judgement's reason, an evidence detail) is null in a masked view. Each root field
is registered in the access log (`AccessLogged`): judgeIdentity with the pair, identityReview with the page size.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from api.auth import PersonField, _PostProcess, discloses_persons
from api.check_types import RoleAtTime, Verdict, Via
from api.types import Person
from queries import checks

Row = dict[str, Any]


@strawberry.enum(description="Where a candidate pair stands: OPEN waits for a judgement; AUTO was merged "
                             "automatically (score at or above the automatic threshold, no DIFFERENT judgement); "
                             "JUDGED: a current judgement decides it")
class PairStatus(enum.Enum):
    OPEN = "OPEN"
    AUTO = "AUTO"
    JUDGED = "JUDGED"


@strawberry.enum(description="SAME merges the two identities; DIFFERENT forbids any merge of them; UNSURE leaves "
                             "the pair apart and open for review")
class IdentityVerdict(enum.Enum):
    SAME = "SAME"
    DIFFERENT = "DIFFERENT"
    UNSURE = "UNSURE"


@strawberry.enum(description="How a finding reaches a person through another record: IDENTITY, another mention "
                             "of the same identity; CANDIDATE, possibly the same person (an unresolved pair)")
class IdentityLinkKind(enum.Enum):
    IDENTITY = "IDENTITY"
    CANDIDATE = "CANDIDATE"


class DisclosedOnly(_PostProcess):
    """Free text that may name persons (a judgement's reason, an evidence detail): shown where persons are
    disclosed (api/auth.py `discloses_persons`), null in a masked view."""

    def after(self, value: Any, info: Info) -> Any:
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
    detail: str | None = strawberry.field(description="what was found (null in a masked view)",
                                          extensions=[DisclosedOnly()])
    weight: float | None

    @classmethod
    def from_map(cls, m: Row) -> IdentityEvidence:
        weight = m.get("weight")
        return cls(kind=str(m.get("kind") or ""), detail=None if m.get("detail") is None else str(m["detail"]),
                   weight=float(weight) if isinstance(weight, int | float) else None)


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
        status, verdict = m.get("status"), m.get("verdict")
        return cls(left_pid=str(m.get("left") or ""), right_pid=str(m.get("right") or ""), score=m.get("score"),
                   status=PairStatus(status) if status in PairStatus.__members__ else None,
                   verdict=IdentityVerdict(verdict) if verdict in IdentityVerdict.__members__ else None,
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


# ---------------------------------------------------------------------------------------------- identity


@strawberry.type(description="A resolved person: one or more mentions (records as the sources gave them) known to "
                             "be the same person, by a resident ID number, a SAME judgement or an automatic merge")
class Identity:
    identity_key: strawberry.Private[str]

    @strawberry.field(description="the id of the identity's canonical mention; masked view: an opaque key",
                      extensions=[identity_key_field()])
    def key(self) -> strawberry.ID:
        return strawberry.ID(self.identity_key)
