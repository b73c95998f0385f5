from django.urls import path

from jigong.quality import views

app_name = "quality"
urlpatterns = [
    path("quality/", views.ranking, name="ranking"),
    path("quality/compute/", views.compute, name="compute"),
    path("quality/scores/<int:pk>/", views.score_detail, name="score_detail"),
    path("quality/reviews/new/", views.review_new, name="review_new"),
    path("supervision/", views.finding_list, name="finding_list"),
    path("supervision/new/", views.finding_new, name="finding_new"),
    path("supervision/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("supervision/<int:pk>/<slug:action>/", views.finding_act, name="finding_act"),
    path("quality/reports/", views.report_list, name="report_list"),
    path("quality/reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("quality/reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("quality/reports/<int:pk>/<kind>/", views.report_file, name="report_file"),
    path(
        "quality/reports/school/<str:code>/<int:year>.<str:kind>",
        views.school_report,
        name="school_report",
    ),
    path("reports/", views.public_list, name="public_list"),
    path("reports/<int:pk>/", views.public_view, name="public_view"),
    path("reports/<int:pk>/content/", views.public_content, name="public_content"),
    path("reports/<int:pk>/report.pdf", views.public_pdf, name="public_pdf"),
]
