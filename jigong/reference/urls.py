from django.urls import path

from jigong.reference import views

app_name = "reference"

urlpatterns = [
    path("industry-chains/add/", views.industry_chain_add, name="industrychain_add"),
    path("industry-chains/copy-year/", views.taxonomy_copy, name="taxonomy_copy"),
    path("industry-chains/<int:pk>/edit/", views.industry_chain_edit, name="industrychain_edit"),
    path("majors/<int:pk>/edit/", views.major_edit, name="major_edit"),
    path("platform-settings/", views.platform_settings, name="platform_settings"),
    path(
        "platform-settings/<str:name>/edit/",
        views.platform_setting_edit,
        name="platform_setting_edit",
    ),
    *views.districts.urls(app_name),
    *views.industry_chains.urls(app_name),
    *views.majors.urls(app_name),
]
