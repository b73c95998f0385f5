from jigong.training import views

app_name = "training"

urlpatterns = [*views.training_records.urls(app_name)]
