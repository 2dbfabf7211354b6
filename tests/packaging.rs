//! Packaging: the wheel `pip install migsquash` installs (pyproject.toml,
//! maturin).
//!
//! The wheel is built once per run in release mode by the test venv's
//! maturin, in cargo's target directory: with an unchanged tree that takes
//! a second, after a change to the sources about two minutes on two cores,
//! from a clean checkout a whole release build (see README.md). The test
//! needs the venv `scripts/setup-test-env.sh` makes (`MIGSQUASH_TEST_PYTHON`,
//! with maturin), and fails, never skips, when it is missing. Nothing is
//! downloaded: the wheel is installed without a package index.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

const VERSION: &str = env!("CARGO_PKG_VERSION");

const SETUP_HINT: &str = "run `bash scripts/test-all.sh`, which creates the test venv \
    (scripts/setup-test-env.sh installs tests/python/requirements.txt: maturin, ...) \
    and sets MIGSQUASH_TEST_PYTHON";

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The test venv's interpreter and its scripts folder (where `maturin` is).
struct TestVenv {
    python: PathBuf,
    scripts: PathBuf,
}

fn test_venv() -> &'static TestVenv {
    static VENV: OnceLock<Result<TestVenv, String>> = OnceLock::new();
    let found = VENV.get_or_init(|| {
        let python = std::env::var_os("MIGSQUASH_TEST_PYTHON")
            .map(PathBuf::from)
            .ok_or_else(|| format!("MIGSQUASH_TEST_PYTHON is not set: {SETUP_HINT}"))?;
        let probe = Command::new(&python)
            .args([
                "-c",
                "import sysconfig, maturin; print(sysconfig.get_path('scripts'))",
            ])
            .output()
            .map_err(|err| format!("cannot run {} ({err}): {SETUP_HINT}", python.display()))?;
        if !probe.status.success() {
            return Err(format!(
                "{} cannot import maturin:\n{}\n{SETUP_HINT}",
                python.display(),
                String::from_utf8_lossy(&probe.stderr)
            ));
        }
        let scripts = PathBuf::from(String::from_utf8_lossy(&probe.stdout).trim());
        Ok(TestVenv { python, scripts })
    });
    found.as_ref().unwrap_or_else(|message| panic!("{message}"))
}

/// Builds the wheel once for the whole run, into a fresh folder of cargo's
/// target directory, and returns its path.
fn wheel() -> &'static Path {
    static WHEEL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = WHEEL.get_or_init(|| {
        let venv = test_venv();
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("packaging-wheel");
        if out.exists() {
            std::fs::remove_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
        }
        let maturin = executable(&venv.scripts, "maturin");
        let mut build = Command::new(&maturin);
        build
            .args(["build", "--release", "--out"])
            .arg(&out)
            .current_dir(repo_root());
        // What cargo set for this test binary is not the nested build's.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO_PKG_")
                || name.starts_with("CARGO_BIN_")
                || name.starts_with("CARGO_MANIFEST_")
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                ]
                .contains(&name.as_ref())
            {
                build.env_remove(name.as_ref());
            }
        }
        let started = Instant::now();
        let output = build.output().map_err(|err| {
            format!(
                "cannot run {} ({err}); is maturin installed? {SETUP_HINT}",
                maturin.display()
            )
        })?;
        if !output.status.success() {
            return Err(format!(
                "`maturin build --release` failed ({}):\n{}",
                output.status,
                tail(&output.stderr, 60)
            ));
        }
        eprintln!("built the wheel in {:.0?}", started.elapsed());
        let wheels: Vec<PathBuf> = std::fs::read_dir(&out)
            .map_err(|err| format!("{}: {err}", out.display()))?
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
            .collect();
        match wheels.as_slice() {
            [wheel] => Ok(wheel.clone()),
            _ => Err(format!(
                "expected one wheel in {}, found {wheels:?}",
                out.display()
            )),
        }
    });
    built
        .as_deref()
        .unwrap_or_else(|message| panic!("{message}"))
}

fn executable(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// A venv's scripts folder.
fn venv_bin(venv: &Path) -> PathBuf {
    venv.join(if cfg!(windows) { "Scripts" } else { "bin" })
}

/// The last `lines` lines of a command's output.
fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Runs a command and returns (exit code, stdout + stderr).
fn run(command: &mut Command) -> (i32, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"));
    let mut text = String::from_utf8_lossy(&stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&stderr));
    (status.code().expect("exit code"), text)
}

/// Runs a command that must succeed.
fn ok(command: &mut Command) -> String {
    let (code, output) = run(command);
    assert_eq!(code, 0, "{command:?} failed:\n{output}");
    output
}

#[test]
fn the_wheel_installs_the_binary() {
    let wheel = wheel();
    let name = wheel.file_name().unwrap().to_string_lossy();
    assert!(
        name.starts_with(&format!("migsquash-{VERSION}-py3-none-")),
        "a wheel for any Python, of this version: {name}"
    );

    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    ok(Command::new(&test_venv().python)
        .args(["-m", "venv"])
        .arg(&venv));
    let bin = venv_bin(&venv);
    ok(Command::new(executable(&bin, "python"))
        .args([
            "-m",
            "pip",
            "install",
            "--no-index",
            "--disable-pip-version-check",
            "--no-input",
        ])
        .arg(wheel));

    let migsquash = executable(&bin, "migsquash");
    assert!(
        migsquash.is_file(),
        "the wheel installs {}",
        migsquash.display()
    );
    let version = ok(Command::new(&migsquash).arg("--version"));
    assert_eq!(version, format!("migsquash {VERSION}\n"));

    let (code, output) = run(Command::new(&migsquash)
        .args(["check", "sample_migrations/chat_saas"])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .env("MIGSQUASH_NO_CACHE", "1")
        .env_remove("GITHUB_ACTIONS"));
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("no problems: 52 revisions in sample_migrations/chat_saas"),
        "{output}"
    );
}
