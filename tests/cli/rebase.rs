//! `rebase`: a history with two heads made linear by moving one branch,
//! checked with real Alembic afterwards; the file keeps every byte but the
//! ids; each refusal, located; `--dry-run`, read-only files, and the
//! automatic choice. The history is tests/fixtures/rebase/fork, copied
//! into a temporary folder and changed there for each case.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::support::{copy_dir, json, migsquash, repo_root, test_python};

const BASE: &str = "1a2b3c4d5e6f";
/// The branch adding users.email: A1 → A2.
const A1: &str = "2b3c4d5e6f70";
const A2: &str = "3c4d5e6f7081";
/// The branch creating projects: B1 → B2.
const B1: &str = "4d5e6f708192";
const B2: &str = "5e6f708192a3";

/// A copy of the fork history.
fn fork() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("tests/fixtures/rebase/fork"), dir.path());
    dir
}

/// The file of revision `id`.
fn file(dir: &Path, id: &str) -> PathBuf {
    let versions = dir.join("versions");
    std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{id}_"))
        })
        .unwrap_or_else(|| panic!("no file for {id}"))
}

fn read(dir: &Path, id: &str) -> String {
    std::fs::read_to_string(file(dir, id)).unwrap()
}

fn write(dir: &Path, id: &str, text: &str) {
    std::fs::write(file(dir, id), text).unwrap();
}

