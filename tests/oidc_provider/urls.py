import json

from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from tests.oidc_provider import validators


@csrf_exempt
def add_user(request):
    """POST {username, password, claims}: a user of the provider and its extra claims."""
    data = json.loads(request.body)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=data["username"])
    user.set_password(data["password"])
    user.save()
    validators.CLAIMS[user.username] = dict(data.get("claims") or {})
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
def misbehave(request):
    """POST {mode}: the ID tokens issued next are bad in that way ("" = well-formed)."""
    mode = json.loads(request.body).get("mode", "")
    if mode not in validators.MODES:
        return HttpResponse(status=400)
    validators.STATE["mode"] = mode
    return JsonResponse({"mode": mode})


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("_test/users", add_user),
    path("_test/mode", misbehave),
]
