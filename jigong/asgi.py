import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
os.umask(0o077)  # data files 0600 under any WSGI/ASGI server (jigong/cli.py)
application = get_asgi_application()
