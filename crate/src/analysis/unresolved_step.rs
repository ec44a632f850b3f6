//! Step 3 when the configuration reads variables whose values are not known: the step stays `unknown` (a
//! provider that reads one may be the one the token takes, so passing would be a guess) and its summary says
//! what would settle it — the variable, the value this token needs, and where to set it — instead of asking
//! for a configuration the user already gave.

use crate::findings::{Code, Finding, Severity, Status};
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

/// The deployment said no provider matches the token while the configuration given here reads variables whose
/// values were not given: step 3 fails on the server's word (it evaluated the configuration with its own values),
/// and the unknown variables are where to look first.
pub(super) fn server_refused(verdict: &[Finding]) -> Option<Finding> {
    let names: Vec<&str> = verdict
        .iter()
        .filter(|f| f.code == Code::ConfigEnvUnresolved)
        .filter_map(|f| f.evidence.get("name").and_then(|v| v.as_str()))
        .collect();
    let decided = verdict
        .iter()
        .any(|f| f.code != Code::ConfigEnvUnresolved && f.severity >= Severity::Warn);
    if names.is_empty() || decided {
        return None;
    }
    let list = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(
        Finding::new(
            Code::ConfigNoMatch,
            format!("The deployment says no provider matches the token; the configuration given here reads {list}, whose value on the deployment is what decides it."),
        )
        .with("unresolved", names.clone())
        .causes(names.iter().map(|n| format!(
            "{n} on the deployment (dashboard: this deployment's Settings > Environment Variables, or `npx convex env get {n}`) is not the value this token needs: see the config.env_unresolved finding."
        ))),
    )
}
