//! Configuration files: `.migsquash.toml`, `migsquash.toml`, or the
//! `[tool.migsquash]` table of a `pyproject.toml`, found from PATH upward
//! as ruff finds its own (docs/configuration.md). This module reads and
//! checks them and merges them with the command line into `Settings`
//! (command line > file > default); it never prints: an error carries the
//! file's text and the byte span, and `report::config` renders it.

pub mod rules;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::sql::Dialect;
use rules::{PerFileIgnores, RuleLayer, Rules, Selector};

/// The files looked for in each folder, in this order.
pub const FILE_NAMES: [&str; 3] = [".migsquash.toml", "migsquash.toml", "pyproject.toml"];

/// Every key, in the order they are documented and shown.
pub const KEYS: [&str; 14] = [
    "path",
    "name",
    "recursive",
    "max-heads",
    "intended-branches",
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "output-format",
    "dialect",
    "cache-dir",
    "naming-convention",
];

/// A configuration file that cannot be used (exit 2): where, why, and the
/// file's text for a snippet.
#[derive(Debug, Clone)]
pub struct ConfigError(Box<ErrorDetail>);

impl std::ops::Deref for ConfigError {
    type Target = ErrorDetail;

    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

/// What a `ConfigError` says.
#[derive(Debug, Clone)]
pub struct ErrorDetail {
    pub path: PathBuf,
    pub message: String,
    /// The bytes it is about, when it is about some.
    pub span: Option<Range<usize>>,
    /// The file's text, when it was read.
    pub text: Option<String>,
    /// Under the span.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl ConfigError {
    fn new(path: &Path, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorDetail {
            path: path.to_path_buf(),
            message: message.into(),
            span: None,
            text: None,
            label: None,
            help: None,
        }))
    }

    fn at(mut self, text: &str, span: Range<usize>) -> Self {
        self.0.text = Some(text.to_owned());
        self.0.span = Some(span);
        self
    }

    fn label(mut self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    fn message(mut self, message: impl Into<String>) -> Self {
        self.0.message = message.into();
        self
    }

    /// The 1-based line and column (in characters) the span starts at.
    pub fn position(&self) -> Option<(usize, usize)> {
        let (text, span) = (self.text.as_deref()?, self.span.as_ref()?);
        Some(line_col(text, span.start))
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = crate::fsio::display_path(&self.path);
        match self.position() {
            Some((line, column)) => write!(f, "{path}:{line}:{column}: {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The keys as written; every value spanned, for errors and for where a
/// setting came from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    path: Option<Spanned<PathValue>>,
    name: Option<Spanned<String>>,
    recursive: Option<Spanned<bool>>,
    max_heads: Option<Spanned<usize>>,
    intended_branches: Option<Spanned<Vec<String>>>,
    select: Option<Spanned<Vec<Spanned<String>>>>,
    extend_select: Option<Spanned<Vec<Spanned<String>>>>,
    ignore: Option<Spanned<Vec<Spanned<String>>>>,
    per_file_ignores: Option<Spanned<BTreeMap<Spanned<String>, SpannedList>>>,
    severity: Option<Spanned<BTreeMap<Spanned<String>, Spanned<Severity>>>>,
    output_format: Option<Spanned<OutputFormat>>,
    dialect: Option<Spanned<DialectName>>,
    cache_dir: Option<Spanned<String>>,
    naming_convention: Option<Spanned<BTreeMap<Spanned<String>, String>>>,
}

/// A list of strings, each with its place.
type SpannedList = Vec<Spanned<String>>;

/// `per-file-ignores`: each glob and the findings it hides.
pub type PerFileEntries = Vec<(String, Vec<Selector>)>;

#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a path or a list of paths")]
enum PathValue {
    One(String),
    Many(Vec<String>),
}

/// `pyproject.toml`: only `[tool.migsquash]` is read.
#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    migsquash: Option<Raw>,
}

/// `output-format`: the formats both `check` and `analyze` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
}

impl OutputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Sarif => "sarif",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum DialectName {
    Postgresql,
    Sqlite,
    Mysql,
    Generic,
}

impl From<DialectName> for Dialect {
    fn from(name: DialectName) -> Self {
        match name {
            DialectName::Postgresql => Dialect::PostgreSql,
            DialectName::Sqlite => Dialect::Sqlite,
            DialectName::Mysql => Dialect::MySql,
            DialectName::Generic => Dialect::Generic,
        }
    }
}

/// `--dialect`'s and `dialect`'s name of a dialect.
pub fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::PostgreSql => "postgresql",
        Dialect::Sqlite => "sqlite",
        Dialect::MySql => "mysql",
        Dialect::Generic => "generic",
    }
}

