"""The department API (/api/v1/department/…): certificate verification for other
departments' systems (征兵, 职称评审, 招聘 …), （十八） 信息互联互认.

Every call carries ``X-API-Key``. A missing, wrong or revoked key answers 401, a key
without the endpoint's scope 403, a key over its per-minute limit 429, each with a
Chinese ``detail``. Every query is written to the query log (key, time, address,
number, masked name, found or not); a batch writes one row per item, in bulk.
Misses are uniform: the same body whatever the reason.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import secrets

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import APIKeyHeader

from jigong.core import cells, pii
from jigong.core.imports import readers
from jigong.core.models import ApiKeyScope
from jigong.policy import parameters, rules
from jigong.public import ratelimit, selectors, services, verification
from jigong.public.api import MissOut, SkillVerifiedOut, VerifiedOut

MAX_FIELD = 64
FILE_MAX_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ApiKeyAuth(APIKeyHeader):
    """``X-API-Key: jgk_<prefix>_<secret>``; the key's row is found by its prefix and its
    SHA-256 digest compared in constant time (``services.api_key_for``)."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        if not key:
            raise HttpError(401, _("缺少接口密钥：请在请求头 X-API-Key 中提供市人社局签发的密钥。"))
        caller = services.api_key_for(key)
        if caller is None:
            raise HttpError(401, _("接口密钥无效或已撤销。"))
        return caller


router = Router(tags=["部门接口"], auth=ApiKeyAuth())


def _admit(request, scope: str) -> services.CallerKey:
    key: services.CallerKey = request.auth
    if scope not in key.scopes:
        raise HttpError(
            403,
            _("接口密钥“%(k)s”未获授权范围“%(s)s”（%(l)s）：请向市人社局申请。")
            % {"k": key.prefix, "s": scope, "l": ApiKeyScope(scope).label},
        )
    if not ratelimit.admit("apikey", key.prefix, (key.rate_per_minute, 60)):
        raise HttpError(
            429,
            _("接口密钥“%(k)s”查询过于频繁：每分钟最多%(n)s次，请稍后再试。")
            % {"k": key.prefix, "n": key.rate_per_minute},
        )
    return key


_CONTROL = dict.fromkeys(range(32))


def _clean(text: str, n: int) -> str:
    """Text as it may be stored in the log: no control characters (PostgreSQL refuses
    NUL), at most ``n`` characters."""
    return (text or "")[: n * 2].translate(_CONTROL)[:n]


def _log_rows(
    request, key: services.CallerKey, channel: str, results, queries, batch: str = "", limited=()
):
    now = timezone.now()
    ip = _clean(ratelimit.client_ip(request), 45)
    rows = []
    limited = limited or [False] * len(results)
    for (number, name), result, over in zip(queries, results, limited, strict=True):
        kind = getattr(result, "kind", "") if result is not None else ""
        kind = "limited" if over else kind
        rows.append(
            (
                now,
                key.pk,
                key.name[:100],
                ip,
                channel,
                kind,
                _clean(number, 40),
                _clean(pii.mask_name(selectors.normalise_name(name)), 40),
                result is not None,
                batch,
            )
        )
    services.query_log_write(rows)


def _too_long(row: int | None, field: str, value: str) -> HttpError:
    where = _("第%(r)s条 ") % {"r": row} if row is not None else ""
    return HttpError(
        422,
        _("%(w)s%(f)s“%(v)s…”：不超过%(n)s个字符")
        % {"w": where, "f": field, "v": value[:16], "n": MAX_FIELD},
    )


def _check_lengths(pairs, *, numbered: bool) -> None:
    for i, (number, name) in enumerate(pairs, start=1):
        if len(number or "") > MAX_FIELD:
            raise _too_long(i if numbered else None, _("证书编号"), number)
        if len(name or "") > MAX_FIELD:
            raise _too_long(i if numbered else None, _("姓名"), name)


def _found(result) -> dict:
    return {"found": True, **result.as_dict()}


def _miss() -> dict:
    return {"found": False, "message": str(verification.MISS_MESSAGE)}


class DetailOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str | list[dict] = Field(
        description="中文说明（字段、取值、规则）；请求格式错误时为逐项错误列表"
    )


ERRORS = {400: DetailOut, 401: DetailOut, 403: DetailOut, 422: InvalidOut, 429: DetailOut}


# --- single verification ------------------------------------------------------------


