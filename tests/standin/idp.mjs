// A local identity provider: OpenID discovery documents, JWKS (with key rotation) and
// tokens shaped like the ones real providers issue, plus deliberately broken ones.
//
// Every "issuer" lives under a path of one HTTP server, e.g. `http://127.0.0.1:PORT/clerk`,
// so one port serves several providers. Token shapes follow what Clerk, Auth0, Convex Auth and WorkOS issue.
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { clerkFapi, betterAuthRoute } from './around.mjs';

/** Issuer path → how the provider behaves. `keys` names the key set it publishes. */
const ISSUERS = {
  clerk: { path: '/clerk', kind: 'oidc' },
  'clerk-other': { path: '/clerk-other', kind: 'oidc' },
  auth0: { path: '/auth0/', kind: 'oidc' }, // Auth0's `iss` ends with a slash
  'convex-auth': { path: '/convex-auth', kind: 'oidc' },
  workos: { path: '/workos/user_management/client_01HXYZSTANDIN', kind: 'oidc' },
  eddsa: { path: '/eddsa', kind: 'oidc' },
  custom: { path: '/custom', kind: 'custom' }, // custom JWT: JWKS only, no discovery needed
  // Better Auth through @convex-dev/better-auth: the deployment's site URL is the issuer, and
  // getAuthConfigProvider() points the custom JWT provider at `${CONVEX_SITE_URL}/api/auth/convex/jwks`.
  'better-auth': { path: '/better-auth', kind: 'custom', jwksPath: '/api/auth/convex/jwks' },
  'broken-discovery': { path: '/broken-discovery', kind: 'oidc', discoveryStatus: 500 },
  'discovery-issuer-mismatch': {
    path: '/discovery-issuer-mismatch',
    kind: 'oidc',
    discoveryIssuer: 'https://elsewhere.example.com',
  },
  // A customJwt issuer whose JWKS also publishes an Ed25519 key with `"alg": "EdDSA"`, which biscuit cannot
  // represent: the backend refuses the whole set (crates/authentication/src/lib.rs:280-289).
  'custom-mixed': { path: '/custom-mixed', kind: 'custom' },
};

