//! The extraction cache changes how fast migsquash runs, never what it says.

use std::path::Path;

use crate::support::{copy_dir, migsquash, repo_root};

/// With every argument's text, so that spans from the cache are compared too.
fn analyze_json(history: &Path, cache: &Path) -> String {
    let output = migsquash()
        .env_remove("MIGSQUASH_NO_CACHE")
        .args([
            "analyze",
            "--format",
            "json",
            "--detail",
            "full",
            "--cache-dir",
        ])
        .arg(cache)
        .arg(history)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn warm_and_cold_runs_agree_and_edits_are_seen() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(
        &repo_root().join("sample_migrations/edge_cases/labeled_branches"),
        &history,
    );
    let cache = work.path().join("cache");

    let cold = analyze_json(&history, &cache);
    assert!(
        cache.join(".gitignore").is_file(),
        "the cache directory ignores itself in git"
    );
    let stored = std::fs::read_dir(&cache)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "bin")
        })
        .count();
    assert_eq!(stored, 1);
    let warm = analyze_json(&history, &cache);
    assert_eq!(
        cold, warm,
        "a cached run prints exactly what a fresh one does"
    );

    // Editing a revision is seen on the next run.
    let versions = history.join("versions");
    let file = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("b1f4d8c6a2a7"))
        .unwrap();
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        source.replace(
            "def upgrade():",
            "def upgrade():\n    op.drop_table(\"scratch\")",
        ),
    )
    .unwrap();
    let edited = analyze_json(&history, &cache);
    assert_ne!(edited, warm);
    assert!(edited.contains("\"scratch\""));
    let fresh = migsquash()
        .args(["analyze", "--format", "json", "--detail", "full"])
        .arg(&history)
        .output()
        .unwrap();
    assert_eq!(edited, String::from_utf8(fresh.stdout).unwrap());
}

#[test]
fn an_unwritable_cache_is_not_an_error() {
    let work = tempfile::tempdir().unwrap();
    let not_a_dir = work.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let output = migsquash()
        .env_remove("MIGSQUASH_NO_CACHE")
        .args(["check", "--cache-dir"])
        .arg(not_a_dir.join("cache"))
        .arg("sample_migrations/grants")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&not_a_dir).unwrap(), "x");
}

fn run_text(history: &Path, cache: Option<&Path>) -> String {
    let mut command = migsquash();
    command.env_remove("MIGSQUASH_NO_CACHE").arg("analyze");
    match cache {
        Some(cache) => command.arg("--cache-dir").arg(cache),
        None => command.arg("--no-cache"),
    };
    let output = command.arg(history).output().unwrap();
    assert!(output.status.code().is_some_and(|c| c <= 1));
    String::from_utf8(output.stdout).unwrap()
}

#[cfg(unix)]
fn cache_inode(cache: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let bin = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bin"))
        .unwrap();
    std::fs::metadata(bin).unwrap().ino()
}

/// Files whose stat data is unchanged are not read again (their lines are
/// read only for what the report shows), and the report is unchanged.
#[cfg(unix)]
#[test]
fn settled_files_are_vouched_for_by_their_stat_data() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(&repo_root().join("sample_migrations/chat_saas"), &history);
    let cache = work.path().join("cache");
    // Stat data vouches only for files changed well before the cache was
    // written (see src/cache.rs); let the copies settle.
    std::thread::sleep(std::time::Duration::from_millis(2_200));

    let fresh = run_text(&history, None);
    assert_eq!(run_text(&history, Some(&cache)), fresh);
    let written = cache_inode(&cache);
    // Had a file been read because its record could not vouch for it, the
    // cache would have been rewritten so that it could next time.
    assert_eq!(run_text(&history, Some(&cache)), fresh);
    assert_eq!(cache_inode(&cache), written, "every file was vouched for");
    assert_eq!(
        analyze_json(&history, &cache),
        String::from_utf8(
            migsquash()
                .args(["analyze", "--format", "json", "--detail", "full"])
                .arg(&history)
                .output()
                .unwrap()
                .stdout
        )
        .unwrap()
    );

    // An edit changes the file's stat data: it is read and parsed again.
    let file =
        history.join("migrations/versions/2024_06_04_1140-a243420a6742_users_soft_delete.py");
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, source.replace("def upgrade()", "def upgrade( )")).unwrap();
    assert_eq!(run_text(&history, Some(&cache)), run_text(&history, None));
    assert_ne!(cache_inode(&cache), written);
}

// A damaged, truncated, foreign or concurrently rewritten cache costs speed,
// never a different result: every run below must print (and exit with)
// exactly what a run without the cache does.

