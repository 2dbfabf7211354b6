//! Reporters: the only code that turns byte spans into lines and columns,
//! and (through the CLI) the only code whose output is printed.

pub mod github;
pub mod graph;
pub mod json;
pub mod markdown;
pub mod text;

use std::cell::RefCell;
use std::collections::HashMap;

use crate::Analysis;
use crate::diagnostic::{Location, Severity};
use crate::python::Span;

/// Byte offset → 1-based line and column (in characters).
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        Self { starts }
    }

    pub fn line_col(&self, source: &str, offset: u32) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1] as usize;
        let end = (offset as usize).min(source.len());
        let column = source
            .get(start..end)
            .map_or(end - start, |s| s.chars().count())
            + 1;
        (line, column)
    }
}

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

/// A resolved position for output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Computes positions for an analysis, caching one line index per file.
pub struct Locator<'a> {
    analysis: &'a Analysis,
    cache: RefCell<HashMap<usize, std::rc::Rc<LineIndex>>>,
    paths: RefCell<HashMap<usize, std::rc::Rc<str>>>,
}

impl<'a> Locator<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        Self {
            analysis,
            cache: RefCell::new(HashMap::new()),
            paths: RefCell::new(HashMap::new()),
        }
    }

    pub fn position(&self, file: usize, offset: u32) -> Position {
        let source = self.analysis.files[file].source();
        let index = self
            .cache
            .borrow_mut()
            .entry(file)
            .or_insert_with(|| std::rc::Rc::new(LineIndex::new(source)))
            .clone();
        let (line, column) = index.line_col(source, offset);
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

/// Paths are shown as given (relative to where the user ran the command),
/// with `/` separators so output is the same on every system.
pub fn display_path(path: &std::path::Path) -> String {
    use std::path::Component;
    // Absolute paths (from `%(here)s`) under the working directory are
    // shown relative to it, like the paths the user typed.
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        path.strip_prefix(cwd)
            .ok()
            .map(std::path::Path::to_path_buf)
    });
    let shown = relative.as_deref().unwrap_or(path);
    let mut out = String::new();
    for component in shown.components() {
        match component {
            Component::CurDir => continue,
            Component::RootDir => {
                out.push('/');
                continue;
            }
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    if out.is_empty() { ".".to_owned() } else { out }
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

fn plural(n: usize, word: &str) -> String {
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
    fn line_and_column() {
        let source = "ab\ncdé\nf";
        let index = LineIndex::new(source);
        assert_eq!(index.line_col(source, 0), (1, 1));
        assert_eq!(index.line_col(source, 3), (2, 1));
        assert_eq!(index.line_col(source, 8), (3, 1));
        // after the two-byte é
        assert_eq!(index.line_col(source, 7), (2, 4));
    }
}
