"""GraphQL of graded supervision (信用分级分类监管, issue 15): `creditClass`, `classDistribution`, `classificationRuns`
and the `classifyAll` mutation. Thin: queries/classes.py computes, graph/classes.py decides.

Who: BANK, INVESTIGATOR and DEPARTMENT keys (and ADMIN) may read an organisation's class (it names no person:
indicator values are counts, their evidence entry ids and USCCs); the distribution and the runs are for DEPARTMENT,
INVESTIGATOR and ADMIN; a run (`classifyAll`) for DEPARTMENT and ADMIN. Every read is in the access log
(`AccessLogged`), the run too.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from api.auth import ADMIN, BANK, DEPARTMENT, INVESTIGATOR, AcceptPurpose, AccessLogged, RequireRole
from api.check_types import SubjectRef
from graph import settings
from graph.errors import InvalidInput
from queries import classes as cls


@strawberry.enum(description="How classDistribution groups organisations. DIVISION: the administrative-division "
                             "code of the USCC (6 digits). INDUSTRY: the registration category decoded from the USCC "
                             "(企业, 个体工商户, 农民专业合作社, 社会团体 …): the graph holds no GB/T 4754 "
                             "industry code")
class DistributionBy(enum.Enum):
    DIVISION = "DIVISION"
    INDUSTRY = "INDUSTRY"


@strawberry.type(description="One indicator of a credit-risk class: its value for the subject, the factor its "
                             "thresholds give, the points (weight x factor) and why (evidence, basis)")
class CreditIndicatorValue:
    code: str
    name: str
    name_en: str | None
    source: str = strawberry.field(description="the rule of graph/classes.py that computes the value")
    parameters: str
    weight: float
    thresholds: str = strawberry.field(description="at:factor steps, ascending")
    value: float
    factor: float
    points: float
    floor_class: str | None = strawberry.field(description="the class at least, when the value is above 0")
    evidence: list[str] = strawberry.field(description="entry ids, or keys, that make the value")
    basis_document: str | None
    basis_item: str | None
    quote: str | None


@strawberry.type(description="An indicator of the table")
class CreditIndicatorDefinition:
    code: str
    name: str
    name_en: str | None
    source: str
    parameters: str
    weight: float
    thresholds: str
    floor_class: str | None
    basis_document: str | None
    basis_item: str | None
    quote: str | None


@strawberry.type(description="A class of the table: its lowest score and its inspection ratio")
class CreditClassBand:
    code: str
    name: str
    name_en: str | None
    min_score: float
    inspection_ratio_min: float
    inspection_ratio_max: float
    basis_document: str | None
    basis_item: str | None
    quote: str | None

    @classmethod
    def from_row(cls, m: dict[str, Any]) -> CreditClassBand:
        return cls(code=m["code"], name=m["name"], name_en=m.get("nameEn"), min_score=float(m["minScore"]),
                   inspection_ratio_min=float(m["inspectionMin"]), inspection_ratio_max=float(m["inspectionMax"]),
                   basis_document=m.get("basisDocument"), basis_item=m.get("basisItem"), quote=m.get("quote"))


@strawberry.type(description="The subject's class in one batch run")
class CreditClassRecord:
    run_id: str
    as_of: dt.date
    recorded_at: str
    credit_class: str
    score: float
    previous_class: str | None


@strawberry.type(description="An organisation's credit-risk class (A low … D high) on a day, indicator by indicator")
class CreditClass:
    uscc: str
    name: str | None
    as_of: dt.date
    credit_class: str
    class_name: str
    score: float
    score_class: str = strawberry.field(description="the class the score alone gives (before floor classes)")
    floor_by: str | None = strawberry.field(description="the indicator whose floor class raised the class")
    inspection_ratio_min: float
    inspection_ratio_max: float
    indicators: list[CreditIndicatorValue]
    band: CreditClassBand
    network_subjects: int = strawberry.field(description="subjects within two hops walked for the network "
                                                         "indicators")
    network_complete: bool = strawberry.field(description="false when the two-hop neighbourhood is larger than the "
                                                          "walk's cap: the network indicators then count the "
                                                          "subjects reached")
    history: list[CreditClassRecord] = strawberry.field(description="its class in the batch runs, newest first")


@strawberry.type(description="Organisations per class in one group (a division or an industry)")
class ClassCount:
    key: str | None
    a: int
    b: int
    c: int
    d: int
    total: int


@strawberry.type(description="A batch run (classifyAll)")
class ClassificationRun:
    run_id: str
    as_of: dt.date
    started_at: str
    finished_at: str | None
    actor: str | None
    organizations: int
    changes: int
    counts: ClassCount
    data_version: int | None


@strawberry.type(description="Organisations per class and per division or industry, from the latest run as of "
                             "a day")
class ClassDistribution:
    run: ClassificationRun
    by: DistributionBy
    groups: list[ClassCount]
    totals: ClassCount
    bands: list[CreditClassBand]


@strawberry.type(description="What a batch run did")
class ClassificationResult:
    run: ClassificationRun
    changed: list[str] = strawberry.field(description="USCCs whose class changed since their previous run, in USCC "
                                                      "order, the first settings.MAX_PAGE_SIZE (run.changes counts "
                                                      "them all)")
    events_published: int
    seconds_read: float
    seconds_compute: float
    seconds_write: float


def _count(key: str | None, counts: dict[str, int]) -> ClassCount:
    return ClassCount(key=key, a=counts.get("A", 0), b=counts.get("B", 0), c=counts.get("C", 0),
                      d=counts.get("D", 0), total=sum(counts.values()))


def _run(m: dict[str, Any]) -> ClassificationRun:
    counts = dict(zip(("A", "B", "C", "D"), [int(x) for x in m.get("counts") or [0, 0, 0, 0]], strict=False))
    return ClassificationRun(run_id=m["runId"], as_of=dt.date.fromisoformat(m["asOf"]), started_at=m["startedAt"],
                             finished_at=m.get("finishedAt"), actor=m.get("actor"),
                             organizations=int(m.get("organizations") or 0), changes=int(m.get("changes") or 0),
                             counts=_count(None, counts), data_version=m.get("dataVersion"))


def credit_class_of(answer: cls.ClassAnswer) -> CreditClass:
    r, table = answer.classification, answer.table
    indicators = []
    for c in r.contributions:
        row = table.rows[c.indicator.code]
        indicators.append(CreditIndicatorValue(
            code=c.indicator.code, name=c.indicator.name, name_en=row.get("nameEn"), source=c.indicator.source,
            parameters=row.get("parameters") or "", weight=c.indicator.weight, thresholds=row["thresholds"],
            value=c.value, factor=c.factor, points=c.points, floor_class=c.indicator.floor_class,
            evidence=list(c.evidence), basis_document=c.indicator.basis_document,
            basis_item=c.indicator.basis_item, quote=row.get("quote")))
    return CreditClass(
        uscc=r.uscc, name=answer.organization.get("name"), as_of=r.as_of, credit_class=r.code,
        class_name=r.band.name, score=r.score, score_class=r.score_band, floor_by=r.floor_by,
        inspection_ratio_min=r.band.inspection_min, inspection_ratio_max=r.band.inspection_max,
        indicators=indicators, band=CreditClassBand.from_row(table.band_rows[r.code]),
        network_subjects=answer.network_subjects, network_complete=answer.network_complete,
        history=[CreditClassRecord(run_id=h["runId"], as_of=dt.date.fromisoformat(h["asOf"]),
                                   recorded_at=h["recordedAt"], credit_class=h["creditClass"],
                                   score=float(h["score"]), previous_class=h.get("previousClass"))
                 for h in answer.history])


def _organization(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    return _uscc_of(kwargs["subject"]), "ORGANIZATION"


def _uscc_of(subject: SubjectRef) -> str:
    ref = subject.to_ref()
    if ref.kind != "ORGANIZATION":
        raise InvalidInput("subject: credit-risk classes are for organisations (give uscc, not personId)",
                           field="subject")
    return ref.key


def _graph(source: Any, kwargs: dict[str, Any]) -> tuple[str, str]:
    return "*", "GRAPH"


@strawberry.type
class ClassQuery:
    @strawberry.field(description="An organisation's credit-risk class A-D on a day (graded supervision, "
                                  "国办发〔2019〕35号 (七)): score, every indicator's value, points and basis, and "
                                  "the inspection ratio of the class; computed now from the graph and the "
                                  "indicator table (registered in the access log)",
                      permission_classes=[RequireRole(BANK, INVESTIGATOR, DEPARTMENT), AcceptPurpose],
                      extensions=[AccessLogged("creditClass", _organization)])
    def credit_class(self, info: Info, subject: SubjectRef, as_of: dt.date | None = None,
                     purpose: str | None = None) -> CreditClass:
        return credit_class_of(cls.credit_class(info.context.store, _uscc_of(subject), as_of))

    @strawberry.field(description="Organisations per class and per division or industry, from the latest batch "
                                  "run as of the day (the latest of all without asOf)",
                      permission_classes=[RequireRole(INVESTIGATOR, DEPARTMENT), AcceptPurpose],
                      extensions=[AccessLogged("classDistribution", _graph, lambda d: d.totals.total)])
    def class_distribution(self, info: Info, as_of: dt.date | None = None,
                           by: DistributionBy = DistributionBy.DIVISION,
                           purpose: str | None = None) -> ClassDistribution:
        d = cls.class_distribution(info.context.store, as_of, by.value)
        return ClassDistribution(run=_run(d.run), by=by, groups=[_count(k, v) for k, v in d.groups],
                                 totals=_count(None, d.totals),
                                 bands=[CreditClassBand.from_row(d_row) for d_row in _band_rows(info)])

    @strawberry.field(description="The classes A-D of the table: lowest score, inspection ratio, basis")
    def credit_classes(self, info: Info) -> list[CreditClassBand]:
        return [CreditClassBand.from_row(m) for m in _band_rows(info)]

    @strawberry.field(description="The indicator table (loaders/catalogue/credit_indicators.csv as loaded): "
                                  "source rule, parameters, weight, thresholds, floor class and basis")
    def credit_indicators(self, info: Info) -> list[CreditIndicatorDefinition]:
        table = cls.read_table(info.context.store)
        return [CreditIndicatorDefinition(
            code=i.code, name=i.name, name_en=table.rows[i.code].get("nameEn"), source=i.source,
            parameters=table.rows[i.code].get("parameters") or "", weight=i.weight,
            thresholds=table.rows[i.code]["thresholds"], floor_class=i.floor_class, basis_document=i.basis_document,
            basis_item=i.basis_item, quote=table.rows[i.code].get("quote")) for i in table.indicators]


def _band_rows(info: Info) -> list[dict[str, Any]]:
    table = cls.read_table(info.context.store)
    return [table.band_rows[b.code] for b in table.bands]


@strawberry.type
class ClassMutation:
    @strawberry.mutation(description="Classify every organisation as of a day (a batch run): the records of the "
                                     "run are kept per organisation, and every class change is published to "
                                     "listEvents subscribers that asked for class changes (DEPARTMENT, ADMIN)",
                         permission_classes=[RequireRole(DEPARTMENT, ADMIN)],
                         extensions=[AccessLogged("classifyAll", _graph, lambda r: r.run.organizations)])
    def classify_all(self, info: Info, as_of: dt.date) -> ClassificationResult:
        report = cls.classify_all(info.context.store, as_of, info.context.who)
        changed = [c["uscc"] for c in report.changes[:settings.MAX_PAGE_SIZE]]
        return ClassificationResult(run=_run(report.run), changed=changed,
                                    events_published=report.events_published,
                                    seconds_read=report.seconds.get("read", 0.0),
                                    seconds_compute=report.seconds.get("compute", 0.0),
                                    seconds_write=report.seconds.get("write", 0.0))

