//! Fingerprints the source files that define what the extraction cache
//! stores and how it is extracted, so that a binary built from different
//! code never reads a cache written by another (see src/cache.rs). Cargo's
//! package version alone would not catch a change between releases.

use std::hash::{Hash, Hasher};

const CACHED_DEFINITIONS: &[&str] = &[
    "src/ir.rs",
    "src/sql.rs",
    "src/python/mod.rs",
    "src/python/ruff.rs",
    "src/cache.rs",
    "src/extract/mod.rs",
    "src/extract/bindings.rs",
    "src/extract/header.rs",
    "src/extract/ops.rs",
    "src/extract/suppressions.rs",
];

/// Also fingerprinted when present: the parser and SQL crates' versions.
const LOCK_FILE: &str = "Cargo.lock";

fn main() {
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for byte in bytes {
                self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    for path in CACHED_DEFINITIONS {
        println!("cargo:rerun-if-changed={path}");
        std::fs::read(path)
            .expect("cached definitions exist")
            .hash(&mut hasher);
    }
    println!("cargo:rerun-if-changed={LOCK_FILE}");
    if let Ok(lock) = std::fs::read(LOCK_FILE) {
        lock.hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=MIGSQUASH_CACHE_FINGERPRINT={:016x}",
        hasher.finish()
    );
}
