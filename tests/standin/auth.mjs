// Token validation as the Convex backend does it.
//
// Sources (get-convex/convex-backend at 94a42c3 unless named otherwise; cited as `path:line`):
// crates/authentication/src/lib.rs (validate_id_token 138-388, fetch_jwks 398-470),
// crates/common/src/auth.rs:45-81 (matches_token), crates/errors/src/lib.rs (categories, 676-771),
// crates/keybroker/src/broker.rs:506-661 (the identity), and the forks the backend pins:
// get-convex/openidconnect-rs 15a9c55 (jwt/mod.rs, verification/mod.rs, discovery/mod.rs, claims.rs)
// and get-convex/biscuit 05bdaab (lib.rs CompactPart, jwk.rs, jwa.rs). The texts below are the
// backend's; keep them byte-for-byte. Where each behaviour comes from: README.md.
import { buildSync } from 'esbuild';
import { importJWK, compactVerify } from 'jose';

/** An error the backend reports. `kind` is the ErrorMetadata category (crates/errors/src/lib.rs), which decides
 *  the HTTP status and what the sync socket gets (AuthError, or only a close frame); `short` is the code
 *  (`{"code": …}` in HTTP bodies, the close reason), `msg` the text sent to clients. `internal` is an error
 *  without ErrorMetadata: the client never sees its text (1011 `InternalServerError`, HTTP 500). */
export class BackendError extends Error {
  constructor(kind, short, msg) {
    super(msg);
    this.kind = kind;
    this.short = short;
    this.msg = msg;
  }
  /** errors/src/lib.rs:713-733 (ErrorCode::http_status_code). */
  get httpStatus() {
    return (
      {
        unauthenticated: 401,
        bad_request: 400,
        forbidden: 403,
        not_found: 404,
        rate_limited: 429,
        too_early: 425,
        misdirected: 421,
        overloaded: 503,
      }[this.kind] ?? 500
    );
  }
}
const unauth = (short, msg) => new BackendError('unauthenticated', short, msg);
/** An anyhow error without ErrorMetadata (errors/src/lib.rs:1048-1064, 1102-1103). */
export const internalError = (detail) =>
  Object.assign(
    new BackendError('internal', 'InternalServerError', "Your request couldn't be completed. Try again later."),
    { detail },
  );

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
  customClaims:
    'Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration.',
  jwksFetch: (uri, e) => `Could not fetch JWKS from URL '${uri}': ${e}. Check that the URL is correct and accessible.`,
  jwksStatus: (uri, code, reason) =>
    `Could not fetch JWKS from URL '${uri}': HTTP ${code} ${reason}. Check that the URL is correct and accessible.`,
  jwksType: (ct, uri) =>
    `Invalid Content-Type '${ct}' when fetching JWKS from '${uri}'. Expected 'application/json' or 'application/jwk-set+json'.`,
  jwksBody: (uri) =>
    `Invalid JWKS response body from '${uri}'. The response is not valid JSON or doesn't match the expected JWKS format.`,
  identityExpired: 'Convex token identity expired',
  badAdminKey: 'The provided admin key was invalid for this instance',
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
  // Bundled as `npx convex dev` bundles it: imports of the project's files and of packages (Better
  // Auth's `getAuthConfigProvider`) are inlined, and the backend evaluates the one resulting file.
  const js = buildSync({
    entryPoints: [file],
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  }).outputFiles[0].text;
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

/** `OIDC(domain=…, app_id=…)` / `CustomJWT(issuer=…, app_id=…)`, as in enhance_no_provider_error (lib.rs:64-103). */
export function describeProviders(providers) {
  return providers
    .map((p) =>
      p.type === 'customJwt'
        ? `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? 'none'})`
        : `OIDC(domain=${p.domain}, app_id=${p.applicationID})`,
    )
    .join(', ');
}

