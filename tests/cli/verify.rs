//! `verify`: every bundled history that consolidates is proven on a real
//! PostgreSQL (the embedded one from the test venv): same schema, and a
//! downgrade that leaves nothing.

use crate::support::{repo_root, run, test_python};

/// Histories `consolidate` accepts (the others are refused with their
/// reasons; see consolidate.rs).
const CONSOLIDATED: &[&str] = &[
    "sample_migrations/chat_saas",
    "sample_migrations/field_service",
    "sample_migrations/grants",
    "sample_migrations/edge_cases/annotated_headers",
    "sample_migrations/edge_cases/batch_alter",
    "sample_migrations/edge_cases/concurrent_index_rebuild",
    "sample_migrations/edge_cases/filename_mismatch",
    "sample_migrations/edge_cases/naming_convention",
    "sample_migrations/edge_cases/nested_folders",
    "sample_migrations/edge_cases/non_literal_label",
    "sample_migrations/edge_cases/renamed_table_constraints",
    "sample_migrations/edge_cases/several_bases",
    "sample_migrations/edge_cases/string_ids_and_long_names",
    "sample_migrations/edge_cases/three_parent_merge",
];

fn consolidate(history: &str, extra: &[&str], out: &std::path::Path) {
    let mut args = vec!["consolidate", history, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, _, stderr) = run(&args);
    assert_eq!(code, 0, "consolidate {history}:\n{stderr}");
}

fn verify(history: &str, baseline: &std::path::Path) -> (i32, String, String) {
    let python = test_python();
    run(&[
        "verify",
        history,
        "--baseline",
        baseline.to_str().unwrap(),
        "--python",
        python.to_str().unwrap(),
    ])
}

#[test]
fn every_consolidated_history_builds_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for history in CONSOLIDATED {
        let out = dir
            .path()
            .join(format!("{}.py", history.rsplit('/').next().unwrap()));
        consolidate(history, &[], &out);
        let (code, stdout, stderr) = verify(history, &out);
        if code != 0
            || !stdout.contains("✓ the baseline builds the same schema")
            || !stdout.contains("✓ its downgrade() leaves an empty schema")
        {
            failures.push(format!("{history} (exit {code}):\n{stdout}\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_up_to_baseline_with_the_later_revisions_builds_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("upto.py");
    consolidate(
        "sample_migrations/chat_saas",
        &["--up-to", "3042751a135a"],
        &out,
    );
    let (code, stdout, stderr) = verify("sample_migrations/chat_saas", &out);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("✓ the baseline builds the same schema"),
        "{stdout}"
    );
}

#[test]
fn a_baseline_that_differs_is_shown_as_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.py");
    let history = "sample_migrations/edge_cases/three_parent_merge";
    consolidate(history, &[], &out);
    // Lose one column, as a hand-made squash would.
    let text = std::fs::read_to_string(&out).unwrap();
    let line = "        sa.Column(\"last4\", sa.String(length=4), nullable=True),\n";
    assert!(text.contains(line), "{text}");
    std::fs::write(&out, text.replacen(line, "", 1)).unwrap();
    let (code, stdout, stderr) = verify(history, &out);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("--- history"), "{stdout}");
    assert!(stdout.contains("last4"), "{stdout}");
    assert!(
        stdout.contains("✗ the baseline builds a different schema"),
        "{stdout}"
    );
}

#[test]
fn verify_reports_what_keeps_it_from_running() {
    let (code, _, stderr) = run(&[
        "verify",
        "sample_migrations/chat_saas",
        "--baseline",
        "no/such/baseline.py",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("baseline no/such/baseline.py does not exist"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.py");
    consolidate("sample_migrations/edge_cases/three_parent_merge", &[], &out);
    let (code, _, stderr) = run(&[
        "verify",
        "sample_migrations/edge_cases/three_parent_merge",
        "--baseline",
        out.to_str().unwrap(),
        "--python",
        repo_root().join("no-such-python").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--python"), "{stderr}");
}

/// A history of revisions creating many tables each.
fn many_tables_history(dir: &std::path::Path, revisions: usize, tables_each: usize) {
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    for r in 0..revisions {
        let down = match r {
            0 => "None".to_owned(),
            _ => format!("'r{:04}'", r - 1),
        };
        let mut body = String::new();
        for t in 0..tables_each {
            let name = format!("t{r}_{t}");
            body.push_str(&format!(
                "    op.create_table('{name}', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('code', sa.String(20), unique=True))\n    op.create_index('ix_{name}_code', '{name}', ['id', 'code'])\n"
            ));
        }
        std::fs::write(
            versions.join(format!("r{r:04}.py")),
            format!(
                "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'r{r:04}'\ndown_revision = {down}\n\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
            ),
        )
        .unwrap();
    }
}

#[test]
fn a_baseline_of_many_tables_commits_between_groups_of_them() {
    // One transaction creating 700 tables with their indexes runs out of
    // PostgreSQL's default lock table; the history's revisions each commit.
    let dir = tempfile::tempdir().unwrap();
    many_tables_history(dir.path(), 7, 100);
    let history = dir.path().join("versions");
    let history = history.to_str().unwrap();
    let out = dir.path().join("baseline.py");
    consolidate(history, &[], &out);
    let baseline = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        baseline
            .matches("with op.get_context().autocommit_block():\n        pass")
            .count(),
        6,
        "three commit points in upgrade() and three in downgrade()"
    );
    let (code, stdout, stderr) = verify(history, &out);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("✓ the baseline builds the same schema"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✓ its downgrade() leaves an empty schema"),
        "{stdout}"
    );
}
