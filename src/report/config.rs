//! `migsquash config`: the settings in effect and where each comes from;
//! and a configuration file's error, in its context.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::{Value as Json, json};

use super::{display_path, printable};
use crate::config::rules::Selector;
use crate::config::{self, ConfigError, Origin, Settings, Value};

/// A configuration file's error: its message, and the file around the
/// place it is about (as the revision files' findings are shown), with
/// what to write instead.
pub fn error(err: &ConfigError, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let path = printable(&display_path(&err.path)).into_owned();
    let message = printable(&err.message).into_owned();
    let title = Level::ERROR.primary_title(message.as_str());
    let group = match (&err.text, &err.span) {
        (Some(text), Some(span)) => {
            let range = super::char_range(
                text,
                crate::python::Span::new(span.start as u32, span.end as u32),
            );
            // An error at the very end (an unclosed table) points at the
            // last character rather than past the text.
            let range = if range.is_empty() && range.start == text.len() && !text.is_empty() {
                let start = text[..range.start]
                    .char_indices()
                    .next_back()
                    .map_or(0, |(i, _)| i);
                start..range.start
            } else {
                range
            };
            let mut annotation = AnnotationKind::Primary.span(range);
            if let Some(label) = &err.label {
                annotation = annotation.label(label.as_str());
            }
            Group::with_title(title).element(
                Snippet::source(text.as_str())
                    .path(path.as_str())
                    .annotation(annotation),
            )
        }
        _ => Group::with_title(Level::ERROR.primary_title(format!("{path}: {message}"))),
    };
    let mut groups = vec![group];
    if let Some(help) = &err.help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    let mut out = renderer.render(&groups);
    out.push('\n');
    out
}

fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::Default => "default".to_owned(),
        Origin::CommandLine => "command line".to_owned(),
        Origin::Environment(variable) => format!("environment ({variable})"),
        Origin::File { path, line } => format!("{}:{line}", display_path(path)),
    }
}

fn origin_json(origin: &Origin) -> Json {
    match origin {
        Origin::Default => json!({"source": "default"}),
        Origin::CommandLine => json!({"source": "command line"}),
        Origin::Environment(variable) => json!({"source": "environment", "variable": variable}),
        Origin::File { path, line } => {
            json!({"source": "file", "path": display_path(path), "line": line})
        }
    }
}

