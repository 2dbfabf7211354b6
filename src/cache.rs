//! The extraction cache. What a revision file yields (header, operations,
//! problem) depends only on its bytes and on this binary, so it is stored
//! keyed by a hash of the bytes: a file that has not changed is not parsed
//! again. Like Alembic's `__pycache__`, it makes repeated runs (pre-commit,
//! a laptop) cheap; output is identical with or without it.
//!
//! Like git's index, the cache also records each file's stat data (size,
//! mtime, ctime, inode, device) with the key of the bytes it had: a file
//! whose stat data is unchanged is not even read, its source is read only
//! if a report shows its lines. A file modified so soon after it was
//! recorded that its timestamps could not change ("racily clean" in git)
//! is never vouched for by stat data: a record is trusted only if the
//! file's mtime and ctime are at least two seconds (`SETTLE_NS`) older than
//! the cache (the earlier of the time written in it and its mtime); other
//! files are read and hashed, and the cache is rewritten once they have
//! settled.
//!
//! Layout: `<cache dir>/<hash of the version locations>.bin`, with a
//! `.gitignore` and a `CACHEDIR.TAG` in the cache dir. The file is a
//! header (magic, format, `STAMP`), the tables (write time, stat records,
//! index) under one checksum, then per entry four postcard blobs: header
//! and facts, upgrade operations, downgrade operations, line table. A run
//! decodes only what it uses, when first asked for (`ir::Cached`).
//!
//! Trust: the cache is as trusted as whoever can write it; what it guards
//! against is damage (a torn or concurrent write, a bad disk, a stray
//! edit), so that damage costs speed, never a wrong result. Every byte
//! that decides a result is checked before use: the header is compared,
//! the tables' checksum is verified when the file is opened, and each
//! entry's checksum (over its key, its blobs' lengths and the blobs) when
//! it is first used; the file must end where its last entry does. The file
//! is read into memory, not mapped, so a concurrent rewrite in place
//! cannot change (or truncate) bytes after they were verified; only a
//! regular file of bounded size is read. A missing, stale or damaged cache
//! is an empty cache (and is rewritten); failing to write it is not an
//! error.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::extract::suppressions::Suppression;
use crate::ir::{Cached, FileProblem, Header, Phase, PhaseFacts, RevisionFile, Spanned};

const MAGIC: &[u8; 8] = b"MSQCACHE";
/// The file layout below; the layout of entries is covered by `STAMP`.
const FORMAT: u32 = 4;
/// The largest cache file read: far above any real history's (400
/// revisions take under 1 MiB), so that whatever sits at the cache's path
/// cannot make a run read or allocate without bound.
const MAX_FILE_BYTES: u64 = 1 << 30;
/// How much older than the cache a file's timestamps must be for its stat
/// data to vouch for its bytes: covers timestamp granularity (coarse kernel
/// clocks, 2 s on FAT) between the file's last write and the cache's.
const SETTLE_NS: i64 = 2_000_000_000;
/// The tool version and a fingerprint of the code that defines and extracts
/// the entries (computed by build.rs): any change to it makes old caches
/// stale.
const STAMP: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("MIGSQUASH_CACHE_FINGERPRINT")
);

/// The key of a file's bytes.
pub fn key(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The cache key of a file's bytes as extracted with `dialect`. What
/// extraction makes of a file depends on the dialect its SQL is read in, so
/// the dialect takes the key's two low bits: an entry, or a stat record's
/// key, made under another dialect is never used.
pub fn keyed_for(key: u64, dialect: crate::sql::Dialect) -> u64 {
    const _: () = assert!(crate::sql::Dialect::ALL.len() <= 4, "two bits of the key");
    let tag = crate::sql::Dialect::ALL
        .iter()
        .position(|d| *d == dialect)
        .unwrap_or_default() as u64;
    (key & !0b11) | tag
}

/// What the cache keeps of one file besides its operations.
#[derive(Deserialize)]
struct Meta {
    header: Header,
    get_bind: Vec<Spanned<Phase>>,
    suppressions: Vec<Suppression>,
    problem: Option<FileProblem>,
    downgrade_facts: PhaseFacts,
}

/// `Meta`, borrowed from a loaded file for writing: same fields, same order.
#[derive(Serialize)]
struct MetaRef<'a> {
    header: &'a Header,
    get_bind: &'a [Spanned<Phase>],
    suppressions: &'a [Suppression],
    problem: &'a Option<FileProblem>,
    downgrade_facts: PhaseFacts,
}

/// Where one entry's blobs are in the cache file.
struct EntryAt {
    checksum: u64,
    meta: Range<usize>,
    upgrade: Range<usize>,
    downgrade: Range<usize>,
    lines: Range<usize>,
}

