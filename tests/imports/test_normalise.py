import datetime

import pytest

from jigong.core.imports import normalise as N


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("５００１０３２００７０５０１１２３ｘ", "50010320070501123X"),
        ("\u00a0500103 20070501123x\u3000", "50010320070501123X"),
    ],
)
def test_id_number_folds_fullwidth_spaces_and_lower_x(raw, expected):
    assert N.id_number(raw) == expected


@pytest.mark.parametrize("raw", [500103200705011234, 5.00103200705011e17, "5.00103E+17"])
def test_id_number_as_number_or_scientific_is_refused(raw):
    with pytest.raises(N.CellError, match="文本"):
        N.id_number(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2025-07-01",
        "2025/7/1",
        "2025.7.1",
        "2025年7月1日",
        "２０２５年７月１日",
        " 2025-07-01 00:00:00",
        45839,
        45839.0,
        "45839",
        20250701,
        datetime.datetime(2025, 7, 1),
        datetime.date(2025, 7, 1),
    ],
)
def test_dates(raw):
    assert N.date(raw) == datetime.date(2025, 7, 1)


@pytest.mark.parametrize("raw", ["2025-13-01", "明天", "2025-02-30"])
def test_bad_dates_refused(raw):
    with pytest.raises(N.CellError):
        N.date(raw)


def test_text_and_headers():
    assert N.text("  张\u00a0 三\u200b ") == "张 三"
    assert N.header("学制（月）") == N.header(" 学制 (月) ") == N.header("＊学制(月)")
    assert N.code("ｔ０００１") == "T0001"
    assert N.integer("３６") == 36
    assert N.boolean("是") is True and N.boolean("否") is False
    assert str(N.decimal("95%")) == "0.95"
