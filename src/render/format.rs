//! Lays out `Code` as `ruff format` (and black) would: a call that fits
//! on its line stays on it; else its arguments move to one indented line;
//! else one argument per line with a trailing comma. A baseline is then
//! stable under `ruff format --check` (tested in the CLI tests).

use crate::replay::code::{Code, is_multiline};
pub use crate::replay::code::{flat, string_literal};

/// ruff's and black's default line length.
pub const LINE_LENGTH: usize = 88;
const INDENT: usize = 4;

/// A statement `code` at `indent` spaces, without the leading indentation
/// and the final newline.
pub fn statement(code: &Code, indent: usize) -> String {
    layout(code, flat(code), indent, 0, 0)
}

/// `prefix` columns are already taken on the first line (`name=`), and
/// `suffix` columns follow the last line (`,`).
/// `one_line` is `flat(code)`, which the caller has at hand.
fn layout(code: &Code, one_line: String, indent: usize, prefix: usize, suffix: usize) -> String {
    if fits(&one_line, indent + prefix + suffix) || hugs_multiline_string(code) {
        return one_line;
    }
    // `receiver(...).method(args)` whose head does not fit: ruff splits the
    // receiver's brackets and keeps `.method(args)` after them.
    if let Code::Call { func, .. } = code
        && let Code::Attr { value, .. } = func.as_ref()
        && matches!(value.as_ref(), Code::Call { .. })
        && !fits(&flat(func), indent + prefix + 1)
    {
        let value_line = flat(value);
        let tail = one_line[value_line.len()..].to_owned();
        let head = layout(
            value,
            value_line,
            indent,
            prefix,
            suffix + tail.chars().count(),
        );
        return format!("{head}{tail}");
    }
    let (open, close, elements) = match code {
        Code::Call { func, args, kwargs } if !(args.is_empty() && kwargs.is_empty()) => {
            let elements: Vec<(String, &Code)> = args
                .iter()
                .map(|a| (String::new(), a))
                .chain(kwargs.iter().map(|(k, v)| (format!("{k}="), v)))
                .collect();
            (format!("{}(", flat(func)), ")", elements)
        }
        Code::List(items) if !items.is_empty() => (
            "[".to_owned(),
            "]",
            items.iter().map(|i| (String::new(), i)).collect(),
        ),
        Code::Tuple(items) if !items.is_empty() => (
            "(".to_owned(),
            ")",
            items.iter().map(|i| (String::new(), i)).collect(),
        ),
        Code::Dict(pairs) if !pairs.is_empty() => (
            "{".to_owned(),
            "}",
            pairs
                .iter()
                .map(|(k, v)| (format!("{}: ", flat(k)), v))
                .collect(),
        ),
        _ => return one_line,
    };
    let inner = indent + INDENT;
    let pad = " ".repeat(inner);
    let end_pad = " ".repeat(indent);
    let single_tuple = matches!(code, Code::Tuple(items) if items.len() == 1);
    let lines: Vec<String> = elements.iter().map(|(_, v)| flat(v)).collect();
    // All arguments on one indented line.
    let mut joined = String::new();
    for ((p, _), line) in elements.iter().zip(&lines) {
        if !joined.is_empty() {
            joined.push_str(", ");
        }
        joined.push_str(p);
        joined.push_str(line);
    }
    if !single_tuple && fits(&joined, inner) {
        return format!("{open}\n{pad}{joined}\n{end_pad}{close}");
    }
    // A sole argument is split in its turn, without a trailing comma.
    if let [(p, v)] = elements.as_slice()
        && !single_tuple
    {
        let body = layout(v, lines.concat(), inner, p.chars().count(), 0);
        return format!("{open}\n{pad}{p}{body}\n{end_pad}{close}");
    }
    let mut out = format!("{open}\n");
    for ((p, v), line) in elements.iter().zip(lines) {
        let body = layout(v, line, inner, p.chars().count(), 1);
        out.push_str(&pad);
        out.push_str(p);
        out.push_str(&body);
        out.push_str(",\n");
    }
    out.push_str(&end_pad);
    out.push_str(close);
    out
}

fn fits(line: &str, taken: usize) -> bool {
    !line.contains('\n') && taken + line.chars().count() <= LINE_LENGTH
}

