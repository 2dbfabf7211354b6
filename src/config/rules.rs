//! Which findings are shown, and at which level: `select`, `extend-select`
//! and `ignore` (in the configuration file and on the command line),
//! `per-file-ignores` and `severity`. Applied once, in `analyze` after the
//! inline suppressions (and to consolidate's MS202/MS203); what they hide
//! joins `Analysis::suppressed`, so an error among it still stops
//! `consolidate`, as a suppressed one does (docs/configuration.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::checks::CheckMeta;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::RevisionFile;

/// The finding no configuration hides or lowers: how `consolidate`
/// refuses to write a baseline that may differ from the history.
pub const ALWAYS_SHOWN: &str = "MS201";

/// Every finding that can be selected: the checks' and consolidate's.
/// (`rebase`'s MS3xx are why it refuses, shown by it alone.)
pub fn selectable() -> impl Iterator<Item = &'static CheckMeta> {
    crate::checks::ALL
        .iter()
        .map(|c| c.meta())
        .chain(crate::consolidate::FINDINGS)
}

/// A code, a name, a code prefix or `ALL`, as `select`, `ignore`,
/// `per-file-ignores` and `severity` name findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Selector {
    All,
    /// `MS`, `MS1`, `MS10`: every code that starts so.
    Prefix(String),
    /// One finding, named by its code or its name.
    Code(&'static str),
}

impl Selector {
    /// Reads `MS101`, `redundant-merge-parent`, `MS1` or `ALL` (any case).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("ALL") {
            return Ok(Self::All);
        }
        if let Some(meta) = selectable()
            .find(|m| m.code.eq_ignore_ascii_case(text) || m.name.eq_ignore_ascii_case(text))
        {
            return Ok(Self::Code(meta.code));
        }
        if let Some(meta) = crate::rebase::FINDINGS
            .iter()
            .find(|m| m.code.eq_ignore_ascii_case(text) || m.name.eq_ignore_ascii_case(text))
        {
            return Err(format!(
                "`{text}`: {} ({}) is why `migsquash rebase` refuses, not a finding that can be selected or ignored",
                meta.code, meta.name
            ));
        }
        let upper = text.to_ascii_uppercase();
        let is_prefix = upper.len() < 5
            && upper.starts_with("MS")
            && upper[2..].bytes().all(|b| b.is_ascii_digit());
        if is_prefix && selectable().any(|m| m.code.starts_with(&upper)) {
            return Ok(Self::Prefix(upper));
        }
        Err(format!(
            "unknown code or name `{text}`; `migsquash explain` lists them (a prefix such as `MS1` names every code it starts)"
        ))
    }

    pub fn matches(&self, code: &str) -> bool {
        match self {
            Self::All => true,
            Self::Prefix(prefix) => code.starts_with(prefix.as_str()),
            Self::Code(c) => *c == code,
        }
    }

    /// How precisely it names a code: the more precise of two selectors
    /// that match one decides, as in ruff.
    fn specificity(&self) -> usize {
        match self {
            Self::All => 0,
            Self::Prefix(prefix) => prefix.len(),
            Self::Code(_) => usize::MAX,
        }
    }

    /// Whether it names MS201 itself (not through a prefix or `ALL`).
    pub fn names_always_shown(&self) -> bool {
        *self == Self::Code(ALWAYS_SHOWN)
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All => f.write_str("ALL"),
            Self::Prefix(prefix) => f.write_str(prefix),
            Self::Code(code) => f.write_str(code),
        }
    }
}

/// One source of `select`, `extend-select` and `ignore`: the
/// configuration file, then the command line. A layer with `select`
/// starts over; one without changes only the codes it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleLayer {
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
}

/// The codes enabled after the layers, in code order. Within a layer the
/// most precise selector that names a code decides (`ignore = ["MS1"]`
/// with `extend-select = ["MS101"]` keeps MS101); between equally precise
/// ones, `ignore` wins. MS201 is always enabled.
pub fn enabled(layers: &[RuleLayer]) -> BTreeSet<&'static str> {
    let mut enabled: BTreeSet<&'static str> = selectable().map(|m| m.code).collect();
    for layer in layers {
        for meta in selectable() {
            let code = meta.code;
            let selecting = layer
                .select
                .iter()
                .flatten()
                .chain(&layer.extend_select)
                .filter(|s| s.matches(code))
                .map(|s| (s.specificity(), true));
            let ignoring = layer
                .ignore
                .iter()
                .filter(|s| s.matches(code))
                .map(|s| (s.specificity(), false));
            // At equal precision `false` (ignore) sorts first: take the
            // most precise, and among those the ignore.
            let decision = selecting
                .chain(ignoring)
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            let on = match decision {
                Some((_, on)) => on,
                None if layer.select.is_some() => false,
                None => continue,
            };
            if on {
                enabled.insert(code);
            } else {
                enabled.remove(code);
            }
        }
    }
    enabled.insert(ALWAYS_SHOWN);
    enabled
}

