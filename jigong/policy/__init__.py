"""渝人社发〔2022〕32号 as code: dated, cited parameters and the rules that read them.

Pure Python; never imports Django. ``from jigong.policy import parameters as P`` for
figures, ``from jigong.policy import rules`` for rules.
"""

from jigong.policy.parameters import (
    Citation,
    ParameterError,
    ParameterNotFound,
    ParameterNotInForce,
)
from jigong.policy.rules import PolicyViolation

POLICY_REFERENCE = "渝人社发〔2022〕32号"

__all__ = [
    "POLICY_REFERENCE",
    "Citation",
    "ParameterError",
    "ParameterNotFound",
    "ParameterNotInForce",
    "PolicyViolation",
]