@router.get(
    "/verify",
    response={200: VerifiedOut | SkillVerifiedOut | MissOut, **ERRORS},
    summary="单个核验（证书编号 + 姓名；毕业证书或职业技能等级证书）",
    operation_id="department_verify",
)
def verify(
    request,
    number: str = Query(..., description="证书编号"),
    name: str = Query(..., description="持证人完整姓名"),
):
    return verify_one(request, number, name)


def verify_one(request, number: str, name: str) -> HttpResponse:
    """Single verification once ``request.auth`` holds the caller's key: scope, limit,
    lengths, the look-up, the query log. Shared by the operation above and the fast
    path (jigong/public/fastpath.py); errors are raised as ``HttpError``."""
    return HttpResponse(verify_one_body(request, number, name), content_type=JSON)


JSON = "application/json; charset=utf-8"


def verify_one_body(request, number: str, name: str) -> bytes:
    """``verify_one``'s JSON body (the raw path sends it with the lean handler's
    headers)."""
    key = _admit(request, ApiKeyScope.VERIFY)
    _check_lengths([(number, name)], numbered=False)
    norm = _norm(number)
    per_number, total = ratelimit.key_misses(key.prefix, [norm])
    refusal = _over_misses(key, per_number[norm], total)
    if refusal:
        raise HttpError(429, refusal)
    result = selectors.any_verify(number=number, name=name)
    if result is None:
        ratelimit.key_record_misses(key.prefix, {norm: 1})
    _log_rows(request, key, "api_single", [result], [(number, name)])
    # Built to the response schema's shape and serialised directly (the hot path).
    body = _found(result) if result is not None else _miss()
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _norm(number: str) -> str:
    from jigong.certificates import numbering

    return numbering.normalise(number or "")[: numbering.MAX_LENGTH + 1]


def _over_misses(key: services.CallerKey, number_misses: int, key_misses: int) -> str:
    """Why a query of this key is refused by its misses ("" when it is not): a key's
    misses for one number (per wrong name) and its misses in all, single and batch items
    alike (ratelimit: department keys)."""
    per_number = ratelimit.setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER")
    per_key = ratelimit.setting("JIGONG_VERIFY_KEY_MISSES")
    if key_misses >= per_key[0]:
        return _(
            "接口密钥“%(k)s”未查到的核验过多：每小时最多%(n)s次未查到，请核对名单后稍后再试。"
        ) % {"k": key.prefix, "n": per_key[0]}
    if number_misses >= per_number[0]:
        return _(
            "接口密钥“%(k)s”对同一证书编号未查到的核验过多：每个编号每小时最多%(n)s次，"
            "请核对姓名后稍后再试。"
        ) % {"k": key.prefix, "n": per_number[0]}
    return ""


# --- batch verification ---------------------------------------------------------------


class BatchItem(Schema):
    number: str = Field(description="证书编号")
    name: str = Field(description="持证人完整姓名")


class BatchIn(Schema):
    items: list[BatchItem] = Field(
        description="待核验的证书，至少1条，最多10000条（平台参数）",
        json_schema_extra={"minItems": 1},
    )


class BatchResultOut(Schema):
    row: int = Field(description="在请求中的序号（从1起）")
    number: str
    found: bool
    limited: bool = Field(
        False, description="查询受限：本密钥对该编号或总的未查到次数已达上限，本条未核验"
    )
    result: VerifiedOut | SkillVerifiedOut | None = None


class BatchOut(Schema):
    batch: str = Field(description="批次号，与查询日志对应")
    total: int
    found: int
    limited: int = Field(0, description="查询受限的条目数")
    message: str = Field(description="未查到的条目统一说明")
    results: list[BatchResultOut]


def _check_batch_size(n: int) -> None:
    most = rules.batch_verify_max(timezone.localdate())
    if n == 0:
        raise HttpError(422, _("核验条目：至少一条"))
    if n > most:
        raise HttpError(
            422,
            _("核验条目“%(n)s条”：单次最多%(m)s条（平台参数 certificates.batch_verify_max）")
            % {"n": n, "m": most},
        )


def _run_batch(request, key: services.CallerKey, pairs, channel: str):
    _check_batch_size(len(pairs))
    _check_lengths(pairs, numbered=True)
    results = list(selectors.verify_many(pairs))
    limited = _item_limits(key, pairs, results)
    batch = secrets.token_hex(8)
    _log_rows(request, key, channel, results, pairs, batch=batch, limited=limited)
    return batch, results, limited


