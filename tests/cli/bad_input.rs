//! Bad input: a clear, located message, the right exit code, nothing lost.

use crate::support::{json, migsquash, run};

#[test]
fn missing_path_exits_2() {
    let (code, stdout, stderr) = run(&["check", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim(),
        "error: no/such/dir: no such file or directory"
    );
}

#[test]
fn empty_directory_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no revision files found in"), "{stderr}");
}

#[test]
fn config_without_script_location_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("alembic.ini");
    std::fs::write(&ini, "[alembic]\nsqlalchemy.url = sqlite://\n").unwrap();
    let (code, _, stderr) = run(&["check", ini.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("alembic.ini: no `script_location` key"),
        "{stderr}"
    );
}

#[test]
fn unparsable_config_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("alembic.ini");
    std::fs::write(&ini, "[alembic]\nscript_location = %(missing)s\n").unwrap();
    let (code, _, stderr) = run(&["analyze", ini.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`%(missing)s` refers to an option that is not set"),
        "{stderr}"
    );
}

#[test]
fn one_broken_file_does_not_stop_the_others() {
    let (code, out, _) = run(&[
        "analyze",
        "--format",
        "json",
        "sample_migrations/edge_cases/syntax_error",
    ]);
    assert_eq!(code, 0);
    let report = json(&out);
    assert_eq!(report["revisions"].as_array().unwrap().len(), 3);
    assert_eq!(report["summary"]["revision_files"], 4);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "MS005");
    assert!(diagnostic["line"].as_u64().unwrap() > 1);
}

#[test]
fn empty_and_headerless_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.py"),
        "revision = 'a'\ndown_revision = None\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.py"), "").unwrap();
    std::fs::write(dir.path().join("__init__.py"), "").unwrap();
    std::fs::write(dir.path().join("README.md"), "not a revision").unwrap();
    let (code, out, _) = run(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let report = json(&out);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "MS007");
    assert_eq!(report["summary"]["revision_files"], 2);
}

#[test]
fn out_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.md");
    std::fs::write(&target, "precious").unwrap();
    let target_str = target.to_str().unwrap();
    let args = [
        "analyze",
        "--format",
        "markdown",
        "--out",
        target_str,
        "sample_migrations/grants",
    ];
    let (code, _, stderr) = run(&args);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists; pass --force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");

    let mut forced = args.to_vec();
    forced.push("--force");
    let (code, _, _) = run(&forced);
    assert_eq!(code, 0);
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.starts_with("# Alembic history report"));
    // The temporary file was renamed into place, not left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_arguments_exit_2() {
    migsquash()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    migsquash().args(["frobnicate"]).assert().code(2);
}

#[test]
fn missing_version_location_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = nowhere\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("nowhere/versions does not exist"),
        "{stderr}"
    );
}
