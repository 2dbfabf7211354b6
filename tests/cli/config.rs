//! Configuration files (`.migsquash.toml`, `migsquash.toml`,
//! `[tool.migsquash]` in pyproject.toml; docs/configuration.md) and
//! `migsquash config`, on copies of bundled histories in temporary
//! folders.

use std::path::PathBuf;

use crate::support::{copy_dir, json, migsquash, repo_root};

const TWO_HEADS: &str = "sample_migrations/edge_cases/two_heads/versions";
const THREE_PARENT_MERGE: &str = "sample_migrations/edge_cases/three_parent_merge/versions";

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// A temporary project folder.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Copies a bundled history (a versions folder) to `to`.
    fn history(&self, from: &str, to: &str) -> &Self {
        copy_dir(&repo_root().join(from), &self.path(to));
        self
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Runs migsquash in the folder `cwd` of the project.
    fn run(&self, cwd: &str, args: &[&str]) -> (i32, String, String) {
        let output = migsquash()
            .current_dir(self.path(cwd))
            .args(args)
            .output()
            .expect("migsquash runs");
        (
            output.status.code().expect("exit code"),
            String::from_utf8(output.stdout).expect("utf-8 stdout"),
            String::from_utf8(output.stderr).expect("utf-8 stderr"),
        )
    }
}

