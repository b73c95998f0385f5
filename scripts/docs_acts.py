"""Regenerate the table of acts in docs/architecture.md from the registry (jigong acts)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "architecture.md"
START, END = "<!-- acts:start -->\n", "<!-- acts:end -->"

table = subprocess.run(
    [sys.executable, "-m", "jigong", "acts"],
    cwd=ROOT,
    check=True,
    capture_output=True,
    text=True,
    env={**os.environ, "PYTHONWARNINGS": "ignore"},
).stdout
text = DOCS.read_text(encoding="utf-8")
head, rest = text.split(START, 1)
_old, tail = rest.split(END, 1)
DOCS.write_text(head + START + table + END + tail, encoding="utf-8")
print(f"{table.count(chr(10)) - 2} acts written to {DOCS.relative_to(ROOT)}")
