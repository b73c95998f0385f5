from jigong.cooperation import views

app_name = "cooperation"

urlpatterns = [
    *views.enterprises.urls(app_name),
    *views.agreements.urls(app_name),
    *views.alliances.urls(app_name),
    *views.pairings.urls(app_name),
]
