"""Identifiers of credit subjects: the Unified Social Credit Code of organisations and the resident ID number
of natural persons. Pure functions, standard library only, no I/O.

USCC (统一社会信用代码, GB 32100-2015), 18 characters from `0-9ABCDEFGHJKLMNPQRTUWXY` (no I, O, Z, S, V):

    position  1      registration-authority code (登记管理部门代码)
              2      category code (机构类别代码), meaning depends on the authority
              3-8    administrative-division code of the registering authority (GB/T 2260, six digits)
              9-17   organisation code (主体标识码 = the 8 + 1 of GB 11714)
              18     check character (GB/T 17710 / ISO 7064 MOD 31-3)

The check character: the 31 characters have the values 0..30 in charset order; weights 3^(i-1) mod 31
(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28) over the first 17 values;
c = 31 - (sum mod 31), 31 → 0. Because 31 is prime and no weight is 0 mod 31, changing any one character
(to another character of the charset) changes the sum mod 31, so every single substitution is detected.

The embedded GB 11714 organisation code has a check character of its own (weights 3, 7, 9, 10, 5, 8, 4, 2;
C9 = 11 - (sum mod 11), 10 → X, 11 → 0). Published codes satisfy it (e.g. 914403001922038216,
91440300708461136T, 91330100799655058B, 91110108551385082Q), but it is NOT enforced by `validate_uscc`:
GB 32100's own check character already detects every single substitution of the whole code, and we could not
confirm that every code issued in practice (individual businesses, codes carried over from older registers)
satisfies it, so enforcing it risks refusing real subjects. `organization_code_valid` exposes it, and
`decode_uscc` reports it as `organizationCodeValid`; `make_uscc` always produces codes that satisfy both.

Resident ID number (居民身份证号, GB 11643-1999), 18 characters:

    positions 1-6    address code (administrative division)
              7-14   birth date YYYYMMDD
              15-17  sequence (odd: male, even: female)
              18     check character (ISO 7064 MOD 11-2), may be X

Resident ID numbers must also start with a province-level code (`ID_PROVINCE_CODES`): the 34 province-level
divisions of GB/T 2260 (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 台湾, 81 香港, 82 澳门) and 83, which is
not a GB/T 2260 code but begins the numbers of the residence permits for Taiwan residents (台湾居民居住证,
港澳台居民居住证申领发放办法, 2018; their numbers start 830000, those of Hong Kong and Macao residents 810000 and
820000). A permit holder is a natural person the system must be able to record, so 83 is accepted.

Both kinds of code are normalised before validation (`normalize_uscc`, `normalize_id_number`), wherever one comes
in (loaders, GraphQL arguments): full-width characters folded to ASCII (NFKC), every space (also the ideographic
and non-breaking ones) and every dash or hyphen (ASCII `-`, full-width `－`, `‐ ‑ ‒ – — ― − ﹘ ﹣`) removed,
letters upper-cased (a lower-case `x` of an ID number becomes `X`). So `91 110000 600037341L`,
`91-110000-600037341L` and `９１１１００００６０００３７３４１Ｌ` are the same code. When something was removed,
error messages say that lengths and positions count without it.

Personal data (DOMAIN rule 10): error messages about ID numbers never repeat the number or its birth date, and
`InvalidIdentifier.value` carries the masked form.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
import unicodedata
from typing import Any

# --------------------------------------------------------------------------------------------- errors


class InvalidIdentifier(ValueError):
    """A malformed identifier. `field` names the identifier ("uscc", "id_number", …), `value` is what was
    given (masked for ID numbers), `reason` says in plain English what is wrong."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.value = value
        self.reason = reason


# ---------------------------------------------------------------------------------------------- tables

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
_NOT_ALLOWED = itertools.repeat(-1)  # the value of a character outside USCC_CHARSET
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
# The value of each character of an organisation code: digits 0-9, letters A-Z 10-35.
_ORG_CODE_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}

ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# GB 32100-2015 appendix A (with the later additions A and N): registration authority → (name, categories).
REGISTRATION_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                    "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
                "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {}),
}

# GB/T 2260 province-level divisions: the first two digits of a division code.
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}