/// A value from the file and the line its value starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromFile<T> {
    pub value: T,
    pub line: usize,
}

/// What one configuration file says, checked, with relative paths
/// resolved against its folder.
#[derive(Debug, Clone, Default)]
pub struct FileSettings {
    pub path: Option<FromFile<Vec<PathBuf>>>,
    pub name: Option<FromFile<String>>,
    pub recursive: Option<FromFile<bool>>,
    pub max_heads: Option<FromFile<usize>>,
    pub intended_branches: Option<FromFile<Vec<String>>>,
    pub select: Option<FromFile<Vec<Selector>>>,
    pub extend_select: Option<FromFile<Vec<Selector>>>,
    pub ignore: Option<FromFile<Vec<Selector>>>,
    pub per_file_ignores: Option<FromFile<PerFileEntries>>,
    pub severity: Option<FromFile<Vec<(Selector, Severity)>>>,
    pub output_format: Option<FromFile<OutputFormat>>,
    pub dialect: Option<FromFile<Dialect>>,
    pub cache_dir: Option<FromFile<PathBuf>>,
    /// env.py's naming convention, stated (`{}`: SQLAlchemy's default).
    pub naming_convention: Option<FromFile<BTreeMap<String, String>>>,
}

/// A configuration file read.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// As found (absolute when discovered) or as given (`--config`).
    pub path: PathBuf,
    /// Its folder: what relative paths in it are relative to.
    pub dir: PathBuf,
    pub settings: FileSettings,
}

/// Where the configuration comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The first folder from here upward that holds a configuration file.
    Discover(&'a Path),
    /// `--config FILE`.
    File(&'a Path),
    /// `--isolated`: none.
    Isolated,
}

/// Finds and reads the configuration file, if any.
pub fn load(source: Source) -> Result<Option<ConfigFile>, ConfigError> {
    match source {
        Source::Isolated => Ok(None),
        Source::File(path) => {
            let text = read(path)?;
            let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
            match parse(path, &text, pyproject)? {
                Some(file) => Ok(Some(file)),
                None => Err(ConfigError::new(path, "has no [tool.migsquash] table")),
            }
        }
        Source::Discover(start) => find(start),
    }
}

/// From `start` (a folder, or a file whose folder is meant) upward, the
/// first folder that holds `.migsquash.toml`, `migsquash.toml` or a
/// `pyproject.toml` with a `[tool.migsquash]` table.
fn find(start: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let start = crate::fsio::lexical_absolute(start);
    let first = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    for dir in first.into_iter().flat_map(Path::ancestors) {
        for name in FILE_NAMES {
            let path = dir.join(name);
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {}
                _ => continue,
            }
            let pyproject = name == "pyproject.toml";
            let text = read(&path)?;
            // A pyproject.toml that does not mention migsquash is some
            // other tool's; it is not even parsed.
            if pyproject && !text.contains("migsquash") {
                continue;
            }
            if let Some(file) = parse(&path, &text, pyproject)? {
                return Ok(Some(file));
            }
        }
    }
    Ok(None)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    let bytes = crate::fsio::read_regular(path, crate::fsio::MAX_INPUT_BYTES)
        .map_err(|err| ConfigError::new(path, format!("cannot read: {err}")))?;
    String::from_utf8(bytes).map_err(|err| {
        ConfigError::new(
            path,
            format!("not valid UTF-8 (byte {})", err.utf8_error().valid_up_to()),
        )
    })
}

