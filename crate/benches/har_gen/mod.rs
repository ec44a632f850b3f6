//! Writes a large, realistic Chrome-style HAR of a busy Convex app for the HAR benchmark: a few sync sockets
//! (reconnects) carrying mostly large `Transition`s with `QueryUpdated` values, the auth sequence (Connect,
//! Authenticate, a rejected token's AuthError, an accepted one's identity change, `'server identity'` log
//! lines), pings and mutations, plus HTTP entries to Convex and to other hosts. Deterministic (own PRNG).

use std::fs::File;
use std::io::{BufWriter, Result, Write};
use std::path::Path;

/// What the generator wrote.
pub struct Generated {
    pub bytes: u64,
    pub frames: u64,
    pub sockets: u64,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn ts(n: u64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(n.to_le_bytes())
}

const JWT: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yYSIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJjb252ZXgiLCJleHAiOjE3OTU2ODY0MDAsImlhdCI6MTc5NTY4NjM0MCwiaXNzIjoiaHR0cHM6Ly9leGFtcGxlLmNsZXJrLmFjY291bnRzLmRldiIsInN1YiI6InVzZXJfMmFiYyJ9.c2lnbmF0dXJl";
const WS_URL: &str = "wss://happy-animal-123.convex.cloud/api/1.48.0/sync";
const DEPLOYMENT: &str = "https://happy-animal-123.convex.cloud";

/// One query result: a page of chat messages, about `rows` × 150 bytes of JSON.
fn query_value(rng: &mut Rng, rows: usize) -> String {
    let mut s = String::from("{\"page\":[");
    for i in 0..rows {
        if i > 0 {
            s.push(',');
        }
        let id = rng.next();
        s.push_str(&format!(
            "{{\"_id\":\"k{id:016x}\",\"_creationTime\":{}.{},\"author\":\"user_{:06}\",\"body\":\"message {} with some text: \\\"quoted\\\" and more\",\"channel\":\"c{}\"}}",
            1795686400 + rng.below(100_000),
            rng.below(1000),
            rng.below(1_000_000),
            id % 10_000,
            rng.below(50)
        ));
    }
    s.push_str("],\"isDone\":false,\"continueCursor\":\"abc\"}");
    s
}

fn version(query_set: u64, identity: u64, t: u64) -> String {
    format!(
        "{{\"querySet\":{query_set},\"identity\":{identity},\"ts\":\"{}\"}}",
        ts(t)
    )
}

fn transition(
    start: (u64, u64, u64),
    end: (u64, u64, u64),
    mods: &str,
    skew: f64,
    server_ns: u64,
) -> String {
    format!(
        "{{\"type\":\"Transition\",\"startVersion\":{},\"endVersion\":{},\"modifications\":[{mods}],\"clientClockSkew\":{skew},\"serverTs\":{server_ns}}}",
        version(start.0, start.1, start.2),
        version(end.0, end.1, end.2)
    )
}

struct Frames<'w, W: Write> {
    w: &'w mut W,
    first: bool,
    count: u64,
}

impl<W: Write> Frames<'_, W> {
    fn push(&mut self, ty: &str, time: f64, data: &str) -> Result<()> {
        if !self.first {
            self.w.write_all(b",")?;
        }
        self.first = false;
        self.count += 1;
        write!(
            self.w,
            "\n        {{\"type\":\"{ty}\",\"time\":{time:.3},\"opcode\":1,\"data\":"
        )?;
        serde_json::to_writer(&mut *self.w, data)?;
        self.w.write_all(b"}")
    }
}

