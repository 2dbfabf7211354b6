//! Churn follows what each database goes through: one arm of an `if` on
//! the dialect, a name renamed away and used again, several histories in
//! one versions folder. The history is in tests/fixtures/churn_lineages.

use crate::support::run;

/// An application history (dialect tests, a column renamed away and a new
/// one under its name) and three labelled histories of other databases,
/// each with a `settings` table: only the two indexes really churn.
#[test]
fn analyze_text_churn_lineages() {
    let (code, out, stderr) = run(&["analyze", "tests/fixtures/churn_lineages"]);
    assert_eq!(code, 0, "{stderr}");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("analyze_text_churn_lineages", out));
    assert!(out.contains("Churn (2)"), "{out}");
    assert!(out.contains("settings.ix_settings_value — index created then dropped"));
    assert!(out.contains("users.ix_users_email — index created then dropped"));
    // The connection is read only for its dialect.
    assert!(out.contains("Data migrations (1)"), "{out}");
}