/// Reads one file's settings; `None` for a pyproject.toml without the
/// table.
fn parse(path: &Path, text: &str, pyproject: bool) -> Result<Option<ConfigFile>, ConfigError> {
    let toml_error = |err: toml::de::Error| {
        let message = err.message().trim_end().to_owned();
        let mut error = ConfigError::new(path, message.clone());
        if let Some(span) = err.span() {
            error = error.at(text, span);
        }
        if let Some(rest) = message.strip_prefix("unknown field `") {
            error = error.label("unknown key");
            let key = rest.split('`').next().unwrap_or("");
            if let Some(near) = KEYS.iter().find(|k| edit_distance(k, key) <= 2) {
                error = error.help(format!("did you mean `{near}`?"));
            }
        }
        error
    };
    let raw = if pyproject {
        let doc: Pyproject = toml::from_str(text).map_err(toml_error)?;
        match doc.tool.and_then(|t| t.migsquash) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str(text).map_err(toml_error)?
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let settings = check(path, text, &dir, raw)?;
    Ok(Some(ConfigFile {
        path: path.to_path_buf(),
        dir,
        settings,
    }))
}

/// Checks what serde cannot: codes, globs, what may not be ignored.
fn check(path: &Path, text: &str, dir: &Path, raw: Raw) -> Result<FileSettings, ConfigError> {
    let line = |span: Range<usize>| line_col(text, span.start).0;
    let located =
        |span: Range<usize>, message: String| ConfigError::new(path, message).at(text, span);
    fn from<T, U>(
        spanned: Spanned<T>,
        line: impl Fn(Range<usize>) -> usize,
        f: impl FnOnce(T) -> U,
    ) -> FromFile<U> {
        let l = line(spanned.span());
        FromFile {
            value: f(spanned.into_inner()),
            line: l,
        }
    }
    let selectors = |key: &str, list: Spanned<Vec<Spanned<String>>>, may_hide: bool| {
        let l = line(list.span());
        let mut out = Vec::new();
        for item in list.into_inner() {
            let selector = Selector::parse(item.get_ref())
                .map_err(|message| located(item.span(), format!("{key}: {message}")))?;
            if may_hide && selector.names_always_shown() {
                return Err(cannot_hide(located(item.span(), String::new()), key));
            }
            out.push(selector);
        }
        Ok(FromFile {
            value: out,
            line: l,
        })
    };
    let max_heads = match raw.max_heads {
        Some(n) if *n.get_ref() == 0 => {
            return Err(located(
                n.span(),
                "max-heads: must be at least 1".to_owned(),
            ));
        }
        other => other.map(|n| from(n, line, |n| n)),
    };
    let per_file_ignores = match raw.per_file_ignores {
        None => None,
        Some(table) => {
            let l = line(table.span());
            let mut entries = Vec::new();
            for (pattern, codes) in table.into_inner() {
                rules::glob(pattern.get_ref()).map_err(|err| {
                    located(
                        pattern.span(),
                        format!("per-file-ignores: invalid glob: {}", glob_reason(&err)),
                    )
                })?;
                let mut selectors = Vec::new();
                for code in codes {
                    let selector = Selector::parse(code.get_ref()).map_err(|message| {
                        located(code.span(), format!("per-file-ignores: {message}"))
                    })?;
                    if selector.names_always_shown() {
                        return Err(cannot_hide(
                            located(code.span(), String::new()),
                            "per-file-ignores",
                        ));
                    }
                    selectors.push(selector);
                }
                entries.push((pattern.into_inner(), selectors));
            }
            Some(FromFile {
                value: entries,
                line: l,
            })
        }
    };
    let severity = match raw.severity {
        None => None,
        Some(table) => {
            let l = line(table.span());
            let mut entries = Vec::new();
            for (key, level) in table.into_inner() {
                let selector = Selector::parse(key.get_ref())
                    .map_err(|message| located(key.span(), format!("severity: {message}")))?;
                if selector.names_always_shown() {
                    return Err(located(
                        key.span(),
                        "severity: the level of MS201 (unknowable-schema-change) cannot be changed"
                            .to_owned(),
                    )
                    .label("always an error")
                    .help(rules_help()));
                }
                entries.push((selector, level.into_inner()));
            }
            Some(FromFile {
                value: entries,
                line: l,
            })
        }
    };
    let naming_convention = match raw.naming_convention {
        None => None,
        Some(table) => {
            let l = line(table.span());
            let mut templates = BTreeMap::new();
            for (key, template) in table.into_inner() {
                if !NAMING_KEYS.contains(&key.get_ref().as_str()) {
                    return Err(located(
                        key.span(),
                        format!(
                            "naming-convention: `{}` is not one of {}",
                            key.get_ref(),
                            NAMING_KEYS.join(", ")
                        ),
                    )
                    .label("unknown key"));
                }
                templates.insert(key.into_inner(), template);
            }
            Some(FromFile {
                value: templates,
                line: l,
            })
        }
    };
    Ok(FileSettings {
        path: raw.path.map(|p| {
            from(p, line, |p| match p {
                PathValue::One(one) => vec![dir.join(one)],
                PathValue::Many(many) => many.iter().map(|p| dir.join(p)).collect(),
            })
        }),
        name: raw.name.map(|n| from(n, line, |n| n)),
        recursive: raw.recursive.map(|r| from(r, line, |r| r)),
        max_heads,
        intended_branches: raw.intended_branches.map(|b| from(b, line, |b| b)),
        select: raw
            .select
            .map(|s| selectors("select", s, false))
            .transpose()?,
        extend_select: raw
            .extend_select
            .map(|s| selectors("extend-select", s, false))
            .transpose()?,
        ignore: raw
            .ignore
            .map(|s| selectors("ignore", s, true))
            .transpose()?,
        per_file_ignores,
        severity,
        output_format: raw.output_format.map(|f| from(f, line, |f| f)),
        dialect: raw.dialect.map(|d| from(d, line, Dialect::from)),
        cache_dir: raw.cache_dir.map(|d| from(d, line, |d| dir.join(d))),
        naming_convention,
    })
}

/// The keys of a naming convention migsquash reads (SQLAlchemy's).
pub const NAMING_KEYS: [&str; 5] = ["ix", "uq", "ck", "fk", "pk"];

fn rules_help() -> String {
    "consolidate refuses to write a baseline that may differ from the history, and a setting cannot make it safe; squash up to a revision before it (`--up-to`) or rewrite the operation".to_owned()
}

fn cannot_hide(error: ConfigError, key: &str) -> ConfigError {
    error
        .message(format!(
            "{key}: MS201 (unknowable-schema-change) cannot be ignored"
        ))
        .label("cannot be ignored")
        .help(rules_help())
}

/// globset's message without the pattern it repeats.
fn glob_reason(err: &globset::Error) -> String {
    err.kind().to_string()
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Where a setting in effect came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File {
        path: PathBuf,
        line: usize,
    },
    CommandLine,
    /// An environment variable an option reads.
    Environment(&'static str),
}

/// A setting in effect and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value<T> {
    pub value: T,
    pub origin: Origin,
}

/// What the command line says; `None` (or empty) when it says nothing.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    pub path: Option<PathBuf>,
    pub name: Option<String>,
    pub recursive: Option<bool>,
    /// `usize::MAX` for `--allow-multiple-heads`.
    pub max_heads: Option<usize>,
    /// `--intended-branch`, repeated.
    pub intended_branches: Option<Vec<String>>,
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub dialect: Option<Dialect>,
    /// With `Origin::CommandLine` or `Origin::Environment`.
    pub cache_dir: Option<(PathBuf, Origin)>,
}

