//! Every output format, snapshotted. Paths are relative to the repository
//! root (the commands run there), so snapshots are stable.

use crate::support::{json, run};

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r#""version": "\d+\.\d+\.\d+[^"]*""#,
        r#""version": "[VERSION]""#,
    );
    settings.add_filter(r"migsquash \d+\.\d+\.\d+", "migsquash [VERSION]");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Runs the command, asserts its exit code, and snapshots stdout.
fn snapshot(name: &str, args: &[&str], expected_code: i32) -> String {
    let (code, stdout, stderr) = run(args);
    assert_eq!(
        code, expected_code,
        "exit code of {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    settings().bind(|| insta::assert_snapshot!(name, stdout));
    stdout
}

#[test]
fn analyze_text_chat_saas() {
    let out = snapshot(
        "analyze_text_chat_saas",
        &["analyze", "sample_migrations/chat_saas"],
        0,
    );
    assert!(out.contains("users.phone — column added then dropped"));
    assert!(out.contains("users.full_name — type changed and changed back"));
    assert!(out.contains("users.display_name ↔ full_name — renamed and renamed back"));
}

#[test]
fn analyze_markdown_grants() {
    let out = snapshot(
        "analyze_markdown_grants",
        &[
            "analyze",
            "--format",
            "markdown",
            "sample_migrations/grants",
        ],
        0,
    );
    assert!(out.starts_with("# Alembic history report"));
}

#[test]
fn analyze_json_labeled_branches() {
    let out = snapshot(
        "analyze_json_labeled_branches",
        &[
            "analyze",
            "--format",
            "json",
            "sample_migrations/edge_cases/labeled_branches",
        ],
        0,
    );
    let report = json(&out);
    for key in [
        "revisions",
        "heads",
        "bases",
        "merge_points",
        "branch_points",
        "upgrade_order",
        "diagnostics",
        "summary",
    ] {
        assert!(report.get(key).is_some(), "missing key {key}");
    }
    let revision = &report["revisions"][0];
    for key in [
        "revision",
        "down_revisions",
        "depends_on",
        "branch_labels",
        "path",
        "message",
        "operations",
    ] {
        assert!(revision.get(key).is_some(), "revision lacks {key}");
    }
    assert!(revision["revision"].is_string());
}

/// The default JSON leaves arguments out and writes an operation a line,
/// so it stays within a few times the history's size; `--detail full`
/// adds every argument as written, and nothing else.
#[test]
fn analyze_json_arguments_only_with_detail_full() {
    let history = "sample_migrations/chat_saas";
    let versions = crate::support::repo_root()
        .join(history)
        .join("migrations/versions");
    let input: u64 = std::fs::read_dir(versions)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let (code, compact, _) = run(&["analyze", "--format", "json", history]);
    assert_eq!(code, 0);
    let (code, full, _) = run(&["analyze", "--format", "json", "--detail", "full", history]);
    assert_eq!(code, 0);
    assert!(
        (compact.len() as u64) < 3 * input,
        "{} bytes of JSON for {input} bytes of history",
        compact.len()
    );
    let (compact, mut full) = (json(&compact), json(&full));
    assert_eq!(compact["schema_version"], 2);
    let operations = |report: &mut serde_json::Value| -> Vec<serde_json::Value> {
        report["revisions"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .flat_map(|r| r["operations"].as_array_mut().unwrap().iter_mut())
            .map(|op| {
                op.as_object_mut()
                    .unwrap()
                    .remove("args")
                    .unwrap_or_default()
            })
            .collect()
    };
    let args = operations(&mut full);
    assert!(!args.is_empty());
    assert!(args.iter().all(|a| a.as_array().is_some_and(|list| {
        list.iter()
            .all(|arg| arg["text"].is_string() && arg["span"].is_object())
    })));
    assert!(
        args.iter().any(|a| a
            .as_array()
            .unwrap()
            .iter()
            .any(|arg| arg["text"].as_str().unwrap().starts_with("sa.Column("))),
        "arguments are shown as written"
    );
    assert!(operations(&mut compact.clone()).iter().all(|a| a.is_null()));
    assert_eq!(full, compact, "apart from args, the same document");
}

#[test]
fn analyze_json_diagnostics_have_locations() {
    let (code, out, _) = run(&[
        "analyze",
        "--format",
        "json",
        "sample_migrations/edge_cases/two_heads",
    ]);
    assert_eq!(code, 1, "an error-level finding is reported");
    let report = json(&out);
    let diagnostic = &report["diagnostics"][0];
    for key in [
        "code", "severity", "message", "path", "line", "column", "revision",
    ] {
        assert!(
            !diagnostic[key].is_null(),
            "diagnostic lacks {key}: {diagnostic}"
        );
    }
    assert_eq!(diagnostic["code"], "MS001");
}

/// Each broken fixture is diagnosed with its own code, and `check` exits 1;
/// warnings alone exit 0.
#[test]
fn check_text_fixtures() {
    let cases: &[(&str, &str, i32)] = &[
        ("two_heads", "MS001", 1),
        ("missing_parent", "MS002", 1),
        ("duplicate_id", "MS003", 1),
        ("cycle", "MS004", 1),
        ("syntax_error", "MS005", 1),
        ("non_utf8", "MS006", 1),
        ("missing_revision_var", "MS007", 1),
        ("empty_file", "MS007", 1),
        ("non_literal_label", "MS008", 0),
        ("three_parent_merge", "MS101", 0),
        ("several_bases", "MS102", 0),
        ("labeled_branches", "", 0),
        ("annotated_headers", "", 0),
    ];
    for (fixture, code, exit) in cases {
        let path = format!("sample_migrations/edge_cases/{fixture}");
        let out = snapshot(&format!("check_text_{fixture}"), &["check", &path], *exit);
        let codes: Vec<&str> = out
            .lines()
            .filter_map(|l| {
                l.split_once('[')
                    .and_then(|(_, r)| r.split_once(']'))
                    .map(|(c, _)| c)
            })
            .filter(|c| c.starts_with("MS"))
            .collect();
        if code.is_empty() {
            assert!(
                codes.is_empty(),
                "{fixture}: expected no findings, got {codes:?}"
            );
        } else {
            assert_eq!(codes, [*code], "{fixture}: exactly its own diagnostic");
        }
    }
}

#[test]
fn duplicate_ids_are_not_reported_as_heads() {
    let (_, out, _) = run(&[
        "check",
        "--format",
        "json",
        "sample_migrations/edge_cases/duplicate_id",
    ]);
    let report = json(&out);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["MS003"]);
    assert_eq!(report["heads"].as_array().unwrap().len(), 1);
}

#[test]
fn check_json_and_github() {
    let out = snapshot(
        "check_json_two_heads",
        &[
            "check",
            "--format",
            "json",
            "sample_migrations/edge_cases/two_heads",
        ],
        1,
    );
    assert_eq!(json(&out)["summary"]["counts"]["errors"], 1);
    let out = snapshot(
        "check_github_two_heads",
        &[
            "check",
            "--format",
            "github",
            "sample_migrations/edge_cases/two_heads",
        ],
        1,
    );
    assert!(out.starts_with("::error file=sample_migrations/edge_cases/two_heads/versions/"));
}

#[test]
fn check_github_format_is_the_default_under_github_actions() {
    let output = crate::support::migsquash()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "sample_migrations/edge_cases/cycle"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("::error "));
}

