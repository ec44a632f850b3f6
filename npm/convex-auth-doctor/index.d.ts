// The typed API of convex-auth-doctor. Every report is the one `convex-auth-doctor … --format json` prints
// (docs/findings.md in the repository lists the finding codes).

export type Severity = 'pass' | 'info' | 'warn' | 'fail';
export type StepStatus = 'pass' | 'fail' | 'warn' | 'unknown';

/** Where to act on a finding: a dashboard page (with its URL for cloud deployments) or a hint. */
export interface Place {
  label: string;
  url?: string;
  hint?: string;
}

export interface Fix {
  action: string;
  command?: string;
  places?: Place[];
}

export interface Finding {
  /** A stable code, e.g. `token.expired`, `config.issuer_mismatch`. */
  code: string;
  /** The step of Convex's "Debugging Authentication" guide it belongs to: 1, 2 or 3. */
  step: 1 | 2 | 3;
  severity: Severity;
  message: string;
  evidence: Record<string, unknown>;
  causes: string[];
  fix?: Fix;
}

export interface StepVerdict {
  step: 1 | 2 | 3;
  status: StepStatus;
  summary: string;
}

export interface ClaimNote {
  name: string;
  value: unknown;
  explanation: string;
}

/** A token as the report shows it: decoded, its signature never included. */
export interface TokenView {
  source: string;
  sent_at: number;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
  claims: ClaimNote[];
  outcome: string;
}

export interface TimelineItem {
  connection: string;
  time: number;
  kind: string;
  text: string;
}

export interface Report {
  /** The engine's version. */
  doctor: string;
  /** One line: which step breaks and why, or that all is well. */
  verdict: string;
  steps: StepVerdict[];
  cause_step: 1 | 2 | 3 | null;
  findings: Finding[];
  tokens: TokenView[];
  deployments: string[];
  timeline: TimelineItem[];
}

/** A JSON Web Key Set, or its text. */
export type JwksInput = string | { keys: Record<string, unknown>[] };

export interface JudgeOptions {
  /** The text of `convex/auth.config.ts` (or `.js`). Imports of other files are not followed: use `configPath`. */
  config?: string;
  /** The path of `convex/auth.config.ts`: read from disk, with the project files it imports. */
  configPath?: string;
  /** Values of `process.env.NAME` the config reads (the deployment's environment variables). */
  env?: Record<string, string | undefined>;
  /** The issuer's JWKS: signatures verified offline (`--jwks`). */
  jwks?: JwksInput;
  /** The issuer's saved `openid-configuration` (`--discovery`). */
  discovery?: string | Record<string, unknown>;
  /** Fetch the issuer's discovery document and keys with `fetch` (`--fetch`; only public documents). */
  fetch?: boolean;
}

export interface TokenOptions extends JudgeOptions {
  /** Judge the token at this moment (Unix seconds or a Date); default: now. */
  now?: number | Date;
}

/** A HAR's text, its bytes, a file to read in chunks, or a stream of its bytes (read with bounded memory). */
export type HarInput =
  | string
  | Uint8Array
  | { path: string }
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/** Thrown for input the doctor cannot judge (the command line's exit status 2); `message` says why. */
export class DoctorInputError extends Error {
  name: 'DoctorInputError';
}

/** Judges one JWT: decoded, checked as the backend checks it, against `config` when given. */
export function judgeToken(token: string, options?: TokenOptions): Promise<Report>;

/** Judges a HAR file exported from DevTools (Chrome's with WebSocket messages, or Firefox's). */
export function judgeHar(har: HarInput, options?: JudgeOptions): Promise<Report>;

/** An event as the DevTools extension feeds it (the repository's crate/src/event.rs); times in Unix seconds. */
export type DoctorEvent =
  | { kind: 'ws_frame'; socket: string; url: string; direction: 'send' | 'receive'; time: number; data: string }
  | {
      kind: 'ws_frame_too_large';
      socket: string;
      url: string;
      direction: 'send' | 'receive';
      time: number;
      bytes: number;
    }
  | { kind: 'ws_close'; socket: string; url: string; time: number; reason?: string | null }
  | {
      kind: 'http';
      url: string;
      method?: string;
      time: number;
      request_headers?: [string, string][];
      request_body?: string | null;
      status?: number;
      response_headers?: [string, string][];
      response_body?: string | null;
    }
  | { kind: 'navigated'; url: string; time: number };

/** A live session: events in, the current report out. */
export interface DoctorSession {
  /** Feeds one event; throws on a malformed one (the session is unchanged). */
  push(event: DoctorEvent): void;
  /** Feeds many; returns how many were accepted. */
  pushAll(events: DoctorEvent[]): number;
  /** The user's auth.config.ts text and environment values; throws when the config cannot be read. */
  setConfig(config: string, env?: Record<string, string>): void;
  clearConfig(): void;
  /** Forgets the traffic fed so far. */
  reset(): void;
  report(): Report;
  /** The redacted markdown report, for a support thread. */
  markdown(): string;
  /** Releases the engine's memory for this session. */
  free(): void;
}

export function session(): DoctorSession;

/** The engine's version (the package's). */
export const version: string;
