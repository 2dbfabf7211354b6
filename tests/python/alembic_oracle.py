#!/usr/bin/env python3
"""Reference ("oracle") view of an Alembic revision history, computed by Alembic itself.

Usage:
    alembic_oracle.py PATH

PATH is one of:
  * an ``alembic.ini`` file (any file name; it is read with ``alembic.config.Config``),
  * a directory containing ``alembic.ini``,
  * a script directory (``env.py`` plus ``versions/``, no ``alembic.ini``): loaded as
    ``ScriptDirectory(dir=PATH)``, i.e. Alembic's default layout,
  * a bare versions directory (any other directory); it is loaded as
    ``ScriptDirectory(dir=<parent>, version_locations=[<versions dir>])``.

For the ``alembic.ini`` forms the script runs from the directory holding the ini file,
exactly like ``alembic -c alembic.ini ...`` run from there: relative ``script_location``,
``version_locations`` and ``prepend_sys_path`` values resolve against that directory.
A ``pyproject.toml`` next to the ini file is honoured the same way the Alembic CLI does.

Prints exactly one JSON object on stdout (see tests/python/README.md for the shape) and
exits 0, also when Alembic refuses the history: then ``ok`` is false and ``error`` is
``"<ExceptionClass>: <message>"``.  Exit status 2 means the oracle itself was misused
(bad arguments, PATH missing, Alembic not importable).

Anything the migration files or Alembic print, and every Python warning Alembic emits,
goes to stderr; the warning texts are also returned in the ``warnings`` list.

Determinism: a few of Alembic's results depend on ``set``/``frozenset`` iteration order
of revision-id strings, i.e. on ``PYTHONHASHSEED`` (see README).  Unless the caller
already set ``PYTHONHASHSEED``, the script re-executes itself with ``PYTHONHASHSEED=0``
so that repeated runs give byte-identical output.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any, NoReturn

INI_NAME = "alembic.ini"


def fatal(message: str, usage: bool = False) -> NoReturn:
    print(f"alembic_oracle.py: {message}", file=sys.stderr)
    if usage:
        print("usage: alembic_oracle.py PATH   (alembic.ini, a directory containing it, "
              "or a versions directory)", file=sys.stderr)
    sys.exit(2)


@contextlib.contextmanager
def stdout_to_stderr():
    """Route fd 1 (and sys.stdout) to stderr, so only our JSON reaches the real stdout.

    Done at the file-descriptor level so that output from C extensions or subprocesses
    spawned by migration modules cannot corrupt the JSON either.
    """
    sys.stdout.flush()
    saved_fd = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fd, 1)
        os.close(saved_fd)


def load_script_directory(target: Path):
    """Build the ScriptDirectory the way the Alembic CLI would for this PATH."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    ini: Path | None = None
    if target.is_file():
        ini = target
    elif (target / INI_NAME).is_file():
        ini = target / INI_NAME

    if ini is not None:
        ini = ini.resolve()
        os.chdir(ini.parent)
        cfg = Config(file_=str(ini), toml_file=str(ini.parent / "pyproject.toml"))
        return ScriptDirectory.from_config(cfg)

    if (target / "env.py").is_file() and (target / "versions").is_dir():
        # A script_location directory (env.py + versions/) given without its ini file:
        # Alembic's default layout, versions in <dir>/versions.
        return ScriptDirectory(dir=str(target.resolve()))

    # Bare versions directory.  ScriptDirectory.__init__ only checks that ``dir`` exists
    # and stores ``version_locations``; _version_locations then uses them verbatim
    # (made absolute) instead of "<dir>/versions".
    versions = target.resolve()
    return ScriptDirectory(dir=str(versions.parent), version_locations=[str(versions)])


def relative_to_location(script_path: str, locations: list[Path]) -> str:
    """Path of a revision file relative to the version location that holds it.

    Alembic stores ``Path.resolve()``-d file paths, so compare against resolved roots and
    pick the deepest root that contains the file (locations may be nested).
    """
    p = Path(script_path)
    best: Path | None = None
    for loc in locations:
        try:
            rel = p.relative_to(loc)
        except ValueError:
            continue
        if best is None or len(rel.parts) < len(best.parts):
            best = rel
    if best is None:
        best = Path(os.path.relpath(p, locations[0])) if locations else p
    return best.as_posix()