/// A run's exit code (`None`: killed by a signal), stdout and stderr.
type Run = (Option<i32>, String, String);

/// `args` on `history` with the cache in `cache` (or without one). A run
/// that hangs (on a FIFO, say) is killed.
fn run_with(args: &[&str], history: &Path, cache: Option<&Path>) -> Run {
    let mut command = migsquash();
    command
        .env_remove("MIGSQUASH_NO_CACHE")
        .env_remove("CI")
        .timeout(std::time::Duration::from_secs(30))
        .args(args);
    match cache {
        Some(cache) => command.arg("--cache-dir").arg(cache),
        None => command.arg("--no-cache"),
    };
    let output = command.arg(history).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Panics, naming the first line that differs, unless `got` is `expected`.
fn assert_same(got: &Run, expected: &Run, what: &str) {
    assert_eq!(got.0, expected.0, "{what}: exit code (stderr: {})", got.2);
    assert_eq!(got.2, expected.2, "{what}: stderr");
    if got.1 != expected.1 {
        let (line, (got, expected)) = got
            .1
            .lines()
            .chain(["<end>"])
            .zip(expected.1.lines().chain(["<end>"]))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap_or((0, ("", "")));
        panic!(
            "{what}: stdout differs at line {}:\n  got:      {got}\n  expected: {expected}",
            line + 1
        );
    }
}

const JSON: &[&str] = &["analyze", "--format", "json"];
const CHECK: &[&str] = &["check", "--format", "json"];

/// What `analyze --format json` and `check` say without a cache.
struct Uncached {
    analyze: Run,
    check: Run,
}

impl Uncached {
    fn of(history: &Path) -> Self {
        Self {
            analyze: run_with(JSON, history, None),
            check: run_with(CHECK, history, None),
        }
    }

    /// Runs both with `bytes` in the file of the cache in `cache`, and
    /// compares.
    fn assert_same(&self, history: &Path, cache: &Path, bytes: &[u8], what: &str) {
        let file = bin(cache);
        for (args, expected) in [(JSON, &self.analyze), (CHECK, &self.check)] {
            std::fs::write(&file, bytes).unwrap();
            let got = run_with(args, history, Some(cache));
            assert_same(&got, expected, &format!("{what}, {}", args[0]));
            assert!(
                std::fs::read(&file).unwrap() != bytes,
                "{what}: a damaged cache is rewritten"
            );
        }
    }
}

/// The cache file in `cache`.
fn bin(cache: &Path) -> std::path::PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.pop().unwrap()
}

