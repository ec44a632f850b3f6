//! Binary-side helpers of the command-line tool: the parts that do I/O the pure engine must not.

// The fetch half is called by main.rs once the lead wires keys into the Session (see cli::keys::fetch).
#![allow(dead_code)]

pub mod keys;
