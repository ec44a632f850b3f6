//! Sync frames as the real client sends them (convex 1.48.0 `src/browser/sync/protocol.ts`, `client.ts`) and as
//! the backend answers (`sync_types` JSON: `ts` as base64 of 8 little-endian bytes, `serverTs` in nanoseconds).

use convex_auth_doctor::traffic::sync::decode_ts;
use convex_auth_doctor::traffic::{
    parse_client, parse_server, server_frame_may_matter, AuthenticateKind, ClientMessage,
    FunctionLogs, ServerMessage,
};

#[test]
fn connect_first_and_after_a_close() {
    let first = r#"{"type":"Connect","sessionId":"5f0e7a39-2d9c-4a59-9b36-7f2f0d1f3c11","connectionCount":0,"lastCloseReason":"InitialConnect","clientTs":1795686400010}"#;
    assert_eq!(
        parse_client(first).unwrap(),
        ClientMessage::Connect {
            connection_count: 0,
            last_close_reason: Some("InitialConnect".into()),
            client_ts: Some(1_795_686_400_010.0),
        }
    );
    let again = r#"{"type":"Connect","sessionId":"s","connectionCount":3,"lastCloseReason":"AuthProviderDiscoveryFailed","maxObservedTimestamp":"AQAAAAAAAAA=","clientTs":1}"#;
    assert_eq!(
        parse_client(again).unwrap(),
        ClientMessage::Connect {
            connection_count: 3,
            last_close_reason: Some("AuthProviderDiscoveryFailed".into()),
            client_ts: Some(1.0),
        }
    );
    let null_reason = r#"{"type":"Connect","sessionId":"s","connectionCount":1,"lastCloseReason":null,"clientTs":1}"#;
    assert_eq!(
        parse_client(null_reason).unwrap(),
        ClientMessage::Connect {
            connection_count: 1,
            last_close_reason: None,
            client_ts: Some(1.0),
        }
    );
}

#[test]
fn authenticate_user_keeps_the_jwt() {
    let f = r#"{"type":"Authenticate","tokenType":"User","value":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln","baseVersion":0}"#;
    assert_eq!(
        parse_client(f).unwrap(),
        ClientMessage::Authenticate {
            auth: AuthenticateKind::User {
                token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln".into()
            },
            base_version: 0
        }
    );
}

#[test]
fn authenticate_admin_never_keeps_the_key() {
    let secret = "prod:happy-animal-123|01abcdefSECRETKEY";
    let f = format!(
        r#"{{"type":"Authenticate","tokenType":"Admin","value":"{secret}","baseVersion":2,"impersonating":{{"subject":"u1","issuer":"https://i"}}}}"#
    );
    let parsed = parse_client(&f).unwrap();
    assert_eq!(
        parsed,
        ClientMessage::Authenticate {
            auth: AuthenticateKind::Admin {
                impersonating: true
            },
            base_version: 2
        }
    );
    assert!(!format!("{parsed:?}").contains("SECRETKEY"));
    let plain = r#"{"type":"Authenticate","tokenType":"Admin","value":"k","baseVersion":0}"#;
    assert_eq!(
        parse_client(plain).unwrap(),
        ClientMessage::Authenticate {
            auth: AuthenticateKind::Admin {
                impersonating: false
            },
            base_version: 0
        }
    );
}

#[test]
fn authenticate_none_is_auth_cleared() {
    let f = r#"{"type":"Authenticate","tokenType":"None","baseVersion":1}"#;
    assert_eq!(
        parse_client(f).unwrap(),
        ClientMessage::Authenticate {
            auth: AuthenticateKind::None,
            base_version: 1
        }
    );
}

#[test]
fn modify_query_set_lists_added_functions() {
    let f = r#"{"type":"ModifyQuerySet","baseVersion":0,"newVersion":2,"modifications":[{"type":"Add","queryId":0,"udfPath":"users:viewer","args":[{}]},{"type":"Add","queryId":1,"udfPath":"messages:list","args":[{"channel":"x"}],"journal":null,"componentPath":"chat"},{"type":"Remove","queryId":7}]}"#;
    assert_eq!(
        parse_client(f).unwrap(),
        ClientMessage::ModifyQuerySet {
            udf_paths: vec!["users:viewer".into(), "messages:list".into()]
        }
    );
}

