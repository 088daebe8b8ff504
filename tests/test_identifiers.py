"""graph.identifiers: USCC (GB 32100-2015) and resident ID numbers (GB 11643-1999). Pure functions: unit tests
on known codes and every error, and hypothesis properties for the check characters."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graph.identifiers import (
    ID_PROVINCE_CODES,
    ID_WEIGHTS,
    PROVINCES,
    USCC_CHARSET,
    USCC_WEIGHTS,
    InvalidIdentifier,
    decode_uscc,
    id_check_char,
    is_valid_id_number,
    is_valid_uscc,
    make_id_number,
    make_uscc,
    mask_id_number,
    normalize_id_number,
    normalize_uscc,
    organization_code_check_char,
    organization_code_valid,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)

# Published USCCs of well-known companies (national enterprise credit information publicity system). Each passes
# both the GB 32100 check character and the embedded GB 11714 one, which a misremembered code would do with a
# probability of 1/341.
PUBLISHED_USCCS = {
    "914403001922038216": "华为技术有限公司",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司",
    "91330100799655058B": "阿里巴巴（中国）有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
}

# Worked by hand:
#   organisation code body T0000001: T = 29 (GB 11714 values A=10 … Z=35), 29×3 + 1×2 = 89, 89 mod 11 = 1,
#   11 - 1 = 10 → 'X'; organisation code T0000001X.
#   USCC 91350203T0000001X + check: values (charset order) 9 1 3 5 0 2 0 3 T=26 0 0 0 0 0 0 1 X=29,
#   9·1 + 1·3 + 3·9 + 5·27 + 2·26 + 3·17 + 26·20 + 1·30 + 29·28 = 1639, 1639 mod 31 = 27, 31 - 27 = 4 → '4'.
HAND_MADE = "91350203T0000001X4"

# GB 11643-1999's own examples: 11010519491231002X (Beijing 朝阳区, born 1949-12-31, sequence 002: a woman) and
# 440524188001010014 (born 1880-01-01, sequence 001: a man).
#   1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2 = 167,
#   167 mod 11 = 2 → '10X98765432'[2] = 'X'.
STANDARD_IDS = ("11010519491231002X", "440524188001010014")

TODAY = dt.date(2026, 11, 1)


def reason(exc: pytest.ExceptionInfo[InvalidIdentifier]) -> str:
    assert exc.value.reason == str(exc.value)
    return exc.value.reason


# ------------------------------------------------------------------------------------------------- USCC


@pytest.mark.parametrize("code", sorted(PUBLISHED_USCCS))
def test_published_codes_validate(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)
    assert organization_code_valid(code)
    decoded = decode_uscc(code)
    assert decoded["registrationAuthority"] == "工商"
    assert decoded["category"] == "企业"
    assert decoded["organizationCode"] == code[8:17]
    assert decoded["organizationCodeValid"] is True


def test_decode_fields() -> None:
    assert decode_uscc("91440300708461136T") == {
        "uscc": "91440300708461136T",
        "registrationAuthority": "工商",
        "registrationAuthorityCode": "9",
        "category": "企业",
        "categoryCode": "1",
        "division": "440300",
        "province": "广东省",
        "organizationCode": "708461136",
        "organizationCodeValid": True,
    }


def test_hand_computed_code() -> None:
    assert organization_code_check_char("T0000001") == "X"
    assert uscc_check_char(HAND_MADE[:17]) == "4"
    assert make_uscc("9", "1", "350203", "T0000001") == HAND_MADE
    assert validate_uscc(HAND_MADE) == HAND_MADE


@pytest.mark.parametrize(("authority", "category", "authority_name", "category_name"), [
    ("9", "1", "工商", "企业"),
    ("9", "2", "工商", "个体工商户"),
    ("9", "3", "工商", "农民专业合作社"),
    ("5", "1", "民政", "社会团体"),
    ("5", "2", "民政", "民办非企业单位"),
    ("5", "3", "民政", "基金会"),
    ("1", "2", "机构编制", "事业单位"),
    ("Y", "1", "其他", None),
    ("W", "1", None, None),  # not in the standard's table: accepted, names unknown
])
def test_decode_authorities_and_categories(authority: str, category: str, authority_name: str | None,
                                            category_name: str | None) -> None:
    decoded = decode_uscc(make_uscc(authority, category, "350203", "MA2YJ4F9"))
    assert decoded["registrationAuthority"] == authority_name
    assert decoded["registrationAuthorityCode"] == authority
    assert decoded["category"] == category_name
    assert decoded["province"] == "福建省"


def test_province_table() -> None:
    assert len(PROVINCES) == 34
    assert PROVINCES["11"] == "北京市" and PROVINCES["31"] == "上海市" and PROVINCES["35"] == "福建省"
    assert PROVINCES["44"] == "广东省" and PROVINCES["65"] == "新疆维吾尔自治区" and PROVINCES["82"] == "澳门特别行政区"
    assert decode_uscc(make_uscc("9", "1", "100000", "MA2YJ4F9"))["province"] is None  # national level


def test_normalization() -> None:
    assert normalize_uscc("  91440300708461136t\n") == "91440300708461136T"
    assert validate_uscc(" 91440300708461136t ") == "91440300708461136T"
    assert validate_uscc("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"  # full-width


@pytest.mark.parametrize("written", [
    "91 110000 600037341L",  # as pasted from a licence (issue 11)
    "91-110000-600037341L",
    "91110000-60003734-1L",
    "91 110000\u3000600037341l",  # ideographic space, lower case
    "91\u00a0110000\u00a0600037341L",  # non-breaking spaces
    "91－110000－600037341Ｌ",  # full-width dash and letter
    "91—110000–600037341L",  # em and en dash
    "91\u2010110000\u2011600037341L\t",  # hyphen, non-breaking hyphen, tab
    "９１\u3000１１００００\u3000６０００３７３４１Ｌ",
])
def test_spaces_dashes_and_full_width_are_normalised_before_validation(written: str) -> None:
    assert normalize_uscc(written) == "91110000600037341L"
    assert validate_uscc(written) == "91110000600037341L"
    assert decode_uscc(written)["uscc"] == "91110000600037341L"


def test_errors_after_normalisation_say_what_was_not_counted() -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        validate_uscc("91 110000 60003734L")
    assert reason(exc) == "USCC must be 18 characters, got 17 (spaces and dashes not counted)"
    assert exc.value.value == "91 110000 60003734L"  # what was given
    with pytest.raises(InvalidIdentifier) as exc:
        validate_uscc("91-11O000-600037341L")
    assert reason(exc) == ("character 'O' at position 5 (spaces and dashes not counted) is not allowed in a USCC "
                           "(the letters I, O, Z, S and V are never used)")
    with pytest.raises(InvalidIdentifier) as exc:
        validate_uscc("91 110000 600037341K")  # a wrong check character is still wrong
    assert reason(exc) == "check character is 'K', expected 'L'"
    # Other punctuation is not a separator: refused, never dropped silently.
    with pytest.raises(InvalidIdentifier, match=r"character '\.' at position 3 is not allowed"):
        validate_uscc("91.10000600037341L")


def test_embedded_organization_code_is_reported_not_enforced() -> None:
    # A code whose GB 32100 check character is right but whose embedded GB 11714 check is wrong.
    first17 = "9135020300000001" + "5"  # body 00000001: 1×2 = 2, 11 - 2 = 9, so '5' is wrong
    code = first17 + uscc_check_char(first17)
    assert is_valid_uscc(code)
    assert decode_uscc(code)["organizationCodeValid"] is False
    assert not organization_code_valid(code)
    assert organization_code_valid("000000019")
    assert not organization_code_valid("short")


@pytest.mark.parametrize(("value", "expected"), [
    ("9144030070846113", "USCC must be 18 characters, got 16"),
    ("91440300708461136TT", "USCC must be 18 characters, got 19"),
    ("", "USCC must be 18 characters, got 0"),
    ("91440O00708461136T", "character 'O' at position 6 is not allowed in a USCC (the letters I, O, Z, S and V "
                           "are never used)"),
    ("9144030070846113-T", "USCC must be 18 characters, got 17 (spaces and dashes not counted)"),
    ("914403 0070846113 6TT", "USCC must be 18 characters, got 19 (spaces and dashes not counted)"),
    ("914403007084611厂6T", "character '厂' at position 16 is not allowed in a USCC"),
    ("91A40300708461136T", "the administrative-division code (positions 3-8) must be 6 digits, got 'A40300'"),
    ("91440300708461136K", "check character is 'K', expected 'T'"),
    ("91350211MA2YJ4F97K", "check character is 'K', expected 'X'"),
])
def test_uscc_errors(value: str, expected: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        validate_uscc(value)
    assert reason(exc) == expected
    assert exc.value.field == "uscc"
    assert exc.value.value == value
    assert not is_valid_uscc(value)


def test_uscc_error_is_a_value_error() -> None:
    assert issubclass(InvalidIdentifier, ValueError)
    with pytest.raises(InvalidIdentifier, match="a USCC is a string, got int"):
        validate_uscc(914403001922038216)  # type: ignore[arg-type]
    assert not is_valid_uscc(None)  # type: ignore[arg-type]


def test_check_char_and_make_errors() -> None:
    with pytest.raises(InvalidIdentifier, match="needs 17 characters, got 16"):
        uscc_check_char("9135020300000001")
    with pytest.raises(InvalidIdentifier, match="character 'I' at position 9"):
        uscc_check_char("91350203I00000015")
    with pytest.raises(InvalidIdentifier, match="one character each"):
        make_uscc("91", "1", "350203", "MA2YJ4F9")
    with pytest.raises(InvalidIdentifier, match="division code must be 6 digits"):
        make_uscc("9", "1", "3502", "MA2YJ4F9")
    with pytest.raises(InvalidIdentifier, match="must be 8 characters, got 7"):
        make_uscc("9", "1", "350203", "MA2YJ4F")
    with pytest.raises(InvalidIdentifier, match="character 'O' at position 11"):
        make_uscc("9", "1", "350203", "MAO0J4F9")
    with pytest.raises(InvalidIdentifier, match="an organisation code body is 8 characters"):
        organization_code_check_char("1234567")
    with pytest.raises(InvalidIdentifier, match="character '-' at position 3 is not allowed in an organisation"):
        organization_code_check_char("12-45678")


def test_weights_are_powers() -> None:
    # GB/T 17710 MOD 31-3: W_i = 3^(i-1) mod 31; ISO 7064 MOD 11-2: W_i = 2^(18-i) mod 11.
    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == ID_WEIGHTS


def test_single_substitutions_are_detectable_in_principle() -> None:
    """The claim behind the property tests, exhaustively: a substitution at position i changes the weighted sum
    by w_i·(new - old), which is never 0 mod the (prime) modulus since 0 < w_i and 0 < |new - old| < modulus."""
    for weight in USCC_WEIGHTS:
        for old in range(31):
            for new in range(31):
                if old != new:
                    assert weight * (new - old) % 31 != 0
    for weight in ID_WEIGHTS:
        for old in range(10):
            for new in range(10):
                if old != new:
                    assert weight * (new - old) % 11 != 0


# --------------------------------------------------------------------------------- USCC properties

charset_char = st.sampled_from(USCC_CHARSET)
uscc_parts = st.tuples(
    charset_char, charset_char, st.text(string.digits, min_size=6, max_size=6),
    st.text(USCC_CHARSET, min_size=8, max_size=8),
)


@given(uscc_parts)
def test_make_uscc_always_validates(parts: tuple[str, str, str, str]) -> None:
    code = make_uscc(*parts)
    assert validate_uscc(code) == code
    assert organization_code_valid(code)
    decoded = decode_uscc(code)
    assert decoded["registrationAuthorityCode"] == parts[0]
    assert decoded["categoryCode"] == parts[1]
    assert decoded["division"] == parts[2]
    assert decoded["organizationCode"][:8] == parts[3]


@given(uscc_parts, st.integers(0, 17), st.sampled_from(USCC_CHARSET + "IOZSV-* .厂"))
def test_any_single_substitution_fails(parts: tuple[str, str, str, str], position: int, char: str) -> None:
    code = make_uscc(*parts)
    assume(code[position] != char)
    changed = code[:position] + char + code[position + 1:]
    with pytest.raises(InvalidIdentifier):
        validate_uscc(changed)


@given(st.one_of(st.text(), st.text(USCC_CHARSET + "abcxyz IO-", min_size=16, max_size=20)))
def test_arbitrary_text_only_raises_invalid_identifier(text: str) -> None:
    try:
        code = validate_uscc(text)
    except InvalidIdentifier as exc:
        assert exc.reason and exc.field == "uscc"
        assert not is_valid_uscc(text)
        return
    assert len(code) == 18 and is_valid_uscc(text)
    assert decode_uscc(code)["uscc"] == code
    organization_code_valid(text)


# ------------------------------------------------------------------------------------------- ID numbers


@pytest.mark.parametrize("value", STANDARD_IDS)
def test_standard_examples_validate(value: str) -> None:
    assert validate_id_number(value, TODAY) == value
    assert id_check_char(value[:17]) == value[17]


def test_lower_case_x_is_normalized() -> None:
    assert validate_id_number(" 11010519491231002x ", TODAY) == "11010519491231002X"
    assert is_valid_id_number("11010519491231002x", TODAY)


def test_make_id_number() -> None:
    assert make_id_number("110105", dt.date(1949, 12, 31), 2) == "11010519491231002X"
    assert make_id_number("440524", dt.date(1880, 1, 1), 1) == "440524188001010014"
    with pytest.raises(InvalidIdentifier, match="address code must be 6 digits"):
        make_id_number("11010", dt.date(1980, 1, 1), 1)
    with pytest.raises(InvalidIdentifier, match="sequence must be 0-999"):
        make_id_number("110105", dt.date(1980, 1, 1), 1000)


@pytest.mark.parametrize(("value", "expected"), [
    ("1101051949123100", "ID number must be 18 characters, got 16"),
    ("110105194912310022X", "ID number must be 18 characters, got 19"),
    ("11010519491231002Y", "character 'Y' at position 18 of the ID number must be a digit or X"),
    ("1101051949123100X2", "character 'X' at position 17 of the ID number must be a digit"),
    ("11O10519491231002X", "character 'O' at position 3 of the ID number must be a digit"),
    ("110105194902300021", "the birth date (positions 7-14) is not a valid calendar date"),
    ("110105194913310021", "the birth date (positions 7-14) is not a valid calendar date"),
    ("110105203001010021", "the birth date (positions 7-14) is in the future"),
    ("110105194912310021", "check character is '1', expected 'X'"),
])
def test_id_number_errors(value: str, expected: str) -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        validate_id_number(value, TODAY)
    assert reason(exc) == expected
    assert exc.value.field == "id_number"
    assert not is_valid_id_number(value, TODAY)
    # Personal data: the exception carries the masked value only.
    assert exc.value.value == mask_id_number(value)


def test_id_province_codes() -> None:
    # GB/T 2260 province-level codes, and 83 of the residence permits for Taiwan residents.
    expected = {*map(str, range(11, 16)), "21", "22", "23", *map(str, range(31, 38)), *map(str, range(41, 47)),
                *map(str, range(50, 55)), *map(str, range(61, 66)), "71", "81", "82", "83"}
    assert expected == ID_PROVINCE_CODES
    assert set(PROVINCES) == ID_PROVINCE_CODES - {"83"}


@pytest.mark.parametrize("province", sorted(ID_PROVINCE_CODES))
def test_every_province_code_is_accepted(province: str) -> None:
    assert is_valid_id_number(make_id_number(province + "0000", dt.date(1990, 5, 17), 123), TODAY)


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60",
                                      "66", "70", "72", "80", "84", "91", "99"])
def test_an_id_number_with_a_non_existent_province_is_rejected(province: str) -> None:
    first17 = province + "0105" + "19491231" + "002"
    value = first17 + id_check_char(first17)  # right check character and birth date: only the province is wrong
    with pytest.raises(InvalidIdentifier) as exc:
        validate_id_number(value, TODAY)
    assert reason(exc) == (f"the province code (positions 1-2) '{province}' is not a province-level division "
                           "(GB/T 2260, or 83 of a residence permit)")
    assert exc.value.value == mask_id_number(value)
    with pytest.raises(InvalidIdentifier, match="does not start with a province-level code"):
        make_id_number(province + "0105", dt.date(1949, 12, 31), 2)


def test_residence_permit_numbers_validate() -> None:
    # 台湾/香港/澳门居民居住证: 830000, 810000, 820000 followed by birth date, sequence and check character.
    for division in ("830000", "810000", "820000"):
        value = make_id_number(division, dt.date(1988, 8, 8), 15)
        assert validate_id_number(value, TODAY) == value


@pytest.mark.parametrize("written", [
    "110105 19491231 002X",
    "110105-19491231-002x",
    "１１０１０５１９４９１２３１００２ｘ",  # full width, lower-case x
    "110105\u300019491231\u3000002Ｘ",
    "110105—19491231—002X ",
])
def test_id_numbers_are_normalised_before_validation(written: str) -> None:
    assert normalize_id_number(written) == "11010519491231002X"
    assert validate_id_number(written, TODAY) == "11010519491231002X"
    assert mask_id_number(written) == "110***********002X"


def test_id_number_errors_after_normalisation() -> None:
    with pytest.raises(InvalidIdentifier) as exc:
        validate_id_number("110105 19491231 002", TODAY)
    assert reason(exc) == "ID number must be 18 characters, got 17 (spaces and dashes not counted)"
    assert exc.value.value == mask_id_number("11010519491231002")
    with pytest.raises(InvalidIdentifier) as exc:
        validate_id_number("110105-19491231-0O2X", TODAY)
    assert reason(exc) == ("character 'O' at position 16 (spaces and dashes not counted) of the ID number must be "
                           "a digit")


def test_birth_date_is_relative_to_today() -> None:
    born_today = make_id_number("350203", TODAY, 11)
    assert is_valid_id_number(born_today, TODAY)
    assert not is_valid_id_number(born_today, TODAY - dt.timedelta(days=1))
    assert is_valid_id_number("11010519491231002X")  # default: the real today


def test_id_number_not_a_string() -> None:
    with pytest.raises(InvalidIdentifier, match="an ID number is a string, got int"):
        validate_id_number(110105194912310021)  # type: ignore[arg-type]
    with pytest.raises(InvalidIdentifier, match="needs 17 digits"):
        id_check_char("1101051949123100X")


def test_mask() -> None:
    assert mask_id_number("110105194912341234") == "110***********1234"
    assert mask_id_number("11010519491231002x") == "110***********002X"
    assert mask_id_number("110105491231002") == "110********1002"  # an old 15-digit number
    assert mask_id_number("1101051949") == "**********"  # too short to show anything
    assert mask_id_number("") == ""


# ---------------------------------------------------------------------------------- ID properties

births = st.dates(dt.date(1900, 1, 1), TODAY)
divisions = st.builds(lambda province, rest: province + rest, st.sampled_from(sorted(ID_PROVINCE_CODES)),
                      st.text(string.digits, min_size=4, max_size=4))
id_parts = st.tuples(divisions, births, st.integers(0, 999))


@given(id_parts)
def test_make_id_number_always_validates(parts: tuple[str, dt.date, int]) -> None:
    value = make_id_number(*parts)
    assert validate_id_number(value, TODAY) == value
    assert validate_id_number(value.lower(), TODAY) == value
    assert mask_id_number(value) == value[:3] + "*" * 11 + value[-4:]


@given(id_parts, st.integers(0, 17), st.sampled_from(string.digits + "X"))
def test_any_single_substitution_of_an_id_number_fails(parts: tuple[str, dt.date, int], position: int,
                                                       char: str) -> None:
    value = make_id_number(*parts)
    assume(value[position] != char)
    changed = value[:position] + char + value[position + 1:]
    with pytest.raises(InvalidIdentifier) as exc:
        validate_id_number(changed, TODAY)
    # Error messages never repeat the number or its birth date.
    assert changed not in str(exc.value) and changed[6:14] not in str(exc.value)


@given(st.one_of(st.text(), st.text(string.digits + "Xx ", min_size=16, max_size=20)))
def test_arbitrary_text_as_id_number_only_raises_invalid_identifier(text: str) -> None:
    try:
        value = validate_id_number(text, TODAY)
    except InvalidIdentifier as exc:
        assert exc.reason and exc.field == "id_number"
        return
    assert len(value) == 18 and is_valid_id_number(value, TODAY)


@given(st.text())
def test_mask_never_reveals_more_than_seven_characters(text: str) -> None:
    masked = mask_id_number(text)
    assert sum(1 for c in masked if c != "*") <= 7
