use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

declare_check! {
    /// Revision files in sub-folders of a version location are not read.
    ///
    /// ## What it finds
    /// Files in sub-folders of a versions folder that Alembic would load
    /// as revisions (a `.py` name it accepts, holding `down_revision`),
    /// when nothing makes the location recursive: neither
    /// `recursive_version_locations = true` in the config nor
    /// `--recursive`.
    ///
    /// ## Why
    /// Histories kept in per-release folders (`versions/2024/…`) often
    /// make the locations recursive in `env.py`, where a static reader
    /// cannot see it. Read without the sub-folders, such a history looks
    /// like a few revisions with no problem at all, and every check and
    /// report about it is wrong.
    ///
    /// ## How to fix
    /// Pass `--recursive`, or set `recursive_version_locations = true` in
    /// `alembic.ini` (or `[tool.alembic]`), where Alembic reads it too. If
    /// the files are not revisions (an archive of squashed ones), move
    /// them out of the versions folder.
    pub struct UnreadRevisionFiles {
        code: "MS103",
        name: "unread-revision-files",
        severity: Warning,
    }
}

/// How to read sub-folders; shared with the error for an empty location.
pub const RECURSIVE_HELP: &str = "to read them, pass --recursive, or set `recursive_version_locations = true` in the Alembic config (a setting made in env.py is invisible to migsquash: pass --recursive)";

/// `a/versions/2023 (7), a/versions/2024 (5)`, capped like other lists.
pub fn unread_folder_list(
    layout: &crate::discover::Layout,
    unread: &[crate::discover::UnreadFolder],
) -> String {
    super::listing(
        unread.iter().map(|u| {
            format!(
                "{} ({})",
                crate::fsio::display_path(&layout.version_locations[u.location].join(&u.rel_path)),
                u.files
            )
        }),
        "`--recursive` reads them all",
    )
}

impl Check for UnreadRevisionFiles {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        if ctx.unread.is_empty() {
            return;
        }
        let files: usize = ctx.unread.iter().map(|u| u.files).sum();
        out.push(
            Diagnostic::new(
                &Self::META,
                format!(
                    "{files} revision file{} in sub-folders {} not read: {}",
                    if files == 1 { "" } else { "s" },
                    if files == 1 { "was" } else { "were" },
                    unread_folder_list(ctx.layout, ctx.unread)
                ),
            )
            .help(RECURSIVE_HELP),
        );
    }
}
