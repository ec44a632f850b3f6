// Token validation as the Convex backend does it.
//
// Source: get-convex/convex-backend `crates/authentication/src/lib.rs` (validate_id_token,
// enhance_no_provider_error, redact_jwt_error_if_needed, fetch_jwks), `crates/common/src/auth.rs`
// (AuthInfo::matches_token, deserialize_issuer_url), `crates/errors/src/lib.rs` (status codes),
// summarised in ../../shared/reference/convex-auth-facts.md §3. The texts below are copied from
// those sources; keep them byte-for-byte.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { importJWK, compactVerify, decodeProtectedHeader } from 'jose';

/** An error the backend reports: `short` is the error code (`{"code": …}` in HTTP bodies),
 *  `msg` the text sent to clients, `kind` the ErrorMetadata category deciding the HTTP status
 *  and whether the sync socket gets an `AuthError` or only a close frame. */
export class BackendError extends Error {
  constructor(kind, short, msg) {
    super(msg);
    this.kind = kind; // unauthenticated | bad_request | not_found | overloaded | forbidden
    this.short = short;
    this.msg = msg;
  }
  get httpStatus() {
    return (
      { unauthenticated: 401, bad_request: 400, not_found: 404, overloaded: 503, forbidden: 403 }[this.kind] ?? 500
    );
  }
}
const unauth = (short, msg) => new BackendError('unauthenticated', short, msg);

export const TEXT = {
  parsePayload:
    'Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.',
  missingIss:
    "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
  noProviderRedacted: 'No auth provider found matching the given token',
  noProvidersConfigured:
    'No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.',
  noProviderDev: (list) =>
    `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [${list}]`,
  discovery: (iss) => `Auth provider discovery of ${iss} failed`,
  oidcParse: 'Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT.',
  oidcVerify:
    "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired.",
  kidMissing: "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
  kidUnknown: (kid) =>
    `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the provider's JWKS?`,
  kidUnknownRedacted:
    "Could not decode token. The JWT's 'kid' (key ID) header doesn't match any key in the provider's JWKS, or the JWT signature is invalid.",
  invalidIssuer: (tokenIss, issuer) => `Invalid issuer: ${tokenIss} != ${issuer}`,
  missingAud:
    "Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your configured application ID.",
  invalidAud: (app, auds) => `Invalid audience: ${app} not in [${auds.map((a) => JSON.stringify(a)).join(', ')}]`,
  validate: (m) => `Could not validate token: ${m}`,
  jwksFetch: (uri, e) => `Could not fetch JWKS from URL '${uri}': ${e}. Check that the URL is correct and accessible.`,
  jwksStatus: (uri, code, reason) =>
    `Could not fetch JWKS from URL '${uri}': HTTP ${code} ${reason}. Check that the URL is correct and accessible.`,
  jwksType: (ct, uri) =>
    `Invalid Content-Type '${ct}' when fetching JWKS from '${uri}'. Expected 'application/json' or 'application/jwk-set+json'.`,
  jwksBody: (uri) =>
    `Invalid JWKS response body from '${uri}'. The response is not valid JSON or doesn't match the expected JWKS format.`,
  identityExpired: 'Convex token identity expired',
};

// ---------------------------------------------------------------------------------------------
// auth.config.ts

/** A scheme-less domain gets `https://` (common/src/auth.rs deserialize_issuer_url). The real
 *  backend also refuses scheme-less hosts without a known TLD; the stand-in does not, because its
 *  issuers are 127.0.0.1 addresses (see README). */
function normaliseDomain(d) {
  return /^\w+:\/\//.test(d) ? d : `https://${d}`;
}

/** Load an `auth.config.ts`-shaped file. `env` plays the deployment's environment variables
 *  (what `npx convex env set` stores), read through `process.env.NAME` in the file. */
