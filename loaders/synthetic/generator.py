"""The synthetic bundle generator: `generate(out, organizations, seed)` writes a realistic, deterministic CSV
bundle (docs/DATA_FORMAT.md). Everything is drawn from one `random.Random(seed)` in one fixed order, so a seed gives
the same bytes every time (tests/test_synthetic.py holds their digests); rows are written as they are made, so
memory stays small. The files and their columns are those of the loader's record kinds (loaders/kinds.py), the
measures and national departments those of the loader's catalogue (loaders/measures.py), and the measures an
entry carries are those the loader's rule accepts (graph.rules.measure_problem).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.identifiers import USCC_CHARSET, make_id_number, make_uscc
from graph.rules import add_years, measure_problem, reaches_listed
from loaders.kinds import RECORD_KINDS
from loaders.measures import read_catalogue
from loaders.synthetic.vocabulary import (
    ALL_DISTRICTS,
    ASSOCIATIONS,
    CITIES,
    COMPOUND_SURNAMES,
    COOPERATIVES,
    DEBTOR_SITUATIONS,
    DISPUTES,
    DISTRICT_NAMES,
    DISTRICTS_BY_PROVINCE,
    FEMALE_GIVEN,
    FOUNDATIONS,
    INDUSTRIES,
    LOCAL_DEPARTMENT_NAMES,
    MALE_GIVEN,
    ORDINALS,
    PRIVATE_NON_ENTERPRISE,
    PROVINCE_ABBR,
    PROVINCE_SHORT,
    PUBLIC_INSTITUTIONS,
    SHOPS,
    SURNAMES,
    ZIHAO_CHARS,
    City,
    city_of,
    department_name,
    district_court_name,
    local_departments,
)

DEFAULT_AS_OF = dt.date(2026, 11, 1)
USCC_START = dt.date(2015, 10, 1)  # GB 32100-2015 in force: new subjects get MA… codes from here on
SOURCE = "synthetic"
FILES: tuple[str, ...] = tuple(RECORD_KINDS)  # the bundle's files, in load order
Catalogue = dict[str, list[dict[str, Any]]]  # loaders.measures.read_catalogue: parsed rows per catalogue file


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def ratio_text(bp: int) -> str:
    """Basis points as a decimal string: 6000 → 0.6, 10000 → 1."""
    if bp >= 10000:
        return "1"
    return ("0." + f"{bp:04d}").rstrip("0")


class MeasureChooser:
    """The catalogue's measures an entry may carry (DOMAIN rule 5, as the loader checks it), in catalogue order."""

    def __init__(self, measures: Sequence[Mapping[str, Any]]) -> None:
        self.measures = list(measures)
        self.catalogue = {m["code"]: m["props"] for m in self.measures}

    def eligible(self, kind: str, severity: str | None, subject_kind: str, lenient_minor: bool) -> list[str]:
        """Codes of the measures allowed for an entry of this kind and severity that reach its subject; without the
        mandatory ones for a minor violation."""
        codes = [m["code"] for m in self.measures
                 if measure_problem(kind, severity or "GENERAL", [m["code"]], self.catalogue) is None]
        codes = [c for c in codes if reaches_listed(self.catalogue[c]["targets"], subject_kind)]
        # A choice of the generator, not a rule: lenient minor violations get recommended measures only, so the
        # synthetic data holds such entries beside the lenient restricted ones the check lowers (rules.effect_of).
        if lenient_minor:
            codes = [c for c in codes if not self.catalogue[c]["mandatory"]]
        return codes


class BundleWriter:
    """The files of a bundle (one per record kind, with its columns), open for writing; rows go straight to disk."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.counts: dict[str, int] = {name: 0 for name in FILES}
        self._handles = {}
        self._writers = {}
        for name in FILES:
            handle = (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(RECORD_KINDS[name].columns)
            self._handles[name] = handle
            self._writers[name] = writer

    def write(self, name: str, row: Sequence[Any]) -> None:
        assert len(row) == len(RECORD_KINDS[name].columns), (name, row)
        self._writers[name].writerow(["" if v is None else v for v in row])
        self.counts[name] += 1

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_departments(bundle: BundleWriter, catalogue: Catalogue) -> None:
    """The local departments; national ones are the catalogue's (loaded before every bundle)."""
    national = {row["code"] for row in catalogue["departments.csv"]}
    for code, name in local_departments():
        if code not in national:
            bundle.write("departments", (code, name))


# ============================================================================================ generator


@dataclass
class _Group:
    """A business group: a holding company and its subsidiaries, run by one boss and a few executives."""

    zihao: str
    boss: int  # person index
    staff: list[int]
    remaining: int  # subsidiaries still to be created
    root_uscc: str
    reserve_bp: int  # share of the root left for a cross-holding from inside the group (a cycle)
    nodes: list[tuple[str, int, dt.date]] = field(default_factory=list)  # (uscc, depth, established)