/// The level of each code a `severity` table names (the most precise key
/// decides); MS201 keeps its own.
pub fn severities(table: &[(Selector, Severity)]) -> BTreeMap<&'static str, Severity> {
    let mut out = BTreeMap::new();
    for meta in selectable().filter(|m| m.code != ALWAYS_SHOWN) {
        if let Some((_, level)) = table
            .iter()
            .filter(|(s, _)| s.matches(meta.code))
            .max_by_key(|(s, _)| s.specificity())
        {
            out.insert(meta.code, *level);
        }
    }
    out
}

/// `per-file-ignores`: globs, relative to the configuration file's
/// folder, and the codes each hides in the files it matches.
#[derive(Debug, Clone)]
pub struct PerFileIgnores {
    /// The configuration file's folder, absolute and without `.`/`..`.
    base: PathBuf,
    globs: globset::GlobSet,
    /// Indexed like the globs.
    codes: Vec<BTreeSet<&'static str>>,
}

impl PerFileIgnores {
    /// Compiles the globs. A glob without `/` matches a file name in any
    /// folder (as in `.gitignore`); one with `/` matches the path from
    /// `base`, where `*` stays within a folder and `**` crosses them.
    pub fn new(
        base: &Path,
        entries: &[(String, Vec<Selector>)],
    ) -> Result<Self, (usize, globset::Error)> {
        let mut builder = globset::GlobSetBuilder::new();
        let mut codes = Vec::with_capacity(entries.len());
        for (index, (pattern, selectors)) in entries.iter().enumerate() {
            builder.add(glob(pattern).map_err(|err| (index, err))?);
            codes.push(
                selectable()
                    .map(|m| m.code)
                    .filter(|&c| c != ALWAYS_SHOWN && selectors.iter().any(|s| s.matches(c)))
                    .collect(),
            );
        }
        let globs = builder.build().map_err(|err| (0, err))?;
        Ok(Self {
            base: crate::fsio::lexical_absolute(base),
            globs,
            codes,
        })
    }

    /// The codes hidden in the file at `path`.
    fn hidden_in(&self, path: &Path) -> BTreeSet<&'static str> {
        let path = crate::fsio::lexical_absolute(path);
        let relative = path.strip_prefix(&self.base).unwrap_or(&path);
        self.globs
            .matches(relative)
            .into_iter()
            .flat_map(|i| self.codes[i].iter().copied())
            .collect()
    }
}

/// One `per-file-ignores` glob, compiled.
pub fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    let pattern = if pattern.contains('/') {
        pattern.to_owned()
    } else {
        format!("**/{pattern}")
    };
    globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
}

/// What the configuration and the command line make of the findings.
/// The default shows every finding at its own level.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Codes not enabled (never MS201).
    disabled: BTreeSet<&'static str>,
    per_file: Option<PerFileIgnores>,
    severity: BTreeMap<&'static str, Severity>,
}

/// Findings after `Rules::apply`.
#[derive(Debug, Default)]
pub struct Applied {
    /// Shown, at their configured level; sorted.
    pub shown: Vec<Diagnostic>,
    /// Hidden (not enabled, or ignored in their file), at their own level.
    pub hidden: Vec<Diagnostic>,
}

impl Rules {
    pub fn new(
        enabled: &BTreeSet<&'static str>,
        per_file: Option<PerFileIgnores>,
        severity: BTreeMap<&'static str, Severity>,
    ) -> Self {
        Self {
            disabled: selectable()
                .map(|m| m.code)
                .filter(|c| !enabled.contains(c) && *c != ALWAYS_SHOWN)
                .collect(),
            per_file,
            severity,
        }
    }

    /// Whether findings of `code` are shown (anywhere).
    pub fn enables(&self, code: &str) -> bool {
        !self.disabled.contains(code)
    }

    pub fn is_default(&self) -> bool {
        self.disabled.is_empty() && self.per_file.is_none() && self.severity.is_empty()
    }