/// The codes and levels of `check --format json`'s findings.
fn findings(report: &str) -> Vec<String> {
    json(report)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

fn revision(id: &str, down: &str, labels: &str) -> String {
    format!(
        "revision = \"{id}\"\ndown_revision = {down}\nbranch_labels = {labels}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
}

#[test]
fn the_file_is_found_from_path_upward() {
    let project = Project::new();
    project
        .history(TWO_HEADS, "db/versions")
        .write("migsquash.toml", "ignore = [\"MS001\"]\n");
    // From a sub-folder of the project, and from PATH when it is given.
    let (code, stdout, stderr) = project.run("db/versions", &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, _) = project.run(".", &["check", "db/versions"]);
    assert_eq!(code, 0);
    let outside = project.path("db/versions");
    let (code, _, _) = crate::support::run(&["check", outside.to_str().unwrap()]);
    assert_eq!(code, 0, "found from PATH, not from the working directory");
    // --isolated reads none.
    let (code, stdout, _) = project.run("db/versions", &["check", "--isolated"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("error[MS001]"), "{stdout}");
}

#[test]
fn a_folder_offers_its_files_in_order_and_a_pyproject_without_the_table_is_skipped() {
    let project = Project::new();
    project
        .history(TWO_HEADS, "app/versions")
        .write("migsquash.toml", "max-heads = 2\n")
        .write(
            "app/pyproject.toml",
            "[project]\nname = \"migsquash-demo\"\n\n[tool.ruff]\nline-length = 100\n",
        );
    let config_file = |cwd: &str| {
        let (code, stdout, stderr) = project.run(cwd, &["config", "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        json(&stdout)["config_file"].clone()
    };
    // app/pyproject.toml mentions migsquash but has no [tool.migsquash];
    // a file outside the working directory is shown as it is.
    let above = project.path("migsquash.toml");
    assert_eq!(config_file("app"), above.to_str().unwrap());
    let (code, _, _) = project.run("app", &["check", "versions"]);
    assert_eq!(code, 0);

    project.write(
        "app/pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.migsquash]\nmax-heads = 1\n",
    );
    assert_eq!(config_file("app"), "pyproject.toml");
    let (code, _, _) = project.run("app", &["check", "versions"]);
    assert_eq!(code, 1);
    project.write("app/migsquash.toml", "max-heads = 3\n");
    assert_eq!(config_file("app"), "migsquash.toml");
    project.write("app/.migsquash.toml", "max-heads = 4\n");
    assert_eq!(config_file("app"), ".migsquash.toml");
}

#[test]
fn config_names_the_file_and_its_paths_are_relative_to_it() {
    let project = Project::new();
    project
        .history(TWO_HEADS, "project/versions")
        .write("project/ci.toml", "path = \"versions\"\n")
        // Found from the working directory, but --config wins.
        .write("migsquash.toml", "ignore = [\"MS001\"]\n");
    let (code, stdout, stderr) = project.run(".", &["check", "--config", "project/ci.toml"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("4 revisions in project/versions"),
        "{stdout}"
    );
    let (code, _, stderr) = project.run(".", &["check", "--config", "nothing.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("nothing.toml: cannot read"), "{stderr}");
    let (code, _, stderr) =
        project.run(".", &["check", "--config", "project/ci.toml", "--isolated"]);
    assert_eq!(code, 2, "the two conflict");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    // A pyproject.toml named by --config must have the table.
    project.write("project/pyproject.toml", "[tool.ruff]\n");
    let (code, _, stderr) = project.run(".", &["check", "--config", "project/pyproject.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("has no [tool.migsquash] table"), "{stderr}");
}

#[test]
fn the_command_line_overrides_the_file_which_overrides_the_defaults() {
    let project = Project::new();
    project.history(TWO_HEADS, "versions");
    // Default: one head.
    let (code, _, _) = project.run(".", &["check", "versions"]);
    assert_eq!(code, 1);
    project.write("migsquash.toml", "max-heads = 2\npath = \"versions\"\n");
    let (code, _, _) = project.run(".", &["check"]);
    assert_eq!(code, 0);
    let (code, _, _) = project.run(".", &["check", "--max-heads", "1"]);
    assert_eq!(code, 1);
    // An explicit PATH replaces the file's `path`.
    project.history(THREE_PARENT_MERGE, "other");
    let (_, stdout, _) = project.run(".", &["check", "other"]);
    assert!(stdout.contains("in other"), "{stdout}");

    let (_, stdout, _) = project.run(".", &["config", "--max-heads", "3", "--format", "json"]);
    let settings = &json(&stdout)["settings"];
    assert_eq!(settings["max-heads"]["value"], 3);
    assert_eq!(settings["max-heads"]["origin"]["source"], "command line");
    assert_eq!(settings["path"]["value"], serde_json::json!(["versions"]));
    assert_eq!(
        settings["path"]["origin"],
        serde_json::json!({"source": "file", "path": "migsquash.toml", "line": 2})
    );
    assert_eq!(settings["recursive"]["origin"]["source"], "default");

    // A `path` that is wrong says where it was set.
    project.write("migsquash.toml", "\npath = \"nowhere\"\n");
    let (code, _, stderr) = project.run(".", &["check"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: `path` at migsquash.toml:2: ") && stderr.contains("nowhere"),
        "{stderr}"
    );
}

#[test]
fn select_ignore_and_extend_select_in_the_file_and_on_the_command_line() {
    let project = Project::new();
    project.history(TWO_HEADS, "versions");
    let check = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json", "versions"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = project.run(".", &all);
        assert_ne!(code, 2, "{stderr}");
        (code, findings(&stdout))
    };
    assert_eq!(check(&[]), (1, vec!["MS001 error".to_owned()]));
    project.write("migsquash.toml", "select = [\"MS1\"]\n");
    assert_eq!(check(&[]), (0, vec![]));
    project.write(
        "migsquash.toml",
        "select = [\"MS1\"]\nextend-select = [\"multiple-heads\"]\n",
    );
    assert_eq!(check(&[]).0, 1);
    project.write("migsquash.toml", "ignore = [\"MS0\"]\n");
    assert_eq!(check(&[]).0, 0);
    // --extend-select layers over the file's ignore; --select starts over.
    assert_eq!(check(&["--extend-select", "MS001"]).0, 1);
    assert_eq!(check(&["--select", "ALL"]).0, 1);
    project.write("migsquash.toml", "");
    assert_eq!(check(&["--ignore", "MS101,MS001"]).0, 0);
    assert_eq!(check(&["--ignore", "MS101", "--ignore", "MS001"]).0, 0);
    // Codes are checked on the command line too.
    let (code, _, stderr) = project.run(".", &["check", "--ignore", "MS999", "versions"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown code or name `MS999`"), "{stderr}");
    let (code, _, stderr) = project.run(".", &["consolidate", "--ignore", "MS201", "versions"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("MS201 (unknowable-schema-change) cannot be ignored"),
        "{stderr}"
    );
}

#[test]
fn per_file_ignores_globs_are_relative_to_the_file() {
    let project = Project::new();
    project.history(TWO_HEADS, "db/versions");
    let check = |config: &str| {
        project.write("migsquash.toml", config);
        let (code, _, stderr) = project.run("db", &["check", "--format", "json", "versions"]);
        assert_ne!(code, 2, "{stderr}");
        code
    };
    // MS001 is located at the first head's file.
    assert_eq!(
        check("[per-file-ignores]\n\"a47c0e5f9b12_*.py\" = [\"MS001\"]\n"),
        0
    );
    assert_eq!(
        check("[per-file-ignores]\n\"db/versions/*.py\" = [\"MS0\"]\n"),
        0
    );
    // Relative to the file's folder, not the working directory.
    assert_eq!(
        check("[per-file-ignores]\n\"versions/*.py\" = [\"MS001\"]\n"),
        1
    );
    assert_eq!(
        check("[per-file-ignores]\n\"c5b81d3e6f27_*.py\" = [\"MS001\"]\n"),
        1
    );
    assert_eq!(
        check("[per-file-ignores]\n\"db/*.py\" = [\"MS001\"]\n"),
        1,
        "`*` stays in a folder"
    );
    assert_eq!(
        check("[per-file-ignores]\n\"db/**/*.py\" = [\"MS001\"]\n"),
        0
    );
}

#[test]
fn severity_overrides_change_the_level_and_the_exit_code() {
    let project = Project::new();
    project
        .history(TWO_HEADS, "heads")
        .history(THREE_PARENT_MERGE, "merge");
    let check = |path: &str| {
        let (code, stdout, stderr) = project.run(".", &["check", "--format", "json", path]);
        assert_ne!(code, 2, "{stderr}");
        (code, findings(&stdout))
    };
    assert_eq!(check("merge"), (0, vec!["MS101 warning".to_owned()]));
    project.write(
        "migsquash.toml",
        "[severity]\nredundant-merge-parent = \"error\"\nMS001 = \"warning\"\n",
    );
    assert_eq!(check("merge"), (1, vec!["MS101 error".to_owned()]));
    assert_eq!(check("heads"), (0, vec!["MS001 warning".to_owned()]));
    let (code, stdout, _) = project.run(".", &["check", "--deny-warnings", "heads"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("warning[MS001]"), "{stdout}");
}

#[test]
fn an_ignored_or_lowered_error_still_stops_consolidate() {
    let project = Project::new();
    project.history("sample_migrations/edge_cases/cycle/versions", "versions");
    for config in ["ignore = [\"MS004\"]\n", "[severity]\nMS004 = \"info\"\n"] {
        project.write("migsquash.toml", config);
        let (code, _, _) = project.run(".", &["check", "versions"]);
        assert_eq!(code, 0, "{config}");
        let (code, _, stderr) = project.run(".", &["consolidate", "versions"]);
        assert_eq!(code, 1, "{config}");
        assert!(
            stderr.contains("consolidate needs them fixed first"),
            "{stderr}"
        );
        assert!(stderr.contains("[MS004]"), "{stderr}");
    }
}

#[test]
fn intended_branches_make_labelled_heads_pass() {
    let project = Project::new();
    project
        .write("versions/a1_base.py", &revision("a1", "None", "None"))
        .write("versions/b2_main.py", &revision("b2", "\"a1\"", "None"))
        .write(
            "versions/c3_reporting.py",
            &revision("c3", "\"a1\"", "(\"reporting\",)"),
        )
        .write(
            "versions/d4_reporting.py",
            &revision("d4", "\"c3\"", "None"),
        )
        .write(
            "versions/e5_audit.py",
            &revision("e5", "\"a1\"", "(\"audit\",)"),
        );
    let (code, stdout, _) = project.run(".", &["check", "versions"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("3 heads"), "{stdout}");
    project.write(
        "migsquash.toml",
        "intended-branches = [\"reporting\", \"audit\"]\n",
    );
    let (code, stdout, _) = project.run(".", &["check", "versions"]);
    assert_eq!(code, 0, "{stdout}");
    project.write("migsquash.toml", "intended-branches = [\"reporting\"]\n");
    let (code, stdout, _) = project.run(".", &["check", "versions"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("2 heads: b2"), "{stdout}");
    // The command line replaces the file's list.
    let (code, stdout, _) = project.run(
        ".",
        &[
            "check",
            "versions",
            "--intended-branch",
            "reporting",
            "--intended-branch",
            "audit",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    let (_, stdout, _) = project.run(
        ".",
        &["config", "--intended-branch", "audit", "--format", "json"],
    );
    let settings = &json(&stdout)["settings"];
    assert_eq!(
        settings["intended-branches"]["value"],
        serde_json::json!(["audit"])
    );
    assert_eq!(
        settings["intended-branches"]["origin"]["source"],
        "command line"
    );
}

#[test]
fn path_name_recursive_output_format_dialect_and_cache_dir_take_effect() {
    let project = Project::new();
    copy_dir(
        &repo_root().join("tests/fixtures/release_folders"),
        &project.path("release"),
    );
    // path + recursive: the sub-folders are read.
    project.write("migsquash.toml", "path = \"release\"\n");
    let (_, stdout, _) = project.run(".", &["check", "--format", "json"]);
    assert_eq!(findings(&stdout), ["MS103 warning"]);
    project.write("migsquash.toml", "path = \"release\"\nrecursive = true\n");
    let (_, stdout, _) = project.run(".", &["check", "--format", "json"]);
    assert_eq!(findings(&stdout), Vec::<String>::new());
    let (_, stdout, _) = project.run(".", &["check", "--format", "json", "--no-recursive"]);
    assert_eq!(findings(&stdout), ["MS103 warning"]);

    // name: the ini section.
    project.write("migsquash.toml", "path = \"release\"\nname = \"tenant\"\n");
    let (code, _, stderr) = project.run(".", &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no [tenant] section"), "{stderr}");
    let (code, _, _) = project.run(".", &["check", "-n", "alembic"]);
    assert_eq!(code, 0);

    // output-format: check and analyze; --format still wins.
    project.write(
        "migsquash.toml",
        "path = \"release\"\noutput-format = \"json\"\n",
    );
    let (_, stdout, _) = project.run(".", &["check"]);
    json(&stdout);
    let (_, stdout, _) = project.run(".", &["analyze"]);
    assert!(json(&stdout)["summary"].is_object());
    let (_, stdout, _) = project.run(".", &["check", "--format", "text"]);
    assert!(stdout.contains("warning[MS103]"), "{stdout}");

    // dialect: the fixture's MySQL is read as PostgreSQL.
    std::fs::remove_file(project.path("migsquash.toml")).unwrap();
    copy_dir(
        &repo_root().join("tests/fixtures/mysql"),
        &project.path("mysql"),
    );
    let raw_sql = |project: &Project| {
        let (code, stdout, stderr) = project.run("mysql", &["analyze", "."]);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert!(raw_sql(&project).contains("; 0 kept verbatim,"));
    project.write("mysql/migsquash.toml", "dialect = \"postgresql\"\n");
    assert!(raw_sql(&project).contains("; 3 kept verbatim,"));

    // cache-dir: relative to the file.
    project.write("release/migsquash.toml", "cache-dir = \"build/cache\"\n");
    let output = migsquash()
        .current_dir(project.path("release/versions"))
        .env_remove("MIGSQUASH_NO_CACHE")
        .env_remove("CI")
        .args(["check", "."])
        .output()
        .unwrap();
    assert!(output.status.success() || output.status.code() == Some(0));
    assert!(project.path("release/build/cache").is_dir());
}

/// What a config error looks like, with the working directory at `cwd`.
fn config_error(project: &Project, config: &str) -> String {
    project.write("migsquash.toml", config);
    let (code, stdout, stderr) = project.run(".", &["check", "versions"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    stderr
}

#[test]
fn errors_in_the_file_are_located_with_what_is_allowed() {
    let project = Project::new();
    project.history(TWO_HEADS, "versions");
    let unknown = config_error(&project, "path = \"versions\"\nmax_heads = 2\n");
    let wrong_type = config_error(&project, "recursive = \"yes\"\n");
    let invalid = config_error(&project, "select = [\"MS101\"\nignore = []\n");
    let unknown_code = config_error(
        &project,
        "[severity]\nMS101 = \"error\"\nMS999 = \"info\"\n",
    );
    let bad_value = config_error(&project, "output-format = \"github\"\n");
    let glob = config_error(
        &project,
        "[per-file-ignores]\n\"versions/[a.py\" = [\"MS101\"]\n",
    );
    let never = config_error(&project, "ignore = [\"MS1\", \"MS201\"]\n");
    settings().bind(|| {
        insta::assert_snapshot!(
            "config_errors",
            [
                unknown,
                wrong_type,
                invalid,
                unknown_code,
                bad_value,
                glob,
                never
            ]
            .join("\n")
        )
    });
}

#[test]
fn config_prints_the_settings_in_effect_and_their_origin() {
    let project = Project::new();
    project.history(TWO_HEADS, "db/versions").write(
        "pyproject.toml",
        "[project]\nname = \"shop\"\n\n[tool.migsquash]\npath = \"db/versions\"\nmax-heads = 2\nintended-branches = [\"reporting\"]\nselect = [\"ALL\"]\nignore = [\"MS102\"]\noutput-format = \"json\"\n\n[tool.migsquash.per-file-ignores]\n\"db/versions/legacy_*.py\" = [\"MS101\", \"multiple-bases\"]\n\n[tool.migsquash.severity]\nMS1 = \"info\"\nMS103 = \"error\"\n",
    );
    let (code, text, stderr) = project.run(
        "db",
        &[
            "config",
            "--ignore",
            "MS104",
            "--dialect",
            "sqlite",
            "-n",
            "tenant",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, json_out, _) = project.run(
        "db",
        &[
            "config",
            "--format",
            "json",
            "--ignore",
            "MS104",
            "--dialect",
            "sqlite",
            "-n",
            "tenant",
        ],
    );
    assert_eq!(code, 0);
    let mut settings = settings();
    // The project is in a temporary folder above the working directory.
    let root = project
        .path("")
        .to_str()
        .unwrap()
        .trim_end_matches('/')
        .replace('.', "\\.");
    settings.add_filter(&root, "[project]");
    settings.bind(|| {
        insta::assert_snapshot!("config_text", text);
        insta::assert_snapshot!("config_json", json_out);
    });
    // Deterministic.
    let (_, again, _) = project.run(
        "db",
        &[
            "config",
            "--ignore",
            "MS104",
            "--dialect",
            "sqlite",
            "-n",
            "tenant",
        ],
    );
    assert_eq!(text, again);

    // The environment's cache folder says so.
    let output = migsquash()
        .current_dir(project.path("db"))
        .env("MIGSQUASH_CACHE_DIR", "/tmp/elsewhere")
        .args(["config", "--format", "json"])
        .output()
        .unwrap();
    let value = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(
        value["settings"]["cache-dir"]["origin"],
        serde_json::json!({"source": "environment", "variable": "MIGSQUASH_CACHE_DIR"})
    );

    // Without a file: the defaults.
    let bare = Project::new();
    let (code, text, _) = bare.run(".", &["config", "--isolated"]);
    assert_eq!(code, 0);
    assert!(text.starts_with("configuration file: none\n"), "{text}");
    assert!(text.contains("findings shown (17 of 17)"), "{text}");
}

#[test]
fn consolidate_applies_the_configuration_to_its_own_findings() {
    let project = Project::new();
    copy_dir(
        &repo_root().join("sample_migrations/field_service"),
        &project.path("app"),
    );
    let consolidate = |config: &str| {
        project.write("app/migsquash.toml", config);
        let (code, stdout, stderr) = project.run("app", &["consolidate", "."]);
        assert_ne!(code, 2, "{stderr}");
        (code, stdout.is_empty(), stderr)
    };
    let (code, empty, stderr) = consolidate("");
    assert_eq!((code, empty), (0, false), "{stderr}");
    assert!(stderr.contains("warning[MS202]"), "{stderr}");
    let (code, _, stderr) = consolidate("ignore = [\"data-migration-not-replayed\"]\n");
    assert_eq!(code, 0);
    assert!(!stderr.contains("MS202"), "{stderr}");
    // Raised to an error, it stops the baseline.
    let (code, empty, stderr) = consolidate("[severity]\nMS202 = \"error\"\n");
    assert_eq!((code, empty), (1, true), "{stderr}");
    assert!(stderr.contains("error[MS202]"), "{stderr}");
    assert!(
        stderr.contains("no baseline written: 1 error-level finding"),
        "{stderr}"
    );
}
