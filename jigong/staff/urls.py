from jigong.staff import views

app_name = "staff"

urlpatterns = [*views.teachers.urls(app_name)]
