// The panel's environment box (extension/panel/env.js): NAME=value lines as the Convex dashboard lists them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from '../../extension/panel/env.js';

test('one NAME=value a line; blank lines and # comments skipped; spaces trimmed', () => {
  const text =
    '\n# from the dashboard\nCLERK_JWT_ISSUER_DOMAIN = https://verb-noun-00.clerk.accounts.dev \r\n\n  AUTH0_DOMAIN=x.us.auth0.com\n';
  assert.deepEqual(parseEnv(text), {
    CLERK_JWT_ISSUER_DOMAIN: 'https://verb-noun-00.clerk.accounts.dev',
    AUTH0_DOMAIN: 'x.us.auth0.com',
  });
  assert.deepEqual(parseEnv(''), {});
});

test('a value keeps its own = signs; one pair of matching quotes is removed', () => {
  assert.deepEqual(parseEnv('A=b=c\nB="quoted"\nC=\'single\'\nD="mismatched\'\nE=""\nF='), {
    A: 'b=c',
    B: 'quoted',
    C: 'single',
    D: '"mismatched\'',
    E: '',
    F: '',
  });
});

test('the last of a repeated name wins', () => {
  assert.deepEqual(parseEnv('A=1\nA=2'), { A: '2' });
});

test('a line that is not NAME=value is named in the error', () => {
  assert.throws(() => parseEnv('A=1\njust text'), { message: '"just text" is not NAME=value' });
  assert.throws(() => parseEnv('=value'), { message: '"=value" is not NAME=value' });
});
