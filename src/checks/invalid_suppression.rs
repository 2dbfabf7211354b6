use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::extract::suppressions::SuppressionKind;
use crate::suppress::{Refused, resolve};

declare_check! {
    /// A `# migsquash:` comment cannot be read, or names a code that does not exist or cannot be suppressed.
    ///
    /// ## What it finds
    /// - a directive migsquash cannot read: anything but `ignore[CODES]`
    ///   and `ignore-file[CODES]`, a missing or unclosed bracket, an empty
    ///   code;
    /// - `ignore` or `ignore-file` without codes: there is no blanket
    ///   suppression;
    /// - `ignore-file[…]` after code on its line (it must be on a line of
    ///   its own);
    /// - a code or name that no check has (`migsquash explain` lists them);
    /// - a code that cannot be suppressed: MS201 (consolidate refuses to
    ///   write a baseline that may differ from the history, and a comment
    ///   cannot make that safe), and MS104 and MS105 themselves.
    ///
    /// ## Why
    /// Such a comment suppresses nothing, while whoever wrote it believes
    /// it does.
    ///
    /// ## How to fix
    /// Write `# migsquash: ignore[MS101]` at the end of the line the finding
    /// is reported on, or `# migsquash: ignore-file[MS101]` on a line of its
    /// own, with the codes (or names) `migsquash explain` lists.
    /// See docs/suppressions.md.
    pub struct InvalidSuppression {
        code: "MS105",
        name: "invalid-suppression",
        severity: Warning,
    }
}

impl Check for InvalidSuppression {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (index, file) in ctx.files.iter().enumerate() {
            for suppression in &file.suppressions {
                if let SuppressionKind::Malformed(why) = &suppression.kind {
                    out.push(
                        Diagnostic::new(&Self::META, format!("malformed suppression: {why}"))
                            .at(index, Some(suppression.span))
                            .label("not read as a suppression")
                            .help("write `# migsquash: ignore[MS101]` (several codes: `ignore[MS101, MS102]`), see `migsquash explain MS105`"),
                    );
                    continue;
                }
                for code in suppression.codes() {
                    let diagnostic = match resolve(&code.value) {
                        Ok(_) => continue,
                        Err(Refused::Unknown) => Diagnostic::new(
                            &Self::META,
                            format!("unknown code `{}` in a suppression", code.value),
                        )
                        .label("no such check")
                        .help("`migsquash explain` lists every code and name"),
                        Err(Refused::NotSuppressible(meta, why)) => Diagnostic::new(
                            &Self::META,
                            format!("{} ({}) cannot be suppressed", meta.code, meta.name),
                        )
                        .label("cannot be suppressed")
                        .help(why),
                    };
                    out.push(diagnostic.at(index, Some(code.span)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::run;

    #[test]
    fn reports_malformed_unknown_and_refused_codes_where_they_are() {
        let source = "revision = 'a'  # migsquash: ignore[MS101, MS999, ms201]\n\
                      down_revision = None  # migsquash: ignore\n\
                      x = 1  # migsquash: ignore[redundant-merge-parent, Multiple-Heads, MS202]\n";
        let out = run(&InvalidSuppression, &[source], CheckOptions::default());
        let found: Vec<(&str, &str)> = out
            .iter()
            .map(|d| {
                let span = d.location.as_ref().unwrap().span.unwrap();
                (d.message.as_str(), span.text(source))
            })
            .collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].0.starts_with("unknown code `MS999`"));
        assert_eq!(found[0].1, "MS999");
        assert_eq!(
            found[1].0,
            "MS201 (unknowable-schema-change) cannot be suppressed"
        );
        assert_eq!(found[1].1, "ms201");
        assert!(found[2].0.contains("without codes"), "{}", found[2].0);
        assert_eq!(found[2].1, "migsquash: ignore");
    }
}
