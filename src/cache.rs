//! The extraction cache. What a revision file yields (header, operations,
//! problem) depends only on its bytes and on this binary, so it is stored
//! keyed by a hash of the bytes: a file that has not changed is not parsed
//! again. Like Alembic's `__pycache__`, it makes repeated runs (pre-commit,
//! a laptop) cheap; output is identical with or without it.
//!
//! Layout: `<cache dir>/<hash of the version locations>.bin`, with a
//! `.gitignore` and a `CACHEDIR.TAG` in the cache dir. The file is a small
//! index followed by one postcard blob per entry, so a run decodes only the
//! entries it uses, in parallel. A missing, stale or corrupt cache is an
//! empty cache; failing to write it is not an error.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ir::{FileProblem, Header, Operation, Phase, RevisionFile, Spanned};

const MAGIC: &[u8; 8] = b"MSQCACHE";
/// The file layout below; the layout of entries is covered by `STAMP`.
const FORMAT: u32 = 1;
/// The tool version and a fingerprint of the definitions the entries are
/// made of (computed by build.rs): any change to them makes old caches stale.
const STAMP: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("MIGSQUASH_CACHE_FINGERPRINT")
);

/// The key of a file's bytes.
pub fn key(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// What the cache keeps of one file (everything but its path and source).
#[derive(Deserialize)]
struct Entry {
    header: Header,
    operations: Vec<Operation>,
    get_bind: Vec<Spanned<Phase>>,
    problem: Option<FileProblem>,
}

/// `Entry`, borrowed from a loaded file for writing: same fields, same order.
#[derive(Serialize)]
struct EntryRef<'a> {
    header: &'a Header,
    operations: &'a [Operation],
    get_bind: &'a [Spanned<Phase>],
    problem: &'a Option<FileProblem>,
}

pub struct Cache {
    path: PathBuf,
    bytes: Vec<u8>,
    /// Key → range of its entry in `bytes`.
    index: HashMap<u64, std::ops::Range<usize>>,
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
        let bytes = std::fs::read(&path).unwrap_or_default();
        let index = read_index(&bytes).unwrap_or_default();
        Self { path, bytes, index }
    }

    /// Fills in what parsing the file would have, if its bytes are cached.
    /// Safe to call from several threads.
    pub fn fill(&self, key: u64, file: &mut RevisionFile) -> bool {
        let Some(range) = self.index.get(&key) else {
            return false;
        };
        match postcard::from_bytes::<Entry>(&self.bytes[range.clone()]) {
            Ok(entry) => {
                file.header = entry.header;
                file.operations = entry.operations;
                file.get_bind = entry.get_bind;
                file.problem = entry.problem;
                true
            }
            Err(_) => false,
        }
    }

    /// Writes the cache for this run's files if it changed: a file was not
    /// cached, or a cached entry belongs to a file that is gone.
    pub fn save(self, files: &[RevisionFile], keys: &[Option<u64>], misses: usize) {
        let current: HashSet<u64> = keys.iter().flatten().copied().collect();
        let stale = self.index.keys().any(|k| !current.contains(k));
        if misses == 0 && !stale {
            return;
        }
        // The cache only saves time: a read-only checkout must still work.
        let _ = write(&self.path, files, keys);
    }
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

fn read_index(bytes: &[u8]) -> Option<HashMap<u64, std::ops::Range<usize>>> {
    let mut cursor = Cursor { bytes, at: 0 };
    if cursor.take(MAGIC.len())? != MAGIC || cursor.u32()? != FORMAT {
        return None;
    }
    let version_len = cursor.u32()? as usize;
    if cursor.take(version_len)? != STAMP.as_bytes() {
        return None;
    }
    let count = cursor.u32()? as usize;
    let mut entries = Vec::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        entries.push((cursor.u64()?, cursor.u32()? as usize));
    }
    let mut index = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
    for (key, len) in entries {
        let start = cursor.at;
        cursor.take(len)?;
        index.insert(key, start..start + len);
    }
    Some(index)
}

fn write(path: &Path, files: &[RevisionFile], keys: &[Option<u64>]) -> std::io::Result<()> {
    let mut seen = HashSet::default();
    let mut blobs: Vec<(u64, Vec<u8>)> = Vec::with_capacity(files.len());
    for (file, key) in files.iter().zip(keys) {
        let Some(key) = *key else { continue };
        if !seen.insert(key) {
            continue;
        }
        let entry = EntryRef {
            header: &file.header,
            operations: &file.operations,
            get_bind: &file.get_bind,
            problem: &file.problem,
        };
        blobs.push((
            key,
            postcard::to_stdvec(&entry).map_err(std::io::Error::other)?,
        ));
    }
    let version = STAMP.as_bytes();
    let mut out = Vec::with_capacity(blobs.iter().map(|(_, b)| b.len() + 12).sum::<usize>() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(version.len() as u32).to_le_bytes());
    out.extend_from_slice(version);
    out.extend_from_slice(&(blobs.len() as u32).to_le_bytes());
    for (key, blob) in &blobs {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
    }
    for (_, blob) in &blobs {
        out.extend_from_slice(blob);
    }

    let dir = path.parent().expect("cache file has a directory");
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(".gitignore"), "# Created by migsquash.\n*\n")?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache created by migsquash.\n",
        )?;
    }
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(&out)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("cache");
        let dir = dir.as_path();
        let locations = vec![PathBuf::from("versions")];
        let mut file = crate::extract::extract_str(
            "from alembic import op\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    op.drop_column('t', 'c')\n",
        );
        let key = key(file.source.as_bytes());
        Cache::open(dir, &locations).save(std::slice::from_ref(&file), &[Some(key)], 1);
        assert!(dir.join(".gitignore").is_file());

        let cache = Cache::open(dir, &locations);
        let mut fresh = file.clone();
        fresh.operations.clear();
        fresh.header = Header::default();
        assert!(cache.fill(key, &mut fresh));
        assert_eq!(fresh.revision_id(), Some("a"));
        assert_eq!(fresh.operations.len(), 1);
        assert!(!cache.fill(key ^ 1, &mut fresh));

        // A corrupt cache is an empty cache.
        let bin = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "bin"))
            .unwrap();
        std::fs::write(&bin, b"garbage").unwrap();
        let cache = Cache::open(dir, &locations);
        file.operations.clear();
        assert!(!cache.fill(key, &mut file));
    }
}
