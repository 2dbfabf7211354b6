//! SARIF 2.1.0 (`check --format sarif`, `analyze --format sarif`), the
//! format code scanning services read (GitHub's `upload-sarif`): one run,
//! every check and consolidate finding a rule, every diagnostic a result.
//! Files are named relative to the repository root (`%SRCROOT%`), so the
//! service can match them with its checkout; lines and columns are the
//! ones every other report gives (`Locator`).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_sarif::sarif;

use super::Locator;
use crate::Analysis;
use crate::checks::CheckMeta;
use crate::diagnostic::{Diagnostic, Location, Severity};

/// The schema the log names: SchemaStore's copy of the OASIS schema,
/// the one GitHub's documentation names. The tests validate against the
/// OASIS schema itself (tests/fixtures/sarif/).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base every relative URI is resolved against: the repository root.
/// GitHub's upload action resolves this name against its checkout.
pub const SRCROOT: &str = "%SRCROOT%";

/// Everything but RFC 3986's unreserved characters is escaped in a path
/// segment: a `:` in a first segment would read as a scheme, and `%`, `#`,
/// `?` and spaces would change or break the URI.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Every code migsquash has, in code order (`analyze` and `check` report
/// neither consolidate's nor rebase's, but the rules describe them all).
pub fn rules() -> Vec<&'static CheckMeta> {
    crate::all_findings().collect()
}

/// Writes the SARIF log of `analysis`'s diagnostics.
pub fn render(analysis: &Analysis, out: impl Write) -> std::io::Result<()> {
    let root = source_root(&analysis.input);
    let log = log(analysis, root.as_deref());
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &log)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The SARIF log, with URIs relative to `root` (absolute `file:` URIs for
/// files outside it, or all of them without a root).
pub fn log(analysis: &Analysis, root: Option<&Path>) -> sarif::Sarif {
    let rules = rules();
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, m)| (m.code, i)).collect();
    let locator = Locator::new(analysis);
    let mut artifacts = Artifacts {
        analysis,
        root,
        canonical_root: root.and_then(|root| root.canonicalize().ok()),
        known: HashMap::new(),
    };
    let results = analysis
        .diagnostics
        .iter()
        .map(|d| result(d, index.get(d.code).copied(), &locator, &mut artifacts))
        .collect::<Vec<_>>();
    let mut driver = sarif::ToolComponent::builder()
        .name("migsquash")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules.iter().map(|m| rule(m)).collect::<Vec<_>>())
        .build();
    driver.information_uri = information_uri().map(str::to_owned);
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        // Columns count characters, as Python and editors do.
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    if let Some(root) = root {
        let base = sarif::ArtifactLocation::builder()
            .uri(file_uri(root, true))
            .description(text(
                "The repository root: the folder holding .git, else the working directory.",
            ))
            .build();
        run.original_uri_base_ids = Some(BTreeMap::from([(SRCROOT.to_owned(), base)]));
    }
    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The project's address, if Cargo.toml names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|uri| !uri.is_empty())
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn text(text: impl Into<String>) -> sarif::Message {
    sarif::Message::builder().text(text).build()
}

fn multiformat(text: String, markdown: String) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text)
        .markdown(markdown)
        .build()
}

/// A check's documentation (its doc comment) as a rule: the first line,
/// the text before the first heading, and the whole page as help.
fn rule(meta: &CheckMeta) -> sarif::ReportingDescriptor {
    // Doc comments start each line with a space.
    let lines: Vec<&str> = meta
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let description = lines
        .iter()
        .take_while(|l| !l.starts_with('#'))
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned();
    let markdown = lines.join("\n").trim().to_owned();
    // As plain text, a heading is a line of its own.
    let plain = lines
        .iter()
        .map(|l| l.trim_start_matches('#').trim_start())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned();
    sarif::ReportingDescriptor::builder()
        .id(meta.code)
        .name(meta.name)
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(meta.summary())
                .build(),
        )
        .full_description(multiformat(description.clone(), description))
        .help(multiformat(plain, markdown))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(level(meta.severity)))
                .build(),
        )
        .build()
}