/// The settings in effect: command line, else file, else default.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    /// The paths to read (PATH, or the file's `path`, or `.`).
    pub path: Value<Vec<PathBuf>>,
    pub name: Value<Option<String>>,
    pub recursive: Value<bool>,
    pub max_heads: Value<usize>,
    pub intended_branches: Value<Vec<String>>,
    /// The `select` in effect (`ALL` by default).
    pub select: Value<Vec<Selector>>,
    /// Each source's `extend-select` and `ignore` applied after that
    /// `select` (a command-line `--select` drops the file's).
    pub extend_select: Vec<Value<Vec<Selector>>>,
    pub ignore: Vec<Value<Vec<Selector>>>,
    pub per_file_ignores: Value<PerFileEntries>,
    pub severity: Value<Vec<(Selector, Severity)>>,
    pub output_format: Value<Option<OutputFormat>>,
    pub dialect: Value<Option<Dialect>>,
    pub cache_dir: Value<Option<PathBuf>>,
    pub naming_convention: Value<Option<BTreeMap<String, String>>>,
    rules: Rules,
}

impl Settings {
    /// Merges the command line over the file over the defaults.
    pub fn resolve(file: Option<&ConfigFile>, cli: CommandLine) -> Result<Self, ConfigError> {
        let empty = FileSettings::default();
        let settings = file.map_or(&empty, |f| &f.settings);
        let from_file = |line: usize| match file {
            Some(f) => Origin::File {
                path: f.path.clone(),
                line,
            },
            None => Origin::Default,
        };
        fn pick<T: Clone>(
            cli: Option<T>,
            file: &Option<FromFile<T>>,
            from_file: &dyn Fn(usize) -> Origin,
            default: T,
        ) -> Value<T> {
            match (cli, file) {
                (Some(value), _) => Value {
                    value,
                    origin: Origin::CommandLine,
                },
                (None, Some(f)) => Value {
                    value: f.value.clone(),
                    origin: from_file(f.line),
                },
                (None, None) => Value {
                    value: default,
                    origin: Origin::Default,
                },
            }
        }
        fn some<T: Clone>(f: &Option<FromFile<T>>) -> Option<FromFile<Option<T>>> {
            f.as_ref().map(|f| FromFile {
                value: Some(f.value.clone()),
                line: f.line,
            })
        }
        let from_file: &dyn Fn(usize) -> Origin = &from_file;
        let path = pick(
            cli.path.map(|p| vec![p]),
            &settings.path,
            from_file,
            vec![PathBuf::from(".")],
        );
        let name = pick(cli.name.map(Some), &some(&settings.name), from_file, None);
        let recursive = pick(cli.recursive, &settings.recursive, from_file, false);
        let max_heads = pick(cli.max_heads, &settings.max_heads, from_file, 1);
        let intended_branches = pick(
            cli.intended_branches,
            &settings.intended_branches,
            from_file,
            Vec::new(),
        );
        let dialect = pick(
            cli.dialect.map(Some),
            &some(&settings.dialect),
            from_file,
            None,
        );
        let output_format = pick(None, &some(&settings.output_format), from_file, None);
        let cache_dir = match cli.cache_dir {
            Some((dir, origin)) => Value {
                value: Some(dir),
                origin,
            },
            None => pick(None, &some(&settings.cache_dir), from_file, None),
        };
        let per_file_ignores = pick(None, &settings.per_file_ignores, from_file, Vec::new());
        let naming_convention = pick(None, &some(&settings.naming_convention), from_file, None);
        let severity = pick(None, &settings.severity, from_file, Vec::new());

        // select / extend-select / ignore: the file's layer, then the
        // command line's; a `select` starts over.
        let value_of = |f: &FromFile<Vec<Selector>>| Value {
            value: f.value.clone(),
            origin: from_file(f.line),
        };
        let file_layer = RuleLayer {
            select: settings.select.as_ref().map(|s| s.value.clone()),
            extend_select: settings
                .extend_select
                .as_ref()
                .map_or_else(Vec::new, |s| s.value.clone()),
            ignore: settings
                .ignore
                .as_ref()
                .map_or_else(Vec::new, |s| s.value.clone()),
        };
        let cli_layer = RuleLayer {
            select: cli.select.clone(),
            extend_select: cli.extend_select.clone(),
            ignore: cli.ignore.clone(),
        };
        let cli_value = |list: &[Selector]| {
            (!list.is_empty()).then(|| Value {
                value: list.to_vec(),
                origin: Origin::CommandLine,
            })
        };
        let (select, mut extend_select, mut ignore) = match &cli.select {
            Some(select) => (
                Value {
                    value: select.clone(),
                    origin: Origin::CommandLine,
                },
                Vec::new(),
                Vec::new(),
            ),
            None => (
                match &settings.select {
                    Some(s) => value_of(s),
                    None => Value {
                        value: vec![Selector::All],
                        origin: Origin::Default,
                    },
                },
                settings.extend_select.iter().map(value_of).collect(),
                settings.ignore.iter().map(value_of).collect(),
            ),
        };
        extend_select.extend(cli_value(&cli.extend_select));
        ignore.extend(cli_value(&cli.ignore));

        let enabled = rules::enabled(&[file_layer, cli_layer]);
        let per_file = match (&per_file_ignores.value[..], file) {
            ([], _) | (_, None) => None,
            (entries, Some(f)) => {
                Some(PerFileIgnores::new(&f.dir, entries).map_err(|(_, err)| {
                    ConfigError::new(&f.path, format!("per-file-ignores: {err}"))
                })?)
            }
        };
        let rules = Rules::new(&enabled, per_file, rules::severities(&severity.value));
        Ok(Self {
            file: file.map(|f| f.path.clone()),
            path,
            name,
            recursive,
            max_heads,
            intended_branches,
            select,
            extend_select,
            ignore,
            per_file_ignores,
            severity,
            output_format,
            dialect,
            cache_dir,
            naming_convention,
            rules,
        })
    }