/// Where `needle` occurs in `haystack`.
fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Copies of bundled histories whose files have settled, so that the
/// cache's stat records vouch for them (src/cache.rs).
fn settled_copies(names: &[&str]) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let work = tempfile::tempdir().unwrap();
    let histories: Vec<_> = names
        .iter()
        .map(|name| {
            let history = work.path().join(name.replace('/', "_"));
            copy_dir(&repo_root().join(name), &history);
            history
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    (work, histories)
}

/// Each kind of byte in a cache file damaged (the header, a stat record's
/// key, an entry's payload, the index), and records or entries pointed at
/// another file's: the same output and exit code as without the cache.
#[test]
fn a_damaged_cache_is_an_empty_cache() {
    let (work, histories) = settled_copies(&[
        "sample_migrations/edge_cases/labeled_branches",
        "sample_migrations/edge_cases/missing_parent",
    ]);
    for history in &histories {
        let uncached = Uncached::of(history);
        let cache = work.path().join("cache");
        let _ = std::fs::remove_dir_all(&cache);
        // The files have settled: the cache's stat records vouch for them.
        assert_same(
            &run_with(JSON, history, Some(&cache)),
            &uncached.analyze,
            "cold",
        );
        let good = std::fs::read(bin(&cache)).unwrap();

        let mut files: Vec<_> = std::fs::read_dir(history.join("versions"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        // Each key is stored twice: in its file's stat record, then in the
        // index.
        let keys: Vec<[u8; 8]> = files
            .iter()
            .map(|f| {
                let key = migsquash::cache::key(&std::fs::read(f).unwrap());
                migsquash::cache::keyed_for(key, migsquash::sql::Dialect::PostgreSql).to_le_bytes()
            })
            .collect();
        let at = |key: &[u8; 8]| -> [usize; 2] {
            find_all(&good, key)
                .try_into()
                .expect("a key in a record and in the index")
        };
        let [record_a, index_a] = at(&keys[0]);
        let [record_b, index_b] = at(&keys[1]);
        // The payload: the last mention of a revision id is in an entry.
        let id = &files[0].file_name().unwrap().to_str().unwrap()[..12];
        let payload = *find_all(&good, id.as_bytes()).last().unwrap();

        let mut damages: Vec<(String, Vec<u8>)> = Vec::new();
        let flip = |at: usize, what: &str| {
            let mut bytes = good.clone();
            bytes[at] ^= 0x01;
            (format!("{what} (byte {at})"), bytes)
        };
        for at in [0, 8, 12, 16, 20] {
            damages.push(flip(at, "header"));
        }
        damages.push(flip(record_a + 3, "a record's key"));
        damages.push(flip(record_a - 1, "a record's stat data"));
        damages.push(flip(index_a, "a key in the index"));
        damages.push(flip(index_b + 8, "the index after a key"));
        damages.push(flip(payload, "a revision id in an entry"));
        damages.push(flip(good.len() - 1, "the last entry"));
        let put = |at: usize, key: &[u8; 8], what: &str| {
            let mut bytes = good.clone();
            bytes[at..at + 8].copy_from_slice(key);
            (what.to_owned(), bytes)
        };
        damages.push(put(
            record_a,
            &keys[1],
            "a record pointed at another file's entry",
        ));
        damages.push(put(record_b, &keys[0], "another record pointed elsewhere"));
        damages.push(put(index_a, &keys[1], "an entry re-keyed"));
        damages.push(put(index_b, &keys[0], "another entry re-keyed"));
        for (what, bytes) in &damages {
            uncached.assert_same(history, &cache, bytes, what);
        }
    }
}

#[test]
fn a_truncated_cache_is_an_empty_cache() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(&repo_root().join("sample_migrations/grants"), &history);
    let cache = work.path().join("cache");
    let uncached = Uncached::of(&history);
    assert_same(
        &run_with(JSON, &history, Some(&cache)),
        &uncached.analyze,
        "cold",
    );
    let good = std::fs::read(bin(&cache)).unwrap();
    for len in [0, 7, 12, 40, 100, good.len() / 2, good.len() - 1] {
        uncached.assert_same(&history, &cache, &good[..len], &format!("{len} bytes"));
    }
}

/// A FIFO, a device or a symlink where the cache file should be is not
/// read (a FIFO would block the run): the run is as without the cache,
/// and writes a cache file in its place.
#[cfg(unix)]
#[test]
fn a_fifo_device_or_symlink_is_not_read() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(&repo_root().join("sample_migrations/grants"), &history);
    let cache = work.path().join("cache");
    let uncached = Uncached::of(&history);
    assert_same(
        &run_with(JSON, &history, Some(&cache)),
        &uncached.analyze,
        "cold",
    );
    let file = bin(&cache);
    let fifo = work.path().join("fifo");
    let mkfifo = || {
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
    };
    let replacements: [(&str, &dyn Fn()); 3] = [
        ("a FIFO", &|| {
            mkfifo();
            std::fs::rename(&fifo, &file).unwrap();
        }),
        ("a symlink to a FIFO", &|| {
            mkfifo();
            std::fs::remove_file(&file).unwrap();
            std::os::unix::fs::symlink(&fifo, &file).unwrap();
        }),
        ("a symlink to a device", &|| {
            std::fs::remove_file(&file).unwrap();
            std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
        }),
    ];
    for (what, replace) in replacements {
        for (args, expected) in [(JSON, &uncached.analyze), (CHECK, &uncached.check)] {
            replace();
            let got = run_with(args, &history, Some(&cache));
            assert_same(&got, expected, &format!("{what}, {}", args[0]));
            let kind = std::fs::symlink_metadata(&file).unwrap().file_type();
            assert!(kind.is_file(), "{what}: replaced by a cache file");
        }
    }
}

/// A cache rewritten in place (not renamed) while runs read it: no run
/// crashes or says anything else than without the cache.
#[test]
fn a_cache_rewritten_in_place_during_runs() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(&repo_root().join("sample_migrations/chat_saas"), &history);
    let cache = work.path().join("cache");
    let uncached = Uncached::of(&history);
    assert_same(
        &run_with(JSON, &history, Some(&cache)),
        &uncached.analyze,
        "cold",
    );
    let file = bin(&cache);
    let good = std::fs::read(&file).unwrap();
    let mut damaged = good.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;

    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            use std::io::Write;
            // Truncate, then write back slowly, a piece at a time, so that
            // runs see the file shrink and grow under them.
            for round in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let bytes = if round % 2 == 0 { &good } else { &damaged };
                let Ok(mut out) = std::fs::File::create(&file) else {
                    continue;
                };
                for piece in bytes.chunks(4096) {
                    let _ = out.write_all(piece);
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                drop(out);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        let outcome = std::panic::catch_unwind(|| {
            for run in 0..40 {
                let (args, expected) = if run % 2 == 0 {
                    (JSON, &uncached.analyze)
                } else {
                    (CHECK, &uncached.check)
                };
                let got = run_with(args, &history, Some(&cache));
                assert!(
                    matches!(got.0, Some(0 | 1)),
                    "run {run} ended with {:?}: {}",
                    got.0,
                    got.2
                );
                assert_same(&got, expected, &format!("run {run}, {}", args[0]));
            }
        });
        stop.store(true, Ordering::Relaxed);
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    });
}

