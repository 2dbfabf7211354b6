//! CLI integration tests: one binary, run from the repository root against
//! the bundled histories in sample_migrations/.
//!
//! - `snapshots`: every output format, snapshotted with insta;
//! - `bad_input`: located errors and exit codes for broken input;
//! - `hostile_input`: special files, control characters in file names,
//!   thousands of heads;
//! - `cache`: the extraction cache changes speed, never output;
//! - `churn`: what churns, on a history of its own in tests/fixtures/;
//! - `sql`: raw SQL, read from histories of its own in tests/fixtures/;
//! - `suppressions`: `# migsquash: ignore[…]` comments, on histories of
//!   their own in tests/fixtures/suppressions/;
//! - `mutation`: damaged copies of the bundled histories
//!   (scripts/mutation_test.py) exit 0, 1 or 2, print valid JSON, and print
//!   the same with and without the cache;
//! - `naming`: the naming convention of env.py's `target_metadata`, read
//!   statically, in consolidate and verify;
//! - `completions`: shell completion scripts and the man pages;
//! - `config`: configuration files (discovery, keys, precedence, located
//!   errors) and `migsquash config`, in temporary folders;
//! - `sarif`: `--format sarif`, validated against the SARIF 2.1.0 schema;
//! - `oracle`: real Alembic (from the test venv) and migsquash must agree;
//! - `postgres`: every runnable history applies on a real PostgreSQL;
//! - `rebase`: a branch moved onto the other head, checked with Alembic.
//!
//! The last two need the Python venv made by `scripts/setup-test-env.sh`
//! (`MIGSQUASH_TEST_PYTHON`); they fail, never skip, when it is missing.

mod bad_input;
mod cache;
mod churn;
mod completions;
mod config;
mod consolidate;
mod discovery;
mod hostile_input;
mod locations;
mod mutation;
mod naming;
mod oracle;
mod postgres;
mod rebase;
mod sarif;
mod snapshots;
mod sql;
mod support;
mod suppressions;
mod verify;
