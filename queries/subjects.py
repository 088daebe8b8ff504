"""Value types shared by the use-cases: who is asked about (`SubjectRef`) and the paths that explain an answer
(`PathNode`, `PathLink`), used by checks, network queries, ownership and analytics alike."""

from __future__ import annotations

from dataclasses import dataclass

from graph import settings
from graph.errors import InvalidInput
from graph.identifiers import InvalidIdentifier, validate_uscc


@dataclass(frozen=True)
class SubjectRef:
    """Exactly one of `uscc` (an organisation) or `person_id`."""

    uscc: str | None = None
    person_id: str | None = None

    @classmethod
    def of(cls, uscc: str | None, person_id: str | None, field_name: str = "subject") -> SubjectRef:
        if (uscc is None) == (person_id is None):
            raise InvalidInput(f"{field_name}: give exactly one of uscc and personId", field=field_name)
        if uscc is not None:
            try:
                return cls(uscc=validate_uscc(uscc))
            except InvalidIdentifier as exc:
                raise InvalidInput(f"{field_name}.uscc: {exc.reason}", field=f"{field_name}.uscc") from None
        assert person_id is not None
        if not person_id.strip() or len(person_id) > settings.MAX_PERSON_ID_LENGTH:
            raise InvalidInput(f"{field_name}.personId: a person id is 1-{settings.MAX_PERSON_ID_LENGTH} characters",
                               field=f"{field_name}.personId")
        return cls(person_id=person_id.strip())

    @property
    def key(self) -> str:
        return self.uscc or self.person_id or ""

    @property
    def kind(self) -> str:
        return "ORGANIZATION" if self.uscc else "PERSON"


@dataclass
class PathNode:
    kind: str  # ORGANIZATION, PERSON, LIST_ENTRY
    key: str
    name: str | None


@dataclass
class PathLink:
    type: str  # relationship type: LEGAL_REPRESENTATIVE, SHAREHOLDER_OF, HAS_ENTRY, …
    from_: str | None = None  # the relationship's period
    to: str | None = None
    ratio: float | None = None
    forward: bool = True  # drawn from the node before it to the node after it
