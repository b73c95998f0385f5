"""The clause map of 渝人社发〔2022〕32号 (issue 14): for every clause （一）…（二十五）
what the platform does for it, or why it is not a system matter (hand-written in
``jigong/policy/clauses.yaml``), and the parameters, acts and indicators that cite it
(read from their own clause fields, so the map cannot drift).

``docs/policy-map.md`` holds ``markdown()`` between its markers
(``scripts/docs_policy_map.py``; ``tests/policy/test_policy_map.py`` fails when it is
not current); the portal's help page (/help/policy-map/) shows ``clauses()`` and
searches it: a citation written （七）, (七), 七 or 7 finds clause （七）."""

import re
import unicodedata
from functools import cache
from importlib import resources

import yaml

from jigong.core import acts
from jigong.indicators.catalogue import CATALOGUE
from jigong.policy import parameters as P

START, END = "<!-- clauses:start -->\n", "<!-- clauses:end -->"
NUMERALS = [
    *"一二三四五六七八九十",
    *(f"十{n}" for n in "一二三四五六七八九"),
    "二十",
    *(f"二十{n}" for n in "一二三四五"),
]
CLAUSE = re.compile(r"（[^）]+）")
PLATFORM = P.PLATFORM_BASIS


@cache
def _text() -> dict:
    path = resources.files("jigong.policy") / "clauses.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _cited(clauses: str) -> list[str]:
    return CLAUSE.findall(clauses or "")


def _parameter_line(name: str) -> dict:
    values = P.history(name)
    first = values[0]
    sources = {c.source for c in values}
    if sources == {"platform"}:
        basis = PLATFORM
    elif "platform" in sources:
        until = max(c.end for c in values if c.platform and c.end)
        basis = f"意见规定；{until.isoformat()}及以前的取值为{PLATFORM}"
    else:
        basis = "意见规定"
    return {"name": name, "description": first.description, "basis": basis}


def clauses() -> list[dict]:
    """Every clause in order: clause, title, asks, platform or not_system, and the
    parameters, acts and indicators citing it."""
    text = _text()
    rows = {
        f"（{n}）": {"clause": f"（{n}）", **text[f"（{n}）"], "parameters": [], "acts": []}
        for n in NUMERALS
    }
    for row in rows.values():
        row["indicators"] = []
    for name in P.all():
        for clause in dict.fromkeys(c for v in P.history(name) for c in _cited(v.clause)):
            rows[clause]["parameters"].append(_parameter_line(name))
    for a in acts.acts():
        for clause in _cited(a.clause):
            rows[clause]["acts"].append({"code": a.code, "label": str(a.label)})
    for ind in CATALOGUE.values():
        for clause in _cited(ind.clause):
            rows[clause]["indicators"].append({"code": ind.code, "name": str(ind.name)})
    return list(rows.values())


def markdown() -> str:
    out = []
    for r in clauses():
        out.append(f"### {r['clause']} {r['title']}\n")
        out.append(f"意见要求：{r['asks']}。\n")
        if r.get("platform"):
            out.append(f"**平台做什么**：{r['platform']}\n")
        else:
            out.append(f"**不属于系统事项**：{r['not_system']}\n")
        lines = [
            *(f"- 参数 `{p['name']}`：{p['description']}（{p['basis']}）" for p in r["parameters"]),
            *(f"- 事项 `{a['code']}`：{a['label']}" for a in r["acts"]),
            *(f"- 指标 {i['name']}（`{i['code']}`）" for i in r["indicators"]),
        ]
        if lines:
            out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def into(text: str) -> str:
    """``text`` (docs/policy-map.md) with the generated part replaced."""
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return head + START + markdown() + END + tail


# --- search on the help page ------------------------------------------------------------


def _plain(s: str) -> str:
    """Half-width, no spaces: （七） and (七) compare equal."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def clause_of(query: str) -> str | None:
    """The clause a query cites — （七）, (七), 七 or 7 — or None."""
    m = re.fullmatch(r"\(?([一二三四五六七八九十]+|\d+)\)?", _plain(query))
    if not m:
        return None
    n = m.group(1)
    if n.isdigit():
        n = NUMERALS[int(n) - 1] if 1 <= int(n) <= len(NUMERALS) else ""
    return f"（{n}）" if n in NUMERALS else None


def search(query: str) -> list[dict]:
    """The clauses a query finds: the clause it cites, else those whose text (or a
    parameter, act or indicator listed under them) contains it; all for no query."""
    rows = clauses()
    if not _plain(query):
        return rows
    cited = clause_of(query)
    if cited is not None:
        return [r for r in rows if r["clause"] == cited]
    q = _plain(query)

    def words(r):
        yield from (r["title"], r["asks"], r.get("platform", ""), r.get("not_system", ""))
        for p in r["parameters"]:
            yield from (p["name"], p["description"])
        for a in r["acts"]:
            yield from (a["code"], a["label"])
        for i in r["indicators"]:
            yield i["name"]

    return [r for r in rows if any(q in _plain(w) for w in words(r))]
