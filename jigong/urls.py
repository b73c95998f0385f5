from django.contrib import admin
from django.urls import include, path

from jigong.api import api
from jigong.core.health import healthz
from jigong.graduates.urls import school_urlpatterns as graduate_school_urls
from jigong.indicators.views import home, policy_map

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("", home, name="home"),  # the figures of the user's scope (indicators.overview)
    path("", include("jigong.core.urls")),
    path("", include("jigong.schools.urls")),
    path("", include("jigong.students.urls")),
    path("", include("jigong.certificates.urls")),
    path("", include("jigong.training.urls")),
    path("", include("jigong.employment.urls")),
    path("", include("jigong.cooperation.urls")),
    path("", include("jigong.staff.urls")),
    path("", include("jigong.reference.urls")),
    path("", include("jigong.public.urls")),
    path("graduate/", include("jigong.graduates.urls")),
    path("", include(graduate_school_urls)),
    path("", include("jigong.workflows.urls")),
    path("", include("jigong.indicators.urls")),
    path("help/policy-map/", policy_map, name="help_policy_map"),
    path("", include("jigong.quality.urls")),
    path("imports/", include("jigong.jobs.import_urls")),
    path("jobs/", include("jigong.jobs.urls")),
    path("", include("jigong.security.urls")),
    path("", include("jigong.accounts.urls")),
    path("oidc/", include("jigong.sso.urls")),  # single sign-on (OpenID Connect)
    path("enrol/", include("jigong.public.enrol_urls")),  # online enrolment, anonymous
    path("admissions/", include("jigong.admissions.urls")),
]

handler400 = "jigong.core.views.error_400"
handler403 = "jigong.core.views.error_403"
handler500 = "jigong.core.outage.server_error"
