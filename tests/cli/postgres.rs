//! Real PostgreSQL: every history Alembic can load is applied with
//! `alembic upgrade heads` (and downgraded to base and upgraded again) on an
//! embedded PostgreSQL with pgvector, so the samples are proven valid.

use std::process::Command;

use crate::support::{histories, json, repo_root, test_python};

/// Fixtures that are not meant to run: Alembic refuses to load them.
const NOT_RUNNABLE: &[&str] = &[
    "cycle",
    "duplicate_id",
    "empty_file",
    "missing_parent",
    "missing_revision_var",
    "non_utf8",
    "pep701_fstring",
    // Starts from tables the application's create_all() made.
    "starts_from_create_all",
    "syntax_error",
];

#[test]
fn every_runnable_history_applies_on_postgres() {
    let python = test_python();
    let runnable: Vec<String> = histories()
        .into_iter()
        .filter(|h| !NOT_RUNNABLE.iter().any(|n| h.ends_with(&format!("/{n}"))))
        .collect();
    assert!(runnable.iter().any(|h| h.ends_with("/chat_saas")));
    let output = Command::new(&python)
        .arg(repo_root().join("tests/python/apply_history.py"))
        .arg("--downgrade")
        .args(runnable.iter().map(|h| repo_root().join(h)))
        .output()
        .expect("apply_history.py runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failed = Vec::new();
    let mut applied = 0;
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let result = json(line);
        if result["ok"] == true {
            applied += 1;
            assert!(
                !result["tables"].as_array().unwrap().is_empty(),
                "{}: no tables after upgrade",
                result["dir"]
            );
        } else {
            failed.push(format!(
                "{}:\n{}",
                result["dir"],
                result["error"].as_str().unwrap_or_default()
            ));
        }
    }
    assert!(
        failed.is_empty() && output.status.success(),
        "histories failed on PostgreSQL:\n{}\nstderr:\n{}",
        failed.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        applied,
        runnable.len(),
        "every runnable history reports a result:\n{stdout}"
    );
}
