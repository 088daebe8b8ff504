"""Synthetic data: a realistic, deterministic CSV bundle (docs/DATA_FORMAT.md) of organisations, persons, roles,
shareholdings and credit-list entries, and the curated demo bundle in `data/demo/`.

    python -m loaders.synthetic OUT --organizations 100000 --seed 7     # a synthetic bundle
    python -m loaders.synthetic data/demo --demo                         # regenerate the demo bundle

What the generator produces (everything drawn from one `random.Random(seed)`, in one fixed order, so a seed
gives the same bytes every time; rows are written as they are made, so memory stays small):

- organisations with valid USCCs (graph.identifiers.make_uscc) across registration authorities and categories:
  mostly enterprises (91), individual businesses (92), farmers' cooperatives (93), social organisations
  (51/52/53), public institutions (12); registered in real prefecture-level cities and districts (GB/T 2260);
  organisation codes are old 8-digit GB 11714 codes for subjects founded before the USCC (2015-10-01) and
  `MA…` codes after; names follow the register's pattern (place + 字号 + industry + 有限公司 …);
- persons with common Chinese names and valid resident ID numbers (born 1950-2000, old enough for their roles);
  persons are reused across organisations, group bosses and "serial directors" hold roles in 5-20;
- roles with their Chinese titles, dated, with legal-representative handovers (the old role gets `to`, the new
  one starts the day after);
- shareholdings: natural-person holders, business groups 3-5 levels deep (holding company → subsidiaries →
  sub-subsidiaries), minority stakes across groups and a few cross-holding cycles; the ratios held in one
  organisation never sum above 1;
- list entries on about 5% of organisations and 1% of persons, each with its basis document (judgment,
  arbitration award, penalty or recognition decision, notice) and recognising department, realistic periods
  (blacklist 3-5 years), some expired, repaired, under objection, revoked or proposed, leniency grounds, and
  the measures of `loaders/catalogue/measures.csv` allowed for the entry's kind and severity.

Local departments (district courts, city market regulators, tax bureaus …) are written to the bundle's
`departments.csv`; national ones come from the catalogue (`loaders/catalogue/departments.csv`).
Ids: background persons `P00000001`, entries `E00000001`, documents `D00000001`; the curated demo uses
`P-DEMO-001`, `E-DEMO-001`, `D-DEMO-001` and USCCs whose organisation code starts `MAD`, which the background
never produces.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.identifiers import USCC_CHARSET, make_id_number, make_uscc

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
DEFAULT_AS_OF = dt.date(2026, 11, 1)
DEMO_SEED = 2026
DEMO_BACKGROUND_ORGANIZATIONS = 300
USCC_START = dt.date(2015, 10, 1)  # GB 32100-2015 in force: new subjects get MA… codes from here on
SOURCE = "synthetic"

COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("code", "name"),
    "documents": ("document_id", "number", "title", "issuer", "date", "kind"),
    "organizations": ("uscc", "name", "status", "established"),
    "persons": ("person_id", "name", "id_number"),
    "roles": ("person_id", "uscc", "role", "title", "from", "to", "source"),
    "shareholdings": ("holder_uscc", "holder_person_id", "uscc", "ratio", "amount", "from", "to", "source"),
    "entries": ("entry_id", "subject_uscc", "subject_person_id", "kind", "reason", "severity", "department",
                "document_id", "start", "end", "act_date", "status", "leniency", "repairable", "measures"),
}
FILES: tuple[str, ...] = tuple(COLUMNS)

SEVERITIES: tuple[str, ...] = ("MINOR", "GENERAL", "SERIOUS", "VERY_SERIOUS")


# ============================================================================================== places


@dataclass(frozen=True)
class City:
    code: str  # 4 digits: province + city
    name: str  # 厦门市
    short: str  # 厦: the abbreviation in document numbers (厦市监罚〔2024〕12号)
    districts: tuple[tuple[str, str], ...]  # (6-digit code, name)
    weight: int

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def bare(self) -> str:
        """The name without 市, as in company names (厦门恒泰贸易有限公司)."""
        return self.name[:-1] if self.name.endswith("市") else self.name


MUNICIPALITIES = ("11", "12", "31", "50")

# Province → abbreviation used in court case numbers ((2023)闽0203民初1234号) and its short name.
PROVINCE_ABBR: dict[str, str] = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "内", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
    "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
    "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔", "53": "云", "54": "藏", "61": "陕",
    "62": "甘", "63": "青", "64": "宁", "65": "新",
}
PROVINCE_SHORT: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆",
}

CITIES: tuple[City, ...] = (
    City("1101", "北京市", "京", (("110101", "东城区"), ("110102", "西城区"), ("110105", "朝阳区"),
                               ("110106", "丰台区"), ("110108", "海淀区"), ("110114", "昌平区")), 7),
    City("1201", "天津市", "津", (("120101", "和平区"), ("120103", "河西区"), ("120104", "南开区"),
                               ("120116", "滨海新区")), 3),
    City("1301", "石家庄市", "石", (("130102", "长安区"), ("130104", "桥西区"), ("130105", "新华区")), 2),
    City("1302", "唐山市", "唐", (("130202", "路南区"), ("130203", "路北区")), 1),
    City("1401", "太原市", "并", (("140105", "小店区"), ("140106", "迎泽区")), 1),
    City("1501", "呼和浩特市", "呼", (("150102", "新城区"), ("150105", "赛罕区")), 1),
    City("2101", "沈阳市", "沈", (("210102", "和平区"), ("210103", "沈河区"), ("210106", "铁西区")), 2),
    City("2102", "大连市", "大", (("210202", "中山区"), ("210203", "西岗区"), ("210204", "沙河口区")), 2),
    City("2201", "长春市", "长", (("220102", "南关区"), ("220104", "朝阳区")), 1),
    City("2301", "哈尔滨市", "哈", (("230102", "道里区"), ("230103", "南岗区")), 1),
    City("3101", "上海市", "沪", (("310101", "黄浦区"), ("310104", "徐汇区"), ("310105", "长宁区"),
                               ("310106", "静安区"), ("310110", "杨浦区"), ("310112", "闵行区"),
                               ("310115", "浦东新区")), 8),
    City("3201", "南京市", "宁", (("320102", "玄武区"), ("320104", "秦淮区"), ("320105", "建邺区"),
                               ("320106", "鼓楼区")), 4),
    City("3202", "无锡市", "锡", (("320213", "梁溪区"), ("320214", "新吴区")), 2),
    City("3205", "苏州市", "苏", (("320505", "虎丘区"), ("320506", "吴中区"), ("320508", "姑苏区")), 5),
    City("3301", "杭州市", "杭", (("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"),
                               ("330108", "滨江区")), 5),
    City("3302", "宁波市", "甬", (("330203", "海曙区"), ("330212", "鄞州区")), 3),
    City("3303", "温州市", "温", (("330302", "鹿城区"), ("330304", "瓯海区")), 2),
    City("3401", "合肥市", "合", (("340102", "瑶海区"), ("340103", "庐阳区"), ("340104", "蜀山区")), 3),
    City("3501", "福州市", "榕", (("350102", "鼓楼区"), ("350103", "台江区"), ("350104", "仓山区"),
                               ("350111", "晋安区")), 3),
    City("3502", "厦门市", "厦", (("350203", "思明区"), ("350205", "海沧区"), ("350206", "湖里区"),
                               ("350211", "集美区"), ("350212", "同安区"), ("350213", "翔安区")), 5),
    City("3505", "泉州市", "泉", (("350502", "鲤城区"), ("350503", "丰泽区"), ("350582", "晋江市")), 3),
    City("3506", "漳州市", "漳", (("350602", "芗城区"), ("350603", "龙文区")), 1),
    City("3601", "南昌市", "洪", (("360102", "东湖区"), ("360103", "西湖区")), 2),
    City("3701", "济南市", "济", (("370102", "历下区"), ("370103", "市中区")), 3),
    City("3702", "青岛市", "青", (("370202", "市南区"), ("370203", "市北区"), ("370212", "崂山区")), 3),
    City("4101", "郑州市", "郑", (("410102", "中原区"), ("410105", "金水区")), 3),
    City("4201", "武汉市", "武", (("420102", "江岸区"), ("420103", "江汉区"), ("420106", "武昌区"),
                               ("420111", "洪山区")), 4),
    City("4301", "长沙市", "长", (("430102", "芙蓉区"), ("430103", "天心区"), ("430104", "岳麓区")), 3),
    City("4401", "广州市", "穗", (("440103", "荔湾区"), ("440104", "越秀区"), ("440105", "海珠区"),
                               ("440106", "天河区"), ("440111", "白云区")), 6),
    City("4403", "深圳市", "深", (("440303", "罗湖区"), ("440304", "福田区"), ("440305", "南山区"),
                               ("440306", "宝安区"), ("440307", "龙岗区")), 7),
    City("4406", "佛山市", "佛", (("440604", "禅城区"), ("440606", "顺德区")), 3),
    City("4501", "南宁市", "邕", (("450102", "兴宁区"), ("450103", "青秀区")), 1),
    City("4601", "海口市", "海", (("460105", "秀英区"), ("460106", "龙华区"), ("460108", "美兰区")), 1),
    City("5001", "重庆市", "渝", (("500103", "渝中区"), ("500105", "江北区"), ("500106", "沙坪坝区"),
                               ("500112", "渝北区")), 4),
    City("5101", "成都市", "蓉", (("510104", "锦江区"), ("510105", "青羊区"), ("510106", "金牛区"),
                               ("510107", "武侯区")), 5),
    City("5201", "贵阳市", "筑", (("520102", "南明区"), ("520103", "云岩区")), 1),
    City("5301", "昆明市", "昆", (("530102", "五华区"), ("530103", "盘龙区")), 2),
    City("5401", "拉萨市", "拉", (("540102", "城关区"),), 1),
    City("6101", "西安市", "西", (("610102", "新城区"), ("610103", "碑林区"), ("610113", "雁塔区")), 3),
    City("6201", "兰州市", "兰", (("620102", "城关区"), ("620103", "七里河区")), 1),
    City("6301", "西宁市", "宁", (("630102", "城东区"), ("630104", "城西区")), 1),
    City("6401", "银川市", "银", (("640104", "兴庆区"), ("640105", "西夏区")), 1),
    City("6501", "乌鲁木齐市", "乌", (("650102", "天山区"), ("650103", "沙依巴克区")), 1),
)
CITY_BY_CODE: dict[str, City] = {c.code: c for c in CITIES}
DISTRICT_NAMES: dict[str, str] = {code: name for c in CITIES for code, name in c.districts}
ALL_DISTRICTS: tuple[str, ...] = tuple(code for c in CITIES for code, _ in c.districts)
DISTRICTS_BY_PROVINCE: dict[str, tuple[str, ...]] = {
    p: tuple(code for code in ALL_DISTRICTS if code[:2] == p) for p in sorted({c.province for c in CITIES})
}


def city_of(division: str) -> City:
    return CITY_BY_CODE[division[:4]]


def _district_court_name(division: str) -> str:
    city, district = city_of(division), DISTRICT_NAMES[division]
    # A county-level city's court is named on its own (晋江市人民法院), a district's with its city.
    return f"{district}人民法院" if district.endswith("市") else f"{city.name}{district}人民法院"


# Local departments, written to each bundle's departments.csv: (code prefix, name pattern).
CITY_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("AMR", "{city}市场监督管理局"),
    ("TAX", "国家税务总局{city}税务局"),
    ("EEB", "{city}生态环境局"),
    ("HRSS", "{city}人力资源和社会保障局"),
    ("DRC", "{city}发展和改革委员会"),
    ("ICT", "{city}中级人民法院"),
    ("ARB", "{city}仲裁委员会"),
)


def local_departments() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for city in CITIES:
        for prefix, pattern in CITY_DEPARTMENTS:
            name = pattern.format(city=city.name)
            if prefix == "ICT" and city.province in MUNICIPALITIES:
                name = f"{city.name}第一中级人民法院"
            rows.append((f"{prefix}-{city.code}", name))
        for code, _ in city.districts:
            rows.append((f"CRT-{code}", _district_court_name(code)))
    return rows


LOCAL_DEPARTMENT_NAMES: dict[str, str] = dict(local_departments())


def department_name(code: str) -> str:
    return LOCAL_DEPARTMENT_NAMES[code]


# ============================================================================================== names

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
            "孔向汤洪")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文斌海峰振东晨博睿轩宏毅"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕秀玲桂英梅琳颖慧婷雪倩洁琴云莉萍红玉兰凤佳悦欣怡晶璐瑶蕾"

ZIHAO_CHARS = ("恒泰鑫源达华盛隆兴宏瑞祥丰和嘉信诚通利安康明德金银海天中长远新博创智联众凯越卓宇辰星晨光辉腾飞"
               "翔云峰川江泽润清蓝青禾美佳优品锦绣荣昌茂富福乐顺永聚合汇融航科晟烨铭鼎泓琪骏豪弘亿益万")

INDUSTRIES = (
    "信息科技", "网络科技", "电子商务", "贸易", "进出口", "供应链管理", "物流", "建筑工程", "建材", "装饰工程",
    "房地产开发", "置业", "物业管理", "餐饮管理", "食品", "酒店管理", "机械制造", "电子", "新能源科技", "环保科技",
    "生物科技", "医药", "医疗器械", "教育咨询", "文化传媒", "广告", "投资", "资产管理", "融资租赁", "汽车销售",
    "服装", "家具", "纺织", "化工", "印刷", "劳务派遣", "人力资源", "企业管理咨询", "农业发展", "水产",
)
SHOPS = ("便利店", "商行", "餐馆", "小吃店", "五金店", "副食店", "服装店", "美发店", "水果店", "电器维修部",
         "茶叶店", "建材经营部", "日用品店", "烟酒店", "汽车维修店")
COOPERATIVES = ("果蔬种植", "茶叶种植", "水产养殖", "生猪养殖", "花卉苗木", "食用菌种植", "农机服务", "蔬菜种植")
ASSOCIATIONS = ("软件行业协会", "餐饮行业协会", "物流协会", "建筑业协会", "个体劳动者协会", "摄影家协会",
                "书法家协会", "志愿者协会", "商业联合会", "企业家协会", "青年创业促进会", "老年人体育协会",
                "电子商务协会", "汽车流通协会", "家具行业协会", "美容美发行业协会")
PRIVATE_NON_ENTERPRISE = ("幼儿园", "培训学校", "养老院", "社会工作服务中心", "职业技能培训学校", "康复中心",
                          "文化艺术中心", "社区服务中心")
FOUNDATIONS = ("慈善基金会", "教育基金会", "助学基金会", "公益基金会")
PUBLIC_INSTITUTIONS = ("实验小学", "中学", "人民医院", "中医院", "妇幼保健院", "疾病预防控制中心", "图书馆",
                       "文化馆", "检验检测中心", "公共就业服务中心", "社会福利院", "职业中专学校")
ORDINALS = ("第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十")

# The six situations of the SPC rules on the list of dishonest judgment debtors (the first has no fixed term).
DEBTOR_SITUATIONS = (
    "有履行能力而拒不履行生效法律文书确定义务",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "违反财产报告制度",
    "违反限制消费令",
    "无正当理由拒不履行执行和解协议",
)
DISPUTES = ("借款合同纠纷", "买卖合同纠纷", "建设工程施工合同纠纷", "房屋租赁合同纠纷", "劳动争议",
            "民间借贷纠纷", "承揽合同纠纷", "服务合同纠纷")


# ============================================================================================= helpers


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _ratio(bp: int) -> str:
    """Basis points as a decimal string: 6000 → 0.6, 10000 → 1."""
    if bp >= 10000:
        return "1"
    return ("0." + f"{bp:04d}").rstrip("0")


@dataclass(frozen=True)
class Measure:
    code: str
    mandatory: bool
    kinds: tuple[str, ...]
    min_severity: str
    targets: tuple[str, ...] = ()


def read_measures(directory: Path = CATALOGUE_DIR) -> list[Measure]:
    """The catalogue's measures in file order (empty if the catalogue is missing)."""
    path = directory / "measures.csv"
    if not path.exists():
        return []
    measures = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for raw in csv.DictReader(handle):
            kinds = tuple(k.strip().upper() for k in (raw.get("kinds") or "").split(";") if k.strip())
            measures.append(Measure(
                code=(raw.get("code") or "").strip(),
                mandatory=(raw.get("mandatory") or "").strip().lower() in {"true", "yes", "1", "y", "是"},
                kinds=kinds,
                min_severity=(raw.get("min_severity") or "").strip().upper() or "MINOR",
                targets=tuple(t.strip().upper() for t in (raw.get("targets") or "").split(";") if t.strip()),
            ))
    return measures


