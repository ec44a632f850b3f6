// The Convex functions each stand-in deployment runs, and the runtime's console formatting.
//
// Log lines: the udf runtime (convex-backend npm-packages/udf-runtime/src/02_console.ts) formats
// every console argument with the `object-inspect` package ({ maxStringLength: 32768, indent: 2,
// customInspect: true }); the backend joins them with spaces behind `[LEVEL] `
// (crates/common/src/log_lines.rs, to_pretty_string) and truncates lines over 32768 bytes.
import inspect from 'object-inspect';

const MAX_LOG_LINE_LENGTH = 32768;
const TRUNCATED_LINE_SUFFIX = ' (truncated due to length)';

/** common/src/log_lines.rs:137-228: messages joined by spaces behind `[LEVEL] `; a line over 32768 bytes keeps whole
 *  messages while they fit, cuts the next one at a character boundary, and gets the truncation suffix. */
export function formatLogLine(level, args) {
  const messages = args.map((a) => inspect(a, { maxStringLength: 32768, indent: 2, customInspect: true }));
  const bytes = (m) => Buffer.byteLength(m, 'utf8');
  const total = messages.reduce((n, m) => n + bytes(m) + 1, 0) - 1;
  if (total <= MAX_LOG_LINE_LENGTH) return `[${level}] ${messages.join(' ')}`;
  const kept = [];
  let used = 0;
  for (const m of messages) {
    const room = Math.max(0, MAX_LOG_LINE_LENGTH - used);
    if (bytes(m) <= room) {
      used += bytes(m) + 1;
      kept.push(m);
    } else {
      let cut = Buffer.from(m, 'utf8').subarray(0, room).toString('utf8');
      if (cut.endsWith('\uFFFD') && !m.startsWith(cut)) cut = cut.slice(0, -1); // floor_char_boundary
      kept.push(cut);
      break;
    }
  }
  return `[${level}] ${kept.join(' ')}${TRUNCATED_LINE_SUFFIX}`;
}

/** A `console` that collects log lines the way the runtime does. */
export function makeConsole(lines) {
  const at =
    (level) =>
    (...args) =>
      lines.push(formatLogLine(level, args));
  return { log: at('LOG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR'), debug: at('DEBUG') };
}

/** Functions with the guide's step 1 line at the top (`console.log("server identity", …)`). */
const withIdentityLog = {
  'messages:whoami': {
    type: 'query',
    handler: async (ctx) => {
      const identity = await ctx.auth.getUserIdentity();
      ctx.console.log('server identity', identity);
      return identity === null ? null : { subject: identity.subject, tokenIdentifier: identity.tokenIdentifier };
    },
  },
  'messages:send': {
    type: 'mutation',
    handler: async (ctx, args) => {
      const identity = await ctx.auth.getUserIdentity();
      ctx.console.log('server identity', identity);
      return { sent: args.body ?? '', by: identity?.subject ?? null };
    },
  },
  'messages:act': {
    type: 'action',
    handler: async (ctx) => {
      const identity = await ctx.auth.getUserIdentity();
      ctx.console.log('server identity', identity);
      return { acted: true, by: identity?.subject ?? null };
    },
  },
};

/** The same functions as deployed before the user added the log line (code not pushed). */
const withoutLog = Object.fromEntries(
  Object.entries(withIdentityLog).map(([path, f]) => [
    path,
    {
      type: f.type,
      handler: async (ctx, args) => f.handler({ ...ctx, console: makeConsole([]) }, args),
    },
  ]),
);

/** `ticker:tick` returns a counter the deployment bumps ~200 times a second (the "busy" load). */
const busy = {
  ...withIdentityLog,
  'ticker:tick': { type: 'query', handler: async (ctx) => ctx.tick },
};

/** Convex Auth's sign-in on a deployment without its signing key (get-convex/convex-auth
 *  src/server/implementation/tokens.ts: `importPKCS8(requireEnv("JWT_PRIVATE_KEY"), "RS256")`;
 *  src/server/utils.ts `requireEnv` throws this text). */
const convexAuthNoKey = {
  ...withIdentityLog,
  'auth:signIn': {
    type: 'action',
    handler: async () => {
      throw new Error('Missing environment variable `JWT_PRIVATE_KEY`');
    },
  },
};

export const FUNCTION_SETS = {
  identity: withIdentityLog,
  'no-log': withoutLog,
  busy,
  'convex-auth-no-key': convexAuthNoKey,
};

/** udf/src/validation.rs:353-365: the message of a missing public function (`strip()` drops the `.js`). */
export function missingFunctionMessage(path) {
  return `Could not find public function for '${path}'.`;
}

/** A JsError as common/src/errors.rs prints it (Debug: the message, a newline, then its frames if any). */
export const jsErrorText = (message) => `${message}\n`;

/** The JsError of a thrown Error: "Uncaught Error: …" and one stack frame in the deployed module. */
export function thrownMessage(e, path) {
  return `Uncaught Error: ${e?.message ?? String(e)}\n    at handler (../convex/${String(path).split(':')[0]}.ts:9:11)`;
}

/** application/src/redaction.rs:163-171 (RedactedJsError Display): `[Request ID: X] Server Error`, then in development
 *  a newline and the JsError (its message and frames, common/src/errors.rs JsError Debug); production stops there. */
export function serverErrorMessage(requestId, jsError, production) {
  return production ? `[Request ID: ${requestId}] Server Error` : `[Request ID: ${requestId}] Server Error\n${jsError}`;
}