impl EntryAt {
    fn all(&self) -> Range<usize> {
        self.meta.start..self.lines.end
    }

    fn lengths(&self) -> [usize; 4] {
        [&self.meta, &self.upgrade, &self.downgrade, &self.lines].map(ExactSizeIterator::len)
    }
}

/// A part of an entry (a phase's operations, a line table) as stored in
/// the cache, decoded on demand.
#[derive(Clone)]
pub struct Encoded {
    bytes: Arc<Vec<u8>>,
    range: Range<usize>,
}

impl Encoded {
    /// `value` in the form the cache stores, to be decoded on demand.
    pub fn of<T: Serialize>(value: &T) -> Option<Self> {
        let bytes = postcard::to_stdvec(value).ok()?;
        Some(Self {
            range: 0..bytes.len(),
            bytes: Arc::new(bytes),
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes[self.range.clone()]
    }

    /// The value. The entry's checksum was verified when it was used, and
    /// the bytes are this run's own copy, so this does not fail short of a
    /// bug; it then yields an empty value rather than stop the run.
    pub fn decode<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        postcard::from_bytes(self.bytes()).unwrap_or_default()
    }
}

/// A file's stat data: if it is unchanged, so are the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
    dev: u64,
}

impl Stamp {
    /// The stat data of the file at `path` (following symlinks); `None`
    /// where it cannot be had, and on systems without inode numbers.
    pub fn of(path: &Path) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some(Self {
                size: meta.size(),
                mtime_ns: meta.mtime().saturating_mul(1_000_000_000) + meta.mtime_nsec(),
                ctime_ns: meta.ctime().saturating_mul(1_000_000_000) + meta.ctime_nsec(),
                ino: meta.ino(),
                dev: meta.dev(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    #[cfg(unix)]
    // The field types differ between Unix systems.
    #[allow(clippy::unnecessary_cast)]
    fn of_stat(stat: &rustix::fs::Stat) -> Self {
        Self {
            size: stat.st_size as u64,
            mtime_ns: (stat.st_mtime as i64).saturating_mul(1_000_000_000)
                + stat.st_mtime_nsec as i64,
            ctime_ns: (stat.st_ctime as i64).saturating_mul(1_000_000_000)
                + stat.st_ctime_nsec as i64,
            ino: stat.st_ino as u64,
            dev: stat.st_dev as u64,
        }
    }

    /// Whether the file was last changed well before `ns`.
    fn settled_before(&self, ns: i64) -> bool {
        self.mtime_ns.max(self.ctime_ns) < ns - SETTLE_NS
    }
}

/// Open handles on the folders that hold the files, so that each file's
/// stat data is read relative to its folder: one path component for the
/// kernel to resolve instead of the whole path, for hundreds of files.
pub struct Folders {
    #[cfg(unix)]
    fds: Vec<rustix::fd::OwnedFd>,
    /// Per file, the index of its folder in `fds` (`u32::MAX`: none).
    #[cfg(unix)]
    of: Vec<u32>,
}

impl Folders {
    pub fn open<'p>(paths: impl Iterator<Item = &'p Path>) -> Self {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let mut fds = Vec::new();
            let mut of = Vec::new();
            let mut last: Option<(&Path, u32)> = None;
            for path in paths {
                let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
                let parent = parent.unwrap_or(Path::new("."));
                // Files come folder by folder: open each folder once.
                let index = match last {
                    Some((folder, index)) if folder == parent => index,
                    _ => {
                        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                        let index = match rustix::fs::open(parent, flags, Mode::empty()) {
                            Ok(fd) => {
                                fds.push(fd);
                                (fds.len() - 1) as u32
                            }
                            Err(_) => u32::MAX,
                        };
                        last = Some((parent, index));
                        index
                    }
                };
                of.push(index);
            }
            Self { fds, of }
        }
        #[cfg(not(unix))]
        {
            let _ = paths;
            Self {}
        }
    }

    /// The stat data of the `file`th file, at `path`.
    pub fn stamp(&self, file: usize, path: &Path) -> Option<Stamp> {
        #[cfg(unix)]
        if let Some(fd) = self.of.get(file).and_then(|&i| self.fds.get(i as usize))
            && let Some(name) = path.file_name()
        {
            let stat = rustix::fs::statat(fd, name, rustix::fs::AtFlags::empty()).ok()?;
            return Some(Stamp::of_stat(&stat));
        }
        Stamp::of(path)
    }
}

/// What one run learned about one file, for the next run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seen {
    /// The key of the file's bytes; `None` if they could not be read.
    pub key: Option<u64>,
    pub stamp: Option<Stamp>,
    /// Its stat record vouched for it, so it was not read.
    pub vouched: bool,
    /// It was parsed (not in the cache).
    pub parsed: bool,
}

