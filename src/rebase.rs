//! `rebase`: makes a history with two heads linear by moving one branch
//! onto the other head, instead of adding a merge revision. The only edit
//! is to the first revision of the moved branch: the string literal of its
//! `down_revision` and the id on its docstring's `Revises:` line; every
//! other byte of the file stays as it is.
//!
//! What would change the meaning of the history is refused, with the
//! operations or header fields that are the reason: both branches touching
//! one column, table, index or constraint (unless forced), branch labels,
//! `depends_on` between the branches, merges. Never prints; the CLI
//! reports what `Rebase` or `RebaseError` holds.

use std::path::PathBuf;
use std::time::SystemTime;

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::Analysis;
use crate::checks::CheckMeta;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{EdgeKind, RevisionGraph};
use crate::ir::{OpKind, Operation, RevisionFile};
use crate::python::{self, Span};
use crate::sql::SchemaChange;

/// MS301: both branches change the same object.
pub const CONFLICT: CheckMeta = CheckMeta {
    code: "MS301",
    name: "rebase-conflict",
    severity: Severity::Error,
    doc: " Both branches of a rebase change the same column, table, index or constraint.\n\n ## What it finds\n An operation of the branch `migsquash rebase` would move, and one of the branch it would move it onto, that touch the same table and column (`add_column`, `alter_column`, `drop_column`, the DDL of `op.execute`), the same table (created, dropped or renamed), the same table comment, or the same index or constraint name.\n\n ## Why\n Each branch was written against the schema without the other. After the rebase the moved branch runs after the other one, on a schema it was not written for: the same column added twice, a column altered back, an index created twice. A merge revision keeps both as they were written.\n\n ## How to fix\n Check that the moved branch still works after the other one (and edit it if not), then pass `--force`; or merge the heads with `alembic merge heads`.\n",
};

/// MS302: the history, or the revision named, does not allow a rebase.
pub const REFUSED: CheckMeta = CheckMeta {
    code: "MS302",
    name: "rebase-refused",
    severity: Severity::Error,
    doc: " A rebase that would change what the history means, or that does not name a branch and a head.\n\n ## What it finds\n The revision to move is a merge, a base, not the first revision of its branch, or an ancestor of the head; the head is not a head; a revision of either branch carries a branch label; one branch `depends_on` the other; the moved branch merges with a revision outside it; the `down_revision` to rewrite is not a plain string literal.\n\n ## Why\n Rewriting one `down_revision` is only the same history, made linear, when the moved branch hangs from one revision and nothing else ties it to the rest.\n\n ## How to fix\n Name the first revision of the branch and a head (`migsquash rebase REV --onto HEAD`), or merge the heads with `alembic merge heads`.\n",
};

/// The findings `rebase` reports, for `migsquash explain`.
pub const FINDINGS: [&CheckMeta; 2] = [&CONFLICT, &REFUSED];

#[derive(Debug, Clone, Default)]
pub struct RebaseOptions {
    /// The first revision of the branch to move (an id or a unique
    /// prefix); `None` with `onto` `None`: chosen when there are two heads.
    pub rev: Option<String>,
    /// The head to move it onto.
    pub onto: Option<String>,
    /// Rebase although both branches change the same objects.
    pub force: bool,
}

/// How the branch to move was chosen when none was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// Its files were changed last (file modification time).
    Newest,
    /// Both branches' newest files have the same time: the branch Alembic
    /// applies last is moved, so a fresh database upgrades in the same
    /// order as before.
    AppliedLast,
}

/// One replacement in the moved revision's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in `Rebase::before`.
    pub span: Span,
    pub replacement: String,
}

/// A rebase, planned and checked: what `write` puts in place.
#[derive(Debug)]
pub struct Rebase {
    /// The first revision of the moved branch, whose file is edited.
    pub rev: String,
    /// Its index in `Analysis::files`.
    pub file: usize,
    pub old_parent: String,
    pub onto: String,
    /// The heads of the moved branch (usually one).
    pub moved_heads: Vec<String>,
    /// The moved branch, in upgrade order (indices into the files).
    pub moved: Vec<usize>,
    /// `Some` when no revision was named.
    pub chosen: Option<Chosen>,
    /// Conflicts passed over with `--force`, as warnings.
    pub warnings: Vec<Diagnostic>,
    pub path: PathBuf,
    /// The file's text as read, and as it will be.
    pub before: String,
    pub after: String,
    /// The replacements that make `after` from `before`, in file order.
    pub edits: Vec<Edit>,
}

/// Why no rebase was planned. `exit_code` sorts them by the CLI's
/// contract: 0 nothing to do, 1 the history prevents it, 2 the arguments
/// (or the file system) do.
#[derive(Debug, thiserror::Error)]
pub enum RebaseError {
    #[error("the history has one head ({0}); there is nothing to rebase")]
    NothingToDo(String),
    #[error(
        "the history has errors; `migsquash check` shows them, and rebase needs them fixed first"
    )]
    HistoryErrors(Vec<Diagnostic>),
    /// No revision was named and the history does not say which to move.
    #[error("{0}")]
    CannotChoose(String),
    /// The rebase named would change the history's meaning.
    #[error("{message}")]
    Refused {
        message: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// The revisions named do not make a rebase.
    #[error("{message}")]
    BadArgument {
        message: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("cannot read {}: {error}", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl RebaseError {
    pub fn exit_code(&self) -> u8 {
        match self {
            RebaseError::NothingToDo(_) => 0,
            RebaseError::HistoryErrors(_)
            | RebaseError::CannotChoose(_)
            | RebaseError::Refused { .. } => 1,
            RebaseError::BadArgument { .. } | RebaseError::Read { .. } => 2,
        }
    }

    /// The located findings that explain it.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            RebaseError::HistoryErrors(d)
            | RebaseError::Refused { diagnostics: d, .. }
            | RebaseError::BadArgument { diagnostics: d, .. } => d,
            _ => &[],
        }
    }
}

/// Why the rebased file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{} is read-only; rebase changes nothing in it (make it writable, or edit its down_revision by hand)",
        .0.display()
    )]
    ReadOnly(PathBuf),
    #[error("{} changed since it was read; nothing was written (run rebase again)", .0.display())]
    Changed(PathBuf),
    #[error("cannot read {}: {error}", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::fsio::WriteError),
}