#[test]
fn mutation_action_and_event() {
    let m = r#"{"type":"Mutation","requestId":4,"udfPath":"messages:send","args":[{"body":"hi"}]}"#;
    assert_eq!(
        parse_client(m).unwrap(),
        ClientMessage::Mutation {
            request_id: 4,
            udf_path: "messages:send".into()
        }
    );
    let a =
        r#"{"type":"Action","requestId":5,"udfPath":"ai:ask","args":[{}],"componentPath":"agent"}"#;
    assert_eq!(
        parse_client(a).unwrap(),
        ClientMessage::Action {
            request_id: 5,
            udf_path: "ai:ask".into()
        }
    );
    let e = r#"{"type":"Event","eventType":"ClientConnect","event":{"marks":[]}}"#;
    assert_eq!(
        parse_client(e).unwrap(),
        ClientMessage::Other {
            message_type: "Event".into()
        }
    );
}

#[test]
fn client_errors_are_err_not_panics() {
    for bad in [
        "",
        "null",
        "[]",
        "{",
        r#"{"type":1}"#,
        r#"{"tokenType":"User"}"#,
        "\u{0}\u{1}",
    ] {
        assert!(parse_client(bad).is_err(), "{bad:?}");
    }
    assert!(parse_client(r#"{"type":"Authenticate","tokenType":"User","baseVersion":0}"#).is_err());
    assert!(
        parse_client(r#"{"type":"Authenticate","tokenType":"Magic","baseVersion":0}"#).is_err()
    );
    assert!(parse_client(r#"{"type":"Mutation","udfPath":"a:b"}"#).is_err());
}

// --- server ---------------------------------------------------------------------------------------------------

/// The backend's key order (serde_json maps sorted): `type` last.
const ACCEPTED_SORTED: &str = r#"{"clientClockSkew":-12.5,"endVersion":{"identity":1,"querySet":1,"ts":"ZAAAAAAAAAA="},"modifications":[{"journal":null,"logLines":["[LOG] 'server identity' null"],"queryId":0,"type":"QueryUpdated","value":null}],"serverTs":1795686400190000000,"startVersion":{"identity":0,"querySet":0,"ts":"AAAAAAAAAAA="},"type":"Transition"}"#;

#[test]
fn ts_is_base64_of_little_endian_u64() {
    assert_eq!(decode_ts("ZAAAAAAAAAA="), Some(100));
    assert_eq!(decode_ts("AAAAAAAAAAE="), Some(1 << 56));
    assert_eq!(decode_ts("AAAA"), None);
    assert_eq!(decode_ts("not base64!!"), None);
    assert_eq!(decode_ts(&"A".repeat(1000)), None);
}

#[test]
fn transition_with_identity_change_and_logs() {
    assert_eq!(
        parse_server(ACCEPTED_SORTED).unwrap(),
        ServerMessage::Transition {
            start_identity: 0,
            end_identity: 1,
            results: vec![FunctionLogs {
                query_id: Some(0),
                request_id: None,
                log_lines: vec!["[LOG] 'server identity' null".into()],
                error: None
            }],
            updated: vec![0],
            client_clock_skew: Some(-12.5),
            server_ts: Some(1795686400.19),
        }
    );
    assert!(server_frame_may_matter(ACCEPTED_SORTED));
}

#[test]
fn transition_query_failed_carries_the_error() {
    let f = r#"{"type":"Transition","startVersion":{"querySet":1,"identity":1,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":1,"ts":"AQAAAAAAAAA="},"modifications":[{"type":"QueryFailed","queryId":3,"errorMessage":"[Request ID: ab] Server Error\nUncaught Error: Unauthenticated","logLines":[],"errorData":null,"journal":null},{"type":"QueryRemoved","queryId":2}],"clientClockSkew":null,"serverTs":null}"#;
    assert!(server_frame_may_matter(f));
    match parse_server(f).unwrap() {
        ServerMessage::Transition {
            results,
            client_clock_skew,
            server_ts,
            ..
        } => {
            assert_eq!(results.len(), 1);
            assert_eq!(results[0].query_id, Some(3));
            assert!(results[0]
                .error
                .as_deref()
                .unwrap()
                .contains("Unauthenticated"));
            assert_eq!((client_clock_skew, server_ts), (None, None));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn skippable_transition_is_recognised_cheaply_with_its_clock_fields() {
    let big_value = "x".repeat(100_000);
    let f = format!(
        r#"{{"type":"Transition","startVersion":{{"querySet":3,"identity":2,"ts":"AAAAAAAAAAA="}},"endVersion":{{"querySet":3,"identity":2,"ts":"AQAAAAAAAAA="}},"modifications":[{{"type":"QueryUpdated","queryId":0,"value":{{"rows":["{big_value}"]}},"logLines":[],"journal":null}}],"clientClockSkew":7.25,"serverTs":1795686400000000000}}"#
    );
    assert!(!server_frame_may_matter(&f));
    assert_eq!(
        parse_server(&f).unwrap(),
        ServerMessage::Transition {
            start_identity: 2,
            end_identity: 2,
            results: vec![],
            updated: vec![],
            client_clock_skew: Some(7.25),
            server_ts: Some(1795686400.0)
        }
    );
}

#[test]
fn user_data_that_imitates_protocol_keys_does_not_fool_the_fast_path() {
    // A query value with its own "startVersion"/"endVersion" keys: the cheap reading is not sure, so the frame
    // counts as mattering and the full parse reads the real versions.
    let f = r#"{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":1,"ts":"AQAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,"value":{"startVersion":{"identity":5},"endVersion":{"identity":5}},"logLines":[],"journal":null}]}"#;
    assert!(server_frame_may_matter(f));
    match parse_server(f).unwrap() {
        ServerMessage::Transition {
            start_identity,
            end_identity,
            ..
        } => assert_eq!((start_identity, end_identity), (0, 1)),
        other => panic!("{other:?}"),
    }
    // A mutation result that contains a Transition-looking object is not a Transition.
    let m = r#"{"type":"MutationResponse","requestId":1,"success":true,"result":{"type":"Transition","startVersion":{"identity":0},"endVersion":{"identity":0}},"ts":"AQAAAAAAAAA=","logLines":[]}"#;
    assert!(server_frame_may_matter(m));
    assert!(matches!(
        parse_server(m).unwrap(),
        ServerMessage::MutationResponse(_)
    ));
}

#[test]
fn transition_chunk() {
    let f = r#"{"type":"TransitionChunk","chunk":"{\"type\":\"Transi","partNumber":0,"totalParts":2,"transitionId":"t-1"}"#;
    assert_eq!(
        parse_server(f).unwrap(),
        ServerMessage::TransitionChunk {
            transition_id: "t-1".into(),
            part_number: 0,
            total_parts: 2,
            chunk: "{\"type\":\"Transi".into()
        }
    );
    assert!(server_frame_may_matter(f));
}

#[test]
fn mutation_and_action_responses() {
    let ok = r#"{"type":"MutationResponse","requestId":0,"success":true,"result":{"_id":"k1"},"ts":"AQAAAAAAAAA=","logLines":["[LOG] 'server identity' null"]}"#;
    assert_eq!(
        parse_server(ok).unwrap(),
        ServerMessage::MutationResponse(FunctionLogs {
            query_id: None,
            request_id: Some(0),
            log_lines: vec!["[LOG] 'server identity' null".into()],
            error: None
        })
    );
    // success:false → `result` is the error text.
    let failed = r#"{"type":"ActionResponse","requestId":9,"success":false,"result":"Uncaught Error: Not authenticated","logLines":[],"errorData":null}"#;
    assert_eq!(
        parse_server(failed).unwrap(),
        ServerMessage::ActionResponse(FunctionLogs {
            query_id: None,
            request_id: Some(9),
            log_lines: vec![],
            error: Some("Uncaught Error: Not authenticated".into())
        })
    );
    // A successful result that happens to be a string is not an error.
    let ok_text =
        r#"{"type":"ActionResponse","requestId":2,"success":true,"result":"done","logLines":[]}"#;
    assert!(matches!(
        parse_server(ok_text).unwrap(),
        ServerMessage::ActionResponse(FunctionLogs { error: None, .. })
    ));
}

#[test]
fn auth_error_with_and_without_auth_update_attempted() {
    let rejected = r#"{"type":"AuthError","error":"No auth provider found matching the given token","baseVersion":0,"authUpdateAttempted":true}"#;
    assert_eq!(
        parse_server(rejected).unwrap(),
        ServerMessage::AuthError {
            error: "No auth provider found matching the given token".into(),
            base_version: 0,
            auth_update_attempted: Some(true)
        }
    );
    let expired = r#"{"type":"AuthError","error":"Convex token identity expired","baseVersion":1}"#;
    assert_eq!(
        parse_server(expired).unwrap(),
        ServerMessage::AuthError {
            error: "Convex token identity expired".into(),
            base_version: 1,
            auth_update_attempted: None
        }
    );
}

#[test]
fn fatal_ping_and_unknown() {
    assert_eq!(
        parse_server(r#"{"type":"FatalError","error":"InternalServerError"}"#).unwrap(),
        ServerMessage::FatalError {
            error: "InternalServerError".into()
        }
    );
    assert_eq!(
        parse_server(r#"{"type":"Ping"}"#).unwrap(),
        ServerMessage::Ping
    );
    assert!(!server_frame_may_matter(r#"{"type":"Ping"}"#));
    assert_eq!(
        parse_server(r#"{"type":"Hello","x":1}"#).unwrap(),
        ServerMessage::Other {
            message_type: "Hello".into()
        }
    );
    assert!(server_frame_may_matter(r#"{"type":"Hello","x":1}"#));
}

#[test]
fn server_errors_are_err_and_unsure_frames_matter() {
    for bad in [
        "",
        "nope",
        "[1,2]",
        "{\"type\":\"Transition\"}",
        "{\"type\":\"AuthError\"}",
        "{\"type\":\"Transition\",\"startVersion\":{\"identity\":-1}",
    ] {
        assert!(parse_server(bad).is_err(), "{bad:?}");
        assert!(server_frame_may_matter(bad), "{bad:?}");
    }
}

#[test]
fn whitespace_in_log_lines_array_still_counts() {
    let f = r#"{"type":"Transition","startVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":0,"identity":0,"ts":"AAAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,"value":1,"logLines":[ "[LOG] hi"],"journal":null}]}"#;
    assert!(server_frame_may_matter(f));
    let empty_spaced = f.replace(r#"[ "[LOG] hi"]"#, "[ ]");
    assert!(!server_frame_may_matter(&empty_spaced));
}

#[test]
fn fast_path_reads_top_level_versions_only() {
    // Real versions equal; a value holds look-alike keys with different identities: still skippable, and the
    // identities come from the real versions.
    let f = r#"{"type":"Transition","startVersion":{"querySet":1,"identity":4,"ts":"AAAAAAAAAAA="},"endVersion":{"querySet":1,"identity":4,"ts":"AQAAAAAAAAA="},"modifications":[{"type":"QueryUpdated","queryId":0,"value":{"startVersion":{"identity":0},"endVersion":{"identity":9},"serverTs":5},"logLines":[],"journal":null}],"clientClockSkew":null,"serverTs":2000000000}"#;
    assert!(!server_frame_may_matter(f));
    assert_eq!(
        parse_server(f).unwrap(),
        ServerMessage::Transition {
            start_identity: 4,
            end_identity: 4,
            results: vec![],
            updated: vec![],
            client_clock_skew: None,
            server_ts: Some(2.0)
        }
    );
}

#[test]
fn fast_path_with_sorted_keys() {
    let f = r#"{"clientClockSkew":2.0,"endVersion":{"identity":3,"querySet":2,"ts":"AQAAAAAAAAA="},"modifications":[{"journal":null,"logLines":[],"queryId":1,"type":"QueryUpdated","value":[1,2,[3]]}],"serverTs":1000000000,"startVersion":{"identity":3,"querySet":2,"ts":"AAAAAAAAAAA="},"type":"Transition"}"#;
    assert!(!server_frame_may_matter(f));
    assert_eq!(
        parse_server(f).unwrap(),
        ServerMessage::Transition {
            start_identity: 3,
            end_identity: 3,
            results: vec![],
            updated: vec![],
            client_clock_skew: Some(2.0),
            server_ts: Some(1.0)
        }
    );
    // Same frame, identity raised: matters.
    let raised = f.replace(
        r#""endVersion":{"identity":3"#,
        r#""endVersion":{"identity":4"#,
    );
    assert!(server_frame_may_matter(&raised));
    assert!(matches!(
        parse_server(&raised).unwrap(),
        ServerMessage::Transition {
            start_identity: 3,
            end_identity: 4,
            ..
        }
    ));
}

#[test]
fn added_queries_name_query_ids() {
    use convex_auth_doctor::traffic::sync::added_queries;
    let f = r#"{"type":"ModifyQuerySet","baseVersion":0,"newVersion":2,"modifications":[{"type":"Add","queryId":0,"udfPath":"users:viewer","args":[{}]},{"type":"Remove","queryId":7},{"type":"Add","queryId":3,"udfPath":"messages:list","args":[{}]}]}"#;
    assert_eq!(
        added_queries(f).unwrap(),
        vec![
            (0, "users:viewer".to_string()),
            (3, "messages:list".to_string())
        ]
    );
    assert_eq!(
        added_queries(r#"{"type":"Connect","connectionCount":0}"#).unwrap(),
        vec![]
    );
    assert!(added_queries("nope").is_err());
}
