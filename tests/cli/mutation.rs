//! Mutation testing: `scripts/mutation_test.py` damages copies of the
//! bundled histories (lines deleted or swapped, bytes flipped, files
//! truncated, ids duplicated, cycles, deep nesting, junk SQL, ...) and
//! checks every mutant: exit codes in {0, 1, 2}, no signal, panic or hang,
//! valid JSON, and the same output with and without the cache. This runs it
//! for about a minute with a fixed seed; docs/testing.md shows how to run it
//! longer.

use std::path::PathBuf;
use std::process::Command;

use crate::support::repo_root;

/// The script needs only the standard library: the test venv's Python when
/// MIGSQUASH_TEST_PYTHON is set, else `python3`. Missing, it fails the test.
fn python() -> PathBuf {
    let python = std::env::var_os("MIGSQUASH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let hint = "the mutation test runs scripts/mutation_test.py with Python 3.9 or newer: \
                set MIGSQUASH_TEST_PYTHON (scripts/test-all.sh does) or put python3 on PATH";
    match Command::new(&python)
        .args(["-c", "import sys; sys.exit(sys.version_info < (3, 9))"])
        .output()
    {
        Ok(probe) if probe.status.success() => python,
        Ok(_) => panic!("{} is older than Python 3.9; {hint}", python.display()),
        Err(err) => panic!("cannot run {} ({err}); {hint}", python.display()),
    }
}

#[test]
fn mutants_of_the_bundled_histories() {
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mutation_failures");
    // Only this run's failures are kept.
    let _ = std::fs::remove_dir_all(&keep);
    let output = Command::new(python())
        .arg(repo_root().join("scripts/mutation_test.py"))
        .arg("--migsquash")
        .arg(assert_cmd::cargo::cargo_bin("migsquash"))
        .args(["--seconds", "60", "--seed", "1", "--keep-failures"])
        .arg(&keep)
        .current_dir(repo_root())
        .output()
        .expect("the mutation test script runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "scripts/mutation_test.py failed (exit {:?}):\n{report}",
        output.status.code()
    );
    println!("{report}");
}
