//! STUB: the traffic helper replaces this file.

/// The auth part of an `Authenticate` frame.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthenticateKind {
    /// `tokenType: "User"`: the JWT text as sent.
    User { token: String },
    /// `tokenType: "Admin"` (the key is never kept).
    Admin { impersonating: bool },
    /// `tokenType: "None"`: auth cleared.
    None,
}

/// A client → server message, as far as the doctor needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    Connect {
        connection_count: u32,
        last_close_reason: Option<String>,
    },
    Authenticate {
        auth: AuthenticateKind,
        base_version: u64,
    },
    ModifyQuerySet {
        udf_paths: Vec<String>,
    },
    Mutation {
        request_id: u64,
        udf_path: String,
    },
    Action {
        request_id: u64,
        udf_path: String,
    },
    /// `Event` and any type this engine does not know.
    Other {
        message_type: String,
    },
}

/// Log lines of one function result.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionLogs {
    /// `udfPath` where the frame tells it (mutations/actions through their requestId are matched by the caller).
    pub query_id: Option<u64>,
    pub request_id: Option<u64>,
    pub log_lines: Vec<String>,
    /// The error text of a failed query/mutation/action.
    pub error: Option<String>,
}

/// A server → client message, as far as the doctor needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// A Transition. Frames that cannot matter (no log lines, no identity change) are recognised without a full
    /// parse and come back with empty `results`.
    Transition {
        start_identity: u64,
        end_identity: u64,
        results: Vec<FunctionLogs>,
        client_clock_skew: Option<f64>,
        server_ts: Option<f64>,
    },
    TransitionChunk {
        transition_id: String,
        part_number: u32,
        total_parts: u32,
        chunk: String,
    },
    MutationResponse(FunctionLogs),
    ActionResponse(FunctionLogs),
    AuthError {
        error: String,
        base_version: u64,
        auth_update_attempted: Option<bool>,
    },
    FatalError {
        error: String,
    },
    Ping,
    Other {
        message_type: String,
    },
}

/// Parses a client → server frame.
pub fn parse_client(_data: &str) -> Result<ClientMessage, String> {
    Err("stub".into())
}

/// Parses a server → client frame.
pub fn parse_server(_data: &str) -> Result<ServerMessage, String> {
    Err("stub".into())
}
