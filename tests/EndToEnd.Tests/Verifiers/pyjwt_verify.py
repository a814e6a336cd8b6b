"""A verifier nobody in this project wrote: PyJWT's PyJWKClient (Debian python3-jwt), configured
with the issuer URL alone. Usage: python3 pyjwt_verify.py <issuer> <audience> <token>...
Prints one line per token: "ok <sub> <kid>" or "refused <exception name>"."""
import json
import sys
import urllib.request

import jwt

issuer, audience, tokens = sys.argv[1], sys.argv[2], sys.argv[3:]
with urllib.request.urlopen(issuer + "/.well-known/openid-configuration") as response:
    discovery = json.load(response)
if discovery["issuer"] != issuer:
    raise SystemExit("discovery names issuer %s, expected %s" % (discovery["issuer"], issuer))

client = jwt.PyJWKClient(discovery["jwks_uri"])
for token in tokens:
    try:
        if jwt.get_unverified_header(token).get("typ") != "at+jwt":
            raise jwt.InvalidTokenError("typ")
        key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=discovery["id_token_signing_alg_values_supported"],
            audience=audience,
            issuer=discovery["issuer"],
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        print("ok %s %s" % (claims["sub"], key.key_id), flush=True)
    except Exception as e:  # every refusal is one line, the test reads them all
        print("refused %s" % type(e).__name__, flush=True)
