from django.urls import path

from jigong.sso import views

urlpatterns = [
    path("authenticate/", views.Authenticate.as_view(), name="oidc_authentication_init"),
    path("callback/", views.Callback.as_view(), name="oidc_authentication_callback"),
]