def _item_limits(key: services.CallerKey, pairs, results) -> list[bool]:
    """Each item under the limits of a single query, in order: an item over the key's
    misses for its number or in all is limited (its result withheld); each miss counts
    like a single miss. One read and one write of the shared counters per batch."""
    norms = [_norm(number) for number, _name in pairs]
    per_number, total = ratelimit.key_misses(key.prefix, norms)
    new: dict[str, int] = {}
    added = 0
    limited = [False] * len(pairs)
    for i, norm in enumerate(norms):
        if _over_misses(key, per_number[norm] + new.get(norm, 0), total + added):
            limited[i] = True
            results[i] = None
        elif results[i] is None:
            new[norm] = new.get(norm, 0) + 1
            added += 1
    ratelimit.key_record_misses(key.prefix, new)
    return limited


@router.post(
    "/verify/batch",
    response={200: BatchOut, **ERRORS},
    summary="批量核验（JSON，最多10000条）",
    operation_id="department_verify_batch",
)
def verify_batch(request, payload: BatchIn):
    key = _admit(request, ApiKeyScope.VERIFY_BATCH)
    pairs = [(i.number, i.name) for i in payload.items]
    batch, results, limited = _run_batch(request, key, pairs, "api_batch")
    rows = [
        {
            "row": i,
            "number": number,
            "found": r is not None,
            "limited": over,
            "result": _found(r) if r is not None else None,
        }
        for i, ((number, _name), r, over) in enumerate(
            zip(pairs, results, limited, strict=True), start=1
        )
    ]
    # Serialised directly: the rows are plain JSON values built to BatchOut's shape, and
    # re-validating 10,000 nested results through pydantic would double the request time.
    body = {
        "batch": batch,
        "total": len(rows),
        "found": sum(r["found"] for r in rows),
        "limited": sum(limited),
        "message": str(verification.MISS_MESSAGE),
        "results": rows,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type="application/json; charset=utf-8",
    )


NUMBER_HEADERS = {"证书编号", "编号", "number", "毕业证书编号", "职业技能等级证书编号"}
NAME_HEADERS = {"姓名", "持证人姓名", "name", "持证人"}
RESULT_HEADERS = [
    gettext_lazy("行号"),
    gettext_lazy("证书编号"),
    gettext_lazy("姓名"),
    gettext_lazy("核验结果"),
    gettext_lazy("证书类型"),
    gettext_lazy("持证人（隐藏）"),
    gettext_lazy("发证学校/评价机构"),
    gettext_lazy("班级层次/等级"),
    gettext_lazy("类别"),
    gettext_lazy("发证日期"),
    gettext_lazy("证书状态"),
    gettext_lazy("对应学历"),
]


def _columns(header: list) -> tuple[int, int]:
    cells = [str(c or "").strip().lower() for c in header]
    number = next((i for i, c in enumerate(cells) if c in NUMBER_HEADERS), None)
    name = next((i for i, c in enumerate(cells) if c in NAME_HEADERS), None)
    if number is None or name is None:
        raise HttpError(
            422,
            _("第1行表头“%(h)s”：应包含“证书编号”和“姓名”两列")
            % {"h": "、".join(str(c or "") for c in header[:8])[:80]},
        )
    return number, name


def _result_row(row: int, number: str, name: str, r, limited: bool = False) -> list:
    if limited:
        return [row, number, name, _("查询受限"), "", "", "", "", "", "", "", ""]
    if r is None:
        return [row, number, name, _("未查到"), "", "", "", "", "", "", "", ""]
    if r.kind == "skill":
        return [
            row,
            number,
            name,
            _("一致"),
            _("职业技能等级证书"),
            r.holder,
            r.evaluator,
            r.level_label,
            "",
            r.issued_on.isoformat(),
            "",
            "",
        ]
    return [
        row,
        number,
        name,
        _("一致"),
        _("毕业证书"),
        r.holder,
        r.school,
        r.level_label,
        r.outcome_label,
        r.issued_on.isoformat(),
        r.status_label,
        r.equivalence,
    ]


