//! Inline suppressions (`# migsquash: ignore[…]`, docs/suppressions.md),
//! on small histories of their own in tests/fixtures/suppressions/.

use std::path::{Path, PathBuf};

use crate::support::{copy_dir, json, migsquash, repo_root, run};

const FIXTURES: &str = "tests/fixtures/suppressions";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The codes of a JSON report's diagnostics, with their file and line.
fn findings(report: &str) -> Vec<String> {
    json(report)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap_or("-");
            let file = path.rsplit('/').next().unwrap_or(path);
            format!("{} {file}:{}", d["code"].as_str().unwrap(), d["line"])
        })
        .collect()
}

/// A copy of a fixture in a temporary folder, with `edit` applied to the
/// text of each revision file.
fn edited_copy(name: &str, edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join(name);
    copy_dir(&repo_root().join(fixture(name)), &history);
    for entry in std::fs::read_dir(history.join("versions")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(&text)).unwrap();
    }
    (dir, history)
}

fn without_suppressions(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("# migsquash:"))
        .map(|l| match l.find("  # migsquash:") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn a_used_suppression_hides_the_finding_and_the_exit_code_becomes_0() {
    let (code, stdout, stderr) = run(&["check", &fixture("used")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("no problems"), "{stdout}");
    let (code, stdout, _) = run(&["analyze", "--format", "json", &fixture("used")]);
    assert_eq!(code, 0);
    assert_eq!(findings(&stdout), Vec::<String>::new());
    assert_eq!(
        json(&stdout)["summary"]["diagnostics"],
        serde_json::json!({})
    );

    // The same history without the comment fails.
    let (_dir, history) = edited_copy("used", without_suppressions);
    let (code, stdout, _) = run(&["check", "--format", "json", history.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(findings(&stdout), ["MS001 b2_left.py:5"]);
}

#[test]
fn unused_suppressions_are_reported_and_check_and_analyze_agree() {
    let (code, stdout, _) = run(&["check", &fixture("unused")]);
    assert_eq!(code, 0, "MS104 is a warning");
    settings().bind(|| insta::assert_snapshot!("check_text_unused_suppressions", stdout));
    let (code, _, _) = run(&["check", "--deny-warnings", &fixture("unused")]);
    assert_eq!(code, 1);

    for name in ["used", "unused", "invalid", "in_string", "ignore_file"] {
        let (_, check, _) = run(&["check", "--format", "json", &fixture(name)]);
        let (_, analyze, _) = run(&["analyze", "--format", "json", &fixture(name)]);
        assert_eq!(
            json(&check)["diagnostics"],
            json(&analyze)["diagnostics"],
            "{name}"
        );
    }
    let (_, stdout, _) = run(&["check", "--format", "json", &fixture("unused")]);
    assert_eq!(
        findings(&stdout),
        ["MS104 a1_base.py:3", "MS104 b2_next.py:5"]
    );
}

#[test]
fn malformed_unknown_and_refused_codes_are_reported() {
    let (code, stdout, _) = run(&["check", &fixture("invalid")]);
    assert_eq!(code, 0);
    settings().bind(|| insta::assert_snapshot!("check_text_invalid_suppressions", stdout));
    let (_, stdout, _) = run(&["check", "--format", "json", &fixture("invalid")]);
    assert_eq!(
        findings(&stdout),
        [
            "MS105 a1_base.py:4",
            "MS105 a1_base.py:4",
            "MS105 a1_base.py:5",
            "MS105 a1_base.py:9",
            "MS105 a1_base.py:13",
        ]
    );
}

#[test]
fn a_marker_inside_a_string_is_not_a_suppression() {
    let (code, stdout, _) = run(&["check", "--format", "json", &fixture("in_string")]);
    assert_eq!(code, 1);
    assert_eq!(findings(&stdout), ["MS001 b2_left.py:5"]);
}

#[test]
fn ignore_file_hides_a_code_in_the_whole_file() {
    let (code, stdout, _) = run(&["check", "--deny-warnings", &fixture("ignore_file")]);
    assert_eq!(code, 0, "{stdout}");
    let (_dir, history) = edited_copy("ignore_file", without_suppressions);
    let (code, stdout, _) = run(&["check", "--format", "json", history.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(findings(&stdout), ["MS101 m3_merge.py:8"]);
}

/// Consolidate's findings of the revisions it squashes are suppressed and
/// judged there, and only there: `check` does not compute MS202.
#[test]
fn consolidate_suppresses_data_migrations_but_writes_the_same_baseline() {
    let history = fixture("consolidate");
    let (code, baseline, stderr) = run(&["consolidate", &history]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning[MS202]"), "suppressed:\n{stderr}");
    assert!(stderr.contains("warning[MS104]"), "{stderr}");
    assert!(stderr.contains("c3_index.py:9:82"), "{stderr}");

    let (_dir, bare) = edited_copy("consolidate", without_suppressions);
    let (code, bare_baseline, bare_stderr) = run(&["consolidate", bare.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(bare_stderr.contains("warning[MS202]"), "{bare_stderr}");
    assert_eq!(
        baseline, bare_baseline,
        "a suppression never changes the baseline"
    );

    let (code, stdout, _) = run(&["check", "--deny-warnings", "--format", "json", &history]);
    assert_eq!(code, 0, "check does not judge MS202: {stdout}");
    assert_eq!(findings(&stdout), Vec::<String>::new());

    // c3 is not squashed: its MS202 suppression is not judged.
    let (code, _, stderr) = run(&["consolidate", &history, "--up-to", "b2"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("MS104"), "{stderr}");
    assert!(!stderr.contains("warning[MS202]"), "{stderr}");
}

#[test]
fn unknowable_changes_cannot_be_suppressed() {
    let history = fixture("refused");
    let (code, stdout, _) = run(&["check", "--format", "json", &history]);
    assert_eq!(code, 0);
    assert_eq!(findings(&stdout), ["MS105 a1_dynamic.py:13"]);
    let (code, stdout, stderr) = run(&["consolidate", &history]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "", "no baseline");
    assert!(stderr.contains("error[MS201]"), "{stderr}");
}

#[test]
fn a_suppressed_error_still_stops_consolidate() {
    let (code, stdout, stderr) = run(&["consolidate", &fixture("used")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("error[MS001]"), "{stderr}");
    assert!(
        stderr.contains("consolidate needs them fixed first"),
        "{stderr}"
    );
}

/// verify replays the history too: a suppressed error stops it before any
/// database is started.
#[test]
fn a_suppressed_error_still_stops_verify() {
    let work = tempfile::tempdir().unwrap();
    let baseline = work.path().join("baseline.py");
    std::fs::write(&baseline, "revision = 'x'\ndown_revision = None\n").unwrap();
    let (code, stdout, stderr) = run(&[
        "verify",
        "--baseline",
        baseline.to_str().unwrap(),
        &fixture("used"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("the history has errors (MS001"), "{stderr}");
}

fn json_run(args: &[&str], history: &Path, cache: Option<&Path>) -> (i32, String) {
    let mut cmd = migsquash();
    cmd.args(args);
    if let Some(cache) = cache {
        cmd.env_remove("MIGSQUASH_NO_CACHE")
            .arg("--cache-dir")
            .arg(cache);
    }
    let output = cmd.arg(history).output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// Suppressions are cached with each file: a warm run (nothing parsed)
/// prints what a fresh one does, and an edit to a comment is seen.
#[test]
fn cached_runs_print_what_fresh_runs_do() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    for name in [
        "used",
        "unused",
        "invalid",
        "in_string",
        "ignore_file",
        "consolidate",
    ] {
        let history = work.path().join(name);
        copy_dir(&repo_root().join(fixture(name)), &history);
        for args in [
            &["check", "--format", "json"][..],
            &["analyze", "--format", "json"],
        ] {
            let fresh = json_run(args, &history, None);
            let cold = json_run(args, &history, Some(&cache));
            let warm = json_run(args, &history, Some(&cache));
            assert_eq!(fresh, cold, "{name} {args:?}");
            assert_eq!(fresh, warm, "{name} {args:?}");
        }
    }
    // Removing the comment is a change to the file: the finding is back.
    let history = work.path().join("used");
    let file = history.join("versions/b2_left.py");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, without_suppressions(&text)).unwrap();
    let (code, stdout) = json_run(&["check", "--format", "json"], &history, Some(&cache));
    assert_eq!(code, 1);
    assert_eq!(findings(&stdout), ["MS001 b2_left.py:5"]);
}
