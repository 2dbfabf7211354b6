//! The naming convention SQLAlchemy applies to the constraints and indexes
//! a history creates.
//!
//! Alembic builds every operation's table on a `MetaData` that copies the
//! `naming_convention` of env.py's `target_metadata`
//! (`SchemaObjects.metadata`). So with a convention such as
//! `{"uq": "uq_%(table_name)s_%(column_0_name)s"}`, `sa.Column("email",
//! unique=True)` makes `uq_users_email`, not PostgreSQL's `users_email_key`,
//! and `op.drop_constraint("positive", "t", type_="check")` under
//! `{"ck": "ck_%(table_name)s_%(constraint_name)s"}` drops `ck_t_positive`.
//! A baseline must give every such object the name the history gave it.
//!
//! [`env`] reads the convention from env.py (and the modules it imports)
//! without running anything; this module is its model and SQLAlchemy's
//! `ConventionDict` (`sqlalchemy/sql/naming.py`): which template applies to
//! which object, and how its tokens expand.

pub mod env;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// The convention of env.py's `target_metadata`, as far as it can be
/// known statically.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NamingConvention {
    /// SQLAlchemy's default, `{"ix": "ix_%(column_0_label)s"}`: no
    /// `target_metadata`, a `MetaData()` without a convention, a list of
    /// metadata (which Alembic does not take a convention from).
    #[default]
    Default,
    /// Read from the source: `"ix"`, `"uq"`, `"ck"`, `"fk"`, `"pk"` →
    /// template. Keys left out have no template (a convention replaces the
    /// default entirely).
    Known {
        templates: BTreeMap<String, String>,
        /// Where the convention is written.
        at: SourcePoint,
    },
    /// A convention may be set, but reading it would mean running code.
    Unknown { at: SourcePoint, why: String },
}

/// A place in a Python file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourcePoint {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for SourcePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            crate::fsio::display_path(&self.path),
            self.line,
            self.column
        )
    }
}

/// What SQLAlchemy names: the convention key of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Index,
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Index => "ix",
            Kind::PrimaryKey => "pk",
            Kind::Unique => "uq",
            Kind::Check => "ck",
            Kind::ForeignKey => "fk",
        }
    }
}

/// What a template can name: the object as the operation builds it.
#[derive(Debug, Clone, Default)]
pub struct Parts<'a> {
    pub table: &'a str,
    pub schema: Option<&'a str>,
    /// The constrained columns (a foreign key's local ones); empty for a
    /// check constraint built from SQL text.
    pub columns: &'a [String],
    /// A foreign key's referred table (without its schema) and columns.
    pub referred_table: Option<&'a str>,
    pub referred_columns: &'a [String],
    /// The name the operation gives, when it is not final (`op.f`).
    pub name: Option<&'a str>,
}

/// How SQLAlchemy names an object under a convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// The template gives this name (final: the database gets it as it
    /// is, shortened by SQLAlchemy when too long).
    Named(String),
    /// No template applies: the operation's own name, or none (then
    /// PostgreSQL chooses it).
    Unchanged,
    /// SQLAlchemy refuses (a `%(constraint_name)s` template on an unnamed
    /// object) or the template uses what migsquash cannot expand.
    Fails(String),
}

impl NamingConvention {
    fn template(&self, kind: Kind) -> Option<&str> {
        match self {
            NamingConvention::Default => (kind == Kind::Index).then_some(DEFAULT_INDEX),
            NamingConvention::Known { templates, .. } => {
                templates.get(kind.key()).map(String::as_str)
            }
            NamingConvention::Unknown { .. } => None,
        }
    }

    /// Whether the convention is SQLAlchemy's default.
    pub fn is_default(&self) -> bool {
        match self {
            NamingConvention::Default => true,
            NamingConvention::Known { templates, .. } => {
                templates.len() == 1
                    && templates.get("ix").map(String::as_str) == Some(DEFAULT_INDEX)
            }
            NamingConvention::Unknown { .. } => false,
        }
    }

    /// The name SQLAlchemy gives a `kind` object: a template applies when
    /// the object has no name, or when the template names the object's
    /// own (`%(constraint_name)s`) and that name is not final.
    /// (`_constraint_name_for_table`.) Not for `Unknown`.
    pub fn name(&self, kind: Kind, parts: &Parts) -> Naming {
        let Some(template) = self.template(kind) else {
            return Naming::Unchanged;
        };
        if parts.name.is_some() && !template.contains("constraint_name") {
            return Naming::Unchanged;
        }
        match expand(template, kind, parts) {
            Ok(name) => Naming::Named(name),
            Err(why) => Naming::Fails(why),
        }
    }

