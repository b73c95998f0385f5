"""jigong.standards never imports Django."""

import re
import subprocess
import sys
from pathlib import Path

import jigong.standards

ROOT = Path(jigong.standards.__file__).parent


def test_no_django_in_source() -> None:
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+django\b", text, re.M), path


def test_import_loads_no_django() -> None:
    code = (
        "import sys; from jigong.standards import idcard, uscc, skillcert, regions; "
        "assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT.parent.parent)