def as_list(value: Any) -> list[Any]:
    """Alembic's util.to_tuple, as a JSON-friendly list (None -> [])."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def describe(script_dir, stage: list[str]) -> dict[str, Any]:
    stage[0] = "load"
    rmap = script_dir.revision_map
    # Touching .heads builds the whole map: loads every file, resolves branch labels and
    # depends_on, links parents, detects cycles.  Most load errors surface here.
    heads = list(rmap.heads)

    locations = [Path(loc).resolve() for loc in script_dir._version_locations]

    revisions: dict[str, Any] = {}
    for key, rev in rmap._revision_map.items():
        # The map also holds branch labels (pointing at the declaring revision) and the
        # None / () sentinels; keep only real revision-id entries.
        if rev is None or key != rev.revision:
            continue
        module = getattr(rev, "module", None)
        revisions[rev.revision] = {
            "down_revisions": list(rev._versioned_down_revisions),
            "depends_on": as_list(getattr(module, "depends_on", None)),
            "dependencies": list(rev._resolved_dependencies),
            "normalized_dependencies": sorted(rev._normalized_resolved_dependencies),
            "branch_labels_declared": list(rev._orig_branch_labels),
            "branch_labels": sorted(rev.branch_labels),
            "path": relative_to_location(rev.path, locations),
            "is_merge_point": rev.is_merge_point,
            "is_branch_point": rev.is_branch_point,
            "is_head": rev.is_head,
            "is_base": rev.is_base,
        }

    # upgrade_order: the exact call `alembic upgrade heads` makes.  command.upgrade()
    # hands MigrationContext the callback `script._upgrade_revs(revision, rev)`, where
    # `rev` is MigrationContext.get_current_heads() -- () on an empty database (no
    # alembic_version table).  _upgrade_revs runs
    # revision_map.iterate_revisions("heads", (), implicit_base=True): "heads" resolves
    # to _real_heads (heads once depends_on edges count), their ancestors (parents and
    # dependencies) are collected with an overlap check, topologically sorted with
    # Alembic's tie-breaking (revision-map insertion order = file-load order), and the
    # list is reversed into application order.  reversed(walk_revisions()) and
    # reversed(iterate_revisions("heads", "base")) gave the same order on every history
    # tried, but they are not what the command executes (e.g. they skip the
    # RevisionStep construction, which fails for a file without upgrade()), so the real
    # call is used.  Checked against the "-- Running upgrade" lines of
    # `alembic upgrade heads --sql`.  No database is needed.
    stage[0] = "upgrade_plan"
    steps = script_dir._upgrade_revs("heads", ())
    upgrade_order = [step.revision.revision for step in steps]

    return {
        "revisions": revisions,
        "heads": sorted(heads),
        "bases": sorted(rmap.bases),
        "real_heads": sorted(rmap._real_heads),
        "real_bases": sorted(rmap._real_bases),
        "merge_points": sorted(r for r, d in revisions.items() if d["is_merge_point"]),
        "branch_points": sorted(r for r, d in revisions.items() if d["is_branch_point"]),
        "upgrade_order": upgrade_order,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        fatal("expected exactly one PATH argument", usage=True)
    target = Path(argv[1])
    if not target.exists():
        fatal(f"no such file or directory: {argv[1]}", usage=True)
    try:
        import alembic  # noqa: F401
    except ImportError as exc:
        fatal(f"this interpreter ({sys.executable}) cannot import alembic ({exc}); "
              "run scripts/setup-test-env.sh and use .testenv/venv/bin/python")

    # Running as a script put this file's directory first on sys.path; the Alembic CLI
    # would not have it there, and it must not shadow modules migrations import.
    here = Path(__file__).resolve().parent
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == here:
        del sys.path[0]

    caught: list[warnings.WarningMessage] = []
    result: dict[str, Any]
    with stdout_to_stderr(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # "config": reading alembic.ini / building the ScriptDirectory; "load": importing
        # the revision files and building the revision map; "upgrade_plan": computing
        # what `alembic upgrade heads` would run (e.g. duplicate revision ids and files
        # without an upgrade() load fine but fail here, as they do for the real command).
        stage = ["config"]
        try:
            script_dir = load_script_directory(target)
            result = {"ok": True, "error": None, "stage": None, **describe(script_dir, stage)}
        except (Exception, SystemExit) as exc:  # migration modules may call sys.exit()
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                      "stage": stage[0], "revisions": {}}

    warning_texts = [f"{w.category.__name__}: {w.message}" for w in caught]
    for text in warning_texts:
        print(f"alembic_oracle.py: {text}", file=sys.stderr)
    result["warnings"] = warning_texts

    sys.stdout.write(json.dumps(result, indent=None, sort_keys=False, default=repr) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    # Loading a revision file imports it; never leave __pycache__ in the inspected tree.
    sys.dont_write_bytecode = True
    if os.environ.get("PYTHONHASHSEED") is None:
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *sys.argv[1:]],
                  dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1"))
    sys.exit(main(sys.argv))