    /// A stable digest of what the convention decides, for cache keys.
    pub fn fingerprint(&self) -> u64 {
        let mut text = Vec::new();
        match self {
            NamingConvention::Default => text.push(0),
            NamingConvention::Known { templates, .. } => {
                text.push(1);
                for (key, template) in templates {
                    text.extend_from_slice(key.as_bytes());
                    text.push(0);
                    text.extend_from_slice(template.as_bytes());
                    text.push(0);
                }
            }
            NamingConvention::Unknown { at, why } => {
                text.push(2);
                text.extend_from_slice(at.to_string().as_bytes());
                text.push(0);
                text.extend_from_slice(why.as_bytes());
            }
        }
        xxhash_rust::xxh3::xxh3_64(&text)
    }
}

/// `MetaData`'s `DEFAULT_NAMING_CONVENTION`.
pub const DEFAULT_INDEX: &str = "ix_%(column_0_label)s";

/// `template % ConventionDict(...)`: `%(token)s` expanded, `%%` kept as
/// `%`.
fn expand(template: &str, kind: Kind, parts: &Parts) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let Some(inner) = rest.strip_prefix('(') else {
            return Err(format!(
                "template `{template}` has a `%` that is not `%(token)s`"
            ));
        };
        let Some(close) = inner.find(')') else {
            return Err(format!("template `{template}` has an unclosed `%(`"));
        };
        let token = &inner[..close];
        let Some(after) = inner[close + 1..].strip_prefix('s') else {
            return Err(format!(
                "template `{template}` formats `{token}` other than with `s`"
            ));
        };
        out.push_str(&token_value(token, kind, parts)?);
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

/// `ConventionDict.__getitem__`.
fn token_value(token: &str, kind: Kind, parts: &Parts) -> Result<String, String> {
    let is_fk = kind == Kind::ForeignKey;
    match token {
        "table_name" => return Ok(parts.table.to_owned()),
        "constraint_name" => {
            return parts.name.map(str::to_owned).ok_or_else(|| {
                "the naming convention's `%(constraint_name)s` token requires that the constraint is explicitly named".to_owned()
            });
        }
        "referred_table_name" if is_fk => {
            return parts
                .referred_table
                .map(str::to_owned)
                .ok_or_else(|| "a foreign key without a referred table".to_owned());
        }
        _ => {}
    }
    let unknown =
        || format!("the naming convention's token `%({token})s` is not one SQLAlchemy knows");
    // `.*_?column_(\d+)(_?N)?_.+`, matched as Python's `re.match` does:
    // the greedy `.*` takes the last `column_<digits>` followed by `_`.
    let (prefix, index, multiples, attr) = split_column_token(token).ok_or_else(unknown)?;
    let referred = match prefix {
        "" => false,
        "referred_" if is_fk => true,
        _ => return Err(unknown()),
    };
    let value_of = |i: usize| -> Result<String, String> {
        if referred {
            if attr != "name" {
                return Err(unknown());
            }
            return parts
                .referred_columns
                .get(i)
                .cloned()
                .ok_or_else(|| format!("a foreign key without a referred column {i}"));
        }
        let Some(column) = parts.columns.get(i) else {
            return Ok(String::new());
        };
        match attr {
            "name" | "key" => Ok(column.clone()),
            "label" => Ok(match parts.schema {
                Some(schema) => format!("{}_{}_{column}", schema.replace('.', "_"), parts.table),
                None => format!("{}_{column}", parts.table),
            }),
            _ => Err(unknown()),
        }
    };
    match multiples {
        None => value_of(index),
        Some(separator) => {
            let count = if referred {
                parts.referred_columns.len()
            } else {
                parts.columns.len()
            };
            let values = (0..count).map(value_of).collect::<Result<Vec<_>, _>>()?;
            Ok(values.join(separator))
        }
    }
}