fn result(
    d: &Diagnostic,
    rule_index: Option<usize>,
    locator: &Locator,
    artifacts: &mut Artifacts,
) -> sarif::Result {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut result = sarif::Result::builder()
        .rule_id(d.code)
        .level(match d.severity {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
            Severity::Info => sarif::ResultLevel::Note,
        })
        .message(text(message))
        .build();
    result.rule_index = rule_index.map(|i| i as i64);
    if let Some(location) = &d.location {
        let mut primary = location_of(location, locator, artifacts);
        primary.message = d.label.clone().map(text);
        result.locations = Some(vec![primary]);
    }
    if !d.related.is_empty() {
        let related = d
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut location = location_of(&r.location, locator, artifacts);
                location.id = Some(i as i64 + 1);
                location.message = Some(text(r.label.clone()));
                location
            })
            .collect();
        result.related_locations = Some(related);
    }
    if let Some(revision) = &d.revision {
        result.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([(
                    "revision".to_owned(),
                    serde_json::json!(revision),
                )]))
                .build(),
        );
    }
    result
}

/// A location: the file and, as the other reports give it, the region
/// (a finding about a whole file is shown on its first line, as the text
/// and GitHub reports show it).
fn location_of(
    location: &Location,
    locator: &Locator,
    artifacts: &mut Artifacts,
) -> sarif::Location {
    let region = match location.span {
        Some(span) => {
            let (start, end) = locator.span(location.file, span);
            sarif::Region::builder()
                .start_line(start.line as i64)
                .start_column(start.column as i64)
                .end_line(end.line as i64)
                .end_column(end.column as i64)
                .build()
        }
        None => sarif::Region::builder()
            .start_line(1)
            .start_column(1)
            .build(),
    };
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifacts.location(location.file))
        .region(region)
        .build();
    sarif::Location::builder()
        .physical_location(physical)
        .build()
}

/// Each file's artifact location, computed once.
struct Artifacts<'a> {
    analysis: &'a Analysis,
    root: Option<&'a Path>,
    /// The root with its symbolic links resolved.
    canonical_root: Option<PathBuf>,
    known: HashMap<usize, sarif::ArtifactLocation>,
}

impl Artifacts<'_> {
    fn location(&mut self, file: usize) -> sarif::ArtifactLocation {
        let path = &self.analysis.files[file].path;
        let (root, canonical_root) = (self.root, self.canonical_root.as_deref());
        self.known
            .entry(file)
            .or_insert_with(|| {
                // As written first: a folder inside the repository that
                // links elsewhere is still named inside it.
                let written = crate::fsio::lexical_absolute(path);
                let resolved = resolved(path);
                let relative = root
                    .and_then(|root| written.strip_prefix(root).ok())
                    .or_else(|| canonical_root.and_then(|root| resolved.strip_prefix(root).ok()));
                match relative {
                    Some(relative) => sarif::ArtifactLocation::builder()
                        .uri(relative_uri(relative))
                        .uri_base_id(SRCROOT)
                        .build(),
                    None => sarif::ArtifactLocation::builder()
                        .uri(file_uri(&resolved, false))
                        .build(),
                }
            })
            .clone()
    }
}

/// The repository root: the nearest folder, from the analysed path up,
/// that holds `.git` (a folder, or a file in a worktree or submodule);
/// else the working directory.
pub fn source_root(input: &Path) -> Option<PathBuf> {
    let start = crate::fsio::lexical_absolute(input);
    let repository = start
        .ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok());
    match repository {
        Some(dir) => Some(dir.to_path_buf()),
        None => std::env::current_dir().ok(),
    }
}

