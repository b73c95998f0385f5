from jigong.employment import views

app_name = "employment"

urlpatterns = [*views.employment_outcomes.urls(app_name)]
