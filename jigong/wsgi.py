"""WSGI entry point. The JSON verification endpoints go to the lean handler
(jigong/public/fastpath.py; the ordinary department request is answered by its raw
path, ``fastpath.Raw``), everything else to Django's ordinary handler;
JIGONG_FAST_PATH=0 sends everything through the ordinary handler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
os.umask(0o077)  # data files 0600 under any WSGI/ASGI server (jigong/cli.py)
site = get_wsgi_application()

if os.environ.get("JIGONG_FAST_PATH", "1").strip().lower() in {"0", "false", "no", "off"}:
    application = site
else:
    from jigong.public import fastpath

    lean = fastpath.LeanHandler()
    raw = fastpath.Raw(lean)
    _LEAN_PATHS = fastpath.PATHS
    _RAW_PATH = fastpath.Raw.PATH

    def application(environ, start_response):
        path = environ.get("PATH_INFO")
        if path == _RAW_PATH:
            answer = raw(environ, start_response)
            if answer is not None:
                return answer
        if path in _LEAN_PATHS:
            return lean(environ, start_response)
        return site(environ, start_response)
