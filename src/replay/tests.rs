//! Folding rules, one test each, on in-memory histories.

use super::*;
use crate::extract::extract_str;

/// Replays revision sources given in upgrade order (a linear history).
pub(crate) fn replay_sources(sources: &[&str]) -> Replay {
    let files: Vec<RevisionFile> = sources.iter().map(|s| extract_str(s)).collect();
    let order: Vec<usize> = (0..files.len()).collect();
    replay(
        &files,
        &order,
        &[],
        &crate::naming::NamingConvention::Default,
    )
}

fn rev(id: &str, down: Option<&str>, body: &str) -> String {
    let down = down.map_or("None".to_owned(), |d| format!("'{d}'"));
    format!(
        "from alembic import op\nimport sqlalchemy as sa\nrevision = '{id}'\ndown_revision = {down}\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
    )
}

fn history(bodies: &[&str]) -> Replay {
    let sources: Vec<String> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let down = (i > 0).then(|| format!("r{}", i - 1));
            rev(&format!("r{i}"), down.as_deref(), b)
        })
        .collect();
    let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    replay_sources(&refs)
}

fn flat(code: &Code) -> String {
    crate::replay::code::flat(code)
}

fn column_names(replay: &Replay, table: &str) -> Vec<String> {
    let t = replay.schema.table(None, table).expect("table exists");
    replay.schema.tables[t]
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

fn blockers(replay: &Replay) -> Vec<String> {
    replay.blockers().map(|f| f.message.clone()).collect()
}

const USERS: &str = "    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String(100), nullable=False))";

#[test]
fn add_then_drop_column_cancels() {
    let r = history(&[
        USERS,
        "    op.add_column('users', sa.Column('phone', sa.String(20)))",
        "    op.drop_column('users', 'phone')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(column_names(&r, "users"), ["id", "email"]);
    assert_eq!(r.operations, 3);
}

#[test]
fn alter_chains_collapse_to_the_final_column() {
    let r = history(&[
        USERS,
        "    op.alter_column('users', 'email', type_=sa.Text(), existing_type=sa.String(100))",
        "    op.alter_column('users', 'email', nullable=True, server_default='x@example.com', comment='mail')",
        "    op.alter_column('users', 'email', type_=sa.String(320), server_default=None)",
    ]);
    let t = &r.schema.tables[0];
    let email = &t.columns[1];
    assert_eq!(flat(email.type_.as_ref().unwrap()), "sa.String(320)");
    assert_eq!(email.kwarg("nullable").and_then(Code::as_bool), Some(true));
    assert!(email.kwarg("server_default").is_none());
    assert_eq!(email.kwarg("comment").and_then(Code::as_str), Some("mail"));
}

#[test]
fn renames_collapse_and_are_followed_by_constraints_and_indexes() {
    let r = history(&[
        USERS,
        "    op.create_index('ix_users_email', 'users', ['email'])\n    op.create_unique_constraint('uq_email', 'users', ['email'])",
        "    op.alter_column('users', 'email', new_column_name='login')",
        "    op.alter_column('users', 'login', new_column_name='username')\n    op.rename_table('users', 'accounts')",
        "    op.create_table('posts', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('author', sa.Integer(), sa.ForeignKey('accounts.id')))",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(column_names(&r, "accounts"), ["id", "username"]);
    let accounts = &r.schema.tables[0];
    let IndexForm::Op { columns, .. } = &accounts.indexes[0].form else {
        panic!()
    };
    assert_eq!(columns, &[Code::Str("username".into())]);
    assert!(accounts.constraints.iter().any(
        |c| matches!(&c.kind, ConstraintKind::Unique { columns } if columns == &["username"])
    ));
    // The primary key declared on `id` keeps the name PostgreSQL gave it.
    assert!(accounts.constraints.iter().any(|c| {
        matches!(&c.kind, ConstraintKind::PrimaryKey { columns } if columns == &["id"])
            && c.implicit_name.as_deref() == Some("users_pkey")
    }));
    // The serial sequence keeps the name it was created with.
    assert_eq!(
        accounts.columns[0].serial_sequence.as_deref(),
        Some("users_id_seq")
    );
    assert_eq!(r.per_table.get("accounts"), Some(&6));
}

#[test]
fn create_then_drop_cancels_tables_indexes_and_constraints() {
    let r = history(&[
        USERS,
        "    op.create_table('tmp', sa.Column('id', sa.Integer()))\n    op.create_index('ix_a', 'users', ['email'])\n    op.create_check_constraint('ck_a', 'users', 'id > 0')",
        "    op.drop_table('tmp')\n    op.drop_index('ix_a', table_name='users')\n    op.drop_constraint('ck_a', 'users', type_='check')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(r.schema.tables.len(), 1);
    assert!(r.schema.tables[0].indexes.is_empty());
    assert!(r.schema.tables[0].constraints.is_empty());
}

#[test]
fn dropping_a_column_drops_what_uses_it() {
    let r = history(&[
        USERS,
        "    op.create_index('ix_email', 'users', ['email'])\n    op.create_index('ix_lower', 'users', [sa.text('lower(email)')])",
        "    op.drop_column('users', 'email')",
    ]);
    assert!(r.schema.tables[0].indexes.is_empty());
}

#[test]
fn raw_sql_is_folded_into_the_model() {
    let r = history(&[
        USERS,
        "    op.execute('CREATE EXTENSION IF NOT EXISTS vector')\n    op.execute('ALTER TABLE users ADD COLUMN embedding vector(3) NOT NULL')",
        "    op.execute(\"CREATE INDEX ix_emb ON users USING hnsw (embedding vector_cosine_ops)\")\n    op.execute(\"COMMENT ON COLUMN users.email IS 'login'\")\n    op.execute(\"COMMENT ON TABLE users IS 'people'\")",
        "    op.execute('ALTER TABLE users ALTER COLUMN email DROP NOT NULL')\n    op.execute(\"ALTER TABLE users ALTER COLUMN email SET DEFAULT 'a'\")",
        "    op.execute('DROP INDEX CONCURRENTLY IF EXISTS ix_emb')\n    op.execute('ALTER TABLE users RENAME COLUMN email TO mail')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let users = &r.schema.tables[0];
    assert_eq!(column_names(&r, "users"), ["id", "mail", "embedding"]);
    assert_eq!(users.columns[2].sql_type.as_deref(), Some("vector(3)"));
    assert_eq!(
        users.columns[1].kwarg("comment").and_then(Code::as_str),
        Some("login")
    );
    assert_eq!(
        users.columns[1].kwarg("nullable").and_then(Code::as_bool),
        Some(true)
    );
    assert_eq!(
        flat(users.columns[1].kwarg("server_default").unwrap()),
        "sa.text(\"'a'\")"
    );
    assert_eq!(
        users.comment.as_ref().and_then(Code::as_str),
        Some("people")
    );
    assert!(users.indexes.is_empty());
    assert_eq!(r.schema.units().len(), 1, "{:?}", r.schema.units());
    assert!(r.schema.units()[0].before_tables);
}

#[test]
fn replaced_and_dropped_objects_supersede_earlier_ones() {
    let r = history(&[
        USERS,
        "    op.execute('CREATE VIEW v AS SELECT id FROM users')\n    op.execute('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql')",
        "    op.execute('CREATE OR REPLACE VIEW v AS SELECT id, email FROM users')",
        "    op.execute('DROP FUNCTION f()')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(r.schema.units().len(), 1);
    assert_eq!(r.schema.units()[0].object.as_deref(), Some("VIEW v"));
    assert!(flat(&r.schema.units()[0].code).contains("id, email"));
}

#[test]
fn a_dropped_table_takes_its_units_with_it() {
    let r = history(&[
        USERS,
        "    op.execute('CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f()')",
        "    op.drop_table('users')",
    ]);
    assert!(r.schema.units().is_empty());
}

#[test]
fn alembic_utils_entities_are_replaced_in_place() {
    let entity = |body: &str| {
        format!(
            "    op.{body}(PGFunction(schema='public', signature='touch()', definition='returns trigger as $$ begin return new; end $$ language plpgsql'))"
        )
    };
    let mut r0 = rev("r0", None, USERS);
    r0 = r0.replace(
        "import sqlalchemy as sa",
        "import sqlalchemy as sa\nfrom alembic_utils.pg_function import PGFunction",
    );
    let r1 = rev("r1", Some("r0"), &entity("create_entity")).replace(
        "import sqlalchemy as sa",
        "import sqlalchemy as sa\nfrom alembic_utils.pg_function import PGFunction",
    );
    let r2 = rev(
        "r2",
        Some("r1"),
        &entity("replace_entity").replace("begin", "begin -- v2 "),
    )
    .replace(
        "import sqlalchemy as sa",
        "import sqlalchemy as sa\nfrom alembic_utils.pg_function import PGFunction",
    );
    let r = replay_sources(&[&r0, &r1, &r2]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(r.schema.units().len(), 1);
    let code = flat(&r.schema.units()[0].code);
    assert!(code.starts_with("op.create_entity(PGFunction("), "{code}");
    assert!(code.contains("v2"));
    assert!(
        r.imports
            .iter()
            .any(|i| i.line() == "from alembic_utils.pg_function import PGFunction")
    );
}

#[test]
fn what_cannot_be_known_blocks() {
    let r = history(&[
        USERS,
        "    name = compute()\n    op.execute(f'DROP TABLE {name}')",
        "    if op.get_context().as_sql:\n        op.add_column('users', sa.Column('x', sa.Integer()))",
        "    op.drop_column('missing', 'x')",
        "    insp = sa.inspect(op.get_bind())\n    op.add_column('users', sa.Column('y', sa.Integer()))",
    ]);
    let messages = blockers(&r);
    assert!(
        messages[0].contains("built when the migration runs"),
        "{messages:?}"
    );
    assert!(messages[1].contains("inside a condition"), "{messages:?}");
    assert!(
        messages[2].contains("no revision creates table `missing`"),
        "{messages:?}"
    );
    assert!(messages[3].contains("connection"), "{messages:?}");
    assert_eq!(messages.len(), 4);
}

/// A test of the dialect's name is decided in extraction (PostgreSQL
/// here): the arm taken is replayed, the others are not read.
#[test]
fn the_arm_a_dialect_test_takes_is_replayed() {
    let r = history(&[
        USERS,
        "    bind = op.get_bind()\n    if bind.engine.name == 'sqlite':\n        with op.batch_alter_table('users') as batch:\n            batch.drop_column('email')\n    elif op.get_context().dialect.name in ('postgresql', 'mysql'):\n        op.alter_column('users', 'email', new_column_name='login')\n    else:\n        op.drop_table('users')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(column_names(&r, "users"), ["id", "login"]);
}

#[test]
fn data_migrations_are_listed_and_seed_rows_kept() {
    let r = history(&[
        USERS,
        "    op.execute(\"UPDATE users SET email = lower(email)\")\n    op.execute(\"INSERT INTO users (id, email) VALUES (1, 'a')\")\n    op.bulk_insert(sa.table('users', sa.column('email')), [{'email': 'b'}])",
        "    conn = op.get_bind()\n    conn.execute(sa.text('DELETE FROM users WHERE id > 10'))",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let data: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::DataMigration)
        .collect();
    assert_eq!(data.len(), 2);
    assert_eq!(r.schema.units().len(), 2);
    assert!(r.schema.units().iter().all(|u| u.kind == UnitKind::Data));
}

#[test]
fn enum_types_created_on_the_connection_come_first() {
    let r = history(&[
        "    status = sa.Enum('a', 'b', name='status')\n    status.create(op.get_bind())\n    op.create_table('t', sa.Column('s', sa.Enum('a', 'b', name='status', create_type=False)))",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(r.schema.units().len(), 1);
    assert!(r.schema.units()[0].before_tables);
    assert_eq!(
        flat(&r.schema.units()[0].code),
        "sa.Enum(\"a\", \"b\", name=\"status\").create(op.get_bind(), checkfirst=False)"
    );
}

#[test]
fn column_unique_index_and_foreign_key_become_table_objects() {
    let r = history(&[
        USERS,
        "    op.create_table('posts', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('slug', sa.String(10), unique=True), sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), index=True))",
        "    op.drop_constraint('posts_slug_key', 'posts', type_='unique')\n    op.drop_constraint('posts_user_id_fkey', 'posts', type_='foreignkey')\n    op.drop_index('ix_posts_user_id', table_name='posts')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let posts = &r.schema.tables[1];
    assert!(posts.constraints.is_empty());
    assert!(posts.indexes.is_empty());
}

#[test]
fn a_replaced_function_keeps_its_place_before_its_trigger() {
    let r = history(&[
        USERS,
        "    op.execute('CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql')\n    op.execute('CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()')",
        "    op.execute('CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.id = NEW.id; RETURN NEW; END $$ LANGUAGE plpgsql')",
    ]);
    let objects: Vec<_> = r
        .schema
        .units()
        .iter()
        .map(|u| u.object.clone().unwrap())
        .collect();
    assert_eq!(objects, ["FUNCTION touch", "TRIGGER t ON users"]);
    assert!(flat(&r.schema.units()[0].code).contains("NEW.id = NEW.id"));
    assert_eq!(
        object_name("PGFunction public.set_updated_at()"),
        Some("set_updated_at")
    );
    assert_eq!(object_name("TRIGGER t ON users"), Some("t"));
}

#[test]
fn an_enum_type_outlives_its_column() {
    let r = history(&[
        "    op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('status', sa.Enum('pending', 'paid', name='orders_status')))",
        "    with op.get_context().autocommit_block():\n        op.execute(\"ALTER TYPE orders_status ADD VALUE IF NOT EXISTS 'refunded'\")",
        "    op.drop_column('orders', 'status')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let types: Vec<_> = r
        .schema
        .units()
        .iter()
        .filter(|u| u.before_tables)
        .collect();
    assert_eq!(types.len(), 1);
    assert_eq!(
        flat(&types[0].code),
        "sa.Enum(\"pending\", \"paid\", name=\"orders_status\").create(op.get_bind(), checkfirst=False)"
    );
}

#[test]
fn seed_rows_that_would_get_other_values_block() {
    let r = history(&[
        "    op.create_table('plans', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.String(20), nullable=False))\n    op.bulk_insert(sa.table('plans', sa.column('id'), sa.column('name')), [{'id': 1, 'name': 'a'}, {'id': 2, 'name': 'b'}])",
        "    op.add_column('plans', sa.Column('currency', sa.String(3), nullable=True))\n    op.add_column('plans', sa.Column('active', sa.Boolean(), server_default=sa.true()))",
        "    op.alter_column('plans', 'currency', server_default='USD')",
    ]);
    // The rows say what the history gave them.
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let rows = flat(&r.schema.units()[0].code);
    assert!(rows.contains("sa.column(\"currency\")"), "{rows}");
    assert!(rows.contains("\"currency\": None"), "{rows}");
    // A literal default that changed later is written into the rows too.
    let r = history(&[
        "    op.create_table('plans', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('tier', sa.Text(), server_default='free'))\n    op.bulk_insert(sa.table('plans', sa.column('id')), [{'id': 1}])",
        "    op.alter_column('plans', 'tier', server_default='pro')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert!(flat(&r.schema.units()[0].code).contains("\"tier\": \"free\""));
    // An expression is evaluated per row, as the default was.
    let r = history(&[
        "    op.create_table('plans', sa.Column('id', sa.Integer(), primary_key=True))\n    op.bulk_insert(sa.table('plans', sa.column('id')), [{'id': 1}])",
        "    op.add_column('plans', sa.Column('at', sa.DateTime(), server_default=sa.text('now()')))",
        "    op.alter_column('plans', 'at', server_default=None)",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let rows = flat(&r.schema.units()[0].code);
    assert!(rows.contains("\"at\": sa.text(\"now()\")"), "{rows}");
    assert!(rows.ends_with("multiinsert=False)"), "{rows}");
}

#[test]
fn a_column_named_like_a_table_is_not_a_mention_of_it() {
    let r = history(&[
        "    op.create_table('settings', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('state', sa.Text()))\n    op.create_table('sessions', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('state', sa.Text()), sa.Column('settings', sa.Text()))\n    op.execute('CREATE VIEW sessions_summary AS SELECT id, state, settings FROM sessions')",
        "    op.drop_column('settings', 'state')",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(r.schema.units()[0].depends, ["sessions"]);
}

#[test]
fn a_dropped_table_is_told_from_one_never_created() {
    let r = history(&[
        USERS,
        "    op.drop_table('users')",
        "    op.add_column('users', sa.Column('x', sa.Integer()))",
    ]);
    let messages = blockers(&r);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("`users` does not exist at this point"),
        "{messages:?}"
    );
}

#[test]
fn names_that_double_an_expression_at_every_level_are_refused_not_expanded() {
    // Ten times wider at every level: 10^10 nodes within the depth limit.
    let mut body = String::from("    x0 = sa.Column('a', sa.Integer())\n");
    for i in 1..=10 {
        let previous = vec![format!("x{}", i - 1); 10].join(", ");
        body.push_str(&format!("    x{i} = [{previous}]\n"));
    }
    body.push_str("    op.bulk_insert(sa.table('t'), x10)\n");
    let replay = history(&[&body]);
    let blockers: Vec<_> = replay.blockers().map(|f| f.message.as_str()).collect();
    assert!(
        blockers.iter().any(|m| m.contains("too large")),
        "{blockers:?}"
    );
}

#[test]
fn a_column_named_by_keyword_is_replayed() {
    let r = history(&[
        "    op.create_table('users', sa.Column(sa.Integer(), name='id', primary_key=True))",
        "    op.add_column('users', sa.Column(name='phone', type_=sa.String(20)))",
    ]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    assert_eq!(column_names(&r, "users"), ["id", "phone"]);
    let phone = &r.schema.tables[0].columns[1];
    assert_eq!(flat(phone.type_.as_ref().unwrap()), "sa.String(20)");
    assert!(phone.kwarg("name").is_none());
}

#[test]
fn loops_over_literal_dicts_replay_once_per_key_and_drop_if_exists_tolerates_absence() {
    let module = "INDEXES = {'ix_t_a': ['a'], 'ix_t_ab': ['a', 'b']}\nGONE = {'ix_t_a': None, 'ix_never': None}\n";
    let body = |b: &str| format!("{module}{}", rev("r0", None, b));
    let first = body(
        "    op.create_table('t', sa.Column('a', sa.Integer()), sa.Column('b', sa.Integer()))\n    for name, columns in INDEXES.items():\n        op.create_index(name, 't', columns)",
    );
    let second = format!(
        "{module}{}",
        rev(
            "r1",
            Some("r0"),
            "    for name in GONE:\n        op.drop_index(name, table_name='t', if_exists=True)"
        )
    );
    let r = replay_sources(&[&first, &second]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let indexes: Vec<(String, String)> = r.schema.tables[0]
        .indexes
        .iter()
        .map(|i| match &i.form {
            IndexForm::Op { columns, .. } => (i.name.clone(), flat(&Code::List(columns.clone()))),
            IndexForm::Sql { text } => (i.name.clone(), text.clone()),
        })
        .collect();
    assert_eq!(
        indexes,
        [("ix_t_ab".to_owned(), r#"["a", "b"]"#.to_owned())]
    );

    // Without `if_exists`, dropping what is not there is still refused.
    let third = rev(
        "r1",
        Some("r0"),
        "    op.drop_index('ix_never', table_name='t')",
    );
    let r = replay_sources(&[&first, &third]);
    assert_eq!(
        blockers(&r),
        ["index `ix_never` does not exist at this point of the history"]
    );
}

#[test]
fn a_column_check_keeps_its_name_through_a_table_rename_and_refuses_a_column_rename() {
    let create = "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('a', sa.Integer(), sa.CheckConstraint('a > 0')), sa.CheckConstraint('a < 10'), sa.CheckConstraint('id < a'))";
    let r = history(&[create, "    op.rename_table('t', 't2')"]);
    assert!(blockers(&r).is_empty(), "{:?}", blockers(&r));
    let mut names: Vec<&str> = r.schema.tables[0]
        .constraints
        .iter()
        .filter_map(|c| c.implicit_name.as_deref())
        .collect();
    names.sort();
    assert_eq!(names, ["t_a_check", "t_a_check1", "t_check", "t_pkey"]);

    let r = history(&[create, "    op.alter_column('t', 'a', new_column_name='c')"]);
    assert!(
        blockers(&r)
            .iter()
            .any(|b| b.contains("mentions `t.a`, which a later revision renames to `c`")),
        "{:?}",
        blockers(&r)
    );
}

#[test]
fn long_final_names_are_shortened_as_sqlalchemy_does() {
    // Checked against SQLAlchemy 2.1 and PostgreSQL (fixture
    // string_ids_and_long_names).
    assert_eq!(
        shortened("ix_device_consent_preferences_fides_user_device_provided_identity_id"),
        "ix_device_consent_preferences_fides_user_device_provide_78df"
    );
    assert_eq!(db_name(("ix_short", true)), ("ix_short".to_owned(), true));
}
