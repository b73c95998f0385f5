"""The /api/v1/ root: django-ninja, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Endpoints are thin: they call selectors (reads through restrict()) and services.
Staff authenticate with their session (CSRF-checked); department API keys arrive with
the certificate verification work.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Schema, Swagger
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import SessionAuth

from jigong.core.params import BadParameter
from jigong.core.permissions import STAFF_ROLES, restrict
from jigong.indicators.api import router as indicators_api
from jigong.public.api import router as public_certificates
from jigong.public.department_api import router as department_api
from jigong.schools.models import School

MAX_OFFSET = 10**9  # beyond any register; keeps LIMIT/OFFSET inside 64-bit SQL integers


class BoundedPagination(LimitOffsetPagination):
    """limit 1–1000 and a bounded offset: huge values are a 422, not a database error."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


api = NinjaAPI(
    title="jigong 技工教育信息平台 API",
    version="1",
    description=(
        "部门接口（/api/v1/department/…）在请求头 X-API-Key 中提供市人社局签发的密钥；"
        "密钥的申请方法、本部门的密钥和调用示例见部门账号登录后的首页。"
    ),
    urls_namespace="api-v1",
    auth=SessionAuth(),
    # Swagger UI from django-ninja's own static files ("ninja" in INSTALLED_APPS); no
    # validator badge, which would load an image from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """django-ninja's own messages are English; the ones users meet are said in Chinese."""
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = gettext("请求体无法解析：须为有效的 JSON（UTF-8 编码）")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(BadParameter)
def bad_parameter(request, exc: BadParameter):
    """A query parameter read through jigong.core.params: its message and name."""
    return api.create_response(request, {"detail": str(exc), "field": exc.name}, status=400)


api.add_router("/certificates", public_certificates)
api.add_router("/department", department_api)
api.add_router("/indicators", indicators_api)


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    tier: str
    tier_label: str
    district_code: str
    district_name: str
    ownership: str
    status: str

    @staticmethod
    def resolve_tier_label(obj):
        return obj.get_tier_display()

    @staticmethod
    def resolve_district_code(obj):
        return obj.district.code

    @staticmethod
    def resolve_district_name(obj):
        return obj.district.name


class StaffErrorOut(Schema):
    detail: str | list[dict]


ERRORS = {401: StaffErrorOut, 422: StaffErrorOut}


class MeOut(Schema):
    username: str
    role: str
    school_id: int | None
    district_id: int | None


@api.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户")
def me(request):
    return request.auth


def _staff(user) -> None:
    """The school register is for staff; a department key or a graduate has no scope in
    it (an empty list would read as "no schools"), so they are refused outright."""
    if not (user.is_superuser or user.role in STAFF_ROLES):
        raise HttpError(403, gettext("您的角色无权查看技工院校名册。"))


@api.get(
    "/schools",
    response={200: list[SchoolOut], 403: StaffErrorOut, **ERRORS},
    summary="技工院校列表（按数据范围）",
)
@paginate(BoundedPagination)
def school_list(request, tier: str | None = None):
    _staff(request.auth)
    qs = restrict(request.auth, School).select_related("district")
    if tier:
        qs = qs.filter(tier=tier)
    return qs


@api.get(
    "/schools/{school_id}",
    response={200: SchoolOut, 404: StaffErrorOut, **ERRORS},
    summary="技工院校详情",
)
def school_detail(request, school_id: int):
    return get_object_or_404(
        restrict(request.auth, School).select_related("district"), pk=school_id
    )