fn refused(message: impl Into<String>, diagnostics: Vec<Diagnostic>) -> RebaseError {
    RebaseError::Refused {
        message: message.into(),
        diagnostics,
    }
}

fn bad_argument(message: impl Into<String>, diagnostics: Vec<Diagnostic>) -> RebaseError {
    RebaseError::BadArgument {
        message: message.into(),
        diagnostics,
    }
}

/// Plans the rebase `options` asks for, or the one the history makes
/// obvious when it names none.
pub fn plan(analysis: &Analysis, options: &RebaseOptions) -> Result<Rebase, RebaseError> {
    // Multiple heads are why rebase exists; any other error makes the
    // graph (or a header) unreliable.
    let errors: Vec<Diagnostic> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.code != "MS001")
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(RebaseError::HistoryErrors(errors));
    }
    let graph = &analysis.graph;
    let (rev, onto, chosen) = match (&options.rev, &options.onto) {
        (Some(rev), Some(onto)) => (
            resolve(graph, rev, "REV")?,
            resolve(graph, onto, "--onto")?,
            None,
        ),
        (None, None) => {
            let (rev, onto, chosen) = choose(analysis)?;
            (rev, onto, Some(chosen))
        }
        _ => {
            return Err(bad_argument(
                "name both the revision to move and the head (`migsquash rebase REV --onto HEAD`), or neither to let rebase choose",
                Vec::new(),
            ));
        }
    };
    let mut rebase = check(analysis, rev, onto, options.force)?;
    rebase.chosen = chosen;
    Ok(rebase)
}

