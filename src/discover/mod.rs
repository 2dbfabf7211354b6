//! Where the revision files are, decided as Alembic decides it.
//!
//! PATH may be a versions directory, a project directory (holding
//! `alembic.ini`, a `pyproject.toml` with `[tool.alembic]`, or `env.py` +
//! `versions/`), or a config file. Relative locations in a config are
//! resolved against the config file's directory (Alembic resolves them
//! against the working directory, which is the same when it is run from
//! the project root, as it usually is).

mod ini;

use std::path::{Path, PathBuf};

use ini::Ini;

/// The version locations to read, and how.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The configuration file read, if any.
    pub config: Option<PathBuf>,
    pub version_locations: Vec<PathBuf>,
    /// `recursive_version_locations`: read sub-folders too.
    pub recursive: bool,
    /// The SQL dialect of the config's `sqlalchemy.url`, when it names one.
    pub dialect: Option<crate::sql::Dialect>,
    /// The migration environment: the folder holding `env.py`
    /// (`script_location`), when known.
    pub env_dir: Option<PathBuf>,
    /// `prepend_sys_path`, resolved: where env.py's imports are found
    /// first.
    pub sys_path: Vec<PathBuf>,
}

/// A file Alembic would load as a revision.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// The index of its version location in `Layout::version_locations`.
    pub location: usize,
    /// Relative to its version location, `/`-separated.
    pub rel_path: String,
}

/// A sub-folder of a version location that holds revision files Alembic
/// does not read, because nothing makes the location recursive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadFolder {
    /// The index of its version location in `Layout::version_locations`.
    pub location: usize,
    /// Relative to its version location, `/`-separated.
    pub rel_path: String,
    /// How many revision files it holds, in all its sub-folders.
    pub files: usize,
}

/// The revision files Alembic loads, and those it leaves unread.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub candidates: Vec<Candidate>,
    /// Sorted by location and path.
    pub unread: Vec<UnreadFolder>,
}

/// Why discovery could not run: the user must change the input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    // Not `source`: the message already says it, and `{:#}` would repeat it.
    #[error("{path}: cannot read: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path}: `{value}` names a Python package resource; migsquash does not import packages, pass the versions directory instead"
    )]
    PackageResource { path: PathBuf, value: String },
}

/// Options that override what a configuration says.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Treat a bare versions directory as recursive.
    pub recursive: bool,
    /// The ini section to read (`alembic -n NAME`).
    pub section: Option<String>,
}

/// `locate` for one path; for several (the configuration file's `path`
/// list), each must be a versions folder, and they are read as one
/// history, in the order given.
pub fn locate_all(paths: &[PathBuf], options: &DiscoverOptions) -> Result<Layout, DiscoverError> {
    let [first, rest @ ..] = paths else {
        return locate(Path::new("."), options);
    };
    if rest.is_empty() {
        return locate(first, options);
    }
    let mut version_locations = Vec::new();
    for path in paths {
        let layout = locate(path, options)?;
        if let Some(config) = layout.config {
            return Err(DiscoverError::Config {
                path: config,
                message: "a list of paths names versions folders, each read as it is; name the Alembic configuration alone instead".to_owned(),
            });
        }
        version_locations.extend(layout.version_locations);
    }
    Ok(Layout {
        config: None,
        version_locations,
        recursive: options.recursive,
        dialect: None,
        env_dir: None,
        sys_path: Vec::new(),
    })
}

pub fn locate(path: &Path, options: &DiscoverOptions) -> Result<Layout, DiscoverError> {
    if !path.exists() {
        return Err(DiscoverError::NotFound {
            path: path.to_path_buf(),
        });
    }
    if !path.is_dir() {
        // A config file, which must be a regular one.
        config_file(path)?;
        return from_config(path, options);
    }
    let ini = path.join("alembic.ini");
    if config_file(&ini)? {
        return from_config(&ini, options);
    }
    let pyproject = path.join("pyproject.toml");
    if config_file(&pyproject)? && read_to_string(&pyproject)?.contains("[tool.alembic]") {
        return from_config(&pyproject, options);
    }
    let versions = path.join("versions");
    let (location, env_dir) = if path.join("env.py").is_file() && versions.is_dir() {
        (versions, Some(path.to_path_buf()))
    } else {
        // A versions folder given alone: its environment is usually the
        // folder above it.
        let parent = path.parent().filter(|p| p.join("env.py").is_file());
        (path.to_path_buf(), parent.map(Path::to_path_buf))
    };
    Ok(Layout {
        config: None,
        version_locations: vec![location],
        recursive: options.recursive,
        dialect: None,
        env_dir,
        sys_path: Vec::new(),
    })
}

