"""Import templates (openpyxl): Chinese headers over an empty data area, drop-down lists
for every enumeration, a note (comment) on each column stating the rule, and a sheet
「填写说明」 with each column's rule and an example. A school's template carries its own
code: the 学校代码 column's note names it and its drop-down offers only it."""

import datetime
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jigong.core.cells import neutralise
from jigong.core.imports.base import ImportKind, get_kind

MAX_ROWS = 100000


SCHOOL_COLUMN = "school"  # the key of a kind's 学校代码 column


def template(kind: str | ImportKind, out=None, *, school_code: str | None = None):
    """Write the template to a path or file object; with no target return the bytes.
    ``school_code``: the downloading school's, prefilled where the school is asked."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    wb = Workbook()
    ws = wb.active
    ws.title = kind.label[:31]
    lists = wb.create_sheet("可选值")
    lists.sheet_state = "hidden"  # hidden sheets are ignored by the importer
    rules = wb.create_sheet("填写说明")
    rules.append(["列名", "规则", "示例"])
    head = PatternFill("solid", fgColor="DDEBF7")
    required = Font(bold=True, color="C00000")
    optional = Font(bold=True)
    list_col = 0
    example = kind.example()
    for j, c in enumerate(kind.columns, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j, value=c.header)
        cell.fill = head
        cell.font = required if c.required else optional
        cell.alignment = Alignment(horizontal="center")
        note = c.note()
        own = school_code if c.key == SCHOOL_COLUMN and school_code else None
        if own:
            note = f"{note}\n本校代码：{own}"
        cell.comment = Comment(note, "jigong", width=320, height=140)
        ws.column_dimensions[letter].width = max(12, len(c.header) * 2 + 4)
        # the example goes to the notes sheet: the data area stays empty
        rules.append([c.header, note, neutralise(_example(c, own or example[j - 1]))])
        if c.type in ("id_number", "code", "text", "choice"):
            for r in range(2, 1003):
                ws.cell(row=r, column=j).number_format = "@"
        elif c.type == "date":
            rules.cell(row=rules.max_row, column=3).number_format = "yyyy-mm-dd"
        if own:
            dv = DataValidation(
                type="list",
                formula1=f'"{own}"',
                allow_blank=not c.required,
                showErrorMessage=True,
                errorTitle="不是本校代码",
                error=f"请填写本校代码：{own}",
            )
            dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(dv)
        elif c.type == "choice":
            list_col += 1
            ll = get_column_letter(list_col)
            labels = list(c.labels.values())
            lists.cell(row=1, column=list_col, value=c.header)
            for i, label in enumerate(labels, start=2):
                lists.cell(row=i, column=list_col, value=neutralise(label))
            dv = DataValidation(
                type="list",
                formula1=f"'可选值'!${ll}$2:${ll}${len(labels) + 1}",
                allow_blank=not c.required,
                showErrorMessage=True,
                errorTitle="不是可选值",
                error="请从下拉列表中选择：" + "、".join(labels)[:200],
            )
            dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(dv)
        elif c.type == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=not c.required)
            dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    rules.column_dimensions["A"].width = 20
    rules.column_dimensions["B"].width = 100
    rules.column_dimensions["C"].width = 24
    target = out if out is not None else io.BytesIO()
    wb.save(target)
    return target.getvalue() if out is None else out


def _example(column, value):
    if column.type == "choice" and value and value not in column.labels.values():
        return column.labels.get(str(value), value)
    if isinstance(value, datetime.date):
        return value
    return value if value != "" else None
