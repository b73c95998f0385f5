"""National data standards as pure Python (never imports Django).

- ``idcard``: GB 11643 citizen ID numbers (ISO 7064 MOD 11-2)
- ``uscc``: GB 32100 统一社会信用代码 with its GB 11714 organisation code
- ``skillcert``: 职业技能等级证书 numbers and 职业分类大典 occupation codes
- ``regions``: GB/T 2260 codes of Chongqing's 区县 and the provinces
"""

from jigong.standards.errors import StandardError

__all__ = ["StandardError"]