/// Whether a config file is there: `false` when nothing is, an error when
/// something other than a regular file is (a FIFO named `alembic.ini`
/// would block the read, a device would never end).
fn config_file(path: &Path) -> Result<bool, DiscoverError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(true),
        Ok(meta) => Err(DiscoverError::Io {
            path: path.to_path_buf(),
            error: crate::fsio::not_regular(&meta),
        }),
        Err(_) => Ok(false),
    }
}

fn read_to_string(path: &Path) -> Result<String, DiscoverError> {
    let io_err = |error| DiscoverError::Io {
        path: path.to_path_buf(),
        error,
    };
    let bytes = crate::fsio::read_regular(path, crate::fsio::MAX_INPUT_BYTES).map_err(io_err)?;
    String::from_utf8(bytes).map_err(|err| {
        let at = err.utf8_error().valid_up_to();
        io_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 (byte {at})"),
        ))
    })
}

/// The raw options Alembic reads, from the ini section or `[tool.alembic]`.
struct Options {
    script_location: Option<String>,
    version_locations: Option<Vec<String>>,
    recursive: bool,
    /// Only in the ini file: Alembic does not read it from pyproject.toml.
    dialect: Option<crate::sql::Dialect>,
    prepend_sys_path: Option<String>,
}

fn from_config(config: &Path, options: &DiscoverOptions) -> Result<Layout, DiscoverError> {
    let here_dir = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let here = std::path::absolute(here_dir).unwrap_or_else(|_| here_dir.to_path_buf());
    let here_str = here.to_string_lossy();
    let config_error = |message: String| DiscoverError::Config {
        path: config.to_path_buf(),
        message,
    };
    let is_toml = config.extension().is_some_and(|e| e == "toml");
    let mut opts = if is_toml {
        toml_options(&read_to_string(config)?, &here_str).map_err(config_error)?
    } else {
        let text = read_to_string(config)?;
        let section = options.section.as_deref().unwrap_or("alembic");
        let ini = Ini::parse(&text).map_err(|e| config_error(e.to_string()))?;
        if !ini.has_section(section) {
            return Err(config_error(format!("no [{section}] section")));
        }
        let get = |key: &str| {
            ini.get(section, key, &here_str)
                .map_err(|e| config_error(e.to_string()))
        };
        let version_locations = match get("version_locations")? {
            Some(value) if !value.is_empty() => {
                let separator = match get("path_separator")? {
                    Some(sep) => Some(sep),
                    None => get("version_path_separator")?,
                };
                Some(split_locations(&value, separator.as_deref()).map_err(config_error)?)
            }
            _ => None,
        };
        let mut opts = Options {
            script_location: get("script_location")?,
            version_locations,
            recursive: get("recursive_version_locations")?.as_deref() == Some("true"),
            // Only its scheme is needed: a URL that does not interpolate
            // (`%(DB_URL)s` set in env.py) names no dialect, it is no error.
            dialect: ini
                .get(section, "sqlalchemy.url", &here_str)
                .ok()
                .flatten()
                .and_then(|url| crate::sql::Dialect::from_url(&url)),
            prepend_sys_path: get("prepend_sys_path")?,
        };
        // Alembic falls back to pyproject.toml for options the ini lacks.
        let pyproject = here.join("pyproject.toml");
        if config_file(&pyproject)? {
            let toml =
                toml_options(&read_to_string(&pyproject)?, &here_str).map_err(|message| {
                    DiscoverError::Config {
                        path: pyproject.clone(),
                        message,
                    }
                })?;
            opts.script_location = opts.script_location.or(toml.script_location);
            opts.version_locations = opts.version_locations.or(toml.version_locations);
            opts.recursive |= toml.recursive;
            opts.prepend_sys_path = opts.prepend_sys_path.or(toml.prepend_sys_path);
        }
        opts
    };
    // env.py may make the locations recursive in code: the option adds
    // what the config cannot say.
    opts.recursive |= options.recursive;
    // Flask-Migrate keeps alembic.ini inside the migrations directory and
    // sets `script_location` to that directory in code.
    if opts.script_location.is_none()
        && here_dir.join("env.py").is_file()
        && here_dir.join("versions").is_dir()
    {
        opts.script_location = Some(".".to_owned());
    }
    let Some(script_location) = opts.script_location.take() else {
        return Err(config_error(
            "no `script_location` key found in the configuration; Alembic needs it to find the migration environment".to_owned(),
        ));
    };
    let resolve = |value: &str| -> Result<PathBuf, DiscoverError> {
        if looks_like_package_resource(value) {
            return Err(DiscoverError::PackageResource {
                path: config.to_path_buf(),
                value: value.to_owned(),
            });
        }
        Ok(here_dir.join(value))
    };
    let env_dir = resolve(&script_location)?;
    let version_locations = match opts.version_locations {
        Some(list) => list.iter().map(|v| resolve(v)).collect::<Result<_, _>>()?,
        None => vec![env_dir.join("versions")],
    };
    // Alembic splits it like `version_locations` (its own separator
    // option aside: paths with spaces are rare here).
    let sys_path = match opts.prepend_sys_path.as_deref() {
        Some(value) => split_locations(value, None)
            .unwrap_or_default()
            .iter()
            .map(|p| here_dir.join(p))
            .collect(),
        None => Vec::new(),
    };
    Ok(Layout {
        config: Some(config.to_path_buf()),
        version_locations,
        recursive: opts.recursive,
        dialect: opts.dialect,
        env_dir: Some(env_dir),
        sys_path,
    })
}

