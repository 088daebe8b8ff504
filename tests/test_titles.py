"""graph.model titles: every title of the real vocabulary (issue 11) maps to the documented canonical role, a
compound title yields each role it names once, an unknown part is refused by name, an honorary title names no
role; and the role-row parser keeps the title as written. Pure unit tests."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from graph import settings
from graph.model import Role, UnknownTitle, role_from_title, roles_from_title
from loaders import rows as r
from tests.conftest import uscc

D, P, S, M = Role.DIRECTOR, Role.PRINCIPAL, Role.SUPERVISOR, Role.SENIOR_MANAGER

# The table of the README ("Titles and identifiers"), title as written → canonical role.
DOCUMENTED: dict[str, Role] = {
    "法定代表人": Role.LEGAL_REPRESENTATIVE, "法人代表": Role.LEGAL_REPRESENTATIVE,
    "负责人": P, "主要负责人": P, "经营者": P, "执行事务合伙人": P, "委派代表": P, "执行事务合伙人委派代表": P,
    "实际控制人": Role.ACTUAL_CONTROLLER,
    "董事长": D, "副董事长": D, "代董事长": D, "董事局主席": D, "董事局副主席": D, "董事会主席": D, "董事": D,
    "执行董事": D, "非执行董事": D, "独立董事": D, "独立非执行董事": D, "职工董事": D, "职工代表董事": D,
    "外部董事": D,
    "监事": S, "监事会主席": S, "职工监事": S,
    "总经理": M, "副总经理": M, "经理": M, "副经理": M, "总裁": M, "副总裁": M, "首席执行官": M, "财务负责人": M,
    "董事会秘书": M, "高级管理人员": M,
    "直接责任人": Role.DIRECTLY_RESPONSIBLE, "直接责任人员": Role.DIRECTLY_RESPONSIBLE,
    "负有直接责任的人员": Role.DIRECTLY_RESPONSIBLE,
    "Chairman": D, "Vice Chairman": D, "Director": D, "Executive Director": D, "Non-executive Director": D,
    "Independent Director": D, "Independent Non-executive Director": D, "Supervisor": S, "General Manager": M,
    "President": M, "CEO": M, "Chief Executive Officer": M, "CFO": M,
}

# The titles issue 11 found missing from real board rows of listed companies, and where each goes.
ISSUE_VOCABULARY: dict[str, tuple[Role, ...]] = {
    "董事长/董事": (D,), "副董事长/董事": (D,), "董事长/执行董事": (D,),
    "独立非执行董事": (D,), "非执行董事": (D,), "职工董事": (D,), "董事局主席": (D,), "代董事长": (D,),
    "外部董事": (D,), "经营者": (P,), "执行事务合伙人": (P,), "委派代表": (P,), "执行事务合伙人委派代表": (P,),
    "总裁": (M,), "首席执行官": (M,),
}


@pytest.mark.parametrize(("title", "role"), sorted(DOCUMENTED.items()))
def test_every_documented_title_maps(title: str, role: Role) -> None:
    assert role_from_title(title) == role
    assert roles_from_title(title) == (role,)


@pytest.mark.parametrize(("title", "roles"), sorted(ISSUE_VOCABULARY.items()))
def test_the_real_vocabulary_of_issue_11_maps(title: str, roles: tuple[Role, ...]) -> None:
    assert roles_from_title(title) == roles


def test_canonical_names_are_roles_too() -> None:
    for role in Role:
        assert roles_from_title(role.value) == (role,)
        assert roles_from_title(f" {role.value.lower()} ") == (role,)


@pytest.mark.parametrize(("title", "roles"), [
    ("董事长兼总经理", (D, M)),
    ("执行董事兼总经理", (D, M)),
    ("董事、总经理", (D, M)),
    ("董事长，总经理", (D, M)),  # full-width comma
    ("董事长／董事", (D,)),  # full-width slash
    ("董事长;总经理", (D, M)),
    ("董事长；总经理；财务负责人", (D, M)),  # full-width semicolons, two senior-manager titles: once
    ("董事,总经理", (D, M)),
    ("董事及总经理", (D, M)),
    ("董事长 / 执行董事 / 总经理", (D, M)),
    ("总经理兼董事长", (D, M)),  # in the order of Role, whatever the order written
    ("执行事务合伙人委派代表/总经理", (P, M)),
    ("Chairman & CEO", (D, M)),
    ("DIRECTOR/SENIOR_MANAGER", (D, M)),
    ("监事会主席/职工监事", (S,)),
    ("董事/", (D,)),  # a trailing separator adds nothing
])
def test_compound_titles_yield_each_role_once(title: str, roles: tuple[Role, ...]) -> None:
    assert roles_from_title(title) == roles
    assert role_from_title(title) is None  # not a single title


UNKNOWN = "is not a known role or title"


@pytest.mark.parametrize(("title", "part", "reason"), [
    ("执行总裁兼董事", "执行总裁", f"'执行总裁' {UNKNOWN}"),  # a compound title: the part at fault is named
    ("董事长/清洁工", "清洁工", f"'清洁工' {UNKNOWN}"),
    ("董事、总经理、顾问", "顾问", f"'顾问' {UNKNOWN}"),
    ("清洁工", "清洁工", UNKNOWN),  # a single title: the row's field and value say which
    ("副总经理助理", "副总经理助理", UNKNOWN),
    ("", "", UNKNOWN),
    ("/", "/", UNKNOWN),
])
def test_an_unknown_title_or_part_is_refused_never_guessed(title: str, part: str, reason: str) -> None:
    with pytest.raises(UnknownTitle) as exc:
        roles_from_title(title)
    assert (exc.value.title, exc.value.part, exc.value.reason) == (title, part, reason)


@pytest.mark.parametrize("title", ["名誉董事长", "荣誉董事长", "名誉主席", "Honorary Chairman"])
def test_an_honorary_title_is_no_role(title: str) -> None:
    with pytest.raises(UnknownTitle) as exc:
        roles_from_title(title)
    assert exc.value.reason.startswith(f"{title} is an honorary title, not a director")
    assert "e.g. 董事" in exc.value.reason


def test_an_honorary_part_adds_no_role() -> None:
    assert roles_from_title("名誉董事长/董事") == (D,)
    assert roles_from_title("名誉董事长兼总裁") == (M,)


# ----------------------------------------------------------------------------------------- row parsing

ORG = uscc(1)


def role_row(role: str, title: str = "") -> dict[str, Any]:
    return r.parse_role({"person_id": "P1", "uscc": ORG, "role": role, "title": title, "from": "2020-01-01"})


def test_a_compound_row_keeps_the_title_as_written() -> None:
    row = role_row("董事长兼总经理")
    assert row["roles"] == ["DIRECTOR", "SENIOR_MANAGER"]
    assert row["props"] == {"from": "2020-01-01", "to": None, "title": "董事长兼总经理", "source": None}
    assert role_row("董事长/董事")["roles"] == ["DIRECTOR"]
    # An explicit title column wins, as before.
    assert role_row("DIRECTOR", "董事局主席")["props"]["title"] == "董事局主席"


@pytest.mark.parametrize(("written", "reason"), [
    ("清洁工", "is not a known role or title (see docs/DATA_FORMAT.md)"),
    ("董事长/清洁工", "'清洁工' is not a known role or title (see docs/DATA_FORMAT.md)"),
    ("名誉董事长", "名誉董事长 is an honorary title"),
])
def test_a_row_with_an_unknown_title_is_refused_with_the_part(written: str, reason: str) -> None:
    with pytest.raises(r.RowError) as exc:
        role_row(written)
    assert exc.value.field == "role" and exc.value.value == written
    assert exc.value.reason.startswith(reason)


def test_the_demo_titles_map_to_the_roles_the_demo_gives() -> None:
    """The demo bundle writes a canonical role and a title; the title alone maps to the same role (经营者 of the
    个体工商户 included), so a bundle giving only the title loads the same graph."""
    with (settings.PROJECT_ROOT / "data" / "demo" / "roles.csv").open(encoding="utf-8") as handle:
        pairs = {(row["role"], row["title"]) for row in csv.DictReader(handle)}
    assert ("PRINCIPAL", "经营者") in pairs
    assert {(role, title) for role, title in pairs if roles_from_title(title) != (Role(role),)} == set()
