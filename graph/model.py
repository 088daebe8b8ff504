"""The domain's vocabulary: roles, list kinds, entry states, severities, leniency grounds and document kinds.

Names follow the policy documents (see ../shared/DOMAIN.md); the Chinese terms are kept beside them because
the data and the users speak them.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata


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


class DocumentKind(enum.StrEnum):
    """The kinds of legal document a record cites (DOMAIN rule 2: every entry rests on an effective document)."""

    JUDGMENT = "JUDGMENT"  # 判决书、裁定书 (courts)
    ARBITRATION_AWARD = "ARBITRATION_AWARD"  # 仲裁裁决书
    PENALTY_DECISION = "PENALTY_DECISION"  # 行政处罚决定书
    RECOGNITION_DECISION = "RECOGNITION_DECISION"  # 认定决定书 (a department recognising a listing)
    NOTICE = "NOTICE"  # 公告、通知 (a red list, a published decision)
    REGULATION = "REGULATION"  # 法律、法规、规范性文件 (the catalogue's policy documents)


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


# Titles as written in registers and judgments, mapped to canonical roles. Matching is on the whole title (or on
# each part of a compound title, see `roles_from_title`), after NFKC folding, trimming and lower-casing, so
# "副总经理" is a senior manager and not a principal. Sources (the README's "Titles and identifiers" has the
# table): 公司法 (2023) for directors, supervisors and senior managers — 第十条 the legal representative is the
# director or manager who acts for the company (so 董事长 alone is a director, not a legal representative),
# 第六十八条 board, 董事长/副董事长 and employee representatives, 第七十五条 the single director of a small company
# (registries still write 执行董事), 第一百三十六条 independent directors of listed companies, 第二百六十五条
# 高级管理人员 = 经理、副经理、财务负责人、上市公司董事会秘书 and others named by the articles (总裁, 首席执行官 …);
# 民法典 第一百零二条/第一百零五条 and 发改办财金〔2018〕893号 item 8 ("法定代表人（或主要负责人）") for the
# persons who act for an organisation without legal personality; 合伙企业法 第二十六条 for partnerships; the
# HKEX Listing Rules (rule 3.10) for 非执行董事/独立非执行董事 of H-share companies.
_TITLES: dict[str, Role] = {
    "法定代表人": Role.LEGAL_REPRESENTATIVE,
    "法人代表": Role.LEGAL_REPRESENTATIVE,
    "legal representative": Role.LEGAL_REPRESENTATIVE,
    "负责人": Role.PRINCIPAL,
    "主要负责人": Role.PRINCIPAL,
    # The operator of a 个体工商户 (民法典 第五十四条, 促进个体工商户发展条例): an individual business has no
    # legal personality, hence no 法定代表人; its operator is the person in charge (as the demo data records it).
    "经营者": Role.PRINCIPAL,
    # A partnership (合伙企业) is a 非法人组织 (民法典 第一百零二条): the partner who executes its affairs and
    # represents it (合伙企业法 第二十六条) is its person in charge, not a legal representative.
    "执行事务合伙人": Role.PRINCIPAL,
    # When the executing partner is a company or other organisation, the natural person it appoints executes
    # the affairs (合伙企业法 第二十六条第三款): the person actually in charge, so liability reaches them.
    "委派代表": Role.PRINCIPAL,
    "执行事务合伙人委派代表": Role.PRINCIPAL,
    "principal": Role.PRINCIPAL,
    "principal person in charge": Role.PRINCIPAL,
    "实际控制人": Role.ACTUAL_CONTROLLER,
    "actual controller": Role.ACTUAL_CONTROLLER,
    "董事长": Role.DIRECTOR,
    "副董事长": Role.DIRECTOR,
    # An acting chairman is the director chosen to act when the chairman cannot (公司法 第七十二条).
    "代董事长": Role.DIRECTOR,
    # 董事局 is another name of the board (董事会), used by groups and Hong Kong listed companies.
    "董事局主席": Role.DIRECTOR,
    "董事局副主席": Role.DIRECTOR,
    "董事会主席": Role.DIRECTOR,
    "董事": Role.DIRECTOR,
    "执行董事": Role.DIRECTOR,
    "非执行董事": Role.DIRECTOR,
    "独立董事": Role.DIRECTOR,
    "独立非执行董事": Role.DIRECTOR,
    # Employee representatives on the board (公司法 第六十八条).
    "职工董事": Role.DIRECTOR,
    "职工代表董事": Role.DIRECTOR,
    # Board members not employed by the company (state-owned enterprises' boards): directors all the same.
    "外部董事": Role.DIRECTOR,
    "chairman": Role.DIRECTOR,
    "vice chairman": Role.DIRECTOR,
    "director": Role.DIRECTOR,
    "executive director": Role.DIRECTOR,
    "non-executive director": Role.DIRECTOR,
    "independent director": Role.DIRECTOR,
    "independent non-executive director": Role.DIRECTOR,
    "监事": Role.SUPERVISOR,
    "监事会主席": Role.SUPERVISOR,
    "职工监事": Role.SUPERVISOR,
    "supervisor": Role.SUPERVISOR,
    "总经理": Role.SENIOR_MANAGER,
    "副总经理": Role.SENIOR_MANAGER,
    "经理": Role.SENIOR_MANAGER,
    "副经理": Role.SENIOR_MANAGER,
    "总裁": Role.SENIOR_MANAGER,
    "副总裁": Role.SENIOR_MANAGER,
    "首席执行官": Role.SENIOR_MANAGER,
    "财务负责人": Role.SENIOR_MANAGER,
    "董事会秘书": Role.SENIOR_MANAGER,
    "高级管理人员": Role.SENIOR_MANAGER,
    "general manager": Role.SENIOR_MANAGER,
    "manager": Role.SENIOR_MANAGER,
    "president": Role.SENIOR_MANAGER,
    "ceo": Role.SENIOR_MANAGER,
    "chief executive officer": Role.SENIOR_MANAGER,
    "cfo": Role.SENIOR_MANAGER,
    "senior manager": Role.SENIOR_MANAGER,
    "直接责任人": Role.DIRECTLY_RESPONSIBLE,
    "直接责任人员": Role.DIRECTLY_RESPONSIBLE,
    "负有直接责任的人员": Role.DIRECTLY_RESPONSIBLE,
    "directly responsible person": Role.DIRECTLY_RESPONSIBLE,
}

# Titles known to name no role. An honorary chairman holds no board seat and no vote (board members are elected
# under 公司法 第五十九条/第一百一十二条; the title is conferred, not registered), so a row with only such a title
# is refused with this reason, and in a compound title (名誉董事长/董事) the honorary part adds no role.
_HONORARY = "is an honorary title, not a director or any other role (公司法 knows no honorary board seat); give " \
            "the role the person actually holds, e.g. 董事"
_NO_ROLE: dict[str, str] = {
    "名誉董事长": _HONORARY,
    "荣誉董事长": _HONORARY,
    "名誉主席": _HONORARY,
    "honorary chairman": _HONORARY,
}

# Separators of compound titles as registries write them (董事长/董事, 董事长兼总经理, 董事、总经理); the
# full-width forms ／ ， ； fold to these under NFKC.
_TITLE_SEPARATORS = re.compile(r"[/、,;&及兼]")


# Control characters free text may not hold: every one below U+0020 except tab and line feed. U+0000 in
# particular cannot be stored by the embedded engine at all (its strings end there), so the rule keeps both
# engines holding the same text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f]")


def text_fault(value: str, max_length: int) -> str | None:
    """What is wrong with `value` as free text of at most `max_length` characters (a name, a note, a reason),
    or None. One rule for loaders and the API alike."""
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    # Printable text (most of it) holds no control character: the search runs only on the rest.
    if not value.isprintable() and CONTROL_CHARACTERS.search(value):
        return "contains control characters"
    return None


class UnknownTitle(ValueError):
    """A title (or a part of a compound title) that names no known role. `part` is the part at fault (the whole
    title when it is not compound), `reason` says in plain English what is wrong."""

    def __init__(self, title: str, part: str, reason: str) -> None:
        super().__init__(reason)
        self.title = title
        self.part = part
        self.reason = reason


def _folded(title: str) -> str:
    return unicodedata.normalize("NFKC", title).strip()


def role_from_title(title: str) -> Role | None:
    """The canonical role for a title as written (or a canonical role name), or None if unknown."""
    text = _folded(title)
    if text.upper() in ROLES:
        return Role(text.upper())
    return _TITLES.get(text.lower())


# A load meets the same few hundred titles a million times (NFKC of each was a tenth of parsing a role row): a
# title is read once. Bounded, as titles come from outside; an unknown title raises each time.
@functools.lru_cache(maxsize=1 << 14)
def roles_from_title(title: str) -> tuple[Role, ...]:
    """The canonical roles a title names, each once, in the order of `Role`: a single title (董事长 → DIRECTOR)
    or a compound one (董事长/董事 → DIRECTOR; 董事长兼总经理 → DIRECTOR, SENIOR_MANAGER). UnknownTitle names
    the part that is not a known title (never guessed) or the honorary title that names no role."""
    whole = role_from_title(title)
    if whole is not None:
        return (whole,)
    text = _folded(title)
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(text)]
    parts = [p for p in parts if p]
    found: set[Role] = set()
    honorary: str | None = None
    for part in parts:
        role = role_from_title(part)
        if role is not None:
            found.add(role)
        elif part.lower() in _NO_ROLE:
            honorary = honorary or part
        elif len(parts) == 1:
            raise UnknownTitle(title, part, "is not a known role or title")
        else:
            raise UnknownTitle(title, part, f"{part!r} is not a known role or title")
    if not found:
        if honorary is None:
            raise UnknownTitle(title, text, "is not a known role or title")
        raise UnknownTitle(title, honorary, f"{honorary} {_NO_ROLE[honorary.lower()]}")
    return tuple(role for role in Role if role in found)


class JudgementVerdict(enum.StrEnum):
    """A reviewer's judgement on whether two person mentions are one person (issue 14, graph/resolution.py)."""

    SAME = "SAME"  # one person: their identities merge (transitively)
    DIFFERENT = "DIFFERENT"  # two people: no merge may ever put them in one identity
    UNSURE = "UNSURE"  # looked at, undecided: apart, and back in the review queue


