//! Input no one means to give, or someone means harm with: special files
//! where files are read or written, file names with control characters,
//! and histories far larger than usual. Each command has a timeout: a
//! FIFO read without care blocks forever.

use std::path::Path;
use std::time::Duration;

use crate::support::{json, migsquash};

const TIMEOUT: Duration = Duration::from_secs(120);

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Runs migsquash in `dir` with a timeout; returns (exit code, stdout,
/// stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = migsquash()
        .current_dir(dir)
        .args(args)
        .timeout(TIMEOUT)
        .output()
        .expect("migsquash runs");
    (
        output
            .status
            .code()
            .unwrap_or_else(|| panic!("{args:?} did not finish in time")),
        String::from_utf8(output.stdout).expect("utf-8 stdout"),
        String::from_utf8(output.stderr).expect("utf-8 stderr"),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_raw_mode(0o644),
    )
    .unwrap();
}

const USERS: &str = "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a'\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table('users')\n";

/// A history of one revision in a temporary folder.
fn one_revision() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", USERS);
    dir
}

#[test]
fn special_revision_files_are_reported_not_read() {
    let dir = one_revision();
    let root = dir.path();
    mkfifo(&root.join("fifo.py"));
    std::os::unix::fs::symlink("/dev/zero", root.join("zero.py")).unwrap();
    // Sparse: 17 MiB on paper, nothing on disk.
    std::fs::File::create(root.join("huge.py"))
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    let (code, stdout, stderr) = run_in(root, &["check", "."]);
    assert_eq!(code, 1, "{stderr}");
    settings().bind(|| insta::assert_snapshot!("check_text_special_files", stdout));

    // Error-level findings: exit 1, as for check.
    let (code, stdout, stderr) = run_in(root, &["analyze", "--format", "json", "."]);
    assert_eq!(code, 1, "{stderr}");
    let report = json(&stdout);
    // The regular file is still analysed.
    assert_eq!(report["summary"]["revisions"], 1);
    assert_eq!(report["summary"]["upgrade_operations"], 1);
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "cannot read fifo.py: not a regular file: FIFO",
            "cannot read huge.py: too large (17825792 bytes; files over 16 MiB are not read)",
            "cannot read zero.py: not a regular file: character device",
        ]
    );
}

#[test]
fn special_config_files_are_refused() {
    // alembic.ini as a FIFO, found in the project folder.
    let dir = one_revision();
    mkfifo(&dir.path().join("alembic.ini"));
    let (code, _, stderr) = run_in(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "error: ./alembic.ini: cannot read: not a regular file: FIFO"
    );

    // pyproject.toml pointing at /dev/zero.
    let dir = one_revision();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("pyproject.toml")).unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "error: ./pyproject.toml: cannot read: not a regular file: character device"
    );

    // A FIFO given as the config file.
    let dir = one_revision();
    mkfifo(&dir.path().join("migrations.ini"));
    let (code, _, stderr) = run_in(dir.path(), &["check", "migrations.ini"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "error: migrations.ini: cannot read: not a regular file: FIFO"
    );
}

