"""Regenerate the clause map in docs/policy-map.md (between its markers) from
jigong/policy/clauses.yaml and the clause fields of the parameters, acts and indicators."""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "policy-map.md"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
warnings.simplefilter("ignore")

import django  # noqa: E402

django.setup()

from jigong.indicators import policymap  # noqa: E402

DOC.write_text(policymap.into(DOC.read_text(encoding="utf-8")), encoding="utf-8")
print(f"{len(policymap.NUMERALS)} clauses written to {DOC.relative_to(ROOT)}")
