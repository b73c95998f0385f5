from jigong.security.services import otp_allowed


def otp(request):
    """``portal_otp``: whether the top bar offers 两步验证 (TOTP) to this user."""
    user = getattr(request, "user", None)
    return {"portal_otp": otp_allowed(user)}
