//! Reading the user's files without surprises: only regular files are
//! read, and never more than a limit (a FIFO named `x.py` would block
//! forever, `/dev/zero` would fill memory).

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

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
}
