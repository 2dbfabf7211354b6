//! Packaging: the wheel `pip install migsquash` installs (pyproject.toml,
//! maturin) and the pre-commit hooks of `.pre-commit-hooks.yaml`.
//!
//! Both tests use one wheel, built once per run in release mode by the
//! test venv's maturin, in cargo's target directory: with an unchanged
//! tree that takes a second, after a change to the sources about two
//! minutes on two cores, from a clean checkout a whole release build (see
//! README.md). They need the venv `scripts/setup-test-env.sh` makes
//! (`MIGSQUASH_TEST_PYTHON`, with maturin and pre-commit) and git, and fail,
//! never skip, when one is missing. Nothing is downloaded: the wheel is
//! installed without a package index.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

const VERSION: &str = env!("CARGO_PKG_VERSION");

const SETUP_HINT: &str = "run `bash scripts/test-all.sh`, which creates the test venv \
    (scripts/setup-test-env.sh installs tests/python/requirements.txt: maturin, pre-commit, ...) \
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
                "import sysconfig, maturin, pre_commit; print(sysconfig.get_path('scripts'))",
            ])
            .output()
            .map_err(|err| format!("cannot run {} ({err}): {SETUP_HINT}", python.display()))?;
        if !probe.status.success() {
            return Err(format!(
                "{} cannot import maturin and pre_commit:\n{}\n{SETUP_HINT}",
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

/// Runs `command` without the user's or the system's git configuration,
/// and outside any repository the tests are run from.
fn isolated_git(command: &mut Command) -> &mut Command {
    for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"] {
        command.env_remove(name);
    }
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "migsquash tests")
        .env("GIT_AUTHOR_EMAIL", "tests@migsquash.invalid")
        .env("GIT_COMMITTER_NAME", "migsquash tests")
        .env("GIT_COMMITTER_EMAIL", "tests@migsquash.invalid")
}

fn git(dir: &Path) -> Command {
    let mut git = Command::new("git");
    git.current_dir(dir);
    isolated_git(&mut git);
    git
}

/// Makes `dir` a git repository with everything in it committed; returns
/// its HEAD.
fn git_repo(dir: &Path) -> String {
    ok(git(dir).args(["init", "--quiet", "--initial-branch=main"]));
    ok(git(dir).args(["add", "--all"]));
    ok(git(dir).args(["commit", "--quiet", "--no-verify", "-m", "fixture"]));
    ok(git(dir).args(["rev-parse", "HEAD"])).trim().to_owned()
}

fn copy_dir(from: &Path, to: &Path) {
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

/// The hook repository pre-commit installs from: this repository's
/// `.pre-commit-hooks.yaml`, and a build backend that hands pip the wheel
/// already built, so that pre-commit's `pip install .` installs exactly it
/// without a second release build.
fn hook_repo(dir: &Path, wheel: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        repo_root().join(".pre-commit-hooks.yaml"),
        dir.join(".pre-commit-hooks.yaml"),
    )
    .expect(".pre-commit-hooks.yaml at the repository root");
    std::fs::write(
        dir.join("pyproject.toml"),
        "[build-system]\nrequires = []\nbuild-backend = \"built_wheel\"\nbackend-path = [\".\"]\n",
    )
    .unwrap();
    // A JSON string is a Python string literal.
    let wheel = serde_json::to_string(&wheel.to_str().expect("UTF-8 path")).unwrap();
    std::fs::write(
        dir.join("built_wheel.py"),
        format!(
            "import os\nimport shutil\n\nWHEEL = {wheel}\n\n\n\
             def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n    \
             shutil.copy(WHEEL, wheel_directory)\n    return os.path.basename(WHEEL)\n"
        ),
    )
    .unwrap();
    git_repo(dir)
}

/// pre-commit, from the test venv, in `dir`, with its own home (so hook
/// environments are made fresh, and once per test) and no package index.
fn pre_commit(dir: &Path, home: &Path) -> Command {
    let mut command = Command::new(&test_venv().python);
    command.args(["-m", "pre_commit"]).current_dir(dir);
    isolated_git(&mut command)
        .env("PRE_COMMIT_HOME", home)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("VIRTUALENV_NO_PERIODIC_UPDATE", "1")
        .env("NO_COLOR", "1")
        .env_remove("SKIP")
        .env_remove("VIRTUAL_ENV")
        .env_remove("PIP_FIND_LINKS")
        .env_remove("MIGSQUASH_CACHE_DIR")
        .env_remove("GITHUB_ACTIONS");
    command
}

#[test]
fn pre_commit_hooks() {
    if Command::new("git").arg("--version").output().is_err() {
        panic!("git is not installed; pre-commit needs it (Debian/Ubuntu: apt-get install git)");
    }
    let wheel = wheel();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("pre-commit-home");
    let hooks = dir.path().join("hooks");
    let rev = hook_repo(&hooks, wheel);
    let try_check = |repo: &Path, extra: &[&str]| {
        run(pre_commit(repo, &home)
            .args(["try-repo", "--color", "never"])
            .arg(&hooks)
            .arg("migsquash-check")
            .args(extra))
    };

    // Two heads: the check fails and shows MS001.
    let two_heads = dir.path().join("two_heads");
    copy_dir(
        &repo_root().join("sample_migrations/edge_cases/two_heads"),
        &two_heads,
    );
    git_repo(&two_heads);
    let (code, output) = try_check(&two_heads, &["--all-files"]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("migsquash check"), "{output}");
    assert!(output.contains("Failed"), "{output}");
    assert!(output.contains("error[MS001]: 2 heads"), "{output}");
    // Files outside an Alembic history do not run it.
    std::fs::write(two_heads.join("notes.txt"), "notes\n").unwrap();
    ok(git(&two_heads).args(["add", "notes.txt"]));
    let (code, output) = try_check(&two_heads, &["--files", "notes.txt"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("(no files to check)Skipped"), "{output}");
    // `migsquash rebase` makes the history linear again, and the hook passes.
    let output = ok(Command::new(env!("CARGO_BIN_EXE_migsquash"))
        .arg("rebase")
        .current_dir(&two_heads)
        .env("MIGSQUASH_NO_CACHE", "1"));
    assert!(
        output.contains("moved c5b81d3e6f27 onto a47c0e5f9b12"),
        "{output}"
    );
    ok(git(&two_heads).args(["add", "--all"]));
    let (code, output) = try_check(&two_heads, &["--all-files"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Passed"), "{output}");

    // A clean history passes.
    let clean = dir.path().join("chat_saas");
    copy_dir(&repo_root().join("sample_migrations/chat_saas"), &clean);
    git_repo(&clean);
    let (code, output) = try_check(&clean, &["--all-files"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("Passed"), "{output}");

    // consolidate --check, with the baseline's path in args: current
    // passes, edited fails with the difference.
    std::fs::write(
        clean.join("pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: migsquash-consolidate-check\n    \
             args: [--out, baseline.py]\n",
            serde_json::to_string(&hooks.to_str().unwrap()).unwrap()
        ),
    )
    .unwrap();
    ok(Command::new(env!("CARGO_BIN_EXE_migsquash"))
        .args(["consolidate", "--out", "baseline.py"])
        .current_dir(&clean)
        .env("MIGSQUASH_NO_CACHE", "1"));
    ok(git(&clean).args(["add", "--all"]));
    let consolidate_check = || {
        run(pre_commit(&clean, &home).args([
            "run",
            "--color",
            "never",
            "--config",
            "pre-commit-config.yaml",
            "--all-files",
        ]))
    };
    let (code, output) = consolidate_check();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("migsquash consolidate --check"), "{output}");
    assert!(output.contains("Passed"), "{output}");

    let baseline = clean.join("baseline.py");
    let mut text = std::fs::read_to_string(&baseline).unwrap();
    text.push_str("# edited by hand\n");
    std::fs::write(&baseline, text).unwrap();
    ok(git(&clean).args(["add", "baseline.py"]));
    let (code, output) = consolidate_check();
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("Failed"), "{output}");
    assert!(output.contains("-# edited by hand"), "{output}");
}
