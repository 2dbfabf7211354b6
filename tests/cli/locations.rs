//! Lines and columns are Python's: a line ends at `\n`, `\r\n` or a lone
//! `\r`; a column counts characters; a UTF-8 byte order mark is no column.

use std::collections::BTreeMap;
use std::process::Command;

use crate::support::{json, run, test_python};

/// Files mixing every line end, with a byte order mark or not, non-ASCII
/// text, and a syntax error both parsers put on the `)`: where each puts
/// it must be where Python puts it.
#[test]
fn syntax_errors_are_where_python_says_for_any_mix_of_line_ends() {
    const ENDS: &[&str] = &["\n", "\r\n", "\r", "\n\r", "\r\r\n"];
    // Statements, one line each, with any line end between them.
    const STATEMENTS: &[&[&str]] = &[
        &["x = 'é🙂a'"],
        &["# café ☕"],
        &[""],
        &["y = (1,", "     'ü')"],
        &["def f():", "\treturn '🙂'"],
    ];
    // xorshift64: a fixed seed, so a failure reproduces.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let dir = tempfile::tempdir().unwrap();
    for index in 0..40 {
        let mut text = String::new();
        if next(3) == 0 {
            text.push('\u{feff}');
        }
        text.push_str(&format!("revision = 'r{index}'"));
        for _ in 0..next(12) {
            for line in STATEMENTS[next(STATEMENTS.len())] {
                text.push_str(ENDS[next(ENDS.len())]);
                text.push_str(line);
            }
        }
        text.push_str(ENDS[next(ENDS.len())]);
        text.push_str("z = 'é' +)");
        text.push_str(ENDS[next(ENDS.len())]);
        std::fs::write(dir.path().join(format!("r{index:02}.py")), text).unwrap();
    }

    let (_, out, _) = run(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    let ours: BTreeMap<String, (u64, u64)> = json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "MS005")
        .map(|d| {
            let name = d["path"].as_str().unwrap().rsplit('/').next().unwrap();
            let position = (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap());
            (name.to_owned(), position)
        })
        .collect();
    let script = r#"
import pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    try:
        compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as error:
        print(path.name, error.lineno, error.offset)
"#;
    let output = Command::new(test_python())
        .args(["-c", script, dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let pythons: BTreeMap<String, (u64, u64)> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let parts: Vec<&str> = line.split(' ').collect();
            let number = |i: usize| parts[i].parse::<u64>().unwrap();
            (parts[0].to_owned(), (number(1), number(2)))
        })
        .collect();
    assert_eq!(pythons.len(), 40);
    assert_eq!(ours, pythons);
}

/// The text report's snippet header and the JSON agree, on a file with
/// lone `\r` line ends and a byte order mark.
#[test]
fn text_and_json_agree_on_old_mac_line_ends_and_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.py"),
        "\u{feff}revision = 'a'\rdown_revision = None\r\r# café\rdef upgrade():\r    x = 'é' $ 1\r",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let (_, out, _) = run(&["check", "--format", "json", path]);
    let diagnostic = &json(&out)["diagnostics"][0];
    assert_eq!(
        (&diagnostic["line"], &diagnostic["column"]),
        (&6.into(), &13.into())
    );
    let (_, out, _) = run(&["check", path]);
    assert!(out.contains("/a.py:6:13\n"), "{out}");
    assert!(out.contains("6 |     x = 'é' $ 1\n"), "{out}");
}