/// A path made absolute with its folder's symbolic links and `..`
/// resolved, the file name kept as written (a revision file that is a
/// link is reported where the user sees it).
fn resolved(path: &Path) -> PathBuf {
    let canonical_dir = |dir: &Path| {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        dir.canonicalize().ok()
    };
    let resolved = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => canonical_dir(dir).map(|dir| dir.join(name)),
        // `.`, `..` or `/`: a folder.
        _ => canonical_dir(path),
    };
    resolved.unwrap_or_else(|| crate::fsio::lexical_absolute(path))
}

fn segment(part: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(part).to_vec();
    #[cfg(not(unix))]
    let bytes = part.to_string_lossy().into_owned().into_bytes();
    percent_encoding::percent_encode(&bytes, SEGMENT).to_string()
}

/// A relative path as a relative URI reference: `/`-separated, escaped.
fn relative_uri(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(segment(part)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// An absolute path as a `file:` URI; a folder's ends with `/`, as
/// `originalUriBaseIds` requires.
fn file_uri(path: &Path, folder: bool) -> String {
    let mut uri = String::from("file://");
    for component in path.components() {
        match component {
            // A Windows drive (`C:`) stays as written: `file:///C:/…`.
            Component::Prefix(prefix) => {
                uri.push('/');
                uri.push_str(&prefix.as_os_str().to_string_lossy());
            }
            Component::Normal(part) => {
                uri.push('/');
                uri.push_str(&segment(part));
            }
            Component::RootDir | Component::CurDir | Component::ParentDir => {}
        }
    }
    if folder || uri == "file://" {
        uri.push('/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_is_not_unreserved() {
        assert_eq!(
            relative_uri(Path::new("migrations/versions/a b%#?:é.py")),
            "migrations/versions/a%20b%25%23%3F%3A%C3%A9.py"
        );
        assert_eq!(relative_uri(Path::new("./x/y-z_1~.py")), "x/y-z_1~.py");
        assert_eq!(
            file_uri(Path::new("/srv/my repo"), true),
            "file:///srv/my%20repo/"
        );
        assert_eq!(file_uri(Path::new("/srv/a.py"), false), "file:///srv/a.py");
        assert_eq!(file_uri(Path::new("/"), true), "file:///");
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_escaped_byte_for_byte() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"r\xff\n.py");
        assert_eq!(relative_uri(Path::new(name)), "r%FF%0A.py");
    }

    #[test]
    fn every_code_is_a_rule_with_its_documentation() {
        let rules = rules();
        let codes: Vec<&str> = rules.iter().map(|m| m.code).collect();
        assert!(codes.contains(&"MS001") && codes.contains(&"MS203"));
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len(), "duplicate codes: {codes:?}");
        let rule = rule(crate::all_findings().find(|m| m.code == "MS001").unwrap());
        assert_eq!(rule.id, "MS001");
        assert_eq!(rule.name.as_deref(), Some("multiple-heads"));
        let help = rule.help.unwrap();
        assert!(help.markdown.as_deref().unwrap().contains("## Why"));
        assert!(!help.text.contains("## "));
        let full = rule.full_description.unwrap();
        assert!(!full.text.is_empty() && !full.text.contains("## "));
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }

    #[test]
    fn the_root_is_the_folder_holding_git() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("app/migrations/versions")).unwrap();
        std::fs::write(root.join(".git"), "gitdir: elsewhere\n").unwrap();
        assert_eq!(
            source_root(&root.join("app/migrations/versions")).as_deref(),
            Some(root.as_path())
        );
        assert_eq!(
            source_root(&root.join("app/migrations/../migrations")).as_deref(),
            Some(root.as_path())
        );
    }

    #[test]
    fn lexical_paths_fold_dots_as_written() {
        assert_eq!(
            crate::fsio::lexical_absolute(Path::new("/srv/a/./b/../c.py")),
            Path::new("/srv/a/c.py")
        );
        assert_eq!(
            crate::fsio::lexical_absolute(Path::new("/../x")),
            Path::new("/x")
        );
        assert!(crate::fsio::lexical_absolute(Path::new("x/y")).is_absolute());
    }
}
