"""A real OpenID Connect provider for the single sign-on tests (django-oauth-toolkit),
run as its own process on loopback by ``tests.oidc_provider.fixture.start``.

It is a test double of the government identity providers, not a mock of the protocol:
the platform talks to it over HTTP exactly as to a real one (discovery, authorisation
with its own log-in form, the token endpoint with PKCE, JWKS, userinfo). Test-only
switches (``/_test/…``) add users with their claims and make it issue deliberately bad
ID tokens (wrong ``iss``/``aud``, another key, expired)."""