@router.post(
    "/verify/batch/file",
    # The 200 answer is a file (an HttpResponse passed through as is), declared once in
    # openapi_extra with the same int key as ERRORS: a "200" string beside a declared
    # 200 was a duplicated key in openapi.json and Swagger UI refused the document.
    response=ERRORS,
    summary="批量核验（上传 CSV / Excel，返回结果文件）",
    description="上传含“证书编号”“姓名”两列的 .csv / .xlsx 文件（最多10000行），"
    "返回同格式的结果文件（CSV 返回 CSV，其他返回 .xlsx），每行附核验结果。",
    operation_id="department_verify_batch_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "结果文件",
                "content": {
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def verify_batch_file(request, file: UploadedFile = File(...)):  # noqa: B008
    key = _admit(request, ApiKeyScope.VERIFY_BATCH)
    if file.size and file.size > FILE_MAX_BYTES:
        raise HttpError(422, _("文件“%(f)s”：超过10 MB") % {"f": (file.name or "")[:60]})
    try:
        sheet = readers.read(file.read(FILE_MAX_BYTES + 1), file.name)
    except readers.ReadError as exc:
        raise HttpError(
            422, _("文件“%(f)s”：%(m)s") % {"f": (file.name or "")[:60], "m": exc.message}
        ) from exc
    rows = [r for r in sheet.rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise HttpError(422, _("文件“%(f)s”：没有内容") % {"f": (file.name or "")[:60]})
    ni, mi = _columns(rows[0])
    body = rows[1:]

    def cell(r, i):
        v = r[i] if i < len(r) else None
        return "" if v is None else str(v).strip()

    pairs = [(cell(r, ni), cell(r, mi)) for r in body]
    batch, results, limited = _run_batch(request, key, pairs, "api_file")
    out_rows = [
        _result_row(i + 1, n, m, r, over)
        for i, ((n, m), r, over) in enumerate(zip(pairs, results, limited, strict=True), start=1)
    ]
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    if readers.extension(file.name or "") in readers.CSV_EXTENSIONS:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([str(h) for h in RESULT_HEADERS])
        w.writerows(cells.neutralise_row(r) for r in out_rows)
        response = HttpResponse(
            ("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        ext = "csv"
    else:
        response = HttpResponse(
            _xlsx(out_rows),
            content_type=XLSX,
        )
        ext = "xlsx"
    response["Content-Disposition"] = f'attachment; filename="verify-{stamp}-{batch}.{ext}"'
    response["X-Batch"] = batch
    return response


def _xlsx(rows: list[list]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, cells.xlsx_options(in_memory=True))
    ws = wb.add_worksheet(_("核验结果"))
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, [str(h) for h in RESULT_HEADERS], bold)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, [row[0]] + [cells.neutralise(str(v)) for v in row[1:]])
    ws.set_column(1, 1, 24)
    ws.set_column(6, 6, 28)
    wb.close()
    return buf.getvalue()


# --- equivalence lookup ---------------------------------------------------------------


class EquivalenceOut(Schema):
    level: str
    level_label: str
    equivalence: str = Field(description="secondary / junior_college / bachelor")
    equivalence_label: str = Field(description="中专 / 大专 / 本科")
    uses: list[str] = Field(description="按对应学历落实的政策事项")
    clause: str
    reference: str
    on: datetime.date


@router.get(
    "/equivalence",
    response={200: list[EquivalenceOut], **ERRORS},
    summary="班级层次对应学历查询（（十八））",
    operation_id="department_equivalence",
)
def equivalence(
    request,
    level: str | None = Query(None, description="intermediate / advanced / technician；省略则全部"),
    on: datetime.date | None = Query(None, description="查询日期，默认今天"),  # noqa: B008
):
    key = _admit(request, ApiKeyScope.EQUIVALENCE)
    on = on or timezone.localdate()
    if level and level not in rules.LEVEL_LABELS:
        names = "、".join(f"{k}（{v}）" for k, v in rules.LEVEL_LABELS.items())
        raise HttpError(422, _("班级层次“%(l)s”：应为%(n)s") % {"l": level[:40], "n": names})
    levels = [level] if level else list(rules.LEVEL_LABELS)  # "" as omitted
    if rules.equivalence(levels[0], on) is None:  # the rules answer "none" before （十八）
        first = parameters.history("certificates.equivalence")[0]
        raise HttpError(
            422,
            _("查询日期“%(d)s”：班级层次对应学历的规定自%(s)s起施行（依据%(c)s），此前没有对应学历")
            % {"d": on, "s": first.start.isoformat(), "c": first.clause},
        )
    cite = parameters.cite("certificates.equivalence", on)
    uses = rules.equivalence_uses(on)
    services.query_log_write(
        [
            (
                timezone.now(),
                key.pk,
                key.name[:100],
                _clean(ratelimit.client_ip(request), 45),
                "api_equivalence",
                "",
                ",".join(levels)[:40],
                "",
                True,
                "",
            )
        ]
    )
    return Status(
        200,
        [
            {
                "level": lv,
                "level_label": rules.LEVEL_LABELS[lv],
                "equivalence": rules.equivalence(lv, on),
                "equivalence_label": rules.equivalence_label(lv, on),
                "uses": uses,
                "clause": cite.clause,
                "reference": cite.reference,
                "on": on,
            }
            for lv in levels
        ],
    )
