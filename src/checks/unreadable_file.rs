use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::ir::FileProblem;
use crate::python::Span;

declare_check! {
    /// A revision file cannot be read as Python source.
    ///
    /// ## What it finds
    /// A file that cannot be opened; that is not a regular file (a FIFO, a
    /// device, a socket, or a symlink to one), which is not read at all;
    /// that is larger than 16 MiB; or whose bytes are not valid UTF-8 (nor
    /// Latin-1 under a `# -*- coding: latin-1 -*-` declaration).
    ///
    /// ## Why
    /// Python reads source files as UTF-8 unless a coding declaration says
    /// otherwise, so Alembic fails to import such a file, and with it the
    /// whole history. It typically comes from an editor saving in a legacy
    /// encoding (an accented name in a comment or docstring).
    ///
    /// ## How to fix
    /// Re-save the file as UTF-8 (`iconv -f latin1 -t utf-8`), fix its
    /// permissions, or move what is not a revision file out of the
    /// versions folder.
    pub struct UnreadableFile {
        code: "MS006",
        name: "unreadable-file",
        severity: Error,
    }
}

impl Check for UnreadableFile {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (index, file) in ctx.files.iter().enumerate() {
            match &file.problem {
                Some(FileProblem::Unreadable { message }) => out.push(
                    Diagnostic::new(&Self::META, format!("cannot read {}: {message}", file.rel_path)).at(index, None),
                ),
                Some(FileProblem::NotUtf8 { offset }) => out.push(
                    Diagnostic::new(
                        &Self::META,
                        format!("{} is not valid UTF-8 (first bad byte at offset {offset})", file.rel_path),
                    )
                    .at(index, Some(Span::new(*offset, *offset + 1)))
                    .label("not UTF-8")
                    .help("re-save the file as UTF-8; Python (and so Alembic) cannot import it as it is"),
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::graph::RevisionGraph;

    #[test]
    fn reports_non_utf8_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.py");
        std::fs::write(&path, b"revision = 'a'\n# caf\xe9\n").unwrap();
        let files = vec![crate::extract::read_revision_file(&path, "r.py".into())];
        let graph = RevisionGraph::build(&files);
        let ctx = Context {
            files: &files,
            graph: &graph,
            options: &CheckOptions::default(),
            layout: &crate::checks::test_support::NO_LAYOUT,
            unread: &[],
        };
        let mut out = Vec::new();
        UnreadableFile.run(&ctx, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "r.py is not valid UTF-8 (first bad byte at offset 20)"
        );
    }
}
