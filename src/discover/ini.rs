//! The subset of Python's `configparser` that Alembic configuration uses:
//! sections, `key = value` / `key: value`, indented continuation lines,
//! whole-line `#`/`;` comments, lower-cased keys, and basic `%(name)s`
//! interpolation against the section, `[DEFAULT]` and `here`.

use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Ini {
    sections: BTreeMap<String, BTreeMap<String, Value>>,
}

/// An option's raw value and the line its key is on, for errors found
/// when it is interpolated.
#[derive(Debug)]
struct Value {
    text: String,
    line: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IniError {
    pub line: usize,
    pub message: String,
}

impl Ini {
    pub fn parse(text: &str) -> Result<Self, IniError> {
        let mut ini = Ini::default();
        let mut section: Option<String> = None;
        let mut last_key: Option<String> = None;
        // Python reads the file with universal newlines: `\r` ends a line too.
        for (index, raw) in crate::ir::lines(text).enumerate() {
            let line_no = index + 1;
            let trimmed = raw.trim();
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.is_empty() {
                // Blank lines inside a value are kept by configparser but
                // stripped at the end; they never matter for paths.
                continue;
            }
            let indented = raw.starts_with(char::is_whitespace);
            if indented && let (Some(s), Some(k)) = (&section, &last_key) {
                let value = &mut ini
                    .sections
                    .get_mut(s)
                    .and_then(|sec| sec.get_mut(k))
                    .expect("continued key exists")
                    .text;
                if !value.is_empty() {
                    value.push('\n');
                }
                value.push_str(trimmed);
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                section = Some(name.to_owned());
                ini.sections.entry(name.to_owned()).or_default();
                last_key = None;
                continue;
            }
            let Some(current) = &section else {
                return Err(IniError {
                    line: line_no,
                    message: "option outside of any [section]".to_owned(),
                });
            };
            let Some(split) = trimmed.find(['=', ':']) else {
                return Err(IniError {
                    line: line_no,
                    message: format!("expected `key = value`, found `{trimmed}`"),
                });
            };
            let key = trimmed[..split].trim().to_lowercase();
            let value = Value {
                text: trimmed[split + 1..].trim().to_owned(),
                line: line_no,
            };
            ini.sections
                .get_mut(current)
                .expect("section exists")
                .insert(key.clone(), value);
            last_key = Some(key);
        }
        Ok(ini)
    }

    pub fn has_section(&self, section: &str) -> bool {
        self.sections.contains_key(section)
    }

    /// The raw value, before interpolation.
    fn raw(&self, section: &str, key: &str) -> Option<&Value> {
        self.sections
            .get(section)
            .and_then(|s| s.get(key))
            .or_else(|| self.sections.get("DEFAULT").and_then(|s| s.get(key)))
    }

    /// The value with `%(name)s` interpolated; `here` is the config's
    /// directory, as Alembic sets it. An error is located at the line of
    /// the value that holds the bad reference.
    pub fn get(&self, section: &str, key: &str, here: &str) -> Result<Option<String>, IniError> {
        let Some(raw) = self.raw(section, key) else {
            return Ok(None);
        };
        self.interpolate(section, raw, here, 0).map(Some)
    }

    fn interpolate(
        &self,
        section: &str,
        raw: &Value,
        here: &str,
        depth: usize,
    ) -> Result<String, IniError> {
        let error = |message: String| IniError {
            line: raw.line,
            message,
        };
        let text = raw.text.as_str();
        if depth > 10 {
            return Err(error(format!("interpolation too deep in `{text}`")));
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('%') {
            out.push_str(&rest[..pos]);
            rest = &rest[pos..];
            if let Some(after) = rest.strip_prefix("%%") {
                out.push('%');
                rest = after;
            } else if let Some(after) = rest.strip_prefix("%(") {
                let Some(end) = after.find(")s") else {
                    return Err(error(format!("bad interpolation syntax in `{text}`")));
                };
                let name = after[..end].to_lowercase();
                let value = if name == "here" {
                    here.to_owned()
                } else {
                    let nested = self.raw(section, &name).ok_or_else(|| {
                        error(format!("`%({name})s` refers to an option that is not set"))
                    })?;
                    self.interpolate(section, nested, here, depth + 1)?
                };
                out.push_str(&value);
                rest = &after[end + 2..];
            } else {
                return Err(error(format!(
                    "`%` must be followed by `%` or `(` in `{text}`"
                )));
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_alembic_ini() {
        let ini = Ini::parse(
            "# comment\n[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a\n    %(here)s/b\nPath_Separator: newline\n\n[loggers]\nkeys = root\n",
        )
        .unwrap();
        assert_eq!(
            ini.get("alembic", "script_location", "/p")
                .unwrap()
                .as_deref(),
            Some("/p/migrations")
        );
        assert_eq!(
            ini.get("alembic", "version_locations", "/p")
                .unwrap()
                .as_deref(),
            Some("/p/a\n/p/b")
        );
        assert_eq!(
            ini.get("alembic", "path_separator", "/p")
                .unwrap()
                .as_deref(),
            Some("newline")
        );
        assert_eq!(ini.get("alembic", "missing", "/p").unwrap(), None);
    }

    #[test]
    fn interpolates_defaults_and_escapes() {
        let ini = Ini::parse(
            "[DEFAULT]\nbase = app\n[alembic]\nscript_location = %(base)s/db\npct = 100%%\n",
        )
        .unwrap();
        assert_eq!(
            ini.get("alembic", "script_location", "")
                .unwrap()
                .as_deref(),
            Some("app/db")
        );
        assert_eq!(
            ini.get("alembic", "pct", "").unwrap().as_deref(),
            Some("100%")
        );
    }

    #[test]
    fn reports_errors_with_line() {
        let err = Ini::parse("key = value\n").unwrap_err();
        assert_eq!(err.line, 1);
        let ini = Ini::parse(
            "[alembic]\n# a\nx = %(nope)s\ny = 100%\nz = %(w)s\n\n[DEFAULT]\nw = a\n  %(nope)s\n",
        )
        .unwrap();
        let error = |key| ini.get("alembic", key, "").unwrap_err().to_string();
        assert_eq!(
            error("x"),
            "line 3: `%(nope)s` refers to an option that is not set"
        );
        assert_eq!(
            error("y"),
            "line 4: `%` must be followed by `%` or `(` in `100%`"
        );
        // The bad reference is in `w`'s value, which `z` refers to.
        assert_eq!(
            error("z"),
            "line 8: `%(nope)s` refers to an option that is not set"
        );
    }

    #[test]
    fn lines_end_as_python_reads_them() {
        let ini = Ini::parse("[alembic]\rscript_location = a\r\n  b\r# c\rx = %(y)s\r").unwrap();
        assert_eq!(
            ini.get("alembic", "script_location", "")
                .unwrap()
                .as_deref(),
            Some("a\nb")
        );
        assert_eq!(ini.get("alembic", "x", "").unwrap_err().line, 5);
    }
}
