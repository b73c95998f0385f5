import datetime

import pytest

from tests import factories as f


def student_fields(school_code: str, *, id_number=None, name="陈一", edition="T2018", major="0101"):
    """A valid 学籍 row (intermediate, junior entry, full-time, enrolled 2025-09-01)."""
    return {
        "身份证号": id_number or f.id_number(birth=datetime.date(2008, 3, 4)),
        "姓名": name,
        "学校代码": school_code,
        "目录版本": edition,
        "专业代码": major,
        "班级层次": "中级工班",
        "入学起点": "初中起点",
        "学制（月）": 36,
        "学习形式": "全日制",
        "生源类别": "应届初中毕业生",
        "入学日期": "2025-09-01",
        "生源省份": "重庆市",
    }


@pytest.fixture
def student_row(world):
    """A factory of valid 学籍 rows for school_a (intermediate, major 0101)."""

    def make(id_number=None, name="陈一", school=None, **over):
        school = school or world.school_a
        row = student_fields(school.code, id_number=id_number, name=name)
        row.update(over)
        return row

    return make


def as_rows(dicts):
    header = list(dicts[0])
    return header, [[d[h] for h in header] for d in dicts]