/// `column_0_name` → `("", 0, None, "name")`; `referred_column_0N_name` →
/// `("referred_", 0, Some(""), "name")`; `column_0_N_label` → `("", 0,
/// Some("_"), "label")`.
fn split_column_token(token: &str) -> Option<(&str, usize, Option<&'static str>, &str)> {
    let at = token.rfind("column_")?;
    let prefix = &token[..at];
    let rest = &token[at + "column_".len()..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let index: usize = rest[..digits].parse().ok()?;
    let rest = &rest[digits..];
    let (multiples, rest) = if let Some(r) = rest.strip_prefix("_N_") {
        (Some("_"), r)
    } else if let Some(r) = rest.strip_prefix("N_") {
        (Some(""), r)
    } else {
        (None, rest.strip_prefix('_')?)
    };
    if rest.is_empty() || (multiples.is_some() && index != 0) {
        return None;
    }
    Some((prefix, index, multiples, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convention(pairs: &[(&str, &str)]) -> NamingConvention {
        NamingConvention::Known {
            templates: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            at: SourcePoint {
                path: PathBuf::from("env.py"),
                line: 1,
                column: 1,
            },
        }
    }

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_documented_convention() {
        let c = convention(&[
            ("ix", "ix_%(column_0_label)s"),
            ("uq", "uq_%(table_name)s_%(column_0_name)s"),
            ("ck", "ck_%(table_name)s_%(constraint_name)s"),
            (
                "fk",
                "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            ),
            ("pk", "pk_%(table_name)s"),
        ]);
        let columns = cols(&["user_id", "org_id"]);
        let parts = Parts {
            table: "orders",
            columns: &columns,
            referred_table: Some("users"),
            referred_columns: &cols(&["id", "org"]),
            ..Parts::default()
        };
        let named = |kind, parts: &Parts| c.name(kind, parts);
        assert_eq!(
            named(Kind::ForeignKey, &parts),
            Naming::Named("fk_orders_user_id_users".into())
        );
        assert_eq!(
            named(Kind::PrimaryKey, &parts),
            Naming::Named("pk_orders".into())
        );
        assert_eq!(
            named(Kind::Unique, &parts),
            Naming::Named("uq_orders_user_id".into())
        );
        assert_eq!(
            named(Kind::Index, &parts),
            Naming::Named("ix_orders_user_id".into())
        );
        // A named unique constraint keeps its name; a named check gets the
        // template, an unnamed one cannot be named.
        let named_parts = Parts {
            name: Some("positive"),
            ..parts.clone()
        };
        assert_eq!(named(Kind::Unique, &named_parts), Naming::Unchanged);
        assert_eq!(
            named(Kind::Check, &named_parts),
            Naming::Named("ck_orders_positive".into())
        );
        assert!(matches!(named(Kind::Check, &parts), Naming::Fails(_)));
    }

    #[test]
    fn tokens_over_every_column_and_labels_with_a_schema() {
        let c = convention(&[
            ("uq", "uq_%(table_name)s_%(column_0_N_name)s"),
            ("ix", "ix_%(column_0_label)s_%%"),
            ("fk", "fk_%(column_0N_name)s_%(referred_column_0N_name)s"),
        ]);
        let columns = cols(&["a", "b", "c"]);
        let parts = Parts {
            table: "t",
            schema: Some("app.x"),
            columns: &columns,
            referred_table: Some("r"),
            referred_columns: &cols(&["x", "y", "z"]),
            name: None,
        };
        assert_eq!(
            c.name(Kind::Unique, &parts),
            Naming::Named("uq_t_a_b_c".into())
        );
        assert_eq!(
            c.name(Kind::Index, &parts),
            Naming::Named("ix_app_x_t_a_%".into())
        );
        assert_eq!(
            c.name(Kind::ForeignKey, &parts),
            Naming::Named("fk_abc_xyz".into())
        );
        // No template: unchanged (a custom convention drops the default ix).
        assert_eq!(c.name(Kind::PrimaryKey, &parts), Naming::Unchanged);
        assert_eq!(
            NamingConvention::Default.name(Kind::Index, &parts),
            Naming::Named("ix_app_x_t_a".into())
        );
    }

    #[test]
    fn tokens_it_cannot_expand_fail() {
        let c = convention(&[
            ("uq", "uq_%(all_column_names)s"),
            ("ck", "ck_%(table_name)r"),
        ]);
        let parts = Parts {
            table: "t",
            ..Parts::default()
        };
        assert!(matches!(c.name(Kind::Unique, &parts), Naming::Fails(_)));
        assert!(matches!(c.name(Kind::Check, &parts), Naming::Fails(_)));
        // A named object keeps its name unless the template names it.
        let named = Parts {
            name: Some("n"),
            ..parts
        };
        assert_eq!(c.name(Kind::Check, &named), Naming::Unchanged);
    }
}
