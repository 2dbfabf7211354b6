//! Classification of raw SQL given to `op.execute`.
//!
//! sqlparser's PostgreSQL dialect does not know every statement PostgreSQL
//! accepts (`DROP INDEX CONCURRENTLY`, some `CREATE FUNCTION` forms, …). A
//! parse failure is never fatal: the SQL is kept verbatim, marked
//! `parsed: false`, and its kind is read from its leading keywords.

use serde::{Deserialize, Serialize};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlStatement {
    /// e.g. `CREATE INDEX`, `ALTER TABLE`, `UPDATE`.
    pub kind: String,
    /// Tables (or other objects) the statement names, unqualified.
    pub objects: Vec<String>,
}

impl SqlStatement {
    /// Statements that change rows rather than schema.
    pub fn is_dml(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "COPY" | "TRUNCATE" | "CALL"
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SqlInfo {
    /// The SQL text when it is a literal; `None` when built at run time.
    pub text: Option<String>,
    /// Built at run time (f-string, `%`, `.format`, a variable, …).
    pub dynamic: bool,
    /// Whether sqlparser understood the text.
    pub parsed: bool,
    pub parse_error: Option<String>,
    pub statements: Vec<SqlStatement>,
}

impl SqlInfo {
    pub fn dynamic() -> Self {
        Self {
            text: None,
            dynamic: true,
            parsed: false,
            parse_error: None,
            statements: Vec::new(),
        }
    }

    pub fn classify(text: &str) -> Self {
        match Parser::parse_sql(&PostgreSqlDialect {}, text) {
            Ok(statements) => Self {
                text: Some(text.to_owned()),
                dynamic: false,
                parsed: true,
                parse_error: None,
                statements: statements.iter().map(describe).collect(),
            },
            Err(err) => Self {
                text: Some(text.to_owned()),
                dynamic: false,
                parsed: false,
                parse_error: Some(err.to_string()),
                statements: vec![SqlStatement {
                    kind: kind_from_keywords(text),
                    objects: Vec::new(),
                }],
            },
        }
    }

    pub fn is_dml(&self) -> bool {
        self.statements.iter().any(SqlStatement::is_dml)
    }
}

fn describe(statement: &Statement) -> SqlStatement {
    let objects = match statement {
        Statement::CreateTable(create) => vec![unqualified(&create.name.to_string())],
        Statement::AlterTable { name, .. } => vec![unqualified(&name.to_string())],
        Statement::CreateIndex(index) => vec![unqualified(&index.table_name.to_string())],
        Statement::Drop { names, .. } => {
            names.iter().map(|n| unqualified(&n.to_string())).collect()
        }
        _ => Vec::new(),
    };
    SqlStatement {
        kind: kind_from_keywords(&statement.to_string()),
        objects,
    }
}

fn unqualified(name: &str) -> String {
    name.rsplit('.')
        .next()
        .unwrap_or(name)
        .trim_matches('"')
        .to_owned()
}

/// Words that qualify a CREATE/ALTER/DROP without naming the object kind.
const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "UNIQUE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "GLOBAL",
    "LOCAL",
    "IF",
    "NOT",
    "EXISTS",
    "CONCURRENTLY",
    "RECURSIVE",
    "TRUSTED",
    "PROCEDURAL",
    "DEFAULT",
];

/// `CREATE UNIQUE INDEX CONCURRENTLY …` → `CREATE INDEX`.
pub fn kind_from_keywords(text: &str) -> String {
    let stripped = strip_comments(text);
    let mut words = stripped
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    let Some(verb) = words.next() else {
        return "EMPTY".to_owned();
    };
    match verb.as_str() {
        "CREATE" | "ALTER" | "DROP" | "COMMENT" => {
            let mut object = words.find(|w| !MODIFIERS.contains(&w.as_str()));
            if verb == "COMMENT" {
                // COMMENT ON TABLE x → COMMENT ON TABLE
                object = object.filter(|w| w == "ON").and_then(|_| words.next());
                return match object {
                    Some(o) => format!("COMMENT ON {o}"),
                    None => "COMMENT".to_owned(),
                };
            }
            match object.as_deref() {
                Some("MATERIALIZED") => format!("{verb} MATERIALIZED VIEW"),
                Some(o) if o.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => {
                    format!("{verb} {o}")
                }
                _ => verb,
            }
        }
        _ => verb
            .trim_matches(|c: char| !c.is_ascii_alphabetic())
            .to_owned(),
    }
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_parsed_statements() {
        let info = SqlInfo::classify("CREATE EXTENSION IF NOT EXISTS vector");
        assert!(info.parsed, "{info:?}");
        assert_eq!(info.statements[0].kind, "CREATE EXTENSION");

        let info =
            SqlInfo::classify("UPDATE users SET active = true; ALTER TABLE users ADD COLUMN x int");
        let kinds: Vec<_> = info.statements.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, ["UPDATE", "ALTER TABLE"]);
        assert_eq!(info.statements[1].objects, ["users"]);
        assert!(info.is_dml());
    }

    #[test]
    fn keeps_unparsable_sql_verbatim() {
        let sql = "DROP INDEX CONCURRENTLY IF EXISTS ix_old";
        let info = SqlInfo::classify(sql);
        assert_eq!(info.text.as_deref(), Some(sql));
        assert_eq!(info.statements[0].kind, "DROP INDEX");
        if !info.parsed {
            assert!(info.parse_error.is_some());
        }
    }

    #[test]
    fn keyword_kinds() {
        assert_eq!(
            kind_from_keywords("create unique index ix on t (a)"),
            "CREATE INDEX"
        );
        assert_eq!(
            kind_from_keywords("-- note\nCREATE OR REPLACE FUNCTION f() RETURNS trigger"),
            "CREATE FUNCTION"
        );
        assert_eq!(
            kind_from_keywords("COMMENT ON COLUMN t.a IS 'x'"),
            "COMMENT ON COLUMN"
        );
        assert_eq!(kind_from_keywords("  "), "EMPTY");
        assert_eq!(kind_from_keywords("DO $$ BEGIN END $$"), "DO");
    }
}
