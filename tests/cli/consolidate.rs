//! `consolidate`: the baselines of the bundled histories (snapshots), what
//! it refuses and why, and that it never loses a file.

use std::process::Command;

use crate::support::{copy_dir, json, migsquash, repo_root, run, test_python};

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The baseline on stdout; the report on stderr.
fn baseline(history: &str) -> String {
    let (code, stdout, stderr) = run(&["consolidate", history]);
    assert_eq!(code, 0, "consolidate {history}:\n{stderr}");
    stdout
}

/// A copy of a bundled history in a temporary folder.
fn copy_history(history: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join(history), dir.path());
    dir
}

#[test]
fn chat_saas_baseline() {
    let text = baseline("sample_migrations/chat_saas");
    settings().bind(|| insta::assert_snapshot!("baseline_chat_saas", text));
    // Same bytes on every run.
    assert_eq!(text, baseline("sample_migrations/chat_saas"));
    assert!(text.contains("revision: str = \"ca1cdfc5d4ff\""));
    assert!(text.contains("down_revision: Union[str, Sequence[str], None] = None"));
}

#[test]
fn report_says_what_was_folded_and_what_was_not_replayed() {
    let (code, _, stderr) = run(&["consolidate", "sample_migrations/chat_saas"]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("✓ 52 revisions, 116 operations → "),
        "{stderr}"
    );
    assert!(stderr.contains("users 44→7"), "{stderr}");
    assert!(stderr.contains("warning[MS202]"), "{stderr}");
    assert!(
        stderr.contains("3042751a135a_backfill_users_email_normalized.py:23:5"),
        "{stderr}"
    );
    assert!(stderr.contains("deployed databases at ca1cdfc5d4ff need nothing"));

    let (code, stdout, _) = run(&[
        "consolidate",
        "--format",
        "json",
        "--out",
        "/dev/null",
        "--diff",
        "sample_migrations/chat_saas",
    ]);
    assert_eq!(code, 0);
    // `--diff` prints the diff; the JSON report comes with a real write.
    assert!(stdout.starts_with("--- /dev/null"), "{stdout}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.py");
    let (code, stdout, _) = run(&[
        "consolidate",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        "sample_migrations/chat_saas",
    ]);
    assert_eq!(code, 0);
    let report = json(&stdout);
    assert_eq!(report["written"], true);
    assert_eq!(report["summary"]["replaced_revisions"], 52);
    assert_eq!(report["summary"]["operations_before"], 116);
    assert_eq!(report["findings"][0]["code"], "MS202");
}

#[test]
fn consolidating_a_baseline_gives_the_same_file() {
    let text = baseline("sample_migrations/chat_saas");
    let dir = tempfile::tempdir().unwrap();
    let versions = dir.path().join("versions");
    std::fs::create_dir(&versions).unwrap();
    std::fs::write(versions.join("ca1cdfc5d4ff_baseline.py"), &text).unwrap();
    assert_eq!(baseline(versions.to_str().unwrap()), text);
}