/** AuthInfo::matches_token (common/src/auth.rs:45-81): `aud` must contain applicationID when one is set; issuers
 *  compared after adding `https://` to a scheme-less `iss` and trimming trailing slashes on both sides. */
export function matchesToken(p, audiences, iss) {
  const appId = p.applicationID; // always set for OIDC, optional for custom JWT
  if (appId != null && !audiences.includes(appId)) return false;
  const issWithProtocol = iss.startsWith('https://') || iss.startsWith('http://') ? iss : `https://${iss}`;
  const domain = p.type === 'customJwt' ? p.issuer : p.domain;
  return domain.replace(/\/+$/, '') === issWithProtocol.replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------------
// decoding, as strict as the Rust decoders

/** base64url without padding, canonical trailing bits (data_encoding BASE64URL_NOPAD in biscuit lib.rs:379-385;
 *  base64 URL_SAFE_NO_PAD in openidconnect jwt/mod.rs:477-497). Returns a Buffer or throws. */
export function b64urlStrict(part) {
  if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1) throw new Error('not base64url');
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part) throw new Error('non-canonical base64url');
  return bytes;
}

function jsonObject(bytes) {
  const value = JSON.parse(bytes.toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  return value;
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr = (v) => typeof v === 'string';
const isStrOrStrs = (v) => isStr(v) || (Array.isArray(v) && v.every(isStr));

/** biscuit RegisteredClaims: typed `iss`/`sub`/`jti` strings, `aud` string or array, `exp`/`nbf`/`iat` numbers
 *  (the fork permits fractional timestamps). A claim of the wrong type fails the whole payload. */
function registeredClaimsTyped(c) {
  for (const k of ['iss', 'sub', 'jti']) if (c[k] !== undefined && c[k] !== null && !isStr(c[k])) return false;
  if (c.aud !== undefined && c.aud !== null && !isStrOrStrs(c.aud)) return false;
  for (const k of ['exp', 'nbf', 'iat']) if (c[k] !== undefined && c[k] !== null && !isNum(c[k])) return false;
  return true;
}

/** Step 1 (lib.rs:161-173): biscuit `unverified_payload` decodes part 1 only; the header and signature are not
 *  looked at, so `header.payload` (no signature part) passes this step. */
function unverifiedPayload(token) {
  const parts = token.split('.');
  if (parts.length < 2) throw new Error('no payload part');
  const payload = jsonObject(b64urlStrict(parts[1]));
  if (!registeredClaimsTyped(payload)) throw new Error('registered claim of the wrong type');
  return payload;
}

// OIDC standard claims and their JSON types (openidconnect claims.rs:63-88, id_token/mod.rs:202-243). The backend
// does not enable `accept-string-booleans` (Cargo.toml:147), so "true" is not a boolean.
const OIDC_STRING_CLAIMS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'birthday',
  'zoneinfo',
  'locale',
  'phone_number',
  'nonce',
  'acr',
  'azp',
  'at_hash',
  'c_hash',
];
const OIDC_BOOL_CLAIMS = ['email_verified', 'phone_number_verified'];
const OIDC_ALGS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'none',
  'A128CBC-HS256',
  'A192CBC-HS384',
  'A256CBC-HS512',
  'A128GCM',
  'A192GCM',
  'A256GCM',
];

/** The claim whose JSON type openidconnect refuses, or null. Absent and `null` are both "not there". */
export function oidcClaimTypeError(c) {
  const present = (k) => c[k] !== undefined && c[k] !== null;
  for (const k of OIDC_STRING_CLAIMS) if (present(k) && !isStr(c[k])) return k;
  for (const k of OIDC_BOOL_CLAIMS) if (present(k) && typeof c[k] !== 'boolean') return k;
  if (present('address') && (typeof c.address !== 'object' || Array.isArray(c.address))) return 'address';
  if (present('amr') && !(Array.isArray(c.amr) && c.amr.every(isStr))) return 'amr';
  if (present('auth_time') && !isNum(c.auth_time)) return 'auth_time';
  // `accept-rfc3339-timestamps` is on: a number or an RFC 3339 string.
  if (
    present('updated_at') &&
    !(
      isNum(c.updated_at) ||
      (isStr(c.updated_at) && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(c.updated_at))
    )
  )
    return 'updated_at';
  if (c.aud !== undefined && !isStrOrStrs(c.aud)) return 'aud';
  return null;
}

