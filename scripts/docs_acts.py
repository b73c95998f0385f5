"""Regenerate the table of acts in docs/architecture.md from the registry (jigong acts)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "architecture.md"
START, END = "<!-- acts:start -->\n", "<!-- acts:end -->"

SECTIONS_START, SECTIONS_END = "<!-- sections:start -->\n", "<!-- sections:end -->"


def run(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "jigong", "acts", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ).stdout


def put(text: str, start: str, end: str, table: str) -> str:
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    return head + start + table + end + tail


table = run()
text = put(DOCS.read_text(encoding="utf-8"), START, END, table)
text = put(text, SECTIONS_START, SECTIONS_END, run("--sections"))  # issue 15
DOCS.write_text(text, encoding="utf-8")
print(f"{table.count(chr(10)) - 2} acts and the sections written to {DOCS.relative_to(ROOT)}")