export function loadAuthConfig(file, env) {
  const src = readFileSync(file, 'utf8');
  const js = transformSync(src, { loader: 'ts', format: 'cjs' }).code;
  const module = { exports: {} };
  // eslint-disable-next-line no-new-func
  new Function('module', 'exports', 'process', js)(module, module.exports, { env: { ...env } });
  const config = module.exports.default ?? module.exports;
  return (config.providers ?? []).map((p) => {
    if (p.type === 'customJwt') {
      return {
        type: 'customJwt',
        issuer: normaliseDomain(p.issuer),
        jwks: p.jwks,
        algorithm: p.algorithm,
        applicationID: p.applicationID ?? null,
      };
    }
    // common/src/auth.rs SerializedAuthInfo::Oidc: applicationID is a required String.
    if (typeof p.applicationID !== 'string')
      throw new Error(`${file}: an OIDC provider needs an applicationID (only customJwt providers may omit it)`);
    return { type: 'oidc', domain: normaliseDomain(p.domain), applicationID: p.applicationID };
  });
}

/** `OIDC(domain=…, app_id=…)` / `CustomJWT(issuer=…, app_id=…)`, as in enhance_no_provider_error. */
export function describeProviders(providers) {
  return providers
    .map((p) =>
      p.type === 'customJwt'
        ? `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? 'none'})`
        : `OIDC(domain=${p.domain}, app_id=${p.applicationID})`,
    )
    .join(', ');
}

/** AuthInfo::matches_token: `aud` must contain applicationID when one is set; issuers compared
 *  after adding `https://` to a scheme-less `iss` and trimming trailing slashes on both sides. */
export function matchesToken(p, audiences, iss) {
  const appId = p.applicationID; // always set for OIDC, optional for custom JWT
  if (appId != null && !audiences.includes(appId)) return false;
  const issWithProtocol = iss.startsWith('https://') || iss.startsWith('http://') ? iss : `https://${iss}`;
  const domain = p.type === 'customJwt' ? p.issuer : p.domain;
  return domain.replace(/\/+$/, '') === issWithProtocol.replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------------
// helpers

function decodePart(part) {
  const text = Buffer.from(part, 'base64url').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64url') !== part.replace(/=+$/, '')) throw new Error('bad base64');
  const value = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  return value;
}

const REASONS = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

async function httpGet(url) {
  return fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
}

/** The identity the runtime hands to `ctx.auth.getUserIdentity()`: tokenIdentifier, issuer,
 *  subject, the OIDC standard claims in camelCase, then any other custom claims. */
const STANDARD = {
  name: 'name',
  given_name: 'givenName',
  family_name: 'familyName',
  nickname: 'nickname',
  preferred_username: 'preferredUsername',
  profile: 'profileUrl',
  picture: 'pictureUrl',
  email: 'email',
  email_verified: 'emailVerified',
  gender: 'gender',
  birthdate: 'birthday',
  zoneinfo: 'timezone',
  locale: 'language',
  phone_number: 'phoneNumber',
  phone_number_verified: 'phoneNumberVerified',
  address: 'address',
  updated_at: 'updatedAt',
};
const REGISTERED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'azp',
  'nonce',
  'auth_time',
  'at_hash',
  'c_hash',
  'sid',
]);
export function identityFromClaims(c) {
  const id = { tokenIdentifier: `${c.iss}|${c.sub}`, issuer: c.iss, subject: c.sub };
  for (const [claim, field] of Object.entries(STANDARD)) if (c[claim] !== undefined) id[field] = c[claim];
  for (const [k, v] of Object.entries(c)) if (!REGISTERED.has(k) && !(k in STANDARD)) id[k] = v;
  return id;
}

// ---------------------------------------------------------------------------------------------
// the pipeline

/**
 * Validate a user token against the providers. Resolves to `{ identity, exp }` or throws a
 * BackendError carrying the backend's exact text. `nowSeconds` is the backend's clock.
 */