/** Claims per token kind. `now` is unix seconds. Returns { issuer, alg, header, claims }. */
function shape(kind, base, now) {
  const iss = (name) => base + ISSUERS[name].path;
  switch (kind) {
    case 'clerk-convex': // Clerk JWT template named `convex`
      return {
        issuer: 'clerk',
        alg: 'RS256',
        claims: {
          iss: iss('clerk'),
          aud: 'convex',
          sub: 'user_2standin',
          azp: 'http://localhost:5173',
          iat: now,
          nbf: now - 5,
          exp: now + 3600,
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          email_verified: true,
          picture: 'https://img.clerk.com/ada.png',
        },
      };
    case 'clerk-session': // Clerk's default session token: no `aud`
      return {
        issuer: 'clerk',
        alg: 'RS256',
        claims: {
          iss: iss('clerk'),
          sub: 'user_2standin',
          azp: 'http://localhost:5173',
          sid: 'sess_2standin',
          iat: now,
          nbf: now - 5,
          exp: now + 60,
        },
      };
    case 'clerk-other': // the same app's token from another Clerk instance (wrong publishableKey)
      return {
        issuer: 'clerk-other',
        alg: 'RS256',
        claims: { iss: iss('clerk-other'), aud: 'convex', sub: 'user_2other', iat: now, nbf: now - 5, exp: now + 3600 },
      };
    case 'auth0-id': // Auth0 id_token: aud is the client ID, iss ends with a slash
      return {
        issuer: 'auth0',
        alg: 'RS256',
        claims: {
          iss: iss('auth0'),
          aud: 'Auth0ClientIdStandin',
          sub: 'auth0|65standin',
          iat: now,
          exp: now + 36000,
          name: 'Grace Hopper',
          nickname: 'grace',
          email: 'grace@example.com',
          email_verified: true,
          sid: 'auth0-sid',
          nonce: 'n-0S6_WzA2Mj',
        },
      };
    case 'convex-auth': // Convex Auth: RS256, no `typ`, no `kid`, 1 h lifetime
      return {
        issuer: 'convex-auth',
        alg: 'RS256',
        noKid: true,
        noTyp: true,
        claims: { sub: 'j57standin|k97session', iat: now, iss: iss('convex-auth'), aud: 'convex', exp: now + 3600 },
      };
    case 'workos': // WorkOS AuthKit access token: no `aud`
      return {
        issuer: 'workos',
        alg: 'RS256',
        claims: {
          iss: iss('workos'),
          sub: 'user_01HSTANDIN',
          sid: 'session_01HSTANDIN',
          org_id: 'org_01HSTANDIN',
          role: 'member',
          permissions: [],
          iat: now,
          exp: now + 300,
        },
      };
    case 'eddsa': // a generic OIDC provider signing with Ed25519
      return {
        issuer: 'eddsa',
        alg: 'EdDSA',
        claims: { iss: iss('eddsa'), aud: 'eddsa-app', sub: 'ed-user-1', iat: now, exp: now + 3600, name: 'Edsger' },
      };
    // better-auth 1.6's jwt plugin as the convex plugin configures it (crate/tests/fixtures/libraries/mint.mjs):
    // header { alg, kid } without typ, 15 min, the user's fields and the session id.
    case 'better-auth':
      return {
        issuer: 'better-auth',
        alg: 'RS256',
        noTyp: true,
        claims: {
          iat: now,
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          emailVerified: true,
          createdAt: '2026-11-29T09:00:00.000Z',
          updatedAt: '2026-11-29T09:00:00.000Z',
          sessionId: 'session1standin',
          sub: 'user1standin',
          exp: now + 900,
          iss: iss('better-auth'),
          aud: 'convex',
        },
      };
    case 'custom': // custom JWT, ES256, for a `type: "customJwt"` provider
      return {
        issuer: 'custom',
        alg: 'ES256',
        claims: {
          iss: iss('custom'),
          aud: 'my-app',
          sub: 'custom-user-1',
          iat: now,
          exp: now + 3600,
          name: 'Custom User',
        },
      };
    case 'custom-mixed': // the same, from the issuer whose JWKS also holds an EdDSA-tagged key
      return {
        issuer: 'custom-mixed',
        alg: 'ES256',
        claims: { iss: iss('custom-mixed'), aud: 'my-app', sub: 'custom-user-2', iat: now, exp: now + 3600 },
      };
    case 'broken-discovery':
      return {
        issuer: 'broken-discovery',
        alg: 'RS256',
        claims: { iss: iss('broken-discovery'), aud: 'convex', sub: 'user_broken', iat: now, exp: now + 3600 },
      };
    case 'discovery-issuer-mismatch':
      return {
        issuer: 'discovery-issuer-mismatch',
        alg: 'RS256',
        claims: {
          iss: iss('discovery-issuer-mismatch'),
          aud: 'convex',
          sub: 'user_mismatch',
          iat: now,
          exp: now + 3600,
        },
      };
    case 'hostile': // claims full of markup, for the render-as-text test; otherwise a valid Clerk token
      return {
        issuer: 'clerk',
        alg: 'RS256',
        claims: {
          iss: iss('clerk'),
          aud: 'convex',
          sub: 'user_<script>alert(1)</script>',
          iat: now,
          nbf: now - 5,
          exp: now + 3600,
          name: '<img src=x onerror=alert(1)>',
          email: '"><script>alert(document.domain)</script>@example.com',
          '<b>claim</b>': '<iframe src=javascript:alert(1)>',
          nickname: '</textarea><svg onload=alert(1)>',
        },
      };
    default:
      return null;
  }
}