/// `pkg.module:dir` (but not a Windows drive like `C:\x`).
fn looks_like_package_resource(value: &str) -> bool {
    match value.split_once(':') {
        Some((pkg, _)) => {
            pkg.len() > 1
                && pkg
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
                && !Path::new(value).exists()
        }
        None => false,
    }
}

/// Splits `version_locations` as Alembic's `get_version_locations_list`.
fn split_locations(value: &str, separator: Option<&str>) -> Result<Vec<String>, String> {
    let sep = match separator {
        None => {
            // Legacy: split on spaces and commas.
            return Ok(value
                .split([' ', ',', '\n'])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect());
        }
        Some("space") => " ",
        Some("newline") => "\n",
        Some("os") => ":",
        Some(":") => ":",
        Some(";") => ";",
        Some(other) => {
            return Err(format!(
                "'{other}' is not a valid value for path_separator; expected 'space', 'newline', 'os', ':', ';'"
            ));
        }
    };
    Ok(value
        .split(sep)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim().to_owned())
        .collect())
}

fn toml_options(text: &str, here: &str) -> Result<Options, String> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let empty = toml::Table::new();
    let alembic = doc
        .get("tool")
        .and_then(|t| t.get("alembic"))
        .and_then(|a| a.as_table())
        .unwrap_or(&empty);
    let subst = |s: &str| s.replace("%(here)s", here).replace("%%", "%");
    let script_location = match alembic.get("script_location") {
        None => None,
        Some(toml::Value::String(s)) => Some(subst(s)),
        Some(_) => return Err("[tool.alembic] script_location must be a string".to_owned()),
    };
    let version_locations = match alembic.get("version_locations") {
        None => None,
        Some(toml::Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| i.as_str().map(subst))
                .collect::<Option<Vec<_>>>()
                .ok_or("[tool.alembic] version_locations must be a list of strings")?,
        ),
        Some(_) => return Err("[tool.alembic] version_locations must be a list".to_owned()),
    };
    let recursive = match alembic.get("recursive_version_locations") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(_) => {
            return Err(
                "boolean value expected for TOML parameter 'recursive_version_locations'"
                    .to_owned(),
            );
        }
    };
    let prepend_sys_path = match alembic.get("prepend_sys_path") {
        None => None,
        Some(toml::Value::String(s)) => Some(subst(s)),
        Some(toml::Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(|i| i.as_str().map(subst))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Some(_) => None,
    };
    Ok(Options {
        script_location,
        version_locations,
        recursive,
        dialect: None,
        prepend_sys_path,
    })
}