/// Stat records by version location (its index), then by path relative
/// to it: stable whatever the working directory.
type Records = Vec<HashMap<String, (Stamp, u64)>>;

pub struct Cache {
    path: PathBuf,
    bytes: Arc<Vec<u8>>,
    /// Key → where its entry is in `bytes`.
    index: HashMap<u64, EntryAt>,
    /// The stat data each file had when its key was taken.
    records: Records,
    /// When the cache file was written (the earlier of the time recorded
    /// in it and its mtime), in ns since the epoch.
    written_ns: i64,
}

impl Cache {
    /// Opens the cache of the history read from `locations`.
    pub fn open(dir: &Path, locations: &[PathBuf]) -> Self {
        let identity: String = locations
            .iter()
            .map(|l| {
                std::path::absolute(l)
                    .unwrap_or_else(|_| l.clone())
                    .to_string_lossy()
                    .into_owned()
            })
            .collect::<Vec<_>>()
            .join("\n");
        let path = dir.join(format!("{:016x}.bin", key(identity.as_bytes())));
        let (bytes, mtime_ns) = read_with_mtime(&path).unwrap_or_default();
        let Some(tables) = read_tables(&bytes) else {
            return Self {
                path,
                bytes: Arc::default(),
                index: HashMap::default(),
                records: Records::new(),
                written_ns: 0,
            };
        };
        Self {
            path,
            bytes: Arc::new(bytes),
            index: tables.index,
            records: tables.records,
            // A copied or touched cache file is newer than its records.
            written_ns: tables.written_ns.min(mtime_ns),
        }
    }

    /// The key of the bytes of the file found at `(location, rel_path)`,
    /// if its stat data vouches that they have not changed since the cache
    /// was written.
    pub fn vouch(&self, location: usize, rel_path: &str, stamp: &Stamp) -> Option<u64> {
        let (recorded, key) = self.records.get(location)?.get(rel_path)?;
        (recorded == stamp && stamp.settled_before(self.written_ns)).then_some(*key)
    }

    /// Fills in what parsing the file would have, if its bytes are cached.
    /// Safe to call from several threads.
    pub fn fill(&self, key: u64, file: &mut RevisionFile) -> bool {
        let Some(at) = self.index.get(&key) else {
            return false;
        };
        if entry_checksum(key, at, &self.bytes) != at.checksum {
            return false;
        }
        let Ok(meta) = postcard::from_bytes::<Meta>(&self.bytes[at.meta.clone()]) else {
            return false;
        };
        file.header = meta.header;
        file.get_bind = meta.get_bind;
        file.suppressions = meta.suppressions;
        file.problem = meta.problem;
        let encoded = |range: &Range<usize>| Encoded {
            bytes: Arc::clone(&self.bytes),
            range: range.clone(),
        };
        file.set_cached(
            Cached::encoded(encoded(&at.upgrade)),
            Cached::encoded(encoded(&at.downgrade)),
            meta.downgrade_facts,
            Cached::encoded(encoded(&at.lines)),
        );
        true
    }

    /// Writes the cache for this run's files if that changes anything: a
    /// file was parsed, an entry or a record belongs to a file that is
    /// gone, or a file read because its record could not vouch for it
    /// would now be vouched for. `ids` and `seen` run parallel to `files`.
    pub fn save(self, files: &[RevisionFile], ids: &[(usize, &str)], seen: &[Seen]) {
        let current: HashSet<u64> = seen.iter().filter_map(|s| s.key).collect();
        let stale_entries = self.index.keys().any(|k| !current.contains(k));
        let recorded = ids
            .iter()
            .filter(|(location, rel)| {
                self.records
                    .get(*location)
                    .is_some_and(|records| records.contains_key(*rel))
            })
            .count();
        let stale_records = recorded != self.records.iter().map(HashMap::len).sum::<usize>();
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        let refresh = seen.iter().any(|s| {
            !s.vouched && s.key.is_some() && s.stamp.is_some_and(|t| t.settled_before(now_ns))
        });
        let parsed = seen.iter().any(|s| s.parsed);
        if !(parsed || stale_entries || stale_records || refresh) {
            return;
        }
        // The cache only saves time: a read-only checkout must still work.
        let _ = write(&self.path, files, ids, seen);
    }
}

impl std::fmt::Debug for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoded({:?})", self.range)
    }
}

/// The cache file's bytes and mtime (ns since the epoch), if it is a
/// regular file no larger than `MAX_FILE_BYTES`. Read, not mapped: a
/// mapping would see (or fault on) a rewrite in place after its bytes were
/// verified.
fn read_with_mtime(path: &Path) -> Option<(Vec<u8>, i64)> {
    use std::io::Read;
    // A FIFO could block, a device read without end, a symlink lead
    // anywhere: only a regular file is opened.
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let file = open_no_follow(path)?;
    // Again on what was opened: the path may have been replaced since.
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let mtime_ns = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_FILE_BYTES).then_some((bytes, mtime_ns))
}

