//! Inline suppressions: `# migsquash: ignore[MS101]` at the end of a line,
//! `# migsquash: ignore-file[MS101]` on a line of its own. Read from the
//! comment tokens (a `#` inside a string is not a comment) and kept as
//! written: which codes exist, and which may be suppressed, is decided when
//! they are applied (`crate::suppress`), not stored in the cache. See
//! docs/suppressions.md.

use serde::{Deserialize, Serialize};

use crate::ir::{Name, Spanned};
use crate::python::Span;

/// One `migsquash:` directive in a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// From `migsquash` to the closing bracket (to the end of the comment
    /// when it cannot be read).
    pub span: Span,
    pub kind: SuppressionKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressionKind {
    /// `ignore[…]`: findings whose location starts on the comment's line.
    Line(Vec<Spanned<Name>>),
    /// `ignore-file[…]` on a line of its own: findings anywhere in the file.
    File(Vec<Spanned<Name>>),
    /// A directive that cannot be read, and why.
    Malformed(String),
}

impl Suppression {
    /// The codes (or names) it lists, as written.
    pub fn codes(&self) -> &[Spanned<Name>] {
        match &self.kind {
            SuppressionKind::Line(codes) | SuppressionKind::File(codes) => codes,
            SuppressionKind::Malformed(_) => &[],
        }
    }
}

/// The directives in a file's comments, in source order.
pub fn read(source: &str, comments: &[Span]) -> Vec<Suppression> {
    let mut out = Vec::new();
    for &comment in comments {
        let text = comment.text(source);
        // Cheap test first: almost no comment is a directive.
        if !contains_marker(text) {
            continue;
        }
        let own_line = own_line(source, comment.start as usize);
        // A directive may follow another tool's (`# type: ignore  # migsquash: …`):
        // each `#` starts a candidate.
        for (at, _) in text.match_indices('#') {
            let segment_end = text[at + 1..].find('#').map_or(text.len(), |n| at + 1 + n);
            let base = comment.start + at as u32 + 1;
            if let Some(found) = directive(&text[at + 1..segment_end], base, own_line) {
                out.push(found);
            }
        }
    }
    out
}

fn contains_marker(text: &str) -> bool {
    text.as_bytes()
        .windows(MARKER.len())
        .any(|w| w.eq_ignore_ascii_case(MARKER.as_bytes()))
}

const MARKER: &str = "migsquash";

/// Whether only whitespace (or the byte order mark) precedes `offset` on
/// its line.
fn own_line(source: &str, offset: usize) -> bool {
    let before = source.get(..offset).unwrap_or("");
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    before[start..]
        .trim_start_matches('\u{feff}')
        .chars()
        .all(|c| matches!(c, ' ' | '\t' | '\x0c'))
}

