"""Security headers that neither Django nor django-csp sets.

Django's SecurityMiddleware sets X-Content-Type-Options, Referrer-Policy and
Cross-Origin-Opener-Policy, XFrameOptionsMiddleware X-Frame-Options and django-csp
Content-Security-Policy (policy in settings.CONTENT_SECURITY_POLICY). This adds
Permissions-Policy (no page needs a camera, microphone, location, payment …) and
Cross-Origin-Resource-Policy; and ``Cache-Control: no-store`` on every response that may
hold personal data (``private_answer``): any response to a logged-in user, every API
answer (the department API, the public verification's JSON) and every verification page
(``/verify/…``), unless the view set its own Cache-Control (the published verification
keys are public for 5 minutes). Static files (WhiteNoise answers before this middleware)
and public pages for anonymous visitors keep their caching.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions = getattr(
            settings, "JIGONG_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if "Cache-Control" not in response.headers and private_answer(request):
            add_never_cache_headers(response)
        return response


PRIVATE_PREFIXES = ("/api/", "/verify/")


def private_answer(request) -> bool:
    """Whether the answer to ``request`` may hold personal data: the user is logged in,
    or it is an API or verification answer."""
    if request.path_info.startswith(PRIVATE_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


# The annual report's stored HTML (charts drawn as inline SVG, every <script> removed
# when it was generated): no script may run in it at all, its own <style> block and the
# SVG's style attributes may apply, and only our pages may frame it (/reports/<pk>/).
REPORT_HTML_CSP = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "frame-ancestors": ["'self'"],
}


def report_html(view):
    """Serve a generated report document: the CSP above and X-Frame-Options SAMEORIGIN."""
    from csp.decorators import csp_replace
    from django.views.decorators.clickjacking import xframe_options_sameorigin

    return xframe_options_sameorigin(csp_replace(REPORT_HTML_CSP)(view))