class IdentityCertainty(enum.StrEnum):
    """How sure it is that an identity's mentions are one person (queries/identity.py `Identity.certainty`)."""

    SINGLE = "SINGLE"  # one mention: nothing joined
    CERTAIN = "CERTAIN"  # its mentions share a valid resident ID number
    JUDGED = "JUDGED"  # a SAME judgement joins some of them
    AUTOMATIC = "AUTOMATIC"  # an automatic merge on evidence (and no judgement) joins some of them


class CandidateStatus(enum.StrEnum):
    """The state of a `POSSIBLY_SAME` candidate pair."""

    OPEN = "OPEN"  # waits for a judgement (below settings.AUTO_MERGE_SCORE, or blocked, or judged UNSURE)
    AUTO = "AUTO"  # score >= settings.AUTO_MERGE_SCORE and nothing forbids it: merged automatically
    JUDGED = "JUDGED"  # a current SAME or DIFFERENT judgement decides it


class EvidenceKind(enum.StrEnum):
    """What a candidate pair's score rests on (graph/resolution.py `evidence`)."""

    SAME_NAME = "SAME_NAME"  # the normalised names are equal (the block); never enough alone
    SHARED_ORGANIZATION = "SHARED_ORGANIZATION"  # both hold a role in (or a share of) the same organisation
    OVERLAPPING_PERIODS = "OVERLAPPING_PERIODS"  # ... there, at overlapping times
    SAME_SOLE_ROLE = "SAME_SOLE_ROLE"  # ... both its legal representative (or principal) at the same time
    SHARED_CO_OFFICERS = "SHARED_CO_OFFICERS"  # their organisations have officers of the same names
    SAME_DIVISION = "SAME_DIVISION"  # their organisations' USCCs carry the same county-level division code
    SAME_PREFECTURE = "SAME_PREFECTURE"  # ... the same prefecture (first 4 digits), not the same county
    OTHER_PROVINCE = "OTHER_PROVINCE"  # their organisations are registered in different provinces only
    MASKED_ID_COMPATIBLE = "MASKED_ID_COMPATIBLE"  # the ID digits both sides show agree
    MASKED_ID_CONFLICT = "MASKED_ID_CONFLICT"  # a digit both sides show differs: two people
    BIRTH_YEAR_CONFLICT = "BIRTH_YEAR_CONFLICT"  # the birth-year digits both sides show differ: two people
