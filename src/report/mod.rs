//! Reporters: the only code that turns byte spans into lines and columns,
//! and (through the CLI) the only code whose output is printed.

pub mod config;
pub mod github;
pub mod graph;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use crate::Analysis;
use crate::diagnostic::{Location, Severity};
use crate::python::Span;

/// A span widened to character boundaries, so that a span computed on
/// bytes (e.g. the first invalid byte of a non-UTF-8 file, shown as U+FFFD)
/// can be sliced safely.
pub fn char_range(source: &str, span: Span) -> std::ops::Range<usize> {
    let mut start = (span.start as usize).min(source.len());
    let mut end = (span.end as usize).clamp(start, source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// A file's text as the snippet renderer must be given it, and how many
/// bytes were cut from its start. annotate-snippets ends lines at `\n` and
/// `\r\n` only and counts a byte order mark as a column; Python (and so
/// `ir::LineTable`) also ends one at a lone `\r` and skips the mark. A lone
/// `\r` becomes `\n` (a byte for a byte: spans stay valid) and the mark is
/// cut (spans move back by its length), so the line and column shown above
/// a snippet are the ones every other report gives.
pub fn snippet_source(source: &str) -> (std::borrow::Cow<'_, str>, u32) {
    let (source, cut) = match source.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8() as u32),
        None => (source, 0),
    };
    let bytes = source.as_bytes();
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', bytes).any(lone_cr) {
        return (source.into(), cut);
    }
    let mut text = bytes.to_vec();
    for i in memchr::memchr_iter(b'\r', bytes).filter(|&i| lone_cr(i)) {
        text[i] = b'\n';
    }
    let text = String::from_utf8(text).expect("one ASCII byte replaced by another");
    (text.into(), cut)
}

/// A resolved position for output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Computes positions and display paths for an analysis (line tables come
/// with the files, see `ir::LineTable`).
pub struct Locator<'a> {
    analysis: &'a Analysis,
    paths: RefCell<HashMap<usize, std::rc::Rc<str>>>,
}

impl<'a> Locator<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        Self {
            analysis,
            paths: RefCell::new(HashMap::new()),
        }
    }

    pub fn position(&self, file: usize, offset: u32) -> Position {
        let file = &self.analysis.files[file];
        let (line, column) = file.line_table().line_col(offset, || file.source());
        Position { line, column }
    }

    pub fn span(&self, file: usize, span: Span) -> (Position, Position) {
        (
            self.position(file, span.start),
            self.position(file, span.end),
        )
    }

    /// Where a location starts; the file's first line when it has no span.
    pub fn start(&self, location: &Location) -> Position {
        match location.span {
            Some(span) => self.position(location.file, span.start),
            None => Position { line: 1, column: 1 },
        }
    }

    pub fn path(&self, file: usize) -> String {
        let mut paths = self.paths.borrow_mut();
        let shown = paths
            .entry(file)
            .or_insert_with(|| display_path(&self.analysis.files[file].path).into());
        shown.to_string()
    }
}

pub use crate::fsio::display_path;

/// Text from the history (file names, revision ids, names quoted in
/// messages) as a human-readable report may show it: control characters
/// but the tab, and bidirectional overrides, escaped (`\n`, `\x1b`,
/// `\u{202e}`), so a file name can neither start a line of its own (a
/// `::error` workflow command under GitHub Actions) nor drive the terminal.
/// JSON and the GitHub format escape by their own rules and take the text
/// as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `printable` for text that has lines by design (a diff, a traceback):
/// line breaks are kept too.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    use std::fmt::Write;
    let unsafe_char =
        |c: char| (c.is_control() && c != '\t' && !(keep_lines && c == '\n')) || is_bidi_control(c);
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            _ if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// Unicode's embedding, override and isolate controls, which reorder how
/// the text around them is displayed.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Counts by severity.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(analysis: &Analysis) -> Self {
        let mut counts = Counts::default();
        for d in &analysis.diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }
}

/// `1 revision`, `2 revisions`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_what_would_reach_a_terminal_or_a_ci_log() {
        assert_eq!(printable("a.py"), "a.py");
        assert!(matches!(printable("é.py"), Cow::Borrowed(_)));
        assert_eq!(
            printable("x\n::error::x\x1b[31m.py"),
            "x\\n::error::x\\x1b[31m.py"
        );
        assert_eq!(
            printable("\r\t\u{7f}\u{9b}\u{202e}"),
            "\\r\t\\x7f\\u{9b}\\u{202e}"
        );
        assert_eq!(printable_lines("a\nb\x1b"), "a\nb\\x1b");
    }
}
