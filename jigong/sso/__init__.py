"""Single sign-on through an OpenID Connect provider (issue 15; docs/ops.md "Connecting
the identity providers"), with mozilla-django-oidc as the relying party.

One provider; the claims decide: a token with the staff claim (JIGONG_OIDC_STAFF_CLAIM)
logs in the staff account registered with that value (``account.set_sso_id``; never
creates one); a token with the ID-number claim (JIGONG_OIDC_ID_NUMBER_CLAIM) logs in the
graduate with that 身份证号, opening their account on first use
(``graduate_account.open_by_sso``). The ID token's issuer, audience, signature and expiry
are checked; every refusal is a Chinese message and an audit row."""