/// Opens `path` for reading without following a symlink, and without
/// blocking should it have become a FIFO.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> Option<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY;
    let fd = rustix::fs::open(path, flags | OFlags::CLOEXEC, Mode::empty()).ok()?;
    Some(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> Option<std::fs::File> {
    std::fs::File::open(path).ok()
}

const CHECKSUM_SEED: u64 = 0x6d73_7163;

fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, CHECKSUM_SEED)
}

/// An entry's checksum: over its key and its blobs' lengths as well as the
/// blobs, so that an entry cannot answer for another file's bytes.
fn entry_checksum(key: u64, at: &EntryAt, bytes: &[u8]) -> u64 {
    entry_checksum_of(key, &at.lengths(), bytes.get(at.all()).unwrap_or_default())
}

fn entry_checksum_of(key: u64, lengths: &[usize; 4], blobs: &[u8]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::with_seed(CHECKSUM_SEED);
    hasher.update(&key.to_le_bytes());
    for len in lengths {
        hasher.update(&(*len as u64).to_le_bytes());
    }
    hasher.update(blobs);
    hasher.digest()
}

/// A forward-only reader over the cache file.
struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Cursor<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// What the tables of a cache file say.
struct Tables {
    written_ns: i64,
    records: Records,
    index: HashMap<u64, EntryAt>,
}

fn read_tables(bytes: &[u8]) -> Option<Tables> {
    let mut cursor = Cursor { bytes, at: 0 };
    if cursor.take(MAGIC.len())? != MAGIC || cursor.u32()? != FORMAT {
        return None;
    }
    let version_len = cursor.u32()? as usize;
    if cursor.take(version_len)? != STAMP.as_bytes() {
        return None;
    }
    let tables_len = cursor.u32()? as usize;
    let tables_checksum = cursor.u64()?;
    let tables = cursor.take(tables_len)?;
    // Everything below decides results: nothing is used unverified.
    if checksum(tables) != tables_checksum {
        return None;
    }
    let blobs_start = cursor.at;
    let mut cursor = Cursor {
        bytes: tables,
        at: 0,
    };
    let written_ns = cursor.u64()? as i64;
    let record_count = cursor.u32()? as usize;
    let mut records = Records::new();
    for _ in 0..record_count {
        let location = cursor.u32()? as usize;
        if records.len() <= location {
            // Locations are few; a corrupt count must not allocate much.
            if location > 1 << 16 {
                return None;
            }
            records.resize_with(location + 1, HashMap::default);
        }
        let rel_len = cursor.u32()? as usize;
        let rel = std::str::from_utf8(cursor.take(rel_len)?).ok()?.to_owned();
        let stamp = Stamp {
            size: cursor.u64()?,
            mtime_ns: cursor.u64()? as i64,
            ctime_ns: cursor.u64()? as i64,
            ino: cursor.u64()?,
            dev: cursor.u64()?,
        };
        records[location].insert(rel, (stamp, cursor.u64()?));
    }
    let count = cursor.u32()? as usize;
    let mut index = HashMap::with_capacity_and_hasher(count.min(1 << 20), Default::default());
    let mut at = blobs_start;
    for _ in 0..count {
        let key = cursor.u64()?;
        let checksum = cursor.u64()?;
        let mut next = || {
            let len = cursor.u32()? as usize;
            let start = at;
            at = at.checked_add(len)?;
            Some(start..at)
        };
        let entry = EntryAt {
            checksum,
            meta: next()?,
            upgrade: next()?,
            downgrade: next()?,
            lines: next()?,
        };
        index.insert(key, entry);
    }
    // The tables and the blobs account for every byte of the file.
    (cursor.at == tables.len() && at == bytes.len()).then_some(Tables {
        written_ns,
        records,
        index,
    })
}

/// One entry, serialized: meta, upgrade, downgrade and lines blobs, back
/// to back.
struct StoredEntry {
    bytes: Vec<u8>,
    lengths: [usize; 4],
}

impl StoredEntry {
    fn of(file: &RevisionFile) -> Option<Self> {
        let meta = MetaRef {
            header: &file.header,
            get_bind: &file.get_bind,
            suppressions: &file.suppressions,
            problem: &file.problem,
            downgrade_facts: file.downgrade_facts(),
        };
        let mut bytes = postcard::to_stdvec(&meta).ok()?;
        let mut lengths = [bytes.len(), 0, 0, 0];
        let [upgrade, downgrade] = file.phase_ops();
        lengths[1] = append(&mut bytes, upgrade)?;
        lengths[2] = append(&mut bytes, downgrade)?;
        lengths[3] = append(&mut bytes, file.cached_lines())?;
        Some(Self { bytes, lengths })
    }
}

