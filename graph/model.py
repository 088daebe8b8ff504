"""The domain's vocabulary: roles, list kinds, entry states, severities and leniency grounds.

Names follow the policy documents (see ../shared/DOMAIN.md); the Chinese terms are kept beside them because
the data and the users speak them.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A person's role in an organisation; each is a relationship type `(:Person)-[:ROLE]->(:Organization)`."""

    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"  # 法定代表人
    PRINCIPAL = "PRINCIPAL"  # 主要负责人
    ACTUAL_CONTROLLER = "ACTUAL_CONTROLLER"  # 实际控制人
    DIRECTOR = "DIRECTOR"  # 董事
    SUPERVISOR = "SUPERVISOR"  # 监事
    SENIOR_MANAGER = "SENIOR_MANAGER"  # 高级管理人员
    DIRECTLY_RESPONSIBLE = "DIRECTLY_RESPONSIBLE"  # 负有直接责任的人员


ROLES: tuple[str, ...] = tuple(r.value for r in Role)

# Shareholding is a relationship too, but not a role: it carries a ratio and is followed as equity, not traced
# for liability.
SHAREHOLDER_OF = "SHAREHOLDER_OF"


class ListKind(enum.StrEnum):
    DISHONEST_DEBTOR = "DISHONEST_DEBTOR"  # 失信被执行人
    BLACKLIST = "BLACKLIST"  # 严重失信主体名单 / 黑名单
    FOCUS_LIST = "FOCUS_LIST"  # 重点关注名单
    RED_LIST = "RED_LIST"  # 红名单
    ADMINISTRATIVE_PENALTY = "ADMINISTRATIVE_PENALTY"  # 行政处罚


# Kinds whose entries on an organisation reach the persons responsible for it (DOMAIN rule 3:
# 2016〔33〕 item 14, 2018-893 item 8, 中办发〔2016〕64号 on the legal representative of a dishonest debtor).
TRACED_KINDS: tuple[str, ...] = (ListKind.DISHONEST_DEBTOR, ListKind.BLACKLIST, ListKind.FOCUS_LIST)


class EntryStatus(enum.StrEnum):
    PROPOSED = "PROPOSED"  # party notified, may object; not yet in force
    EFFECTIVE = "EFFECTIVE"
    UNDER_OBJECTION = "UNDER_OBJECTION"  # 异议核查中: reported, measures suspended (rule 7)
    REPAIRED = "REPAIRED"  # 信用修复 (rule 8)
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


# Statuses under which an entry may be in force, provided the date lies within its period.
LIVE_STATUSES: tuple[str, ...] = (EntryStatus.EFFECTIVE, EntryStatus.UNDER_OBJECTION)


class Severity(enum.StrEnum):
    MINOR = "MINOR"  # 轻微
    GENERAL = "GENERAL"  # 一般
    SERIOUS = "SERIOUS"  # 严重
    VERY_SERIOUS = "VERY_SERIOUS"  # 特别严重

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Leniency(enum.StrEnum):
    """Grounds for lenient treatment (国办发〔2020〕49号 item 16)."""

    MINOR_SUBJECT = "MINOR_SUBJECT"  # 未成年人
    FORCE_MAJEURE = "FORCE_MAJEURE"  # 自然灾害、疫情等不可抗力
    UNINTENTIONAL = "UNINTENTIONAL"  # 非主观故意
    MINOR_VIOLATION = "MINOR_VIOLATION"  # 轻微


class OrganizationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"  # 存续
    REVOKED = "REVOKED"  # 吊销
    CANCELLED = "CANCELLED"  # 注销
    DISSOLVED = "DISSOLVED"  # 解散


class MeasureTarget(enum.StrEnum):
    """Whom a joint-punishment measure reaches: the listed organisation, a listed person, or a person traced
    through one of the roles."""

    ORGANIZATION = "ORGANIZATION"
    PERSON = "PERSON"
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"
    PRINCIPAL = "PRINCIPAL"
    ACTUAL_CONTROLLER = "ACTUAL_CONTROLLER"
    DIRECTOR = "DIRECTOR"
    SUPERVISOR = "SUPERVISOR"
    SENIOR_MANAGER = "SENIOR_MANAGER"
    DIRECTLY_RESPONSIBLE = "DIRECTLY_RESPONSIBLE"


# Titles as written in registers and judgments, mapped to canonical roles. Matching is on the whole title,
# after trimming and lower-casing, so "副总经理" is a senior manager and not a principal.
_TITLES: dict[str, Role] = {
    "法定代表人": Role.LEGAL_REPRESENTATIVE,
    "法人代表": Role.LEGAL_REPRESENTATIVE,
    "legal representative": Role.LEGAL_REPRESENTATIVE,
    "负责人": Role.PRINCIPAL,
    "主要负责人": Role.PRINCIPAL,
    "principal": Role.PRINCIPAL,
    "principal person in charge": Role.PRINCIPAL,
    "实际控制人": Role.ACTUAL_CONTROLLER,
    "actual controller": Role.ACTUAL_CONTROLLER,
    "董事长": Role.DIRECTOR,
    "副董事长": Role.DIRECTOR,
    "董事": Role.DIRECTOR,
    "执行董事": Role.DIRECTOR,
    "独立董事": Role.DIRECTOR,
    "chairman": Role.DIRECTOR,
    "director": Role.DIRECTOR,
    "executive director": Role.DIRECTOR,
    "independent director": Role.DIRECTOR,
    "监事": Role.SUPERVISOR,
    "监事会主席": Role.SUPERVISOR,
    "职工监事": Role.SUPERVISOR,
    "supervisor": Role.SUPERVISOR,
    "总经理": Role.SENIOR_MANAGER,
    "副总经理": Role.SENIOR_MANAGER,
    "经理": Role.SENIOR_MANAGER,
    "财务负责人": Role.SENIOR_MANAGER,
    "董事会秘书": Role.SENIOR_MANAGER,
    "高级管理人员": Role.SENIOR_MANAGER,
    "general manager": Role.SENIOR_MANAGER,
    "manager": Role.SENIOR_MANAGER,
    "cfo": Role.SENIOR_MANAGER,
    "senior manager": Role.SENIOR_MANAGER,
    "直接责任人": Role.DIRECTLY_RESPONSIBLE,
    "直接责任人员": Role.DIRECTLY_RESPONSIBLE,
    "负有直接责任的人员": Role.DIRECTLY_RESPONSIBLE,
    "directly responsible person": Role.DIRECTLY_RESPONSIBLE,
}


def role_from_title(title: str) -> Role | None:
    """The canonical role for a title as written (or a canonical role name), or None if unknown."""
    text = title.strip()
    if text.upper() in ROLES:
        return Role(text.upper())
    return _TITLES.get(text.lower())
