//! Findings. A finding is data, never an `Err`: analysis always completes
//! and reports what it found; only the reporters turn spans into lines.

use serde::{Deserialize, Serialize};

use crate::python::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A place in a revision file: the file's index in the history and a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: usize,
    pub span: Option<Span>,
}

/// A secondary location that helps explain a finding.
#[derive(Debug, Clone)]
pub struct Related {
    pub location: Location,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    /// The level shown (the configuration's `severity` may change it).
    pub severity: Severity,
    /// The level the check gave it, whatever the configuration says: what
    /// `consolidate` goes by.
    pub own_severity: Severity,
    pub message: String,
    /// Where it is; `None` for findings about the history as a whole.
    pub location: Option<Location>,
    /// Label under the primary span in the text report.
    pub label: Option<String>,
    pub revision: Option<String>,
    pub related: Vec<Related>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(meta: &crate::checks::CheckMeta, message: impl Into<String>) -> Self {
        Self {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            own_severity: meta.severity,
            message: message.into(),
            location: None,
            label: None,
            revision: None,
            related: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, file: usize, span: Option<Span>) -> Self {
        self.location = Some(Location { file, span });
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    pub fn related(mut self, file: usize, span: Option<Span>, label: impl Into<String>) -> Self {
        self.related.push(Related {
            location: Location { file, span },
            label: label.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self.own_severity = severity;
        self
    }

    /// Sort key: errors first, then by file and position, then code.
    pub fn sort_key(
        &self,
    ) -> (
        std::cmp::Reverse<Severity>,
        usize,
        u32,
        &'static str,
        String,
    ) {
        let (file, start) = match &self.location {
            Some(loc) => (loc.file, loc.span.map_or(0, |s| s.start)),
            None => (usize::MAX, 0),
        };
        (
            std::cmp::Reverse(self.severity),
            file,
            start,
            self.code,
            self.message.clone(),
        )
    }
}