/// A revision id or a unique prefix of one, as Alembic accepts.
fn resolve(graph: &RevisionGraph, rev: &str, what: &str) -> Result<NodeIndex, RebaseError> {
    if let Some(node) = graph.node(rev) {
        return Ok(node);
    }
    let matches: Vec<&String> = graph
        .nodes
        .keys()
        .filter(|id| id.starts_with(rev))
        .collect();
    match matches.as_slice() {
        [one] => Ok(graph.nodes[*one]),
        [] => Err(bad_argument(
            format!("{what}: no revision `{rev}` in the history"),
            Vec::new(),
        )),
        _ => Err(bad_argument(
            format!(
                "{what}: `{rev}` matches several revisions: {}",
                matches
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Vec::new(),
        )),
    }
}

/// Two heads that fork from one revision: each branch from its first
/// revision to its head.
#[derive(Debug, Clone)]
pub struct Fork {
    /// The revision both branches start from.
    pub point: NodeIndex,
    pub branches: [Branch; 2],
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub head: NodeIndex,
    /// Its first revision (its parent is the fork point).
    pub first: NodeIndex,
    /// Every revision of the branch.
    pub members: Vec<NodeIndex>,
}

/// The fork of two heads, when each is reached from one revision whose
/// only parent is a revision both descend from.
pub fn fork(graph: &RevisionGraph, heads: [NodeIndex; 2]) -> Option<Fork> {
    let ancestry = heads.map(|h| down_ancestors(graph, &[h]));
    let mut point = None;
    let mut branches = Vec::with_capacity(2);
    for (i, &head) in heads.iter().enumerate() {
        let (own, other) = (&ancestry[i], &ancestry[1 - i]);
        // Parents of the branch's revisions are ancestors of its head: one
        // the other head also descends from is where the branch starts.
        let members: Vec<NodeIndex> = own.difference(other).map(NodeIndex::new).collect();
        // The branch's first revisions: their parents are outside it.
        let mut roots = members.iter().copied().filter(|&n| {
            let parents: Vec<NodeIndex> = down_parents(graph, n).collect();
            parents.is_empty() || parents.iter().any(|p| other.contains(p.index()))
        });
        let first = roots.next()?;
        if roots.next().is_some() {
            return None;
        }
        let parents: Vec<NodeIndex> = down_parents(graph, first).collect();
        let [parent] = parents.as_slice() else {
            return None;
        };
        if *point.get_or_insert(*parent) != *parent {
            return None;
        }
        branches.push(Branch {
            head,
            first,
            members,
        });
    }
    let [a, b] = <[Branch; 2]>::try_from(branches).ok()?;
    Some(Fork {
        point: point?,
        branches: [a, b],
    })
}

/// Which branch of a fork Alembic applies last on a fresh database
/// (`alembic upgrade heads`): moving that one onto the other head keeps
/// the order revisions are applied in.
pub fn applied_last(graph: &RevisionGraph, fork: &Fork) -> usize {
    let position = |n: NodeIndex| graph.upgrade_nodes.iter().position(|&u| u == n);
    let [a, b] = &fork.branches;
    usize::from(position(b.head) >= position(a.head))
}

/// What `check` can suggest for two heads: `(rev, onto)` of the rebase
/// that moves the branch Alembic applies last, when the heads fork from
/// one revision.
pub fn suggestion(
    graph: &RevisionGraph,
    files: &[RevisionFile],
    heads: [NodeIndex; 2],
) -> Option<(String, String)> {
    let fork = fork(graph, heads)?;
    let moved = applied_last(graph, &fork);
    let id = |n: NodeIndex| files[graph.dag[n]].revision_id().map(str::to_owned);
    Some((
        id(fork.branches[moved].first)?,
        id(fork.branches[1 - moved].head)?,
    ))
}

/// The rebase to make when none was named: with exactly two heads that
/// fork from one revision, the branch whose files were changed last moves
/// onto the other head.
fn choose(analysis: &Analysis) -> Result<(NodeIndex, NodeIndex, Chosen), RebaseError> {
    let graph = &analysis.graph;
    let heads: Vec<NodeIndex> = graph.heads.iter().filter_map(|h| graph.node(h)).collect();
    let pass = "pass the first revision of the branch to move and the head to move it onto: `migsquash rebase REV --onto HEAD`";
    let [a, b] = heads.as_slice() else {
        if let [only] = graph.heads.as_slice() {
            return Err(RebaseError::NothingToDo(only.clone()));
        }
        return Err(RebaseError::CannotChoose(format!(
            "the history has {} heads ({}); rebase chooses only between two: {pass}, once per extra head",
            graph.heads.len(),
            crate::checks::listing(
                graph.heads.iter().cloned(),
                "`alembic heads` lists them all"
            )
        )));
    };
    let Some(fork) = fork(graph, [*a, *b]) else {
        return Err(RebaseError::CannotChoose(format!(
            "the heads {} and {} do not fork from one revision (a branch starts at a merge or a base, or at two places); {pass}",
            graph.heads[0], graph.heads[1]
        )));
    };
    let newest = |branch: &Branch| -> Option<SystemTime> {
        branch
            .members
            .iter()
            .map(|&n| {
                std::fs::metadata(&analysis.files[graph.dag[n]].path)
                    .and_then(|m| m.modified())
                    .ok()
            })
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max()
    };
    let times = fork.branches.each_ref().map(newest);
    let (moved, chosen) = match times {
        [Some(a), Some(b)] if a != b => (usize::from(b > a), Chosen::Newest),
        _ => (applied_last(graph, &fork), Chosen::AppliedLast),
    };
    Ok((
        fork.branches[moved].first,
        fork.branches[1 - moved].head,
        chosen,
    ))
}

/// Checks that moving the branch from `rev` onto `onto` keeps the
/// history's meaning, and plans the edit.
fn check(
    analysis: &Analysis,
    rev: NodeIndex,
    onto: NodeIndex,
    force: bool,
) -> Result<Rebase, RebaseError> {
    let graph = &analysis.graph;
    let files = &analysis.files;
    let file_of = |n: NodeIndex| graph.dag[n];
    let id = |n: NodeIndex| {
        files[file_of(n)]
            .revision_id()
            .unwrap_or_default()
            .to_owned()
    };
    let header = |n: NodeIndex| &files[file_of(n)].header;
    let revision_span = |n: NodeIndex| header(n).revision.as_ref().map(|r| r.span);
    let (rev_id, onto_id) = (id(rev), id(onto));

    // --onto must be a head.
    let children: Vec<NodeIndex> = down_children(graph, onto).collect();
    if let Some(&child) = children.first() {
        let span = header(child)
            .down_revisions
            .iter()
            .find(|d| d.value == onto_id)
            .map(|d| d.span);
        return Err(bad_argument(
            format!(
                "--onto {onto_id} is not a head: {} revises it; the heads are {}",
                id(child),
                graph.heads.join(", ")
            ),
            vec![
                Diagnostic::new(&REFUSED, format!("--onto {onto_id} is not a head"))
                    .at(file_of(child), span)
                    .label(format!("{} revises {onto_id}", id(child)))
                    .revision(onto_id.clone())
                    .help(format!(
                        "move the branch onto a head: {}",
                        graph.heads.join(", ")
                    )),
            ],
        ));
    }
    if rev == onto || down_ancestors(graph, &[onto]).contains(rev.index()) {
        return Err(bad_argument(
            if rev == onto {
                format!("{rev_id} is the head to move onto; the branch to move must be another one")
            } else {
                format!(
                    "{rev_id} is an ancestor of {onto_id}: the branch to move must be the other one"
                )
            },
            vec![
                Diagnostic::new(
                    &REFUSED,
                    format!("{rev_id} cannot be moved onto {onto_id}, which descends from it"),
                )
                .at(file_of(rev), revision_span(rev))
                .label("the revision to move")
                .related(
                    file_of(onto),
                    revision_span(onto),
                    "the head it would move onto",
                )
                .revision(rev_id.clone())
                .help(
                    "name the first revision of the other branch, and this branch's head as --onto",
                ),
            ],
        ));
    }
    let rev_header = header(rev);
    if rev_header.down_revisions.len() > 1 {
        return Err(refused(
            format!("{rev_id} is a merge revision; rebase moves a branch that starts from one revision"),
            vec![
                Diagnostic::new(&REFUSED, format!("{rev_id} is a merge revision"))
                    .at(file_of(rev), rev_header.down_revisions.first().map(|d| d.span))
                    .label("it revises several revisions")
                    .revision(rev_id.clone())
                    .help("a merge cannot be moved; name the first revision of a branch, or merge the heads with `alembic merge heads`"),
            ],
        ));
    }
    let Some(parent) = down_parents(graph, rev).next() else {
        return Err(bad_argument(
            format!(
                "{rev_id} is a base (it has no down_revision); rebase moves a branch that starts from a revision"
            ),
            vec![
                Diagnostic::new(&REFUSED, format!("{rev_id} is a base"))
                    .at(file_of(rev), revision_span(rev))
                    .label("it has no down_revision")
                    .revision(rev_id.clone()),
            ],
        ));
    };
    let parent_id = id(parent);
    let down_span = rev_header.down_revisions.first().map(|d| d.span);
    // The first revision of a branch: its parent has other children.
    if down_children(graph, parent).count() < 2 {
        let mut start = rev;
        let first = loop {
            let parents: Vec<NodeIndex> = down_parents(graph, start).collect();
            let [p] = parents.as_slice() else { break None };
            if down_children(graph, *p).count() > 1 {
                break Some(start);
            }
            start = *p;
        };
        let hint = match first {
            Some(first)
                if first != rev && !down_ancestors(graph, &[onto]).contains(first.index()) =>
            {
                format!(
                    "its branch starts at {}: `migsquash rebase {} --onto {onto_id}`",
                    id(first),
                    id(first)
                )
            }
            _ => "name the first revision of a branch (one whose parent has other children)"
                .to_owned(),
        };
        return Err(bad_argument(
            format!(
                "{rev_id} is not the first revision of a branch: its parent {parent_id} has no other child; {hint}"
            ),
            vec![
                Diagnostic::new(
                    &REFUSED,
                    format!("{rev_id} is not the first revision of a branch"),
                )
                .at(file_of(rev), down_span)
                .label(format!("{parent_id} has no other child"))
                .revision(rev_id.clone())
                .help(hint),
            ],
        ));
    }

    // The moved branch: everything that descends from `rev`.
    let moved_set = graph.down_descendants([rev]);
    let other_set = {
        let mut set = down_ancestors(graph, &[onto]);
        set.difference_with(&down_ancestors(graph, &[parent]));
        set
    };
    let in_order = |set: &FixedBitSet| -> Vec<NodeIndex> {
        graph
            .upgrade_nodes
            .iter()
            .copied()
            .filter(|n| set.contains(n.index()))
            .collect()
    };
    let moved = in_order(&moved_set);
    let other = in_order(&other_set);

    let mut problems = Vec::new();
    // A merge inside the branch with a revision outside it.
    for &n in &moved {
        if n == rev {
            continue;
        }
        let h = header(n);
        for (p, d) in h
            .down_revisions
            .iter()
            .filter_map(|d| graph.node(&d.value).map(|p| (p, d)))
        {
            if !moved_set.contains(p.index()) {
                problems.push(
                    Diagnostic::new(
                        &REFUSED,
                        format!(
                            "{} merges the branch of {rev_id} with {}, outside it",
                            id(n),
                            d.value
                        ),
                    )
                    .at(file_of(n), Some(d.span))
                    .label(format!("{} is not on the moved branch", d.value))
                    .revision(id(n)),
                );
            }
        }
    }
    // Labels name branches: moving one changes what a label reaches.
    for &n in moved.iter().chain(&other) {
        let h = header(n);
        if let Some(label) = h.branch_labels.first() {
            problems.push(
                Diagnostic::new(
                    &REFUSED,
                    format!("{} carries the branch label `{}`", id(n), label.value),
                )
                .at(file_of(n), Some(label.span))
                .label(if moved_set.contains(n.index()) {
                    "on the branch to move"
                } else {
                    "on the branch it would move onto"
                })
                .revision(id(n))
                .help("labeled branches are meant to stay apart (`--max-heads` or an `alembic merge` keeps them)"),
            );
        }
    }
    // depends_on between the two branches ties them already.
    for &n in moved.iter().chain(&other) {
        let (own, across) = if moved_set.contains(n.index()) {
            ("moved branch", &other_set)
        } else {
            ("branch of the head", &moved_set)
        };
        for (target, dep) in graph
            .dag
            .edges_directed(n, Direction::Incoming)
            .filter(|e| *e.weight() == EdgeKind::DependsOn)
            .map(|e| e.source())
            .filter(|t| across.contains(t.index()))
            .filter_map(|t| {
                let tid = id(t);
                let dep = header(n).depends_on.iter().find(|d| {
                    d.value == tid || graph.labels.get(&d.value).is_some_and(|r| *r == tid)
                })?;
                Some((tid, dep))
            })
        {
            problems.push(
                Diagnostic::new(
                    &REFUSED,
                    format!("{} (on the {own}) depends on {target}, on the other branch", id(n)),
                )
                .at(file_of(n), Some(dep.span))
                .label("depends_on across the two branches")
                .revision(id(n))
                .help("the branches are tied by depends_on; merge the heads with `alembic merge heads` instead"),
            );
        }
    }
    // Through other revisions, depends_on could still close a loop.
    if problems.is_empty() {
        let all = all_ancestors(graph, onto);
        if let Some(&n) = moved.iter().find(|n| all.contains(n.index())) {
            problems.push(
                Diagnostic::new(
                    &REFUSED,
                    format!(
                        "{onto_id} depends on {} through depends_on; the rebase would make a cycle",
                        id(n)
                    ),
                )
                .at(file_of(onto), revision_span(onto))
                .label("this head depends on the moved branch")
                .revision(onto_id.clone()),
            );
        }
    }
    if !problems.is_empty() {
        problems.sort_by_cached_key(Diagnostic::sort_key);
        return Err(refused(
            format!(
                "cannot move {rev_id} onto {onto_id}: {}",
                count(problems.len(), "reason")
            ),
            problems,
        ));
    }

    let mut conflicts = conflicts(files, &moved, &other, graph);
    if !conflicts.is_empty() && !force {
        return Err(refused(
            format!(
                "cannot move {rev_id} onto {onto_id}: both branches change the same {}; check the moved branch still works after the other and pass --force, or merge the heads with `alembic merge heads`",
                if conflicts.len() == 1 {
                    "object"
                } else {
                    "objects"
                }
            ),
            conflicts,
        ));
    }
    for d in &mut conflicts {
        d.severity = Severity::Warning;
        d.help = Some(
            "passed over with --force: after the rebase this runs after the other branch's change; check it still works".to_owned(),
        );
    }

    let (path, before, edits) = edit(analysis, rev, &parent_id, &onto_id)?;
    let after = apply(&before, &edits);
    let moved_heads = moved
        .iter()
        .filter(|&&n| down_children(graph, n).next().is_none())
        .map(|&n| id(n))
        .collect();
    Ok(Rebase {
        rev: rev_id,
        file: file_of(rev),
        old_parent: parent_id,
        onto: onto_id,
        moved_heads,
        moved: moved.iter().map(|&n| file_of(n)).collect(),
        chosen: None,
        warnings: conflicts,
        path,
        before,
        after,
        edits,
    })
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What an operation touches, for telling whether two branches change
/// the same thing. Names compare case-insensitively: databases fold
/// unquoted names, and a false conflict only costs a `--force`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Table {
        schema: String,
        table: String,
    },
    Comment {
        schema: String,
        table: String,
    },
    Column {
        schema: String,
        table: String,
        column: String,
    },
    /// An index or constraint.
    Named(String),
}