/// Appends a value's encoded form (copied when it came from the cache, not
/// decoded and encoded again); returns its length.
fn append<T>(bytes: &mut Vec<u8>, value: &Cached<T>) -> Option<usize>
where
    T: Serialize + serde::de::DeserializeOwned + Default,
{
    let start = bytes.len();
    match value.encoded_bytes() {
        Some(encoded) => bytes.extend_from_slice(encoded),
        None => *bytes = postcard::to_extend(value.get(), std::mem::take(bytes)).ok()?,
    }
    Some(bytes.len() - start)
}

fn write(
    path: &Path,
    files: &[RevisionFile],
    ids: &[(usize, &str)],
    seen: &[Seen],
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let serialized: Vec<Option<(u64, StoredEntry)>> = files
        .par_iter()
        .zip(seen)
        .map(|(file, seen)| Some((seen.key?, StoredEntry::of(file)?)))
        .collect();
    let mut blob_keys = HashSet::default();
    let entries: Vec<(u64, StoredEntry)> = serialized
        .into_iter()
        .flatten()
        .filter(|(key, _)| blob_keys.insert(*key))
        .collect();

    let dir = path.parent().expect("cache file has a directory");
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(".gitignore"), "# Created by migsquash.\n*\n")?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache created by migsquash.\n",
        )?;
    }
    // The tables first, in memory: their checksum precedes them.
    let u32_le = |n: usize| (n as u32).to_le_bytes();
    let mut tables = Vec::with_capacity(64 * ids.len() + 40 * entries.len() + 16);
    let written_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    tables.extend_from_slice(&written_ns.to_le_bytes());
    let records: Vec<_> = ids
        .iter()
        .zip(seen)
        .filter_map(|(id, seen)| Some((id, seen.stamp?, seen.key?)))
        .collect();
    tables.extend_from_slice(&u32_le(records.len()));
    for ((location, rel), stamp, key) in records {
        tables.extend_from_slice(&u32_le(*location));
        tables.extend_from_slice(&u32_le(rel.len()));
        tables.extend_from_slice(rel.as_bytes());
        for n in [
            stamp.size,
            stamp.mtime_ns as u64,
            stamp.ctime_ns as u64,
            stamp.ino,
            stamp.dev,
            key,
        ] {
            tables.extend_from_slice(&n.to_le_bytes());
        }
    }
    tables.extend_from_slice(&u32_le(entries.len()));
    for (key, entry) in &entries {
        tables.extend_from_slice(&key.to_le_bytes());
        let checksum = entry_checksum_of(*key, &entry.lengths, &entry.bytes);
        tables.extend_from_slice(&checksum.to_le_bytes());
        for len in entry.lengths {
            tables.extend_from_slice(&u32_le(len));
        }
    }
    let version = STAMP.as_bytes();
    let header_len = MAGIC.len() + 4 + 4 + version.len() + 4 + 8;
    let size =
        header_len + tables.len() + entries.iter().map(|(_, e)| e.bytes.len()).sum::<usize>();
    if size as u64 > MAX_FILE_BYTES {
        // It would not be read back.
        return Ok(());
    }

    // Written aside and renamed into place: a cache file is never
    // modified where it is.
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT.to_le_bytes())?;
    out.write_all(&u32_le(version.len()))?;
    out.write_all(version)?;
    out.write_all(&u32_le(tables.len()))?;
    out.write_all(&checksum(&tables).to_le_bytes())?;
    out.write_all(&tables)?;
    for (_, entry) in &entries {
        out.write_all(&entry.bytes)?;
    }
    out.flush()?;
    drop(out);
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Results computed from a whole history rather than one file (what a
/// squash would leave, from replaying it), beside the cache file and under
/// the same rules: keyed by the history's digest (`history_digest`),
/// stamped with this binary, covered by a checksum; damage is a miss.
#[derive(Debug, Clone)]
pub struct HistoryRecord {
    path: PathBuf,
    digest: u64,
    max_bytes: u64,
}

const HISTORY_MAGIC: &[u8; 8] = b"MSQHIST1";
/// A replay record is a few numbers; anything larger is not one.
const MAX_HISTORY_BYTES: u64 = 1 << 16;

/// The digest of a history: every file's place and the key of its bytes
/// (`None`: it could not be read), in load order.
pub fn history_digest<'a>(files: impl Iterator<Item = (usize, &'a str, Option<u64>)>) -> u64 {
    let mut text = Vec::new();
    for (location, rel_path, key) in files {
        text.extend_from_slice(&(location as u64).to_le_bytes());
        text.extend_from_slice(rel_path.as_bytes());
        text.push(0);
        match key {
            Some(key) => {
                text.push(1);
                text.extend_from_slice(&key.to_le_bytes());
            }
            None => text.push(0),
        }
    }
    xxhash_rust::xxh3::xxh3_64(&text)
}