/// Lists revision files like Alembic's `Script._list_py_dir` +
/// `_from_path`: per directory, files sorted by name, then (only when
/// recursive) sub-folders in name order, top-down, not following symlinked
/// folders (`os.walk`'s default); files in `*__pycache__` folders skipped; a
/// file is a revision when its name ends in `.py` and does not start with
/// `__init__` or `.#`. A file reached twice (two locations, a symlink) is
/// read once, as Alembic dedupes by resolved path.
///
/// Unless recursive, the sub-folders left out are searched for files that
/// look like revisions (`Listing::unread`): a history whose revisions sit
/// in per-release folders, read without `recursive_version_locations`,
/// must not pass as a one-revision history.
pub fn revision_files(layout: &Layout) -> Result<Listing, DiscoverError> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (index, location) in layout.version_locations.iter().enumerate() {
        // Alembic skips version locations that do not exist.
        if !location.is_dir() {
            continue;
        }
        let walk = Walk {
            location: index,
            recursive: layout.recursive,
        };
        walk.list_py_dir(location, "", &mut seen, &mut out, &mut skipped)
            .map_err(|(path, error)| DiscoverError::Io { path, error })?;
    }
    let mut unread: Vec<UnreadFolder> = skipped
        .into_iter()
        .filter_map(|(location, rel_path)| {
            let files =
                count_revision_like(&layout.version_locations[location].join(&rel_path), None);
            (files > 0).then_some(UnreadFolder {
                location,
                rel_path,
                files,
            })
        })
        .collect();
    unread.sort_by(|a, b| (a.location, &a.rel_path).cmp(&(b.location, &b.rel_path)));
    Ok(Listing {
        candidates: out,
        unread,
    })
}

/// Files under `dir` (all depths, symlinked folders not followed, as
/// `os.walk`) that Alembic would load as revisions if it read them: a
/// revision file name, and `down_revision` in the text. Helper modules
/// kept in a sub-folder are no unread revisions. With `max_depth` (a
/// search outside the versions folders), hidden folders are skipped too.
fn count_revision_like(dir: &Path, max_depth: Option<usize>) -> usize {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(max_depth.unwrap_or(usize::MAX))
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_dir()
                && e.depth() > 0
                && (name.ends_with("__pycache__")
                    || (max_depth.is_some() && name.starts_with('.'))))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| is_revision_file_name(&e.file_name().to_string_lossy()))
        .filter(|e| {
            crate::fsio::read_regular(e.path(), crate::fsio::MAX_INPUT_BYTES)
                .is_ok_and(|text| memchr::memmem::find(&text, b"down_revision").is_some())
        })
        .count()
}

/// Folders next to the version locations (their siblings) that hold files
/// that look like revisions: where they may be when a config points at an
/// empty or missing location. Only a few levels deep, and never into
/// hidden folders (a `.venv` beside them holds other projects' revisions).
/// Sorted.
pub fn nearby_revision_folders(layout: &Layout) -> Vec<(PathBuf, usize)> {
    let mut found = std::collections::BTreeMap::new();
    for location in &layout.version_locations {
        let parent = match location.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir
                || layout.version_locations.iter().any(|l| same_path(l, &path))
                || entry.file_name().to_string_lossy().ends_with("__pycache__")
                || entry.file_name().to_string_lossy().starts_with('.')
            {
                continue;
            }
            let files = count_revision_like(&path, Some(NEARBY_DEPTH));
            if files > 0 {
                found.insert(path, files);
            }
        }
    }
    found.into_iter().collect()
}

/// `alembic/versions/2024/x.py` seen from `alembic`'s parent.
const NEARBY_DEPTH: usize = 3;

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

struct Walk {
    location: usize,
    recursive: bool,
}