impl Key {
    fn table(schema: Option<&str>, table: &str) -> Self {
        Key::Table {
            schema: lower(schema.unwrap_or("")),
            table: lower(table),
        }
    }

    fn column(schema: Option<&str>, table: &str, column: &str) -> Self {
        Key::Column {
            schema: lower(schema.unwrap_or("")),
            table: lower(table),
            column: lower(column),
        }
    }

    fn table_of(&self) -> Option<(&str, &str)> {
        match self {
            Key::Table { schema, table }
            | Key::Comment { schema, table }
            | Key::Column { schema, table, .. } => Some((schema, table)),
            Key::Named(_) => None,
        }
    }

    /// Whether a change to `self` and one to `other` touch the same thing:
    /// creating, dropping or renaming a table touches all of it.
    fn meets(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::Named(a), Key::Named(b)) => a == b,
            (Key::Table { .. }, _) | (_, Key::Table { .. }) => {
                self.table_of().is_some() && self.table_of() == other.table_of()
            }
            _ => self == other,
        }
    }

    fn describe(&self) -> String {
        let qualified = |schema: &str, table: &str| {
            if schema.is_empty() {
                table.to_owned()
            } else {
                format!("{schema}.{table}")
            }
        };
        match self {
            Key::Table { schema, table } => format!("table {}", qualified(schema, table)),
            Key::Comment { schema, table } => {
                format!("the comment of {}", qualified(schema, table))
            }
            Key::Column {
                schema,
                table,
                column,
            } => format!("column {}.{column}", qualified(schema, table)),
            Key::Named(name) => format!("index or constraint {name}"),
        }
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// The keys an upgrade operation touches.
fn keys(op: &Operation) -> Vec<Key> {
    let schema = op.schema.as_deref();
    let table = op.table.as_deref();
    let mut out = Vec::new();
    match op.kind {
        OpKind::CreateTable | OpKind::DropTable => out.extend(table.map(|t| Key::table(schema, t))),
        OpKind::RenameTable => {
            out.extend(table.map(|t| Key::table(schema, t)));
            out.extend(op.new_name.as_deref().map(|t| Key::table(schema, t)));
        }
        OpKind::CreateTableComment | OpKind::DropTableComment => {
            out.extend(table.map(|t| Key::Comment {
                schema: lower(schema.unwrap_or("")),
                table: lower(t),
            }))
        }
        OpKind::AddColumn | OpKind::DropColumn | OpKind::AlterColumn => {
            if let Some(t) = table {
                out.extend(op.column.as_deref().map(|c| Key::column(schema, t, c)));
                if op.kind == OpKind::AlterColumn {
                    out.extend(op.new_name.as_deref().map(|c| Key::column(schema, t, c)));
                }
            }
        }
        OpKind::CreateIndex
        | OpKind::DropIndex
        | OpKind::CreateUniqueConstraint
        | OpKind::CreateForeignKey
        | OpKind::CreatePrimaryKey
        | OpKind::CreateCheckConstraint
        | OpKind::CreateExcludeConstraint
        | OpKind::DropConstraint => out.extend(op.name.as_deref().map(|n| Key::Named(lower(n)))),
        OpKind::Execute => {
            for change in op.sql.iter().flat_map(|sql| sql.changes()) {
                out.extend(sql_keys(change));
            }
        }
        OpKind::BulkInsert | OpKind::Other => {}
    }
    out
}

fn sql_keys(change: &SchemaChange) -> Vec<Key> {
    let t = |r: &crate::sql::ObjectRef| Key::table(r.schema.as_deref(), &r.name);
    let c =
        |r: &crate::sql::ObjectRef, column: &str| Key::column(r.schema.as_deref(), &r.name, column);
    match change {
        SchemaChange::CreateTable { table, .. } | SchemaChange::DropTable { table } => {
            vec![t(table)]
        }
        SchemaChange::RenameTable { table, to } => {
            vec![t(table), Key::table(table.schema.as_deref(), to)]
        }
        SchemaChange::AddColumn { table, column } => vec![c(table, &column.name)],
        SchemaChange::DropColumn { table, column }
        | SchemaChange::SetNullable { table, column, .. } => {
            vec![c(table, column)]
        }
        SchemaChange::RenameColumn { table, from, to } => vec![c(table, from), c(table, to)],
        SchemaChange::CreateIndex { index, .. } | SchemaChange::DropIndex { index, .. } => {
            vec![Key::Named(lower(&index.name))]
        }
    }
}

/// One diagnostic per pair of keys the two branches both touch: the
/// moved branch's first operation, and the other branch's.
fn conflicts(
    files: &[RevisionFile],
    moved: &[NodeIndex],
    other: &[NodeIndex],
    graph: &RevisionGraph,
) -> Vec<Diagnostic> {
    struct Touch<'a> {
        key: Key,
        file: usize,
        op: &'a Operation,
    }
    let touches = |nodes: &[NodeIndex]| -> Vec<Touch<'_>> {
        nodes
            .iter()
            .map(|&n| graph.dag[n])
            .flat_map(|f| {
                files[f].upgrade_ops().iter().flat_map(move |op| {
                    keys(op)
                        .into_iter()
                        .map(move |key| Touch { key, file: f, op })
                })
            })
            .collect()
    };
    let (ours, theirs) = (touches(moved), touches(other));
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for a in &ours {
        for b in theirs.iter().filter(|b| a.key.meets(&b.key)) {
            // The narrower of the two says what both touch.
            let subject = if matches!(a.key, Key::Table { .. }) {
                &b.key
            } else {
                &a.key
            };
            if !seen.insert(subject.clone()) {
                continue;
            }
            let rev = |f: usize| files[f].revision_id().unwrap_or_default();
            out.push(
                Diagnostic::new(
                    &CONFLICT,
                    format!(
                        "both branches change {}: {} in {} (moved) and {} in {}",
                        subject.describe(),
                        a.op.method(),
                        rev(a.file),
                        b.op.method(),
                        rev(b.file)
                    ),
                )
                .at(a.file, Some(a.op.span))
                .label(format!("{} on the branch to move", a.op.method()))
                .related(b.file, Some(b.op.span), format!("{} on the branch of the head", b.op.method()))
                .revision(rev(a.file).to_owned())
                .help("after the rebase this runs after the other branch's change; check it still works, then pass --force, or merge the heads with `alembic merge heads`"),
            );
        }
    }
    out.sort_by_cached_key(Diagnostic::sort_key);
    out
}

