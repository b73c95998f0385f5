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


@csrf_exempt
def rotate(request):
    """POST: the provider signs with a new key from now on (the old one is still listed)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from oauth2_provider.settings import oauth2_settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    old = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE = [old]
    oauth2_settings.OIDC_RSA_PRIVATE_KEY = pem
    return JsonResponse({"rotated": True})


def hits(request):
    """GET: how many times each counted endpoint was asked (the key set: ``jwks``)."""
    return JsonResponse(validators.HITS)


def count_hits(get_response):
    def middleware(request):
        if "jwks" in request.path:
            validators.HITS["jwks"] += 1
        return get_response(request)

    return middleware


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("_test/users", add_user),
    path("_test/mode", misbehave),
    path("_test/rotate", rotate),
    path("_test/hits", hits),
]