# Resident ID numbers: the province-level codes above, and 83 of the residence permits for Taiwan residents.
ID_PROVINCE_CODES: frozenset[str] = frozenset(PROVINCES) | {"83"}

# Dashes and hyphens removed from codes (after NFKC, which already folds `－` and `﹣` to `-`).
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")


def _describe(char: str) -> str:
    return repr(char) if char.isprintable() else f"U+{ord(char):04X}"


def _fold(s: str) -> tuple[str, str]:
    """A code as written → (normalised text, note for error messages): NFKC, spaces and dashes removed,
    upper case. The note says that lengths and positions count without what was removed (empty if nothing
    was)."""
    if s.isascii() and s.isalnum():
        # The common case, a code already written plainly: NFKC leaves ASCII alone and there is no space or
        # dash to remove (the loader's profile: folding was a third of validating a USCC).
        return s.upper(), ""
    text = unicodedata.normalize("NFKC", s).strip()
    kept = "".join(c for c in text if not c.isspace() and c not in _DASHES)
    return kept.upper(), " (spaces and dashes not counted)" if len(kept) != len(text) else ""


# ------------------------------------------------------------------------------------------------ USCC


def normalize_uscc(s: str) -> str:
    """Full-width characters folded to ASCII (NFKC), spaces and dashes removed, upper-cased. Does not
    validate."""
    return _fold(s)[0]


def _uscc_chars(text: str, field: str, value: str, note: str = "") -> list[int]:
    values = list(map(_USCC_VALUES.get, text, _NOT_ALLOWED))
    if -1 not in values:
        return values
    values = []
    for position, char in enumerate(text, start=1):
        v = _USCC_VALUES.get(char)
        if v is None:
            hint = " (the letters I, O, Z, S and V are never used)" if char in "IOZSV" else ""
            raise InvalidIdentifier(field, value, f"character {_describe(char)} at position {position}{note} is not "
                                                  f"allowed in a USCC{hint}")
        values.append(v)
    return values


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    text = normalize_uscc(first17)
    if len(text) != 17:
        raise InvalidIdentifier("uscc", first17, f"the check character needs 17 characters, got {len(text)}")
    return _uscc_check(_uscc_chars(text, "uscc", first17))


def _uscc_check(values: list[int]) -> str:
    """The check character for the values of a USCC's characters (the first 17 count)."""
    c = 31 - sum(map(operator.mul, values, USCC_WEIGHTS)) % 31
    return USCC_CHARSET[0 if c == 31 else c]