export async function validateUserToken(token, providers, { nowSeconds, redact }) {
  // 1. Decode the payload without verifying (biscuit `unverified_payload`).
  const parts = token.split('.');
  let payload;
  try {
    if (parts.length !== 3) throw new Error('parts');
    payload = decodePart(parts[1]);
  } catch {
    throw unauth('InvalidAuthHeader', TEXT.parsePayload);
  }
  if (typeof payload.iss !== 'string') throw unauth('InvalidAuthHeader', TEXT.missingIss);
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];

  // 2. Pick the first matching provider.
  const provider = providers.find((p) => matchesToken(p, audiences, payload.iss));
  if (!provider) {
    const msg = redact
      ? TEXT.noProviderRedacted
      : providers.length === 0
        ? TEXT.noProvidersConfigured
        : TEXT.noProviderDev(describeProviders(providers));
    throw unauth('NoAuthProvider', msg);
  }
  return provider.type === 'customJwt'
    ? validateCustomJwt(token, parts, provider, nowSeconds, redact)
    : validateOidc(token, parts, payload, provider, nowSeconds);
}

async function validateOidc(token, parts, payload, provider, now) {
  const iss = payload.iss;
  const short = 'AuthProviderDiscoveryFailed';
  // 3a. OpenID discovery (openidconnect CoreProviderMetadata::discover_async).
  const discoveryUrl = `${iss.endsWith('/') ? iss : `${iss}/`}.well-known/openid-configuration`;
  const failed = (res, body) => {
    const long = `${TEXT.discovery(iss)}: ${res.status} ${REASONS[res.status] ?? ''} ${body}`.replace(
      `${res.status}  `,
      `${res.status} `,
    );
    // ErrorMetadata::from_http_status_code: 401→Unauthenticated, 403, 404, other 4xx→BadRequest, 5xx→Overloaded.
    const kind =
      res.status === 401
        ? 'unauthenticated'
        : res.status === 403
          ? 'forbidden'
          : res.status === 404
            ? 'not_found'
            : res.status >= 500
              ? 'overloaded'
              : 'bad_request';
    return new BackendError(kind, short, long);
  };
  let metadata, keys;
  try {
    const res = await httpGet(discoveryUrl);
    if (res.status !== 200) throw failed(res, await res.text());
    metadata = await res.json();
    if (metadata.issuer !== iss) throw new BackendError('bad_request', short, TEXT.discovery(iss)); // Validation error
    const jres = await httpGet(metadata.jwks_uri);
    if (jres.status !== 200) throw failed(jres, await jres.text());
    keys = (await jres.json()).keys ?? [];
  } catch (e) {
    if (e instanceof BackendError) throw e;
    throw new BackendError('bad_request', short, TEXT.discovery(iss));
  }

  // 3b. Parse as an OIDC ID token: header and payload must decode, required claims present.
  let header;
  try {
    header = decodePart(parts[0]);
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat'])
      if (payload[claim] === undefined) throw new Error(`missing ${claim}`);
  } catch {
    throw unauth('InvalidAuthHeader', TEXT.oidcParse);
  }

  // 3c. Verify (CoreIdTokenVerifier): every failure gives the same text.
  const fail = () => unauth('Unauthenticated', TEXT.oidcVerify);
  if (!['RS256', 'EdDSA'].includes(header.alg)) throw fail();
  if (header.typ !== undefined && !['jwt', 'application/jwt'].includes(String(header.typ).toLowerCase())) throw fail();
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.length !== 1 || aud[0] !== provider.applicationID) throw fail(); // more than one `aud` fails
  if (payload.iss !== metadata.issuer) throw fail();
  if (!(payload.exp > now)) throw fail(); // no leeway on exp; iat/nbf not checked
  const candidates = keys.filter(
    (k) => (header.kid === undefined ? true : k.kid === header.kid) && (k.alg === undefined || k.alg === header.alg),
  );
  if (candidates.length !== 1) throw fail(); // no kid: exactly one key must fit
  try {
    await compactVerify(token, await importJWK(candidates[0], header.alg));
  } catch {
    throw fail();
  }
  return { identity: identityFromClaims(payload), exp: payload.exp };
}

