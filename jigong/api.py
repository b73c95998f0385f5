"""The /api/v1/ root: django-ninja, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Endpoints are thin: they call selectors (reads through restrict()) and services.
Staff authenticate with their session (CSRF-checked); department API keys arrive with
the certificate verification work.
"""

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import SessionAuth

from jigong.core.permissions import restrict
from jigong.indicators.api import router as indicators_api
from jigong.public.api import router as public_certificates
from jigong.public.department_api import router as department_api
from jigong.schools.models import School

api = NinjaAPI(
    title="jigong 技工教育信息平台 API",
    version="1",
    urls_namespace="api-v1",
    auth=SessionAuth(),
)
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


class MeOut(Schema):
    username: str
    role: str
    school_id: int | None
    district_id: int | None


@api.get("/me", response=MeOut, summary="当前用户")
def me(request):
    return request.auth


@api.get("/schools", response=list[SchoolOut], summary="技工院校列表（按数据范围）")
@paginate(LimitOffsetPagination)
def school_list(request, tier: str | None = None):
    qs = restrict(request.auth, School).select_related("district")
    if tier:
        qs = qs.filter(tier=tier)
    return qs


@api.get("/schools/{school_id}", response=SchoolOut, summary="技工院校详情")
def school_detail(request, school_id: int):
    return get_object_or_404(
        restrict(request.auth, School).select_related("district"), pk=school_id
    )
