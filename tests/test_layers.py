"""The layers hold (issue 12; docs/architecture.md, "Layers").

The import graph between the packages of ``jigong/`` is read from the source (``ast``
over every ``.py`` file: module-level and function-level imports, relative imports,
``import_module``/``import_string`` of a literal ``jigong.…`` path). A package may import
only packages of a *lower* layer; packages of one layer do not import each other. So
``core`` imports no domain app, no domain app imports ``public``, and there is no cycle.
The top-level modules (``jigong/urls.py``, ``api.py``, ``settings*.py``, ``cli.py``…)
are the composition root and may import anything.

Django's lazy references (``"schools.School"`` in a foreign key, URL names) are not
imports and are not counted.
"""

import ast
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jigong"

# Lowest first. A package imports only packages of the layers before its own.
LAYERS: list[tuple[str, set[str]]] = [
    ("base: pure Python, no Django", {"policy", "standards"}),
    ("platform", {"core"}),
    ("platform services", {"security", "jobs"}),
    ("reference data", {"reference"}),
    ("schools", {"schools"}),
    ("students", {"students"}),
    ("school registers", {"staff", "training", "cooperation"}),
    ("outcomes", {"certificates", "employment"}),
    ("procedures, graduates' pages, account management", {"workflows", "graduates", "accounts"}),
    ("single sign-on: maps an identity provider's claims to accounts", {"sso"}),
    ("online enrolment: applications decided within the plans, become 学籍", {"admissions"}),
    ("indicators", {"indicators"}),
    ("evaluation and the public side", {"quality", "public"}),
    ("the demo world and `jigong up`", {"demo"}),
]

# Imports that break the rule and are not fixed yet: (file, imported package) → why.
# This list only shrinks: an entry whose import is gone fails the test until removed.
KNOWN: dict[tuple[str, str], str] = {}

NOT_PACKAGES = {"static", "templates"}
DYNAMIC_IMPORTS = {"import_module", "import_string", "__import__"}


def rank() -> dict[str, int]:
    return {name: i for i, (_, names) in enumerate(LAYERS) for name in names}


def packages(package: Path = PACKAGE) -> set[str]:
    return {
        p.name
        for p in package.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and p.name not in NOT_PACKAGES
    }


def _modules(node: ast.AST, here: list[str]) -> list[str]:
    """The dotted modules an import node (or a dynamic import of a literal) names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = here[: len(here) - node.level + 1]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        # `from jigong import core` and `from . import models` name modules in their aliases
        return [prefix] + [f"{prefix}.{a.name}" for a in node.names if a.name != "*"]
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        arg = node.args[0]
        if name in DYNAMIC_IMPORTS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return [arg.value]
    return []


def imports(package: Path = PACKAGE) -> list[tuple[str, str, str, int]]:
    """(source package, imported package, file, line) for every import between two
    different packages of jigong/."""
    names = packages(package)
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).parts
        if len(rel) < 2 or rel[0] not in names:
            continue  # a top-level module: the composition root
        src = rel[0]
        here = ["jigong", *rel[:-1]]  # the package the file is in (or is, for __init__)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            seen = set()
            for module in _modules(node, here):
                parts = module.split(".")
                if len(parts) >= 2 and parts[0] == "jigong" and parts[1] in names:
                    dst = parts[1]
                    if dst != src and dst not in seen:
                        seen.add(dst)
                        where = str(path.relative_to(package.parent))
                        found.append((src, dst, where, node.lineno))
    return found


def cycles(edges: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """(members, one loop a → … → a) per strongly connected component of more than one
    package."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in sorted(edges):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    result = []
    for comp in comps:
        members = set(comp)
        start = min(comp)
        # shortest way back to the start, inside the component (breadth first)
        paths = {start: [start]}
        queue = [start]
        loop = None
        while queue and loop is None:
            v = queue.pop(0)
            for w in sorted(edges.get(v, ())):
                if w == start:
                    loop = [*paths[v], start]
                    break
                if w in members and w not in paths:
                    paths[w] = [*paths[v], w]
                    queue.append(w)
        result.append((sorted(comp), loop or sorted(comp)))
    return result


def _where(found, src: str, dst: str) -> str:
    spots = [f"{f}:{line}" for s, d, f, line in found if (s, d) == (src, dst)]
    return ", ".join(spots[:3]) + (f" (+{len(spots) - 3})" if len(spots) > 3 else "")


