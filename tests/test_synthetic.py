"""loaders.synthetic: the generated bundle is deterministic, valid and consistent, and the committed demo bundle
(data/demo) is exactly what `write_demo` produces and shows what its README says."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import hashlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from graph.identifiers import validate_id_number, validate_uscc
from graph.model import Severity
from graph.rules import add_years
from graph.settings import PROJECT_ROOT
from graph.store import GraphStore
from loaders import rows as r
from loaders.kinds import RECORD_KINDS
from loaders.measures import CATALOGUE_DIR
from loaders.pipeline import Loader
from loaders.synthetic.__main__ import main
from loaders.synthetic.demo import DEMO_ENTRIES, DEMO_ORG, write_demo
from loaders.synthetic.generator import DEFAULT_AS_OF, FILES, generate
from queries.checks import check_subjects, trace_liability
from queries.subjects import SubjectRef

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def read(bundle: Path, name: str) -> list[dict[str, str]]:
    with (bundle / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def catalogue(name: str) -> list[dict[str, str]]:
    with (CATALOGUE_DIR / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    generate(out, organizations=3000, seed=11)
    return out


BUNDLES = ["generated", "demo"]


@pytest.fixture(params=BUNDLES)
def any_bundle(request: pytest.FixtureRequest, bundle: Path) -> Path:
    return bundle if request.param == "generated" else DEMO_DIR


# ------------------------------------------------------------------------------------------ determinism


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", organizations=400, seed=5)
    second = generate(tmp_path / "b", organizations=400, seed=5)
    assert first == second
    for name in FILES:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes(), name
    generate(tmp_path / "c", organizations=400, seed=6)
    assert (tmp_path / "a" / "organizations.csv").read_bytes() != (tmp_path / "c" / "organizations.csv").read_bytes()


# SHA-256 of every file the generator wrote before it was split into vocabulary, generator and demo (issue 10,
# commit 1a08d67). The split had to change nothing; a deliberate change of the generator's output must update
# these digests (and regenerate data/demo), and say so in its commit.
GOLDEN_DIGESTS: dict[str, dict[str, str]] = {
    "seed 7, 300 organisations": {
        "departments.csv": "4b451b7b3d66057d6bd37289197b96c8c53fd214b5a0205b87c2c5a6b09fb609",
        "documents.csv": "80325af75ca32b7ca5c7d603e6fc7abf4418aa603738e05263d7b9e90fa761e2",
        "entries.csv": "243b2b9dedb8a60e4d11891cfbb2c739e27df7d1a02c5bae540077c10faeb3d9",
        "organizations.csv": "d28f09a45a220c242f44bfc65c1396d59f1f7ec52405c34c5f3615eedb22fc12",
        "persons.csv": "6c5e073253eb23ad1ee1234b0639ca5f01f82e9792752a7598265e1f2606431c",
        "roles.csv": "3e3969e4543f082176a803d3e44550d25424401ea4b575ae38b17936457df3cd",
        "shareholdings.csv": "b41d3c61f3a4b3ec6fd1308df252da013a01f08738f76686dde3c1df7f27e6e7",
    },
    "seed 11, 500 organisations, as of 2024-06-30": {
        "departments.csv": "4b451b7b3d66057d6bd37289197b96c8c53fd214b5a0205b87c2c5a6b09fb609",
        "documents.csv": "16fd6bc216a2b8b57e97a2a39e1fcf5a5d551a5529c3e987aa70c7109ffb8aed",
        "entries.csv": "9bcdcf28449ea0c88ba7d0d87dda3e91d3fbb2f76b8fcad46e70180cda8d839a",
        "organizations.csv": "8dc59a637911598f490b0e42bb7e68d29f1a137bf7cdff9aef18a97174f34917",
        "persons.csv": "eac8425b225289b0bf1369d1da765856212703284c0182cde218e7d6c0028fc3",
        "roles.csv": "0ae558cd9476127081945cfdea1f9144a3f7bffc95dd73253d2eaeaeef8aa10c",
        "shareholdings.csv": "d623cd64fa269a7252396ba94565e17770e70d95d2617f222afe58fda8d4f52d",
    },
    "demo": {
        "README.md": "b53ee1de434c4a4522c144a067cc4dee7af16065a6f4475b98741a5fa643ba7a",
        "departments.csv": "4b451b7b3d66057d6bd37289197b96c8c53fd214b5a0205b87c2c5a6b09fb609",
        "documents.csv": "57a1009831a138756f96a1919cb61c6f295294e1fa41d6ea0bf986857fa34cf4",
        "entries.csv": "fac3b77359e81372762e1b058bea03bece767173d0f78b91ef2233dfd1e25e36",
        "organizations.csv": "e4b5212026b9d9877319455ab2c306f323decc86f2ee9783f9a4a00796ed7c08",
        "persons.csv": "892800cc67037e2ebff722487313409edd1a75a8b0f9945f74a340b79c3d4437",
        "roles.csv": "f8ae46cf00ad04007c4cbea45ee68c104144531b96240a56b30bdd647897a46d",
        "shareholdings.csv": "cb932300f0b16737a360b37f225ca69d611a98af0f437f75c0f31d2f05873c3c",
    },
}


@pytest.mark.parametrize("configuration", list(GOLDEN_DIGESTS))
def test_output_matches_golden_digests(tmp_path: Path, configuration: str) -> None:
    if configuration == "demo":
        write_demo(tmp_path)
    elif configuration.startswith("seed 7"):
        generate(tmp_path, organizations=300, seed=7)
    else:
        generate(tmp_path, organizations=500, seed=11, as_of=dt.date(2024, 6, 30))
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(tmp_path.iterdir())}
    assert digests == GOLDEN_DIGESTS[configuration]


def test_counts_match_files(tmp_path: Path) -> None:
    counts = generate(tmp_path, organizations=200, seed=1)
    assert list(counts) == list(FILES)
    for name in FILES:
        assert counts[name] == len(read(tmp_path, name)), name
    assert counts["organizations"] == 200


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out"), "--organizations", "50", "--seed", "4"]) == 0
    assert "organizations: 50" in capsys.readouterr().out
    assert len(read(tmp_path / "out", "organizations")) == 50


# ------------------------------------------------------------------------------------------- validity


def test_every_identifier_validates(any_bundle: Path) -> None:
    usccs = [row["uscc"] for row in read(any_bundle, "organizations")]
    assert usccs and all(validate_uscc(u) == u for u in usccs)
    assert len(set(usccs)) == len(usccs)
    ids = [row["id_number"] for row in read(any_bundle, "persons")]
    assert ids and all(validate_id_number(i, DEFAULT_AS_OF) == i for i in ids)
    assert len(set(ids)) == len(ids)


def test_every_row_parses_and_keys_are_unique(any_bundle: Path) -> None:
    """Every row passes the loader's own validation, and no two rows of a file have the same identity (the
    loader would reject the second)."""
    for name in FILES:
        seen: set[Any] = set()
        for raw in read(any_bundle, name):
            try:
                row = RECORD_KINDS[name].parse(raw)
            except r.RowError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{any_bundle.name}/{name}.csv: {exc} in {raw}")
            for identity in RECORD_KINDS[name].identities_of(row):
                assert identity not in seen, (name, identity)
                seen.add(identity)


def test_referential_integrity(any_bundle: Path) -> None:
    orgs = {row["uscc"] for row in read(any_bundle, "organizations")}
    persons = {row["person_id"] for row in read(any_bundle, "persons")}
    documents = {row["document_id"] for row in read(any_bundle, "documents")}
    catalogue_departments = {row["code"] for row in catalogue("departments")}
    bundle_departments = {row["code"] for row in read(any_bundle, "departments")}
    assert not bundle_departments & catalogue_departments, "the bundle repeats catalogue departments"
    departments = bundle_departments | catalogue_departments
    for row in read(any_bundle, "roles"):
        assert row["person_id"] in persons and row["uscc"] in orgs, row
    for row in read(any_bundle, "shareholdings"):
        assert bool(row["holder_uscc"]) != bool(row["holder_person_id"]), row
        assert row["holder_uscc"] in orgs or row["holder_person_id"] in persons, row
        assert row["uscc"] in orgs and row["holder_uscc"] != row["uscc"], row
    measures = {row["code"]: row for row in catalogue("measures")}
    for row in read(any_bundle, "entries"):
        assert bool(row["subject_uscc"]) != bool(row["subject_person_id"]), row
        assert row["subject_uscc"] in orgs or row["subject_person_id"] in persons, row
        assert row["department"] in departments, row
        assert row["document_id"] in documents, row
        severity = Severity(row["severity"] or "GENERAL")
        for code in filter(None, row["measures"].split(";")):
            assert code in measures, code
            measure = measures[code]
            assert row["kind"] in measure["kinds"].split(";"), (row["entry_id"], code)
            assert severity.rank >= Severity(measure["min_severity"] or "MINOR").rank, (row["entry_id"], code)
            targets = set(measure["targets"].split(";"))
            if row["subject_person_id"]:
                assert "PERSON" in targets, (row["entry_id"], code)
            else:
                assert targets - {"PERSON"}, (row["entry_id"], code)


def _basis_points(ratio: str) -> int:
    return round(float(ratio[:-1]) * 100 if ratio.endswith("%") else float(ratio) * 10000)


def test_ratios_held_in_an_organisation_never_exceed_one(any_bundle: Path) -> None:
    periods: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for row in read(any_bundle, "shareholdings"):
        periods[row["uscc"]].append((row["from"] or "", row["to"] or "9999-12-31", _basis_points(row["ratio"])))
    assert periods
    for uscc, held in periods.items():
        for day in {start for start, _, _ in held}:
            total = sum(bp for start, end, bp in held if start <= day <= end)
            assert total <= 10000, (uscc, day, total)


def test_periods(any_bundle: Path) -> None:
    blacklists = 0
    for row in read(any_bundle, "entries"):
        start = dt.date.fromisoformat(row["start"])
        if row["end"]:
            assert row["end"] >= row["start"], row
        if row["act_date"]:
            assert row["act_date"] <= row["start"], row
        if row["kind"] == "BLACKLIST":
            blacklists += 1
            end = dt.date.fromisoformat(row["end"])
            assert add_years(start, 3) <= end <= add_years(start, 5), row  # Xiamen 3(二): kept 3-5 years
    assert blacklists
    for row in read(any_bundle, "roles"):
        assert not row["to"] or row["from"] <= row["to"], row


def test_persons_are_adults_in_their_roles_and_holdings(any_bundle: Path) -> None:
    born = {row["person_id"]: dt.date.fromisoformat(f"{row['id_number'][6:10]}-{row['id_number'][10:12]}-"
                                                    f"{row['id_number'][12:14]}")
            for row in read(any_bundle, "persons")}
    assert all(1950 <= day.year <= 2000 for day in born.values())
    for row in read(any_bundle, "roles"):
        assert dt.date.fromisoformat(row["from"]) >= add_years(born[row["person_id"]], 18), row
    for row in read(any_bundle, "shareholdings"):
        if row["holder_person_id"]:
            assert dt.date.fromisoformat(row["from"]) >= add_years(born[row["holder_person_id"]], 18), row


# ---------------------------------------------------------------------------------------------- realism


def test_generated_bundle_is_varied(bundle: Path) -> None:
    orgs = read(bundle, "organizations")
    kinds = Counter(row["uscc"][:2] for row in orgs)
    assert kinds["91"] > len(orgs) * 0.7
    assert {"92", "93", "12"} <= set(kinds) and {"51", "52", "53"} & set(kinds)
    assert len({row["uscc"][2:4] for row in orgs}) >= 20  # provinces
    assert any(row["uscc"][8:10] == "MA" for row in orgs) and any(row["uscc"][8:16].isdigit() for row in orgs)
    entries = read(bundle, "entries")
    assert {row["kind"] for row in entries} == {"DISHONEST_DEBTOR", "BLACKLIST", "FOCUS_LIST", "RED_LIST",
                                                "ADMINISTRATIVE_PENALTY"}
    assert {"EFFECTIVE", "REPAIRED", "UNDER_OBJECTION", "EXPIRED"} <= {row["status"] for row in entries}
    assert any(row["end"] and row["end"] < DEFAULT_AS_OF.isoformat() and row["status"] == "EFFECTIVE"
               for row in entries)
    assert any("FORCE_MAJEURE" in row["leniency"] for row in entries)
    on_orgs = sum(1 for row in entries if row["subject_uscc"])
    assert 0.03 * len(orgs) < on_orgs < 0.08 * len(orgs)
    persons = read(bundle, "persons")
    on_persons = sum(1 for row in entries if row["subject_person_id"])
    assert 0.004 * len(persons) < on_persons < 0.02 * len(persons)
    assert len(persons) < 3 * len(orgs)

    roles = read(bundle, "roles")
    orgs_of: dict[str, set[str]] = defaultdict(set)
    for row in roles:
        orgs_of[row["person_id"]].add(row["uscc"])
    assert any(5 <= len(held) <= 25 for held in orgs_of.values())  # key persons
    assert sum(1 for held in orgs_of.values() if len(held) > 1) > 0.05 * len(orgs_of)
    assert any(row["to"] for row in roles if row["role"] == "LEGAL_REPRESENTATIVE")  # handovers
    titles = {row["title"] for row in roles}
    assert {"法定代表人", "董事长", "董事", "监事", "总经理", "财务负责人", "实际控制人"} <= titles


def _org_parents(bundle: Path) -> dict[str, list[str]]:
    parents: dict[str, list[str]] = defaultdict(list)
    for row in read(bundle, "shareholdings"):
        if row["holder_uscc"]:
            parents[row["uscc"]].append(row["holder_uscc"])
    return parents


def test_equity_chains_and_cycles(bundle: Path) -> None:
    parents = _org_parents(bundle)

    def levels(uscc: str, path: tuple[str, ...] = ()) -> int:
        if uscc in path:
            return 0
        return 1 + max((levels(p, (*path, uscc)) for p in parents.get(uscc, [])), default=0)

    depths = Counter(levels(u) for u in parents)
    assert max(depths) >= 5  # holding company → subsidiary → … at least 5 organisations deep

    def on_cycle(uscc: str) -> bool:
        frontier = {uscc}
        for _ in range(8):
            frontier = {p for f in frontier for p in parents.get(f, [])}
            if uscc in frontier:
                return True
        return False

    cyclic = [u for u in parents if on_cycle(u)]
    assert cyclic and len(cyclic) < 0.05 * len(parents)


# ------------------------------------------------------------------------------------------ the demo


def test_committed_demo_is_regenerated_exactly(tmp_path: Path) -> None:
    write_demo(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in DEMO_DIR.iterdir()), "files differ"
    match, mismatch, errors = filecmp.cmpfiles(DEMO_DIR, tmp_path, names, shallow=False)
    assert not mismatch and not errors, (
        f"data/demo differs from write_demo() in {mismatch + errors}: run "
        "`python -m loaders.synthetic data/demo --demo` and review the diff")


def test_demo_ids_do_not_collide(tmp_path: Path) -> None:
    """The curated rows and the background never share an id (a collision would be a duplicate reject)."""
    persons = [row["person_id"] for row in read(DEMO_DIR, "persons")]
    assert len(persons) == len(set(persons))
    assert sum(p.startswith("P-DEMO-") for p in persons) >= 20
    entries = [row["entry_id"] for row in read(DEMO_DIR, "entries")]
    assert sum(e.startswith("E-DEMO-") for e in entries) == len(DEMO_ENTRIES)
    names = [row["name"] for row in read(DEMO_DIR, "organizations")]
    assert len(names) == len(set(names))


# The demo README's claims, checked through the real loader and the real checks (both engines when NEO4J_URI
# is set). (subject, scenario, verdict)
DEMO_VERDICTS: list[tuple[str, str, str]] = [
    ("A", "BANK_CREDIT", "RESTRICTED"),  # a) own blacklist entry
    ("B", "BANK_CREDIT", "RESTRICTED"),  # b) director traced to A
    ("C", "BANK_CREDIT", "RESTRICTED"),  # c) legal representative is a dishonest debtor
    ("D1", "BANK_CREDIT", "CLEAR"),  # d) expired by date
    ("D2", "BANK_CREDIT", "CLEAR"),  # d) repaired
    ("E", "BANK_CREDIT", "REVIEW"),  # e) under objection
    ("F", "BANK_CREDIT", "REVIEW"),  # f) recommended measures only
    ("G", "BANK_CREDIT", "REVIEW"),  # g) leniency
    ("H3", "BANK_CREDIT", "REVIEW"),  # h) 0.6 × 0.9 = 0.54
    ("H5", "BANK_CREDIT", "REVIEW"),  # h) 0.3 + 0.8 × 0.3 = 0.54
    ("H6", "BANK_CREDIT", "CLEAR"),  # h) cycle, nobody listed
    ("H7", "BANK_CREDIT", "CLEAR"),
    ("H8", "BANK_CREDIT", "CLEAR"),
    ("I1", "BANK_CREDIT", "CLEAR"),  # i) red list
    ("I2", "BANK_CREDIT", "REVIEW"),  # i) administrative penalty
    ("J", "BANK_CREDIT", "CLEAR"),  # j) clean
    ("K2", "REAL_ESTATE", "RESTRICTED"),  # k) its legal representative was K's principal
    ("P-DEMO-011", "REAL_ESTATE", "RESTRICTED"),  # k) principal
    ("P-DEMO-012", "REAL_ESTATE", "RESTRICTED"),  # k) directly responsible
    ("P-DEMO-002", "BANK_CREDIT", "CLEAR"),  # a) left before the listing
    ("P-DEMO-003", "BANK_CREDIT", "CLEAR"),  # a) joined after the listing
]


def test_demo_shows_what_its_readme_says(store: GraphStore) -> None:
    report = Loader(store).load_path(DEMO_DIR)
    assert not report.rejects, [x.describe() for x in report.rejects[:10]]

    subjects = [SubjectRef(uscc=DEMO_ORG[key].uscc) if key in DEMO_ORG else SubjectRef(person_id=key)
                for key, _, _ in DEMO_VERDICTS]
    got = {}
    for scenario in sorted({s for _, s, _ in DEMO_VERDICTS}):
        asked = [(key, ref) for (key, sc, _), ref in zip(DEMO_VERDICTS, subjects, strict=True) if sc == scenario]
        results = check_subjects(store, [ref for _, ref in asked], scenario, DEFAULT_AS_OF)
        got.update({(key, scenario): result for (key, _), result in zip(asked, results, strict=True)})
    wrong = {f"{key} {sc}": got[(key, sc)].verdict.value for key, sc, verdict in DEMO_VERDICTS
             if got[(key, sc)].verdict.value != verdict}
    assert not wrong, wrong

    holders = {key: [f.ratio for f in got[(key, "BANK_CREDIT")].findings if f.ratio] for key in ("H3", "H5")}
    assert holders == {"H3": [0.54], "H5": [0.54]}
    assert all(f.suspended for f in got[("E", "BANK_CREDIT")].findings)
    assert got[("J", "BANK_CREDIT")].findings == []

    _, _, reaches = trace_liability(store, "E-DEMO-001")
    reached = {(x.person["pid"], x.role["role"]): x.reached for x in reaches}
    assert reached[("P-DEMO-001", "LEGAL_REPRESENTATIVE")] is True
    assert reached[("P-DEMO-002", "LEGAL_REPRESENTATIVE")] is False
    assert reached[("P-DEMO-003", "DIRECTOR")] is False
    _, _, reaches = trace_liability(store, "E-DEMO-013")
    reached = {(x.person["pid"], x.role["role"]): x.reached for x in reaches}
    assert reached[("P-DEMO-014", "LEGAL_REPRESENTATIVE")] and reached[("P-DEMO-015", "LEGAL_REPRESENTATIVE")]