impl Walk {
    /// One directory of `revision_files`. Plain `read_dir` (the entry type
    /// comes with the listing, so regular files cost no `stat`) keeps a warm
    /// run's discovery well under a millisecond for hundreds of files.
    fn list_py_dir(
        &self,
        dir: &Path,
        rel_dir: &str,
        seen: &mut rustc_hash::FxHashSet<PathBuf>,
        out: &mut Vec<Candidate>,
        skipped: &mut Vec<(usize, String)>,
    ) -> Result<(), (PathBuf, std::io::Error)> {
        let recursive = self.recursive;
        let at = |source| (dir.to_path_buf(), source);
        let real_dir = dir.canonicalize().map_err(at)?;
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(at)? {
            let entry = entry.map_err(at)?;
            let name = entry.file_name();
            let kind = entry.file_type().map_err(at)?;
            // `os.walk` sorts a symlink by its target but never descends into it.
            let is_dir = if kind.is_symlink() {
                entry.path().is_dir()
            } else {
                kind.is_dir()
            };
            if !is_dir {
                files.push((name, kind.is_symlink()));
            } else if !kind.is_symlink() {
                dirs.push(name);
            }
        }
        let skip_files = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("__pycache__"));
        if !skip_files {
            files.sort_unstable();
            for (name, is_symlink) in files {
                let name_text = name.to_string_lossy();
                if !is_revision_file_name(&name_text) {
                    continue;
                }
                let path = dir.join(&name);
                let real = if is_symlink {
                    path.canonicalize().unwrap_or_else(|_| path.clone())
                } else {
                    real_dir.join(&name)
                };
                if !seen.insert(real) {
                    continue;
                }
                let rel_path = if rel_dir.is_empty() {
                    name_text.into_owned()
                } else {
                    format!("{rel_dir}/{name_text}")
                };
                out.push(Candidate {
                    path,
                    location: self.location,
                    rel_path,
                });
            }
        }
        dirs.sort_unstable();
        for name in dirs {
            let name_text = name.to_string_lossy();
            let rel = if rel_dir.is_empty() {
                name_text.into_owned()
            } else {
                format!("{rel_dir}/{name_text}")
            };
            if recursive {
                self.list_py_dir(&dir.join(&name), &rel, seen, out, skipped)?;
            } else if !rel.ends_with("__pycache__") {
                skipped.push((self.location, rel));
            }
        }
        Ok(())
    }
}