/** Apply a deliberate defect to a shape (before signing) — see `mint`. */
function applyVariant(s, variant, now) {
  const c = s.claims;
  switch (variant) {
    case undefined:
    case '':
    case 'ok':
    case 'badsig':
    case 'truncated':
    case 'none':
    case 'wrongkid':
      break;
    case 'expired':
      c.iat = now - 3700;
      if ('nbf' in c) c.nbf = now - 3705;
      c.exp = now - 100;
      break;
    case 'future':
      c.iat = now + 30;
      c.nbf = now + 30;
      break; // the issuer's clock is 30 s ahead
    case 'short':
      c.iat = now;
      if ('nbf' in c) c.nbf = now;
      c.exp = now + 8;
      break; // expires mid-session
    case 'atjwt':
      s.typ = 'at+jwt';
      break;
    case 'multiaud':
      c.aud = [c.aud ?? 'convex', 'https://api.example.com'];
      break;
    case 'nosub':
      delete c.sub;
      break;
    case 'nokid':
      s.noKid = true;
      break;
    case 'wrongaud':
      c.aud = 'SomeOtherAuth0ClientId';
      break;
    case 'unsetiss':
      c.iss = 'undefined';
      break; // `${process.env.CONVEX_SITE_URL}` where it is unset
    case 'crit':
      s.crit = ['exp'];
      break; // a critical header the verifier does not understand
    case 'cty':
      s.cty = 'JWT';
      break;
    case 'claimtype':
      c.email_verified = 'true';
      break; // a string where OIDC wants a boolean
    case 'noscheme':
      c.iss = c.iss.replace(/^https?:\/\//, '');
      break; // `iss` without its scheme
    case 'bearer':
      break; // the whole `Authorization` value handed over as the token (see mint)
    default:
      throw new Error(`unknown token variant ${variant}`);
  }
  return s;
}

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

/** Sign `header.payload` with node:crypto (RS256 or ES256, JOSE signature encoding). */
async function signRaw(header, claims, privateKey) {
  const { createSign, KeyObject } = await import('node:crypto');
  const input = `${b64url(header)}.${b64url(claims)}`;
  const keyObject = privateKey instanceof KeyObject ? privateKey : KeyObject.from(privateKey);
  const signer = createSign('SHA256');
  signer.update(input);
  const sig =
    header.alg === 'ES256' ? signer.sign({ key: keyObject, dsaEncoding: 'ieee-p1363' }) : signer.sign(keyObject);
  return `${input}.${sig.toString('base64url')}`;
}

/**
 * `host` is where the IdP listens; `hostname` the name its issuers are given (default: `host`). A cloud-shaped name
 * (`verb-noun-00.clerk.accounts.dev`) makes its tokens look like a real provider's; whoever fetches from it must then
 * map that name to `host` (Chromium: `--host-resolver-rules`, tests/e2e/cloud-issuer.test.mjs). `tls` ({ key, cert },
 * PEM) serves HTTPS instead, for names a browser reaches only over HTTPS (`.dev` is HSTS-preloaded).
 */
export async function startIdp({ host = '127.0.0.1', hostname = host, tls = null } = {}) {
  // RSA keys rotate: `rsa[0]` signs, `rsa[1]` is the previous key (still published),
  // `retired` was rotated out of the JWKS (tokens signed with it have an unknown `kid`).
  const newRsa = async (n) => ({ kid: `rsa-${n}`, ...(await generateKeyPair('RS256', { extractable: true })) });
  let generation = 3;
  let retired = await newRsa(1);
  let rsa = [await newRsa(3), await newRsa(2)];
  const ec = { kid: 'es-1', ...(await generateKeyPair('ES256', { extractable: true })) };
  const ed = { kid: 'ed-1', ...(await generateKeyPair('EdDSA', { extractable: true })) };
  const stranger = await newRsa('stranger'); // never published: bad signatures

  async function jwks(name) {
    const pub = async (k, alg) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg, use: 'sig' });
    if (name === 'custom') return { keys: [await pub(ec, 'ES256')] };
    if (name === 'custom-mixed') return { keys: [await pub(ec, 'ES256'), await pub(ed, 'EdDSA')] };
    if (name === 'eddsa') return { keys: [await pub(ed, 'EdDSA')] };
    // Convex Auth publishes a single key and signs without `kid`.
    if (name === 'convex-auth') return { keys: [await pub(rsa[0], 'RS256')] };
    return { keys: await Promise.all(rsa.map((k) => pub(k, 'RS256'))) };
  }

  async function rotate() {
    generation += 1;
    retired = rsa[1];
    rsa = [await newRsa(generation), rsa[0]];
  }

  let base = '';
  // What discovery documents and JWKS say about caching (the backend caches by it: http_client/src/lib.rs:45-90).
  let cacheControl = 'no-store';

  /** Mint a token: `kind` picks the provider shape, `variant` the defect. */
  async function mint(kind, variant, now = Math.floor(Date.now() / 1000)) {
    const s0 = shape(kind, base, now);
    if (!s0) throw new Error(`unknown token kind ${kind}`);
    if (variant === 'malformed') return '[object Promise]'; // a Promise stringified instead of awaited
    // Clerk tokens carry a fresh `jti`, so a forced refresh yields a different token (the client
    // only re-sends a token that differs from the last one: authentication_manager.ts isNewAuth).
    if (s0.issuer.startsWith('clerk') || kind === 'hostile') s0.claims.jti = randomBytes(10).toString('hex');
    const s = applyVariant(s0, variant, now);
    const key = s.alg === 'ES256' ? ec : s.alg === 'EdDSA' ? ed : variant === 'wrongkid' ? retired : rsa[0];
    const header = { alg: s.alg };
    if (!s.noTyp) header.typ = s.typ ?? 'JWT';
    if (!s.noKid) header.kid = key.kid;
    if (s.cty) header.cty = s.cty;
    if (s.crit) header.crit = s.crit;
    if (variant === 'none') {
      return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(s.claims)}.`;
    }
    // jose refuses to sign with a `crit` it does not know; a header with `crit` is signed by hand.
    let token = s.crit
      ? await signRaw(header, s.claims, key.privateKey)
      : await new SignJWT(s.claims)
          .setProtectedHeader(header)
          .sign(variant === 'badsig' ? stranger.privateKey : key.privateKey);
    if (variant === 'bearer') token = `Bearer ${token}`;
    if (variant === 'badsig' && s.alg !== 'RS256') throw new Error('badsig only for RS256 kinds');
    if (variant === 'truncated') {
      // Cut in the middle of the payload, as a copy/paste or a length-limited store would.
      const [h, p] = token.split('.');
      token = `${h}.${p.slice(0, Math.floor(p.length / 2))}`;
    }
    return token;
  }

  const handler = async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, body, type = 'application/json') => {
      const cc = url.pathname.includes('/.well-known/') ? cacheControl : 'no-store';
      res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*', 'cache-control': cc });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      if (req.method === 'OPTIONS') return send(204, '');
      if (await clerkFapi(req, url, send, mint)) return; // issue 13: Clerk's token endpoint (around.mjs)
      if (await betterAuthRoute(req, url, send, mint)) return; // issue 13: better-auth's token route
      if (url.pathname === '/token') {
        const kind = url.searchParams.get('kind');
        const variant = url.searchParams.get('variant') ?? undefined;
        return send(200, { token: await mint(kind, variant) });
      }
      if (url.pathname === '/rotate' && req.method === 'POST') {
        await rotate();
        return send(200, { current: rsa[0].kid, previous: rsa[1].kid, retired: retired.kid });
      }
      for (const [name, iss] of Object.entries(ISSUERS)) {
        const root = (base + iss.path).replace(/\/$/, '');
        const prefix = iss.path.replace(/\/$/, '');
        if (url.pathname === `${prefix}/.well-known/openid-configuration` && iss.kind === 'oidc') {
          if (iss.discoveryStatus)
            return send(iss.discoveryStatus, 'upstream identity service unavailable', 'text/plain');
          return send(200, {
            issuer: iss.discoveryIssuer ?? base + iss.path,
            jwks_uri: `${root}/.well-known/jwks.json`,
            authorization_endpoint: `${root}/authorize`,
            response_types_supported: ['code', 'id_token'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: [name === 'eddsa' ? 'EdDSA' : 'RS256'],
          });
        }
        if (url.pathname === `${prefix}/.well-known/jwks.json`) return send(200, await jwks(name));
        if (iss.jwksPath && url.pathname === `${prefix}${iss.jwksPath}`) return send(200, await jwks(name));
      }
      return send(404, { error: 'not found' });
    } catch (e) {
      return send(400, { error: String(e?.message ?? e) });
    }
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise((r) => server.listen(0, host, r));
  base = `${tls ? 'https' : 'http'}://${hostname}:${server.address().port}`;
  return {
    url: base,
    issuer: (name) => base + ISSUERS[name].path,
    mint,
    rotate,
    /** Cache-Control of the discovery documents and JWKS from now on (default "no-store"). */
    setCacheControl: (value) => {
      cacheControl = value;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