#[test]
fn check_options_allow_intended_heads() {
    let (code, _, _) = run(&[
        "check",
        "--max-heads",
        "2",
        "sample_migrations/edge_cases/two_heads",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&[
        "check",
        "--allow-multiple-heads",
        "sample_migrations/edge_cases/two_heads",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&[
        "check",
        "--deny-warnings",
        "sample_migrations/edge_cases/several_bases",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn graph_formats() {
    let dot = snapshot(
        "graph_dot_three_parent_merge",
        &["graph", "sample_migrations/edge_cases/three_parent_merge"],
        0,
    );
    assert!(dot.starts_with("digraph alembic {"));
    let mermaid = snapshot(
        "graph_mermaid_labeled_branches",
        &[
            "graph",
            "--format",
            "mermaid",
            "sample_migrations/edge_cases/labeled_branches",
        ],
        0,
    );
    assert!(mermaid.contains("-. depends_on .->"));
    assert!(mermaid.contains("class "));
}

#[test]
fn explain() {
    snapshot("explain_list", &["explain"], 0);
    let out = snapshot("explain_ms001", &["explain", "MS001"], 0);
    assert!(out.contains("alembic merge"));
    let (code, _, stderr) = run(&["explain", "MS999"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown check `MS999`"));
}

/// docs/checks.md is generated from the checks' doc comments.
#[test]
fn checks_doc_is_up_to_date() {
    let (_, generated, _) = run(&["explain", "--all"]);
    let path = crate::support::repo_root().join("docs/checks.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        if std::env::var_os("MIGSQUASH_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        } else {
            panic!(
                "docs/checks.md is stale: run `MIGSQUASH_UPDATE_DOCS=1 cargo test checks_doc` (or `migsquash explain --all > docs/checks.md`)"
            );
        }
    }
}

#[test]
fn help_teaches() {
    let out = snapshot("help", &["--help"], 0);
    assert!(out.contains("Examples:"));
    snapshot("check_help", &["check", "--help"], 0);
    snapshot("analyze_help", &["analyze", "--help"], 0);
}

/// Counts agree in number with what they count: `1 merge revision`,
/// `1 file`, `1 op in 1 revision`.
#[test]
fn analyze_text_counts_in_the_singular() {
    let dir = tempfile::tempdir().unwrap();
    let revision = |id: &str, down: &str, body: &str| {
        format!(
            "from alembic import op\nimport sqlalchemy as sa\nrevision = '{id}'\ndown_revision = {down}\n\ndef upgrade():\n    {body}\n\ndef downgrade():\n    pass\n"
        )
    };
    for (id, down, body) in [
        (
            "a",
            "None",
            "op.create_table('t', sa.Column('id', sa.Integer()))",
        ),
        ("b", "'a'", "op.execute('UPDATE t SET id = 1')"),
        ("c", "'a'", "pass"),
        ("d", "('b', 'c')", "pass"),
    ] {
        std::fs::write(
            dir.path().join(format!("{id}.py")),
            revision(id, down, body),
        )
        .unwrap();
    }
    let (code, out, stderr) = run(&["analyze", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "revisions      4 (1 merge revision), 4 files\n",
        "longest chain  3 revisions\n",
        "  t     1 op  in   1 revision   create_table 1\n",
        "Raw SQL (1 op.execute call; 0 kept verbatim, 0 built at run time)\n",
        "  4 revision files → 1 baseline; 2 upgrade operations → 1 (",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
    std::fs::remove_file(dir.path().join("d.py")).unwrap();
    std::fs::remove_file(dir.path().join("c.py")).unwrap();
    std::fs::remove_file(dir.path().join("b.py")).unwrap();
    let (_, out, _) = run(&["analyze", dir.path().to_str().unwrap()]);
    for expected in [
        "revisions      1 (0 merge revisions), 1 file\n",
        "longest chain  1 revision\n",
        "Raw SQL (0 op.execute calls; 0 kept verbatim, 0 built at run time)\n",
        "  1 revision file → 1 baseline; 1 upgrade operation → 1 (",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
}
