// A verifier nobody in this project wrote: npm `jose` (createRemoteJWKSet + jwtVerify), configured
// with the issuer URL alone. Usage: node jose-verify.mjs <issuer> <audience> <token>...
// Prints one line per token: "ok <sub> <kid>" or "refused <error code>".
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

const [issuer, audience, ...tokens] = process.argv.slice(2);
const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
if (discovery.issuer !== issuer) {
  throw new Error(`discovery names issuer ${discovery.issuer}, expected ${issuer}`);
}

const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
for (const token of tokens) {
  try {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: discovery.issuer,
      audience,
      algorithms: discovery.id_token_signing_alg_values_supported,
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    console.log(`ok ${payload.sub} ${decodeProtectedHeader(token).kid}`);
  } catch (e) {
    console.log(`refused ${e.code ?? e.name}`);
  }
}
