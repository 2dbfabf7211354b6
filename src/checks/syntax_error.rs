use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::ir::FileProblem;

declare_check! {
    /// A revision file is not valid Python.
    ///
    /// ## What it finds
    /// A file in a version location that the Python parser rejects.
    ///
    /// ## Why
    /// Alembic imports every revision file to build its revision map, so a
    /// single file with a syntax error breaks every Alembic command, not
    /// only the migration it holds. migsquash keeps analysing the other
    /// files; this one's header and operations are unknown.
    ///
    /// ## How to fix
    /// Fix the syntax at the location shown (`python -m py_compile FILE`
    /// reports the same error).
    pub struct SyntaxError {
        code: "MS005",
        name: "syntax-error",
        severity: Error,
    }
}

impl Check for SyntaxError {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (index, file) in ctx.files.iter().enumerate() {
            if let Some(FileProblem::Syntax { message, span }) = &file.problem {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        format!("cannot parse {}: {message}", file.rel_path),
                    )
                    .at(index, Some(*span))
                    .label(message.clone())
                    .help("Alembic fails to load the whole history while this file does not parse"),
                );
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
    fn reports_location_of_syntax_error() {
        let out = run(
            &SyntaxError,
            &["revision = 'a'\ndef upgrade(:\n    pass\n"],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        let span = out[0].location.as_ref().unwrap().span.unwrap();
        assert!(span.start >= 15, "{span:?}");
    }
}