/// Reads the moved revision's file and finds what to replace: the
/// `down_revision` literal (its prefix and quotes kept) and the id on the
/// docstring's `Revises:` line.
fn edit(
    analysis: &Analysis,
    rev: NodeIndex,
    old: &str,
    new: &str,
) -> Result<(PathBuf, String, Vec<Edit>), RebaseError> {
    let index = analysis.graph.dag[rev];
    let file = &analysis.files[index];
    let path = file.path.clone();
    let bytes =
        crate::fsio::read_regular(&path, crate::fsio::MAX_INPUT_BYTES).map_err(|error| {
            RebaseError::Read {
                path: path.clone(),
                error,
            }
        })?;
    let rev_id = file.revision_id().unwrap_or_default();
    let refuse = |message: String, span: Option<Span>, label: &str| {
        refused(
            format!(
                "{}: {message}; edit its down_revision by hand",
                file.rel_path
            ),
            vec![
                Diagnostic::new(&REFUSED, message)
                    .at(index, span)
                    .label(label)
                    .revision(rev_id.to_owned()),
            ],
        )
    };
    // Offsets must be the file's bytes: a Latin-1 file's decoded text
    // has other offsets.
    let Ok(source) = String::from_utf8(bytes) else {
        return Err(refuse(
            "the file is not UTF-8".to_owned(),
            None,
            "rebase rewrites UTF-8 files only",
        ));
    };
    // Read again: the file may have changed since the analysis (or came
    // from the cache), and the spans must be this text's.
    let mut fresh = RevisionFile::unread(path.clone(), file.rel_path.clone());
    fresh.set_source(source.clone());
    let module = crate::extract::extract_parsed(&mut fresh, analysis.dialect);
    let down = &fresh.header.down_revisions;
    let (Some(module), None, [down]) = (module, &fresh.problem, down.as_slice()) else {
        return Err(refuse(
            "the file changed since it was read".to_owned(),
            None,
            "read it again",
        ));
    };
    if fresh.revision_id() != Some(rev_id) || down.value != old {
        return Err(refuse(
            "the file changed since it was read".to_owned(),
            None,
            "read it again",
        ));
    }
    let literal = down.span.text(&source);
    let Some((prefix, quote)) = string_literal(literal, old) else {
        return Err(refuse(
            format!("down_revision is written as `{literal}`, not a plain string literal"),
            Some(down.span),
            "rebase rewrites a string literal only",
        ));
    };
    if new.contains(['\\', '\n', '\r']) || new.contains(&quote[..1]) {
        return Err(refuse(
            format!("the id {new} cannot be written between {quote} quotes as it is"),
            Some(down.span),
            "here",
        ));
    }
    let mut edits = vec![Edit {
        span: down.span,
        replacement: format!("{prefix}{quote}{new}{quote}"),
    }];
    if let Some(edit) = revises_line(&module, &source, new) {
        edits.push(edit);
    }
    edits.sort_by_key(|e| e.span.start);
    Ok((path, source, edits))
}

