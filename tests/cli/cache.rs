//! The extraction cache changes how fast migsquash runs, never what it says.

use std::path::Path;

use crate::support::{copy_dir, migsquash, repo_root};

/// With every argument's text, so that spans from the cache are compared too.
fn analyze_json(history: &Path, cache: &Path) -> String {
    let output = migsquash()
        .env_remove("MIGSQUASH_NO_CACHE")
        .args([
            "analyze",
            "--format",
            "json",
            "--detail",
            "full",
            "--cache-dir",
        ])
        .arg(cache)
        .arg(history)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn warm_and_cold_runs_agree_and_edits_are_seen() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(
        &repo_root().join("sample_migrations/edge_cases/labeled_branches"),
        &history,
    );
    let cache = work.path().join("cache");

    let cold = analyze_json(&history, &cache);
    assert!(
        cache.join(".gitignore").is_file(),
        "the cache directory ignores itself in git"
    );
    let stored = std::fs::read_dir(&cache)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "bin")
        })
        .count();
    assert_eq!(stored, 1);
    let warm = analyze_json(&history, &cache);
    assert_eq!(
        cold, warm,
        "a cached run prints exactly what a fresh one does"
    );

    // Editing a revision is seen on the next run.
    let versions = history.join("versions");
    let file = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("b1f4d8c6a2a7"))
        .unwrap();
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        source.replace(
            "def upgrade():",
            "def upgrade():\n    op.drop_table(\"scratch\")",
        ),
    )
    .unwrap();
    let edited = analyze_json(&history, &cache);
    assert_ne!(edited, warm);
    assert!(edited.contains("\"scratch\""));
    let fresh = migsquash()
        .args(["analyze", "--format", "json", "--detail", "full"])
        .arg(&history)
        .output()
        .unwrap();
    assert_eq!(edited, String::from_utf8(fresh.stdout).unwrap());
}

#[test]
fn an_unwritable_cache_is_not_an_error() {
    let work = tempfile::tempdir().unwrap();
    let not_a_dir = work.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let output = migsquash()
        .env_remove("MIGSQUASH_NO_CACHE")
        .args(["check", "--cache-dir"])
        .arg(not_a_dir.join("cache"))
        .arg("sample_migrations/grants")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&not_a_dir).unwrap(), "x");
}

fn run_text(history: &Path, cache: Option<&Path>) -> String {
    let mut command = migsquash();
    command.env_remove("MIGSQUASH_NO_CACHE").arg("analyze");
    match cache {
        Some(cache) => command.arg("--cache-dir").arg(cache),
        None => command.arg("--no-cache"),
    };
    let output = command.arg(history).output().unwrap();
    assert!(output.status.code().is_some_and(|c| c <= 1));
    String::from_utf8(output.stdout).unwrap()
}

#[cfg(unix)]
fn cache_inode(cache: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let bin = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bin"))
        .unwrap();
    std::fs::metadata(bin).unwrap().ino()
}

/// Files whose stat data is unchanged are not read again (their lines are
/// read only for what the report shows), and the report is unchanged.
#[cfg(unix)]
#[test]
fn settled_files_are_vouched_for_by_their_stat_data() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(&repo_root().join("sample_migrations/chat_saas"), &history);
    let cache = work.path().join("cache");
    // Stat data vouches only for files changed well before the cache was
    // written (see src/cache.rs); let the copies settle.
    std::thread::sleep(std::time::Duration::from_millis(2_200));

    let fresh = run_text(&history, None);
    assert_eq!(run_text(&history, Some(&cache)), fresh);
    let written = cache_inode(&cache);
    // Had a file been read because its record could not vouch for it, the
    // cache would have been rewritten so that it could next time.
    assert_eq!(run_text(&history, Some(&cache)), fresh);
    assert_eq!(cache_inode(&cache), written, "every file was vouched for");
    assert_eq!(
        analyze_json(&history, &cache),
        String::from_utf8(
            migsquash()
                .args(["analyze", "--format", "json", "--detail", "full"])
                .arg(&history)
                .output()
                .unwrap()
                .stdout
        )
        .unwrap()
    );

    // An edit changes the file's stat data: it is read and parsed again.
    let file =
        history.join("migrations/versions/2024_06_04_1140-a243420a6742_users_soft_delete.py");
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, source.replace("def upgrade()", "def upgrade( )")).unwrap();
    assert_eq!(run_text(&history, Some(&cache)), run_text(&history, None));
    assert_ne!(cache_inode(&cache), written);
}
