//! `migsquash completions SHELL` and `migsquash man [COMMAND]`.

use std::process::{Command as StdCommand, Stdio};

use crate::support::run;

const COMMANDS: &[&str] = &[
    "analyze",
    "check",
    "graph",
    "consolidate",
    "verify",
    "rebase",
    "explain",
    "completions",
    "man",
];

#[test]
fn completions_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        assert!(stderr.is_empty(), "{shell}: {stderr}");
        for command in COMMANDS {
            assert!(
                stdout.contains(command),
                "{shell} completion lacks `{command}`:\n{stdout}"
            );
        }
        // The options of a command too.
        assert!(stdout.contains("max-heads"), "{shell}:\n{stdout}");
    }
}

#[test]
fn bash_completion_is_valid_bash() {
    let (code, script, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    let mut bash = StdCommand::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash (the test suite runs from scripts/test-all.sh, a bash script)");
    std::io::Write::write_all(&mut bash.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let output = bash.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn completions_of_an_unknown_shell_cannot_run() {
    let (code, stdout, stderr) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("possible values: bash"), "{stderr}");
}

#[test]
fn man_page() {
    let (code, page, stderr) = run(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        page.contains(&format!(
            ".TH MIGSQUASH 1  \"migsquash {}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{page}"
    );
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    // Each command's page is named where the commands are listed, and
    // `help` is no page.
    for command in COMMANDS {
        assert!(
            page.contains(&format!("migsquash\\-{command}(1)")),
            "{command}:\n{page}"
        );
    }
    assert!(!page.contains("migsquash\\-help"), "{page}");
}

#[test]
fn man_page_of_each_command() {
    for command in COMMANDS {
        let (code, page, stderr) = run(&["man", command]);
        assert_eq!(code, 0, "{command}: {stderr}");
        let title = format!(
            ".TH MIGSQUASH-{} 1  \"migsquash {}\"",
            command.to_uppercase(),
            env!("CARGO_PKG_VERSION")
        );
        assert!(page.contains(&title), "{command}:\n{page}");
        assert!(
            page.contains(&format!("\\fBmigsquash {command}\\fR")),
            "{command}:\n{page}"
        );
    }
    let (_, check, _) = run(&["man", "check"]);
    assert!(check.contains("\\-\\-max\\-heads"), "{check}");
}

#[test]
fn man_page_of_an_unknown_command_cannot_run() {
    let (code, stdout, stderr) = run(&["man", "squash"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "error: no command `squash`; the commands are analyze, check, graph, consolidate, \
         verify, rebase, config, explain, completions, man\n"
    );
}
