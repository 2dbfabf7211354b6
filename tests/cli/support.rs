use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `migsquash` run from the repository root, without colors, outside
/// GitHub Actions and without the cache (tests/cli/cache.rs tests it), so
/// output is the same everywhere and the checkout stays clean.
pub fn migsquash() -> Command {
    let mut cmd = Command::cargo_bin("migsquash").expect("binary builds");
    cmd.current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env("MIGSQUASH_NO_CACHE", "1")
        .env_remove("MIGSQUASH_CACHE_DIR")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

/// Runs migsquash and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let output = migsquash().args(args).output().expect("migsquash runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8(output.stdout).expect("utf-8 stdout"),
        String::from_utf8(output.stderr).expect("utf-8 stderr"),
    )
}

/// The Python interpreter with Alembic, SQLAlchemy, psycopg and the
/// embedded PostgreSQL. Fails loudly when it is not there.
pub fn test_python() -> PathBuf {
    let hint = "run `bash scripts/test-all.sh`, which creates the test venv (Alembic, SQLAlchemy, \
                psycopg, an embedded PostgreSQL) and sets MIGSQUASH_TEST_PYTHON";
    let python = std::env::var_os("MIGSQUASH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("MIGSQUASH_TEST_PYTHON is not set: {hint}"));
    let probe = StdCommand::new(&python)
        .args(["-c", "import alembic, sqlalchemy, psycopg"])
        .output()
        .unwrap_or_else(|err| panic!("cannot run {} ({err}): {hint}", python.display()));
    assert!(
        probe.status.success(),
        "{} cannot import alembic/sqlalchemy/psycopg: {}\n{hint}",
        python.display(),
        String::from_utf8_lossy(&probe.stderr)
    );
    python
}

/// Every bundled history: the samples and each edge-case fixture, as paths
/// relative to the repository root.
pub fn histories() -> Vec<String> {
    let mut out = Vec::new();
    for group in ["sample_migrations", "sample_migrations/edge_cases"] {
        let mut dirs: Vec<String> = std::fs::read_dir(repo_root().join(group))
            .expect("sample folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.join("alembic.ini").is_file())
            .map(|p| format!("{group}/{}", p.file_name().unwrap().to_string_lossy()))
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    assert!(
        out.len() >= 19,
        "expected the bundled histories, found {out:?}"
    );
    out
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("invalid JSON ({err}):\n{text}"))
}

/// Copies a folder (a bundled history) without Python's or migsquash's
/// caches.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "__pycache__" && entry.file_name() != ".migsquash_cache" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
