from jigong.reference import views

app_name = "reference"

urlpatterns = [
    *views.districts.urls(app_name),
    *views.industry_chains.urls(app_name),
    *views.majors.urls(app_name),
]
