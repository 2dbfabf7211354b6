//! Reading one revision file: bytes → text → syntax tree → header and
//! operations. Never fails: what cannot be read becomes a `FileProblem`.

pub(crate) mod bindings;
mod header;
mod ops;
pub mod suppressions;

pub use ops::{fstring_value, statement_of};

use std::path::Path;

use crate::ir::{FileProblem, RevisionFile};
use crate::python;
use crate::sql::Dialect;

use bindings::Bindings;

/// Reads, parses and extracts one revision file.
pub fn read_revision_file(path: &Path, rel_path: String) -> RevisionFile {
    let (mut file, _) = read(path, rel_path);
    if file.problem.is_none() {
        extract_source(&mut file);
    }
    file
}

/// Reads a file and decodes it as Python would; returns it unparsed (or
/// with its `FileProblem`) and the cache key of its bytes.
pub fn read(path: &Path, rel_path: String) -> (RevisionFile, Option<u64>) {
    let mut file = RevisionFile::unread(path.to_path_buf(), rel_path);
    let bytes = match crate::fsio::read_regular(path, crate::fsio::MAX_INPUT_BYTES) {
        Ok(bytes) => bytes,
        Err(err) => {
            file.problem = Some(FileProblem::Unreadable {
                message: err.to_string(),
            });
            // Reports ask for the source of a file with a problem; it must
            // not be looked for on disk again.
            file.set_source(String::new());
            return (file, None);
        }
    };
    let key = crate::cache::key(&bytes);
    let (source, problem) = decode(bytes);
    file.set_source(source);
    file.problem = problem;
    (file, Some(key))
}

/// Bytes → text as Python reads a source file: UTF-8, or Latin-1 when a
/// PEP 263 declaration says so. Anything else is decoded lossily (for
/// snippets) and reported with the offset of the first invalid byte.
pub fn decode(bytes: Vec<u8>) -> (String, Option<FileProblem>) {
    match String::from_utf8(bytes) {
        Ok(source) => (source, None),
        Err(err) if declares_latin1(err.as_bytes()) => (
            err.as_bytes().iter().map(|&b| char::from(b)).collect(),
            None,
        ),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(err.as_bytes()).into_owned(),
                Some(FileProblem::NotUtf8 {
                    offset: offset as u32,
                }),
            )
        }
    }
}

/// PEP 263: a `coding` declaration in the first two lines naming Latin-1,
/// the one legacy encoding Python revision files are seen in.
fn declares_latin1(bytes: &[u8]) -> bool {
    let ends: Vec<usize> = crate::ir::line_breaks(bytes).take(2).collect();
    let first = ends.first().map_or(bytes, |&end| &bytes[..end]);
    let second = match ends.as_slice() {
        [a, b, ..] => &bytes[*a..*b],
        [a] => &bytes[*a..],
        [] => &[],
    };
    [first, second].into_iter().any(|line| {
        let line = String::from_utf8_lossy(line).to_ascii_lowercase();
        line.trim_start().starts_with('#')
            && ["coding:", "coding="].iter().any(|marker| {
                line.split(marker).nth(1).is_some_and(|rest| {
                    let name = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .replace('_', "-");
                    matches!(
                        name.as_str(),
                        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1"
                    )
                })
            })
    })
}

/// Parses the file's source and fills in the header and operations (raw
/// SQL read as PostgreSQL).
pub fn extract_source(file: &mut RevisionFile) {
    extract_parsed(file, Dialect::default());
}

/// Parses and extracts `file` (raw SQL read in `dialect`), and returns its
/// syntax tree for whoever needs more of it (replay's preparation); `None`
/// when it does not parse.
pub fn extract_parsed(file: &mut RevisionFile, dialect: Dialect) -> Option<python::Module> {
    let source = file.source();
    let module = match python::parse_module(source) {
        Ok(module) => module,
        Err(err) => {
            file.problem = Some(FileProblem::Syntax {
                message: err.message,
                span: err.span,
            });
            return None;
        }
    };
    let module_bindings = Bindings::module(&module);
    let header = header::extract(&module, &module_bindings, source);
    let extracted = ops::extract(&module, &module_bindings, source, dialect);
    let suppressions = suppressions::read(source, &module.comments);
    if header.revision.is_none() && header.is_known("revision") {
        file.problem = Some(FileProblem::NoRevisionId);
    }
    file.header = header;
    file.set_operations(extracted.operations);
    file.get_bind = extracted.get_bind;
    file.suppressions = suppressions;
    Some(module)
}

#[cfg(test)]
pub(crate) fn extract_str(source: &str) -> RevisionFile {
    extract_str_as(source, Dialect::default())
}

#[cfg(test)]
pub(crate) fn extract_str_as(source: &str, dialect: Dialect) -> RevisionFile {
    let mut file = RevisionFile::unread("test.py".into(), "test.py".into());
    file.set_source(source.to_owned());
    extract_parsed(&mut file, dialect);
    file
}

#[cfg(test)]
mod tests {
    #[test]
    fn latin1_declaration_is_honoured() {
        assert!(super::declares_latin1(
            b"# -*- coding: latin-1 -*-\nrevision = 'a'\n"
        ));
        assert!(super::declares_latin1(
            b"#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\n"
        ));
        assert!(!super::declares_latin1(
            b"revision = 'a'\n# x\n# coding: latin-1\n"
        ));
        // Lines end as Python ends them.
        assert!(super::declares_latin1(
            b"#!/usr/bin/env python\r# coding: latin-1\r"
        ));
        assert!(!super::declares_latin1(
            b"# x\rrevision = 'a'\r# coding: latin-1\r"
        ));
        assert!(super::declares_latin1(b"# x\r\n# coding: latin-1\r\n"));
    }
}
