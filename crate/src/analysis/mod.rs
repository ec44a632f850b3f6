//! The judgement: evidence gathered from events, a token or a configuration, turned into the three steps.
//! OWNER: lead.

use crate::report::Report;

/// Accumulates captured events and produces the current report.
#[derive(Debug, Default)]
pub struct Session {}

impl Session {
    pub fn new() -> Self {
        Session::default()
    }

    pub fn push(&mut self, _event: crate::event::Event) {}

    pub fn report(&self) -> Report {
        Report {
            doctor: crate::VERSION,
            steps: Vec::new(),
            cause_step: None,
            findings: Vec::new(),
            tokens: Vec::new(),
            deployments: Vec::new(),
            timeline: Vec::new(),
        }
    }
}
