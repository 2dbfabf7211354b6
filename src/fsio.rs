//! Reading and writing the user's files without surprises: only regular
//! files are read, and never more than a limit (a FIFO named `x.py` would
//! block forever, `/dev/zero` would fill memory); `--out` writes replace a
//! regular file atomically, keeping its mode, and refuse anything else.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most a revision file, a configuration file or a template may hold:
/// the largest real revision files are a few hundred KiB.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// What a file that is not a regular file is, for messages.
pub fn kind_name(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "directory";
    }
    if kind.is_symlink() {
        return "symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "FIFO";
        }
        if kind.is_char_device() {
            return "character device";
        }
        if kind.is_block_device() {
            return "block device";
        }
        if kind.is_socket() {
            return "socket";
        }
    }
    "special file"
}

/// "not a regular file: FIFO", as an error.
pub fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file: {}", kind_name(meta)),
    )
}

fn too_large(size: u64, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "too large ({size} bytes; files over {} are not read)",
            format_size(limit)
        ),
    )
}

fn format_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn check_readable(meta: &Metadata, limit: u64) -> io::Result<()> {
    if !meta.is_file() {
        return Err(not_regular(meta));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    Ok(())
}

/// The bytes of a regular file (symlinks followed) of at most `limit`
/// bytes. Anything else is an error that says what the file is, e.g.
/// "not a regular file: FIFO", and is never opened for long: the type is
/// checked before opening, and the open cannot block.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    // Looking first means a device is never opened (opening one can have
    // effects of its own).
    check_readable(&std::fs::metadata(path)?, limit)?;
    let file = open_nonblocking(path)?;
    // The path may have been replaced since: what counts is what was opened.
    let meta = file.metadata()?;
    check_readable(&meta, limit)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    // A file that grew while it was read.
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Opens for reading without blocking: a FIFO swapped in after the type
/// check opens at once (and then fails the check) instead of waiting for
/// a writer. O_NONBLOCK has no effect on reading a regular file.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
        options.custom_flags(flags.bits() as i32);
    }
    options.open(path)
}

/// Why `--out FILE` was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{} is not a regular file ({kind}); --out writes regular files only (`-` is standard output)",
        .path.display()
    )]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{} already exists; pass --force to overwrite it", .path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {}: the folder {} does not exist", .path.display(), .dir.display())]
    NoFolder { path: PathBuf, dir: PathBuf },
    #[error("cannot write {}: {error}", .path.display())]
    Io { path: PathBuf, error: io::Error },
}

/// Where `--out FILE` writes: FILE, or, when FILE is a symbolic link, the
/// file it points to (as the shell's `> FILE` does), so the link stays.
#[derive(Debug)]
pub struct Destination {
    /// As the user gave it, for messages.
    given: PathBuf,
    /// Symbolic links resolved: the path the new file is renamed to.
    real: PathBuf,
    /// The regular file there now, if any.
    existing: Option<Metadata>,
}

impl Destination {
    /// Looks at FILE: a regular file, or nothing in an existing folder.
    /// Anything else (a device, a FIFO, a folder) is refused, since
    /// renaming over it would replace it by a regular file.
    pub fn resolve(path: &Path) -> Result<Self, WriteError> {
        let io_err = |error| WriteError::Io {
            path: path.to_path_buf(),
            error,
        };
        let real = resolve_symlinks(path).map_err(io_err)?;
        let existing = match std::fs::symlink_metadata(&real) {
            Ok(meta) if meta.is_file() => Some(meta),
            Ok(meta) => {
                return Err(WriteError::NotRegular {
                    path: path.to_path_buf(),
                    kind: kind_name(&meta),
                });
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                let dir = parent(&real);
                if !dir.is_dir() {
                    return Err(WriteError::NoFolder {
                        path: path.to_path_buf(),
                        dir: dir.to_path_buf(),
                    });
                }
                None
            }
            Err(err) => return Err(io_err(err)),
        };
        Ok(Self {
            given: path.to_path_buf(),
            real,
            existing,
        })
    }

