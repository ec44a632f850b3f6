//! Binary-side helpers of the command-line tool: the parts that do I/O the pure command must not.

pub mod fetch;
