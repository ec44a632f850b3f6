//! `convex-auth-doctor`: the command-line front end.
fn main() {}