    /// What `select`, `extend-select`, `ignore`, `per-file-ignores` and
    /// `severity` make of the findings.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The codes enabled, in code order.
    pub fn enabled(&self) -> Vec<&'static str> {
        rules::selectable()
            .map(|m| m.code)
            .filter(|c| self.rules.enables(c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<FileSettings, ConfigError> {
        parse(Path::new("/p/migsquash.toml"), text, false).map(|f| f.unwrap().settings)
    }

    fn error(text: &str) -> String {
        parse_str(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_key() {
        let settings = parse_str(
            r#"
path = "db/alembic.ini"
name = "tenant"
recursive = true
max-heads = 2
intended-branches = ["reporting"]
select = ["MS0", "redundant-merge-parent"]
extend-select = ["MS102"]
ignore = ["MS001"]
output-format = "json"
dialect = "sqlite"
cache-dir = ".cache/migsquash"

[per-file-ignores]
"versions/legacy_*.py" = ["MS101"]

[severity]
MS101 = "error"
multiple-bases = "info"
"#,
        )
        .unwrap();
        assert_eq!(
            settings.path.unwrap(),
            FromFile {
                value: vec![PathBuf::from("/p/db/alembic.ini")],
                line: 2
            }
        );
        assert_eq!(settings.name.unwrap().value, "tenant");
        assert!(settings.recursive.unwrap().value);
        assert_eq!(settings.max_heads.unwrap().value, 2);
        assert_eq!(settings.intended_branches.unwrap().value, ["reporting"]);
        assert_eq!(
            settings.select.unwrap().value,
            [Selector::Prefix("MS0".into()), Selector::Code("MS101")]
        );
        assert_eq!(settings.extend_select.unwrap().line, 8);
        assert_eq!(settings.ignore.unwrap().value, [Selector::Code("MS001")]);
        assert_eq!(settings.output_format.unwrap().value, OutputFormat::Json);
        assert_eq!(settings.dialect.unwrap().value, Dialect::Sqlite);
        assert_eq!(
            settings.cache_dir.unwrap().value,
            PathBuf::from("/p/.cache/migsquash")
        );
        assert_eq!(
            settings.per_file_ignores.unwrap().value,
            [(
                "versions/legacy_*.py".to_owned(),
                vec![Selector::Code("MS101")]
            )]
        );
        let severity = settings.severity.unwrap();
        assert_eq!(severity.line, 17, "its first key");
        assert_eq!(
            severity.value,
            [
                (Selector::Code("MS101"), Severity::Error),
                (Selector::Code("MS102"), Severity::Info)
            ]
        );
    }

    #[test]
    fn a_list_of_paths_is_several_folders() {
        let settings = parse_str("path = ['a/versions', 'b/versions']\n").unwrap();
        assert_eq!(
            settings.path.unwrap().value,
            [
                PathBuf::from("/p/a/versions"),
                PathBuf::from("/p/b/versions")
            ]
        );
    }

    #[test]
    fn errors_are_located_and_say_what_is_allowed() {
        let err = parse_str("name = 'x'\nmax-head = 2\n").unwrap_err();
        assert_eq!(err.position(), Some((2, 1)));
        assert!(err.message.contains("unknown field `max-head`"), "{err}");
        assert!(err.message.contains("`max-heads`"), "{err}");
        assert_eq!(err.help.as_deref(), Some("did you mean `max-heads`?"));
        assert!(parse_str("colour = 1\n").unwrap_err().help.is_none());

        assert!(
            error("recursive = 'yes'\n").starts_with("/p/migsquash.toml:1:13: invalid type"),
            "{}",
            error("recursive = 'yes'\n")
        );
        assert!(error("max-heads = -1\n").contains(":1:13:"));
        assert!(error("max-heads = 0\n").contains("at least 1"));
        assert!(error("output-format = 'github'\n").contains("unknown variant `github`"));
        assert!(error("path = 3\n").contains("a path or a list of paths"));
        assert!(error("select = ['MS999']\n").contains(":1:11: select: unknown code"));
        assert!(error("ignore = ['MS201']\n").contains("cannot be ignored"));
        assert!(error("[severity]\nMS201 = 'warning'\n").contains(":2:1: severity: the level"));
        assert!(error("[severity]\nMS101 = 'fatal'\n").contains("unknown variant `fatal`"));
        assert!(
            error("[per-file-ignores]\n'a[' = ['MS101']\n")
                .contains(":2:1: per-file-ignores: invalid glob")
        );
        assert!(error("select = [\n").contains(":1:"));
    }

    #[test]
    fn pyproject_is_read_only_with_its_table() {
        let path = Path::new("/p/pyproject.toml");
        assert!(
            parse(path, "[tool.ruff]\nline-length = 100\n", true)
                .unwrap()
                .is_none()
        );
        let file = parse(path, "[tool.migsquash]\nmax-heads = 3\n", true)
            .unwrap()
            .unwrap();
        assert_eq!(
            file.settings.max_heads,
            Some(FromFile { value: 3, line: 2 })
        );
        // An empty table is a configuration too.
        assert!(parse(path, "[tool.migsquash]\n", true).unwrap().is_some());
        let err = parse(path, "[tool.migsquash]\nbogus = 1\n", true).unwrap_err();
        assert_eq!(err.position(), Some((2, 1)));
    }

    #[test]
    fn the_command_line_overrides_the_file_which_overrides_defaults() {
        let file = parse(
            Path::new("/p/migsquash.toml"),
            "max-heads = 2\nname = 'x'\nignore = ['MS101']\n",
            false,
        )
        .unwrap()
        .unwrap();
        let settings = Settings::resolve(
            Some(&file),
            CommandLine {
                max_heads: Some(3),
                ignore: vec![Selector::Code("MS102")],
                ..CommandLine::default()
            },
        )
        .unwrap();
        assert_eq!(settings.max_heads.value, 3);
        assert_eq!(settings.max_heads.origin, Origin::CommandLine);
        assert_eq!(settings.name.value.as_deref(), Some("x"));
        assert_eq!(
            settings.name.origin,
            Origin::File {
                path: "/p/migsquash.toml".into(),
                line: 2
            }
        );
        assert_eq!(settings.recursive.origin, Origin::Default);
        let enabled = settings.enabled();
        assert!(!enabled.contains(&"MS101") && !enabled.contains(&"MS102"));
        assert_eq!(settings.ignore.len(), 2);

        // A command-line --select starts over.
        let settings = Settings::resolve(
            Some(&file),
            CommandLine {
                select: Some(vec![Selector::All]),
                ..CommandLine::default()
            },
        )
        .unwrap();
        assert!(settings.enabled().contains(&"MS101"));
        assert!(settings.ignore.is_empty());
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("a\nbé = 1", 6), (2, 4));
        assert_eq!(line_col("", 5), (1, 1));
    }
}