#[test]
fn out_is_never_overwritten_without_force_and_check_finds_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("baseline.py");
    let out_arg = out.to_str().unwrap();
    let history = "sample_migrations/edge_cases/three_parent_merge";

    std::fs::write(&out, "keep me\n").unwrap();
    let (code, _, stderr) = run(&["consolidate", history, "--out", out_arg]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already exists; pass --force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");

    // --check: stale → 1 with a diff, nothing written.
    let (code, stdout, stderr) = run(&["consolidate", history, "--out", out_arg, "--check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("-keep me"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");

    let (code, _, stderr) = run(&["consolidate", history, "--out", out_arg, "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("def upgrade() -> None:"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    let (code, _, stderr) = run(&["consolidate", history, "--out", out_arg, "--check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("is up to date"));
}

#[test]
fn archive_moves_the_replaced_files_after_writing_the_baseline() {
    let project = copy_history("sample_migrations/chat_saas");
    let versions = project.path().join("migrations/versions");
    let archive = project.path().join("old_versions");
    let out = versions.join("ca1cdfc5d4ff_squashed_baseline.py");
    let (code, _, stderr) = run(&[
        "consolidate",
        project.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--archive",
        archive.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("moved 52 replaced revision files"),
        "{stderr}"
    );
    let left: Vec<String> = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    assert_eq!(left, ["ca1cdfc5d4ff_squashed_baseline.py"]);
    assert_eq!(std::fs::read_dir(&archive).unwrap().count(), 52);
    // The history is now the baseline alone, with the head's id.
    let (code, stdout, _) = run(&["check", project.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("no problems: 1 revision"), "{stdout}");
}

#[test]
fn what_cannot_be_known_is_refused_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("baseline.py");
    let (code, stdout, stderr) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/pep701_fstring",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("error[MS201]: the SQL is built when the migration runs"));
    assert!(stderr.contains("-->"), "{stderr}");
    assert!(stderr.contains("no baseline written"), "{stderr}");
    assert!(!out.exists());

    let (code, _, stderr) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/messy_real_world",
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("migsquash consolidate --up-to "),
        "the refusal suggests squashing less: {stderr}"
    );
}

#[test]
fn a_history_that_starts_from_tables_made_outside_it_is_refused_with_advice() {
    let (code, stdout, stderr) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/starts_from_create_all",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(
            "no revision creates table `users`: the history starts from a schema made outside it"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("no revision creates table `queries`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: a baseline builds the schema from an empty database"),
        "{stderr}"
    );
    // analyze says the same in one line, and gives only the estimate.
    let (_, stdout, _) = run(&[
        "analyze",
        "--no-cache",
        "sample_migrations/edge_cases/starts_from_create_all",
    ]);
    assert!(
        stdout.contains("2 operations cannot be known statically"),
        "{stdout}"
    );
}

#[test]
fn broken_histories_and_bad_options_are_refused() {
    let (code, _, stderr) = run(&["consolidate", "sample_migrations/edge_cases/cycle"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[MS004]"), "{stderr}");
    assert!(stderr.contains("consolidate needs them fixed first"));

    let (code, _, stderr) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/labeled_branches",
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("2 heads (9d2f6b4a0e85, b1f4d8c6a2a7)"),
        "{stderr}"
    );
    assert!(stderr.contains("--merge-heads"));

    let (code, _, stderr) = run(&[
        "consolidate",
        "sample_migrations/chat_saas",
        "--up-to",
        "nosuchrev",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no revision `nosuchrev`"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("bad.j2");
    std::fs::write(&template, "line one\n{% for x in %}\n").unwrap();
    let (code, _, stderr) = run(&[
        "consolidate",
        "sample_migrations/chat_saas",
        "--template",
        template.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bad.j2"), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");

    let readonly = dir.path().join("ro");
    std::fs::create_dir(&readonly).unwrap();
    let mut perms = std::fs::metadata(&readonly).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&readonly, perms).unwrap();
    let target = readonly.join("b.py");
    let (code, _, stderr) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/three_parent_merge",
        "--out",
        target.to_str().unwrap(),
    ]);
    // Root can write anywhere; anyone else gets a clear error.
    if code != 0 {
        assert_eq!(code, 2);
        assert!(stderr.contains("cannot write in"), "{stderr}");
    }
}

#[test]
fn up_to_squashes_only_the_start_of_the_history() {
    let (code, stdout, stderr) = run(&[
        "consolidate",
        "sample_migrations/chat_saas",
        "--up-to",
        "3042751a135a",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("revision: str = \"3042751a135a\""));
    assert!(
        stderr.contains("later revisions stay as they are"),
        "{stderr}"
    );
}

#[test]
fn new_id_and_merge_heads_print_a_stamp_plan() {
    let (code, stdout, stderr) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/labeled_branches",
        "--merge-heads",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("alembic stamp --purge"), "{stderr}");
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("revision: str = "))
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 14, "a 12-hex id in quotes: {id}");
    let (_, again, _) = run(&[
        "consolidate",
        "sample_migrations/edge_cases/labeled_branches",
        "--merge-heads",
    ]);
    assert_eq!(stdout, again, "the derived id is stable");

    let (code, stdout, _) = run(&[
        "consolidate",
        "sample_migrations/chat_saas",
        "--new-id",
        "0123456789ab",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("revision: str = \"0123456789ab\""));
}

/// Every baseline compiles and is stable under `ruff format`.
#[test]
fn baselines_compile_and_are_ruff_formatted() {
    let python = test_python();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for history in [
        "sample_migrations/chat_saas",
        "sample_migrations/field_service",
        "sample_migrations/grants",
        "sample_migrations/edge_cases/three_parent_merge",
        "sample_migrations/edge_cases/batch_alter",
    ] {
        let path = dir
            .path()
            .join(format!("{}.py", history.rsplit('/').next().unwrap()));
        std::fs::write(&path, baseline(history)).unwrap();
        files.push(path);
    }
    let compile = Command::new(&python)
        .args(["-m", "py_compile"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        compile.status.success(),
        "{}",
        String::from_utf8_lossy(&compile.stderr)
    );
    let ruff = Command::new(&python)
        .args(["-m", "ruff", "format", "--check", "--diff"])
        .args(&files)
        .output()
        .expect("ruff is in the test venv (tests/python/requirements.txt)");
    assert!(
        ruff.status.success(),
        "ruff would reformat the baseline:\n{}{}",
        String::from_utf8_lossy(&ruff.stdout),
        String::from_utf8_lossy(&ruff.stderr)
    );
}

#[test]
fn consolidate_help_teaches() {
    let output = migsquash()
        .args(["consolidate", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("--up-to <REV>"));
    assert!(help.contains("Examples:"));
    assert!(help.contains("migsquash verify"));
}

#[test]
fn a_refusal_is_json_too_when_json_is_asked_for() {
    for (history, code) in [
        ("sample_migrations/edge_cases/cycle", 1),
        ("sample_migrations/edge_cases/labeled_branches", 1),
    ] {
        let (exit, stdout, stderr) = run(&["consolidate", "--format", "json", history]);
        assert_eq!(exit, code, "{history}: {stderr}");
        let value: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{history}: not JSON ({e}):\n{stdout}"));
        assert_eq!(value["written"], false, "{stdout}");
        assert!(value["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}