/** `CoreIdTokenWithCustomClaims::from_str` (openidconnect jwt/mod.rs:456-510): exactly three parts, strict
 *  base64url, a typed header and typed claims, `iss`/`sub`/`exp`/`iat` required (`aud` defaults to empty). */
function parseOidcIdToken(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`found ${parts.length} parts`);
  const header = jsonObject(b64urlStrict(parts[0]));
  if (!isStr(header.alg) || !OIDC_ALGS.includes(header.alg)) throw new Error('alg');
  if (header.crit !== undefined && header.crit !== null && !(Array.isArray(header.crit) && header.crit.every(isStr)))
    throw new Error('crit');
  for (const k of ['cty', 'kid', 'typ'])
    if (header[k] !== undefined && header[k] !== null && !isStr(header[k])) throw new Error(k);
  const claims = jsonObject(b64urlStrict(parts[1]));
  if (!isStr(claims.iss) || !isStr(claims.sub) || !isNum(claims.exp) || !isNum(claims.iat))
    throw new Error('required claim');
  if (oidcClaimTypeError(claims)) throw new Error('claim type');
  b64urlStrict(parts[2]);
  return { header, claims };
}

/** The JOSE header rules of the verifier (openidconnect verification/mod.rs:222-279): `typ` must normalise to
 *  application/jwt or application/jose; any `cty`; any `crit`. */
export function joseHeaderRefused(header) {
  if (header.typ !== undefined && header.typ !== null) {
    const t = header.typ.toLowerCase();
    const normalised = t.includes('/') ? t : `application/${t}`;
    if (!['application/jwt', 'application/jose'].includes(normalised)) return 'typ';
  }
  if (header.cty !== undefined && header.cty !== null) return 'cty';
  if (header.crit !== undefined && header.crit !== null) return 'crit';
  return null;
}

// biscuit jwa.rs: every algorithm name a JWK's `alg` may carry (Signature, KeyManagement, ContentEncryption).
const BISCUIT_ALGS = new Set([
  'none',
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RSA1_5',
  'RSA-OAEP',
  'RSA-OAEP-256',
  'A128KW',
  'A192KW',
  'A256KW',
  'dir',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
  'A128GCMKW',
  'A192GCMKW',
  'A256GCMKW',
  'PBES2-HS256+A128KW',
  'PBES2-HS384+A192KW',
  'PBES2-HS512+A256KW',
  'A128CBC-HS256',
  'A192CBC-HS384',
  'A256CBC-HS512',
  'A128GCM',
  'A192GCM',
  'A256GCM',
]);
const BISCUIT_CURVES = new Set(['P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448']);

/** Why biscuit's `JWKSet<Empty>` cannot represent this key (jwk.rs:186-243, 546-600), or null. One such key fails
 *  the whole set (lib.rs:280-289). */
