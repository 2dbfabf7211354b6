//! Inline suppressions applied to findings: a finding located in a file
//! whose comments name its code (`# migsquash: ignore[MS101]` on the line
//! the finding starts on, `# migsquash: ignore-file[MS101]` anywhere in
//! the file) is not shown. The comments are read during extraction
//! (`extract::suppressions`) and cached with the file; a directive that
//! matches nothing is itself a finding (MS104), one that cannot be read or
//! names a code that does not exist or may not be suppressed is MS105 (a
//! check like the others). See docs/suppressions.md.

use std::collections::BTreeMap;

use crate::checks::CheckMeta;
use crate::checks::unused_suppression::UnusedSuppression;
use crate::diagnostic::Diagnostic;
use crate::extract::suppressions::SuppressionKind;
use crate::ir::RevisionFile;
use crate::python::Span;

/// Findings after suppressions.
#[derive(Debug, Default)]
pub struct Applied {
    /// What is shown: the findings no suppression names, and MS104 for
    /// each code a suppression names in vain. Sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The findings suppressions hide. Not shown, but an error among them
    /// still stops `consolidate` (a suppression never changes a baseline).
    pub suppressed: Vec<Diagnostic>,
}

/// Why a code in a suppression is not applied.
#[derive(Debug, Clone, Copy)]
pub enum Refused {
    Unknown,
    /// It exists but may not be suppressed, and why.
    NotSuppressible(&'static CheckMeta, &'static str),
}

/// Every finding a suppression may name: the checks and consolidate's.
fn all_findings() -> impl Iterator<Item = &'static CheckMeta> {
    crate::checks::ALL
        .iter()
        .map(|c| c.meta())
        .chain(crate::consolidate::FINDINGS)
}

/// The finding a suppression's code or name (`MS101`,
/// `redundant-merge-parent`, any case) stands for, if it may be suppressed.
pub fn resolve(code: &str) -> Result<&'static CheckMeta, Refused> {
    let meta = all_findings()
        .find(|m| m.code.eq_ignore_ascii_case(code) || m.name.eq_ignore_ascii_case(code))
        .ok_or(Refused::Unknown)?;
    let why = match meta.code {
        // Replay refuses what it cannot know; hiding that would let
        // consolidate write a baseline that may differ from the history.
        "MS201" => {
            "consolidate refuses to write a baseline that may differ from the history, and a comment cannot make it safe; squash up to a revision before it (`--up-to`) or rewrite the operation"
        }
        "MS104" | "MS105" => "it is about a suppression itself; fix or remove that comment instead",
        _ => return Ok(meta),
    };
    Err(Refused::NotSuppressible(meta, why))
}

/// `apply`'s `computes` for `analyze` and `check`: they run every check in
/// every file, and none of consolidate's findings (MS201–MS203).
pub fn computed_by_checks(_file: usize, code: &str) -> bool {
    crate::checks::ALL.iter().any(|c| c.meta().code == code)
}

/// One code of one directive.
struct Entry {
    file: usize,
    /// `None` for `ignore-file`.
    line: Option<usize>,
    meta: &'static CheckMeta,
    span: Span,
    used: bool,
}

/// Hides the findings suppressions name and reports (MS104) each code a
/// suppression names that matched no finding, when `computes(file, code)`
/// says this run looks for that code's findings in that file: a run that
/// does not compute a code cannot know whether its suppression is used.
pub fn apply(
    files: &[RevisionFile],
    diagnostics: Vec<Diagnostic>,
    computes: impl Fn(usize, &str) -> bool,
) -> Applied {
    let mut entries = Vec::new();
    let mut by_file: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        for suppression in &file.suppressions {
            let line = match &suppression.kind {
                SuppressionKind::Line(_) => Some(file.line_table().line(suppression.span.start)),
                SuppressionKind::File(_) => None,
                SuppressionKind::Malformed(_) => continue,
            };
            for code in suppression.codes() {
                // Unknown and refused codes are MS105's (a check).
                if let Ok(meta) = resolve(&code.value) {
                    by_file.entry(index).or_default().push(entries.len());
                    entries.push(Entry {
                        file: index,
                        line,
                        meta,
                        span: code.span,
                        used: false,
                    });
                }
            }
        }
    }
    if entries.is_empty() {
        return Applied {
            diagnostics,
            suppressed: Vec::new(),
        };
    }
    let mut shown = Vec::with_capacity(diagnostics.len());
    let mut suppressed = Vec::new();
    for diagnostic in diagnostics {
        let mut hit = false;
        // A finding about the history as a whole has no line to carry a
        // comment; one located in a file without a span, only the file.
        if let Some(location) = &diagnostic.location
            && let Some(candidates) = by_file.get(&location.file)
        {
            let line = location
                .span
                .map(|span| files[location.file].line_table().line(span.start));
            for &i in candidates {
                let entry = &mut entries[i];
                if entry.meta.code == diagnostic.code
                    && (entry.line.is_none() || entry.line == line)
                {
                    // Every directive that names it is used, not only the first.
                    entry.used = true;
                    hit = true;
                }
            }
        }
        if hit {
            suppressed.push(diagnostic);
        } else {
            shown.push(diagnostic);
        }
    }
    for entry in entries
        .iter()
        .filter(|e| !e.used && computes(e.file, e.meta.code))
    {
        shown.push(unused(files, entry));
    }
    shown.sort_by_cached_key(Diagnostic::sort_key);
    Applied {
        diagnostics: shown,
        suppressed,
    }
}