impl Cache {
    /// Where results for the history with `digest` are kept.
    pub fn history_record(&self, digest: u64) -> HistoryRecord {
        HistoryRecord {
            path: self.path.with_extension("history"),
            digest,
            max_bytes: MAX_HISTORY_BYTES,
        }
    }

    /// Where the report of the history with `digest` is kept (what
    /// `analyze` shows of it: tables, SQL, data migrations, churn).
    pub fn report_record(&self, digest: u64) -> HistoryRecord {
        HistoryRecord {
            path: self.path.with_extension("report"),
            digest,
            max_bytes: MAX_FILE_BYTES,
        }
    }
}

impl HistoryRecord {
    /// The payload stored for this history by this binary, if any and
    /// intact.
    pub fn load(&self) -> Option<Vec<u8>> {
        let (bytes, _) = read_with_mtime(&self.path)?;
        if bytes.len() as u64 > self.max_bytes || bytes.len() < 8 {
            return None;
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        if checksum(body).to_le_bytes() != sum {
            return None;
        }
        let rest = body.strip_prefix(HISTORY_MAGIC.as_slice())?;
        let rest = rest.strip_prefix(STAMP.as_bytes())?;
        let (digest, payload) = rest.split_first_chunk::<8>()?;
        (u64::from_le_bytes(*digest) == self.digest).then(|| payload.to_vec())
    }

    /// Stores `payload`; failing to is not an error (the cache is optional).
    pub fn save(&self, payload: &[u8]) {
        let _ = self.try_save(payload);
    }

    fn try_save(&self, payload: &[u8]) -> std::io::Result<()> {
        let mut body = Vec::with_capacity(payload.len() + 64);
        body.extend_from_slice(HISTORY_MAGIC);
        body.extend_from_slice(STAMP.as_bytes());
        body.extend_from_slice(&self.digest.to_le_bytes());
        body.extend_from_slice(payload);
        let sum = checksum(&body);
        body.extend_from_slice(&sum.to_le_bytes());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        temp.write_all(&body)?;
        temp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(mtime_ns: i64) -> Stamp {
        Stamp {
            size: 10,
            mtime_ns,
            ctime_ns: mtime_ns,
            ino: 7,
            dev: 1,
        }
    }

    fn cache_file(dir: &Path) -> PathBuf {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "bin"))
            .unwrap()
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
    }

    #[test]
    fn round_trip_and_corruption() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("cache");
        let dir = dir.as_path();
        let locations = vec![PathBuf::from("versions")];
        let mut file = crate::extract::extract_str(
            "from alembic import op\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    op.drop_column('t', 'c')\n",
        );
        let key = key(file.source().as_bytes());
        let seen = Seen {
            key: Some(key),
            stamp: Some(stamp(1_000)),
            vouched: false,
            parsed: true,
        };
        Cache::open(dir, &locations).save(std::slice::from_ref(&file), &[(0, "a.py")], &[seen]);
        assert!(dir.join(".gitignore").is_file());

        let cache = Cache::open(dir, &locations);
        let mut fresh = RevisionFile::unread("v/a.py".into(), "a.py".into());
        assert!(cache.fill(key, &mut fresh));
        assert_eq!(fresh.revision_id(), Some("a"));
        assert_eq!(fresh.upgrade_ops().len(), 1);
        assert_eq!(fresh.upgrade_ops()[0].column.as_deref(), Some("c"));
        assert_eq!(fresh.downgrade_facts(), PhaseFacts::default());
        assert!(!cache.fill(key ^ 1, &mut fresh));

        // A damaged entry is a miss: its checksum no longer matches.
        let mut bytes = std::fs::read(cache_file(dir)).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(cache_file(dir), &bytes).unwrap();
        let cache = Cache::open(dir, &locations);
        assert!(!cache.fill(key, &mut fresh));

