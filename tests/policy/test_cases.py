"""Runs the policy officer's rule cases in jigong/policy/cases/*.yaml."""

import inspect
from dataclasses import is_dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
import yaml

from jigong.policy import parameters as P
from jigong.policy import rules

KEYS = {"name", "rule", "date", "inputs", "expected", "error"}


def _load_cases() -> list[tuple[str, dict]]:
    folder = resources.files("jigong.policy") / "cases"
    cases = []
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".yaml"):
            for case in yaml.safe_load(f.read_text(encoding="utf-8")):
                cases.append((f.name, case))
    return cases


CASES = _load_cases()
RULES = {
    name: fn
    for name, fn in inspect.getmembers(rules, inspect.isfunction)
    if fn.__module__ == rules.__name__ and not name.startswith("_")
}
RULES["parameter"] = P.get


def _same(result: Any, expected: Any) -> bool:
    if isinstance(result, Decimal):
        return expected is not None and result == Decimal(str(expected))
    if isinstance(result, dict):
        return (
            isinstance(expected, dict)
            and result.keys() == expected.keys()
            and all(_same(result[k], v) for k, v in expected.items())
        )
    if is_dataclass(result) and isinstance(expected, dict):  # partial: only the keys given
        return all(_same(getattr(result, k), v) for k, v in expected.items())
    if isinstance(result, list | tuple):
        return (
            isinstance(expected, list)
            and len(result) == len(expected)
            and all(_same(r, e) for r, e in zip(result, expected, strict=True))
        )
    return type(result) is type(expected) and result == expected


def test_enough_cases_covering_every_rule() -> None:
    assert len(CASES) >= 30
    used = {case["rule"] for _, case in CASES}
    assert set(RULES) - used == set(), "rules without a case"


@pytest.mark.parametrize(
    ("file", "case"), CASES, ids=[f"{f}:{c.get('name', '?')}" for f, c in CASES]
)
def test_case(file: str, case: dict) -> None:
    assert set(case) <= KEYS, f"unknown keys {set(case) - KEYS}"
    assert {"name", "rule", "date", "inputs"} <= set(case)
    assert ("expected" in case) != ("error" in case), "give exactly one of expected / error"
    assert isinstance(case["date"], date)
    fn = RULES[case["rule"]]
    call = lambda: fn(**case["inputs"], on=case["date"])  # noqa: E731
    if "error" in case:
        err = case["error"]
        with pytest.raises((rules.PolicyViolation, P.ParameterError)) as info:
            call()
        exc = info.value
        assert type(exc).__name__ == err["type"]
        for key in ("clause", "field"):
            if key in err:
                assert getattr(exc, key) == err[key]
        if "message" in err:
            assert err["message"] in exc.message
        assert exc.message  # always a readable Chinese message
    else:
        result = call()
        assert _same(result, case["expected"]), f"got {result!r}"