    /// Hides the findings not enabled or ignored in their file, and sets
    /// the level of the others. A finding with no file is hidden only by
    /// `select`/`ignore`.
    pub fn apply(&self, files: &[RevisionFile], diagnostics: Vec<Diagnostic>) -> Applied {
        if self.is_default() {
            return Applied {
                shown: diagnostics,
                hidden: Vec::new(),
            };
        }
        let mut per_file_cache: BTreeMap<usize, BTreeSet<&'static str>> = BTreeMap::new();
        let mut applied = Applied::default();
        for mut diagnostic in diagnostics {
            let code = diagnostic.code;
            let ignored_here = match (&self.per_file, &diagnostic.location) {
                (Some(per_file), Some(location)) => per_file_cache
                    .entry(location.file)
                    .or_insert_with(|| per_file.hidden_in(&files[location.file].path))
                    .contains(code),
                _ => false,
            };
            if self.disabled.contains(code) || ignored_here {
                applied.hidden.push(diagnostic);
                continue;
            }
            if let Some(level) = self.severity.get(code) {
                diagnostic.severity = *level;
            }
            applied.shown.push(diagnostic);
        }
        applied.shown.sort_by_cached_key(Diagnostic::sort_key);
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(list: &[&str]) -> Vec<Selector> {
        list.iter().map(|s| Selector::parse(s).unwrap()).collect()
    }

    #[test]
    fn selectors_are_codes_names_prefixes_or_all() {
        assert_eq!(Selector::parse("ms101"), Ok(Selector::Code("MS101")));
        assert_eq!(
            Selector::parse("Redundant-Merge-Parent"),
            Ok(Selector::Code("MS101"))
        );
        assert_eq!(Selector::parse("ms1"), Ok(Selector::Prefix("MS1".into())));
        assert_eq!(Selector::parse("MS"), Ok(Selector::Prefix("MS".into())));
        assert_eq!(Selector::parse("all"), Ok(Selector::All));
        assert!(
            Selector::parse("MS999")
                .unwrap_err()
                .contains("unknown code")
        );
        assert!(Selector::parse("MS9").unwrap_err().contains("unknown code"));
        assert!(Selector::parse("MS1234").is_err());
        assert!(Selector::parse("MS301").unwrap_err().contains("rebase"));
    }

    #[test]
    fn layers_select_then_extend_then_ignore_most_precise_first() {
        let all: BTreeSet<_> = selectable().map(|m| m.code).collect();
        assert_eq!(enabled(&[]), all);
        let layer = RuleLayer {
            select: Some(sel(&["MS0"])),
            extend_select: sel(&["MS101"]),
            ignore: sel(&["MS001"]),
        };
        let on = enabled(&[layer]);
        assert!(on.contains("MS002") && on.contains("MS101") && on.contains("MS201"));
        assert!(!on.contains("MS001") && !on.contains("MS102"));

        // A precise selector beats a prefix; at equal precision ignore wins.
        let layer = RuleLayer {
            select: None,
            extend_select: sel(&["MS101"]),
            ignore: sel(&["MS1"]),
        };
        let on = enabled(&[layer]);
        assert!(on.contains("MS101") && !on.contains("MS102") && on.contains("MS001"));
        let layer = RuleLayer {
            select: Some(sel(&["MS101"])),
            extend_select: vec![],
            ignore: sel(&["redundant-merge-parent"]),
        };
        assert_eq!(enabled(&[layer]), BTreeSet::from(["MS201"]));

        // A later layer without `select` changes only what it names; one
        // with `select` starts over.
        let file = RuleLayer {
            select: None,
            extend_select: vec![],
            ignore: sel(&["MS101", "MS102"]),
        };
        let cli = RuleLayer {
            select: None,
            extend_select: sel(&["MS102"]),
            ignore: vec![],
        };
        let on = enabled(&[file.clone(), cli]);
        assert!(!on.contains("MS101") && on.contains("MS102"));
        let cli = RuleLayer {
            select: Some(sel(&["ALL"])),
            ..RuleLayer::default()
        };
        assert_eq!(enabled(&[file, cli]), all);
    }

    #[test]
    fn severity_tables_take_the_most_precise_key_and_leave_ms201() {
        let table = [
            (Selector::Prefix("MS1".into()), Severity::Error),
            (Selector::Code("MS104"), Severity::Info),
            (Selector::All, Severity::Warning),
        ];
        let levels = severities(&table);
        assert_eq!(levels["MS101"], Severity::Error);
        assert_eq!(levels["MS104"], Severity::Info);
        assert_eq!(levels["MS001"], Severity::Warning);
        assert!(!levels.contains_key("MS201"));
    }

    #[test]
    fn globs_without_a_slash_match_file_names_anywhere() {
        let base = Path::new("/project");
        let entries = vec![
            ("m3_merge.py".to_owned(), sel(&["MS101"])),
            ("versions/*.py".to_owned(), sel(&["MS102"])),
            ("legacy/**".to_owned(), sel(&["MS1"])),
        ];
        let per_file = PerFileIgnores::new(base, &entries).unwrap();
        let hidden = |p: &str| per_file.hidden_in(Path::new(p));
        assert_eq!(
            hidden("/project/a/versions/m3_merge.py"),
            BTreeSet::from(["MS101"])
        );
        assert_eq!(hidden("/project/versions/x.py"), BTreeSet::from(["MS102"]));
        assert_eq!(hidden("/project/versions/sub/x.py"), BTreeSet::new());
        assert!(hidden("/project/legacy/a/b.py").contains("MS105"));
        assert_eq!(hidden("/elsewhere/versions/x.py"), BTreeSet::new());
        assert_eq!(
            hidden("/project/x/../versions/y.py"),
            BTreeSet::from(["MS102"])
        );
        assert!(PerFileIgnores::new(base, &[("a[".to_owned(), vec![])]).is_err());
    }
}
