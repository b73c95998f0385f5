"""Run the test OpenID provider: ``python -m tests.oidc_provider.serve PORT DIR``.

Generates an RS256 key, migrates a fresh SQLite database in DIR, registers the platform
as a confidential client (CLIENT_ID/CLIENT_SECRET, redirect URIs on loopback, any port,
and the test client's ``testserver``), serves on 127.0.0.1:PORT with threads and prints
``READY`` once it accepts connections. No network beyond loopback."""

import os
import sys

CLIENT_ID = "jigong-test"
CLIENT_SECRET = "jigong-test-secret"
REDIRECT_URIS = " ".join(
    f"http://{host}/oidc/callback/" for host in ("127.0.0.1", "localhost", "testserver")
)


def main(port: int, folder: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["OIDC_TEST_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["OIDC_TEST_DIR"] = folder
    os.environ["OIDC_TEST_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    from oauth2_provider.models import Application

    Application.objects.create(
        name="jigong",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URIS,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    from django.core.servers.basehttp import (
        ThreadedWSGIServer,
        WSGIRequestHandler,
        get_internal_wsgi_application,
    )

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadedWSGIServer(("127.0.0.1", port), Quiet)
    httpd.daemon_threads = True
    httpd.set_app(get_internal_wsgi_application())
    print("READY", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
