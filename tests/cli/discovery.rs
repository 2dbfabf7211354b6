//! Where the revision files are: revisions in sub-folders that nothing
//! makes Alembic read are reported, never silently left out.

use crate::support::{copy_dir, json, run};

const RELEASE_FOLDERS: &str = "tests/fixtures/release_folders";

fn codes(out: &str) -> Vec<String> {
    json(out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn revisions_in_unread_sub_folders_are_reported() {
    let (code, out, stderr) = run(&["check", RELEASE_FOLDERS]);
    // A warning: the gate does not fail, but never says "no problems".
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(out);
    let (code, _, _) = run(&["check", "--deny-warnings", RELEASE_FOLDERS]);
    assert_eq!(code, 1);
    let (_, out, _) = run(&["analyze", "--format", "json", RELEASE_FOLDERS]);
    assert_eq!(codes(&out), ["MS103"]);
}

#[test]
fn recursive_reads_them() {
    let (code, out, stderr) = run(&["check", "--recursive", RELEASE_FOLDERS]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains("no problems: 4 revisions"), "{out}");
}

#[test]
fn the_config_setting_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &crate::support::repo_root().join(RELEASE_FOLDERS),
        dir.path(),
    );
    let ini = dir.path().join("alembic.ini");
    let text = std::fs::read_to_string(&ini).unwrap();
    std::fs::write(
        &ini,
        text.replace(
            "[alembic]\n",
            "[alembic]\nrecursive_version_locations = true\n",
        ),
    )
    .unwrap();
    let (code, out, _) = run(&["analyze", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(codes(&out).is_empty(), "{out}");
    assert_eq!(json(&out)["summary"]["revisions"], 4);
}

#[test]
fn a_location_with_revisions_only_in_sub_folders_says_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &crate::support::repo_root().join(RELEASE_FOLDERS),
        dir.path(),
    );
    std::fs::remove_file(dir.path().join("versions/0001_accounts.py")).unwrap();
    let (code, out, stderr) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        stderr.contains("no revision files found in")
            && stderr.contains("3 revision files sit in sub-folders")
            && stderr.contains("versions/2023 (2)")
            && stderr.contains("pass --recursive"),
        "{stderr}"
    );
}

#[test]
fn a_config_pointing_beside_the_revisions_says_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &crate::support::repo_root().join(RELEASE_FOLDERS),
        dir.path(),
    );
    std::fs::create_dir(dir.path().join("versions_v2")).unwrap();
    let ini = dir.path().join("alembic.ini");
    let text = std::fs::read_to_string(&ini).unwrap();
    std::fs::write(
        &ini,
        text.replace("%(here)s/versions", "%(here)s/versions_v2"),
    )
    .unwrap();
    let (code, _, stderr) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("revision files sit next to it in") && stderr.contains("/versions (4)"),
        "{stderr}"
    );

    // A missing location: the same hint.
    std::fs::remove_dir(dir.path().join("versions_v2")).unwrap();
    let (code, _, stderr) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("does not exist") && stderr.contains("/versions (4)"),
        "{stderr}"
    );
}