def read_catalogue_departments(directory: Path = CATALOGUE_DIR) -> list[str]:
    path = directory / "departments.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(raw.get("code") or "").strip() for raw in csv.DictReader(handle)]


def eligible_measures(measures: Sequence[Measure], kind: str, severity: str | None,
                      subject_kind: str | None = None) -> list[Measure]:
    """Measures of the catalogue allowed for an entry of this kind and severity (DOMAIN rule 5), in catalogue
    order. With `subject_kind`, only those that can reach such a subject: a listed person (PERSON target), or a
    listed organisation and the persons traced from it (any target but PERSON alone)."""
    rank = SEVERITIES.index(severity or "GENERAL")
    chosen = [m for m in measures if kind in m.kinds and SEVERITIES.index(m.min_severity) <= rank]
    if subject_kind == "PERSON":
        chosen = [m for m in chosen if "PERSON" in m.targets]
    elif subject_kind == "ORGANIZATION":
        chosen = [m for m in chosen if set(m.targets) - {"PERSON"}]
    return chosen


class _Bundle:
    """The seven CSV files of a bundle, open for writing; rows go straight to disk."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.counts: dict[str, int] = {name: 0 for name in FILES}
        self._handles = {}
        self._writers = {}
        for name in FILES:
            handle = (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="")
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS[name])
            self._handles[name] = handle
            self._writers[name] = writer

    def write(self, name: str, row: Sequence[Any]) -> None:
        assert len(row) == len(COLUMNS[name]), (name, row)
        self._writers[name].writerow(["" if v is None else v for v in row])
        self.counts[name] += 1

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()

    def __enter__(self) -> _Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_departments(bundle: _Bundle) -> None:
    catalogue = set(read_catalogue_departments())
    for code, name in local_departments():
        if code not in catalogue:
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


class _Generator:
    def __init__(self, bundle: _Bundle, rng: random.Random, as_of: dt.date, measures: Sequence[Measure],
                 reserved_names: Sequence[str] = ()) -> None:
        self.out = bundle
        self.rng = rng
        self.as_of = as_of
        self.measures = list(measures)
        self.catalogue_departments = set(read_catalogue_departments())
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
        self.out.write("roles", (self.person_ids[person], org.uscc, role, title, _iso(start), _iso(end), SOURCE))

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
        self.out.write("shareholdings", (holder_uscc or "", holder_pid, org.uscc, _ratio(bp),
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
                self.out.write("shareholdings", (org.uscc, "", group.root_uscc, _ratio(group.reserve_bp), "",
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
                doc = self.document(number, title, _district_court_name(court_division), judged, "JUDGMENT")
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
        chosen = eligible_measures(self.measures, kind, severity or None, subject[0])
        if "MINOR_VIOLATION" in leniency:
            chosen = [m for m in chosen if not m.mandatory]

        self.entry_seq += 1
        entry_id = f"E{self.entry_seq:08d}"
        org_subject, person_subject = (subject[1], "") if subject[0] == "ORGANIZATION" else ("", subject[1])
        self.out.write("entries", (
            entry_id, org_subject, person_subject, kind, reason, severity, department, doc, start.isoformat(),
            _iso(end), _iso(act), status, ";".join(leniency), repairable, ";".join(m.code for m in chosen),
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
    with _Bundle(out_dir) as bundle:
        _write_departments(bundle)
        _Generator(bundle, random.Random(seed), as_of, read_measures()).run(organizations)
    return dict(bundle.counts)


# =============================================================================================== demo
#
# The curated cases of the demo bundle: explicit rows with stable ids, each there to show one rule of
# ../shared/DOMAIN.md (the README written beside the bundle lists them). Everything is as of DEFAULT_AS_OF
# (2026-11-01). Organisations are named by a short key here; their USCCs are made from fixed organisation-code
# bodies `MAD000nn` (the background generator never produces `MA` + letter).

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
_DEMO_ORG = {o.key: o for o in DEMO_ORGS}

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


def _demo_ref(key: str) -> str:
    """An organisation key's USCC, or a person id as it is."""
    return _DEMO_ORG[key].uscc if key in _DEMO_ORG else key


