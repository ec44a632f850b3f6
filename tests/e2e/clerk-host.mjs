// A Clerk development instance's host for the stand-in identity provider: `verb-noun-00.clerk.accounts.dev`, served
// over HTTPS (`.dev` is HSTS-preloaded: Chromium reaches it over HTTPS only) with a certificate made for one run, and
// mapped to 127.0.0.1 by Chromium's `--host-resolver-rules`. Start the stack with
// `{ idpHostname: CLERK_HOST, idpTls: throwawayCertificate() }` and Chromium with `clerkHostArgs`. Node cannot
// resolve the name: use it only where the stand-in backend fetches no key from the issuer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CLERK_HOST = 'verb-noun-00.clerk.accounts.dev';

/** Chromium's flags: the name goes to 127.0.0.1, and the throwaway certificate is accepted. */
export const clerkHostArgs = [`--host-resolver-rules=MAP ${CLERK_HOST} 127.0.0.1`, '--ignore-certificate-errors'];

/** A self-signed certificate for CLERK_HOST, made for this run only (openssl; scripts/setup.sh installs it). */
export function throwawayCertificate() {
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
        `/CN=${CLERK_HOST}`,
        '-addext',
        `subjectAltName=DNS:${CLERK_HOST}`,
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