/// `(prefix, quote)` of a string literal whose text is exactly `value`
/// between one pair of quotes (no escapes, no implicit concatenation).
fn string_literal<'a>(literal: &'a str, value: &str) -> Option<(&'a str, &'a str)> {
    let body_start = literal.find(['\'', '"'])?;
    let prefix = &literal[..body_start];
    if !prefix.chars().all(|c| matches!(c, 'u' | 'U' | 'r' | 'R')) {
        return None;
    }
    let rest = &literal[body_start..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| rest.starts_with(q))?;
    let inner = rest.strip_prefix(quote)?.strip_suffix(quote)?;
    (inner == value).then(|| (prefix, &rest[..quote.len()]))
}

/// The id on the module docstring's `Revises:` line, as Alembic's
/// template writes it (`Revises: <down_revision>`).
fn revises_line(module: &python::Module, source: &str, new: &str) -> Option<Edit> {
    let Some(python::Stmt::Expr {
        value: python::Expr::Str { span, .. },
        ..
    }) = module.body.first()
    else {
        return None;
    };
    let text = span.text(source);
    let mut offset = span.start as usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        // The first line starts with the opening quotes.
        let opening = if i == 0 {
            let prefix = line.len() - line.trim_start_matches(['u', 'U', 'r', 'R']).len();
            let quotes =
                line[prefix..].len() - line[prefix..].trim_start_matches(['"', '\'']).len();
            prefix + quotes
        } else {
            0
        };
        let line = &line[opening..];
        let start = start + opening;
        let trimmed = line.trim_start();
        let Some(after) = trimmed.strip_prefix("Revises:") else {
            continue;
        };
        let value_start = start + (line.len() - trimmed.len()) + "Revises:".len();
        let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
        let value = after[spaces..].trim_end();
        // A value is at most one line, never the docstring's closing quotes.
        let value = value.split(['"', '\'']).next().unwrap_or("").trim_end();
        let at = (value_start + spaces) as u32;
        let replacement = if spaces == 0 {
            format!(" {new}")
        } else {
            new.to_owned()
        };
        return Some(Edit {
            span: Span::new(at, at + value.len() as u32),
            replacement,
        });
    }
    None
}