#[test]
fn special_template_and_baseline_are_refused() {
    let dir = one_revision();
    mkfifo(&dir.path().join("template.j2"));
    let (code, stdout, stderr) = run_in(
        dir.path(),
        &["consolidate", "--template", "template.j2", "."],
    );
    assert_eq!(code, 2, "{stdout}");
    assert_eq!(
        stderr.trim(),
        "error: cannot read template template.j2: not a regular file: FIFO"
    );

    // Outside the versions folder, where it would be one more revision.
    std::fs::create_dir(dir.path().join("out")).unwrap();
    mkfifo(&dir.path().join("out/base.py"));
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "verify",
            "--baseline",
            "out/base.py",
            "--python",
            "false",
            ".",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "error: baseline out/base.py: not a regular file: FIFO"
    );

    // `--check` compares with the file at --out, which must be a file too.
    let (code, _, stderr) = run_in(
        dir.path(),
        &["consolidate", "--check", "--out", "out/base.py", "."],
    );
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "error: cannot read out/base.py: not a regular file: FIFO"
    );
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn out_refuses_special_files_and_writes_through_symlinks() {
    let dir = one_revision();
    let root = dir.path();
    let markdown = ["analyze", "--format", "markdown", "."];
    let with_out = |out: &str, force: bool| {
        let mut args = markdown.to_vec();
        args.extend(["--out", out]);
        if force {
            args.push("--force");
        }
        run_in(root, &args)
    };

    // A FIFO is refused, with or without --force, and stays a FIFO.
    mkfifo(&root.join("pipe.md"));
    for force in [false, true] {
        let (code, _, stderr) = with_out("pipe.md", force);
        assert_eq!(code, 2);
        assert_eq!(
            stderr.trim(),
            "error: pipe.md is not a regular file (FIFO); --out writes regular files only (`-` is standard output)"
        );
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(root.join("pipe.md"))
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // A symlink to a device is refused and kept.
    std::os::unix::fs::symlink("/dev/null", root.join("null.md")).unwrap();
    let (code, _, stderr) = with_out("null.md", true);
    assert_eq!(code, 2);
    assert!(stderr.contains("(character device)"), "{stderr}");
    assert!(
        std::fs::symlink_metadata(root.join("null.md"))
            .unwrap()
            .is_symlink()
    );

    // A symlink to a file is written through; the link and the file's mode
    // stay.
    std::fs::create_dir(root.join("docs")).unwrap();
    write(&root.join("docs"), "report.md", "old");
    std::fs::set_permissions(
        root.join("docs/report.md"),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("docs/report.md", root.join("report.md")).unwrap();
    let (code, _, stderr) = with_out("report.md", false);
    assert_eq!(code, 2);
    assert!(stderr.contains("already exists; pass --force"), "{stderr}");
    let (code, _, stderr) = with_out("report.md", true);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::symlink_metadata(root.join("report.md"))
            .unwrap()
            .is_symlink()
    );
    let written = std::fs::read_to_string(root.join("docs/report.md")).unwrap();
    assert!(written.starts_with("# Alembic history report"), "{written}");
    assert_eq!(mode(&root.join("docs/report.md")), 0o640);
    // No temporary file was left behind.
    assert_eq!(std::fs::read_dir(root.join("docs")).unwrap().count(), 1);

    // `-` is standard output.
    let (code, stdout, stderr) = with_out("-", false);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("# Alembic history report"), "{stdout}");
    assert!(!root.join("-").exists());
}

#[test]
fn out_files_get_the_umask_mode_or_keep_theirs() {
    let dir = one_revision();
    let root = dir.path();
    let binary = assert_cmd::cargo::cargo_bin("migsquash");
    // The umask is the shell's to set.
    let consolidate = |out: &str, extra: &str| {
        let status = std::process::Command::new("sh")
            .current_dir(root)
            .env("MIGSQUASH_NO_CACHE", "1")
            .arg("-c")
            .arg(format!(
                "umask 027 && exec \"$0\" consolidate --out {out} {extra} . 2>/dev/null >/dev/null"
            ))
            .arg(&binary)
            .status()
            .unwrap();
        assert!(status.success(), "consolidate --out {out} {extra}");
    };
    // Outside the versions folder, where it would be one more revision.
    std::fs::create_dir(root.join("out")).unwrap();
    consolidate("out/new.py", "");
    assert_eq!(mode(&root.join("out/new.py")), 0o640);
    std::fs::set_permissions(
        root.join("out/new.py"),
        std::os::unix::fs::PermissionsExt::from_mode(0o604),
    )
    .unwrap();
    consolidate("out/new.py", "--force");
    assert_eq!(mode(&root.join("out/new.py")), 0o604);
}

#[test]
fn out_in_a_missing_folder_names_the_folder() {
    let dir = one_revision();
    for args in [
        &["analyze", "--out", "nowhere/report.txt", "."][..],
        &["consolidate", "--out", "nowhere/b.py", "."][..],
    ] {
        let (code, _, stderr) = run_in(dir.path(), args);
        assert_eq!(code, 2);
        let file = args[2];
        assert_eq!(
            stderr.trim(),
            format!("error: cannot write {file}: the folder nowhere does not exist")
        );
    }
}

/// A file name that would start a GitHub workflow command on a line of
/// its own, and turn a terminal red.
const HOSTILE_NAME: &str = "b\n::error::x\x1b[31m.py";
const HOSTILE_SHOWN: &str = "b\\n::error::x\\x1b[31m.py";

/// A clean history whose second revision has a hostile file name and a
/// data migration (so consolidate names the file).
fn hostile_history() -> tempfile::TempDir {
    let dir = one_revision();
    write(
        dir.path(),
        HOSTILE_NAME,
        "from alembic import op\n\nrevision = 'b'\ndown_revision = 'a'\n\n\ndef upgrade():\n    op.execute(\"UPDATE users SET id = 1\")\n\n\ndef downgrade():\n    pass\n",
    );
    dir
}

fn assert_escaped(what: &str, text: &str) {
    assert!(
        !text.contains('\x1b'),
        "{what}: an escape sequence:\n{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("::error::x")),
        "{what}: a workflow command:\n{text}"
    );
    assert!(
        text.contains(HOSTILE_SHOWN),
        "{what}: no file name:\n{text}"
    );
}

