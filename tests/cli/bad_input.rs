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
    let cases = [
        (
            "[alembic]\n# the scripts\nscript_location = %(missing)s\n",
            "alembic.ini: line 3: `%(missing)s` refers to an option that is not set",
        ),
        (
            "[alembic]\rscript_location = migrations\rversion_locations = 100%\r",
            "alembic.ini: line 3: `%` must be followed by `%` or `(` in `100%`",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(&ini, text).unwrap();
        let (code, _, stderr) = run(&["analyze", ini.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(stderr.trim_end().ends_with(expected), "{stderr}");
    }
}

/// Python reads a config with `\r` line ends as any other.
#[test]
fn config_with_old_mac_line_ends_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("versions")).unwrap();
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\rscript_location = .\rversion_locations = %(here)s/versions\r",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("versions/a.py"),
        "revision = 'a'\ndown_revision = None\n",
    )
    .unwrap();
    let (code, out, stderr) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains("no problems: 1 revision"), "{out}");
}

#[test]
fn one_broken_file_does_not_stop_the_others() {
    let (code, out, _) = run(&[
        "analyze",
        "--format",
        "json",
        "sample_migrations/edge_cases/syntax_error",
    ]);
    assert_eq!(code, 1, "an error-level finding is reported");
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

/// A chain of revisions, one per `(name, value)`, each creating a table
/// whose column default is `value`.
fn history_of_defaults(dir: &std::path::Path, values: &[(&str, String)]) {
    for (index, (name, value)) in values.iter().enumerate() {
        let down = match index {
            0 => "None".to_owned(),
            _ => format!("'r{}'", index - 1),
        };
        std::fs::write(
            dir.join(format!("r{index}_{name}.py")),
            format!(
                "revision = 'r{index}'\ndown_revision = {down}\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.create_table('{name}', sa.Column('x', sa.Integer(), server_default={value}))\n\n\
def downgrade():\n    op.drop_table('{name}')\n"
            ),
        )
        .unwrap();
    }
}

/// Nesting within Python's limits is read whichever thread reads it;
/// beyond them it is a located MS005, as Python refuses it too. Never a
/// stack overflow.
#[test]
fn deep_nesting_is_read_or_located_never_a_crash() {
    let fine = tempfile::tempdir().unwrap();
    history_of_defaults(
        fine.path(),
        &[
            ("unary", format!("{}1", "-".repeat(2_900))),
            ("operators", format!("1{}", " + 1".repeat(2_900))),
            ("power", format!("2{}", " ** 2".repeat(2_900))),
            ("negation", format!("{}1", "not ".repeat(2_900))),
            (
                "calls",
                format!("{}1{}", "sa.func.coalesce(".repeat(190), ")".repeat(190)),
            ),
        ],
    );
    let path = fine.path().to_str().unwrap();
    let (code, out, stderr) = run(&["analyze", "--format", "json", path]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json(&out)["diagnostics"], serde_json::json!([]));
    let (code, _, stderr) = run(&["check", path]);
    assert_eq!(code, 0, "{stderr}");
    let (code, out, stderr) = run(&["consolidate", "--up-to", "r3", path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains(&format!("server_default={}1", "-".repeat(2_900))));
    // Replay keeps its own, lower limit on what it rewrites: a refusal.
    let (code, _, stderr) = run(&["consolidate", path]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("error[MS201]: the expression is nested too deeply\n --> "),
        "{stderr}"
    );

    let deep = tempfile::tempdir().unwrap();
    history_of_defaults(
        deep.path(),
        &[
            ("plain", "1".to_owned()),
            (
                "brackets",
                format!("{}1{}", "(".repeat(12_000), ")".repeat(12_000)),
            ),
            (
                "calls",
                format!("{}1{}", "f(".repeat(3_000), ")".repeat(3_000)),
            ),
            ("operators", format!("1{}", " + 1".repeat(20_000))),
            ("unary", format!("{}1", "-".repeat(100_000))),
            ("lambdas", format!("{}1", "lambda: ".repeat(20_000))),
        ],
    );
    let path = deep.path().to_str().unwrap();
    let (code, out, stderr) = run(&["analyze", "--format", "json", path]);
    assert_eq!(code, 1, "{stderr}");
    let found: Vec<String> = json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{} {}",
                d["code"].as_str().unwrap(),
                d["path"].as_str().unwrap().rsplit('/').next().unwrap(),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap().split(": ").nth(1).unwrap()
            )
        })
        .collect();
    // Where Python says: the 201st bracket, the first node past the limit.
    assert_eq!(
        found,
        [
            "MS005 r1_brackets.py:7:275 too many nested parentheses",
            "MS005 r2_calls.py:7:471 too many nested parentheses",
            "MS005 r3_operators.py:7:78 nested too deeply (more than 3000 levels)",
            "MS005 r4_unary.py:7:3067 nested too deeply (more than 3000 levels)",
            "MS005 r5_lambdas.py:7:24020 nested too deeply (more than 3000 levels)",
        ]
    );
    let (code, out, stderr) = run(&["check", path]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(out.matches("error[MS005]").count(), 5, "{out}");
    let (code, _, stderr) = run(&["consolidate", path]);
    assert_eq!(code, 1);
    assert_eq!(stderr.matches("error[MS005]").count(), 5, "{stderr}");
}

/// One contract for every command, as ruff's: 0 when no error-level
/// finding is shown, 1 when one is (0 with `--exit-zero`), 2 when the
/// command could not run, whatever the flags.
#[test]
fn exit_codes_are_one_contract() {
    let errors = "sample_migrations/edge_cases/two_heads";
    let warnings = "sample_migrations/edge_cases/several_bases";
    let clean = "sample_migrations/grants";
    let cases: &[(&[&str], i32)] = &[
        (&["analyze", errors], 1),
        (&["analyze", "--format", "json", errors], 1),
        (&["analyze", "--format", "markdown", errors], 1),
        (&["analyze", "--exit-zero", errors], 0),
        (&["analyze", warnings], 0),
        (&["analyze", clean], 0),
        (&["check", errors], 1),
        (&["check", "--exit-zero", errors], 0),
        (&["check", warnings], 0),
        (&["check", "--deny-warnings", warnings], 1),
        (&["check", "--deny-warnings", "--exit-zero", warnings], 0),
        (&["consolidate", errors], 1),
        (&["consolidate", "--exit-zero", errors], 0),
        (&["graph", errors], 0),
        (&["analyze", "--exit-zero", "no/such/dir"], 2),
        (&["check", "--exit-zero", "no/such/dir"], 2),
        (&["consolidate", "--exit-zero", "--up-to", "nope", clean], 2),
        (
            &["verify", "--exit-zero", "--baseline", "no/such.py", clean],
            2,
        ),
    ];
    for (args, expected) in cases {
        let (code, _, stderr) = run(args);
        assert_eq!(code, *expected, "{args:?}\n{stderr}");
    }
}

/// The OS's reason is said once, not once by the message and again by
/// the error chain.
#[test]
fn unreadable_config_says_why_once() {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("alembic.ini");
    std::fs::write(&ini, b"[alembic]\nscript_location = caf\xe9\n").unwrap();
    let (code, _, stderr) = run(&["check", ini.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr
            .trim_end()
            .ends_with("alembic.ini: cannot read: not valid UTF-8 (byte 31)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("valid UTF-8").count(), 1, "{stderr}");
}