/// A `migsquash: …` directive at the start of one `#` segment of a comment
/// (`text` follows the `#`; `base` is its offset in the file). `None` when
/// the segment is not a directive at all (prose that mentions migsquash).
fn directive(text: &str, base: u32, own_line: bool) -> Option<Suppression> {
    let mut cursor = Cursor { text, pos: 0 };
    cursor.skip_blanks();
    let start = cursor.pos;
    if !cursor.eat_ignore_case(MARKER) {
        return None;
    }
    cursor.skip_blanks();
    if !cursor.eat(':') {
        return None;
    }
    let at = |from: usize, to: usize| Span::new(base + from as u32, base + to as u32);
    let malformed = |why: String| {
        Some(Suppression {
            span: at(start, text.trim_end().len().max(start)),
            kind: SuppressionKind::Malformed(why),
        })
    };
    cursor.skip_blanks();
    let word = cursor.take_while(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let file = if word.eq_ignore_ascii_case("ignore") {
        false
    } else if word.eq_ignore_ascii_case("ignore-file") {
        true
    } else if word.is_empty() {
        return malformed(
            "expected `ignore[CODE]` or `ignore-file[CODE]` after `migsquash:`".to_owned(),
        );
    } else {
        return malformed(format!(
            "unknown directive `{word}`; migsquash reads `ignore[CODE]` and `ignore-file[CODE]`"
        ));
    };
    let directive = if file { "ignore-file" } else { "ignore" };
    cursor.skip_blanks();
    if !cursor.eat('[') {
        return malformed(if cursor.rest().trim().is_empty() {
            format!(
                "`{directive}` without codes; name what it suppresses, e.g. `{directive}[MS101]` (a blanket suppression would also hide findings nobody has seen)"
            )
        } else {
            format!("expected `[` after `{directive}`: write `{directive}[MS101]`")
        });
    }
    let Some(close) = cursor.rest().find(']') else {
        return malformed(format!("`{directive}[` is not closed by `]`"));
    };
    let list_start = cursor.pos;
    let list = &cursor.rest()[..close];
    let mut codes = Vec::new();
    let mut offset = list_start;
    let items: Vec<&str> = list.split(',').collect();
    for (i, item) in items.iter().enumerate() {
        let trimmed = item.trim();
        let lead = item.len() - item.trim_start().len();
        if trimmed.is_empty() {
            // A trailing comma is fine, an empty slot elsewhere is a typo.
            if i + 1 != items.len() || i == 0 {
                if items.len() == 1 {
                    return malformed(format!(
                        "`{directive}[]` names no code; name what it suppresses, e.g. `{directive}[MS101]`"
                    ));
                }
                return malformed(format!("an empty code in `{directive}[…]`"));
            }
        } else {
            codes.push(Spanned {
                value: Name::from(trimmed),
                span: at(offset + lead, offset + lead + trimmed.len()),
            });
        }
        offset += item.len() + 1;
    }
    let end = list_start + close + 1;
    if file && !own_line {
        return malformed(
            "`ignore-file` must be on a line of its own; to suppress a finding on this line, use `ignore[…]`"
                .to_owned(),
        );
    }
    Some(Suppression {
        span: at(start, end),
        kind: if file {
            SuppressionKind::File(codes)
        } else {
            SuppressionKind::Line(codes)
        },
    })
}

struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn skip_blanks(&mut self) {
        self.take_while(|c| c == ' ' || c == '\t');
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.rest().starts_with(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    fn eat_ignore_case(&mut self, word: &str) -> bool {
        let found = self
            .rest()
            .as_bytes()
            .get(..word.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()));
        if found {
            self.pos += word.len();
        }
        found
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'t str {
        let rest = self.rest();
        let len = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The directives in `source`, with their codes as text.
    fn read_str(source: &str) -> Vec<Suppression> {
        let module = crate::python::parse_module(source).expect("parses");
        read(source, &module.comments)
    }

    fn codes(s: &Suppression, source: &str) -> Vec<String> {
        s.codes()
            .iter()
            .map(|c| {
                assert_eq!(c.span.text(source), c.value.as_str(), "code span");
                c.value.to_string()
            })
            .collect()
    }

    fn malformed(s: &Suppression) -> &str {
        match &s.kind {
            SuppressionKind::Malformed(why) => why,
            other => panic!("not malformed: {other:?}"),
        }
    }

    #[test]
    fn one_or_several_codes_with_any_spacing_and_case() {
        for (source, expected) in [
            ("x = 1  # migsquash: ignore[MS101]\n", vec!["MS101"]),
            ("x = 1  #migsquash:ignore[MS101]\n", vec!["MS101"]),
            ("x = 1  #   MigSquash :  IGNORE [ ms101 ]\n", vec!["ms101"]),
            (
                "x = 1  # migsquash: ignore[MS101, multiple-heads,MS001]\n",
                vec!["MS101", "multiple-heads", "MS001"],
            ),
            ("x = 1  # migsquash: ignore[MS101,]\n", vec!["MS101"]),
            (
                "x = 1  # migsquash: ignore[MS101] merge kept on purpose\n",
                vec!["MS101"],
            ),
            (
                "x = 1  # type: ignore  # migsquash: ignore[MS101]  # noqa\n",
                vec!["MS101"],
            ),
            ("x = 1\t#\tmigsquash:\tignore[\tMS101\t]\n", vec!["MS101"]),
        ] {
            let found = read_str(source);
            assert_eq!(found.len(), 1, "{source:?}: {found:?}");
            assert!(
                matches!(found[0].kind, SuppressionKind::Line(_)),
                "{source:?}"
            );
            assert_eq!(codes(&found[0], source), expected, "{source:?}");
            let span = found[0].span.text(source);
            assert!(
                span.to_ascii_lowercase().starts_with("migsquash") && span.ends_with(']'),
                "{source:?}: {span:?}"
            );
        }
    }

    #[test]
    fn file_directive_on_its_own_line_only() {
        let source = "\"\"\"doc\"\"\"\n  # migsquash: ignore-file[MS101, MS102]\nx = 1\n";
        let found = read_str(source);
        assert_eq!(found.len(), 1);
        assert!(matches!(found[0].kind, SuppressionKind::File(_)));
        assert_eq!(codes(&found[0], source), ["MS101", "MS102"]);

        let source = "x = 1  # migsquash: ignore-file[MS101]\n";
        let found = read_str(source);
        assert!(malformed(&found[0]).contains("line of its own"));

        let source = "\u{feff}# migsquash: ignore-file[MS101]\r\nx = 1\r\n";
        let found = read_str(source);
        assert!(matches!(found[0].kind, SuppressionKind::File(_)));
    }

    #[test]
    fn malformed_directives_say_why() {
        for (source, why) in [
            ("x = 1  # migsquash: ignore\n", "without codes"),
            ("x = 1  # migsquash: ignore   \n", "without codes"),
            ("# migsquash: ignore-file\n", "without codes"),
            ("x = 1  # migsquash: ignore[]\n", "names no code"),
            ("x = 1  # migsquash: ignore[ , ]\n", "empty code"),
            ("x = 1  # migsquash: ignore[MS101,,MS102]\n", "empty code"),
            ("x = 1  # migsquash: ignore[MS101\n", "not closed"),
            ("x = 1  # migsquash: ignore: MS101\n", "expected `[`"),
            ("x = 1  # migsquash: ignore MS101\n", "expected `[`"),
            (
                "x = 1  # migsquash: ignroe[MS101]\n",
                "unknown directive `ignroe`",
            ),
            ("x = 1  # migsquash: disable[MS101]\n", "unknown directive"),
            ("x = 1  # migsquash:\n", "after `migsquash:`"),
            ("x = 1  # migsquash: [MS101]\n", "after `migsquash:`"),
        ] {
            let found = read_str(source);
            assert_eq!(found.len(), 1, "{source:?}: {found:?}");
            assert!(malformed(&found[0]).contains(why), "{source:?}: {found:?}");
            assert!(
                found[0].span.text(source).starts_with("migsquash"),
                "{source:?}"
            );
        }
    }

    #[test]
    fn only_comments_are_read() {
        for source in [
            // In strings, docstrings and f-strings a `#` is text.
            "x = '# migsquash: ignore[MS101]'\n",
            "\"\"\"\n# migsquash: ignore-file[MS101]\n\"\"\"\n",
            "x = f\"{1}  # migsquash: ignore[MS101]\"\n",
            // Prose that mentions migsquash is not a directive.
            "x = 1  # migsquash reads this file\n",
            "x = 1  # see migsquash: ignore[MS101]\n",
            "x = 1  # migsquashed: ignore[MS101]\n",
        ] {
            assert_eq!(read_str(source), [], "{source:?}");
        }
        // The string ends; the comment after it counts.
        let source = "x = '# migsquash: ignore[MS999]'  # migsquash: ignore[MS101]\n";
        let found = read_str(source);
        assert_eq!(found.len(), 1);
        assert_eq!(codes(&found[0], source), ["MS101"]);
    }
}