/// In CI the checkout, and a cache committed in it, come from the change
/// under review: the cache is read only where `--cache-dir` (or
/// `MIGSQUASH_CACHE_DIR`) puts it.
#[test]
fn in_ci_only_a_cache_given_explicitly_is_read() {
    let work = tempfile::tempdir().unwrap();
    let history = work.path().join("history");
    copy_dir(
        &repo_root().join("sample_migrations/edge_cases/missing_parent"),
        &history,
    );
    let default = history.join(".migsquash_cache");
    let run = |ci: Option<&str>, cache_dir: Option<&Path>| {
        let mut command = migsquash();
        command.env_remove("MIGSQUASH_NO_CACHE").env_remove("CI");
        if let Some(ci) = ci {
            command.env("CI", ci);
        }
        command.arg("check");
        if let Some(dir) = cache_dir {
            command.arg("--cache-dir").arg(dir);
        }
        command.arg(&history).output().unwrap().status.code()
    };
    // Outside CI, the default cache is written and read.
    assert_eq!(run(None, None), Some(1));
    let file = bin(&default);
    // In CI it is neither read nor rewritten, even when damaged.
    std::fs::write(&file, b"damaged").unwrap();
    for ci in ["true", "1"] {
        assert_eq!(run(Some(ci), None), Some(1));
        assert!(std::fs::read(&file).unwrap() == b"damaged", "CI={ci}");
    }
    assert_eq!(run(Some("false"), None), Some(1));
    assert!(std::fs::read(&file).unwrap() != b"damaged", "CI=false");
    // Given explicitly, a cache is used in CI too.
    let explicit = work.path().join("explicit");
    assert_eq!(run(Some("true"), Some(&explicit)), Some(1));
    bin(&explicit);
}

/// The report record (`.report`, what `analyze` shows of a history whose
/// files did not change): a warm run that reads it prints what a fresh run
/// does; a damaged record, or one of another history, is not used.
#[test]
fn the_report_record_changes_speed_never_the_report() {
    let (work, histories) = settled_copies(&[
        "sample_migrations/chat_saas",
        "sample_migrations/edge_cases/labeled_branches",
    ]);
    let record = |cache: &Path| {
        std::fs::read_dir(cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "report"))
            .expect("a report record")
    };
    let caches: Vec<_> = (0..histories.len())
        .map(|i| work.path().join(format!("cache{i}")))
        .collect();
    for (history, cache) in histories.iter().zip(&caches) {
        let uncached = run_with(&["analyze"], history, None);
        assert!(uncached.1.contains("Churn"), "{}", uncached.1);
        let cold = run_with(&["analyze"], history, Some(cache));
        assert_same(&cold, &uncached, "the run that writes the record");
        let warm = run_with(&["analyze"], history, Some(cache));
        assert_same(&warm, &uncached, "a run that reads it");
        let json = run_with(JSON, history, Some(cache));
        assert_same(&json, &run_with(JSON, history, None), "JSON, from it");

        let file = record(cache);
        let bytes = std::fs::read(&file).unwrap();
        for at in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            std::fs::write(&file, &damaged).unwrap();
            let got = run_with(&["analyze"], history, Some(cache));
            assert_same(&got, &uncached, &format!("byte {at} damaged"));
        }
    }
    // Each history's record in the other's place: not theirs.
    let (first, second) = (record(&caches[0]), record(&caches[1]));
    std::fs::copy(&first, caches[1].join(second.file_name().unwrap())).unwrap();
    let got = run_with(&["analyze"], &histories[1], Some(&caches[1]));
    assert_same(
        &got,
        &run_with(&["analyze"], &histories[1], None),
        "another history's record",
    );
}