/// `f("""...""")`: ruff keeps a sole multi-line string argument hugged.
fn hugs_multiline_string(code: &Code) -> bool {
    matches!(code, Code::Call { args, kwargs, .. }
        if kwargs.is_empty() && matches!(args.as_slice(), [Code::Str(s)] if is_multiline(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str, kw: Vec<(&str, Code)>) -> Code {
        Code::call(
            "sa.Column",
            vec![Code::Str(name.into()), Code::call(ty, vec![], vec![])],
            kw.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        )
    }

    #[test]
    fn lays_out_like_ruff() {
        let table = Code::call(
            "op.create_table",
            vec![
                Code::Str("users".into()),
                col(
                    "id",
                    "sa.BigInteger",
                    vec![
                        ("autoincrement", Code::atom("True")),
                        ("nullable", Code::atom("False")),
                    ],
                ),
                col(
                    "created_at",
                    "sa.DateTime",
                    vec![
                        (
                            "server_default",
                            Code::call("sa.text", vec![Code::Str("now()".into())], vec![]),
                        ),
                        ("nullable", Code::atom("False")),
                        ("comment", Code::Str("When the row was created".into())),
                    ],
                ),
            ],
            vec![],
        );
        assert_eq!(
            statement(&table, 4),
            r#"op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("now()"),
            nullable=False,
            comment="When the row was created",
        ),
    )"#
        );
        let index = Code::call(
            "op.create_index",
            vec![
                Code::Str("ix_a".into()),
                Code::Str("dialog_messages".into()),
                Code::str_list(["dialog_id", "created_at"]),
            ],
            vec![("unique".into(), Code::atom("False"))],
        );
        // One column too long for a line at this indentation.
        assert_eq!(
            statement(&index, 4),
            "op.create_index(\n        \"ix_a\", \"dialog_messages\", [\"dialog_id\", \"created_at\"], unique=False\n    )"
        );
        assert_eq!(
            statement(&index, 8),
            "op.create_index(\n            \"ix_a\", \"dialog_messages\", [\"dialog_id\", \"created_at\"], unique=False\n        )"
        );
    }

    #[test]
    fn long_sole_argument_and_multiline_strings() {
        let long = "x".repeat(90);
        let code = Code::call(
            "op.execute",
            vec![Code::call(
                "sa.text",
                vec![Code::Str(long.as_str().into())],
                vec![],
            )],
            vec![],
        );
        assert_eq!(
            statement(&code, 4),
            format!("op.execute(\n        sa.text(\n            \"{long}\"\n        )\n    )")
        );
        let sql = Code::call(
            "op.execute",
            vec![Code::Str("\n    CREATE VIEW v AS SELECT 1\n".into())],
            vec![],
        );
        assert_eq!(
            statement(&sql, 4),
            "op.execute(\"\"\"\n    CREATE VIEW v AS SELECT 1\n\"\"\")"
        );
    }

    #[test]
    fn a_method_on_a_long_call_splits_the_call() {
        let values = ["draft", "submitted", "under_review", "awarded", "rejected"];
        let receiver = Code::call(
            "postgresql.ENUM",
            values.iter().map(|v| Code::Str((*v).into())).collect(),
            vec![("name".into(), Code::Str("application_status".into()))],
        );
        let code = Code::Call {
            func: Box::new(Code::Attr {
                value: Box::new(receiver),
                attr: "create".into(),
            }),
            args: vec![Code::call("op.get_bind", vec![], vec![])],
            kwargs: vec![("checkfirst".into(), Code::atom("False"))],
        };
        assert_eq!(
            statement(&code, 4),
            "postgresql.ENUM(\n        \"draft\",\n        \"submitted\",\n        \"under_review\",\n        \"awarded\",\n        \"rejected\",\n        name=\"application_status\",\n    ).create(op.get_bind(), checkfirst=False)"
        );
    }

    #[test]
    fn string_literals() {
        assert_eq!(string_literal("a"), "\"a\"");
        assert_eq!(string_literal("role IN ('a')"), "\"role IN ('a')\"");
        assert_eq!(string_literal("say \"hi\""), "'say \"hi\"'");
        assert_eq!(string_literal("a\\b"), "\"a\\\\b\"");
        assert_eq!(string_literal("tab\there"), "\"tab\\there\"");
        assert_eq!(Code::Tuple(vec![Code::Str("a".into())]), {
            let t = Code::Tuple(vec![Code::Str("a".into())]);
            assert_eq!(flat(&t), "(\"a\",)");
            t
        });
    }
}