    pub fn exists(&self) -> bool {
        self.existing.is_some()
    }

    /// Refuses to replace an existing file unless `force`.
    pub fn check(&self, force: bool) -> Result<(), WriteError> {
        if self.exists() && !force {
            return Err(WriteError::Exists {
                path: self.given.clone(),
            });
        }
        Ok(())
    }

    /// Writes through a temporary file in the same folder, renamed into
    /// place, so a reader never sees half a file. A replaced file keeps its
    /// mode (and owner, where allowed); a new one gets the umask's mode, as
    /// with `> FILE`.
    pub fn write(
        &self,
        force: bool,
        write: impl FnOnce(&mut File) -> io::Result<()>,
    ) -> Result<(), WriteError> {
        self.check(force)?;
        let io_err = |error| WriteError::Io {
            path: self.given.clone(),
            error,
        };
        let dir = parent(&self.real);
        let name = self
            .real
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The kernel applies the umask to this mode, as for any new file.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        // tempfile's errors name the temporary file, which the user never
        // asked for: keep only what went wrong.
        let temp = builder
            .tempfile_in(dir)
            .map_err(|err| io_err(io::Error::from(err.kind())))?;
        let file = temp.as_file();
        if let Some(existing) = &self.existing {
            keep_owner_and_mode(file, existing).map_err(io_err)?;
        }
        write(&mut file.try_clone().map_err(io_err)?).map_err(io_err)?;
        file.sync_all().map_err(io_err)?;
        temp.persist(&self.real)
            .map_err(|err| io_err(io::Error::from(err.error.kind())))?;
        Ok(())
    }
}

/// The folder a path is in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Follows symbolic links at `path` itself (not in its folders, which the
/// rename goes through anyway) to the path they end at, existing or not.
fn resolve_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                // A relative target is relative to the link's folder; an
                // absolute one replaces the whole path.
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

#[cfg(unix)]
fn keep_owner_and_mode(file: &File, existing: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (existing.uid(), existing.gid()) {
        // Only root may give a file away; others keep their own ownership,
        // as when they copy a file.
        let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
    }
    // After the owner: changing it may clear the set-id bits.
    file.set_permissions(existing.permissions())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, existing: &Metadata) -> io::Result<()> {
    file.set_permissions(existing.permissions())
}

/// Paths are shown as given (relative to where the user ran the command),
/// with `/` separators so output is the same on every system.
pub fn display_path(path: &std::path::Path) -> String {
    use std::path::Component;
    // Absolute paths (from `%(here)s`) under the working directory are
    // shown relative to it, like the paths the user typed.
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok());
    let shown = relative.unwrap_or(path);
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

/// A path made absolute against the working directory, `.` and `..`
/// folded as written, not through symbolic links (as Python's
/// `os.path.abspath`, which Alembic applies to `%(here)s`).
pub fn lexical_absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, "revision = 'a'\n").unwrap();
        assert_eq!(read_regular(&path, 100).unwrap(), b"revision = 'a'\n");
        let err = read_regular(&path, 4).unwrap_err();
        assert_eq!(
            err.to_string(),
            "too large (15 bytes; files over 4 bytes are not read)"
        );
        assert_eq!(format_size(MAX_INPUT_BYTES), "16 MiB");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.py");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let err = read_regular(&fifo, 100).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file: FIFO");
        let zero = dir.path().join("z.py");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = read_regular(&zero, 100).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file: character device");
        let err = read_regular(dir.path(), 100).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file: directory");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_to_where_they_end() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink("b", root.join("a")).unwrap();
        std::os::unix::fs::symlink(root.join("c"), root.join("b")).unwrap();
        assert_eq!(resolve_symlinks(&root.join("a")).unwrap(), root.join("c"));
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        assert!(resolve_symlinks(&root.join("loop")).is_err());
    }
}
