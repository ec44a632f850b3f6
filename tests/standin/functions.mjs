// The Convex functions each stand-in deployment runs, and the runtime's console formatting.
//
// Log lines: the udf runtime (convex-backend npm-packages/udf-runtime/src/02_console.ts) formats
// every console argument with the `object-inspect` package ({ maxStringLength: 32768, indent: 2,
// customInspect: true }); the backend joins them with spaces behind `[LEVEL] `
// (crates/common/src/log_lines.rs, to_pretty_string) and truncates lines over 32768 bytes.
import inspect from 'object-inspect';

const MAX_LOG_LINE_LENGTH = 32768;
const TRUNCATED_LINE_SUFFIX = ' (truncated due to length)';

export function formatLogLine(level, args) {
  const messages = args.map((a) => inspect(a, { maxStringLength: 32768, indent: 2, customInspect: true }));
  const line = messages.join(' ');
  if (line.length > MAX_LOG_LINE_LENGTH)
    return `[${level}] ${line.slice(0, MAX_LOG_LINE_LENGTH)}${TRUNCATED_LINE_SUFFIX}`;
  return `[${level}] ${line}`;
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

export const FUNCTION_SETS = { identity: withIdentityLog, 'no-log': withoutLog, busy };

export function missingFunctionMessage(path) {
  return `Could not find public function for '${path}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`;
}
