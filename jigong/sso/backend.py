"""The authentication backend of single sign-on: the ID token checked (signature by the
provider's JWKS, issuer, audience, expiry, nonce), then the claims mapped to an account.
Any refusal raises ``Refused`` (its Chinese message for the log-in page, its reason for
the audit log); ``jigong.sso.views.Callback`` reports it."""

from __future__ import annotations

import threading
import time

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from jigong.core.acts import ALL_STAFF
from jigong.sso import config

LEEWAY_SECONDS = 60  # clock skew between the provider and the platform
_keys: dict[str, tuple[float, dict]] = {}  # JWKS endpoint -> (fetched at, key set)
_keys_lock = threading.Lock()


def forget_keys() -> None:
    with _keys_lock:
        _keys.clear()


class Refused(Exception):
    def __init__(self, message: str, reason: str, *, page: str = ""):
        super().__init__(reason)
        self.message = message  # shown to the user (Chinese)
        self.reason = reason  # the audit row's (Chinese, no personal data)
        self.page = page  # a page of its own instead of the log-in page's message


def _token_refused(what: str) -> Refused:
    return Refused(
        _("统一身份认证失败：身份认证平台返回的凭证无效（%(what)s），请重新登录。")
        % {"what": what},
        f"ID 令牌{what}",
    )


