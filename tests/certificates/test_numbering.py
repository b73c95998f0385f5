import pytest

from jigong.certificates import numbering
from jigong.demo import generate
from jigong.standards import idcard


def test_documented_example():
    assert numbering.make(2024, "50101", "advanced", 123) == "20245010120001232"


def test_check_character_is_the_id_number_scheme():
    body = "50010320070501123"
    assert numbering.check_character(body) == idcard.check_digit(body)
    for n in range(1000):
        body = f"{2025:04d}50101{1 + n % 3}{n:06d}"
        assert numbering.check_character(body) in "0123456789X"


def test_parse_round_trip_with_letters_in_school_code():
    n = numbering.make(2025, "t0001", "technician", 7)
    assert n.startswith("2025T00013000007")
    parts = numbering.parse(n.lower())
    assert (parts.year, parts.school_code, parts.level, parts.serial) == (
        2025,
        "T0001",
        "technician",
        7,
    )


@pytest.mark.parametrize(
    "bad", ["", "2025", "2025501011000A011", "20255010110000010X", "2025-50101-1-000001-5"]
)
def test_malformed_numbers_refused(bad):
    assert not numbering.is_valid(bad)


def test_altered_check_character_refused():
    n = numbering.make(2025, "50101", "intermediate", 1)
    wrong = n[:-1] + ("0" if n[-1] != "0" else "1")
    with pytest.raises(numbering.NumberError, match="校验位不符"):
        numbering.parse(wrong)


def test_serial_of_ignores_longer_school_codes():
    head = numbering.prefix(2025, "T0001", "intermediate")
    assert numbering.serial_of(numbering.make(2025, "T0001", "intermediate", 9), head) == 9
    assert numbering.serial_of(numbering.make(2025, "T00011", "intermediate", 9), head) is None


def test_demo_uses_this_module():
    assert generate.certificate_number(2024, "50101", "advanced", 123) == numbering.make(
        2024, "50101", "advanced", 123
    )
    assert generate.mod11_2 is numbering.check_character
