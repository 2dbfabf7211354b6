//! `--format sarif` of `check` and `analyze`: every log validates against
//! the OASIS SARIF 2.1.0 schema (tests/fixtures/sarif/), names files
//! relative to the repository root, places findings where the other
//! reports do, and leaves the exit code as the other formats do.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{histories, json, migsquash, repo_root, run};

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = repo_root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
        let text = std::fs::read_to_string(&path).expect("the vendored SARIF schema");
        // The schema's `language` pattern, `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`,
        // has a stray `]`: JavaScript reads it as a literal `]` (Annex B), the
        // meta-schema's strict `regex` format rejects it. Escaping it keeps
        // its meaning; no migsquash log has a `language` anyway.
        let stray = r#"[a-zA-Z]{2}]?$"#;
        assert_eq!(text.matches(stray).count(), 2, "the schema changed");
        let schema = json(&text.replace(stray, r#"[a-zA-Z]{2}\\]?$"#));
        // Formats (`uri`, `uri-reference`, `date-time`) are checked too.
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

/// Parses a SARIF log and asserts it is valid, and consistent where the
/// schema cannot tell: one run, each result's rule is the one its index
/// names, related locations have distinct ids.
fn valid_sarif(text: &str, what: &str) -> Value {
    let log = json(text);
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: not valid SARIF 2.1.0:\n{}\n{text}",
        errors.join("\n")
    );
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{what}: one run");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "migsquash");
    let rules = driver["rules"].as_array().unwrap();
    for result in run["results"].as_array().expect("results, even when empty") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{what}: {result}");
        if let Some(related) = result["relatedLocations"].as_array() {
            let ids: std::collections::BTreeSet<_> =
                related.iter().map(|l| l["id"].as_i64().unwrap()).collect();
            assert_eq!(ids.len(), related.len(), "{what}: related ids");
        }
    }
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

fn locations(log: &Value) -> Vec<&Value> {
    results(log)
        .iter()
        .flat_map(|r| {
            let primary = r["locations"].as_array().into_iter().flatten();
            let related = r["relatedLocations"].as_array().into_iter().flatten();
            primary.chain(related)
        })
        .map(|l| &l["physicalLocation"])
        .collect()
}

#[test]
fn check_sarif_two_heads() {
    let (code, stdout, stderr) = run(&[
        "check",
        "--format",
        "sarif",
        "sample_migrations/edge_cases/two_heads",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let log = valid_sarif(&stdout, "two_heads");
    let result = &results(&log)[0];
    assert_eq!(result["ruleId"], "MS001");
    assert_eq!(result["level"], "error");
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 1);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    // The root's absolute URI is the checkout's; everything else is
    // relative to it.
    settings.add_filter(r#""uri": "file://[^"]*""#, r#""uri": "file:///[ROOT]/""#);
    // migsquash's version, not SARIF's.
    settings.add_filter(
        r#"(?m)^          "version": "[^"]*"$"#,
        r#"          "version": "[VERSION]""#,
    );
    settings.bind(|| insta::assert_snapshot!("check_sarif_two_heads", stdout));
}

/// Every bundled history, through both commands: valid SARIF, files named
/// relative to the repository root, the exit code of the text format, and
/// the same log from both.
#[test]
fn every_bundled_history_is_valid_sarif() {
    let root = repo_root().canonicalize().unwrap();
    for history in histories() {
        let mut logs = Vec::new();
        for command in ["check", "analyze"] {
            let what = format!("{command} {history}");
            let (code, stdout, stderr) = run(&[command, "--format", "sarif", &history]);
            let (text_code, _, _) = run(&[command, &history]);
            assert_eq!(code, text_code, "{what}: exit code\n{stderr}");
            logs.push(stdout.clone());
            let log = valid_sarif(&stdout, &what);
            assert_eq!(
                log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
                format!("file://{}/", root.display()),
                "{what}"
            );
            for location in locations(&log) {
                let artifact = &location["artifactLocation"];
                assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{what}: {location}");
                let uri = artifact["uri"].as_str().unwrap();
                assert!(
                    uri.starts_with(&format!("{history}/")),
                    "{what}: {uri} is not relative to the repository root"
                );
                if !uri.contains('%') {
                    assert!(root.join(uri).exists(), "{what}: {uri} does not exist");
                }
                let region = &location["region"];
                assert!(region["startLine"].as_u64().unwrap() >= 1, "{what}");
                assert!(region["startColumn"].as_u64().unwrap() >= 1, "{what}");
            }
        }
        assert_eq!(logs[0], logs[1], "check and analyze differ on {history}");
    }
}

#[test]
fn a_clean_history_has_an_empty_result_list() {
    let (code, stdout, _) = run(&["check", "--format", "sarif", "sample_migrations/chat_saas"]);
    assert_eq!(code, 0);
    let log = valid_sarif(&stdout, "chat_saas");
    assert!(results(&log).is_empty());
    // Every rule is described, whether or not it fired.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let (_, list, _) = run(&["explain"]);
    assert_eq!(rules.len(), list.lines().count(), "one rule per code");
    for rule in rules {
        let code = rule["id"].as_str().unwrap();
        assert!(list.contains(code), "{code} is not in `migsquash explain`");
        assert!(rule["shortDescription"]["text"].as_str().unwrap().len() > 10);
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## Why")
        );
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{level}");
    }
}

/// The region starts where the GitHub annotation (and the text report)
/// says, and a syntax error's level and message come through.
#[test]
fn syntax_error_is_placed_as_the_other_reports_place_it() {
    let history = "sample_migrations/edge_cases/syntax_error";
    let (code, stdout, _) = run(&["check", "--format", "sarif", history]);
    assert_eq!(code, 1);
    let log = valid_sarif(&stdout, history);
    let result = &results(&log)[0];
    assert_eq!(result["ruleId"], "MS005");
    assert_eq!(result["level"], "error");
    let (_, github, _) = run(&["check", "--format", "github", history]);
    let annotation = github.lines().next().unwrap();
    let region = &result["locations"][0]["physicalLocation"]["region"];
    for (key, property) in [
        ("startLine", "line"),
        ("startColumn", "col"),
        ("endLine", "endLine"),
        ("endColumn", "endColumn"),
    ] {
        let expected = format!("{property}={},", region[key]);
        assert!(
            annotation.contains(&expected),
            "{key}: {annotation} lacks {expected}"
        );
    }
    let message = result["message"]["text"].as_str().unwrap();
    let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        annotation.contains(&format!("file={uri},")),
        "{annotation} vs {uri}"
    );
    assert!(!message.is_empty());
}

/// `analyze --format sarif --out`: a history that consolidate refuses
/// (MS201) and that has data migrations (MS202) is analysed without them
/// (analyze does not replay), but the rules describe them.
#[test]
fn analyze_writes_sarif_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("migsquash.sarif");
    let history = "sample_migrations/edge_cases/messy_real_world";
    let (code, stdout, stderr) = run(&[
        "analyze",
        "--format",
        "sarif",
        "--out",
        out.to_str().unwrap(),
        history,
    ]);
    let (json_code, _, _) = run(&["analyze", "--format", "json", history]);
    assert_eq!(code, json_code, "{stderr}");
    assert!(stdout.is_empty());
    let log = valid_sarif(&std::fs::read_to_string(&out).unwrap(), history);
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for code in ["MS201", "MS202", "MS203"] {
        assert!(rules.contains(&code), "{code} missing from {rules:?}");
    }
    let (consolidate_code, _, consolidate_err) = run(&["consolidate", history]);
    assert_eq!(consolidate_code, 1);
    assert!(consolidate_err.contains("MS201"), "{consolidate_err}");
    // --out never replaces a file without --force.
    let (code, _, stderr) = run(&[
        "analyze",
        "--format",
        "sarif",
        "--out",
        out.to_str().unwrap(),
        history,
    ]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn exit_codes_are_those_of_the_other_formats() {
    let history = "sample_migrations/edge_cases/several_bases";
    // A warning: 0, 1 with --deny-warnings, 0 again with --exit-zero.
    for (flags, expected) in [
        (&[][..], 0),
        (&["--deny-warnings"][..], 1),
        (&["--deny-warnings", "--exit-zero"][..], 0),
    ] {
        let mut args = vec!["check", "--format", "sarif", history];
        args.extend_from_slice(flags);
        let (code, stdout, _) = run(&args);
        assert_eq!(code, expected, "{args:?}");
        let log = valid_sarif(&stdout, history);
        assert_eq!(results(&log)[0]["level"], "warning");
    }
    let (code, stdout, stderr) = run(&["check", "--format", "sarif", "no/such/folder"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "nothing on standard output: {stdout}");
}

fn write_history(versions: &Path, file_name: &str) {
    std::fs::create_dir_all(versions).unwrap();
    std::fs::write(
        versions.join("a.py"),
        "revision = 'a'\ndown_revision = None\n",
    )
    .unwrap();
    // A syntax error, so that the file is named in a result.
    std::fs::write(
        versions.join(file_name),
        "revision = 'b'\ndown_revision = 'a'\n\ndef upgrade(:\n    pass\n",
    )
    .unwrap();
}

fn result_uri(log: &Value) -> (String, Value) {
    let artifact = &results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    (
        artifact["uri"].as_str().unwrap().to_owned(),
        artifact["uriBaseId"].clone(),
    )
}

/// URIs are relative to the folder holding `.git` above the analysed path,
/// wherever the command runs, and escape what a URI cannot hold.
#[test]
fn uris_are_relative_to_the_folder_holding_git() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("repo");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    let versions = project.join("db/my versions");
    write_history(&versions, "b 100%#é.py");
    let output = migsquash()
        .args(["check", "--format", "sarif"])
        .arg(&versions)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log = valid_sarif(&String::from_utf8(output.stdout).unwrap(), "escaped names");
    assert_eq!(
        result_uri(&log),
        (
            "db/my%20versions/b%20100%25%23%C3%A9.py".to_owned(),
            Value::from("%SRCROOT%")
        )
    );
    let root = project.canonicalize().unwrap();
    assert_eq!(
        log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
}

/// Without `.git` above it, the working directory is the root; a file
/// outside it gets an absolute `file:` URI.
#[test]
fn without_git_uris_are_relative_to_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let versions = dir.path().join("versions");
    write_history(&versions, "b.py");
    assert!(
        !dir.path().ancestors().any(|d| d.join(".git").exists()),
        "the temporary folder {} is inside a git repository; set TMPDIR outside one",
        dir.path().display()
    );
    let output = migsquash()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif", "versions"])
        .output()
        .unwrap();
    let log = valid_sarif(
        &String::from_utf8(output.stdout).unwrap(),
        "working directory",
    );
    assert_eq!(
        result_uri(&log),
        ("versions/b.py".to_owned(), Value::from("%SRCROOT%"))
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let output = migsquash()
        .current_dir(elsewhere.path())
        .args(["check", "--format", "sarif"])
        .arg(&versions)
        .output()
        .unwrap();
    let log = valid_sarif(&String::from_utf8(output.stdout).unwrap(), "outside");
    let absolute = versions.canonicalize().unwrap().join("b.py");
    assert_eq!(
        result_uri(&log),
        (format!("file://{}", absolute.display()), Value::Null)
    );
}

/// The validation is strict enough to catch what code scanning rejects: a
/// URI with a space, a level SARIF does not have, a result without a
/// message.
#[test]
fn the_schema_rejects_broken_logs() {
    let (_, stdout, _) = run(&[
        "check",
        "--format",
        "sarif",
        "sample_migrations/edge_cases/syntax_error",
    ]);
    let log = valid_sarif(&stdout, "syntax_error");
    type Breakage = fn(&mut Value);
    let breakages: [(&str, Breakage); 3] = [
        ("a space in a URI", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] = "versions/a b.py".into();
        }),
        ("level info", |log| {
            log["runs"][0]["results"][0]["level"] = "info".into();
        }),
        ("no message", |log| {
            log["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = log.clone();
        breakage(&mut broken);
        assert!(!validator().is_valid(&broken), "{what} passed validation");
    }
}

/// A folder of the repository that is a symbolic link to one outside it
/// is named as it is inside the repository, where the service finds it.
#[cfg(unix)]
#[test]
fn a_linked_folder_is_named_inside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("repo");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    write_history(&dir.path().join("shared/versions"), "b.py");
    std::os::unix::fs::symlink(dir.path().join("shared"), project.join("db")).unwrap();
    let output = migsquash()
        .current_dir(&project)
        .args(["check", "--format", "sarif", "db/versions"])
        .output()
        .unwrap();
    let log = valid_sarif(&String::from_utf8(output.stdout).unwrap(), "linked folder");
    assert_eq!(
        result_uri(&log),
        ("db/versions/b.py".to_owned(), Value::from("%SRCROOT%"))
    );
}