def organization_code_check_char(body8: str) -> str:
    """The GB 11714 check character for the 8 body characters of an organisation code."""
    text = body8.strip().upper()
    if len(text) != 8:
        raise InvalidIdentifier("organization_code", body8,
                                f"an organisation code body is 8 characters, got {len(text)}")
    values = list(map(_ORG_CODE_VALUES.get, text, _NOT_ALLOWED))
    if -1 in values:
        position = values.index(-1)
        raise InvalidIdentifier("organization_code", body8, f"character {_describe(text[position])} at position "
                                f"{position + 1} is not allowed in an organisation code")
    c = 11 - sum(map(operator.mul, values, ORG_CODE_WEIGHTS)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def organization_code_valid(code: str) -> bool:
    """Whether a 9-character GB 11714 organisation code (or a whole USCC, whose positions 9-17 it is)
    has the right check character."""
    text = normalize_uscc(code) if isinstance(code, str) else ""
    if len(text) == 18:
        text = text[8:17]
    if len(text) != 9:
        return False
    try:
        return organization_code_check_char(text[:8]) == text[8]
    except InvalidIdentifier:
        return False


def validate_uscc(s: str) -> str:
    """The normalized USCC, or InvalidIdentifier saying what is wrong (length, a character, the division,
    the check character)."""
    if not isinstance(s, str):
        raise InvalidIdentifier("uscc", s, f"a USCC is a string, got {type(s).__name__}")
    return _validate_uscc(s)


# A load meets the same USCCs again and again (every role and shareholding names its organisation): a valid code
# is validated once (an invalid one raises each time, exceptions are not cached). ~150 bytes an entry.
@functools.lru_cache(maxsize=1 << 20)
def _validate_uscc(s: str) -> str:
    text, note = _fold(s)
    if len(text) != 18:
        raise InvalidIdentifier("uscc", s, f"USCC must be 18 characters, got {len(text)}{note}")
    values = _uscc_chars(text, "uscc", s, note)
    division = text[2:8]
    if not division.isdigit():
        raise InvalidIdentifier("uscc", s, f"the administrative-division code (positions 3-8) must be 6 digits, "
                                           f"got {division!r}")
    expected = _uscc_check(values)
    if text[17] != expected:
        raise InvalidIdentifier("uscc", s, f"check character is {text[17]!r}, expected {expected!r}")
    return text


def is_valid_uscc(s: str) -> bool:
    try:
        validate_uscc(s)
    except InvalidIdentifier:
        return False
    return True


def decode_uscc(uscc: str) -> dict[str, Any]:
    """The parts of a USCC (validated first). Names are None for codes the standard's tables do not list."""
    return decode_valid_uscc(validate_uscc(uscc))


def decode_valid_uscc(text: str) -> dict[str, Any]:
    """`decode_uscc` of a USCC already validated (and normalised) by `validate_uscc`."""
    authority_code, category_code, division = text[0], text[1], text[2:8]
    authority, categories = REGISTRATION_AUTHORITIES.get(authority_code, (None, {}))
    return {
        "uscc": text,
        "registrationAuthority": authority,
        "registrationAuthorityCode": authority_code,
        "category": categories.get(category_code),
        "categoryCode": category_code,
        "division": division,
        "province": PROVINCES.get(division[:2]),
        "organizationCode": text[8:17],
        "organizationCodeValid": organization_code_valid(text[8:17]),
    }


def make_uscc(authority: str, category: str, division: str, org_body8: str) -> str:
    """A valid USCC from its parts; computes the GB 11714 and the GB 32100 check characters."""
    authority, category, body = authority.strip().upper(), category.strip().upper(), org_body8.strip().upper()
    division = division.strip()
    if len(authority) != 1 or len(category) != 1:
        raise InvalidIdentifier("uscc", authority + category, "authority and category are one character each")
    if len(division) != 6 or not division.isdigit():
        raise InvalidIdentifier("uscc", division, f"the division code must be 6 digits, got {division!r}")
    if len(body) != 8:
        raise InvalidIdentifier("uscc", body, f"the organisation code body must be 8 characters, got {len(body)}")
    first16 = authority + category + division + body
    _uscc_chars(first16, "uscc", first16)
    first17 = first16 + organization_code_check_char(body)
    return first17 + uscc_check_char(first17)


# ------------------------------------------------------------------------------------------ ID numbers


def normalize_id_number(s: str) -> str:
    """Full-width characters folded to ASCII (NFKC), spaces and dashes removed, `x` upper-cased. Does not
    validate."""
    return _fold(s)[0]


def mask_id_number(s: str) -> str:
    """`110***********1234`: the first 3 and last 4 characters of an 18-character number kept (after
    normalisation), the rest starred. Never reveals more than 7 characters of anything: values shorter than 15
    characters are starred entirely (so a malformed number can be shown in an error report)."""
    text = normalize_id_number(s) if isinstance(s, str) else ""
    if len(text) < 15:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    text = first17.strip() if isinstance(first17, str) else ""
    if len(text) != 17 or not all("0" <= c <= "9" for c in text):
        raise InvalidIdentifier("id_number", mask_id_number(text), "the check character needs 17 digits")
    return _id_check(text)


# The digits' code points minus 48 are their values: sum(w * (b - 48)) = sum(w * b) - 48 * sum(w), and the
# bytes of an ASCII string are those code points, without an int() per digit.
_ID_OFFSET = 48 * sum(ID_WEIGHTS)


def _id_check(digits17: str) -> str:
    """The check character of 17 ASCII digits (not checked here)."""
    return ID_CHECK_CHARS[(sum(map(operator.mul, digits17.encode("ascii"), ID_WEIGHTS)) - _ID_OFFSET) % 11]


def validate_id_number(s: str, today: dt.date | None = None) -> str:
    """The normalized ID number (upper-case X), or InvalidIdentifier. It must start with a province-level code
    (`ID_PROVINCE_CODES`); the birth date must be a real date not after `today` (default: the current date)."""
    if not isinstance(s, str):
        raise InvalidIdentifier("id_number", None, f"an ID number is a string, got {type(s).__name__}")
    text, note = _fold(s)
    if len(text) != 18:
        raise InvalidIdentifier("id_number", mask_id_number(text),
                                f"ID number must be 18 characters, got {len(text)}{note}")
    if not (text.isascii() and text[:17].isdigit() and (text[17] == "X" or text[17].isdigit())):
        for position, char in enumerate(text, start=1):
            if "0" <= char <= "9" or (char == "X" and position == 18):
                continue
            what = "a digit or X" if position == 18 else "a digit"
            # Showing the offending character reveals nothing personal: ASCII digits never get here.
            raise InvalidIdentifier("id_number", mask_id_number(text), f"character {_describe(char)} at position "
                                                              f"{position}{note} of the ID number must be {what}")
    if text[:2] not in ID_PROVINCE_CODES:
        # The two digits name a province at most (the masked form shows three): nothing personal.
        raise InvalidIdentifier("id_number", mask_id_number(text),
                                f"the province code (positions 1-2) {text[:2]!r} is not a province-level division "
                                "(GB/T 2260, or 83 of a residence permit)")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidIdentifier("id_number", mask_id_number(text),
                                "the birth date (positions 7-14) is not a valid calendar date") from None
    if birth > (today or dt.date.today()):
        raise InvalidIdentifier("id_number", mask_id_number(text), "the birth date (positions 7-14) is in the future")
    expected = _id_check(text[:17])
    if text[17] != expected:
        raise InvalidIdentifier("id_number", mask_id_number(text),
                                f"check character is {text[17]!r}, expected {expected!r}")
    return text


def validate_masked_id_number(s: str) -> str:
    """A partly masked resident ID number as a source published it (`3501021980****1234`, `110***********1234`):
    18 characters, each a digit, `*` (hidden; full-width ＊ folded) or an X in the last place, at least one hidden,
    and a province-level code when the first two are shown. Returned upper-cased. Identity resolution compares
    the shown digits (graph/resolution.py); a number without a hidden digit is an `id_number`, not a mask."""
    if not isinstance(s, str):
        raise InvalidIdentifier("id_masked", None, f"a masked ID number is a string, got {type(s).__name__}")
    text = _fold(s)[0].replace("\uff0a", "*")
    if len(text) != 18:
        raise InvalidIdentifier("id_masked", mask_id_number(text), f"a masked ID number has 18 characters, got "
                                                                   f"{len(text)}")
    for position, char in enumerate(text, start=1):
        if not ("0" <= char <= "9" or char == "*" or (char == "X" and position == 18)):
            raise InvalidIdentifier("id_masked", mask_id_number(text), f"character {_describe(char)} at position "
                                    f"{position} of a masked ID number must be a digit or *")
    if "*" not in text:
        raise InvalidIdentifier("id_masked", mask_id_number(text), "nothing is masked: give it as id_number")
    if "*" not in text[:2] and text[:2] not in ID_PROVINCE_CODES:
        raise InvalidIdentifier("id_masked", mask_id_number(text), f"the province code {text[:2]!r} is not a "
                                                                   "province-level division")
    return text


def is_valid_id_number(s: str, today: dt.date | None = None) -> bool:
    try:
        validate_id_number(s, today)
    except InvalidIdentifier:
        return False
    return True


def make_id_number(division6: str, birth: dt.date, seq3: int) -> str:
    """A valid ID number: address code, birth date, sequence (odd: male, even: female) and check character."""
    if len(division6) != 6 or not division6.isdigit():
        raise InvalidIdentifier("id_number", division6, f"the address code must be 6 digits, got {division6!r}")
    if division6[:2] not in ID_PROVINCE_CODES:
        raise InvalidIdentifier("id_number", division6, f"the address code {division6!r} does not start with a "
                                                        "province-level code")
    if not 0 <= seq3 <= 999:
        raise InvalidIdentifier("id_number", seq3, f"the sequence must be 0-999, got {seq3}")
    first17 = f"{division6}{birth:%Y%m%d}{seq3:03d}"
    if len(first17) != 17:
        raise InvalidIdentifier("id_number", None, "the birth year must have four digits")
    return first17 + id_check_char(first17)