#[test]
fn file_names_cannot_inject_into_human_output() {
    let dir = hostile_history();
    let root = dir.path();
    let (code, stdout, _) = run_in(root, &["analyze", "."]);
    assert_eq!(code, 0);
    assert_escaped("analyze", &stdout);
    let (code, stdout, _) = run_in(root, &["analyze", "--format", "markdown", "."]);
    assert_eq!(code, 0);
    assert_escaped("analyze --format markdown", &stdout);
    // Outside the versions folder, where it would be one more revision (or,
    // in a sub-folder, an unread one: MS103).
    let out = tempfile::tempdir().unwrap();
    let out_file = out.path().join("base.py");
    let out_file = out_file.to_str().unwrap();
    let (code, _, stderr) = run_in(root, &["consolidate", "--out", out_file, "."]);
    assert_eq!(code, 0, "{stderr}");
    assert_escaped("consolidate", &stderr);

    // A diagnostic about the file, in every format.
    write(
        root,
        HOSTILE_NAME,
        "revision = 'b'\ndown_revision = 'a'\nif\n",
    );
    let (code, stdout, _) = run_in(root, &["check", "."]);
    assert_eq!(code, 1);
    assert_escaped("check", &stdout);
    settings().bind(|| insta::assert_snapshot!("check_text_hostile_name", stdout));
    let (code, stdout, _) = run_in(root, &["analyze", "--format", "markdown", "."]);
    assert_eq!(code, 1);
    assert_escaped("analyze --format markdown", &stdout);
    let (code, stdout, _) = run_in(root, &["check", "--format", "github", "."]);
    assert_eq!(code, 1);
    assert!(
        !stdout.lines().any(|l| l.starts_with("::error::x")),
        "{stdout}"
    );
    let (code, _, stderr) = run_in(root, &["consolidate", "."]);
    assert_eq!(code, 1);
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert!(stderr.contains(HOSTILE_SHOWN), "{stderr}");
}

#[test]
fn the_more_line_closes_its_own_section() {
    let dir = tempfile::tempdir().unwrap();
    let tables: Vec<String> = (0..32).map(|i| format!("t{i:02}")).collect();
    let body = |call: &str| {
        tables
            .iter()
            .map(|t| format!("    op.{call}('{t}')\n"))
            .collect::<String>()
    };
    write(
        dir.path(),
        "a.py",
        &format!(
            "from alembic import op\n\nrevision = 'a'\ndown_revision = None\n\n\ndef upgrade():\n{}",
            body("create_table")
        ),
    );
    write(
        dir.path(),
        "b.py",
        &format!(
            "from alembic import op\n\nrevision = 'b'\ndown_revision = 'a'\n\n\ndef upgrade():\n{}",
            body("drop_table")
        ),
    );
    let (code, stdout, _) = run_in(dir.path(), &["analyze", "."]);
    assert_eq!(code, 0);
    let churn = stdout.find("\nChurn (32)\n").expect("churn section");
    let more = stdout.find("… 2 more").expect("a more line");
    let next = stdout.find("\nRaw SQL").expect("raw SQL section");
    assert!(churn < more && more < next, "{stdout}");
}

#[test]
fn thousands_of_heads_make_one_short_annotation() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.py",
        "revision = 'base'\ndown_revision = None\n",
    );
    for i in 0..2000 {
        write(
            dir.path(),
            &format!("h{i:04}.py"),
            &format!("revision = 'h{i:04}'\ndown_revision = 'base'\n"),
        );
    }
    let (code, stdout, _) = run_in(dir.path(), &["check", "--format", "github", "."]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].len() < 2000, "{} bytes", lines[0].len());
    assert!(
        lines[0].contains("… and 1990 more (`alembic heads` lists them all)"),
        "{stdout}"
    );
    assert!(
        lines[0].contains("alembic merge -m \"merge heads\" heads`"),
        "{stdout}"
    );
}

/// A megabyte of statements on one line (found by the mutation harness:
/// locating each statement scanned the line from its start, and parsing
/// the script whole took kilobytes per statement) is read in one pass.
#[test]
fn a_megabyte_of_sql_on_one_line_is_read_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let script = "SELECT 1; ".repeat(100_000);
    write(
        dir.path(),
        "a.py",
        &format!(
            "from alembic import op\n\nrevision = 'a'\ndown_revision = None\n\n\ndef upgrade():\n    op.execute(\"CREATE TABLE t (id int); {script}DROP TABLE t\")\n"
        ),
    );
    let (code, stdout, stderr) = run_in(dir.path(), &["analyze", "--format", "json", "."]);
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    assert_eq!(
        report["summary"]["squash"]["operations_after"], 0,
        "{stdout:.2000}"
    );
    let (code, _, stderr) = run_in(dir.path(), &["consolidate", "."]);
    assert_eq!(code, 0, "{stderr}");
}
