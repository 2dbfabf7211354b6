//! Raw SQL: its DDL takes part in churn, its statements are classified by
//! what they do, one by one, in the dialect the history is written for.
//! The histories are in tests/fixtures/.

use crate::support::{copy_dir, json, migsquash, repo_root, run};

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
}

fn analyze(args: &[&str]) -> String {
    let (code, stdout, stderr) = run(&[&["analyze"], args].concat());
    assert_eq!(code, 0, "analyze {args:?}\n{stderr}");
    stdout
}

/// The lines of the text report's "Raw SQL" section.
fn raw_sql_section(report: &str) -> String {
    report
        .lines()
        .skip_while(|l| !l.starts_with("Raw SQL"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A table dropped by `op.execute`, an index created by SQL and dropped by
/// `op.drop_index`, a column added by `ALTER TABLE … ADD COLUMN` and dropped
/// by `op.drop_column`.
#[test]
fn analyze_text_raw_sql_churn() {
    let out = analyze(&["tests/fixtures/raw_sql_churn"]);
    settings().bind(|| insta::assert_snapshot!("analyze_text_raw_sql_churn", out));
    for subject in [
        "notes.legacy_flag — column added then dropped",
        "notes.ix_notes_body — index created then dropped",
        "scratch — table created then dropped",
    ] {
        assert!(out.contains(subject), "{subject} missing:\n{out}");
    }
    // Churn's estimate and replay agree: one operation is left.
    assert!(out.contains("7 upgrade operations → 1 ("), "{out}");
    let json = analyze(&["--format", "json", "tests/fixtures/raw_sql_churn"]);
    assert!(json.contains("\"operations_cancelled\": 6"), "{json}");
}

/// `WITH … UPDATE`, SQLAlchemy Core statements, a string whose statements
/// parse but one, and a CTE built at run time.
#[test]
fn analyze_text_sql_accounting() {
    let out = analyze(&["tests/fixtures/sql_accounting"]);
    settings().bind(|| insta::assert_snapshot!("analyze_text_sql_accounting", out));
    assert!(out.contains("Raw SQL (7 op.execute calls; 1 kept verbatim, 1 built at run time)"));
    assert!(!out.contains("  WITH "), "a CTE is the statement it feeds");
    assert!(out.contains("CREATE TABLE, UPDATE, CREATE FUNCTION"));
    assert_eq!(out.matches("(SQLAlchemy Core)").count(), 4);
}

#[test]
fn json_marks_core_statements_and_each_statement_parsed() {
    let report = json(&analyze(&[
        "--format",
        "json",
        "tests/fixtures/sql_accounting",
    ]));
    let sql: Vec<&serde_json::Value> = report["revisions"][1]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| &op["sql"])
        .collect();
    assert_eq!(sql[0]["statements"][0]["kind"], "UPDATE");
    for core in &sql[1..4] {
        assert_eq!(core["core"], true, "{core}");
        assert_eq!(core["text"], serde_json::Value::Null);
        assert_eq!(core["parse_error"], serde_json::Value::Null);
    }
    let split = sql[4];
    assert_eq!(split["parsed"], false);
    let parsed: Vec<_> = split["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s["parsed"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        parsed,
        [
            ("CREATE TABLE", false),
            ("UPDATE", true),
            ("CREATE FUNCTION", true)
        ]
    );
    assert!(
        split["parse_error"]
            .as_str()
            .unwrap()
            .starts_with("statement 1: ")
    );
    assert_eq!(sql[5]["dynamic"], true);
    assert_eq!(sql[5]["statements"][0]["kind"], "INSERT");
    assert_eq!(report["summary"]["raw_sql_unparsed"], 1);
}

/// The dialect comes from `sqlalchemy.url`; `--dialect` overrides it.
#[test]
fn sql_is_read_in_the_configured_dialect() {
    for (history, verbatim_as_postgresql) in [("sqlite", 3), ("mysql", 3)] {
        let path = format!("tests/fixtures/{history}");
        let own = raw_sql_section(&analyze(&[&path]));
        assert!(own.contains("; 0 kept verbatim,"), "{history}:\n{own}");
        assert!(
            own.contains("  INSERT "),
            "REPLACE INTO is an INSERT:\n{own}"
        );
        let postgresql = raw_sql_section(&analyze(&["--dialect", "postgresql", &path]));
        assert!(
            postgresql.contains(&format!("; {verbatim_as_postgresql} kept verbatim,")),
            "{history} read as PostgreSQL:\n{postgresql}"
        );
    }
    let out = analyze(&["tests/fixtures/sqlite"]);
    settings().bind(|| insta::assert_snapshot!("analyze_text_sqlite", out));
    // check and consolidate take the option too.
    let (code, _, stderr) = run(&["check", "--dialect", "mysql", "tests/fixtures/mysql"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&["consolidate", "--dialect", "sqlite", "--help"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&["analyze", "--dialect", "oracle", "tests/fixtures/mysql"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("possible values: postgresql, sqlite, mysql, generic"),
        "{stderr}"
    );
}

/// A cache written under one dialect is not read under another, not even
/// for files its stat records vouch for.
#[cfg(unix)]
#[test]
fn the_cache_knows_the_dialect() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(&repo_root().join("tests/fixtures/sqlite"), &history);
    let cache = work.path().join("cache");
    // Let the copies settle, so that stat records vouch for them (see
    // src/cache.rs).
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    let analyze_as = |dialect: &str, cached: bool| {
        let mut command = migsquash();
        command.args(["analyze", "--format", "json", "--dialect", dialect]);
        if cached {
            command
                .env_remove("MIGSQUASH_NO_CACHE")
                .arg("--cache-dir")
                .arg(&cache);
        }
        let output = command.arg(&history).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let sqlite = analyze_as("sqlite", false);
    let postgresql = analyze_as("postgresql", false);
    assert_ne!(sqlite, postgresql);
    for (dialect, fresh) in [
        ("sqlite", &sqlite),
        ("sqlite", &sqlite),
        ("postgresql", &postgresql),
        ("postgresql", &postgresql),
        ("sqlite", &sqlite),
    ] {
        assert_eq!(&analyze_as(dialect, true), fresh, "cached run as {dialect}");
    }
}
