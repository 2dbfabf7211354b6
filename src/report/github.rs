//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice`
//! annotation per diagnostic, shown inline on the pull request.

use super::Locator;
use crate::Analysis;
use crate::diagnostic::Severity;

/// Escapes per the workflow-command rules: data escapes `%`, CR and LF;
/// property values also escape `:` and `,`.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(analysis: &Analysis) -> String {
    let locator = Locator::new(analysis);
    let mut out = String::new();
    for d in &analysis.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(loc) = &d.location {
            let start = locator.start(loc);
            properties.push(format!("file={}", escape_property(&locator.path(loc.file))));
            properties.push(format!("line={}", start.line));
            properties.push(format!("col={}", start.column));
            if let Some(span) = loc.span {
                let end = locator.position(loc.file, span.end);
                properties.push(format!("endLine={}", end.line));
                properties.push(format!("endColumn={}", end.column));
            }
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.name))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("x:y,z"), "x%3Ay%2Cz");
    }
}
