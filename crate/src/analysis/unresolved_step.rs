//! Step 3 when the configuration reads variables whose values are not known: the step stays `unknown` (a
//! provider that reads one may be the one the token takes, so passing would be a guess) and its summary says
//! what would settle it — the variable, the value this token needs, and where to set it — instead of asking
//! for a configuration the user already gave.

use crate::findings::{Code, Finding, Status};
use crate::report::StepVerdict;

pub(super) fn explain(steps: &mut [StepVerdict], findings: &[Finding]) {
    let Some(step3) = steps
        .iter_mut()
        .find(|s| s.step == 3 && s.status == Status::Unknown)
    else {
        return;
    };
    let unresolved: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.step == 3 && f.code == Code::ConfigEnvUnresolved)
        .collect();
    let Some(first) = unresolved.first() else {
        return;
    };
    let more = match unresolved.len() {
        1 => String::new(),
        n => format!(" ({} more variables unknown, below)", n - 1),
    };
    step3.summary = format!("Not settled: {}{more}", first.message);
}