fn unused(files: &[RevisionFile], entry: &Entry) -> Diagnostic {
    let (code, name) = (entry.meta.code, entry.meta.name);
    let (message, help) = match entry.line {
        Some(_) => (
            format!("unused suppression: no {code} ({name}) finding starts on this line"),
            "remove the code from the comment; `ignore[…]` applies to findings that start on its own line (for a statement over several lines, its first line)",
        ),
        None => (
            format!(
                "unused suppression: {} has no {code} ({name}) finding",
                files[entry.file].rel_path
            ),
            "remove the code from the comment",
        ),
    };
    let mut diagnostic = Diagnostic::new(&UnusedSuppression::META, message)
        .at(entry.file, Some(entry.span))
        .label("suppresses nothing")
        .help(help);
    if let Some(id) = files[entry.file].revision_id() {
        diagnostic = diagnostic.revision(id);
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{CheckOptions, Context};
    use crate::graph::RevisionGraph;

    /// A finding's code and line.
    type Found = Vec<(String, usize)>;

    /// Runs every check over in-memory files, then applies suppressions
    /// as `analyze` does; returns (shown, suppressed) codes with lines.
    fn run(sources: &[&str]) -> (Found, Found) {
        let files: Vec<RevisionFile> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut f = crate::extract::extract_str(s);
                f.rel_path = format!("r{i}.py");
                f
            })
            .collect();
        let graph = RevisionGraph::build(&files);
        let options = CheckOptions::default();
        let found = crate::checks::run_all(&Context {
            files: &files,
            graph: &graph,
            options: &options,
            layout: &crate::checks::test_support::NO_LAYOUT,
            unread: &[],
        });
        let applied = apply(&files, found, computed_by_checks);
        let lines = |ds: &[Diagnostic]| {
            ds.iter()
                .map(|d| {
                    let line = d.location.as_ref().map_or(0, |l| {
                        l.span
                            .map_or(0, |s| files[l.file].line_table().line(s.start))
                    });
                    (d.code.to_owned(), line)
                })
                .collect::<Vec<_>>()
        };
        (lines(&applied.diagnostics), lines(&applied.suppressed))
    }

    fn pair(code: &str, line: usize) -> (String, usize) {
        (code.to_owned(), line)
    }

    #[test]
    fn resolves_codes_and_names_in_any_case() {
        assert_eq!(resolve("MS101").unwrap().code, "MS101");
        assert_eq!(resolve("ms101").unwrap().code, "MS101");
        assert_eq!(resolve("Redundant-Merge-Parent").unwrap().code, "MS101");
        assert_eq!(resolve("MS202").unwrap().code, "MS202");
        assert!(matches!(resolve("MS999"), Err(Refused::Unknown)));
        for code in ["MS201", "unknowable-schema-change", "MS104", "MS105"] {
            assert!(
                matches!(resolve(code), Err(Refused::NotSuppressible(..))),
                "{code}"
            );
        }
    }

    #[test]
    fn a_line_suppression_hides_findings_starting_on_its_line() {
        let heads = [
            "revision = 'a'\ndown_revision = None\n",
            "revision = 'b'  # migsquash: ignore[multiple-heads]\ndown_revision = 'a'\n",
            "revision = 'c'\ndown_revision = 'a'\n",
        ];
        let (shown, suppressed) = run(&heads);
        assert_eq!(shown, []);
        assert_eq!(suppressed, [pair("MS001", 1)]);

        // On another line it matches nothing: the finding stays, and the
        // suppression is reported.
        let mut moved = heads;
        moved[1] = "revision = 'b'\ndown_revision = 'a'  # migsquash: ignore[MS001]\n";
        let (shown, suppressed) = run(&moved);
        assert_eq!(shown, [pair("MS001", 1), pair("MS104", 2)]);
        assert_eq!(suppressed, []);
    }

    #[test]
    fn a_file_suppression_hides_its_code_anywhere_in_the_file() {
        let (shown, suppressed) = run(&[
            "revision = 'a'\ndown_revision = None\n",
            "revision = 'b'\ndown_revision = 'a'\n",
            "# migsquash: ignore-file[MS101, MS102]\nrevision = 'm'\ndown_revision = ('a', 'b')\n",
        ]);
        assert_eq!(shown, [pair("MS104", 1)], "MS102 is unused");
        assert_eq!(suppressed, [pair("MS101", 3)]);
    }

    #[test]
    fn refused_and_unknown_codes_are_reported_once_and_never_applied() {
        let (shown, _) = run(&[
            "revision = 'a'  # migsquash: ignore[MS201, MS999, MS104]\ndown_revision = None\n",
        ]);
        assert_eq!(
            shown,
            [pair("MS105", 1), pair("MS105", 1), pair("MS105", 1)]
        );
    }

    #[test]
    fn codes_this_run_does_not_compute_are_not_judged() {
        // MS202 is consolidate's: `analyze` and `check` cannot know
        // whether it is used.
        let (shown, suppressed) =
            run(&["revision = 'a'  # migsquash: ignore[MS202]\ndown_revision = None\n"]);
        assert_eq!((shown, suppressed), (vec![], vec![]));
    }
}
