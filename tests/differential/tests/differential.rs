//! Runs every generated case through both judges and fails on any disagreement not in the allow-list.

use convex_auth_doctor_differential::{backend, doctor, gen, keys::Keys};

#[test]
fn doctor_agrees_with_the_backend_libraries() {
    let keys = Keys::load();
    let cases = gen::cases(&keys, 300);
    let mut disagreements = Vec::new();
    for case in &cases {
        if !backend::deployable(case) {
            continue;
        }
        let reference = backend::judge(case);
        let report = doctor::report(case).unwrap_or_else(|e| panic!("{}: config: {e}", case.name));
        let said = doctor::verdict(&report);
        let agree = matches!(
            (&reference, &said),
            (backend::Verdict::Accept, doctor::Verdict::Accept)
                | (backend::Verdict::Refuse(_), doctor::Verdict::Refuse(_))
        );
        if !agree {
            disagreements.push(format!(
                "{}\n    backend: {:?}\n    doctor:  {:?}",
                case.name, reference, said
            ));
        }
    }
    eprintln!(
        "{} cases, {} disagreements",
        cases.len(),
        disagreements.len()
    );
    for d in &disagreements {
        eprintln!("{d}");
    }
    assert!(disagreements.is_empty());
}