def mfa_asserted(claims: dict) -> bool:
    """The provider says it asked a second factor (RFC 8176 amr, or an acr listed)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    if set(map(str, amr)) & set(settings.JIGONG_OIDC_MFA_AMR):
        return True
    return str(claims.get("acr", "")) in set(settings.JIGONG_OIDC_MFA_ACR)


class SsoBackend(OIDCAuthenticationBackend):
    """Inert while single sign-on is off (config.enabled()): the password log-in and
    every session lookup go through Django's other backends as before."""

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        # mozilla-django-oidc reads its settings here; ours are read when a code arrives
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr, *args):
        return config.setting(attr, *args)

    def _load(self) -> None:
        for name in (
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_RP_SIGN_ALGO",
            "OIDC_RP_IDP_SIGN_KEY",
        ):
            setattr(self, name, self.get_settings(name))

    def authenticate(self, request, **kwargs):
        if request is None or not config.enabled() or "nonce" not in kwargs:
            return None
        self._load()
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        # an SSO session is looked up like a password one: disabled accounts end
        return ModelBackend.get_user(self, user_id)

    # --- the ID token ------------------------------------------------------------------

    def _verify_jws(self, payload, key):
        try:
            alg = jwt.get_unverified_header(payload).get("alg")
        except jwt.InvalidTokenError:
            raise _token_refused(_("格式错误")) from None
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise _token_refused(_("签名算法不符"))
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=config.issuer(),
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidIssuerError:
            raise _token_refused(_("签发方不符")) from None
        except jwt.InvalidAudienceError:
            raise _token_refused(_("受众不是本平台")) from None
        except jwt.ExpiredSignatureError:
            raise _token_refused(_("已过期")) from None
        except (jwt.InvalidSignatureError, jwt.DecodeError):
            raise _token_refused(_("签名无效")) from None
        except jwt.InvalidTokenError:
            raise _token_refused(_("内容不全")) from None

    def _key_set(self, *, fresh: bool = False) -> dict:
        """The provider's key set, kept for JIGONG_OIDC_JWKS_MAX_AGE seconds (not fetched
        on every log-in); ``fresh`` fetches it again. ID tokens come from the token
        endpoint on the back channel (the client secret), so a flood of unknown key ids
        cannot be sent from outside."""
        endpoint = self.OIDC_OP_JWKS_ENDPOINT
        now = time.monotonic()
        with _keys_lock:
            got = _keys.get(endpoint)
        if got and not fresh and now - got[0] < settings.JIGONG_OIDC_JWKS_MAX_AGE:
            return got[1]
        r = requests.get(
            endpoint,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        r.raise_for_status()
        jwks = r.json()
        with _keys_lock:
            _keys[endpoint] = (now, jwks)
        return jwks

    @staticmethod
    def _matching(jwks: dict, header: dict) -> jwt.PyJWK | None:
        # the same match as mozilla-django-oidc's: the key id, and the algorithm if given
        for jwk in jwks.get("keys", ()):
            if jwk.get("kid") != str(header.get("kid")):
                continue
            if "alg" in jwk and jwk["alg"] != str(header.get("alg")):
                continue
            return jwt.PyJWK(jwk)
        return None

    def retrieve_matching_jwk(self, token):
        try:
            header = jwt.get_unverified_header(token)
            key = self._matching(self._key_set(), header)
            if key is None:  # a key the provider rotated in since the set was fetched
                key = self._matching(self._key_set(fresh=True), header)
        except (KeyError, jwt.InvalidTokenError):
            key = None
        if key is None:
            raise _token_refused(_("签名密钥未知"))
        return key

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except Refused:
            raise
        except Exception as exc:  # SuspiciousOperation: nonce, unknown key
            if "nonce" in str(exc).lower():
                raise _token_refused(_("随机数不符")) from None
            raise _token_refused(_("签名密钥未知")) from None

    # --- the claims ----------------------------------------------------------------------

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload) or {}
        if userinfo.get("sub") not in (None, payload.get("sub")):
            raise _token_refused(_("用户信息与 ID 令牌不属同一人"))
        claims = {**userinfo, **payload}  # the signed ID token wins
        self.request.jigong_sso_mfa = mfa_asserted(claims)
        staff = str(claims.get(settings.JIGONG_OIDC_STAFF_CLAIM) or "").strip()
        if staff:
            return self._staff(staff)
        number = str(claims.get(settings.JIGONG_OIDC_ID_NUMBER_CLAIM) or "").strip()
        if number:
            return self._citizen(number)
        raise Refused(
            _("统一身份认证平台未提供工号或身份证号，无法确定对应的账号。请联系平台管理员。"),
            "令牌中没有工号或身份证号声明",
        )

    def _inactive(self, user):
        if not user.is_active:
            raise Refused(
                _("该账号已停用，不能登录。如有疑问请联系上级管理部门。"),
                f"账号“{user.username}”已停用",
            )
        return user

    def _staff(self, value: str):
        from jigong.accounts.models import SsoIdentity

        found = (
            SsoIdentity.objects.select_related("user")
            .filter(value=value, user__role__in=ALL_STAFF)
            .first()
        )
        if found is None:
            raise Refused(
                _(
                    "统一身份认证账号“%(value)s”未登记在本平台的任何工作人员账号上。"
                    "请联系上级管理部门在“账号管理”中为您的账号登记。"
                )
                % {"value": value[:64]},
                f"工作人员统一身份认证账号“{value[:64]}”未登记",
            )
        return self._inactive(found.user)

    def _citizen(self, number: str):
        from jigong.core import pii
        from jigong.graduates import selectors as graduates
        from jigong.graduates import services as accounts
        from jigong.standards import idcard

        try:
            number = idcard.validate(number)
        except ValueError as exc:
            why = getattr(exc, "message", str(exc)).replace(number, pii.mask_id(number))
            raise Refused(
                _("统一身份认证平台提供的身份证号不合规：%(why)s。请联系平台管理员。")
                % {"why": why},
                "身份证号声明不符合 GB 11643",
            ) from None
        person = graduates.graduate_by_id_number(number)
        if person is None:
            raise Refused(
                accounts.NotOnRegister().messages[0],
                "身份证号不在毕业生登记中",
                page="not_on_register",
            )
        user = graduates.account_of(person)
        if user is not None:
            return self._inactive(user)
        try:
            return accounts.graduate_account_open_by_sso(actor=None, id_number=number)
        except accounts.AlreadyLinked:  # opened by a parallel log-in meanwhile
            return self._inactive(graduates.account_of(person))
        except ValidationError as exc:
            raise Refused(
                "；".join(exc.messages), "开通毕业生账号未成功", page="not_on_register"
            ) from None