def test_every_package_has_a_layer():
    placed = set(rank())
    assert packages() - placed == set(), "place the new package in LAYERS (tests/test_layers.py)"
    assert placed - packages() == set(), "LAYERS names a package that does not exist"


def against_layers(found) -> list[str]:
    """One line per import that does not go down the layers (KNOWN ones left out)."""
    order = rank()
    bad = []
    for src, dst, path, line in found:
        if order[dst] < order[src] or (path, dst) in KNOWN:
            continue
        why = ""
        if src == "core":
            why = " (core imports only the base layer: move the code up, or a hook the app fills)"
        elif dst == "public":
            why = " (no domain app imports jigong.public)"
        bad.append(
            f"{path}:{line}: {src} (layer {order[src]}, {LAYERS[order[src]][0]}) imports "
            f"{dst} (layer {order[dst]}, {LAYERS[order[dst]][0]}){why}"
        )
    return bad


def test_imports_go_down_the_layers():
    bad = against_layers(imports())
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_known_exceptions_only_shrink():
    present = {(path, dst) for _, dst, path, _ in imports()}
    order = rank()
    stale = [
        f"{path} → {dst}"
        for (path, dst) in KNOWN
        if (path, dst) not in present or order[dst] < order[path.split("/")[1]]
    ]
    assert not stale, "fixed: remove from KNOWN in tests/test_layers.py:\n" + "\n".join(stale)


def test_no_cycle_between_packages():
    found = imports()
    edges: dict[str, set[str]] = defaultdict(set)
    for src, dst, _, _ in found:
        edges[src].add(dst)
    loops = cycles(edges)
    text = [
        f"cycle among {', '.join(members)}; one loop: {' → '.join(loop)}\n"
        + "\n".join(f"    {a} → {b}: {_where(found, a, b)}" for a, b in pairwise(loop))
        for members, loop in loops
    ]
    assert not loops, "import cycles between packages:\n" + "\n".join(text)


def test_the_base_layer_does_not_import_django():
    """policy and standards are pure Python: rules and checks testable without Django."""
    bad = []
    for name in LAYERS[0][1]:
        for path in sorted((PACKAGE / name).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                mods = _modules(node, ["jigong", name])
                if any(m == "django" or m.startswith("django.") for m in mods):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, "the base layer imports Django:\n" + "\n".join(bad)


def test_the_graph_reader_sees_every_kind_of_import(tmp_path):
    """The reader itself, on a small fake project: relative, function-level,
    ``from jigong import x`` and dynamic imports are seen, with their file and line; the
    top-level modules (the composition root) are not checked."""
    fake = tmp_path / "jigong"
    files = {
        "urls.py": "from jigong.public import views\n",
        "core/__init__.py": "",
        "core/filters.py": "import datetime\n\nfrom jigong.schools.models import School\n",
        "schools/__init__.py": "",
        "schools/models.py": "from jigong.core import models\n",
        "schools/views.py": "def page():\n    from ..students import selectors\n",
        "students/__init__.py": "",
        "students/sub/__init__.py": "",
        "students/sub/x.py": (
            "from ... import schools\n"
            "from . import y\n"
            "def f():\n"
            "    importlib.import_module('jigong.public.views')\n"
        ),
        "public/__init__.py": "",
        "public/views.py": "from jigong import students\n",
    }
    for name, text in files.items():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text(text, encoding="utf-8")
    found = sorted(imports(fake))
    assert found == [
        ("core", "schools", "jigong/core/filters.py", 3),
        ("public", "students", "jigong/public/views.py", 1),
        ("schools", "core", "jigong/schools/models.py", 1),
        ("schools", "students", "jigong/schools/views.py", 2),
        ("students", "public", "jigong/students/sub/x.py", 4),
        ("students", "schools", "jigong/students/sub/x.py", 1),
    ]
    edges: dict[str, set[str]] = defaultdict(set)
    for src, dst, _, _ in found:
        edges[src].add(dst)
    assert cycles(edges) == [
        (["core", "public", "schools", "students"], ["core", "schools", "core"]),
    ]
    bad = against_layers(found)
    assert [line.split(": ")[0] for line in bad] == [
        "jigong/core/filters.py:3",
        "jigong/schools/views.py:2",
        "jigong/students/sub/x.py:4",
    ]
    assert "core imports only the base layer" in bad[0]
    assert "no domain app imports jigong.public" in bad[2]
