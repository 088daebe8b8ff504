"""The curated demo bundle (`data/demo/`): explicit rows with stable ids, each there to show one rule of
../shared/DOMAIN.md, on a generated background, and the README written beside it (`write_demo`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from graph.identifiers import make_id_number, make_uscc
from loaders.measures import read_catalogue
from loaders.synthetic.generator import (
    DEFAULT_AS_OF,
    FILES,
    BundleWriter,
    Generator,
    ratio_text,
    write_departments,
)
from loaders.synthetic.vocabulary import LOCAL_DEPARTMENT_NAMES

DEMO_SEED = 2026
DEMO_BACKGROUND_ORGANIZATIONS = 300

# The README written beside the bundle lists the cases. Everything is as of DEFAULT_AS_OF (2026-11-01).
# Organisations are named by a short key here; their USCCs are made from fixed organisation-code bodies `MAD000nn`
# (the background generator never produces `MA` + letter).

_BL = ("STRICT_LICENCE_REVIEW", "RESTRICT_SECURITIES_FINANCING", "RESTRICT_FINANCIAL_INSTITUTION_STAKE",
       "RESTRICT_FISCAL_FUNDS", "RESTRICT_PUBLIC_RESOURCE_TRADING", "MARKET_INDUSTRY_BAN", "REVOKE_HONOURS",
       "KEY_SUPERVISION", "RISK_PRICING", "RESTRICT_CREDIT_LISTED", "INCREASE_INSPECTION", "WARNING_INTERVIEW",
       "CREDIT_REFERENCE_SHARING", "RESTRICT_APPOINTMENT_QUALIFICATION", "GP_SUPPLIER_BAN")
# Dishonest debtor, on a person: the measures that reach a listed person.
_DD_PERSON = ("REVIEW_FINANCIAL_INSTITUTION_SETUP", "RESTRICT_GUARANTEE_INSURANCE_SETUP", "RESTRICT_SOCIAL_ORG_SETUP",
              "RESTRICT_GOVERNMENT_PROCUREMENT", "RESTRICT_GOVERNMENT_INVESTMENT_PROJECT",
              "RESTRICT_GOVERNMENT_SUBSIDY", "REVIEW_POLICY_SUPPORT", "RESTRICT_SOE_EXECUTIVE",
              "RESTRICT_FINANCIAL_EXECUTIVE", "RESTRICT_SOCIAL_ORG_HEAD", "RESTRICT_CIVIL_SERVICE",
              "RESTRICT_REGULATED_INDUSTRY", "RESTRICT_HONOURS", "RESTRICT_BANK_CREDIT",
              "RESTRICT_REAL_ESTATE_PURCHASE", "RESTRICT_STATE_ASSET_TRANSACTION", "RESTRICT_HIGH_CONSUMPTION",
              "RESTRICT_APPOINTMENT_QUALIFICATION")
_DD_PERSON_SERIOUS = (*_DD_PERSON, "MARKET_INDUSTRY_BAN", "RESTRICT_EXIT")
# Dishonest debtor, on an organisation: the measures that reach it and the persons traced from it.
_DD_ORG = ("REVIEW_FINANCIAL_INSTITUTION_SETUP", "RESTRICT_GUARANTEE_INSURANCE_SETUP", "RESTRICT_BOND_ISSUE",
           "REVIEW_SHARE_ISSUE", "RESTRICT_SOCIAL_ORG_SETUP", "RESTRICT_GOVERNMENT_PROCUREMENT",
           "RESTRICT_GOVERNMENT_INVESTMENT_PROJECT", "RESTRICT_GOVERNMENT_SUBSIDY", "REVIEW_POLICY_SUPPORT",
           "RESTRICT_CUSTOMS_CERTIFICATION", "RESTRICT_REGULATED_INDUSTRY", "RESTRICT_CONSTRUCTION_QUALIFICATION",
           "RESTRICT_HONOURS", "RESTRICT_BANK_CREDIT", "RESTRICT_REAL_ESTATE_PURCHASE",
           "RESTRICT_STATE_ASSET_TRANSACTION", "RESTRICT_HIGH_CONSUMPTION", "RESTRICT_APPOINTMENT_QUALIFICATION")
_DD_ORG_SERIOUS = (*_DD_ORG, "MARKET_INDUSTRY_BAN", "RESTRICT_EXIT")


@dataclass(frozen=True)
class DemoOrg:
    key: str
    division: str
    body: str
    name: str
    established: str
    capital: int  # registered capital, yuan (shareholding amounts are ratio × capital)

    @property
    def uscc(self) -> str:
        return make_uscc("9", "1", self.division, self.body)


DEMO_ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("A", "350203", "MAD00001", "厦门鑫源达贸易有限公司", "2016-03-01", 10_000_000),
    DemoOrg("B", "350206", "MAD00002", "厦门海川智能科技有限公司", "2019-08-20", 20_000_000),
    DemoOrg("C", "350211", "MAD00003", "厦门恒泰建材有限公司", "2017-04-11", 5_000_000),
    DemoOrg("D1", "350205", "MAD00004", "厦门旧港物流有限公司", "2016-09-01", 3_000_000),
    DemoOrg("D2", "350212", "MAD00005", "厦门清源环保科技有限公司", "2018-01-15", 10_000_000),
    DemoOrg("E", "350203", "MAD00006", "厦门蓝海餐饮管理有限公司", "2020-05-06", 1_000_000),
    DemoOrg("F", "350206", "MAD00007", "厦门启航教育咨询有限公司", "2021-02-03", 1_000_000),
    DemoOrg("G", "350203", "MAD00008", "厦门鹭岛海景酒店管理有限公司", "2016-11-18", 30_000_000),
    DemoOrg("H1", "350100", "MAD00009", "福建宏盛控股集团有限公司", "2016-01-20", 200_000_000),
    DemoOrg("H2", "350102", "MAD00010", "福建宏盛实业有限公司", "2017-03-01", 50_000_000),
    DemoOrg("H3", "350206", "MAD00011", "厦门宏盛供应链有限公司", "2019-06-18", 20_000_000),
    DemoOrg("H4", "350203", "MAD00012", "厦门德隆投资有限公司", "2018-10-10", 10_000_000),
    DemoOrg("H5", "350211", "MAD00013", "厦门德隆机电设备有限公司", "2020-01-08", 5_000_000),
    DemoOrg("H6", "350206", "MAD00014", "厦门联合港务有限公司", "2017-07-01", 50_000_000),
    DemoOrg("H7", "350206", "MAD00015", "厦门联合船舶服务有限公司", "2018-02-01", 10_000_000),
    DemoOrg("H8", "350205", "MAD00016", "厦门联合物流有限公司", "2018-09-01", 10_000_000),
    DemoOrg("I1", "350203", "MAD00017", "厦门诚信建设工程有限公司", "2015-12-08", 50_000_000),
    DemoOrg("I2", "350206", "MAD00018", "厦门美味坊食品有限公司", "2019-03-12", 2_000_000),
    DemoOrg("J", "350203", "MAD00019", "厦门云帆软件有限公司", "2018-05-16", 5_000_000),
    DemoOrg("K", "350203", "MAD00020", "厦门鼎盛置业有限公司", "2016-06-06", 100_000_000),
    DemoOrg("K2", "350206", "MAD00021", "厦门鼎盛物业服务有限公司", "2023-05-01", 5_000_000),
    DemoOrg("L", "350211", "MAD00022", "厦门天成机械制造有限公司", "2016-05-01", 10_000_000),
)
DEMO_ORG = {o.key: o for o in DEMO_ORGS}

# person id, name, (birth division, birth date, sequence: odd male, even female)
DEMO_PERSONS: tuple[tuple[str, str, str, str, int], ...] = (
    ("P-DEMO-001", "陈志明", "350203", "1972-04-18", 135),
    ("P-DEMO-002", "林国栋", "350206", "1965-09-02", 217),
    ("P-DEMO-003", "黄晓燕", "350211", "1986-12-25", 248),
    ("P-DEMO-004", "吴海峰", "350203", "1980-06-30", 51),
    ("P-DEMO-005", "郑建华", "350212", "1969-03-15", 377),
    ("P-DEMO-006", "王丽娟", "350206", "1975-11-08", 462),
    ("P-DEMO-007", "刘振宇", "350104", "1978-02-20", 119),
    ("P-DEMO-008", "许振雄", "350582", "1960-07-07", 293),
    ("P-DEMO-009", "张思远", "350203", "1988-10-01", 31),
    ("P-DEMO-010", "李雅琴", "350211", "1990-05-21", 86),
    ("P-DEMO-011", "蔡文斌", "350503", "1974-01-12", 155),
    ("P-DEMO-012", "杨秀梅", "350206", "1982-08-09", 324),
    ("P-DEMO-013", "洪建国", "350203", "1963-10-26", 271),
    ("P-DEMO-014", "苏明辉", "350212", "1958-03-03", 193),
    ("P-DEMO-015", "叶晨阳", "350211", "1984-09-17", 211),
    ("P-DEMO-016", "周国强", "350206", "1977-05-05", 99),
    ("P-DEMO-017", "何美玲", "350203", "1983-07-19", 402),
    ("P-DEMO-018", "谢天明", "350205", "1970-12-12", 57),
    ("P-DEMO-019", "曾宏盛", "350102", "1962-02-14", 13),
    ("P-DEMO-020", "郭伟", "350203", "1979-04-04", 171),
    ("P-DEMO-021", "许志强", "350582", "1985-06-16", 139),
    ("P-DEMO-022", "林海涛", "350206", "1976-08-28", 233),
    ("P-DEMO-023", "陈诚", "350203", "1981-11-11", 115),
    ("P-DEMO-024", "罗美华", "350211", "1987-02-02", 368),
    ("P-DEMO-025", "曾丽华", "350102", "1965-05-20", 426),
    ("P-DEMO-026", "王晓东", "350206", "1985-03-09", 317),
)
_DEMO_PERSON_NAMES = {p[0]: p[1] for p in DEMO_PERSONS}

_LR, _DIR, _SUP, _MGR = "LEGAL_REPRESENTATIVE", "DIRECTOR", "SUPERVISOR", "SENIOR_MANAGER"
# person, organisation, role, title, from, to
DEMO_ROLES: tuple[tuple[str, str, str, str, str, str], ...] = (
    # a) A's legal representatives: 林国栋 until 2018-02-28, then 陈志明; 黄晓燕 joined the board in 2025.
    ("P-DEMO-002", "A", _LR, "法定代表人", "2016-03-01", "2018-02-28"),
    ("P-DEMO-002", "A", _DIR, "董事长", "2016-03-01", "2018-02-28"),
    ("P-DEMO-001", "A", _LR, "法定代表人", "2018-03-01", ""),
    ("P-DEMO-001", "A", _DIR, "董事长", "2018-03-01", ""),
    ("P-DEMO-003", "A", _DIR, "董事", "2025-03-01", ""),
    # b) 陈志明 is now a director of B.
    ("P-DEMO-004", "B", _LR, "法定代表人", "2019-08-20", ""),
    ("P-DEMO-004", "B", _DIR, "董事长", "2019-08-20", ""),
    ("P-DEMO-001", "B", _DIR, "董事", "2025-01-10", ""),
    ("P-DEMO-026", "B", _SUP, "监事", "2019-08-20", ""),
    # c) 郑建华, a dishonest debtor himself, represents C.
    ("P-DEMO-005", "C", _LR, "法定代表人", "2017-04-11", ""),
    ("P-DEMO-005", "C", _DIR, "执行董事", "2017-04-11", ""),
    ("P-DEMO-005", "C", _MGR, "总经理", "2017-04-11", ""),
    ("P-DEMO-006", "D1", _LR, "法定代表人", "2016-09-01", ""),
    ("P-DEMO-006", "D1", _DIR, "执行董事", "2016-09-01", ""),
    ("P-DEMO-007", "D2", _LR, "法定代表人", "2018-01-15", ""),
    ("P-DEMO-007", "D2", _DIR, "执行董事", "2018-01-15", ""),
    ("P-DEMO-016", "E", _LR, "法定代表人", "2020-05-06", ""),
    ("P-DEMO-016", "E", _DIR, "执行董事", "2020-05-06", ""),
    ("P-DEMO-017", "F", _LR, "法定代表人", "2021-02-03", ""),
    ("P-DEMO-017", "F", _DIR, "执行董事", "2021-02-03", ""),
    ("P-DEMO-018", "G", _LR, "法定代表人", "2016-11-18", ""),
    ("P-DEMO-018", "G", _DIR, "执行董事", "2016-11-18", ""),
    # h) the 宏盛 group, the 德隆 pair and the 联合 ring.
    ("P-DEMO-019", "H1", _LR, "法定代表人", "2016-01-20", ""),
    ("P-DEMO-019", "H1", _DIR, "董事长", "2016-01-20", ""),
    ("P-DEMO-019", "H1", "ACTUAL_CONTROLLER", "实际控制人", "2016-01-20", ""),
    ("P-DEMO-019", "H2", _LR, "法定代表人", "2017-03-01", ""),
    ("P-DEMO-019", "H2", _DIR, "执行董事", "2017-03-01", ""),
    ("P-DEMO-020", "H3", _LR, "法定代表人", "2019-06-18", ""),
    ("P-DEMO-020", "H3", _DIR, "执行董事", "2019-06-18", ""),
    ("P-DEMO-020", "H3", _MGR, "总经理", "2019-06-18", ""),
    ("P-DEMO-021", "H4", _LR, "法定代表人", "2018-10-10", ""),
    ("P-DEMO-021", "H4", _DIR, "执行董事", "2018-10-10", ""),
    ("P-DEMO-021", "H5", _LR, "法定代表人", "2020-01-08", ""),
    ("P-DEMO-021", "H5", _DIR, "执行董事", "2020-01-08", ""),
    ("P-DEMO-022", "H6", _LR, "法定代表人", "2017-07-01", ""),
    ("P-DEMO-022", "H6", _DIR, "执行董事", "2017-07-01", ""),
    ("P-DEMO-022", "H7", _LR, "法定代表人", "2018-02-01", ""),
    ("P-DEMO-022", "H7", _DIR, "执行董事", "2018-02-01", ""),
    ("P-DEMO-022", "H8", _LR, "法定代表人", "2018-09-01", ""),
    ("P-DEMO-022", "H8", _DIR, "执行董事", "2018-09-01", ""),
    ("P-DEMO-023", "I1", _LR, "法定代表人", "2015-12-08", ""),
    ("P-DEMO-023", "I1", _DIR, "执行董事", "2015-12-08", ""),
    ("P-DEMO-024", "I2", _LR, "法定代表人", "2019-03-12", ""),
    ("P-DEMO-024", "I2", _DIR, "执行董事", "2019-03-12", ""),
    # j) a clean company with clean officers.
    ("P-DEMO-009", "J", _LR, "法定代表人", "2018-05-16", ""),
    ("P-DEMO-009", "J", _DIR, "执行董事", "2018-05-16", ""),
    ("P-DEMO-009", "J", _MGR, "总经理", "2018-05-16", ""),
    ("P-DEMO-010", "J", _SUP, "监事", "2018-05-16", ""),
    # k) K's principal person and the person directly responsible for its debt; the principal now represents K2.
    ("P-DEMO-013", "K", _LR, "法定代表人", "2016-06-06", ""),
    ("P-DEMO-013", "K", _DIR, "执行董事", "2016-06-06", ""),
    ("P-DEMO-011", "K", "PRINCIPAL", "负责人", "2016-06-06", ""),
    ("P-DEMO-012", "K", _MGR, "财务负责人", "2017-01-01", ""),
    ("P-DEMO-012", "K", "DIRECTLY_RESPONSIBLE", "直接责任人员", "2017-01-01", ""),
    ("P-DEMO-011", "K2", _LR, "法定代表人", "2023-05-01", ""),
    ("P-DEMO-011", "K2", _DIR, "执行董事", "2023-05-01", ""),
    # l) a legal-representative handover at L on 2025-06-30 / 2025-07-01.
    ("P-DEMO-014", "L", _LR, "法定代表人", "2016-05-01", "2025-06-30"),
    ("P-DEMO-014", "L", _DIR, "执行董事", "2016-05-01", "2025-06-30"),
    ("P-DEMO-015", "L", _MGR, "总经理", "2020-01-01", ""),
    ("P-DEMO-015", "L", _LR, "法定代表人", "2025-07-01", ""),
    ("P-DEMO-015", "L", _DIR, "执行董事", "2025-07-01", ""),
)

# holder (organisation key or person id), organisation, ratio in basis points, from
DEMO_SHAREHOLDINGS: tuple[tuple[str, str, int, str], ...] = (
    ("P-DEMO-002", "A", 4000, "2016-03-01"),
    ("P-DEMO-001", "A", 6000, "2018-03-01"),
    ("P-DEMO-004", "B", 10000, "2019-08-20"),
    ("P-DEMO-005", "C", 10000, "2017-04-11"),
    ("P-DEMO-006", "D1", 10000, "2016-09-01"),
    ("P-DEMO-007", "D2", 10000, "2018-01-15"),
    ("P-DEMO-016", "E", 10000, "2020-05-06"),
    ("P-DEMO-017", "F", 10000, "2021-02-03"),
    ("P-DEMO-018", "G", 10000, "2016-11-18"),
    # h) 宏盛: H1 (blacklisted) → 60% H2 → 90% H3: H1 holds 0.6 × 0.9 = 0.54 of H3.
    ("P-DEMO-019", "H1", 7000, "2016-01-20"),
    ("P-DEMO-025", "H1", 3000, "2016-01-20"),
    ("H1", "H2", 6000, "2017-03-01"),
    ("P-DEMO-019", "H2", 4000, "2017-03-01"),
    ("H2", "H3", 9000, "2019-06-18"),
    ("P-DEMO-020", "H3", 1000, "2019-06-18"),
    # h) 德隆: 许振雄 (dishonest debtor) holds 30% of H5 directly and 80% × 30% through H4: 0.3 + 0.24 = 0.54.
    ("P-DEMO-008", "H4", 8000, "2018-10-10"),
    ("P-DEMO-021", "H4", 2000, "2018-10-10"),
    ("P-DEMO-008", "H5", 3000, "2020-01-08"),
    ("H4", "H5", 3000, "2020-01-08"),
    ("P-DEMO-021", "H5", 4000, "2020-01-08"),
    # h) 联合: a cross-holding ring H6 → H7 → H8 → H6, nobody listed.
    ("P-DEMO-022", "H6", 8000, "2017-07-01"),
    ("H8", "H6", 2000, "2019-01-01"),
    ("H6", "H7", 3000, "2018-02-01"),
    ("P-DEMO-022", "H7", 7000, "2018-02-01"),
    ("H7", "H8", 2500, "2018-09-01"),
    ("P-DEMO-022", "H8", 7500, "2018-09-01"),
    ("P-DEMO-023", "I1", 10000, "2015-12-08"),
    ("P-DEMO-024", "I2", 10000, "2019-03-12"),
    ("P-DEMO-009", "J", 10000, "2018-05-16"),
    ("P-DEMO-013", "K", 7000, "2016-06-06"),
    ("P-DEMO-011", "K", 3000, "2016-06-06"),
    ("P-DEMO-011", "K2", 10000, "2023-05-01"),
    ("P-DEMO-014", "L", 6000, "2016-05-01"),
    ("P-DEMO-015", "L", 4000, "2016-05-01"),
)

# document id, number, title, issuer (department code, or a name), date, kind
DEMO_DOCUMENTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("D-DEMO-001", "厦市监信〔2024〕15号", "列入严重违法失信名单决定书", "AMR-3502", "2024-06-10",
     "RECOGNITION_DECISION"),
    ("D-DEMO-002", "(2024)闽0206民初3321号", "民事判决书", "CRT-350206", "2024-08-15", "JUDGMENT"),
    ("D-DEMO-003", "厦人社信〔2021〕6号", "拖欠农民工工资失信联合惩戒对象名单列入决定书", "HRSS-3502",
     "2021-02-20", "RECOGNITION_DECISION"),
    ("D-DEMO-004", "厦环罚〔2023〕27号", "行政处罚决定书", "EEB-3502", "2023-04-28", "PENALTY_DECISION"),
    ("D-DEMO-005", "厦市监信〔2026〕9号", "列入严重违法失信名单决定书", "AMR-3502", "2026-08-20",
     "RECOGNITION_DECISION"),
    ("D-DEMO-006", "厦发改信〔2026〕4号", "列入失信重点关注名单决定书", "DRC-3502", "2026-04-02",
     "RECOGNITION_DECISION"),
    ("D-DEMO-007", "(2022)闽0203民初5678号", "民事判决书", "CRT-350203", "2022-06-20", "JUDGMENT"),
    ("D-DEMO-008", "榕税稽罚〔2024〕88号", "税务行政处罚决定书", "TAX-3501", "2024-12-20", "PENALTY_DECISION"),
    ("D-DEMO-009", "(2024)闽02民终812号", "民事判决书", "ICT-3502", "2024-05-30", "JUDGMENT"),
    ("D-DEMO-010", "国家税务总局厦门市税务局公告2026年第3号",
     "国家税务总局厦门市税务局关于公布2025年度纳税信用A级纳税人名单的公告", "TAX-3502", "2026-04-15", "NOTICE"),
    ("D-DEMO-011", "厦市监罚〔2026〕35号", "行政处罚决定书", "AMR-3502", "2026-03-20", "PENALTY_DECISION"),
    ("D-DEMO-012", "(2025)闽0203民初2468号", "民事判决书", "CRT-350203", "2025-04-18", "JUDGMENT"),
    ("D-DEMO-013", "厦市监信〔2025〕21号", "列入失信重点关注名单决定书", "AMR-3502", "2025-09-10",
     "RECOGNITION_DECISION"),
)


@dataclass(frozen=True)
class DemoEntry:
    entry_id: str
    subject: str  # organisation key or person id
    kind: str
    reason: str
    severity: str
    department: str
    document_id: str
    start: str
    end: str
    act_date: str
    status: str = "EFFECTIVE"
    leniency: str = ""
    repairable: str = "true"
    measures: tuple[str, ...] = ()


DEMO_ENTRIES: tuple[DemoEntry, ...] = (
    DemoEntry("E-DEMO-001", "A", "BLACKLIST",
              "提交虚假材料取得公司变更登记，受到撤销登记的行政处罚，列入市场监督管理严重违法失信名单",
              "SERIOUS", "AMR-3502", "D-DEMO-001", "2024-06-15", "2029-06-15", "2023-11-20", measures=_BL),
    DemoEntry("E-DEMO-002", "P-DEMO-005", "DISHONEST_DEBTOR",
              "有履行能力而拒不履行生效法律文书确定义务（民间借贷纠纷）",
              "GENERAL", "CRT-350206", "D-DEMO-002", "2025-03-10", "", "2024-09-30", measures=_DD_PERSON),
    DemoEntry("E-DEMO-003", "D1", "BLACKLIST", "克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准",
              "SERIOUS", "HRSS-3502", "D-DEMO-003", "2021-03-01", "2024-03-01", "2020-12-31", measures=_BL),
    DemoEntry("E-DEMO-004", "D2", "BLACKLIST",
              "篡改、伪造自动监测数据，通过逃避监管的方式排放污染物（已完成整改、作出信用承诺并参加信用修复培训，"
              "信用修复完成）",
              "SERIOUS", "EEB-3502", "D-DEMO-004", "2023-05-10", "2028-05-10", "2023-03-02", status="REPAIRED",
              measures=_BL),
    DemoEntry("E-DEMO-005", "E", "BLACKLIST",
              "在食品中添加非食品原料，受到较重行政处罚，列入严重违法失信名单（当事人对认定事实提出异议，核查中）",
              "SERIOUS", "AMR-3502", "D-DEMO-005", "2026-09-01", "2029-09-01", "2026-05-18",
              status="UNDER_OBJECTION", measures=_BL),
    DemoEntry("E-DEMO-006", "F", "FOCUS_LIST", "预收学员培训费后未按约定提供服务，一年内两次受到同类行政处罚",
              "GENERAL", "DRC-3502", "D-DEMO-006", "2026-04-10", "2027-04-10", "2026-01-15",
              measures=("INCREASE_INSPECTION", "CREDIT_REFERENCE_SHARING")),
    DemoEntry("E-DEMO-007", "G", "DISHONEST_DEBTOR",
              "未履行生效判决确定的租金给付义务（房屋租赁合同纠纷；2022年受新冠肺炎疫情影响停业）",
              "GENERAL", "CRT-350203", "D-DEMO-007", "2022-11-15", "", "2022-07-20", leniency="FORCE_MAJEURE",
              measures=_DD_ORG),
    DemoEntry("E-DEMO-008", "H1", "BLACKLIST", "虚开增值税专用发票，被确定为重大税收违法失信主体",
              "VERY_SERIOUS", "TAX-3501", "D-DEMO-008", "2025-02-01", "2030-02-01", "2023-12-31",
              repairable="false", measures=_BL),
    DemoEntry("E-DEMO-009", "P-DEMO-008", "DISHONEST_DEBTOR",
              "以隐匿、转移财产等方法规避执行（买卖合同纠纷）",
              "SERIOUS", "CRT-350203", "D-DEMO-009", "2025-03-01", "2027-03-01", "2024-06-30",
              measures=_DD_PERSON_SERIOUS),
    DemoEntry("E-DEMO-010", "I1", "RED_LIST", "2025年度纳税信用A级纳税人", "", "TAX-3502", "D-DEMO-010",
              "2026-04-15", "2027-04-14", "", repairable=""),
    DemoEntry("E-DEMO-011", "I2", "ADMINISTRATIVE_PENALTY",
              "生产销售标签不符合食品安全标准的预包装食品，没收违法所得并罚款5万元",
              "GENERAL", "AMR-3502", "D-DEMO-011", "2026-03-20", "2027-03-20", "2025-12-08",
              measures=("INCREASE_INSPECTION", "CREDIT_RECORD_REVIEW")),
    DemoEntry("E-DEMO-012", "K", "DISHONEST_DEBTOR",
              "有履行能力而拒不履行生效法律文书确定义务（建设工程施工合同纠纷，拖欠工程款）",
              "SERIOUS", "CRT-350203", "D-DEMO-012", "2025-09-01", "", "2025-05-18", measures=_DD_ORG_SERIOUS),
    DemoEntry("E-DEMO-013", "L", "FOCUS_LIST", "产品质量监督抽查两次不合格且未按期整改",
              "GENERAL", "AMR-3502", "D-DEMO-013", "2025-09-15", "2027-09-15", "2025-03-10",
              measures=("INCREASE_INSPECTION", "REMINDER_INTERVIEW", "CREDIT_REFERENCE_SHARING")),
)


@dataclass(frozen=True)
class DemoCase:
    case: str
    title: str
    subjects: str  # organisation keys and person ids, space-separated
    entries: str
    rule: str
    expect: str


DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase("a", "Blacklisted company; only the officer in post when the act happened or the listing was made is "
                  "traced", "A P-DEMO-001 P-DEMO-002 P-DEMO-003", "E-DEMO-001",
             "3 liability tracing through the role held at the time",
             "trace E-DEMO-001: 陈志明 (legal representative since 2018-03-01) reached; 林国栋 (left 2018-02-28, "
             "before the act 2023-11-20 and the listing 2024-06-15) and 黄晓燕 (director from 2025-03-01) not reached. "
             "BANK_CREDIT on A: RESTRICTED (own entry)"),
    DemoCase("b", "The traced legal representative is now a director of another company", "B P-DEMO-001",
             "E-DEMO-001", "3, 4 (BANK_CREDIT checks directors)",
             "BANK_CREDIT on B: RESTRICTED — 陈志明 is a director of B and was legal representative of A when it "
             "was listed (RESTRICT_CREDIT_LISTED targets LEGAL_REPRESENTATIVE)"),
    DemoCase("c", "A dishonest-debtor person who is the legal representative of another company",
             "C P-DEMO-005", "E-DEMO-002", "4 (officer's own entry), 5",
             "BANK_CREDIT on C: RESTRICTED (RESTRICT_BANK_CREDIT on 郑建华 as PERSON; he also holds 100% of C, a "
             "SHAREHOLDER finding); GENERAL severity, so RESTRICT_EXIT (SERIOUS) is not among his measures"),
    DemoCase("d", "Expired blacklist entry (end 2024-03-01, status still EFFECTIVE) and a REPAIRED entry",
             "D1 D2", "E-DEMO-003 E-DEMO-004", "6 periods, 8 repair",
             "BANK_CREDIT on D1 and on D2: CLEAR (neither entry is in force on 2026-11-01)"),
    DemoCase("e", "Blacklist entry under objection", "E", "E-DEMO-005", "7 objection suspends",
             "BANK_CREDIT on E: REVIEW, measures reported as suspended"),
    DemoCase("f", "Focus-list entry with recommended measures only", "F", "E-DEMO-006", "5 mandatory vs recommended",
             "BANK_CREDIT on F: REVIEW (CREDIT_REFERENCE_SHARING is recommended)"),
    DemoCase("g", "Dishonest debtor hit by the epidemic, with the FORCE_MAJEURE leniency flag", "G", "E-DEMO-007",
             "9 leniency", "BANK_CREDIT on G: REVIEW (RESTRICT_BANK_CREDIT is mandatory, lowered by leniency)"),
    DemoCase("h1", "Equity chain: blacklisted holding company → 60% → company → 90% → applicant (0.54)",
             "H1 H2 H3", "E-DEMO-008", "controlling holder up the equity chain; 8 (non-repairable entry)",
             "BANK_CREDIT on H3: REVIEW (H1 controls it with 0.6 × 0.9 = 0.54 > 0.5). On H2: RESTRICTED "
             "(曾宏盛, its legal representative, represented H1 when it was listed; H1 holds 0.6)"),
    DemoCase("h2", "Two chains to the same listed holder adding up above 50% (0.3 + 0.8 × 0.3 = 0.54)",
             "H4 H5 P-DEMO-008", "E-DEMO-009", "controlling holder, aggregated over chains",
             "BANK_CREDIT on H5: REVIEW (许振雄 controls it with 0.54 over 2 chains; neither chain alone is above "
             "0.5). On H4: REVIEW (0.8, directly)"),
    DemoCase("h3", "Cross-holding ring H6 → 30% → H7 → 25% → H8 → 20% → H6, nobody listed", "H6 H7 H8", "",
             "equity traversal terminates on cycles",
             "BANK_CREDIT on H6, H7, H8: CLEAR"),
    DemoCase("i", "A red-list entry and an administrative penalty", "I1 I2", "E-DEMO-010 E-DEMO-011",
             "list kinds; 5 (penalty measures are recommended reviews)",
             "BANK_CREDIT on I1: CLEAR (no punishment measure for the red list); on I2: REVIEW "
             "(CREDIT_RECORD_REVIEW, recommended)"),
    DemoCase("j", "A clean company with clean officers", "J P-DEMO-009 P-DEMO-010", "", "the CLEAR verdict",
             "BANK_CREDIT on J: CLEAR, no findings"),
    DemoCase("k", "Dishonest-debtor company with a principal person (负责人) and a person directly responsible "
                  "(直接责任人员)", "K K2 P-DEMO-011 P-DEMO-012 P-DEMO-013", "E-DEMO-012",
             "3, 4 (REAL_ESTATE checks the principal and persons directly responsible)",
             "REAL_ESTATE on 蔡文斌, 杨秀梅 and 洪建国: RESTRICTED (RESTRICT_REAL_ESTATE_PURCHASE targets PRINCIPAL, "
             "DIRECTLY_RESPONSIBLE and LEGAL_REPRESENTATIVE); REAL_ESTATE on K2 (蔡文斌 is its legal "
             "representative): RESTRICTED; BANK_CREDIT on K2: CLEAR (traced findings for information only)"),
    DemoCase("l", "Legal-representative handover (苏明辉 until 2025-06-30, 叶晨阳 from 2025-07-01) around a "
                  "focus-list entry (act 2025-03-10, listed 2025-09-15)", "L P-DEMO-014 P-DEMO-015", "E-DEMO-013",
             "3 roles have periods; the act date and the listing date both count",
             "trace E-DEMO-013: 苏明辉 reached (held the role on the act date), 叶晨阳 reached (on the listing "
             "date)"),
)


def organization_names() -> list[str]:
    return [o.name for o in DEMO_ORGS]


def _demo_issuer(code: str) -> str:
    return LOCAL_DEPARTMENT_NAMES.get(code, code)


def write_curated(bundle: BundleWriter) -> None:
    for o in DEMO_ORGS:
        bundle.write("organizations", (o.uscc, o.name, "ACTIVE", o.established))
    for pid, name, division, birth, seq in DEMO_PERSONS:
        bundle.write("persons", (pid, name, make_id_number(division, dt.date.fromisoformat(birth), seq)))
    for pid, key, role, title, start, end in DEMO_ROLES:
        bundle.write("roles", (pid, DEMO_ORG[key].uscc, role, title, start, end, "demo"))
    for holder, key, bp, start in DEMO_SHAREHOLDINGS:
        org = DEMO_ORG[key]
        holder_uscc, holder_pid = (DEMO_ORG[holder].uscc, "") if holder in DEMO_ORG else ("", holder)
        bundle.write("shareholdings", (holder_uscc, holder_pid, org.uscc, ratio_text(bp), org.capital * bp // 10000,
                                       start, "", "demo"))
    for document_id, number, title, issuer, day, kind in DEMO_DOCUMENTS:
        bundle.write("documents", (document_id, number, title, _demo_issuer(issuer), day, kind))
    for e in DEMO_ENTRIES:
        org_subject, person_subject = (DEMO_ORG[e.subject].uscc, "") if e.subject in DEMO_ORG else ("", e.subject)
        bundle.write("entries", (e.entry_id, org_subject, person_subject, e.kind, e.reason, e.severity, e.department,
                                 e.document_id, e.start, e.end, e.act_date, e.status, e.leniency, e.repairable,
                                 ";".join(e.measures)))


def _describe_subject(ref: str) -> str:
    if ref in DEMO_ORG:
        o = DEMO_ORG[ref]
        return f"{ref} {o.name} `{o.uscc}`"
    return f"{_DEMO_PERSON_NAMES[ref]} `{ref}`"


def readme(counts: dict[str, int]) -> str:
    lines = [
        "# Demo data set",
        "",
        "Generated by `python -m loaders.synthetic data/demo --demo` (`loaders.synthetic.write_demo`): do not edit",
        "by hand, `tests/test_synthetic.py` checks that these files equal a fresh run. Load it with",
        "`python -m loaders demo`. Everything is as of **2026-11-01**: check with `asOf: \"2026-11-01\"`, since",
        "periods are compared with the check date.",
        "",
        "It holds a curated set of cases (ids `P-DEMO-…`, `E-DEMO-…`, `D-DEMO-…`; organisation codes `MAD000nn`),",
        f"one per rule of the domain (../shared/DOMAIN.md beside the repository), and a synthetic background of "
        f"{DEMO_BACKGROUND_ORGANIZATIONS} organisations",
        f"(`generate(..., organizations={DEMO_BACKGROUND_ORGANIZATIONS}, seed={DEMO_SEED})`, ids `P0000…`, "
        "`E0000…`, `D0000…`). All names, ID numbers and",
        "codes are invented; the ID numbers and USCCs are valid only in the checksum sense.",
        "",
        "| file | rows |",
        "|---|---:|",
    ]
    lines += [f"| `{name}.csv` | {counts[name]:,} |" for name in FILES]
    lines += [
        "",
        "## Cases",
        "",
        "| case | what | subjects | entries | rule (DOMAIN.md) | what the checks should say |",
        "|---|---|---|---|---|---|",
    ]
    for c in DEMO_CASES:
        subjects = "<br>".join(_describe_subject(ref) for ref in c.subjects.split())
        entries = "<br>".join(f"`{e}`" for e in c.entries.split()) or "—"
        lines.append(f"| {c.case} | {c.title} | {subjects} | {entries} | {c.rule} | {c.expect} |")
    lines += [
        "",
        "## Entries",
        "",
        "| entry | subject | kind | severity | status | period | act date | department | document | leniency "
        "| measures |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    numbers = {d[0]: d[1] for d in DEMO_DOCUMENTS}
    for e in DEMO_ENTRIES:
        period = f"{e.start} – {e.end or 'open'}"
        lines.append(
            f"| `{e.entry_id}` | {_describe_subject(e.subject)} | {e.kind} | {e.severity or '—'} | {e.status} | "
            f"{period} | {e.act_date or '—'} | {_demo_issuer(e.department)} (`{e.department}`) | "
            f"{numbers[e.document_id]} | {e.leniency or '—'} | {len(e.measures)} |")
    lines += [
        "",
        "Department codes such as `AMR-3502` (厦门市市场监督管理局) and `CRT-350203` (厦门市思明区人民法院) are",
        "local departments written to this bundle's `departments.csv`; national ones (`SAMR`, `STA`, …) come from",
        "the catalogue. Shareholding `amount` is the subscribed capital in yuan (ratio × registered capital).",
        "",
    ]
    return "\n".join(lines)


def write_demo(out_dir: Path) -> dict[str, int]:
    """The demo bundle: the curated cases plus a generated background of DEMO_BACKGROUND_ORGANIZATIONS
    organisations (seed DEMO_SEED), as of DEFAULT_AS_OF; also writes its README.md."""
    out_dir = Path(out_dir)
    catalogue = read_catalogue()
    with BundleWriter(out_dir) as bundle:
        write_departments(bundle, catalogue)
        write_curated(bundle)
        Generator(bundle, random.Random(DEMO_SEED), DEFAULT_AS_OF, catalogue,
                  reserved_names=organization_names()).run(DEMO_BACKGROUND_ORGANIZATIONS)
    (out_dir / "README.md").write_text(readme(bundle.counts), encoding="utf-8")
    return dict(bundle.counts)