def _demo_issuer(code: str) -> str:
    return LOCAL_DEPARTMENT_NAMES.get(code, code)


def write_curated(bundle: _Bundle) -> None:
    for o in DEMO_ORGS:
        bundle.write("organizations", (o.uscc, o.name, "ACTIVE", o.established))
    for pid, name, division, birth, seq in DEMO_PERSONS:
        bundle.write("persons", (pid, name, make_id_number(division, dt.date.fromisoformat(birth), seq)))
    for pid, key, role, title, start, end in DEMO_ROLES:
        bundle.write("roles", (pid, _DEMO_ORG[key].uscc, role, title, start, end, "demo"))
    for holder, key, bp, start in DEMO_SHAREHOLDINGS:
        org = _DEMO_ORG[key]
        holder_uscc, holder_pid = (_DEMO_ORG[holder].uscc, "") if holder in _DEMO_ORG else ("", holder)
        bundle.write("shareholdings", (holder_uscc, holder_pid, org.uscc, _ratio(bp), org.capital * bp // 10000,
                                       start, "", "demo"))
    for document_id, number, title, issuer, day, kind in DEMO_DOCUMENTS:
        bundle.write("documents", (document_id, number, title, _demo_issuer(issuer), day, kind))
    for e in DEMO_ENTRIES:
        org_subject, person_subject = (_DEMO_ORG[e.subject].uscc, "") if e.subject in _DEMO_ORG else ("", e.subject)
        bundle.write("entries", (e.entry_id, org_subject, person_subject, e.kind, e.reason, e.severity, e.department,
                                 e.document_id, e.start, e.end, e.act_date, e.status, e.leniency, e.repairable,
                                 ";".join(e.measures)))


def _describe_subject(ref: str) -> str:
    if ref in _DEMO_ORG:
        o = _DEMO_ORG[ref]
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
    with _Bundle(out_dir) as bundle:
        _write_departments(bundle)
        write_curated(bundle)
        _Generator(bundle, random.Random(DEMO_SEED), DEFAULT_AS_OF, read_measures(),
                   reserved_names=organization_names()).run(DEMO_BACKGROUND_ORGANIZATIONS)
    (out_dir / "README.md").write_text(readme(bundle.counts), encoding="utf-8")
    return dict(bundle.counts)

# ================================================================================================ CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders.synthetic",
                                     description="Write a synthetic CSV bundle (docs/DATA_FORMAT.md).")
    parser.add_argument("out", type=Path, help="output directory (created if missing; files are overwritten)")
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                        help="the date the data describes (default %(default)s)")
    parser.add_argument("--demo", action="store_true",
                        help="write the curated demo bundle (data/demo) instead; ignores the other options")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.demo:
        counts = write_demo(args.out)
    else:
        counts = generate(args.out, organizations=args.organizations, seed=args.seed, as_of=args.as_of)
    elapsed = time.perf_counter() - started
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()) + f" ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