fn http_entry<W: Write>(
    w: &mut W,
    url: &str,
    started: &str,
    status: u16,
    req: &str,
    resp: &str,
) -> Result<()> {
    write!(
        w,
        "{{\"_initiator\":{{\"type\":\"script\"}},\"_priority\":\"High\",\"_resourceType\":\"fetch\",\"cache\":{{}},\"connection\":\"443\",\"request\":{{\"method\":\"POST\",\"url\":"
    )?;
    serde_json::to_writer(&mut *w, url)?;
    write!(w, ",\"httpVersion\":\"http/2.0\",\"headers\":[{{\"name\":\"authorization\",\"value\":\"Bearer {JWT}\"}},{{\"name\":\"content-type\",\"value\":\"application/json\"}}],\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":{},\"postData\":{{\"mimeType\":\"application/json\",\"text\":", req.len())?;
    serde_json::to_writer(&mut *w, req)?;
    write!(w, "}}}},\"response\":{{\"status\":{status},\"statusText\":\"\",\"httpVersion\":\"http/2.0\",\"headers\":[{{\"name\":\"date\",\"value\":\"Wed, 25 Nov 2026 10:00:00 GMT\"}}],\"cookies\":[],\"content\":{{\"size\":{},\"mimeType\":\"application/json\",\"text\":", resp.len())?;
    serde_json::to_writer(&mut *w, resp)?;
    write!(w, "}},\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":-1,\"_transferSize\":100}},\"serverIPAddress\":\"1.2.3.4\",\"startedDateTime\":\"{started}\",\"time\":40.5,\"timings\":{{\"blocked\":1,\"dns\":-1,\"ssl\":-1,\"connect\":-1,\"send\":0.1,\"wait\":38,\"receive\":1.4}}}}")
}

