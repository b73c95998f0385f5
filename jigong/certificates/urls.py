from jigong.certificates import views

app_name = "certificates"

urlpatterns = [
    *views.graduation_certificates.urls(app_name),
    *views.skill_certificates.urls(app_name),
]
