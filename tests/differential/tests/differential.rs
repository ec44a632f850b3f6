//! Runs every generated case through both judges. Fails on any disagreement the allow-list (`known.rs`, README
//! "Known discrepancies") does not explain, and on any allow-list entry no case needs any more.
//! `DIFF_SHOW=<substring>` prints both verdicts and the doctor's findings for the cases whose name contains it.

use std::collections::BTreeMap;

use convex_auth_doctor_differential::case::Case;
use convex_auth_doctor_differential::known::{kind, KNOWN};
use convex_auth_doctor_differential::{backend, doctor, gen, keys::Keys};

/// Seeded random combinations of two or three variations, beside every single variation.
const COMBINATIONS: usize = 200;

/// Both verdicts on one case.
struct Outcome {
    name: String,
    reference: backend::Verdict,
    said: doctor::Verdict,
    /// The doctor's findings, when `DIFF_SHOW` asked for this case.
    shown: Option<Vec<String>>,
}

fn judge(case: &Case, show: Option<&str>) -> Outcome {
    let reference = backend::judge(case);
    let report = doctor::report(case).unwrap_or_else(|e| panic!("{}: config: {e}", case.name));
    let shown = show.filter(|s| case.name.contains(s)).map(|_| {
        report
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {:?} step {}: {}",
                    f.code.as_str(),
                    f.severity,
                    f.step,
                    f.message
                )
            })
            .collect()
    });
    Outcome {
        name: case.name.clone(),
        reference,
        said: doctor::verdict(&report),
        shown,
    }
}

/// Judges the deployable cases on every core (the verdicts are independent; their order is kept).
fn judge_all(cases: &[Case], show: Option<&str>) -> Vec<Outcome> {
    let cases: Vec<&Case> = cases.iter().filter(|c| backend::deployable(c)).collect();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let chunk = cases.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|c| judge(c, show)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a judging thread panicked"))
            .collect()
    })
}

#[test]
fn doctor_agrees_with_the_backend_libraries() {
    let keys = Keys::load();
    let cases = gen::cases(&keys, COMBINATIONS);
    let show = std::env::var("DIFF_SHOW").ok();
    let started = std::time::Instant::now();
    let outcomes = judge_all(&cases, show.as_deref());
    let accepted = outcomes
        .iter()
        .filter(|o| o.reference == backend::Verdict::Accept)
        .count();
    let mut unexplained = Vec::new();
    let mut explained: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for o in &outcomes {
        if let Some(findings) = &o.shown {
            eprintln!(
                "== {}\n   backend: {:?}\n   doctor: {:?}",
                o.name, o.reference, o.said
            );
            for f in findings {
                eprintln!("   {f}");
            }
        }
        let Some(k) = kind(&o.reference, &o.said) else {
            continue;
        };
        match KNOWN
            .iter()
            .find(|known| known.explains(&o.name, &o.reference, &o.said))
        {
            Some(known) => explained
                .entry(known.class)
                .or_default()
                .push(o.name.clone()),
            None => unexplained.push(format!(
                "{} [{k:?}]\n    backend: {:?}\n    doctor:  {:?}",
                o.name, o.reference, o.said
            )),
        }
    }
    eprintln!(
        "{} cases generated, {} judged in {:?} ({accepted} accepted by the backend's libraries), {} known \
         discrepancies, {} unexplained",
        cases.len(),
        outcomes.len(),
        started.elapsed(),
        explained.values().map(Vec::len).sum::<usize>(),
        unexplained.len()
    );
    for known in KNOWN {
        let hits = explained.get(known.class).map(Vec::len).unwrap_or(0);
        eprintln!(
            "  known {} {:?}: {hits} cases — {}",
            known.class, known.kinds, known.reason
        );
        for name in explained.get(known.class).into_iter().flatten() {
            eprintln!("      {name}");
        }
    }
    for u in &unexplained {
        eprintln!("{u}");
    }
    let stale: Vec<&str> = KNOWN
        .iter()
        .filter(|k| !explained.contains_key(k.class))
        .map(|k| k.class)
        .collect();
    // A reference that refused everything would make every comparison vacuous.
    assert!(
        accepted * 5 > outcomes.len(),
        "the backend's libraries accepted only {accepted} of {} cases",
        outcomes.len()
    );
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements (listed above)",
        unexplained.len()
    );
    assert!(
        stale.is_empty(),
        "allow-list classes no case needs any more (remove them and their README class): {stale:?}"
    );
}

/// The four base scenarios are valid tokens: both judges must accept them, by every transport.
#[test]
fn base_scenarios_are_accepted_by_both() {
    let keys = Keys::load();
    for (name, base) in gen::bases(&keys) {
        let case = base.build(name.to_owned(), &keys);
        assert_eq!(
            backend::judge(&case),
            backend::Verdict::Accept,
            "{name}: backend"
        );
        let report = doctor::report(&case).expect("config");
        assert_eq!(
            doctor::verdict(&report),
            doctor::Verdict::Accept,
            "{name}: doctor"
        );
    }
}