fn apply(source: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.span.start as usize]);
        out.push_str(&edit.replacement);
        at = edit.span.end as usize;
    }
    out.push_str(&source[at..]);
    out
}

impl Rebase {
    /// The change as a unified diff, the file named `name` on both sides.
    pub fn diff(&self, name: &str) -> String {
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .header(name, name)
            .to_string()
    }

    /// Replaces the file atomically (its mode kept). A read-only file, or
    /// one changed since it was read, is left as it is.
    pub fn write(&self) -> Result<(), WriteError> {
        let meta = std::fs::metadata(&self.path).map_err(|error| WriteError::Read {
            path: self.path.clone(),
            error,
        })?;
        let writable = !meta.permissions().readonly()
            && rustix::fs::access(&self.path, rustix::fs::Access::WRITE_OK).is_ok();
        if !writable {
            return Err(WriteError::ReadOnly(self.path.clone()));
        }
        let now = crate::fsio::read_regular(&self.path, crate::fsio::MAX_INPUT_BYTES).map_err(
            |error| WriteError::Read {
                path: self.path.clone(),
                error,
            },
        )?;
        if now != self.before.as_bytes() {
            return Err(WriteError::Changed(self.path.clone()));
        }
        crate::fsio::Destination::resolve(&self.path)?.write(true, |file| {
            use std::io::Write;
            file.write_all(self.after.as_bytes())
        })?;
        Ok(())
    }
}

fn down_parents(graph: &RevisionGraph, n: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
    graph
        .dag
        .edges_directed(n, Direction::Incoming)
        .filter(|e| *e.weight() == EdgeKind::DownRevision)
        .map(|e| e.source())
}

fn down_children(graph: &RevisionGraph, n: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
    graph
        .dag
        .edges_directed(n, Direction::Outgoing)
        .filter(|e| *e.weight() == EdgeKind::DownRevision)
        .map(|e| e.target())
}

/// `starts` and their ancestors through `down_revision`.
fn down_ancestors(graph: &RevisionGraph, starts: &[NodeIndex]) -> FixedBitSet {
    walk_up(graph, starts, |k| k == EdgeKind::DownRevision)
}

/// `start` and its ancestors through `down_revision` and `depends_on`.
fn all_ancestors(graph: &RevisionGraph, start: NodeIndex) -> FixedBitSet {
    walk_up(graph, &[start], |_| true)
}