/// Every setting as (key, value in TOML syntax or a description, where it
/// came from), in the documented order; `extend-select` and `ignore` once
/// per source.
fn rows(settings: &Settings) -> Vec<(&'static str, Json, String, Origin)> {
    let mut rows = Vec::new();
    let mut row = |key: &'static str, json: Json, shown: String, origin: &Origin| {
        rows.push((key, json, shown, origin.clone()));
    };
    let string = |s: &str| Json::String(s.to_owned());
    let list = |items: Vec<String>| Json::Array(items.into_iter().map(Json::String).collect());
    let paths = |v: &Value<Vec<std::path::PathBuf>>| {
        list(v.value.iter().map(|p| display_path(p)).collect())
    };
    let selectors = |v: &[Selector]| list(v.iter().map(Selector::to_string).collect::<Vec<_>>());

    let path = paths(&settings.path);
    row("path", path.clone(), toml(&path), &settings.path.origin);
    let name = settings.name.value.as_deref().map_or(Json::Null, string);
    let shown = match &settings.name.value {
        Some(_) => toml(&name),
        None => "(not set: the [alembic] section)".to_owned(),
    };
    row("name", name, shown, &settings.name.origin);
    let recursive = Json::Bool(settings.recursive.value);
    row(
        "recursive",
        recursive.clone(),
        toml(&recursive),
        &settings.recursive.origin,
    );
    let (max_heads, shown) = match settings.max_heads.value {
        usize::MAX => (
            Json::Null,
            "(any number: --allow-multiple-heads)".to_owned(),
        ),
        n => (json!(n), n.to_string()),
    };
    row("max-heads", max_heads, shown, &settings.max_heads.origin);
    let branches = list(settings.intended_branches.value.clone());
    row(
        "intended-branches",
        branches.clone(),
        toml(&branches),
        &settings.intended_branches.origin,
    );
    let select = selectors(&settings.select.value);
    row(
        "select",
        select.clone(),
        toml(&select),
        &settings.select.origin,
    );
    for (key, layers) in [
        ("extend-select", &settings.extend_select),
        ("ignore", &settings.ignore),
    ] {
        if layers.is_empty() {
            row(key, json!([]), "[]".to_owned(), &Origin::Default);
        }
        for layer in layers {
            let value = selectors(&layer.value);
            row(key, value.clone(), toml(&value), &layer.origin);
        }
    }
    let per_file: serde_json::Map<String, Json> = settings
        .per_file_ignores
        .value
        .iter()
        .map(|(glob, codes)| (glob.clone(), selectors(codes)))
        .collect();
    let per_file = Json::Object(per_file);
    row(
        "per-file-ignores",
        per_file.clone(),
        toml(&per_file),
        &settings.per_file_ignores.origin,
    );
    let severity: serde_json::Map<String, Json> = settings
        .severity
        .value
        .iter()
        .map(|(selector, level)| (selector.to_string(), string(level.as_str())))
        .collect();
    let severity = Json::Object(severity);
    row(
        "severity",
        severity.clone(),
        toml(&severity),
        &settings.severity.origin,
    );
    let (format, shown) = match settings.output_format.value {
        Some(format) => (string(format.as_str()), toml(&string(format.as_str()))),
        None => (
            Json::Null,
            "(not set: text; check writes github under GitHub Actions)".to_owned(),
        ),
    };
    row(
        "output-format",
        format,
        shown,
        &settings.output_format.origin,
    );
    let (dialect, shown) = match settings.dialect.value {
        Some(dialect) => {
            let name = string(config::dialect_name(dialect));
            (name.clone(), toml(&name))
        }
        None => (
            Json::Null,
            "(not set: the one sqlalchemy.url names, else postgresql)".to_owned(),
        ),
    };
    row("dialect", dialect, shown, &settings.dialect.origin);
    let (cache_dir, shown) = match &settings.cache_dir.value {
        Some(dir) => {
            let dir = string(&display_path(dir));
            (dir.clone(), toml(&dir))
        }
        None => (
            Json::Null,
            "(not set: .migsquash_cache beside the Alembic config)".to_owned(),
        ),
    };
    row("cache-dir", cache_dir, shown, &settings.cache_dir.origin);
    let (naming, shown) = match &settings.naming_convention.value {
        Some(templates) => {
            let table = Json::Object(
                templates
                    .iter()
                    .map(|(k, v)| (k.clone(), string(v)))
                    .collect(),
            );
            (table.clone(), toml(&table))
        }
        None => (
            Json::Null,
            "(not set: read from env.py's target_metadata)".to_owned(),
        ),
    };
    row(
        "naming-convention",
        naming,
        shown,
        &settings.naming_convention.origin,
    );
    rows
}

/// A JSON value written as TOML writes it inline.
fn toml(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => toml_string(s),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(toml).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(map) if map.is_empty() => "{}".to_owned(),
        Json::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn toml_string(s: &str) -> String {
    // JSON's escapes are TOML's for a basic string.
    serde_json::to_string(s).unwrap_or_default()
}

fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

/// `migsquash config`: one line per setting, `key = value  # origin`.
pub fn text(settings: &Settings) -> String {
    let mut out = String::new();
    match &settings.file {
        Some(file) => out.push_str(&format!(
            "configuration file: {}\n\n",
            printable(&display_path(file))
        )),
        None => out.push_str("configuration file: none\n\n"),
    }
    let rows = rows(settings);
    let lines: Vec<(String, String)> = rows
        .iter()
        .map(|(key, _, shown, origin)| {
            (
                printable(&format!("{key:<17} = {shown}")).into_owned(),
                printable(&origin_text(origin)).into_owned(),
            )
        })
        .collect();
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (line, origin) in lines {
        let pad = width - line.chars().count();
        out.push_str(&format!("{line}{}  # {origin}\n", " ".repeat(pad)));
    }
    let enabled = settings.enabled();
    let all = config::rules::selectable().count();
    out.push_str(&format!(
        "\nfindings shown ({} of {all}): {}\n",
        enabled.len(),
        enabled.join(", ")
    ));
    out
}

/// `migsquash config --format json`.
pub fn json(settings: &Settings) -> Json {
    let mut map = serde_json::Map::new();
    let mut layered: serde_json::Map<String, Json> = serde_json::Map::new();
    for (key, value, _, origin) in rows(settings) {
        let entry = json!({"value": value, "origin": origin_json(&origin)});
        if matches!(key, "extend-select" | "ignore") {
            let list = layered.entry(key.to_owned()).or_insert_with(|| json!([]));
            if let Some(list) = list.as_array_mut()
                && origin != Origin::Default
            {
                list.push(entry);
            }
        } else {
            map.insert(key.to_owned(), entry);
        }
    }
    map.extend(layered);
    json!({
        "config_file": settings.file.as_deref().map(display_path),
        "settings": map,
        "enabled": settings.enabled(),
    })
}