export function biscuitKeyRefusal(k) {
  if (k === null || typeof k !== 'object' || Array.isArray(k)) return 'not an object';
  if (k.alg !== undefined && !BISCUIT_ALGS.has(k.alg)) return `alg ${JSON.stringify(k.alg)}`;
  for (const f of ['use', 'kid']) if (k[f] !== undefined && !isStr(k[f])) return f;
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.every(isStr))) return 'key_ops';
  const b64 = (v) => isStr(v) && /^[A-Za-z0-9_-]*={0,2}$/.test(v);
  switch (k.kty) {
    case 'EC':
      return BISCUIT_CURVES.has(k.crv) && b64(k.x) && b64(k.y) ? null : 'EC parameters';
    case 'RSA':
      return b64(k.n) && b64(k.e) ? null : 'RSA parameters';
    case 'oct':
      return b64(k.k) ? null : 'oct parameters';
    case 'OKP':
      return BISCUIT_CURVES.has(k.crv) && b64(k.x) ? null : 'OKP parameters';
    default:
      return `kty ${JSON.stringify(k.kty)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP with the backend's cache (http_client/src/lib.rs:45-140: reqwest + http-cache, CacheMode::Default)

const REASONS = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  421: 'Misdirected Request',
  425: 'Too Early',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
export const reasonPhrase = (code) => REASONS[code] ?? '';

/** How long a response may be reused under its `Cache-Control` (seconds), 0 when it may not be stored. A shared
 *  cache: `s-maxage` wins over `max-age`; `no-store`, `no-cache` and `private` are never reused here. */
export function freshFor(cacheControl) {
  const cc = String(cacheControl ?? '').toLowerCase();
  if (/(^|,)\s*(no-store|no-cache|private)\b/.test(cc)) return 0;
  const s = /(?:^|,)\s*s-maxage\s*=\s*"?(\d+)/.exec(cc) ?? /(?:^|,)\s*max-age\s*=\s*"?(\d+)/.exec(cc);
  return s ? Number(s[1]) : 0;
}

/** A GET through a cache that keeps 200 responses as long as their Cache-Control allows. `now()` in ms. */
export function cachedFetcher(now = () => Date.now()) {
  const store = new Map();
  async function get(url) {
    const hit = store.get(url);
    if (hit && hit.until > now()) return { ...hit.res, cached: true };
    const r = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    const res = {
      status: r.status,
      contentType: r.headers.get('content-type'),
      body: Buffer.from(await r.arrayBuffer()),
    };
    const ttl = r.status === 200 ? freshFor(r.headers.get('cache-control')) : 0;
    if (ttl > 0) store.set(url, { res, until: now() + ttl * 1000 });
    else store.delete(url);
    return res;
  }
  return { get, clear: () => store.clear() };
}

/** Content-Type essence check of openidconnect http_utils.rs:24-43: an absent header passes. */
function hasEssence(contentType, ...wanted) {
  if (contentType === null || contentType === undefined) return true;
  return wanted.includes(contentType.split(';')[0].trim().toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// the identity (keybroker/src/broker.rs:506-661; sync_types json.rs:867-1003 gives the field order)

const IDENTITY_FIELDS = [
  ['name', 'name'],
  ['given_name', 'givenName'],
  ['family_name', 'familyName'],
  ['nickname', 'nickname'],
  ['preferred_username', 'preferredUsername'],
  ['profile', 'profileUrl'],
  ['picture', 'pictureUrl'],
  ['website', 'websiteUrl'],
  ['email', 'email'],
  ['email_verified', 'emailVerified'],
  ['gender', 'gender'],
  ['birthdate', 'birthday'],
  ['zoneinfo', 'timezone'],
  ['locale', 'language'],
  ['phone_number', 'phoneNumber'],
  ['phone_number_verified', 'phoneNumberVerified'],
  ['address', 'address'],
  ['updated_at', 'updatedAt'],
];
// Claims openidconnect reads into IdTokenClaims/StandardClaims fields, and the ones the broker drops (jti, nbf, fva).
const OIDC_NOT_CUSTOM = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  'sub',
  'middle_name',
  'birthday',
  ...IDENTITY_FIELDS.map(([c]) => c),
  'jti',
  'nbf',
  'fva',
]);
const sorted = (entries) => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** UserIdentity::from_token: tokenIdentifier, issuer, subject, the standard claims, then custom claims sorted. */
export function oidcIdentity(c) {
  const id = { tokenIdentifier: `${c.iss}|${c.sub}`, issuer: c.iss, subject: c.sub };
  for (const [claim, field] of IDENTITY_FIELDS) {
    if (c[claim] === undefined || c[claim] === null) continue;
    if (claim === 'address') {
      if (isStr(c.address.formatted)) id.address = c.address.formatted;
    } else if (claim === 'updated_at') {
      id.updatedAt = new Date(isNum(c.updated_at) ? c.updated_at * 1000 : c.updated_at)
        .toISOString()
        .replace(/\.000Z$/, '+00:00');
    } else id[field] = c[claim];
  }
  for (const [k, v] of sorted(Object.entries(c).filter(([k]) => !OIDC_NOT_CUSTOM.has(k)))) id[k] = v;
  return id;
}

/** UserIdentity::from_custom_jwt: no standard fields; every private claim (nested objects flattened to `a.b`),
 *  sorted, without `fva`. */
export function customJwtIdentity(c) {
  const id = { tokenIdentifier: `${c.iss}|${c.sub}`, issuer: c.iss, subject: c.sub };
  const flat = [];
  const walk = (prefix, obj) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(`${prefix}${k}.`, v);
      else flat.push([`${prefix}${k}`, v]);
    }
  };
  walk(
    '',
    Object.fromEntries(
      Object.entries(c).filter(([k]) => !['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'].includes(k)),
    ),
  );
  for (const [k, v] of sorted(flat.filter(([k]) => k !== 'fva'))) id[k] = v;
  return id;
}

// ---------------------------------------------------------------------------------------------
// the pipeline

/**
 * Validate a user token against the providers. Resolves to `{ identity, exp }` or throws a BackendError carrying
 * the backend's exact text. `nowSeconds` is the backend's clock; `http` a `cachedFetcher()` (one per deployment).
 */
export async function validateUserToken(token, providers, { nowSeconds, redact = false, http = cachedFetcher() }) {
  let payload;
  try {
    payload = unverifiedPayload(token);
  } catch {
    throw unauth('InvalidAuthHeader', TEXT.parsePayload);
  }
  if (!isStr(payload.iss)) throw unauth('InvalidAuthHeader', TEXT.missingIss);
  const audiences = isStr(payload.aud) ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];

  // lib.rs:185-196: the first matching provider.
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
    ? validateCustomJwt(token, provider, nowSeconds, redact, http)
    : validateOidc(token, payload.iss, provider, nowSeconds, http);
}

/** `ErrorMetadata::from_http_status_code` (errors/src/lib.rs:757-771); None (e.g. a 200 refused for its
 *  Content-Type) falls back to BadRequest (lib.rs:218-228). */
function kindForStatus(code) {
  const exact = {
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not_found',
    429: 'rate_limited',
    425: 'too_early',
    421: 'misdirected',
  }[code];
  if (exact) return exact;
  if (code >= 400 && code < 500) return 'bad_request';
  if (code >= 500 && code < 600) return 'overloaded';
  return 'bad_request';
}

/** `CoreProviderMetadata::discover_async` (openidconnect discovery/mod.rs:300-384, types/jwks.rs:130-162). */
async function discover(iss, http) {
  const short = 'AuthProviderDiscoveryFailed';
  const plain = () => new BackendError('bad_request', short, TEXT.discovery(iss));
  const response = (r) =>
    new BackendError(
      kindForStatus(r.status),
      short,
      `${TEXT.discovery(iss)}: ${r.status} ${reasonPhrase(r.status)} ${r.body.toString('utf8')}`,
    );
  const fetchOr = async (url) => {
    try {
      return await http.get(url);
    } catch {
      throw plain(); // DiscoveryError::Request: the short text only
    }
  };
  const url = `${iss.endsWith('/') ? iss : `${iss}/`}.well-known/openid-configuration`;
  const r = await fetchOr(url);
  if (r.status !== 200 || !hasEssence(r.contentType, 'application/json')) throw response(r);
  let metadata;
  try {
    metadata = JSON.parse(r.body.toString('utf8'));
    // CoreProviderMetadata's required fields.
    const required =
      ['issuer', 'authorization_endpoint', 'jwks_uri'].every((k) => isStr(metadata[k])) &&
      ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'].every((k) =>
        Array.isArray(metadata[k]),
      );
    if (!required) throw new Error('metadata');
  } catch {
    throw plain(); // DiscoveryError::Parse
  }
  if (metadata.issuer !== iss) throw plain(); // DiscoveryError::Validation
  const j = await fetchOr(metadata.jwks_uri);
  if (j.status !== 200 || !hasEssence(j.contentType, 'application/json', 'application/jwk-set+json')) throw response(j);
  let keys;
  try {
    keys = JSON.parse(j.body.toString('utf8')).keys;
    if (!Array.isArray(keys)) throw new Error('keys');
  } catch {
    throw plain();
  }
  return { metadata, keys };
}

async function validateOidc(token, iss, provider, now, http) {
  // lib.rs:208: `IssuerUrl::new(token_issuer)?` on the raw `iss`. A scheme-less `iss` matched the provider (https://
  // is added for matching) but is no URL: an error without ErrorMetadata.
  try {
    new URL(iss); // WHATWG parsing, as the `url` crate does
  } catch {
    throw internalError(`IssuerUrl::new(${JSON.stringify(iss)}): relative URL without a base`);
  }
  if (!/^https?:$/.test(new URL(iss).protocol))
    throw new BackendError('bad_request', 'AuthProviderDiscoveryFailed', TEXT.discovery(iss));
  const { metadata, keys } = await discover(iss, http);

  // lib.rs:261-266: parse as an OIDC ID token.
  let header, claims;
  try {
    ({ header, claims } = parseOidcIdToken(token));
  } catch {
    throw unauth('InvalidAuthHeader', TEXT.oidcParse);
  }

  // lib.rs:245-271: the verifier; every failure gives the one text.
  const fail = () => unauth('Unauthenticated', TEXT.oidcVerify);
  if (joseHeaderRefused(header)) throw fail();
  if (!['RS256', 'EdDSA'].includes(header.alg)) throw fail();
  if (claims.iss !== metadata.issuer) throw fail();
  const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  if (aud.length !== 1 || aud[0] !== provider.applicationID) throw fail(); // more than one `aud` fails
  const kty = header.alg === 'EdDSA' ? 'OKP' : 'RSA';
  const candidates = keys.filter(
    (k) =>
      k &&
      (k.use === undefined || k.use === 'sig') &&
      k.kty === kty &&
      (header.kid === undefined || header.kid === null ? true : k.kid === header.kid) &&
      (k.alg === undefined || k.alg === header.alg),
  );
  if (candidates.length !== 1) throw fail(); // no kid: exactly one key must fit
  try {
    await compactVerify(token, await importJWK(candidates[0], header.alg));
  } catch {
    throw fail();
  }
  if (!(claims.exp > now)) throw fail(); // no leeway on exp; iat/nbf not checked
  return { identity: oidcIdentity(claims), exp: claims.exp };
}

async function fetchJwks(uri, http) {
  if (uri.startsWith('data:')) {
    const comma = uri.indexOf(',');
    return uri.slice(0, comma).endsWith(';base64')
      ? Buffer.from(uri.slice(comma + 1), 'base64')
      : Buffer.from(decodeURIComponent(uri.slice(comma + 1)));
  }
  let res;
  try {
    res = await http.get(uri);
  } catch (e) {
    throw unauth('InvalidAuthHeader', TEXT.jwksFetch(uri, e?.cause?.message ?? e.message));
  }
  if (res.status !== 200)
    throw unauth('InvalidAuthHeader', TEXT.jwksStatus(uri, res.status, reasonPhrase(res.status) || 'Unknown'));
  const ct = res.contentType;
  const essence = (ct ?? '').split(';')[0].trim().toLowerCase();
  const charset = /charset=([^;]+)/i.exec(ct ?? '')?.[1];
  if (!['application/json', 'application/jwk-set+json'].includes(essence) || (charset && charset !== 'utf-8')) {
    throw unauth('InvalidAuthHeader', TEXT.jwksType(ct ?? 'unknown', uri));
  }
  return res.body;
}

async function validateCustomJwt(token, provider, now, redact, http) {
  // lib.rs:280-289: the JWKS parsed as a whole by biscuit.
  const body = await fetchJwks(provider.jwks, http);
  let keys;
  try {
    keys = jsonObject(body).keys;
    if (!Array.isArray(keys) || keys.some(biscuitKeyRefusal)) throw new Error('keys');
  } catch {
    throw unauth('InvalidAuthHeader', TEXT.jwksBody(provider.jwks));
  }

  // lib.rs:290-316: decode_with_jwks (three parts, `kid` required, the configured algorithm).
  const parts = token.split('.');
  let header = {};
  try {
    header = jsonObject(b64urlStrict(parts[0]));
  } catch {
    /* unverified_header failed: the kid-less text below */
  }
  const decodeError = () => {
    const kid = isStr(header.kid) ? header.kid : undefined;
    const msg = kid !== undefined ? TEXT.kidUnknown(kid) : TEXT.kidMissing;
    return unauth('InvalidAuthHeader', redact && kid !== undefined ? TEXT.kidUnknownRedacted : msg);
  };
  const key = keys.find((k) => isStr(header.kid) && k.kid === header.kid);
  if (parts.length !== 3 || !key || header.alg !== provider.algorithm) throw decodeError();
  let payload;
  try {
    b64urlStrict(parts[2]);
    const { payload: bytes } = await compactVerify(token, await importJWK(key, provider.algorithm));
    payload = jsonObject(Buffer.from(bytes));
    if (!registeredClaimsTyped(payload)) throw new Error('claims');
  } catch {
    throw decodeError();
  }

  // lib.rs:318-360: issuer, audience.
  if (!isStr(payload.iss)) throw unauth('InvalidAuthHeader', TEXT.missingIss);
  const issWithProtocol = /^https?:\/\//.test(payload.iss) ? payload.iss : `https://${payload.iss}`;
  if (issWithProtocol.replace(/\/+$/, '') !== provider.issuer.replace(/\/+$/, ''))
    throw unauth('InvalidAuthHeader', TEXT.invalidIssuer(payload.iss, provider.issuer));
  if (provider.applicationID != null) {
    if (payload.aud === undefined || payload.aud === null) throw unauth('InvalidAuthHeader', TEXT.missingAud);
    const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!auds.includes(provider.applicationID))
      throw unauth('InvalidAuthHeader', TEXT.invalidAud(provider.applicationID, auds));
  }
  // lib.rs:361-378: biscuit's temporal checks with a 5 s epsilon (exp, then nbf, then iat).
  const leeway = 5;
  if (isNum(payload.exp) && now - payload.exp > leeway)
    throw unauth('InvalidAuthHeader', TEXT.validate(`Token expired ${now - payload.exp} seconds ago`));
  for (const claim of ['nbf', 'iat']) {
    if (isNum(payload[claim]) && payload[claim] - now > leeway)
      throw unauth('InvalidAuthHeader', TEXT.validate(`Token will be valid in ${payload[claim] - now} seconds`));
  }
  // lib.rs:379-385 + broker.rs:506-546: no `sub` or no `exp` fails from_custom_jwt; the text is replaced.
  if (!isStr(payload.sub) || !isNum(payload.exp)) throw unauth('InvalidAuthHeader', TEXT.customClaims);
  return { identity: customJwtIdentity(payload), exp: payload.exp };
}