async function validateCustomJwt(token, _parts, provider, now, redact) {
  // 4a. Fetch the JWKS (fetch_jwks): data: URIs are decoded, URLs fetched with content-type checks.
  let body;
  if (provider.jwks.startsWith('data:')) {
    const comma = provider.jwks.indexOf(',');
    body = provider.jwks.slice(0, comma).endsWith(';base64')
      ? Buffer.from(provider.jwks.slice(comma + 1), 'base64').toString()
      : decodeURIComponent(provider.jwks.slice(comma + 1));
  } else {
    let res;
    try {
      res = await httpGet(provider.jwks);
    } catch (e) {
      throw unauth('InvalidAuthHeader', TEXT.jwksFetch(provider.jwks, e?.cause?.message ?? e.message));
    }
    if (res.status !== 200)
      throw unauth('InvalidAuthHeader', TEXT.jwksStatus(provider.jwks, res.status, REASONS[res.status] ?? 'Unknown'));
    const ct = res.headers.get('content-type');
    const essence = (ct ?? '').split(';')[0].trim().toLowerCase();
    const charset = /charset=([^;]+)/i.exec(ct ?? '')?.[1];
    if (!['application/json', 'application/jwk-set+json'].includes(essence) || (charset && charset !== 'utf-8')) {
      throw unauth('InvalidAuthHeader', TEXT.jwksType(ct ?? 'unknown', provider.jwks));
    }
    body = await res.text();
  }
  let keys;
  try {
    keys = JSON.parse(body).keys;
    if (!Array.isArray(keys)) throw new Error('no keys');
  } catch {
    throw unauth('InvalidAuthHeader', TEXT.jwksBody(provider.jwks));
  }

  // 4b. Decode with the JWKS (biscuit decode_with_jwks): `kid` required, `alg` must be the configured one.
  let header = {};
  try {
    header = decodeProtectedHeader(token);
  } catch {
    /* the kid-less text below */
  }
  const decodeError = () => {
    const msg = header.kid !== undefined ? TEXT.kidUnknown(header.kid) : TEXT.kidMissing;
    return unauth('InvalidAuthHeader', redact && header.kid !== undefined ? TEXT.kidUnknownRedacted : msg);
  };
  const key = keys.find((k) => header.kid !== undefined && k.kid === header.kid);
  if (!key || header.alg !== provider.algorithm) throw decodeError();
  let payload;
  try {
    const { payload: bytes } = await compactVerify(token, await importJWK(key, provider.algorithm));
    payload = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw decodeError();
  }

  // 4c. Issuer, audience, then time checks with 5 s leeway (biscuit TemporalOptions epsilon).
  if (typeof payload.iss !== 'string') throw unauth('InvalidAuthHeader', TEXT.missingIss);
  const issWithProtocol = /^https?:\/\//.test(payload.iss) ? payload.iss : `https://${payload.iss}`;
  if (issWithProtocol.replace(/\/+$/, '') !== provider.issuer.replace(/\/+$/, ''))
    throw unauth('InvalidAuthHeader', TEXT.invalidIssuer(payload.iss, provider.issuer));
  if (provider.applicationID != null) {
    if (payload.aud === undefined) throw unauth('InvalidAuthHeader', TEXT.missingAud);
    const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!auds.includes(provider.applicationID))
      throw unauth('InvalidAuthHeader', TEXT.invalidAud(provider.applicationID, auds));
  }
  const leeway = 5;
  if (typeof payload.exp === 'number' && now - payload.exp > leeway)
    throw unauth('InvalidAuthHeader', TEXT.validate(`Token expired ${now - payload.exp} seconds ago`));
  for (const claim of ['nbf', 'iat']) {
    if (typeof payload[claim] === 'number' && payload[claim] - now > leeway)
      throw unauth('InvalidAuthHeader', TEXT.validate(`Token will be valid in ${payload[claim] - now} seconds`));
  }
  return { identity: identityFromClaims(payload), exp: payload.exp };
}