fn walk_up(
    graph: &RevisionGraph,
    starts: &[NodeIndex],
    follow: impl Fn(EdgeKind) -> bool,
) -> FixedBitSet {
    let mut seen = FixedBitSet::with_capacity(graph.dag.node_count());
    let mut stack: Vec<NodeIndex> = starts.to_vec();
    while let Some(n) = stack.pop() {
        if seen.put(n.index()) {
            continue;
        }
        stack.extend(
            graph
                .dag
                .edges_directed(n, Direction::Incoming)
                .filter(|e| follow(*e.weight()))
                .map(|e| e.source()),
        );
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_keep_their_prefix_and_quotes() {
        assert_eq!(string_literal("'abc'", "abc"), Some(("", "'")));
        assert_eq!(string_literal("u\"abc\"", "abc"), Some(("u", "\"")));
        assert_eq!(
            string_literal("\"\"\"abc\"\"\"", "abc"),
            Some(("", "\"\"\""))
        );
        assert_eq!(string_literal("'ab' 'c'", "abc"), None);
        assert_eq!(string_literal("PREVIOUS", "abc"), None);
        assert_eq!(string_literal("b'abc'", "abc"), None);
    }

    #[test]
    fn revises_line_is_found_with_crlf_and_without_a_value() {
        let source =
            "\"\"\"msg\r\n\r\nRevision ID: b\r\nRevises: a\r\n\"\"\"\r\nrevision = 'b'\r\n";
        let module = python::parse_module(source).unwrap();
        let edit = revises_line(&module, source, "zz").unwrap();
        assert_eq!(edit.span.text(source), "a");
        assert_eq!(
            apply(source, &[edit]),
            source.replace("Revises: a", "Revises: zz")
        );
        let source = "\"\"\"msg\n\nRevises:\n\"\"\"\n";
        let module = python::parse_module(source).unwrap();
        let edit = revises_line(&module, source, "zz").unwrap();
        assert_eq!(apply(source, &[edit]), "\"\"\"msg\n\nRevises: zz\n\"\"\"\n");
        let source = "\"\"\"Revises: a\"\"\"\n";
        let module = python::parse_module(source).unwrap();
        let edit = revises_line(&module, source, "zz").unwrap();
        assert_eq!(apply(source, &[edit]), "\"\"\"Revises: zz\"\"\"\n");
    }

    fn history(revs: &[(&str, &str)]) -> (Vec<RevisionFile>, RevisionGraph) {
        let files: Vec<RevisionFile> = revs
            .iter()
            .map(|(id, down)| {
                crate::extract::extract_str(&format!("revision = '{id}'\ndown_revision = {down}\n"))
            })
            .collect();
        let graph = RevisionGraph::build(&files);
        (files, graph)
    }

    fn heads(graph: &RevisionGraph) -> [NodeIndex; 2] {
        let heads: Vec<NodeIndex> = graph.heads.iter().map(|h| graph.node(h).unwrap()).collect();
        heads.try_into().unwrap()
    }

    #[test]
    fn two_branches_fork_from_one_revision() {
        let (files, graph) = history(&[
            ("base", "None"),
            ("a1", "'base'"),
            ("a2", "'a1'"),
            ("b1", "'base'"),
            ("b2", "'b1'"),
            ("b3", "'b2'"),
        ]);
        let fork = fork(&graph, heads(&graph)).unwrap();
        let id = |n: NodeIndex| files[graph.dag[n]].revision_id().unwrap();
        assert_eq!(id(fork.point), "base");
        let [a, b] = &fork.branches;
        assert_eq!((id(a.first), id(a.head), a.members.len()), ("a1", "a2", 2));
        assert_eq!((id(b.first), id(b.head), b.members.len()), ("b1", "b3", 3));
        // Alembic applies the branch of the head loaded first last.
        assert_eq!(
            suggestion(&graph, &files, heads(&graph)),
            Some(("a1".to_owned(), "b3".to_owned()))
        );
    }

    #[test]
    fn heads_that_fork_twice_or_from_a_merge_have_no_fork() {
        // b's branch merges a revision of the common trunk: two starts.
        let (_, graph) = history(&[
            ("base", "None"),
            ("t", "'base'"),
            ("a1", "'t'"),
            ("b1", "'base'"),
            ("b2", "('b1', 't')"),
        ]);
        assert!(fork(&graph, heads(&graph)).is_none());
        // Two bases: no revision both descend from.
        let (_, graph) = history(&[("a", "None"), ("b", "None")]);
        assert!(fork(&graph, heads(&graph)).is_none());
    }

    #[test]
    fn operations_name_what_they_touch() {
        let file = crate::extract::extract_str(
            "revision = 'a'\ndown_revision = None\ndef upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n    with op.batch_alter_table('u') as b:\n        b.alter_column('x', new_column_name='y')\n    op.create_index('ix_t_c', 't', ['c'])\n    op.rename_table('v', 'w')\n    op.execute('ALTER TABLE s.t2 DROP COLUMN d')\n    op.bulk_insert(t, [])\n",
        );
        let touched: Vec<Key> = file.upgrade_ops().iter().flat_map(keys).collect();
        assert_eq!(
            touched,
            [
                Key::column(None, "t", "c"),
                Key::column(None, "u", "x"),
                Key::column(None, "u", "y"),
                Key::Named("ix_t_c".into()),
                Key::table(None, "v"),
                Key::table(None, "w"),
                Key::column(Some("s"), "t2", "d"),
            ]
        );
    }

    #[test]
    fn keys_meet_on_the_same_object() {
        let column = Key::column(None, "Orders", "status");
        assert!(column.meets(&Key::column(None, "orders", "STATUS")));
        assert!(!column.meets(&Key::column(None, "orders", "total")));
        assert!(Key::table(None, "orders").meets(&column));
        assert!(column.meets(&Key::table(None, "orders")));
        assert!(!Key::table(Some("s"), "orders").meets(&column));
        assert!(Key::Named("ix_a".into()).meets(&Key::Named("ix_a".into())));
        assert!(!Key::Named("ix_a".into()).meets(&Key::table(None, "ix_a")));
    }
}