/// Alembic's `(?!\.\#|__init__)(.*\.py)$`.
pub fn is_revision_file_name(name: &str) -> bool {
    name.ends_with(".py") && !name.starts_with("__init__") && !name.starts_with(".#")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_file_names() {
        assert!(is_revision_file_name("1a2b_add_users.py"));
        assert!(!is_revision_file_name("__init__.py"));
        assert!(!is_revision_file_name(".#1a2b.py"));
        assert!(!is_revision_file_name("README.md"));
        assert!(!is_revision_file_name("x.pyc"));
    }

    #[test]
    fn splits_locations() {
        assert_eq!(split_locations("a b,c", None).unwrap(), ["a", "b", "c"]);
        assert_eq!(split_locations("a:b", Some("os")).unwrap(), ["a", "b"]);
        assert_eq!(
            split_locations("a b\nc", Some("newline")).unwrap(),
            ["a b", "c"]
        );
        assert!(split_locations("a", Some("pipe")).is_err());
    }

    #[test]
    fn package_resources_are_recognised() {
        assert!(looks_like_package_resource("myapp.db:migrations"));
        assert!(!looks_like_package_resource("/abs/path"));
    }

    #[test]
    fn lists_like_alembic() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.py",
            "a.py",
            "__init__.py",
            "README.md",
            "sub/c.py",
            "sub/deeper/d.py",
            "__pycache__/x.py",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let mut layout = Layout {
            config: None,
            version_locations: vec![root.to_path_buf()],
            recursive: false,
            dialect: None,
            env_dir: None,
            sys_path: Vec::new(),
        };
        let names = |layout: &Layout| -> Vec<String> {
            revision_files(layout)
                .unwrap()
                .candidates
                .into_iter()
                .map(|c| c.rel_path)
                .collect()
        };
        assert_eq!(names(&layout), ["a.py", "b.py"]);
        layout.recursive = true;
        assert_eq!(
            names(&layout),
            ["a.py", "b.py", "sub/c.py", "sub/deeper/d.py"]
        );

        // A symlinked file resolving to a listed one is loaded once; a
        // symlinked folder is not descended into (`os.walk`'s default).
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("a.py"), root.join("z.py")).unwrap();
            std::os::unix::fs::symlink(root.join("sub"), root.join("linked")).unwrap();
            assert_eq!(
                names(&layout),
                ["a.py", "b.py", "sub/c.py", "sub/deeper/d.py"]
            );
        }
    }

    #[test]
    fn unread_sub_folders_count_only_revision_like_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (file, text) in [
            ("a.py", "revision = 'a'\ndown_revision = None\n"),
            ("2024/b.py", "revision = 'b'\ndown_revision = 'a'\n"),
            ("2024/deeper/c.py", "revision = 'c'\ndown_revision = 'b'\n"),
            ("helpers/naming.py", "def ix(): pass\n"),
            ("helpers/__init__.py", "down_revision = None\n"),
            ("__pycache__/x.py", "down_revision = None\n"),
            (".hidden/x.py", "down_revision = None\n"),
        ] {
            let p = root.join(file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut layout = Layout {
            config: None,
            version_locations: vec![root.to_path_buf()],
            recursive: false,
            dialect: None,
            env_dir: None,
            sys_path: Vec::new(),
        };
        let listing = revision_files(&layout).unwrap();
        assert_eq!(listing.candidates.len(), 1);
        // Alembic's walk reads hidden folders too.
        let unread = |rel_path: &str, files| UnreadFolder {
            location: 0,
            rel_path: rel_path.to_owned(),
            files,
        };
        assert_eq!(listing.unread, [unread(".hidden", 1), unread("2024", 2)]);
        layout.recursive = true;
        assert!(revision_files(&layout).unwrap().unread.is_empty());
    }

    #[test]
    fn revision_files_next_to_an_empty_location() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("db/versions")).unwrap();
        std::fs::create_dir_all(root.join("db/old_versions/2020")).unwrap();
        std::fs::create_dir_all(root.join("db/.cache")).unwrap();
        std::fs::write(
            root.join("db/old_versions/2020/a.py"),
            "down_revision = None",
        )
        .unwrap();
        std::fs::write(root.join("db/.cache/a.py"), "down_revision = None").unwrap();
        let layout = Layout {
            config: None,
            version_locations: vec![root.join("db/versions")],
            recursive: false,
            dialect: None,
            env_dir: None,
            sys_path: Vec::new(),
        };
        assert_eq!(
            nearby_revision_folders(&layout),
            [(root.join("db/old_versions"), 1)]
        );
    }

    #[test]
    fn config_without_script_location() {
        let dir = tempfile::tempdir().unwrap();
        let ini = dir.path().join("alembic.ini");
        std::fs::write(&ini, "[alembic]\nsqlalchemy.url = x\n").unwrap();
        let err = locate(dir.path(), &DiscoverOptions::default()).unwrap_err();
        assert!(err.to_string().contains("script_location"), "{err}");
    }

    #[test]
    fn dialect_from_sqlalchemy_url() {
        use crate::sql::Dialect;
        let dir = tempfile::tempdir().unwrap();
        let ini = dir.path().join("alembic.ini");
        let dialect = |url: &str| {
            std::fs::write(&ini, format!("[alembic]\nscript_location = .\n{url}\n")).unwrap();
            locate(&ini, &DiscoverOptions::default()).unwrap().dialect
        };
        assert_eq!(
            dialect("sqlalchemy.url = sqlite:///%(here)s/app.db"),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            dialect("sqlalchemy.url = mysql+pymysql://u@h/db"),
            Some(Dialect::MySql)
        );
        // Set in env.py: no dialect, and no error.
        assert_eq!(dialect("sqlalchemy.url = %(DATABASE_URL)s"), None);
        assert_eq!(
            dialect("sqlalchemy.url = driver://user:pass@localhost/dbname"),
            None
        );
        assert_eq!(dialect(""), None);
    }

    #[test]
    fn flask_migrate_layout() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("alembic.ini"),
            "[alembic]\n# template used to generate migration files\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("env.py"), "").unwrap();
        std::fs::create_dir(dir.path().join("versions")).unwrap();
        let layout = locate(dir.path(), &DiscoverOptions::default()).unwrap();
        assert_eq!(layout.version_locations, [dir.path().join("./versions")]);
    }

    #[test]
    fn pyproject_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.alembic]\nscript_location = \"%(here)s/db\"\nversion_locations = [\"%(here)s/db/v1\", \"%(here)s/db/v2\"]\nrecursive_version_locations = true\n",
        )
        .unwrap();
        let layout = locate(dir.path(), &DiscoverOptions::default()).unwrap();
        assert!(layout.recursive);
        assert_eq!(layout.version_locations.len(), 2);
        assert!(layout.version_locations[1].ends_with("db/v2"));
    }
}