/// Runs `migsquash ARGS DIR`: (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = migsquash()
        .args(args)
        .arg(dir)
        .output()
        .expect("migsquash runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Alembic's own command, run in the history's folder.
fn alembic(python: &Path, dir: &Path, args: &[&str]) -> String {
    let output = Command::new(python)
        .args(["-m", "alembic"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("alembic runs");
    assert!(
        output.status.success(),
        "alembic {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// What Alembic's ScriptDirectory makes of the history.
fn oracle(python: &Path, dir: &Path) -> serde_json::Value {
    let output = Command::new(python)
        .arg(repo_root().join("tests/python/alembic_oracle.py"))
        .arg(dir)
        .output()
        .expect("oracle runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json(&String::from_utf8_lossy(&output.stdout))
}

/// The file as it must be after moving it from `old` onto `new`: the two
/// lines naming its parent (down_revision and the docstring's Revises:)
/// name `new`; nothing else changes, other mentions of `old` included.
fn expected_after(before: &str, old: &str, new: &str) -> String {
    let mut changed = 0;
    let after: String = before
        .split_inclusive('\n')
        .map(|line| {
            if (line.starts_with("down_revision") || line.starts_with("Revises:"))
                && line.contains(old)
            {
                changed += 1;
                line.replace(old, new)
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_eq!(changed, 2, "{before}");
    after
}

#[test]
fn clean_rebase_makes_one_head_that_alembic_agrees_with() {
    let python = test_python();
    let dir = fork();
    let root = dir.path();
    let (code, out, _) = run_in(root, &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[MS001]"), "{out}");
    assert_eq!(alembic(&python, root, &["heads"]).lines().count(), 2);

    let before = read(root, B1);
    let (code, out, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        out.lines().next().unwrap(),
        format!("moved {B1}…{B2} onto {A2}")
    );
    assert!(
        out.contains(&format!("down_revision {BASE} → {A2}")),
        "{out}"
    );
    assert_eq!(read(root, B1), expected_after(&before, BASE, A2));

    let (code, out, _) = run_in(root, &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("✓ no problems"), "{out}");

    // Alembic: one head, and the moved revision's parent is the other head.
    assert_eq!(
        alembic(&python, root, &["heads"]).trim(),
        format!("{B2} (head)")
    );
    let history = alembic(&python, root, &["history"]);
    assert!(
        history.contains(&format!("{A2} -> {B1}, create projects")),
        "{history}"
    );
    assert!(!history.contains("branchpoint"), "{history}");
    let view = oracle(&python, root);
    assert_eq!(view["ok"], true, "{view}");
    assert_eq!(view["heads"], serde_json::json!([B2]));
    assert_eq!(
        view["revisions"][B1]["down_revisions"],
        serde_json::json!([A2])
    );
    assert_eq!(
        view["upgrade_order"],
        serde_json::json!([BASE, A1, A2, B1, B2])
    );
}

#[test]
fn annotated_single_quoted_header_keeps_every_other_byte() {
    let dir = fork();
    let root = dir.path();
    let before = read(root, B1);
    assert!(before.contains("down_revision: Union[str, None] = '1a2b3c4d5e6f'  # the users table"));
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 0, "{stderr}");
    let after = read(root, B1);
    assert!(
        after.contains(&format!(
            "down_revision: Union[str, None] = '{A2}'  # the users table"
        )),
        "{after}"
    );
    assert!(after.contains(&format!("\nRevises: {A2}\n")), "{after}");
    assert_eq!(after, expected_after(&before, BASE, A2));
    // The other files are not touched.
    let pristine = repo_root().join("tests/fixtures/rebase/fork");
    for id in [BASE, A1, A2, B2] {
        assert_eq!(read(root, id), read(&pristine, id), "{id}");
    }
}

#[test]
fn crlf_file_keeps_its_line_ends() {
    let dir = fork();
    let root = dir.path();
    // The other branch this time, double quotes, CRLF throughout.
    let before = read(root, A1).replace('\n', "\r\n");
    write(root, A1, &before);
    let (code, _, stderr) = run_in(root, &["rebase", A1, "--onto", B2]);
    assert_eq!(code, 0, "{stderr}");
    let after = read(root, A1);
    assert_eq!(after, expected_after(&before, BASE, B2));
    assert!(after.contains(&format!("down_revision: Union[str, None] = \"{B2}\"\r\n")));
    assert_eq!(
        after.matches("\r\n").count(),
        after.matches('\n').count(),
        "a bare LF crept in"
    );
    let (code, out, _) = run_in(root, &["check"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn plain_header_and_unicode_prefix() {
    let dir = fork();
    let root = dir.path();
    let before = read(root, B1).replace(
        "down_revision: Union[str, None] = '1a2b3c4d5e6f'  # the users table",
        "down_revision = u'1a2b3c4d5e6f'",
    );
    write(root, B1, &before);
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 0, "{stderr}");
    let after = read(root, B1);
    assert!(
        after.contains(&format!("down_revision = u'{A2}'\n")),
        "{after}"
    );
    assert_eq!(after, expected_after(&before, BASE, A2));
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let dir = fork();
    let root = dir.path();
    let path = file(root, B1);
    let before = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let (code, out, stderr) = run_in(root, &["rebase", B1, "--onto", A2, "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.starts_with("--- "), "{out}");
    assert!(
        out.contains(&format!("-Revises: {BASE}\n+Revises: {A2}\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "-down_revision: Union[str, None] = '{BASE}'  # the users table\n+down_revision: Union[str, None] = '{A2}'  # the users table\n"
        )),
        "{out}"
    );
    assert!(
        stderr.contains(&format!("would move {B1}…{B2} onto {A2}")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
    let (code, _, _) = run_in(root, &["check"]);
    assert_eq!(code, 1, "still two heads");
}

#[cfg(unix)]
#[test]
fn read_only_file_is_refused_and_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fork();
    let root = dir.path();
    let path = file(root, B1);
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let (code, out, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 2, "{out}");
    assert!(stderr.contains("is read-only"), "{stderr}");
    assert!(
        stderr.contains("4d5e6f708192_create_projects.py"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
    // No temporary file left behind.
    let names: Vec<String> = std::fs::read_dir(root.join("versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
}

#[test]
fn unknown_onto_and_rev_are_bad_arguments() {
    let dir = fork();
    let root = dir.path();
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", "ffff"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error: --onto: no revision `ffff` in the history"),
        "{stderr}"
    );
    let (code, _, stderr) = run_in(root, &["rebase", "ffff", "--onto", A2]);
    assert_eq!(code, 2);
    assert!(stderr.contains("REV: no revision `ffff`"), "{stderr}");
    // A prefix works as in Alembic, when it is unique.
    let (code, _, stderr) = run_in(root, &["rebase", "4d5e", "--onto", "3c4d", "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn onto_must_be_a_head() {
    let dir = fork();
    let root = dir.path();
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A1]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("error[MS302]: --onto {A1} is not a head")),
        "{stderr}"
    );
    // Located at the child that revises it.
    assert!(
        stderr.contains("3c4d5e6f7081_index_users_email.py:16:35"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("the heads are {A2}, {B2}")),
        "{stderr}"
    );
}

#[test]
fn rev_must_be_the_first_revision_of_its_branch() {
    let dir = fork();
    let root = dir.path();
    let (code, _, stderr) = run_in(root, &["rebase", B2, "--onto", A2]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("{B2} is not the first revision of a branch")),
        "{stderr}"
    );
    assert!(
        stderr.contains("5e6f708192a3_add_projects_owner.py:16:35"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`migsquash rebase {B1} --onto {A2}`")),
        "{stderr}"
    );
}

#[test]
fn rev_must_not_be_an_ancestor_of_the_head() {
    let dir = fork();
    let root = dir.path();
    let (code, _, stderr) = run_in(root, &["rebase", A1, "--onto", A2]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("{A1} is an ancestor of {A2}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("2b3c4d5e6f70_add_users_email.py:15:17"),
        "{stderr}"
    );
}

#[test]
fn both_branches_changing_one_column_is_refused_unless_forced() {
    let dir = fork();
    let root = dir.path();
    let text = read(root, B2).replace(
        "    op.create_foreign_key(",
        "    op.alter_column('users', 'email', nullable=False)\n    op.create_foreign_key(",
    );
    write(root, B2, &text);
    let before = read(root, B1);
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error[MS301]: both branches change column users.email: alter_column in {B2} (moved) and add_column in {A1}"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("5e6f708192a3_add_projects_owner.py:23:5"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2b3c4d5e6f70_add_users_email.py:22:5"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(read(root, B1), before, "nothing written");

    let (code, out, stderr) = run_in(root, &["rebase", B1, "--onto", A2, "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning[MS301]"), "{stderr}");
    assert!(
        out.starts_with(&format!("moved {B1}…{B2} onto {A2}")),
        "{out}"
    );
    assert_eq!(read(root, B1), expected_after(&before, BASE, A2));
}

#[test]
fn both_branches_naming_one_index_is_refused() {
    let dir = fork();
    let root = dir.path();
    let text = read(root, B1).replace(
        "def downgrade() -> None:",
        "    op.create_index('ix_users_email', 'projects', ['title'])\n\n\ndef downgrade() -> None:",
    );
    write(root, B1, &text);
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("both branches change index or constraint ix_users_email: create_index"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3c4d5e6f7081_index_users_email.py:22:5"),
        "{stderr}"
    );
}

#[test]
fn a_merge_revision_is_not_moved() {
    let dir = fork();
    let root = dir.path();
    // B2 merges the two branches; a new branch C forks from BASE.
    write(
        root,
        B2,
        &read(root, B2).replace(
            "down_revision: Union[str, None] = '4d5e6f708192'",
            "down_revision: Union[str, None] = ('4d5e6f708192', '3c4d5e6f7081')",
        ),
    );
    std::fs::write(
        root.join("versions/6f708192a3b4_c.py"),
        format!("revision = '6f708192a3b4'\ndown_revision = '{BASE}'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n"),
    )
    .unwrap();
    let (code, _, stderr) = run_in(root, &["rebase", B2, "--onto", "6f708192a3b4"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("error[MS302]: {B2} is a merge revision")),
        "{stderr}"
    );
    assert!(
        stderr.contains("5e6f708192a3_add_projects_owner.py:16:36"),
        "{stderr}"
    );
}

#[test]
fn a_branch_label_is_refused() {
    let dir = fork();
    let root = dir.path();
    write(
        root,
        B1,
        &read(root, B1).replace(
            "branch_labels: Union[str, Sequence[str], None] = None",
            "branch_labels: Union[str, Sequence[str], None] = ('projects',)",
        ),
    );
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{B1} carries the branch label `projects`")),
        "{stderr}"
    );
    assert!(
        stderr.contains("4d5e6f708192_create_projects.py:20:51"),
        "{stderr}"
    );
}

#[test]
fn depends_on_between_the_branches_is_refused() {
    let dir = fork();
    let root = dir.path();
    write(
        root,
        B2,
        &read(root, B2).replace(
            "depends_on: Union[str, Sequence[str], None] = None",
            &format!("depends_on: Union[str, Sequence[str], None] = '{A1}'"),
        ),
    );
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{B2} (on the moved branch) depends on {A1}, on the other branch"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("5e6f708192a3_add_projects_owner.py:18:47"),
        "{stderr}"
    );
}

/// Sets every file of a branch to one modification time.
fn touch(dir: &Path, ids: &[&str], time: SystemTime) {
    for id in ids {
        std::fs::File::options()
            .write(true)
            .open(file(dir, id))
            .unwrap()
            .set_modified(time)
            .unwrap();
    }
}

#[test]
fn without_arguments_the_newest_branch_moves() {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let new = old + Duration::from_secs(3600);

    let dir = fork();
    let root = dir.path();
    touch(root, &[BASE, A1, A2], old);
    touch(root, &[B1, B2], new);
    let (code, out, stderr) = run_in(root, &["rebase"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        out.starts_with(&format!(
            "moved {B1}…{B2} onto {A2} (its files were changed last)"
        )),
        "{out}"
    );

    // The other branch is the newer one: it moves instead.
    let dir = fork();
    let root = dir.path();
    touch(root, &[BASE, B1, B2], old);
    touch(root, &[A1], new);
    let (code, out, stderr) = run_in(root, &["rebase"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        out.starts_with(&format!("moved {A1}…{A2} onto {B2}")),
        "{out}"
    );
    let (code, _, _) = run_in(root, &["check"]);
    assert_eq!(code, 0);
}

#[test]
fn without_arguments_a_tie_moves_the_branch_alembic_applies_last() {
    let dir = fork();
    let root = dir.path();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    touch(root, &[BASE, A1, A2, B1, B2], time);
    let (code, out, stderr) = run_in(root, &["rebase", "--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains("+Revises: "), "{out}");
    // `check` suggests the same rebase, and Alembic's upgrade order is
    // kept: the branch applied last is the one moved.
    let (_, check, _) = run_in(root, &["check"]);
    assert!(
        check.contains(&format!("`migsquash rebase {A1} --onto {B2}`")),
        "{check}"
    );
    assert!(
        stderr.contains(&format!(
            "would move {A1}…{A2} onto {B2} (its files are as old as the other branch's; Alembic applies it last)"
        )),
        "{stderr}"
    );
}

#[test]
fn without_arguments_one_head_is_nothing_to_do_and_three_cannot_be_chosen() {
    let dir = fork();
    let root = dir.path();
    let (code, _, _) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 0);
    let (code, out, _) = run_in(root, &["rebase"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!("the history has one head ({B2}); there is nothing to rebase\n")
    );

    let dir = fork();
    let root = dir.path();
    std::fs::write(
        root.join("versions/6f708192a3b4_c.py"),
        format!("revision = '6f708192a3b4'\ndown_revision = '{BASE}'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n"),
    )
    .unwrap();
    let (code, _, stderr) = run_in(root, &["rebase"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(&format!(
            "error: the history has 3 heads ({A2}, {B2}, 6f708192a3b4); rebase chooses only between two"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("`migsquash rebase REV --onto HEAD`"),
        "{stderr}"
    );
}

#[test]
fn a_history_with_other_errors_is_refused() {
    let dir = fork();
    let root = dir.path();
    write(
        root,
        B2,
        &read(root, B2).replace("'4d5e6f708192'", "'0000deadbeef'"),
    );
    let (code, _, stderr) = run_in(root, &["rebase", B1, "--onto", A2]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[MS002]"), "{stderr}");
    assert!(stderr.contains("rebase needs them fixed first"), "{stderr}");
}