@dataclass
class _Org:
    uscc: str
    name: str
    kind: str  # authority + category: "91", "92", …
    division: str
    established: dt.date
    status: str


class Generator:
    """Writes organisations one by one, each with its officers, equity and entries, to a bundle."""

    def __init__(self, bundle: BundleWriter, rng: random.Random, as_of: dt.date, catalogue: Catalogue,
                 reserved_names: Sequence[str] = ()) -> None:
        self.out = bundle
        self.rng = rng
        self.as_of = as_of
        self.measures = MeasureChooser(catalogue["measures.csv"])
        self.catalogue_departments = {row["code"] for row in catalogue["departments.csv"]}
        self.names: set[str] = set(reserved_names)
        self.id_numbers: set[str] = set()
        self.person_ids: list[str] = []
        self.person_birth_years: list[int] = []
        self.enterprises: list[tuple[str, dt.date]] = []  # 91 organisations: (uscc, established)
        self.groups: list[_Group] = []
        self.key_pool: list[list[int]] = []  # [person index, remaining roles]
        self.key_pool_target = 3
        self.entry_seq = 0
        self.document_seq = 0
        self.number_seq: dict[str, int] = {}
        self._cum_city = list(itertools.accumulate(c.weight for c in CITIES))

    # ------------------------------------------------------------------------------------ small draws

    def city(self) -> City:
        return self.rng.choices(CITIES, cum_weights=self._cum_city)[0]

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def zihao(self) -> str:
        a = self.rng.choice(ZIHAO_CHARS)
        b = self.rng.choice(ZIHAO_CHARS)
        while b == a:
            b = self.rng.choice(ZIHAO_CHARS)
        return a + b

    def unique_name(self, make: Any) -> str:
        for _ in range(60):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        n = 2
        base = make()
        while f"{base}（{n}）" in self.names:
            n += 1
        name = f"{base}（{n}）"
        self.names.add(name)
        return name

    def next_number(self, prefix: str) -> int:
        n = self.number_seq.get(prefix, 0) + self.rng.randint(1, 9)
        self.number_seq[prefix] = n
        return n

    # ------------------------------------------------------------------------------------------ persons

    def person_name(self, male: bool) -> str:
        surname = self.rng.choice(COMPOUND_SURNAMES) if self.rng.random() < 0.01 else self.rng.choice(SURNAMES)
        chars = MALE_GIVEN if male else FEMALE_GIVEN
        given = self.rng.choice(chars)
        if self.rng.random() < 0.7:
            given += self.rng.choice(chars)
        return surname + given

    def new_person(self, province: str | None, born_by: int, born_from: int = 1950) -> int:
        """A new person born between born_from and born_by (inclusive), usually from `province`."""
        born_by = max(min(born_by, 2000), born_from)
        rng = self.rng
        if province and province in DISTRICTS_BY_PROVINCE and rng.random() < 0.7:
            division = rng.choice(DISTRICTS_BY_PROVINCE[province])
        else:
            division = rng.choice(ALL_DISTRICTS)
        birth = self.date_between(dt.date(born_from, 1, 1), dt.date(born_by, 12, 31))
        while True:
            seq = rng.randrange(1000)
            id_number = make_id_number(division, birth, seq)
            if id_number not in self.id_numbers:
                break
        self.id_numbers.add(id_number)
        index = len(self.person_ids)
        pid = f"P{index + 1:08d}"
        self.person_ids.append(pid)
        self.person_birth_years.append(birth.year)
        self.out.write("persons", (pid, self.person_name(seq % 2 == 1), id_number))
        if rng.random() < 0.01:
            self.person_entry(index, division)
        return index

    def person_for(self, org: _Org, since: dt.date, avoid: list[int], *, reuse: float = 0.25,
                   key: float = 0.0) -> int:
        """A person for a role starting on `since`: a serial director, a reused person or a new one; never one
        already in `avoid`, always at least 20 years old on `since`."""
        rng = self.rng
        born_by = since.year - 20
        if key and rng.random() < key:
            while len(self.key_pool) < self.key_pool_target:
                self.key_pool.append([self.new_person(org.division[:2], 1980, 1955), rng.randint(5, 20)])
            slot = rng.randrange(len(self.key_pool))
            index, remaining = self.key_pool[slot]
            if index not in avoid and self.person_birth_years[index] <= born_by:
                if remaining <= 1:
                    self.key_pool[slot] = self.key_pool[-1]
                    self.key_pool.pop()
                else:
                    self.key_pool[slot][1] = remaining - 1
                return index
        if self.person_ids and rng.random() < reuse:
            index = rng.randrange(len(self.person_ids))
            if index not in avoid and self.person_birth_years[index] <= born_by:
                return index
        return self.new_person(org.division[:2], born_by)

    def role(self, person: int, org: _Org, role: str, title: str, start: dt.date | None,
             end: dt.date | None = None) -> None:
        self.out.write("roles", (self.person_ids[person], org.uscc, role, title, iso(start), iso(end), SOURCE))

    # ------------------------------------------------------------------------------------ organisations

    def org_kind(self) -> str:
        r = self.rng.random()
        for kind, p in (("91", 0.80), ("92", 0.10), ("93", 0.03), ("12", 0.035), ("51", 0.015), ("52", 0.015)):
            if r < p:
                return kind
            r -= p
        return "53"

    def established(self, kind: str) -> dt.date:
        rng = self.rng
        if kind in ("12", "51", "53"):
            return self.date_between(dt.date(1980, 1, 1), self.as_of - dt.timedelta(days=400))
        days = min(int(rng.expovariate(1 / (7 * 365))), 30 * 365)
        # Farmers' cooperatives are registered since their law took effect (农民专业合作社法, 2007-07-01).
        floor = dt.date(2007, 7, 1) if kind == "93" else dt.date(1993, 1, 1)
        return max(self.as_of - dt.timedelta(days=days + 20), floor)

    def org_body(self, index: int, established: dt.date) -> str:
        """A unique organisation-code body: an old 8-digit code before the USCC, an `MA` code after. The third
        character of `MA` codes is a digit (the curated demo uses a letter there, so they never collide)."""
        if established < USCC_START:
            return f"{(index * 48271 + 55813727) % 10**8:08d}"
        space = 10 * 31**5
        value = (index * 7919 + 1234567) % space
        first, rest = divmod(value, 31**5)
        chars = []
        for _ in range(5):
            rest, digit = divmod(rest, 31)
            chars.append(USCC_CHARSET[digit])
        return "MA" + str(first) + "".join(reversed(chars))

    def company_name(self, city: City, zihao: str, industry: str, suffix: str) -> str:
        r = self.rng.random()
        if r < 0.75:
            return f"{city.bare}{zihao}{industry}{suffix}"
        if r < 0.88:
            return f"{zihao}（{city.bare}）{industry}{suffix}"
        return f"{PROVINCE_SHORT[city.province]}{zihao}{industry}{suffix}"

    def run(self, organizations: int) -> None:
        self.key_pool_target = max(3, organizations // 400)
        for index in range(organizations):
            self.organization(index)

    def organization(self, index: int) -> None:
        rng = self.rng
        kind = self.org_kind()
        group: _Group | None = None
        parent: tuple[str, int, dt.date] | None = None
        is_root = False
        if kind == "91":
            open_groups = [g for g in self.groups[-40:] if g.remaining > 0]
            if open_groups and rng.random() < 0.22:
                group = rng.choice(open_groups)
                eligible = [n for n in group.nodes if n[1] < 4]
                parent = eligible[-1] if rng.random() < 0.5 else rng.choice(eligible)
                group.remaining -= 1
            elif rng.random() < 0.02:
                is_root = True
        city = city_of(parent[0][2:8]) if parent and rng.random() < 0.6 else self.city()
        district = rng.choice(city.districts)[0]
        established = self.established(kind)
        if parent:
            established = max(established, parent[2] + dt.timedelta(days=rng.randint(30, 400)))
            established = min(established, self.as_of - dt.timedelta(days=15))
        division = district
        if is_root or (kind in ("51", "53") and rng.random() < 0.7):
            division = city.code + "00"  # registered with the city
        status = "ACTIVE"
        if not is_root and not group:
            r = rng.random()
            status = "CANCELLED" if r < 0.04 else "REVOKED" if r < 0.07 else "DISSOLVED" if r < 0.08 else "ACTIVE"
        body = self.org_body(index, established)
        uscc = make_uscc(kind[0], kind[1], division, body)
        name, zihao = self.org_name(kind, city, district, group, is_root)
        org = _Org(uscc, name, kind, division, established, status)
        self.out.write("organizations", (uscc, name, status, established.isoformat()))

        officers = self.officers(org, group, zihao if is_root else None)
        if is_root:
            group = self.groups[-1]
        if kind == "91":
            self.enterprises.append((uscc, established))
            self.equity(org, officers, group, parent, is_root)
        elif kind == "93":
            self.cooperative_members(org, officers)
        if rng.random() < 0.05 and (self.as_of - established).days > 200:
            for _ in range(2 if rng.random() < 0.1 else 1):
                self.organization_entry(org, officers)

    def org_name(self, kind: str, city: City, district: str, group: _Group | None,
                 is_root: bool) -> tuple[str, str]:
        """The organisation's name, and its 字号 for a holding company (its subsidiaries share it)."""
        rng = self.rng
        if kind == "91" and is_root:
            for _ in range(60):
                zihao = self.zihao()
                name = (f"{rng.choice((city.bare, PROVINCE_SHORT[city.province]))}{zihao}"
                        f"{rng.choice(('控股集团', '投资集团', '实业集团'))}有限公司")
                if name not in self.names:
                    self.names.add(name)
                    return name, zihao
        if kind == "91":
            r = rng.random()
            suffix = "有限公司" if r < 0.85 else "股份有限公司" if r < 0.93 else "有限责任公司"
            zihao = group.zihao if group else ""
            return self.unique_name(lambda: self.company_name(city, zihao or self.zihao(), rng.choice(INDUSTRIES),
                                                              suffix)), ""
        return self.other_name(kind, city, district), ""

    def other_name(self, kind: str, city: City, district: str) -> str:
        rng = self.rng
        dname = DISTRICT_NAMES[district]
        place = dname if dname.endswith("市") else f"{city.name}{dname}"
        if kind == "92":
            return self.unique_name(lambda: f"{place}{self.zihao()}{rng.choice(SHOPS)}")
        if kind == "93":
            return self.unique_name(lambda: f"{place}{self.zihao()}{rng.choice(COOPERATIVES)}专业合作社")
        if kind == "51":
            return self.unique_name(lambda: f"{rng.choice((city.name, place))}{rng.choice(ASSOCIATIONS)}"
                                    if rng.random() < 0.5 else
                                    f"{city.name}{self.zihao()}{rng.choice(ASSOCIATIONS)}")
        if kind == "52":
            return self.unique_name(lambda: f"{place}{self.zihao()}{rng.choice(PRIVATE_NON_ENTERPRISE)}")
        if kind == "53":
            return self.unique_name(lambda: f"{rng.choice((city.bare, PROVINCE_SHORT[city.province]))}"
                                            f"{self.zihao()}{rng.choice(FOUNDATIONS)}")
        return self.unique_name(lambda: f"{place}{rng.choice(ORDINALS)}{rng.choice(PUBLIC_INSTITUTIONS)}")

    # ------------------------------------------------------------------------------------------ officers

    def officers(self, org: _Org, group: _Group | None, root_zihao: str | None) -> dict[str, Any]:
        """Write the organisation's roles; returns who holds what (person indexes) for equity and entries.
        `root_zihao` is given for a new holding company: a group is founded with it."""
        is_root = root_zihao is not None
        rng, est = self.rng, org.established
        used: list[int] = []
        joined: dict[int, dt.date] = {}  # person → the day they took up their first role here

        def pick(since: dt.date, key: float = 0.0, reuse: float = 0.25) -> int:
            person = None
            if group and rng.random() < 0.55:
                candidates = [p for p in [group.boss, *group.staff] if p not in used]
                if candidates:
                    person = rng.choice(candidates)
            if person is None:
                person = self.person_for(org, since, used, key=key, reuse=reuse)
            used.append(person)
            joined[person] = since
            return person

        info: dict[str, Any] = {"legal": None, "principal": None, "finance": None, "controller": None,
                                "others": used, "joined": joined}
        if org.kind == "92":
            owner = pick(est, reuse=0.05)
            self.role(owner, org, "PRINCIPAL", "经营者", est)
            info["legal"] = owner
            return info

        if org.kind == "91":
            board = is_root or "股份有限公司" in org.name or rng.random() < 0.04
            if is_root:
                boss = self.new_person(org.division[:2], min(est.year - 30, 1980), 1950)
                used.append(boss)
                staff = [pick(est) for _ in range(rng.randint(2, 4))]
                group = _Group(root_zihao or "", boss, staff, rng.randint(4, 19), org.uscc,
                               500 if rng.random() < 0.08 else 0, [(org.uscc, 0, est)])
                self.groups.append(group)
                legal = boss
            else:
                legal = pick(est, key=0.05)
            info["legal"] = legal
            handover = (self.date_between(est + dt.timedelta(days=365), self.as_of - dt.timedelta(days=30))
                        if rng.random() < 0.12 and (self.as_of - est).days > 800 else None)
            legal_titles: tuple[tuple[str, str], ...] = (("LEGAL_REPRESENTATIVE", "法定代表人"),
                                                         ("DIRECTOR", "董事长" if board else "执行董事"))
            if not board or rng.random() < 0.5:
                legal_titles += (("SENIOR_MANAGER", "总经理"),)
            end_old = handover
            for role, title in legal_titles:
                self.role(legal, org, role, title, est, end_old)
            if handover:
                successor = pick(handover, key=0.05)
                start_new = handover + dt.timedelta(days=1)
                for role, title in legal_titles:
                    self.role(successor, org, role, title, start_new)
                info["legal"] = successor
            if board:
                for _ in range(rng.randint(2, 4)):
                    self.role(pick(est, key=0.15), org, "DIRECTOR", "董事", est)
                self.role(pick(est, key=0.05), org, "SUPERVISOR", "监事会主席", est)
                for _ in range(rng.randint(1, 2)):
                    self.role(pick(est), org, "SUPERVISOR", "监事", est)
                self.role(pick(est), org, "SENIOR_MANAGER", "董事会秘书", est)
            else:
                self.role(pick(est, key=0.05), org, "SUPERVISOR", "监事", est)
            if board or rng.random() < 0.2:
                finance = pick(est)
                self.role(finance, org, "SENIOR_MANAGER", "财务负责人", est)
                info["finance"] = finance
            if group:
                # The group's boss controls every company of the group (a key person in 5-20 organisations).
                self.role(group.boss, org, "ACTUAL_CONTROLLER", "实际控制人", est)
                info["controller"] = group.boss
            elif rng.random() < 0.1:
                self.role(legal, org, "ACTUAL_CONTROLLER", "实际控制人", est)  # the founder
                info["controller"] = legal
            return info

        # Cooperatives, social organisations and public institutions: a legal representative and a principal.
        legal = pick(est, reuse=0.08)
        info["legal"] = legal
        handover = (self.date_between(est + dt.timedelta(days=365), self.as_of - dt.timedelta(days=30))
                    if rng.random() < 0.15 and (self.as_of - est).days > 800 else None)
        self.role(legal, org, "LEGAL_REPRESENTATIVE", "法定代表人", est, handover)
        if handover:
            successor = pick(handover)
            self.role(successor, org, "LEGAL_REPRESENTATIVE", "法定代表人", handover + dt.timedelta(days=1))
            info["legal"] = successor
        if org.kind in ("12", "51", "52", "53"):
            title = "负责人" if rng.random() < 0.5 else "主要负责人"
            if org.kind == "12" and rng.random() < 0.6:  # the head of a public institution is its representative
                principal = info["legal"]
                since = handover + dt.timedelta(days=1) if handover else est
            else:
                principal, since = pick(est, reuse=0.08), est
            self.role(principal, org, "PRINCIPAL", title, since)
            info["principal"] = principal
        if org.kind in ("93", "51", "52", "53"):
            self.role(pick(est, reuse=0.05), org, "SUPERVISOR", "监事", est)
        return info

    # -------------------------------------------------------------------------------------------- equity

    def holding(self, holder_uscc: str | None, holder_person: int | None, org: _Org, bp: int, capital: int,
                start: dt.date) -> None:
        holder_pid = self.person_ids[holder_person] if holder_person is not None else ""
        self.out.write("shareholdings", (holder_uscc or "", holder_pid, org.uscc, ratio_text(bp),
                                         capital * bp // 10000, start.isoformat(), "", SOURCE))

    def equity(self, org: _Org, officers: dict[str, Any], group: _Group | None,
               parent: tuple[str, int, dt.date] | None, is_root: bool) -> None:
        rng, est = self.rng, org.established
        capital = rng.choice((500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 30_000_000, 50_000_000,
                              100_000_000))
        if is_root:
            capital = max(capital, 50_000_000)
        remaining = 10000
        if group and parent:
            parent_bp = 10000 if rng.random() < 0.45 else rng.randint(51, 95) * 100
            self.holding(parent[0], None, org, parent_bp, capital, max(est, parent[2]))
            remaining -= parent_bp
            depth = parent[1] + 1
            group.nodes.append((org.uscc, depth, est))
            # A few cross-holdings: a company deep in the group takes the stake left open in the holding company.
            if depth >= 2 and group.reserve_bp and rng.random() < 0.3:
                self.out.write("shareholdings", (org.uscc, "", group.root_uscc, ratio_text(group.reserve_bp), "",
                                                 est.isoformat(), "", SOURCE))
                group.reserve_bp = 0
        elif is_root:
            remaining -= self.groups[-1].reserve_bp
        elif len(self.enterprises) > 1 and rng.random() < 0.05:
            # A minority stake held by another (earlier) enterprise.
            holder, holder_est = self.enterprises[rng.randrange(len(self.enterprises) - 1)]
            bp = rng.randint(5, 30) * 100
            self.holding(holder, None, org, bp, capital, max(est, holder_est))
            remaining -= bp
        if remaining <= 0:
            return
        holders: list[int] = []
        legal = officers["legal"]
        if group and (is_root or rng.random() < 0.5):
            holders.append(group.boss)
        if legal is not None and legal not in holders and rng.random() < 0.8:
            holders.append(legal)
        # Other holders: mostly the company's own officers, sometimes outside investors.
        officers_left = [p for p in officers["others"] if p not in holders]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            if officers_left and rng.random() < 0.7:
                holders.append(officers_left.pop(rng.randrange(len(officers_left))))
            else:
                holders.append(self.person_for(org, est, holders, reuse=0.3))
        if not holders:
            holders.append(self.person_for(org, est, [], reuse=0.3))
        shares = self.split(remaining, len(holders))
        joined = officers["joined"]
        for person, bp in zip(holders, shares, strict=True):
            if bp > 0:
                self.holding(None, person, org, bp, capital, max(est, joined.get(person, est)))

    def split(self, total: int, parts: int) -> list[int]:
        """`total` basis points in `parts` shares (multiples of 100 where possible), the first the largest."""
        if parts == 1:
            return [total]
        cuts = sorted(self.rng.randint(1, max(1, total // 100 - 1)) * 100 for _ in range(parts - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        shares.sort(reverse=True)
        return shares

    def cooperative_members(self, org: _Org, officers: dict[str, Any]) -> None:
        members = [officers["legal"]]
        for _ in range(self.rng.randint(2, 5)):
            members.append(self.person_for(org, org.established, members, reuse=0.05))
        capital = self.rng.choice((100_000, 300_000, 500_000, 1_000_000))
        joined = officers["joined"]
        for person, bp in zip(members, self.split(10000, len(members)), strict=True):
            if bp > 0:
                self.holding(None, person, org, bp, capital, max(org.established, joined.get(person, org.established)))

    # ------------------------------------------------------------------------------------------- entries

    def organization_entry(self, org: _Org, officers: dict[str, Any]) -> None:
        rng = self.rng
        r = rng.random()
        kind = ("ADMINISTRATIVE_PENALTY" if r < 0.40 else "DISHONEST_DEBTOR" if r < 0.62 else
                "BLACKLIST" if r < 0.77 else "FOCUS_LIST" if r < 0.87 else "RED_LIST")
        if org.kind in ("12", "51", "52", "53") and kind in ("DISHONEST_DEBTOR", "BLACKLIST"):
            kind = "ADMINISTRATIVE_PENALTY"
        earliest = max(org.established + dt.timedelta(days=180), dt.date(2016, 1, 1))
        entry_id = self.entry(("ORGANIZATION", org.uscc), kind, org.division, earliest)
        # Persons directly responsible for a debt or a serious violation (中办发〔2016〕64号 二(六)1).
        if kind in ("DISHONEST_DEBTOR", "BLACKLIST") and entry_id and rng.random() < 0.3 \
                and not officers.get("responsible"):
            person = officers["finance"] if officers["finance"] is not None else officers["legal"]
            if person is not None:
                since = officers["joined"].get(person, org.established)
                self.role(person, org, "DIRECTLY_RESPONSIBLE", "直接责任人员", since)
                officers["responsible"] = person

    def person_entry(self, person: int, division: str) -> None:
        r = self.rng.random()
        kind = "DISHONEST_DEBTOR" if r < 0.8 else "BLACKLIST" if r < 0.9 else "ADMINISTRATIVE_PENALTY"
        earliest = max(dt.date(2016, 1, 1), dt.date(self.person_birth_years[person] + 20, 1, 1))
        self.entry(("PERSON", self.person_ids[person]), kind, division, earliest)

    def document(self, number: str, title: str, issuer: str, day: dt.date, kind: str) -> str:
        self.document_seq += 1
        document_id = f"D{self.document_seq:08d}"
        self.out.write("documents", (document_id, number, title, issuer, day.isoformat(), kind))
        return document_id

    def entry(self, subject: tuple[str, str], kind: str, division: str, earliest: dt.date) -> str | None:
        rng, as_of = self.rng, self.as_of
        if earliest >= as_of - dt.timedelta(days=10):
            return None
        city = city_of(division)
        court_division = division if division in DISTRICT_NAMES else rng.choice(city.districts)[0]
        # Recent listings are the more frequent (the lists grew), so most entries are still in force.
        start = as_of + dt.timedelta(days=20) - dt.timedelta(days=int(rng.expovariate(1 / (2.5 * 365))))
        if start < earliest:
            start = self.date_between(earliest, as_of)
        act = start - dt.timedelta(days=rng.randint(30, 400))
        severity = ""
        end: dt.date | None = None
        leniency: list[str] = []
        repairable = ""
        department: str
        year = start.year

        if kind == "DISHONEST_DEBTOR":
            severity = "SERIOUS" if rng.random() < 0.4 else "GENERAL"
            situation = rng.choice(DEBTOR_SITUATIONS) if rng.random() < 0.4 else DEBTOR_SITUATIONS[0]
            dispute = rng.choice(DISPUTES)
            judged = act - dt.timedelta(days=rng.randint(15, 60))
            department = f"CRT-{court_division}"
            if rng.random() < 0.15:
                seq = self.next_number(f"{city.short}仲裁{judged.year}")
                number = f"{city.short}仲裁字〔{judged.year}〕第{seq:04d}号"
                doc = self.document(number, "裁决书", LOCAL_DEPARTMENT_NAMES[f"ARB-{city.code}"], judged,
                                    "ARBITRATION_AWARD")
            elif rng.random() < 0.2:
                court = f"{PROVINCE_ABBR[city.province]}{city.code[2:]}"
                number = f"({judged.year}){court}民终{self.next_number(court + '民终' + str(judged.year))}号"
                doc = self.document(number, "民事判决书", LOCAL_DEPARTMENT_NAMES[f"ICT-{city.code}"], judged,
                                    "JUDGMENT")
            else:
                court = f"{PROVINCE_ABBR[city.province]}{court_division[2:]}"
                number = f"({judged.year}){court}民初{self.next_number(court + '民初' + str(judged.year))}号"
                title = "民事调解书" if rng.random() < 0.2 else "民事判决书"
                doc = self.document(number, title, district_court_name(court_division), judged, "JUDGMENT")
            reason = f"{situation}（{dispute}）"
            # The first situation lasts until the debt is paid; the others 2 years (extendable by 1-3).
            if situation != DEBTOR_SITUATIONS[0]:
                end = add_years(start, rng.choice((2, 2, 2, 3)))
        elif kind == "BLACKLIST":
            severity = "VERY_SERIOUS" if rng.random() < 0.3 else "SERIOUS"
            end = add_years(start, rng.choice((3, 4, 5)))
            repairable = "false" if severity == "VERY_SERIOUS" and rng.random() < 0.5 else "true"
            r = rng.random()
            decided = start - dt.timedelta(days=rng.randint(3, 20))
            if r < 0.4:
                department = f"AMR-{city.code}"
                reason = rng.choice((
                    "提交虚假材料或者采取其他欺诈手段隐瞒重要事实取得登记，受到撤销登记处罚",
                    "生产销售不符合食品安全标准的食品，受到较重行政处罚",
                    "拒不履行行政处罚决定，列入市场监督管理严重违法失信名单",
                    "被列入经营异常名录届满3年仍未履行相关义务"))
                prefix = f"{city.short}市监信〔{decided.year}〕"
                doc = self.document(f"{prefix}{self.next_number(prefix)}号", "列入严重违法失信名单决定书",
                                    department_name(department), decided, "RECOGNITION_DECISION")
            elif r < 0.7:
                department = f"TAX-{city.code}"
                reason = rng.choice(("虚开增值税专用发票", "偷税数额100万元以上且占应纳税额10%以上",
                                     "逃避追缴欠税", "骗取出口退税")) + "，被确定为重大税收违法失信主体"
                prefix = f"{city.short}税稽罚〔{decided.year}〕"
                doc = self.document(f"{prefix}{self.next_number(prefix)}号", "税务行政处罚决定书",
                                    department_name(department), decided, "PENALTY_DECISION")
            elif r < 0.9:
                department = f"HRSS-{city.code}"
                reason = "克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准"
                prefix = f"{city.short}人社信〔{decided.year}〕"
                doc = self.document(f"{prefix}{self.next_number(prefix)}号",
                                    "拖欠农民工工资失信联合惩戒对象名单列入决定书", department_name(department),
                                    decided, "RECOGNITION_DECISION")
            else:
                department = f"EEB-{city.code}"
                reason = "篡改、伪造自动监测数据，通过逃避监管的方式排放污染物"
                prefix = f"{city.short}环罚〔{decided.year}〕"
                doc = self.document(f"{prefix}{self.next_number(prefix)}号", "行政处罚决定书",
                                    department_name(department), decided, "PENALTY_DECISION")
        elif kind == "FOCUS_LIST":
            severity = "MINOR" if rng.random() < 0.3 else "GENERAL"
            end = add_years(start, rng.choice((1, 2)))
            decided = start - dt.timedelta(days=rng.randint(3, 20))
            if rng.random() < 0.5:
                department = f"DRC-{city.code}"
                reason = rng.choice(("一年内两次受到同类行政处罚", "未按期履行行政处罚决定",
                                     "失信行为尚未达到严重失信主体认定标准，列入重点关注名单"))
                prefix = f"{city.short}发改信〔{decided.year}〕"
                title = "列入失信重点关注名单决定书"
            else:
                department = f"TAX-{city.code}"
                reason = "纳税信用等级评价为D级"
                prefix = f"{city.short}税信〔{decided.year}〕"
                title = "纳税信用评价结果通知书"
            doc = self.document(f"{prefix}{self.next_number(prefix)}号", title, department_name(department),
                                decided, "RECOGNITION_DECISION")
        elif kind == "RED_LIST":
            end = add_years(start, rng.choice((1, 2, 3))) - dt.timedelta(days=1)
            act = None  # type: ignore[assignment]  # red-list entries have no act date
            if rng.random() < 0.5:
                department = f"TAX-{city.code}"
                reason = f"{year - 1}年度纳税信用A级纳税人"
                tax_office = department_name(department)
                seq = self.next_number(f"{tax_office}公告{year}")
                doc = self.document(f"{tax_office}公告{year}年第{seq}号",
                                    f"{tax_office}关于公布{year - 1}年度纳税信用A级纳税人名单的公告",
                                    tax_office, start, "NOTICE")
            else:
                department = f"AMR-{city.code}"
                reason = f"{year - 2}—{year - 1}年度守合同重信用企业"
                prefix = f"{city.short}市监〔{year}〕"
                doc = self.document(f"{prefix}{self.next_number(prefix)}号",
                                    f"关于公布{year - 2}—{year - 1}年度守合同重信用企业名单的通知",
                                    department_name(department), start, "NOTICE")
        else:  # ADMINISTRATIVE_PENALTY
            r = rng.random()
            severity = "MINOR" if r < 0.35 else "GENERAL" if r < 0.85 else "SERIOUS"
            end = add_years(start, 3 if severity == "SERIOUS" else 1)
            r = rng.random()
            if r < 0.6:
                department = f"AMR-{city.code}"
                reason = rng.choice(("销售标签不符合规定的预包装食品", "发布虚假广告", "未按规定公示年度报告信息",
                                     "销售不合格产品", "未取得营业执照从事经营活动", "侵犯注册商标专用权"))
                prefix = f"{city.short}市监罚〔{start.year}〕"
            elif r < 0.85:
                department = f"TAX-{city.code}"
                reason = rng.choice(("未按照规定期限办理纳税申报", "未按规定开具发票", "未按规定保管账簿"))
                prefix = f"{city.short}税简罚〔{start.year}〕"
            else:
                department = f"EEB-{city.code}"
                reason = rng.choice(("超过大气污染物排放标准排放", "未批先建", "危险废物未按规定贮存"))
                prefix = f"{city.short}环罚〔{start.year}〕"
            fine = rng.choice((2000, 5000, 10000, 20000, 50000, 100000, 200000))
            reason = f"{reason}，罚款{fine}元"
            doc = self.document(f"{prefix}{self.next_number(prefix)}号", "行政处罚决定书",
                                department_name(department), start, "PENALTY_DECISION")
            if severity == "MINOR" and rng.random() < 0.5:
                leniency.append("MINOR_VIOLATION")

        # National departments of the catalogue recognise a few entries themselves.
        if kind == "BLACKLIST" and department.startswith("AMR-") and rng.random() < 0.05:
            department = "SAMR" if "SAMR" in self.catalogue_departments else department
        if kind == "BLACKLIST" and department.startswith("TAX-") and rng.random() < 0.05:
            department = "STA" if "STA" in self.catalogue_departments else department

        if act is not None and dt.date(2020, 1, 24) <= act <= dt.date(2022, 12, 31) and kind != "RED_LIST" \
                and rng.random() < 0.25:
            leniency.append("FORCE_MAJEURE")  # the epidemic (国办发〔2020〕49号 item 16)
        if kind in ("ADMINISTRATIVE_PENALTY", "FOCUS_LIST") and rng.random() < 0.04:
            leniency.append("UNINTENTIONAL")

        status = self.status(kind, start, end, repairable != "false")
        chosen = self.measures.eligible(kind, severity or None, subject[0], "MINOR_VIOLATION" in leniency)

        self.entry_seq += 1
        entry_id = f"E{self.entry_seq:08d}"
        org_subject, person_subject = (subject[1], "") if subject[0] == "ORGANIZATION" else ("", subject[1])
        self.out.write("entries", (
            entry_id, org_subject, person_subject, kind, reason, severity, department, doc, start.isoformat(),
            iso(end), iso(act), status, ";".join(leniency), repairable, ";".join(chosen),
        ))
        return entry_id

    def status(self, kind: str, start: dt.date, end: dt.date | None, repairable: bool) -> str:
        rng, as_of = self.rng, self.as_of
        if start > as_of:
            return "PROPOSED"
        if end is not None and end < as_of:
            return "EXPIRED" if rng.random() < 0.15 else "EFFECTIVE"  # most expire by date alone
        r = rng.random()
        if kind == "RED_LIST":
            return "REVOKED" if r < 0.03 else "EFFECTIVE"
        if r < 0.07 and repairable:
            return "REPAIRED"
        if r < 0.11 and (as_of - start).days < 365:
            return "UNDER_OBJECTION"
        if r < 0.13:
            return "REVOKED"
        return "EFFECTIVE"


def generate(out_dir: Path, organizations: int, seed: int = 7, as_of: dt.date = DEFAULT_AS_OF) -> dict[str, int]:
    """Write a synthetic CSV bundle of `organizations` organisations to `out_dir`; returns rows per file."""
    if organizations < 0:
        raise ValueError("organizations must be >= 0")
    out_dir = Path(out_dir)
    catalogue = read_catalogue()
    with BundleWriter(out_dir) as bundle:
        write_departments(bundle, catalogue)
        Generator(bundle, random.Random(seed), as_of, catalogue).run(organizations)
    return dict(bundle.counts)

