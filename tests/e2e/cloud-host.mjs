// Real providers' host names for the stand-in identity provider — a Clerk development instance
// (`verb-noun-00.clerk.accounts.dev`), an Auth0 tenant (`standin-tenant.us.auth0.com`) — served over HTTPS (`.dev` is
// HSTS-preloaded: Chromium reaches it over HTTPS only) with a certificate made for one run, and mapped to 127.0.0.1
// by Chromium's `--host-resolver-rules`. Start a stack with `{ idpHostname: HOST, idpTls: throwawayCertificate(HOST) }`
// and Chromium with `hostArgs([HOST, …])`. Node cannot resolve these names: use them only where the stand-in backend
// fetches no key from the issuer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CLERK_HOST = 'verb-noun-00.clerk.accounts.dev';
export const AUTH0_HOST = 'standin-tenant.us.auth0.com';

/** Chromium's flags: the names go to 127.0.0.1, and the throwaway certificates are accepted. */
export const hostArgs = (hosts) => [
  `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`,
  '--ignore-certificate-errors',
];

/** A self-signed certificate for `host`, made for this run only (openssl; scripts/setup.sh installs it). */
export function throwawayCertificate(host) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cad-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