/// Writes about `target_bytes` of HAR to `path`.
pub fn generate(path: &Path, target_bytes: u64) -> Result<Generated> {
    let file = File::create(path)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    w.write_all(b"{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},\"pages\":[{\"startedDateTime\":\"2026-11-25T10:00:00.000Z\",\"id\":\"page_1\",\"title\":\"http://localhost:5173/\",\"pageTimings\":{}}],\"entries\":[\n")?;
    // HTTP entries first: a Convex query and a large non-Convex script.
    http_entry(
        &mut w,
        &format!("{DEPLOYMENT}/api/query"),
        "2026-11-25T10:00:00.100Z",
        200,
        "{\"path\":\"users:viewer\",\"format\":\"convex_encoded_json\",\"args\":[{}]}",
        "{\"status\":\"success\",\"value\":null,\"logLines\":[\"[LOG] 'server identity' null\"]}",
    )?;
    w.write_all(b",\n")?;
    http_entry(
        &mut w,
        "https://cdn.example.com/assets/index.js",
        "2026-11-25T10:00:00.050Z",
        200,
        "",
        &"x".repeat(2_000_000),
    )?;

    let sockets = 4u64;
    let per_socket = target_bytes / sockets;
    let mut total_frames = 0;
    let mut written: u64 = 2_100_000;
    let mut t = 1795686400.0f64;
    let mut identity = 0u64;
    let mut qts = 1000u64;
    for s in 0..sockets {
        let started = format!("2026-11-25T10:{:02}:00.000Z", s * 10);
        write!(
            w,
            ",\n{{\"_initiator\":{{\"type\":\"script\"}},\"_priority\":\"VeryHigh\",\"_resourceType\":\"websocket\",\"cache\":{{}},\"connection\":\"443\",\"request\":{{\"method\":\"GET\",\"url\":\"{WS_URL}\",\"httpVersion\":\"HTTP/1.1\",\"headers\":[{{\"name\":\"Upgrade\",\"value\":\"websocket\"}}],\"queryString\":[],\"cookies\":[],\"headersSize\":400,\"bodySize\":0}},\"response\":{{\"status\":101,\"statusText\":\"Switching Protocols\",\"httpVersion\":\"HTTP/1.1\",\"headers\":[],\"cookies\":[],\"content\":{{\"size\":0,\"mimeType\":\"x-unknown\"}},\"redirectURL\":\"\",\"headersSize\":200,\"bodySize\":0,\"_transferSize\":0}},\"serverIPAddress\":\"1.2.3.4\",\"startedDateTime\":\"{started}\",\"time\":0,\"timings\":{{\"blocked\":-1,\"dns\":-1,\"ssl\":-1,\"connect\":-1,\"send\":0,\"wait\":0,\"receive\":0}},\"_webSocketMessages\":["
        )?;
        let mut f = Frames {
            w: &mut w,
            first: true,
            count: 0,
        };
        let reason = if s == 0 {
            "\"InitialConnect\"".to_string()
        } else {
            "\"AuthError\"".to_string()
        };
        f.push("send", t, &format!("{{\"type\":\"Connect\",\"sessionId\":\"5f0e7a39-2d9c-4a59-9b36-7f2f0d1f3c11\",\"connectionCount\":{s},\"lastCloseReason\":{reason},\"clientTs\":{}}}", (t * 1000.0) as u64))?;
        f.push("send", t + 0.001, &format!("{{\"type\":\"Authenticate\",\"tokenType\":\"User\",\"value\":\"{JWT}\",\"baseVersion\":{identity}}}"))?;
        f.push("send", t + 0.002, "{\"type\":\"ModifyQuerySet\",\"baseVersion\":0,\"newVersion\":1,\"modifications\":[{\"type\":\"Add\",\"queryId\":0,\"udfPath\":\"users:viewer\",\"args\":[{}]},{\"type\":\"Add\",\"queryId\":1,\"udfPath\":\"messages:list\",\"args\":[{\"channel\":\"c1\"}]}]}")?;
        if s == 1 {
            // A rejected token: the server answers AuthError and closes.
            f.push("receive", t + 0.2, &format!("{{\"type\":\"AuthError\",\"error\":\"No auth provider found matching the given token\",\"baseVersion\":{identity},\"authUpdateAttempted\":true}}"))?;
        }
        // The accepted token: identity goes up, with the 'server identity' line.
        let line = "[LOG] 'server identity' {\\n  tokenIdentifier: 'https://example.clerk.accounts.dev|user_2abc',\\n  issuer: 'https://example.clerk.accounts.dev',\\n  subject: 'user_2abc'\\n}";
        let mods = format!("{{\"type\":\"QueryUpdated\",\"queryId\":0,\"value\":{{\"name\":\"Ada\"}},\"logLines\":[\"{line}\"],\"journal\":null}}");
        f.push(
            "receive",
            t + 0.3,
            &transition(
                (0, identity, qts),
                (1, identity + 1, qts + 1),
                &mods,
                -3.5,
                (t * 1e9) as u64,
            ),
        )?;
        identity += 1;
        qts += 1;
        t += 0.3;
        let mut socket_bytes = 0u64;
        while socket_bytes < per_socket {
            t += 0.01;
            let roll = rng.below(1000);
            let data = if roll < 8 {
                "{\"type\":\"Ping\"}".to_string()
            } else if roll < 12 {
                format!("{{\"type\":\"Mutation\",\"requestId\":{},\"udfPath\":\"messages:send\",\"args\":[{{\"body\":\"hi\"}}]}}", rng.below(1000))
            } else if roll < 13 {
                let mods = "{\"type\":\"QueryUpdated\",\"queryId\":1,\"value\":null,\"logLines\":[\"[LOG] 'server identity' null\"],\"journal\":null}";
                transition(
                    (1, identity, qts),
                    (1, identity, qts + 1),
                    mods,
                    -3.5,
                    (t * 1e9) as u64,
                )
            } else {
                let rows = 2 + rng.below(8) as usize;
                let mods = format!(
                    "{{\"type\":\"QueryUpdated\",\"queryId\":1,\"value\":{},\"logLines\":[],\"journal\":null}}",
                    query_value(&mut rng, rows)
                );
                transition(
                    (1, identity, qts),
                    (1, identity, qts + 1),
                    &mods,
                    -3.5,
                    (t * 1e9) as u64,
                )
            };
            qts += 1;
            let dir = if data.starts_with("{\"type\":\"Mutation\"") {
                "send"
            } else {
                "receive"
            };
            // Escaping in the HAR adds about a fifth (quotes inside the frame text).
            socket_bytes += data.len() as u64 * 6 / 5 + 60;
            f.push(dir, t, &data)?;
        }
        total_frames += f.count;
        written += socket_bytes;
        w.write_all(b"\n      ]}")?;
    }
    w.write_all(b"\n]}}\n")?;
    w.flush()?;
    let _ = written;
    let bytes = std::fs::metadata(path)?.len();
    Ok(Generated {
        bytes,
        frames: total_frames,
        sockets,
    })
}
