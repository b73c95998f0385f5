"""Excel and CSV in and out for every register (issue 3).

run_import(kind, file, user=…, mode="all"|"validate"|"valid_only") -> ImportResult
export(kind, out, user=…)            scoped export in the template's columns
template(kind, out)                  .xlsx template with drop-downs and notes
error_report(result)                 refused rows + 错误说明, as .xlsx bytes
"""

from jigong.core.imports.base import get_kind, kinds


def run_import(*args, **kw):
    from jigong.core.imports.runner import run_import as _run

    return _run(*args, **kw)


def export(*args, **kw):
    from jigong.core.imports.exports import export as _export

    return _export(*args, **kw)


def template(*args, **kw):
    from jigong.core.imports.templates import template as _template

    return _template(*args, **kw)


def error_report(*args, **kw):
    from jigong.core.imports.report import error_report as _report

    return _report(*args, **kw)


__all__ = ["error_report", "export", "get_kind", "kinds", "run_import", "template"]
