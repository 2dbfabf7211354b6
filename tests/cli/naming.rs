//! The naming convention of env.py's `target_metadata`: consolidate names
//! what the convention named, verify applies it, and a convention that
//! cannot be read statically stops both until the configuration states it.

use std::path::Path;

use crate::support::{copy_dir, repo_root, run, test_python};

const FIXTURE: &str = "sample_migrations/edge_cases/naming_convention";

/// A copy of the fixture, without the revisions named in `without`.
fn fixture_copy(dir: &Path, without: &[&str]) -> std::path::PathBuf {
    let copy = dir.join("project");
    copy_dir(&repo_root().join(FIXTURE), &copy);
    for prefix in without {
        for entry in std::fs::read_dir(copy.join("migrations/versions")).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(prefix)
            {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
    copy
}

fn verify(history: &Path, baseline: &Path, extra: &[&str]) -> (i32, String, String) {
    let python = test_python();
    let mut args = vec![
        "verify",
        history.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--python",
        python.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn the_baseline_keeps_the_names_the_convention_gave() {
    let (code, stdout, stderr) = run(&["consolidate", FIXTURE]);
    assert_eq!(code, 0, "{stderr}");
    for name in [
        // Made before `users` became `accounts` and `email` became `login`.
        r#"sa.PrimaryKeyConstraint("id", name=op.f("pk_users"))"#,
        r#"sa.UniqueConstraint("login", name=op.f("uq_users_email"))"#,
        r#"name=op.f("fk_users_org_id_orgs")"#,
        r#"sa.UniqueConstraint("org_id", "name", name=op.f("uq_users_org_id_name"))"#,
        r#"op.create_index(op.f("ix_users_name"), "accounts""#,
        r#"name=op.f("fk_orders_user_id_users")"#,
        // `%(constraint_name)s` turns an explicit name into the template's.
        r#"name=op.f("ck_users_name_length")"#,
        r#"name=op.f("ck_orders_non_negative_total")"#,
        // Made after the rename.
        r#"sa.UniqueConstraint("handle", name=op.f("uq_accounts_handle"))"#,
    ] {
        assert!(stdout.contains(name), "{name} missing from:\n{stdout}");
    }
    // `drop_constraint("positive_total", type_="check")` dropped
    // ck_orders_positive_total; uq_orders_user_id_total is gone too.
    assert!(!stdout.contains("positive_total"), "{stdout}");
    assert!(!stdout.contains("uq_orders_user_id_total"), "{stdout}");
}

#[test]
fn a_baseline_made_as_if_there_were_no_convention_is_caught_on_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    // The last revision drops a constraint by its convention name, which a
    // replay without the convention cannot find: leave it out.
    let project = fixture_copy(dir.path(), &["f70b5c2d8a19"]);
    let wrong = dir.path().join("wrong.py");
    let stated_default = dir.path().join("default.toml");
    std::fs::write(&stated_default, "naming-convention = {}\n").unwrap();
    let (code, _, stderr) = run(&[
        "consolidate",
        project.to_str().unwrap(),
        "--config",
        stated_default.to_str().unwrap(),
        "--out",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // verify reads the convention from env.py, as Alembic gets it.
    let (code, stdout, stderr) = verify(&project, &wrong, &[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("-  constraint pk_users: PRIMARY KEY (id)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+  constraint users_pkey: PRIMARY KEY (id)"),
        "{stdout}"
    );

    let right = dir.path().join("right.py");
    let (code, _, stderr) = run(&[
        "consolidate",
        project.to_str().unwrap(),
        "--out",
        right.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = verify(&project, &right, &[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("✓ the baseline builds the same schema"),
        "{stdout}"
    );
}

#[test]
fn a_convention_that_cannot_be_read_stops_until_the_configuration_states_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = fixture_copy(dir.path(), &[]);
    let env_py = project.join("migrations/env.py");
    let text = std::fs::read_to_string(&env_py).unwrap().replace(
        "target_metadata = models.Base.metadata\n",
        "def get_metadata():\n    return models.Base.metadata\n\n\ntarget_metadata = get_metadata()\n",
    );
    std::fs::write(&env_py, text).unwrap();
    let path = project.to_str().unwrap();

    let (code, stdout, stderr) = run(&["consolidate", path]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("naming convention of env.py's `target_metadata`")
            && stderr.contains("migrations/env.py:19:19: the metadata comes from a function call")
            && stderr.contains("naming-convention = {}"),
        "{stderr}"
    );
    let baseline = dir.path().join("b.py");
    std::fs::write(&baseline, "revision = 'x'\ndown_revision = None\n").unwrap();
    let (code, _, stderr) = verify(&project, &baseline, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be read statically"), "{stderr}");

    std::fs::write(
        project.join("migsquash.toml"),
        r#"[naming-convention]
ix = "ix_%(column_0_label)s"
uq = "uq_%(table_name)s_%(column_0_N_name)s"
ck = "ck_%(table_name)s_%(constraint_name)s"
fk = "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
pk = "pk_%(table_name)s"
"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(&["consolidate", path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(r#"name=op.f("pk_users")"#), "{stdout}");
    let (code, stdout, _) = run(&["config", path]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(r#"naming-convention = { ck = "ck_%(table_name)s_%(constraint_name)s""#),
        "{stdout}"
    );
}

#[test]
fn a_convention_key_sqlalchemy_does_not_know_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let project = fixture_copy(dir.path(), &[]);
    std::fs::write(
        project.join("migsquash.toml"),
        "[naming-convention]\nunique = \"uq_%(table_name)s\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["consolidate", project.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("naming-convention: `unique` is not one of ix, uq, ck, fk, pk")
            && stderr.contains("migsquash.toml:2:1"),
        "{stderr}"
    );
}
