"""The provider's claims (per user, set by the tests) and its test-only misbehaviour."""

import json
import time

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

MODES = {"", "wrong_iss", "wrong_aud", "wrong_key", "expired"}
STATE = {"mode": ""}
CLAIMS: dict[str, dict] = {}
HITS = {"jwks": 0}
# A key the platform does not know, for "wrong_key" (generated once per process).
_OTHER_KEY = jwk.JWK.generate(kty="RSA", size=2048)


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below goes to the ID token and userinfo

    def get_additional_claims(self, request):
        return {
            "preferred_username": request.user.username,
            **CLAIMS.get(request.user.username, {}),
        }

    def finalize_id_token(self, id_token, token, token_handler, request):
        mode = STATE["mode"]
        if not mode:
            return super().finalize_id_token(id_token, token, token_handler, request)
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        key = request.client.jwk_key
        if mode == "wrong_iss":
            id_token["iss"] = "http://127.0.0.1:9/not-the-issuer"
        elif mode == "wrong_aud":
            id_token["aud"] = "another-client"
        elif mode == "expired":
            now = int(time.time())
            id_token["iat"], id_token["exp"] = now - 7200, now - 3600
        elif mode == "wrong_key":
            key = _OTHER_KEY
        # the header names the provider's own key: only the signature is wrong
        header = {"typ": "JWT", "alg": "RS256", "kid": request.client.jwk_key.thumbprint()}
        token_ = jwt.JWT(header=json.dumps(header), claims=json.dumps(id_token, default=str))
        token_.make_signed_token(key)
        saved = self._save_id_token(id_token["jti"], request, expiration_time)
        request.access_token = request.id_token = saved
        return token_.serialize()
