//! Binary-side helpers of the command-line tool: the parts that do I/O the pure engine must not.

pub mod imports;
pub mod keys;
pub mod project;