        // A corrupt cache is an empty cache.
        std::fs::write(cache_file(dir), b"garbage").unwrap();
        let cache = Cache::open(dir, &locations);
        assert!(!cache.fill(key, &mut file));
        assert_eq!(cache.vouch(0, "a.py", &stamp(1_000)), None);
    }

    /// What a cache answers about the files of `two_files`: each record's
    /// key, and what each entry fills in (as text, to compare).
    fn answers(dir: &Path, locations: &[PathBuf], keys: [u64; 2]) -> Vec<Option<String>> {
        let cache = Cache::open(dir, locations);
        let mut out = Vec::new();
        for (rel, key) in ["a.py", "b.py"].into_iter().zip(keys) {
            out.push(cache.vouch(0, rel, &stamp(1_000)).map(|k| k.to_string()));
            let mut file = RevisionFile::unread("v/x.py".into(), rel.into());
            out.push(cache.fill(key, &mut file).then(|| {
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    file.header,
                    file.problem,
                    file.upgrade_ops(),
                    file.downgrade_ops(),
                    file.line_table()
                )
            }));
        }
        out
    }

    /// A cache of two files; returns their keys.
    fn two_files(dir: &Path, locations: &[PathBuf]) -> [u64; 2] {
        let files = [
            "from alembic import op\nrevision = 'a'\ndown_revision = None\n\
             def upgrade():\n    op.drop_column('t', 'c')\n",
            "from alembic import op\nrevision = 'b'\ndown_revision = 'a'\n\
             def upgrade():\n    op.execute('UPDATE t SET c = 1')\n\
             def downgrade():\n    op.drop_table('u')\n",
        ]
        .map(crate::extract::extract_str);
        let keys = [key(b"a"), key(b"b")];
        let seen = keys.map(|key| Seen {
            key: Some(key),
            stamp: Some(stamp(1_000)),
            vouched: false,
            parsed: true,
        });
        Cache::open(dir, locations).save(&files, &[(0, "a.py"), (0, "b.py")], &seen);
        keys
    }

    #[test]
    fn every_damaged_byte_is_noticed() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let locations = vec![PathBuf::from("versions")];
        let keys = two_files(dir, &locations);
        let path = cache_file(dir);
        let good = std::fs::read(&path).unwrap();
        let expected = answers(dir, &locations, keys);
        assert!(expected.iter().all(Option::is_some));

        let mut damaged_files = Vec::new();
        for at in 0..good.len() {
            for flip in [0x01, 0x80] {
                let mut bytes = good.clone();
                bytes[at] ^= flip;
                damaged_files.push((at, bytes));
            }
        }
        damaged_files.push((good.len() - 1, good[..good.len() - 1].to_vec()));
        damaged_files.push((good.len(), [&good[..], b"\0"].concat()));
        for (at, bytes) in damaged_files {
            std::fs::write(&path, &bytes).unwrap();
            let got = answers(dir, &locations, keys);
            // A damaged part is a miss, never a different answer...
            for (got, expected) in got.iter().zip(&expected) {
                assert!(got.is_none() || got == expected, "byte {at}: {got:?}");
            }
            // ... and no byte goes unchecked.
            assert_ne!(got, expected, "damage at byte {at} went unnoticed");
        }
    }

    /// The bytes a run uses are its own: a rewrite in place (which would
    /// fault or change a mapping) changes nothing for a run that has the
    /// cache open.
    #[test]
    fn a_rewrite_in_place_does_not_reach_an_open_cache() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let locations = vec![PathBuf::from("versions")];
        let keys = two_files(dir, &locations);
        let cache = Cache::open(dir, &locations);
        // Truncated in place, as `>` or a copy over it would.
        std::fs::write(cache_file(dir), b"").unwrap();
        let mut file = RevisionFile::unread("v/b.py".into(), "b.py".into());
        assert!(cache.fill(keys[1], &mut file));
        assert_eq!(file.revision_id(), Some("b"));
        assert_eq!(file.upgrade_ops().len(), 1);
        assert_eq!(file.downgrade_ops().len(), 1);
    }

    #[test]
    fn packed_downgrades_decode_to_what_was_extracted() {
        let mut file = crate::extract::extract_str(
            "revision = 'b'\ndown_revision = 'a'\n\
             def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n\
             def downgrade():\n    op.drop_column('t', 'c')\n    op.execute('DELETE FROM t')\n",
        );
        let before = format!("{:?}", file.downgrade_ops());
        file.pack_downgrade();
        assert!(!file.phase_ops()[1].is_decoded());
        assert_eq!(format!("{:?}", file.downgrade_ops()), before);
        assert_eq!(file.downgrade_ops().len(), 2);
        assert!(file.downgrade_facts().data_migrations);
    }

    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_of_bounded_size_is_read() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("cache");
        let locations = vec![PathBuf::from("versions")];
        let keys = two_files(&dir, &locations);
        let path = cache_file(&dir);
        let elsewhere = temp.path().join("elsewhere.bin");
        std::fs::rename(&path, &elsewhere).unwrap();

        // A symlink is not followed, even to a valid cache.
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        let cache = Cache::open(&dir, &locations);
        assert!(!cache.fill(keys[0], &mut RevisionFile::unread("a".into(), "a".into())));
        assert_eq!(cache.vouch(0, "a.py", &stamp(1_000)), None);
        std::fs::remove_file(&path).unwrap();

        // Nor is a file too large to be a cache read (sparse: costs no disk).
        let large = std::fs::File::create(&path).unwrap();
        large.set_len(MAX_FILE_BYTES + 1).unwrap();
        let cache = Cache::open(&dir, &locations);
        assert!(!cache.fill(keys[0], &mut RevisionFile::unread("a".into(), "a".into())));
    }

    #[test]
    fn operations_are_decoded_when_first_used() {
        let temp = tempfile::tempdir().unwrap();
        let locations = vec![PathBuf::from("versions")];
        let file = crate::extract::extract_str(
            "from alembic import op\nrevision = 'a'\ndown_revision = None\n\
             def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n\
             def downgrade():\n    op.execute('DELETE FROM t')\n    op.drop_column('t', 'c')\n",
        );
        let seen = Seen {
            key: Some(9),
            stamp: None,
            vouched: false,
            parsed: true,
        };
        Cache::open(temp.path(), &locations).save(
            std::slice::from_ref(&file),
            &[(0, "a.py")],
            &[seen],
        );

        let cache = Cache::open(temp.path(), &locations);
        let mut cached = RevisionFile::unread("v/a.py".into(), "a.py".into());
        assert!(cache.fill(9, &mut cached));
        let [upgrade, downgrade] = cached.phase_ops();
        assert!(!upgrade.is_decoded() && !downgrade.is_decoded());
        // What the analysis needs of the downgrade is known without it.
        assert_eq!(
            cached.downgrade_facts(),
            PhaseFacts {
                count: 2,
                data_migrations: true
            }
        );
        assert_eq!(cached.downgrade_ops().len(), 2);
        assert_eq!(
            cached
                .operations()
                .map(crate::ir::Operation::method)
                .collect::<Vec<_>>(),
            ["add_column", "execute", "drop_column"]
        );

        // Rewriting the cache copies encoded operations as they are.
        let copy = StoredEntry::of(&cached).unwrap();
        let original = StoredEntry::of(&file).unwrap();
        assert_eq!(copy.bytes, original.bytes);
    }

    #[test]
    fn stat_records_vouch_only_for_settled_unchanged_files() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let locations = vec![PathBuf::from("versions")];
        let files = vec![
            RevisionFile::unread("v/a.py".into(), "a.py".into()),
            RevisionFile::unread("v/b.py".into(), "b.py".into()),
        ];
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as i64;
        let seen = [
            Seen {
                key: Some(1),
                stamp: Some(stamp(1_000)),
                vouched: false,
                parsed: true,
            },
            // Written just now: its timestamps cannot vouch for its bytes yet.
            Seen {
                key: Some(2),
                stamp: Some(stamp(now_ns)),
                vouched: false,
                parsed: true,
            },
        ];
        let ids = [(0, "a.py"), (0, "b.py")];
        Cache::open(dir, &locations).save(&files, &ids, &seen);

        let cache = Cache::open(dir, &locations);
        assert_eq!(cache.vouch(0, "a.py", &stamp(1_000)), Some(1));
        assert_eq!(cache.vouch(0, "a.py", &stamp(2_000)), None, "changed");
        assert_eq!(
            cache.vouch(1, "a.py", &stamp(1_000)),
            None,
            "other location"
        );
        assert_eq!(cache.vouch(0, "b.py", &stamp(now_ns)), None, "racy");
        assert_eq!(cache.vouch(0, "c.py", &stamp(1_000)), None, "unknown");

        // Nothing new: the cache is not rewritten. `b.py` still cannot be
        // vouched for, so a rewrite would not help.
        #[cfg(unix)]
        {
            let before = inode(&cache_file(dir));
            let unchanged = [
                Seen {
                    vouched: true,
                    parsed: false,
                    ..seen[0]
                },
                Seen {
                    parsed: false,
                    ..seen[1]
                },
            ];
            cache.save(&files, &ids, &unchanged);
            assert_eq!(inode(&cache_file(dir)), before);

            // Once a file read by content has settled, a rewrite lets its
            // record vouch for it from then on.
            let settled = [
                unchanged[0],
                Seen {
                    stamp: Some(stamp(2_000)),
                    ..unchanged[1]
                },
            ];
            Cache::open(dir, &locations).save(&files, &ids, &settled);
            assert_ne!(inode(&cache_file(dir)), before);
            let cache = Cache::open(dir, &locations);
            assert_eq!(cache.vouch(0, "b.py", &stamp(2_000)), Some(2));

            // A file that is gone leaves a stale record: rewritten.
            let before = inode(&cache_file(dir));
            cache.save(&files[..1], &ids[..1], &settled[..1]);
            assert_ne!(inode(&cache_file(dir)), before);
        }
    }
}
