#!/usr/bin/env python3
"""Mutation testing for migsquash.

Copies a bundled history (sample_migrations/), damages it the way real
histories get damaged (and the way an attacker would), and runs migsquash on
the result. For every mutant:

- analyze, check and consolidate exit with 0, 1 or 2, are not killed by a
  signal, do not panic and finish within --timeout seconds;
- every `--format json` (and `--format sarif`) output is one valid JSON
  document (strict UTF-8, no NaN, no duplicate keys) whenever the command
  ran (exit 0 or 1);
- `analyze --format json` and `check --format json` print exactly the same
  (exit code, stdout, stderr) with `--no-cache`, with a fresh `--cache-dir`
  (cold) and with the same one again (warm); after an edit to the history,
  a run with that cache prints what a fresh one does;
- a baseline consolidate writes is valid Python whenever every revision
  file is (checked with this interpreter), and none is written when it
  refuses.

Mutant N of seed S is always the same mutant: `--seed S --mutant N` replays
it. A failing mutant is kept under --keep-failures with a REPORT.txt.

Known findings live in tests/mutation_findings/<name>/ (a history and a
finding.json); a failure they describe is reported as known, and a known
finding whose fixture no longer fails fails the run (delete it with the fix).
Exit status: 0 clean, 1 a new failure or a fixed finding, 2 bad usage.

Standard library only; Python 3.9 or newer.

    python3 scripts/mutation_test.py --migsquash target/release/migsquash --seconds 600
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_migrations"
KNOWN_DIR = REPO / "tests" / "mutation_findings"

# ---------------------------------------------------------------------------
# Histories


@functools.cache
def bundled_histories() -> tuple[str, ...]:
    """Every bundled history, relative to sample_migrations/, sorted."""
    out = []
    for group in ("", "edge_cases/"):
        base = SAMPLES / group
        for entry in sorted(os.listdir(base)):
            if (base / entry / "alembic.ini").is_file():
                out.append(group + entry)
    return tuple(out)


@functools.cache
def donor_files() -> tuple[Path, ...]:
    """Every *.py file of the bundled histories, to splice lines from."""
    return tuple(p for h in bundled_histories() for p in sorted((SAMPLES / h).rglob("*.py")))


def skip_copy(name: str) -> bool:
    return name in ("__pycache__", ".migsquash_cache")


def copy_tree(src: Path, dst: Path) -> None:
    """Copies a folder keeping symlinks as links and FIFOs as FIFOs (a FIFO
    is never opened: copying one would block)."""
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if skip_copy(name):
            continue
        s, d = src / name, dst / name
        mode = os.lstat(s).st_mode
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(s), d)
        elif stat.S_ISDIR(mode):
            copy_tree(s, d)
        elif stat.S_ISFIFO(mode):
            os.mkfifo(d)
        elif stat.S_ISREG(mode):
            shutil.copyfile(s, d)


class Mutant:
    """A copy of one bundled history in `root`, being mutated."""

    def __init__(self, root: Path, history: str, rng: random.Random):
        self.root = root
        self.history = history
        self.rng = rng
        self.name = history.split("/")[-1]
        self.dir = root / self.name
        if history.startswith("edge_cases/"):
            # The edge cases share ../_env through script_location.
            copy_tree(SAMPLES / "edge_cases" / "_env", root / "_env")
        copy_tree(SAMPLES / history, self.dir)
        self.log: list[str] = []
        self.gentle = False

    # Files -----------------------------------------------------------------

    def versions_dirs(self) -> list[Path]:
        out = []
        for dirpath, dirnames, _ in os.walk(self.dir):
            dirnames.sort()
            if Path(dirpath).name == "versions":
                out.append(Path(dirpath))
        return out

    def revision_files(self) -> list[Path]:
        """Regular *.py files under a versions folder, sorted."""
        out = []
        for versions in self.versions_dirs():
            for dirpath, dirnames, filenames in os.walk(versions):
                dirnames.sort()
                for f in sorted(filenames):
                    p = Path(dirpath) / f
                    if (
                        f.endswith(".py")
                        and f != "__init__.py"
                        and os.path.isfile(p)
                        and not os.path.islink(p)
                    ):
                        out.append(p)
        return out

    def rel(self, path: Path) -> str:
        return os.path.relpath(path, self.root)

    def pick_file(self) -> Path | None:
        files = self.revision_files()
        return self.rng.choice(files) if files else None

    def ids(self) -> list[str]:
        out = set()
        for f in self.revision_files():
            rev = header_value(read(f), "revision")
            if rev is not None:
                out.add(rev)
        return sorted(out)

    def tables(self) -> list[str]:
        names = set()
        pattern = re.compile(
            rb"op\.(?:create_table|drop_table|add_column|drop_column|alter_column|batch_alter_table)"
            rb"\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']"
        )
        for f in self.revision_files():
            for m in pattern.finditer(read(f)):
                names.add(m.group(1).decode("ascii"))
        return sorted(names) or ["accounts"]

    def note(self, text: str) -> None:
        self.log.append(text)

    def mode(self) -> str:
        return "gentle" if self.gentle else "hostile"


def read(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def write(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def header_value(source: bytes, name: str) -> str | None:
    m = re.search(
        rb"^" + name.encode() + rb"\s*(?::[^=\n]*)?=\s*u?[\"']([^\"'\n]*)[\"']",
        source,
        re.MULTILINE,
    )
    return m.group(1).decode("latin-1") if m else None


def down_revisions(source: bytes) -> list[str]:
    """The ids quoted in the last `down_revision = ...` statement (roughly:
    up to the first closing bracket or line end)."""
    statement = rb"^down_revision\s*(?::[^=\n]*)?=\s*([(\[][^)\]]*|[^\n]*)"
    found = re.findall(statement, source, re.MULTILINE)
    return (
        [x.decode("latin-1") for x in re.findall(rb"[\"']([^\"'\n]*)[\"']", found[-1])]
        if found
        else []
    )


def lines(data: bytes) -> list[bytes]:
    # bytes.splitlines splits on \n, \r\n and \r only, as Python's tokenizer.
    return data.splitlines(keepends=True)


def line_end(data: bytes) -> bytes:
    if b"\r\n" in data:
        return b"\r\n"
    if b"\n" not in data and b"\r" in data:
        return b"\r"
    return b"\n"


def upgrade_body_line(ls: list[bytes], func: bytes = b"upgrade") -> tuple[int, bytes] | None:
    """(index after `def upgrade(...):`, the body's indentation), if any."""
    for i, line in enumerate(ls):
        if line.lstrip().startswith(b"def " + func) and line.rstrip().endswith(b":"):
            indent = b"    "
            for nxt in ls[i + 1 :]:
                if nxt.strip():
                    indent = nxt[: len(nxt) - len(nxt.lstrip())] or b"    "
                    break
            return i + 1, indent
    return None


def insert_code(m: Mutant, path: Path, code: str, where: str | None = None) -> str:
    """Inserts `code` (lines joined by \\n, indented relative to each
    other) in upgrade(), downgrade(), at module level or at a random line.
    Returns where it went."""
    rng = m.rng
    data = read(path)
    ls = lines(data)
    eol = line_end(data)
    if where is None:
        # A random line with a random indentation mostly breaks the syntax.
        where = rng.choice(
            ["upgrade", "upgrade", "downgrade"]
            if m.gentle
            else ["upgrade", "upgrade", "upgrade", "downgrade", "module", "random"]
        )
    body = None
    if where in ("upgrade", "downgrade"):
        body = upgrade_body_line(ls, where.encode())
        if body is None:
            where = "module"
    if where == "random":
        at, indent = rng.randint(0, len(ls)), b" " * rng.choice([0, 0, 4, 8])
    elif where == "module":
        at, indent = len(ls), b""
    else:
        at, indent = body  # type: ignore[misc]
    if at == len(ls) and ls and not ls[-1].endswith((b"\n", b"\r")):
        ls[-1] += eol
    block = b"".join(
        indent + line.encode("utf-8", "surrogatepass") + eol for line in code.split("\n")
    )
    ls.insert(at, block)
    write(path, b"".join(ls))
    return f"{where}:{at + 1}"


def set_header(m: Mutant, path: Path, name: str, literal: str) -> None:
    """Replaces the last `name = ...` line at column 0 with `name = literal`,
    or adds one."""
    data = read(path)
    ls = lines(data)
    eol = line_end(data)
    new = f"{name} = ".encode() + literal.encode("utf-8", "surrogatepass") + eol
    for i in range(len(ls) - 1, -1, -1):
        if ls[i].startswith(name.encode()) and ls[i][len(name) :].lstrip()[:1] in (b"=", b":"):
            ls[i] = new
            break
    else:
        at = 0
        for i, line in enumerate(ls):
            if line.startswith((b"import ", b"from ")):
                at = i + 1
        if at == len(ls) and ls and not ls[-1].endswith((b"\n", b"\r")):
            ls[-1] += eol
        ls.insert(at, new)
    write(path, b"".join(ls))


def rand_id(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(12))


# ---------------------------------------------------------------------------
# Mutations. Each takes the mutant, changes its files, and records what it
# did with m.note(...). They choose everything with m.rng, in sorted orders,
# so a seed gives the same mutant everywhere.


def mut_delete_lines(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ls = lines(read(f))
    if not ls:
        return
    i = m.rng.randrange(len(ls))
    n = m.rng.choice([1, 1, 1, 2, 3, 8])
    del ls[i : i + n]
    write(f, b"".join(ls))
    m.note(f"delete lines {i + 1}..{i + n} of {m.rel(f)}")


def mut_duplicate_lines(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ls = lines(read(f))
    if not ls:
        return
    i = m.rng.randrange(len(ls))
    n = m.rng.choice([1, 1, 2, 5])
    times = m.rng.choice([1, 1, 2, 50])
    ls[i:i] = ls[i : i + n] * times
    write(f, b"".join(ls))
    m.note(f"duplicate lines {i + 1}..{i + n} of {m.rel(f)} x{times}")


def mut_swap_lines(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ls = lines(read(f))
    if len(ls) < 2:
        return
    i = m.rng.randrange(len(ls))
    j = min(len(ls) - 1, i + 1) if m.rng.random() < 0.5 else m.rng.randrange(len(ls))
    ls[i], ls[j] = ls[j], ls[i]
    write(f, b"".join(ls))
    m.note(f"swap lines {i + 1} and {j + 1} of {m.rel(f)}")


def mut_truncate(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    data = read(f)
    at = m.rng.randint(0, len(data))
    write(f, data[:at])
    m.note(f"truncate {m.rel(f)} at byte {at} of {len(data)}")


def mut_flip_bytes(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    data = bytearray(read(f))
    if not data:
        return
    done = []
    for _ in range(m.rng.choice([1, 1, 2, 4, 16])):
        i = m.rng.randrange(len(data))
        old = data[i]
        if m.rng.random() < 0.5:
            data[i] ^= 1 << m.rng.randrange(8)
        else:
            data[i] = m.rng.choice(b"()[]{}:;,.=\"'\\#\n\r\t \x00\x0c@*%$-+")
        done.append(f"{i}:{old:#04x}->{data[i]:#04x}")
    write(f, bytes(data))
    m.note(f"flip bytes of {m.rel(f)} ({', '.join(done)})")


BAD_UTF8 = [
    b"\xe9",  # Latin-1 e-acute
    b"\x80",  # lone continuation byte
    b"\xc3\x28",  # truncated sequence
    b"\xc0\xaf",  # overlong '/'
    b"\xed\xa0\x80",  # encoded surrogate
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\xff\xfe",
    b"\xe2\x82",  # cut three-byte sequence
]


def mut_non_utf8(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    data = read(f)
    bad = m.rng.choice(BAD_UTF8)
    kind = m.rng.choice(["anywhere", "string", "revision", "comment", "latin1", "end"])
    if kind == "anywhere":
        i = m.rng.randint(0, len(data))
        data = data[:i] + bad + data[i:]
    elif kind == "end":
        data = data + bad
    elif kind in ("string", "revision"):
        needle = b'revision = "' if kind == "revision" else b'"'
        i = (
            data.find(needle)
            if kind == "revision"
            else (data.find(needle, m.rng.randint(0, len(data))))
        )
        i = max(i, 0)
        i += len(needle)
        data = data[:i] + bad + data[i:]
    elif kind == "comment":
        data = b"# " + bad + b"\n" + data
    else:
        try:
            data = data.decode("utf-8").encode("latin-1", "replace") + "# caf\xe9\n".encode(
                "latin-1"
            )
        except UnicodeDecodeError:
            pass
    write(f, data)
    m.note(f"non-UTF-8 bytes {bad!r} ({kind}) in {m.rel(f)}")


def mut_line_ends(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    data = read(f).replace(b"\r\n", b"\n")
    kind = m.rng.choice(["crlf", "cr", "mixed", "lf-cr"])
    if kind == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif kind == "cr":
        data = data.replace(b"\n", b"\r")
    elif kind == "lf-cr":
        data = data.replace(b"\n", b"\n\r")
    else:
        ls = data.split(b"\n")
        data = b"".join(line + m.rng.choice([b"\n", b"\r\n", b"\r"]) for line in ls[:-1]) + ls[-1]
    write(f, data)
    m.note(f"line ends {kind} in {m.rel(f)}")


def mut_bom(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    data = read(f)
    kind = m.rng.choice(["utf8", "utf8", "double", "middle", "utf16", "coding-latin1"])
    bom = b"\xef\xbb\xbf"
    if kind == "utf8":
        data = bom + data
    elif kind == "double":
        data = bom + bom + data
    elif kind == "middle":
        i = m.rng.randint(0, len(data))
        data = data[:i] + bom + data[i:]
    elif kind == "utf16":
        data = data.decode("utf-8", "replace").encode("utf-16")
    else:
        data = bom + b"# -*- coding: latin-1 -*-\n" + data
    write(f, data)
    m.note(f"byte order mark ({kind}) in {m.rel(f)}")


def mut_huge_line(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    n = m.rng.choice([10_000, 100_000, 1_000_000, 4_000_000])
    kind = m.rng.choice(["comment", "string", "sql", "statements", "column-list", "docstring"])
    if kind == "comment":
        code = "# " + "x" * n
    elif kind == "string":
        code = "_big = '" + "y" * n + "'"
    elif kind == "sql":
        code = 'op.execute("' + "SELECT 1; " * (n // 10) + '")'
    elif kind == "statements":
        code = "_z = 1; " * (n // 8)
    elif kind == "column-list":
        code = 'op.create_index("ix_big", "accounts", [' + '"c", ' * (n // 5) + "])"
    else:
        code = '"""' + "doc " * (n // 4) + '"""'
    where = insert_code(m, f, code)
    m.note(f"huge line ({kind}, {n} bytes) in {m.rel(f)} at {where}")


def mut_empty(m: Mutant) -> None:
    kind = m.rng.choice(["truncate", "new", "whitespace", "bom-only", "comment-only", "newlines"])
    versions = m.versions_dirs()
    if kind == "truncate":
        f = m.pick_file()
        if not f:
            return
        write(f, b"")
    else:
        if not versions:
            return
        f = m.rng.choice(versions) / m.rng.choice(
            ["empty.py", "0000_empty.py", "zzzz_empty.py", "abc123.py"]
        )
        body = {
            "new": b"",
            "whitespace": b"   \n\t\n",
            "bom-only": b"\xef\xbb\xbf",
            "comment-only": b"# revision = 'x'\n",
            "newlines": b"\n" * 10000,
        }[kind]
        write(f, body)
    m.note(f"empty file ({kind}) {m.rel(f)}")


def mut_control_chars(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    data = read(f)
    ch = m.rng.choice(
        [b"\x00", b"\x0c", b"\x1b[2J", b"\x7f", b"\x1a", b"\xe2\x80\xae", b"\xe2\x80\xa8", b"\x0b"]
    )
    i = m.rng.randint(0, len(data))
    if m.rng.random() < 0.3:
        # Form feeds may start a line in Python; leading tabs mix indentation.
        data = data.replace(b"\n    ", b"\n\t" if m.rng.random() < 0.5 else b"\n\x0c    ")
        m.note(f"tabs/form feeds in indentation of {m.rel(f)}")
    else:
        data = data[:i] + ch + data[i:]
        m.note(f"control bytes {ch!r} at {i} in {m.rel(f)}")
    write(f, data)


def mut_splice(m: Mutant) -> None:
    """Copies a block of lines from another revision file (maybe of another
    bundled history) into this one."""
    f = m.pick_file()
    if not f:
        return
    donor = m.rng.choice(donor_files())
    dl = lines(read(donor))
    if not dl:
        return
    i = m.rng.randrange(len(dl))
    block = dl[i : i + m.rng.choice([1, 3, 10, 40])]
    ls = lines(read(f))
    at = m.rng.randint(0, len(ls))
    ls[at:at] = block
    write(f, b"".join(ls))
    m.note(
        f"splice {len(block)} lines from {donor.relative_to(SAMPLES)}:{i + 1}"
        f" into {m.rel(f)}:{at + 1}"
    )


DEPTHS = [10, 99, 100, 101, 150, 199, 200, 201, 500, 1000, 2999, 3000, 3001, 5000, 20000]


def nested_expression(rng: random.Random, d: int) -> tuple[str, str]:
    kind = rng.choice(
        [
            "parens",
            "lists",
            "mixed",
            "dicts",
            "calls",
            "attributes",
            "binop",
            "power",
            "unary",
            "not",
            "subscript",
            "call-chain",
            "lambda",
            "ifexp",
            "compare",
            "implicit-concat",
            "fstring",
            "op-arg",
            "sa-text",
            "tuple-suffix",
        ]
    )
    if kind == "parens":
        e = "(" * d + "1" + ")" * d
    elif kind == "lists":
        e = "[" * d + "]" * d
    elif kind == "mixed":
        opens = [rng.choice("([{") for _ in range(d)]
        close = {"(": ")", "[": "]", "{": "}"}
        e = "".join(opens) + "".join(close[c] for c in reversed(opens))
    elif kind == "dicts":
        e = '{"a": ' * d + "1" + "}" * d
    elif kind == "calls":
        e = "f(" * d + ")" * d
    elif kind == "attributes":
        e = "sa" + ".x" * d
    elif kind == "binop":
        e = "1" + " + 1" * d
    elif kind == "power":
        e = "2" + " ** 2" * d
    elif kind == "unary":
        e = "-" * d + "1"
    elif kind == "not":
        e = "not " * d + "x"
    elif kind == "subscript":
        e = "a" + "[0]" * d
    elif kind == "call-chain":
        e = "f" + "()" * d
    elif kind == "lambda":
        e = "lambda: " * d + "1"
    elif kind == "ifexp":
        e = "1 if x else " * d + "2"
    elif kind == "compare":
        e = "a" + " < a" * d
    elif kind == "implicit-concat":
        e = '"a" ' * d
    elif kind == "fstring":
        e = "f'{" * min(d, 200) + "1" + "}'" * min(d, 200)
    elif kind == "op-arg":
        e = "op.execute(" + "(" * d + '"SELECT 1"' + ")" * d + ")"
    elif kind == "sa-text":
        e = (
            'op.add_column("accounts", sa.Column("c", '
            + "sa.ARRAY(" * d
            + "sa.Integer()"
            + ")" * d
            + "))"
        )
    else:
        e = "(" * d + '"x"' + ",)" * d
    return kind, e


def mut_deep_nesting(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    d = m.rng.choice(DEPTHS)
    form = m.rng.choice(
        ["expression", "expression", "expression", "indent", "defs", "header", "sql"]
    )
    if form == "expression":
        kind, e = nested_expression(m.rng, d)
        code = ("_deep = " + e) if not e.startswith("op.") else e
        where = insert_code(m, f, code)
        m.note(f"deep nesting ({kind}, depth {d}) in {m.rel(f)} at {where}")
    elif form == "indent":
        d = min(d, 300)
        code = (
            "\n".join(" " * i + "if True:" for i in range(d))
            + "\n"
            + " " * d
            + 'op.drop_table("accounts")'
        )
        where = insert_code(m, f, code)
        m.note(f"deep indentation (depth {d}) in {m.rel(f)} at {where}")
    elif form == "defs":
        d = min(d, 300)
        code = (
            "\n".join("    " * i + f"def _n{i}():" for i in range(d)) + "\n" + "    " * d + "pass"
        )
        where = insert_code(m, f, code, "module")
        m.note(f"nested defs (depth {d}) in {m.rel(f)} at {where}")
    elif form == "header":
        name = m.rng.choice(["revision", "down_revision", "branch_labels", "depends_on"])
        ids = m.ids() or ["x"]
        lit = "(" * d + repr(m.rng.choice(ids)) + ")" * d
        if m.rng.random() < 0.5:
            lit = "(" * d + repr(m.rng.choice(ids)) + ",)" * d
        set_header(m, f, name, lit)
        m.note(f"deep nesting in {name} (depth {d}) of {m.rel(f)}")
    else:
        sql = "SELECT " + "(" * d + "1" + ")" * d
        where = insert_code(m, f, f'op.execute("{sql}")')
        m.note(f"deeply nested SQL (depth {d}) in {m.rel(f)} at {where}")


WEIRD_IDS = [
    '""',
    '" "',
    '"head"',
    '"heads"',
    '"base"',
    '"@"',
    '"a@b"',
    '"x@head"',
    '"-1"',
    '"+1"',
    '"abc:def"',
    '"a,b"',
    '"a b"',
    '"ünïcödé"',
    '"\\u202eabc"',
    '"a\\nb"',
    '"a\\rb"',
    '"\\x00"',
    '"\\ud800"',
    '"None"',
    '"0"',
    '"1234abcd"',
    '"current"',
    '"a..b"',
    '"%(here)s"',
    '"\\x1b[31m"',
    '"::error::x"',
    '"\\t"',
    '"../../etc"',
    '"a" * 3',
    '"x" "y"',
    'b"abc"',
    "u'abc'",
    "r'a\\b'",
    '"""abc"""',
    "None",
    "0",
    "1.5",
    "[]",
    "{}",
    "...",
    "__name__",
    "f'{1}'",
    '"' + "a" * 5000 + '"',
]


def mut_revision_id(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ids = m.ids()
    kind = m.rng.choice(
        ["other", "other", "new", "weird", "delete", "non-literal", "duplicate-line"]
    )
    if kind == "other" and ids:
        lit = repr(m.rng.choice(ids))
    elif kind == "weird":
        lit = m.rng.choice(WEIRD_IDS)
    elif kind == "delete":
        ls = [line for line in lines(read(f)) if not line.startswith(b"revision")]
        write(f, b"".join(ls))
        m.note(f"delete the revision line of {m.rel(f)}")
        return
    elif kind == "non-literal":
        lit = m.rng.choice(["REV", "os.environ['REV']", "get_rev()", "'a' + 'b'", "PREVIOUS"])
    elif kind == "duplicate-line":
        data = read(f)
        set_header(m, f, "revision", repr(rand_id(m.rng)))
        write(f, data + f"\nrevision = {rand_id(m.rng)!r}\n".encode())
        m.note(f"revision set twice in {m.rel(f)}")
        return
    else:
        lit = repr(rand_id(m.rng))
    set_header(m, f, "revision", lit)
    m.note(f"revision = {lit[:60]} in {m.rel(f)} ({kind})")


def mut_down_revision(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ids = m.ids() or ["x"]
    own = header_value(read(f), "revision") or "x"
    kind = m.rng.choice(
        [
            "other",
            "other",
            "cycle",
            "cycle",
            "self",
            "missing",
            "none",
            "merge",
            "merge-dup",
            "empty-tuple",
            "empty",
            "list",
            "weird",
            "non-literal",
            "nested",
            "set",
            "int",
            "bytes",
            "annotated",
        ]
    )
    if kind == "other":
        lit = repr(m.rng.choice(ids))
    elif kind == "cycle":
        # Point this revision at one of its children (or grandchildren).
        children = [
            header_value(read(g), "revision")
            for g in m.revision_files()
            if own in down_revisions(read(g))
        ]
        grandchildren = [
            header_value(read(g), "revision")
            for g in m.revision_files()
            if set(children) & set(down_revisions(read(g)))
        ]
        pool = sorted(x for x in children + grandchildren if x) or ids
        lit = repr(m.rng.choice(pool))
    elif kind == "self":
        lit = repr(own)
    elif kind == "missing":
        lit = repr(rand_id(m.rng))
    elif kind == "none":
        lit = "None"
    elif kind == "merge":
        lit = (
            "("
            + ", ".join(repr(i) for i in m.rng.sample(ids, min(len(ids), m.rng.choice([2, 3, 4]))))
            + ")"
        )
    elif kind == "merge-dup":
        i = m.rng.choice(ids)
        lit = f"({i!r}, {i!r})"
    elif kind == "empty-tuple":
        lit = "()"
    elif kind == "empty":
        lit = '""'
    elif kind == "list":
        lit = "[" + ", ".join(repr(i) for i in m.rng.sample(ids, min(len(ids), 2))) + "]"
    elif kind == "weird":
        lit = m.rng.choice(WEIRD_IDS)
    elif kind == "non-literal":
        lit = m.rng.choice(["PREV", "(PREV, 'x')", "tuple(x)", "'a' if X else 'b'", "*ids"])
    elif kind == "nested":
        lit = f"(({m.rng.choice(ids)!r},),)"
    elif kind == "set":
        lit = "{" + ", ".join(repr(i) for i in ids[:2]) + "}"
    elif kind == "int":
        lit = "123"
    elif kind == "bytes":
        lit = f"b{m.rng.choice(ids)!r}"
    else:
        lit = f"{m.rng.choice(ids)!r}\ndown_revision: Union[str, None] = {m.rng.choice(ids)!r}"
    set_header(m, f, "down_revision", lit)
    m.note(f"down_revision = {lit[:80]} in {m.rel(f)} ({kind})")


def revision_source(rev: str, down: str, body: str = "pass", extra: str = "") -> str:
    return (
        f'"""generated\n\nRevision ID: {rev}\nRevises: {down}\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev!r}\ndown_revision = {down}\n"
        f"branch_labels = None\ndepends_on = None\n{extra}\n\n"
        f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
    )


def mut_add_merge(m: Mutant) -> None:
    versions = m.versions_dirs()
    ids = m.ids()
    if not versions or not ids:
        return
    parents = m.rng.sample(ids, min(len(ids), m.rng.choice([2, 2, 3, 5, 50])))
    rev = rand_id(m.rng)
    down = "(" + ", ".join(repr(p) for p in parents) + ",)"
    f = m.rng.choice(versions) / f"{rev}_merge.py"
    write(f, revision_source(rev, down).encode())
    m.note(f"merge revision {m.rel(f)} of {len(parents)} parents")


def mut_labels(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ids = m.ids() or ["x"]
    name = m.rng.choice(["branch_labels", "depends_on"])
    lit = m.rng.choice(
        [
            "('expand',)",
            "'expand'",
            "('contract', 'expand')",
            "('expand', 'expand')",
            repr((m.rng.choice(ids),)),
            repr(m.rng.choice(ids)),
            repr([rand_id(m.rng)]),
            "('head',)",
            "('base',)",
            "('@',)",
            "('a@b',)",
            "()",
            "''",
            "[None]",
            "(1,)",
            repr(m.rng.choice(ids) + "@head"),
            "'expand@head'",
            "('expand@-1',)",
        ]
    )
    set_header(m, f, name, lit)
    m.note(f"{name} = {lit} in {m.rel(f)}")


def mut_rename(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    ids = m.ids() or ["x"]
    choice = m.rng.choice(
        [
            "space name.py",
            "ünï_cödé.py",
            "new\nline.py",
            "esc\x1b[31m.py",
            "tab\t.py",
            "UPPER.PY",
            "no_extension",
            ".hidden.py",
            ".#lock.py",
            "__init__.py",
            "x.py.bak",
            "x.pyc",
            "-dash.py",
            f"{m.rng.choice(ids)}_renamed.py",
            "a" * 200 + ".py",
            "deadbeef.py",
            "0.py",
            "::error::x.py",
            "non-utf8-\udce9.py",
            "same-as-other",
        ]
    )
    if choice == "same-as-other":
        others = [p for p in m.revision_files() if p != f]
        if not others:
            return
        target = m.rng.choice(others)
    else:
        target = f.parent / choice
    try:
        os.replace(f, target)
    except OSError as err:
        m.note(f"rename {m.rel(f)} failed: {err}")
        return
    m.note(f"rename {m.rel(f)} to {target.name!a}")


def mut_files(m: Mutant) -> None:
    kind = m.rng.choice(["delete", "duplicate", "swap-contents", "move-up", "subfolder"])
    files = m.revision_files()
    if not files:
        return
    f = m.rng.choice(files)
    if kind == "delete":
        os.unlink(f)
    elif kind == "duplicate":
        shutil.copyfile(f, f.parent / ("copy_" + f.name))
    elif kind == "swap-contents":
        g = m.rng.choice(files)
        a, b = read(f), read(g)
        write(f, b)
        write(g, a)
        m.note(f"swap contents of {m.rel(f)} and {m.rel(g)}")
        return
    elif kind == "move-up":
        os.replace(f, m.dir / f.name)
    else:
        sub = f.parent / "sub"
        os.makedirs(sub, exist_ok=True)
        os.replace(f, sub / f.name)
    m.note(f"{kind} {m.rel(f)}")


def mut_special_file(m: Mutant) -> None:
    versions = m.versions_dirs()
    files = m.revision_files()
    if not versions:
        return
    v = m.rng.choice(versions)
    kind = m.rng.choice(["symlink", "dangling", "loop", "dir", "fifo", "unreadable", "dir-symlink"])
    target = v / f"zz_{kind}.py"
    if kind == "symlink" and files:
        os.symlink(os.path.relpath(m.rng.choice(files), v), target)
    elif kind == "dangling":
        os.symlink("missing.py", target)
    elif kind == "loop":
        os.symlink(target.name, target)
    elif kind == "dir":
        os.mkdir(target)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "dir-symlink":
        os.symlink("..", v / "up")
    elif kind == "unreadable" and files:
        target = m.rng.choice(files)
        os.chmod(target, 0)
    m.note(f"special file ({kind}) {m.rel(target)}")


JUNK_SQL = [
    "",
    ";",
    ";;;",
    "SELECT",
    "CREATE TABLE",
    "CREATE TABLE (",
    "ALTER TABLE x ADD",
    "DROP",
    "CREATE INDEX CONCURRENTLY ON",
    "'unterminated",
    '\\"unterminated',
    "$$ unterminated",
    "$tag$ body $tag$",
    "/* unterminated",
    "-- only a comment",
    "CREATE TABLE t (id int",
    "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
    "\\x00",
    "ünï ☃",
    "\\u202e",
    "CREATE VIEW v AS SELECT * FROM t",
    "COMMENT ON COLUMN t.c IS 'x'",
    "ALTER TABLE ONLY t RENAME TO t2",
    "CREATE TYPE e AS ENUM ('a')",
    "ALTER TYPE e ADD VALUE 'b'",
    "DROP INDEX CONCURRENTLY IF EXISTS ix_old",
    "CREATE UNIQUE INDEX ON t ((lower(c)))",
    "ALTER TABLE t ADD CONSTRAINT c CHECK (",
    "DO $$ BEGIN PERFORM 1; END $$;",
    'CREATE TABLE IF NOT EXISTS \\"we\\"\\"ird\\" (\\"\\" int)',
    "UPDATE t SET a = 1 WHERE",
    "INSERT INTO",
    "DELETE FROM t",
    "TRUNCATE",
    "GRANT ALL ON t TO",
    "ALTER TABLE t RENAME COLUMN a TO",
    "ALTER TABLE t DROP COLUMN",
    "CREATE SCHEMA",
    "SET search_path TO",
    "VACUUM",
    "COPY t FROM stdin",
    "ALTER TABLE t ALTER COLUMN c TYPE integer USING c::integer",
    "CREATE EXTENSION IF NOT EXISTS vector",
]

SQL_TOKENS = [
    "SELECT",
    "CREATE",
    "TABLE",
    "INDEX",
    "ALTER",
    "DROP",
    "ADD",
    "COLUMN",
    "CONSTRAINT",
    "(",
    ")",
    ",",
    ";",
    "'a'",
    '\\"b\\"',
    "$$",
    "1",
    "t",
    "c",
    "ON",
    "IF",
    "NOT",
    "EXISTS",
    "CASCADE",
    "::",
    "[",
    "]",
    "--",
    "/*",
    "*/",
    "RENAME",
    "TO",
    "TYPE",
    "USING",
    "ONLY",
    "UNIQUE",
    "PRIMARY",
    "KEY",
    "REFERENCES",
    "VIEW",
    "AS",
    "FUNCTION",
    "TRIGGER",
    "E'\\\\'",
    "U&'\\\\0041'",
    "@",
    "#",
    "?",
]


def junk_sql(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return rng.choice(JUNK_SQL)
    if r < 0.8:
        return " ".join(rng.choice(SQL_TOKENS) for _ in range(rng.randint(1, 40)))
    n = rng.choice([1000, 20000])
    return rng.choice(
        [
            "SELECT " + "1+" * n + "1",
            "CREATE TABLE t (id int" + ", c int" * n + ")",
            "INSERT INTO t VALUES " + ",".join(["(1)"] * n),
            "SELECT " + "(" * n + "1" + ")" * n,
            "CREATE INDEX i ON t (" + "lower(" * n + "c" + ")" * n + ")",
            "; " * n,
        ]
    )


def mut_junk_sql(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    sql = junk_sql(m.rng)
    form = m.rng.choice(
        ['"{}"', "'''{}'''", 'sa.text("{}")', '"{}" "{}"', 'r"{}"', 'b"{}"', '"{}" % ()', 'u"{}"']
    )
    lit = form.replace("{}", sql)
    if form.startswith("b") and not sql.isascii():
        lit = f'"{sql}"'
    call = m.rng.choice(
        [
            "op.execute({})",
            "op.execute(sql={})",
            "op.get_bind().execute({})",
            "op.execute({}, execution_options=None)",
        ]
    )
    where = insert_code(m, f, call.replace("{}", lit, 1))
    m.note(f"op.execute junk SQL ({len(sql)} chars: {sql[:40]!r}) in {m.rel(f)} at {where}")


FSTRINGS = [
    'op.execute(f"UPDATE {T} SET c = {1 + 1}")',
    'op.execute(f\'{"nested " + f"{1}"}\')',
    'op.execute(f"{"pep701" + "x"}")',
    'op.create_table(f"{T}_copy", sa.Column("id", sa.Integer(), primary_key=True))',
    'op.add_column(f"{T}", sa.Column(f"c_{1}", sa.Integer()))',
    'op.drop_table(f"{T}")',
    'op.execute(f"SELECT {x:>{w}}")',
    'op.execute(f"{x=}")',
    'op.execute(f"{x!r:^10}")',
    'op.execute(f"{f"{f"{f"{1}"}"}"}")',
    'op.execute(f"""\nSELECT {1 # comment\n}\n""")',
    "op.execute(f\"{'\\n'.join(x)}\")",
    'op.execute(f"{{literal}} {T}")',
    'op.execute(f"{T}" f"{T}" "plain")',
    'op.create_index(f"ix_{T}", f"{T}", [f"{T}"])',
    'op.execute(rf"\\d {T}")',
    'op.execute(t"template {T}")',
    'op.execute(f"{")',
    'op.execute(f"{T!x}")',
    'op.execute(f"{lambda: 1}")',
    'op.execute(F"{T:{"{"}}}")',
]


def mut_fstring(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    code = m.rng.choice(FSTRINGS).replace("{T}", "{" + repr(m.rng.choice(m.tables())) + "}")
    where = insert_code(m, f, code)
    m.note(f"f-string {code[:60]!r} in {m.rel(f)} at {where}")


GET_BIND = [
    'conn = op.get_bind()\nconn.execute(sa.text("UPDATE {t} SET x = 1"))',
    'op.get_bind().execute(sa.text("DELETE FROM {t}"))',
    "bind = op.get_bind()\nif bind.dialect.name == 'postgresql':\n    op.drop_table('{t}')",
    "session = sa.orm.Session(bind=op.get_bind())\nsession.execute(sa.text('SELECT 1'))",
    (
        "bind = op.get_bind()\nrows = bind.execute(sa.text('SELECT id FROM {t}')).fetchall()\n"
        'for row in rows:\n    op.execute(f"UPDATE {t} SET id = {{row.id}}")'
    ),
    (
        "insp = sa.inspect(op.get_bind())\n"
        "if '{t}' in insp.get_table_names():\n    op.drop_table('{t}')"
    ),
    "op.get_bind",
    "op.get_bind()",
    "with op.get_bind().begin():\n    op.add_column('{t}', sa.Column('c', sa.Integer()))",
    "op.execute(op.get_bind())",
    "get_bind = op.get_bind\nget_bind().execute('x')",
]


def mut_get_bind(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    code = m.rng.choice(GET_BIND).replace("{t}", m.rng.choice(m.tables()))
    where = insert_code(m, f, code, m.rng.choice(["upgrade", "upgrade", "downgrade", "module"]))
    m.note(f"get_bind use {code.splitlines()[0][:50]!r} in {m.rel(f)} at {where}")


OPS = [
    'op.add_column("{t}", sa.Column("{c}", sa.Integer(), nullable=True))',
    'op.drop_column("{t}", "{c}")',
    'op.drop_table("{t}")',
    'op.create_table("{t}", sa.Column("id", sa.Integer(), primary_key=True))',
    'op.create_table("{t}")',
    'op.create_table("{t}", sa.Column("id", sa.Integer(), sa.ForeignKey("{t2}.id")), schema="s")',
    'op.rename_table("{t}", "{t2}")',
    'op.rename_table("{t}", "{t}")',
    'op.alter_column("{t}", "{c}", new_column_name="{c2}")',
    'op.alter_column("{t}", "{c}", type_=sa.String(length=10), nullable=False)',
    'op.alter_column("{t}", "{c}", server_default=sa.text("now()"), existing_type=sa.DateTime())',
    'op.create_index("{n}", "{t}", ["{c}"], unique=True)',
    'op.create_index(op.f("{n}"), "{t}", [sa.text("lower({c})")], postgresql_using="gin")',
    'op.drop_index("{n}", table_name="{t}")',
    'op.drop_index("{n}")',
    'op.create_foreign_key("{n}", "{t}", "{t2}", ["{c}"], ["id"], ondelete="CASCADE")',
    'op.create_foreign_key(None, "{t}", "{t}", ["{c}"], ["{c}"])',
    'op.drop_constraint("{n}", "{t}", type_="foreignkey")',
    'op.drop_constraint(None, "{t}")',
    'op.create_unique_constraint("{n}", "{t}", ["{c}", "{c}"])',
    'op.create_check_constraint("{n}", "{t}", "{c} > 0")',
    'op.create_primary_key("{n}", "{t}", ["{c}"])',
    'op.create_table_comment("{t}", "c")',
    'op.drop_table_comment("{t}")',
    'op.bulk_insert(sa.table("{t}", sa.column("{c}")), [{{"{c}": 1}}])',
    'op.add_column("{t}", sa.Column("{c}", sa.Enum("a", "b", name="{n}")))',
    'op.add_column("{t}", sa.Column("{c}", sa.Computed("1 + 1")))',
    'op.add_column("{t}", sa.Column("{c}", sa.Identity(always=True)))',
    'op.add_column("{t}", sa.Column())',
    'op.add_column("{t}")',
    "op.add_column()",
    "op.add_column(*args, **kwargs)",
    'op.add_column("{t}", column=sa.Column("{c}", sa.Integer()), schema=None)',
    (
        'with op.batch_alter_table("{t}") as batch_op:\n    batch_op.drop_column("{c}")\n'
        '    batch_op.add_column(sa.Column("{c}", sa.Text()))'
    ),
    (
        'with op.batch_alter_table("{t}", recreate="always") as b:\n'
        '    b.alter_column("{c}", new_column_name="{c2}")'
    ),
    (
        "with op.get_context().autocommit_block():\n"
        '    op.execute("CREATE INDEX CONCURRENTLY {n} ON {t} ({c})")'
    ),
    'for _t in ["{t}", "{t2}"]:\n    op.drop_column(_t, "{c}")',
    'if X:\n    op.drop_table("{t}")\nelse:\n    op.drop_table("{t2}")',
    'try:\n    op.drop_table("{t}")\nexcept Exception:\n    pass',
    'while True:\n    op.drop_table("{t}")\n    break',
    'op.sync_enum_values("public", "{n}", ["a"], [])',
    'op.create_entity(PGFunction(schema="public", signature="f()", definition="x"))',
    'op.invoke(op.f("x"))',
    "op.implementation_for(X)",
    'o = op\no.drop_table("{t}")',
    '(lambda: op.drop_table("{t}"))()',
    '[op.drop_table(x) for x in ("{t}",)]',
    'op.drop_table(name := "{t}")',
    'async def _a():\n    await op.drop_table("{t}")',
    'match X:\n    case 1:\n        op.drop_table("{t}")',
    (
        'op.alter_column("{t}", "{c}", existing_type=sa.Integer(), type_=sa.Numeric(10, 2),'
        ' postgresql_using="{c}::numeric")'
    ),
    'op.create_exclude_constraint("{n}", "{t}", ("{c}", "="), using="gist")',
]


def mut_op(m: Mutant) -> None:
    f = m.pick_file()
    if not f:
        return
    tables = m.tables()
    cols = ["id", "email", "name", "status", "c", "created_at", "ünï", "select", "", "a" * 70]
    code = m.rng.choice(OPS)
    code = (
        code.replace("{t2}", m.rng.choice(tables + ["missing_table"]))
        .replace("{t}", m.rng.choice(tables))
        .replace("{c2}", m.rng.choice(cols))
        .replace("{c}", m.rng.choice(cols))
        .replace("{n}", m.rng.choice(["ix_x", "uq_x", "fk_x", "pk_x", "ck_x", "order_status"]))
        .replace("{{", "{")
        .replace("}}", "}")
    )
    where = insert_code(m, f, code)
    m.note(f"op call {code.splitlines()[0][:60]!r} in {m.rel(f)} at {where}")


def mut_helpers(m: Mutant) -> None:
    """Helper functions the extractor follows: recursion, long chains and
    call trees that double at every level."""
    f = m.pick_file()
    if not f:
        return
    t = m.rng.choice(m.tables())
    kind = m.rng.choice(["self", "mutual", "chain", "fanout", "op-param", "bindings", "rebind-op"])
    if kind == "self":
        code = f'def _h(n=0):\n    op.drop_column("{t}", "c")\n    _h(n + 1)'
        call = "_h()"
    elif kind == "mutual":
        code = f'def _a():\n    op.drop_column("{t}", "c")\n    _b()\n\n\ndef _b():\n    _a()'
        call = "_a()"
    elif kind == "chain":
        d = m.rng.choice([50, 500, 3000])
        code = "\n\n".join(f"def _h{i}():\n    _h{i + 1}()" for i in range(d))
        code += f'\n\n\ndef _h{d}():\n    op.drop_column("{t}", "c")'
        call = "_h0()"
    elif kind == "fanout":
        d = m.rng.choice([8, 16, 24, 40])
        code = "\n\n".join(f"def _f{i}():\n    _f{i + 1}()\n    _f{i + 1}()" for i in range(d))
        code += f'\n\n\ndef _f{d}():\n    op.add_column("{t}", sa.Column("c", sa.Integer()))'
        call = "_f0()"
    elif kind == "op-param":
        code = (
            f'def _h(o, table="{t}"):\n    o.drop_column(table, "c")\n'
            '    o.execute(f"DROP TABLE {table}")'
        )
        call = "_h(op)"
    elif kind == "bindings":
        d = m.rng.choice([100, 1000, 5000])
        code = "_v0 = 'x'\n" + "\n".join(f"_v{i + 1} = _v{i}" for i in range(d))
        code += f"\n_t = _v{d}"
        call = f"op.drop_table(_v{d})"
    else:
        code = "op = None\nfrom alembic import op as op2\nop = op2"
        call = f'op.drop_table("{t}")'
    insert_code(m, f, code, "module")
    where = insert_code(m, f, call, "upgrade")
    m.note(f"helpers ({kind}) in {m.rel(f)}, called at {where}")


def mut_string_swap(m: Mutant) -> None:
    """Replaces a string literal with another one found in the history:
    table and column names collide, ids end up in the wrong places."""
    f = m.pick_file()
    if not f:
        return
    data = read(f)
    pool = sorted(
        set(re.findall(rb"\"[A-Za-z0-9_]{1,40}\"", b"".join(read(p) for p in m.revision_files())))
    )
    spots = list(re.finditer(rb"\"[A-Za-z0-9_]{1,40}\"", data))
    if not pool or not spots:
        return
    spot = m.rng.choice(spots)
    new = m.rng.choice(pool)
    write(f, data[: spot.start()] + new + data[spot.end() :])
    m.note(f"string {spot.group().decode()} -> {new.decode()} at byte {spot.start()} of {m.rel(f)}")


def mut_config(m: Mutant) -> None:
    ini = m.dir / "alembic.ini"
    if not ini.is_file():
        return
    data = read(ini)
    kind = m.rng.choice(
        [
            "delete-line",
            "recursive",
            "missing-location",
            "crlf",
            "bom",
            "non-utf8",
            "dup-section",
            "separator",
            "here-loop",
            "empty",
            "two-locations",
            "interpolation",
        ]
    )
    ls = lines(data)
    if kind == "delete-line" and ls:
        del ls[m.rng.randrange(len(ls))]
        data = b"".join(ls)
    elif kind == "recursive":
        data = data.replace(b"[alembic]\n", b"[alembic]\nrecursive_version_locations = true\n", 1)
    elif kind == "missing-location":
        data = data.replace(b"[alembic]\n", b"[alembic]\nversion_locations = %(here)s/nowhere\n", 1)
    elif kind == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif kind == "bom":
        data = b"\xef\xbb\xbf" + data
    elif kind == "non-utf8":
        data = data.replace(b"[alembic]\n", b"[alembic]\n# caf\xe9\n", 1)
    elif kind == "dup-section":
        data = data + b"\n[alembic]\nscript_location = elsewhere\n"
    elif kind == "separator":
        data = data.replace(
            b"path_separator = os",
            m.rng.choice([b"path_separator = ;", b"path_separator = bogus", b"path_separator ="]),
        )
    elif kind == "here-loop":
        data = data.replace(
            b"[alembic]\n", b"[alembic]\nx = %(y)s\ny = %(x)s\nversion_locations = %(x)s\n", 1
        )
    elif kind == "empty":
        data = b""
    elif kind == "two-locations":
        data = data.replace(
            b"[alembic]\n", b"[alembic]\nversion_locations = %(here)s %(here)s\n", 1
        )
    else:
        data = data.replace(
            b"[alembic]\n", b"[alembic]\nversion_locations = %(here)s/%(missing)s\n", 1
        )
    write(ini, data)
    m.note(f"alembic.ini: {kind}")


def mut_many_revisions(m: Mutant) -> None:
    versions = m.versions_dirs()
    ids = m.ids()
    if not versions:
        return
    n = m.rng.choice([20, 100, 400])
    # Gentle: one chain on top of a head, so the history stays valid.
    heads = sorted(set(ids) - {p for f in m.revision_files() for p in down_revisions(read(f))})
    parent = m.rng.choice(heads if m.gentle and heads else ids) if ids else None
    v = m.rng.choice(versions)
    t = m.rng.choice(m.tables())
    for i in range(n):
        rev = rand_id(m.rng)
        body = m.rng.choice(
            [
                f'op.add_column("{t}", sa.Column("c{i}", sa.Integer()))',
                f'op.drop_column("{t}", "c{i - 1}")',
                f'op.execute("CREATE INDEX ix{i} ON {t} (c{i})")',
                f'op.alter_column("{t}", "c{i - 1}", nullable=False)',
            ]
        )
        write(v / f"{rev}_gen_{i}.py", revision_source(rev, repr(parent), body).encode())
        parent = rev if m.gentle or m.rng.random() < 0.9 else m.rng.choice(ids or [rev])
    m.note(f"{n} generated revisions in {m.rel(v)}")


MUTATIONS: list[tuple[Callable[[Mutant], None], int]] = [
    (mut_delete_lines, 6),
    (mut_duplicate_lines, 4),
    (mut_swap_lines, 4),
    (mut_truncate, 4),
    (mut_flip_bytes, 6),
    (mut_non_utf8, 4),
    (mut_line_ends, 3),
    (mut_bom, 3),
    (mut_huge_line, 2),
    (mut_empty, 2),
    (mut_control_chars, 3),
    (mut_splice, 4),
    (mut_deep_nesting, 6),
    (mut_revision_id, 6),
    (mut_down_revision, 8),
    (mut_add_merge, 4),
    (mut_labels, 4),
    (mut_rename, 3),
    (mut_files, 3),
    (mut_special_file, 1),
    (mut_junk_sql, 6),
    (mut_fstring, 4),
    (mut_get_bind, 4),
    (mut_op, 10),
    (mut_helpers, 3),
    (mut_string_swap, 5),
    (mut_config, 2),
    (mut_many_revisions, 1),
]


# Mutations that mostly keep the files valid Python, applied to histories
# that consolidate, so that replay and rendering see many mutants too (most
# hostile mutants stop at a parse error or a broken graph).
GENTLE = {
    mut_op: 12,
    mut_junk_sql: 5,
    mut_fstring: 3,
    mut_get_bind: 3,
    mut_string_swap: 2,
    mut_helpers: 2,
    mut_line_ends: 1,
    mut_labels: 1,
    mut_many_revisions: 1,
    mut_add_merge: 1,
}
CONSOLIDATE = [
    "chat_saas",
    "grants",
    "field_service",
    "edge_cases/annotated_headers",
    "edge_cases/batch_alter",
    "edge_cases/filename_mismatch",
    "edge_cases/nested_folders",
    "edge_cases/non_literal_label",
    "edge_cases/several_bases",
    "edge_cases/three_parent_merge",
]


def make_mutant(root: Path, seed: str, index: int) -> Mutant:
    rng = random.Random(f"{seed}/{index}")
    histories = list(bundled_histories())
    gentle = rng.random() < 0.4
    if gentle:
        histories = [h for h in CONSOLIDATE if h in histories] or histories
    if root.exists():
        remove_tree(root)
    root.mkdir(parents=True)
    m = Mutant(root, rng.choice(histories), rng)
    m.gentle = gentle
    pool = list(GENTLE.items()) if gentle else MUTATIONS
    funcs = [f for f, _ in pool]
    weights = [w for _, w in pool]
    for _ in range(rng.choice([1, 1, 1, 2, 3] if gentle else [1, 1, 1, 2, 2, 3, 5])):
        mutation = rng.choices(funcs, weights)[0]
        try:
            mutation(m)
        except OSError as err:
            m.note(f"{mutation.__name__} failed: {err}")
    return m


def snapshot(folder: Path) -> dict[str, bytes]:
    """The regular files under folder, by relative path."""
    out = {}
    for dirpath, _, filenames in os.walk(folder):
        for f in filenames:
            p = Path(dirpath) / f
            if p.is_file() and not p.is_symlink():
                out[os.path.relpath(p, folder)] = read(p)
    return out


def restore(folder: Path, files: dict[str, bytes]) -> None:
    for rel in snapshot(folder).keys() - files.keys():
        os.unlink(folder / rel)
    for rel, data in files.items():
        p = folder / rel
        if not p.is_file() or read(p) != data:
            p.parent.mkdir(parents=True, exist_ok=True)
            write(p, data)


def remove_tree(path: Path) -> None:
    # A mutant may hold a file made unreadable; folders are never changed.
    for dirpath, _, filenames in os.walk(path):
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                try:
                    os.chmod(p, 0o644)
                except OSError:
                    pass
    shutil.rmtree(path)


# ---------------------------------------------------------------------------
# Running migsquash and checking what it did


class Run:
    def __init__(
        self,
        argv: list[str],
        code: int | None,
        stdout: bytes,
        stderr: bytes,
        seconds: float,
        timed_out: bool,
    ):
        self.argv = argv
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.timed_out = timed_out

    def key(self) -> tuple[int | None, bytes, bytes]:
        return (self.code, self.stdout, self.stderr)

    def describe(self) -> str:
        return " ".join(self.argv)


class Failure:
    def __init__(self, kind: str, command: str, detail: str):
        self.kind = kind
        self.command = command
        self.detail = detail

    def __str__(self) -> str:
        return f"[{self.kind}] {self.command}: {self.detail}"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIGSQUASH_")}
    for k in ("GITHUB_ACTIONS", "CI", "CLICOLOR_FORCE", "FORCE_COLOR"):
        env.pop(k, None)
    env["NO_COLOR"] = "1"
    env["RUST_BACKTRACE"] = "1"
    return env


class Runner:
    def __init__(self, binary: Path, timeout: float, work: Path):
        self.binary = binary
        self.timeout = timeout
        self.work = work
        self.env = clean_env()
        self.runs = 0
        self.exits: dict[str, dict[str, int]] = {}
        self.slowest: tuple[float, str] = (0.0, "")

    def run(self, cwd: Path, args: list[str]) -> Run:
        argv = [str(self.binary)] + args
        start = time.monotonic()
        self.runs += 1
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=self.timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            timed_out = True
        outcome = "hang" if timed_out else str(proc.returncode)
        counts = self.exits.setdefault(args[0], {})
        counts[outcome] = counts.get(outcome, 0) + 1
        shown = ["migsquash"] + [
            a if not a.startswith(str(self.work)) else "<tmp>" + a[len(str(self.work)) :]
            for a in args
        ]
        seconds = time.monotonic() - start
        if seconds > self.slowest[0]:
            self.slowest = (seconds, " ".join(shown))
        return Run(shown, None if timed_out else proc.returncode, out, err, seconds, timed_out)


def process_failures(run: Run) -> list[Failure]:
    cmd = run.describe()
    if run.timed_out:
        return [Failure("hang", cmd, f"no exit after {run.seconds:.0f} s (killed)")]
    out = []
    code = run.code
    assert code is not None
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        out.append(Failure("signal", cmd, f"killed by {name}; stderr: {tail(run.stderr)}"))
    elif code not in (0, 1, 2):
        out.append(Failure("exit-code", cmd, f"exit code {code}; stderr: {tail(run.stderr)}"))
    if b"panicked at" in run.stderr:
        out.append(Failure("panic", cmd, tail(run.stderr, 1200)))
    return out


def tail(data: bytes, n: int = 600) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text if len(text) <= n else "..." + text[-n:]


def json_failures(run: Run) -> list[Failure]:
    cmd = run.describe()
    if run.code not in (0, 1, 2):
        return []
    if not run.stdout.strip():
        if run.code == 2:
            return []  # could not run: nothing to report
        return [
            Failure(
                "json-empty",
                cmd,
                f"exit {run.code} and no JSON on stdout; stderr: {tail(run.stderr, 300)}",
            )
        ]
    try:
        text = run.stdout.decode("utf-8")
    except UnicodeDecodeError as err:
        return [Failure("json-invalid", cmd, f"stdout is not UTF-8: {err}")]

    def no_constants(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for k, v in pairs:
            if k in seen:
                raise ValueError(f"duplicate key {k!r}")
            seen[k] = v
        return seen

    try:
        value = json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except (ValueError, RecursionError) as err:
        return [Failure("json-invalid", cmd, f"{err}; stdout: {text[:300]!r}")]
    bad = lone_surrogate(value)
    if bad is not None:
        return [Failure("json-invalid", cmd, f"string with a lone surrogate: {bad!r}")]
    return []


def lone_surrogate(value: object) -> str | None:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return v[:80]
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return None


def first_difference(a: Run, b: Run) -> str:
    if a.code != b.code:
        return f"exit code {b.code} vs {a.code}"
    for name, x, y in (("stdout", a.stdout, b.stdout), ("stderr", a.stderr, b.stderr)):
        if x != y:
            xl, yl = x.split(b"\n"), y.split(b"\n")
            for i in range(max(len(xl), len(yl))):
                xs = xl[i] if i < len(xl) else b"<end>"
                ys = yl[i] if i < len(yl) else b"<end>"
                if xs != ys:
                    return f"{name} line {i + 1}: {ys[:200]!r} vs {xs[:200]!r} (without cache)"
    return "same"


def cache_failures(label: str, fresh: Run, cold: Run, warm: Run) -> list[Failure]:
    out = []
    for name, run in (("cold cache", cold), ("warm cache", warm)):
        if run.key() != fresh.key() and not run.timed_out and not fresh.timed_out:
            out.append(
                Failure(
                    "cache-mismatch",
                    label,
                    f"{name} differs from --no-cache: {first_difference(fresh, run)}",
                )
            )
    return out


COMPILE_CHECK = r"""
import json, sys
bad = []
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec", dont_inherit=True)
    except BaseException as err:
        bad.append([path, type(err).__name__ + ": " + str(err)[:200]])
print(json.dumps(bad))
"""


def python_compiles(paths: Sequence[Path], timeout: float) -> list[list[str]] | None:
    """The files this interpreter cannot compile, or None if it could not
    tell (it crashed or timed out on deep nesting)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", COMPILE_CHECK] + [str(p) for p in paths],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        return json.loads(proc.stdout) if proc.returncode == 0 else None
    except (subprocess.TimeoutExpired, ValueError):
        return None


EXTRA_RUNS = [
    ["analyze", "--format", "text"],
    ["analyze", "--format", "markdown"],
    ["check", "--format", "text"],
    ["check", "--format", "github"],
    ["graph"],
    ["graph", "--format", "mermaid"],
    ["check", "--format", "json", "--deny-warnings", "--max-heads", "0"],
    ["check", "--format", "sarif"],
]


GENTLE_EDITS = ["mut_op", "mut_string_swap", "mut_junk_sql"]
EDITS = [
    "mut_delete_lines",
    "mut_flip_bytes",
    "mut_op",
    "mut_string_swap",
    "mut_down_revision",
    "mut_truncate",
    "mut_revision_id",
]


class Hung(Exception):
    """A run hung: the mutant's later runs would hang too, and cost the
    timeout each."""


def check_mutant(
    runner: Runner,
    root: Path,
    path: str,
    index: int,
    only: list[str] | None = None,
    edit: Callable[[], Callable[[], None]] | None = None,
) -> list[Failure]:
    """Runs every command on the history at root/path and returns what went
    wrong. `only` limits it to the command groups named (for the reducer).
    `edit`, if given, changes the history after the cached analyze runs (a
    run with that cache must then match a fresh one) and returns what undoes
    the change, for the commands after it."""
    failures: list[Failure] = []
    for stale in (
        runner.work / "caches",
        runner.work / "out",
        runner.work / "baseline.py",
        runner.work / "edited",
    ):
        if stale.is_dir():
            remove_tree(stale)
        elif stale.exists():
            stale.unlink()
    caches = runner.work / "caches"
    caches.mkdir()

    def run(args: list[str], json_output: bool) -> Run:
        result = runner.run(root, args + [path])
        failures.extend(process_failures(result))
        if result.timed_out:
            failures[-1].detail += "; the mutant's later runs were skipped"
            raise Hung()
        if json_output:
            failures.extend(json_failures(result))
        return result

    def want(group: str) -> bool:
        return only is None or group in only

    try:
        for command in ("analyze", "check"):
            if not want(command):
                continue
            args = [command, "--format", "json"]
            cache = str(caches / command)
            fresh = run(args + ["--no-cache"], True)
            cold = run(args + ["--cache-dir", cache], True)
            warm = run(args + ["--cache-dir", cache], True)
            failures.extend(cache_failures(f"{command} --format json", fresh, cold, warm))
            if command == "analyze" and edit is not None:
                # The cache now holds the files as they were: an edit must be seen.
                undo = edit()
                edited = run(args + ["--cache-dir", cache], True)
                fresh = run(args + ["--no-cache"], True)
                if edited.key() != fresh.key():
                    copy_tree(root, runner.work / "edited")
                    failures.append(
                        Failure(
                            "cache-stale",
                            "analyze --format json",
                            "after an edit, the cached run differs from --no-cache: "
                            + first_difference(fresh, edited),
                        )
                    )
                undo()

        if want("consolidate"):
            (runner.work / "out").mkdir()
            baseline = runner.work / "out" / "baseline.py"
            result = run(
                ["consolidate", "--format", "json", "--no-cache", "--out", str(baseline)], True
            )
            written = baseline.exists()
            if result.code == 0 and not written:
                failures.append(
                    Failure("baseline", result.describe(), "exit 0 but no baseline written")
                )
            elif result.code in (1, 2) and written:
                failures.append(
                    Failure(
                        "baseline",
                        result.describe(),
                        f"exit {result.code} but a baseline was written",
                    )
                )
            elif result.code == 0:
                files = [
                    p
                    for p in sorted((root / path).rglob("*.py"))
                    if p.is_file() and not p.is_symlink()
                ]
                # Only a history this Python reads must give a baseline it reads.
                if python_compiles(files, runner.timeout) == []:
                    bad = python_compiles([baseline], runner.timeout)
                    if bad:
                        failures.append(
                            Failure(
                                "baseline-syntax",
                                result.describe(),
                                f"the baseline is not valid Python: {bad[0][1]}",
                            )
                        )
                        shutil.copyfile(baseline, runner.work / "baseline.py")

        if want("extra"):
            extra = EXTRA_RUNS[index % len(EXTRA_RUNS)]
            # SARIF is JSON too.
            run(extra + ["--no-cache"], "json" in extra or "sarif" in extra)
    except Hung:
        pass
    return failures


# ---------------------------------------------------------------------------
# Known findings: tests/mutation_findings/<name>/finding.json beside the
# smallest history that shows the bug, for example
#
#   {"summary": "...", "path": "history", "args": ["check", "--no-cache"],
#    "kind": "hang", "mutant_regex": "..."}
#
# The fixture folder is the working directory and `path` is appended to
# `args`. A mutant's failure is known when its kind is `kind` and, if given,
# the command contains `command_contains`, the detail `detail_contains` and
# one of the mutant's *.py files matches `mutant_regex` (so that only the
# known cause of a hang is excused, not every hang).

KNOWN_TIMEOUT = 5.0  # a fixture is a few lines: a run this long has hung


class Known:
    def __init__(self, folder: Path):
        self.folder = folder
        spec = json.loads(read(folder / "finding.json"))
        self.name = folder.name
        self.summary = spec["summary"]
        self.path = spec["path"]
        self.args = spec["args"]
        self.kind = spec["kind"]
        self.command_contains = spec.get("command_contains", "")
        self.detail_contains = spec.get("detail_contains", "")
        regex = spec.get("mutant_regex")
        self.mutant_regex = re.compile(regex.encode()) if regex else None

    def matches(self, failure: Failure, mutant: Path | None = None) -> bool:
        return (
            failure.kind == self.kind
            and self.command_contains in failure.command
            and self.detail_contains in failure.detail
            and (self.mutant_regex is None or (mutant is not None and self.in_mutant(mutant)))
        )

    def in_mutant(self, root: Path) -> bool:
        assert self.mutant_regex is not None
        for p in sorted(root.rglob("*.py")):
            if p.is_file() and not p.is_symlink() and self.mutant_regex.search(read(p)):
                return True
        return False


def load_known(folder: Path | None) -> list[Known]:
    if folder is None or not folder.is_dir():
        return []
    return [
        Known(folder / n)
        for n in sorted(os.listdir(folder))
        if (folder / n / "finding.json").is_file()
    ]


def replay_known(runner: Runner, known: list[Known]) -> list[str]:
    """Known findings whose fixture no longer fails as described."""
    fixed = []
    timeout, runner.timeout = runner.timeout, min(runner.timeout, KNOWN_TIMEOUT)
    try:
        for k in known:
            root = runner.work / "known"
            if root.exists():
                remove_tree(root)
            copy_tree(k.folder, root)
            run = runner.run(root, list(k.args) + [k.path])
            failures = process_failures(run) + (json_failures(run) if "json" in k.args else [])
            if not any(k.matches(f, root) for f in failures):
                fixed.append(k.name)
    finally:
        runner.timeout = timeout
    return fixed


# ---------------------------------------------------------------------------
# Reducing a failing mutant (--minimize)


def reduce_mutant(
    runner: Runner, root: Path, path: str, index: int, failure: Failure, budget: float
) -> None:
    """Shrinks the mutant in place while it still fails with the same kind
    of failure on the same command: drops files, then lines (halving chunks),
    within `budget` seconds."""
    deadline = time.monotonic() + budget
    group = failure.command.split()[1]
    groups = [group] if group in ("analyze", "check", "consolidate") else ["extra"]

    def still_fails() -> bool:
        return any(
            f.kind == failure.kind and f.command.split()[:2] == failure.command.split()[:2]
            for f in check_mutant(runner, root, path, index, groups)
        )

    files = sorted(p for p in (root / path).rglob("*") if p.is_file() and not p.is_symlink())
    for p in files:
        if time.monotonic() > deadline:
            return
        if p.name == "alembic.ini":
            continue
        data = read(p)
        os.unlink(p)
        if not still_fails():
            write(p, data)
    for p in sorted(p for p in (root / path).rglob("*.py") if p.is_file() and not p.is_symlink()):
        ls = lines(read(p))
        chunk = max(1, len(ls) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            i = 0
            while i < len(ls) and time.monotonic() < deadline:
                trial = ls[:i] + ls[i + chunk :]
                write(p, b"".join(trial))
                if still_fails():
                    ls = trial
                else:
                    i += chunk
            write(p, b"".join(ls))
            chunk //= 2


# ---------------------------------------------------------------------------


def keep_failure(
    keep: Path, seed: str, index: int, m: Mutant, failures: list[Failure], binary: Path, work: Path
) -> Path:
    kinds = "-".join(sorted({f.kind for f in failures}))
    dest = keep / f"seed{seed}-mutant{index}-{kinds}"
    if dest.exists():
        remove_tree(dest)
    copy_tree(m.root, dest / "mutant")
    if (work / "baseline.py").exists():
        shutil.copyfile(work / "baseline.py", dest / "baseline.py")
    if (work / "edited").exists():
        copy_tree(work / "edited", dest / "mutant-edited")
    report = [
        f"seed {seed}, mutant {index}: {m.mode()} mutations of {m.history}",
        "mutations:",
        *[f"  - {line}" for line in m.log],
        f"run from {dest / 'mutant'} with PATH {m.name}"
        + (
            f" (the edited history, for cache-stale: {dest / 'mutant-edited'})"
            if (work / "edited").exists()
            else ""
        ),
        f"replay: {replay_command(binary, seed, index)}",
        "failures:",
        *[f"  - {f}" for f in failures],
    ]
    write(dest / "REPORT.txt", ("\n".join(report) + "\n").encode("utf-8", "replace"))
    return dest


def default_work_dir() -> str | None:
    # Each mutant writes and deletes hundreds of small files: on a RAM disk
    # a run makes several times more mutants than on a busy disk.
    if (
        not os.environ.get("TMPDIR")
        and os.path.isdir("/dev/shm")
        and os.access("/dev/shm", os.W_OK | os.X_OK)
    ):
        return "/dev/shm"
    return None


def replay_command(binary: Path, seed: str, index: int) -> str:
    return f"python3 scripts/mutation_test.py --migsquash {binary} --seed {seed} --mutant {index}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--migsquash", required=True, type=Path, help="the binary to test")
    parser.add_argument(
        "--seconds", type=float, help="make mutants for this long (default 60 unless --mutants)"
    )
    parser.add_argument("--mutants", type=int, help="make this many mutants")
    parser.add_argument(
        "--seed", default="1", help="mutant N of seed S is always the same (default 1)"
    )
    parser.add_argument(
        "--mutant", type=int, action="append", help="only this mutant (repeatable): a replay"
    )
    parser.add_argument(
        "--first", type=int, default=0, help="index of the first mutant (default 0)"
    )
    parser.add_argument(
        "--keep-failures",
        type=Path,
        help="copy failing mutants here (default: a new temporary folder)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds before a run counts as a hang (default 20)",
    )
    parser.add_argument(
        "--known",
        type=Path,
        default=KNOWN_DIR,
        help="known findings (default tests/mutation_findings)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        help="where mutants are made (default: $TMPDIR, else /dev/shm if writable)",
    )
    parser.add_argument(
        "--minimize", action="store_true", help="shrink each failing mutant kept (slow)"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="print every mutant")
    args = parser.parse_args(argv)

    binary = args.migsquash.resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        print(f"mutation_test.py: {args.migsquash} is not an executable file", file=sys.stderr)
        return 2
    seconds = (
        args.seconds
        if args.seconds is not None
        else (None if args.mutants or args.mutant else 60.0)
    )

    work = Path(
        tempfile.mkdtemp(prefix="migsquash-mutants-", dir=args.work_dir or default_work_dir())
    )
    keep = args.keep_failures or Path(tempfile.mkdtemp(prefix="migsquash-mutant-failures-"))
    keep.mkdir(parents=True, exist_ok=True)
    runner = Runner(binary, args.timeout, work)
    known = load_known(args.known)

    problems: list[str] = []
    known_hits: dict[str, int] = {}
    fixed = replay_known(runner, known)
    # The figures below are the mutants' alone.
    runner.runs, runner.exits, runner.slowest = 0, {}, (0.0, "")
    for name in fixed:
        problems.append(
            f"FIXED known finding {name}: its fixture no longer fails as finding.json says; "
            f"delete tests/mutation_findings/{name}/"
        )

    count = 0
    failed = 0
    index = args.first
    indices = iter(args.mutant) if args.mutant else None
    mutants_start = time.monotonic()
    while True:
        if indices is not None:
            index = next(indices, None)  # type: ignore[assignment]
            if index is None:
                break
        elif (args.mutants is not None and count >= args.mutants) or (
            seconds is not None and time.monotonic() - mutants_start >= seconds
        ):
            break
        m = make_mutant(work / "mutant", args.seed, index)

        def edit(m: Mutant = m) -> Callable[[], None]:
            before = snapshot(m.dir)
            mutation = globals()[m.rng.choice(GENTLE_EDITS if m.gentle else EDITS)]
            m.note("edit after the cached analyze runs (undone after them):")
            mutation(m)
            return lambda: restore(m.dir, before)

        failures = check_mutant(runner, m.root, m.name, index, edit=edit)
        new = []
        for f in failures:
            hit = next((k for k in known if k.matches(f, m.root)), None)
            if hit:
                known_hits[hit.name] = known_hits.get(hit.name, 0) + 1
            else:
                new.append(f)
        if args.verbose:
            status = "FAIL" if new else ("known" if failures else "ok")
            print(
                f"mutant {index} {status} ({m.mode()}, {m.history}): {'; '.join(m.log)}", flush=True
            )
        if new:
            failed += 1
            if args.minimize:
                reduce_mutant(runner, m.root, m.name, index, new[0], 300)
                m.note(f"then minimized while it failed with [{new[0].kind}]")
            dest = keep_failure(keep, args.seed, index, m, new, binary, work)
            problems.append(
                f"FAIL seed {args.seed} mutant {index} ({m.mode()}, {m.history}):\n"
                + "".join(f"    mutation: {line}\n" for line in m.log)
                + "".join(f"    {f}\n" for f in new)
                + f"    kept: {dest}\n"
                + f"    replay: {replay_command(args.migsquash, args.seed, index)}"
            )
            if args.verbose:
                print(problems[-1], flush=True)
        count += 1
        index += 1

    mutant_time = time.monotonic() - mutants_start
    remove_tree(work)
    print(
        f"mutation test: seed {args.seed}, {count} mutants, {runner.runs} runs"
        f" in {mutant_time:.0f} s "
        f"({count / max(mutant_time, 1e-9):.2f} mutants/s); {failed} failing mutants"
    )
    print(f"  slowest run: {runner.slowest[0]:.1f} s ({runner.slowest[1]})")
    for command, counts in sorted(runner.exits.items()):
        shown = ", ".join(f"{n} x exit {code}" for code, n in sorted(counts.items()))
        print(f"  {command}: {shown}")
    for name, hits in sorted(known_hits.items()):
        k = next(k for k in known if k.name == name)
        print(f"known finding {name} ({hits} mutants): {k.summary}")
    for p in problems:
        print(p)
    if failed:
        print(f"failing mutants kept in {keep}")
    elif not args.keep_failures:
        remove_tree(keep)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
