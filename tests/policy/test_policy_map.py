"""The clause map (issue 14): docs/policy-map.md names every clause （一）…（二十五） with
what the platform does for it or why it is not a system matter; its per-clause lists of
parameters, acts and indicators come from their clause fields (``scripts/
docs_policy_map.py``), so the file is current or this test fails. The portal's help page
shows the same map, and a search for （七）, (七) or 七 finds clause （七）."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from jigong.core import acts
from jigong.indicators import policymap
from jigong.indicators.catalogue import CATALOGUE
from jigong.policy import parameters as P

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-map.md"
NUMERALS = [
    *"一二三四五六七八九十",
    *(f"十{n}" for n in "一二三四五六七八九"),
    "二十",
    *(f"二十{n}" for n in "一二三四五"),
]
CLAUSES = [f"（{n}）" for n in NUMERALS]


def _sections(text: str) -> dict[str, str]:
    """Clause → its section of the document (from its heading to the next)."""
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return {p.split(" ", 1)[0]: p for p in parts}


def test_every_clause_is_in_the_map_with_what_the_platform_does_or_why_not():
    sections = _sections(DOC.read_text(encoding="utf-8"))
    assert list(sections) == CLAUSES
    for clause, text in sections.items():
        assert ("平台做什么" in text) != ("不属于系统事项" in text), clause


def test_the_generated_part_is_current():
    """Regenerate with: .venv/bin/python scripts/docs_policy_map.py"""
    text = DOC.read_text(encoding="utf-8")
    assert policymap.into(text) == text


def test_every_parameter_act_and_indicator_is_listed_under_its_clauses():
    sections = _sections(DOC.read_text(encoding="utf-8"))
    cited = []
    for name in P.all():
        for c in P.history(name):
            cited.append((c.clause, f"`{name}`"))
    cited += [(a.clause, f"`{a.code}`") for a in acts.acts() if a.clause]
    cited += [(i.clause, str(i.name)) for i in CATALOGUE.values() if i.clause]
    for clauses, what in cited:
        for clause in re.findall(r"（[^）]+）", clauses):
            assert clause in sections, f"{what} cites {clause}, not a clause of the policy"
            assert what in sections[clause], f"{what} is not listed under {clause}"


def test_a_platform_parameter_is_marked_so_in_the_map():
    sections = _sections(DOC.read_text(encoding="utf-8"))
    line = next(x for x in sections["（二十一）"].splitlines() if "`workflows.review_days`" in x)
    assert "平台设定（可由市人社局调整）" in line
    line = next(x for x in sections["（二）"].splitlines() if "`targets.employment_rate_min`" in x)
    assert "平台设定" not in line


# --- the help page ---------------------------------------------------------------------


@pytest.fixture
def page(client, world):
    client.force_login(world.user_a)

    def get(q=None):
        url = reverse("help_policy_map")
        resp = client.get(url, {"q": q} if q is not None else {})
        assert resp.status_code == 200
        return resp.content.decode()

    return get


def _shown_clauses(html: str) -> list[str]:
    return re.findall(r'data-clause="(（[^）]+）)"', html)


def test_the_help_page_shows_every_clause(page):
    assert _shown_clauses(page()) == CLAUSES


@pytest.mark.parametrize("q", ["（七）", "(七)", "七", " ( 七 ) ", "7"])
def test_full_and_half_width_citations_find_the_clause(page, q):
    html = page(q)
    assert _shown_clauses(html) == ["（七）"]
    assert "绩效工资追加测算" in html  # what the platform does for （七）


def test_a_word_finds_the_clauses_that_mention_it(page):
    shown = _shown_clauses(page("招生简章"))
    assert "（二十一）" in shown and "（七）" not in shown


def test_a_search_without_a_match_says_so(page):
    html = page("不存在的词")
    assert _shown_clauses(html) == [] and "没有找到" in html and "不存在的词" in html
