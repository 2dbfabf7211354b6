#!/usr/bin/env python3
"""Benchmark migsquash against `alembic heads` on synthetic Alembic histories.

    python3 bench/run.py --migsquash target/release/migsquash \\
        --python .testenv/venv/bin/python [--sizes 400,1000,10000,50000] [--runs 5] \\
        [--all-rows-max 10000] [--out docs/benchmarks.md]

For every size a deterministic history is generated with bench/gen_history.py
(cached under target/bench-histories/), then these commands are timed side by
side, in this order, each with one warm-up run followed by --runs timed runs
(cwd = DIR, stdout to /dev/null):

    1. migsquash analyze DIR                  warm cache: DIR/.migsquash_cache is
                                              deleted first, so the warm-up run
                                              creates it and the timed runs reuse it
    2. migsquash analyze --no-cache DIR       cold: every file parsed
    3. migsquash analyze --format json DIR    warm cache
    4. migsquash check DIR                    warm cache
    5. migsquash check --no-cache DIR         cold
    6. migsquash consolidate --no-cache DIR   cold; stdout and stderr to
                                              /dev/null; must exit 0 (1 means
                                              it refused to squash the history)
    7. PYTHON -m alembic -c DIR/alembic.ini heads   warm __pycache__
    8. PYTHON -m alembic -c DIR/alembic.ini heads   cold: __pycache__ removed
                                                    before every run

MIGSQUASH_NO_CACHE and MIGSQUASH_CACHE_DIR are removed from the commands'
environment, so only rows 2, 5 and 6 run without the cache.

Sizes above --all-rows-max (default 10,000) run rows 1-5 only: they show
how migsquash scales, and rows 6-8 would take most of an hour there.  The
report gives each row's median per 1,000 revisions across sizes, and the
size of the JSON report (row 3's, and once more with --detail full).

Wall time is measured around fork/exec/wait; peak RSS is ru_maxrss from
os.wait4() on the child (KiB on Linux).  Median and minimum wall time and the
maximum peak RSS over the timed runs are reported.  The Markdown report goes to
--out, the tables also to stdout; progress goes to stderr.

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
import gen_history  # noqa: E402

DEFAULT_SIZES = [400, 1000, 10000, 50000]
# Larger sizes run only the migsquash analyze and check rows (SCALING_ROWS).
DEFAULT_ALL_ROWS_MAX = 10000
DEFAULT_RUNS = 5
DEFAULT_SEED = 20240611
DEFAULT_OUT = "docs/benchmarks.md"
CACHE_DIR = os.path.join("target", "bench-histories")
# where migsquash keeps its extraction cache by default: beside alembic.ini
MIGSQUASH_CACHE_NAME = ".migsquash_cache"

# targets (see docs): speed-up on 400 revisions, time and memory on 10k
TARGET_SPEEDUP_SIZE = 400
TARGET_SPEEDUP = 50.0
TARGET_BIG_SIZE = 10000
TARGET_BIG_SECONDS = 2.0
TARGET_BIG_MB = 300.0  # decimal megabytes (10^6 bytes)
# targets for `migsquash consolidate --no-cache` (every file parsed)
TARGET_CONSOLIDATE_SMALL_SIZE = 400
TARGET_CONSOLIDATE_SMALL_SECONDS = 0.1
TARGET_CONSOLIDATE_BIG_SIZE = 10000
TARGET_CONSOLIDATE_BIG_SECONDS = 3.0
TARGET_CONSOLIDATE_BIG_MB = 500.0

# exit codes: migsquash uses 0 = clean, 1 = findings, 2 = error
MIGSQUASH_OK_CODES = (0, 1)
# consolidate: 1 means it refused to write a baseline, a failed benchmark
CONSOLIDATE_OK_CODES = (0,)
ALEMBIC_OK_CODES = (0,)


class BenchError(RuntimeError):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# histories
# --------------------------------------------------------------------------

def generator_fingerprint():
    with open(gen_history.__file__, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    return f"g{gen_history.GENERATOR_VERSION}-{digest}"


def count_revision_files(project):
    versions = os.path.join(project, "migrations", "versions")
    try:
        return sum(1 for f in os.listdir(versions) if f.endswith(".py"))
    except OSError:
        return -1


def load_cached_history(path, stats_path):
    """The stats of a complete cached history at `path`, or None.

    Complete means: the directory and its .json sidecar both exist, the
    sidecar parses, and the directory holds as many revision files as the
    sidecar says.  Either half may be missing on its own (a deleted history
    directory, an interrupted run), and then the history is regenerated.
    """
    if not os.path.isdir(path) or not os.path.isfile(stats_path):
        return None
    try:
        with open(stats_path, encoding="utf-8") as f:
            stats = json.load(f)
        expected = int(stats["revisions"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not os.path.isfile(os.path.join(path, "alembic.ini")):
        return None
    if count_revision_files(path) != expected:
        return None
    return stats


def prepare_history(root, size, seed):
    """Return (project_dir, stats); reuses a complete cached copy if present."""
    key = f"n{size}-seed{seed}-{generator_fingerprint()}"
    path = os.path.join(root, key)
    stats_path = path + ".json"
    stats = load_cached_history(path, stats_path)
    if stats is not None:
        log(f"[{size}] using cached history {path}")
        return path, stats
    if os.path.exists(path) or os.path.exists(stats_path):
        log(f"[{size}] cached history {path} is incomplete; regenerating it")
    os.makedirs(root, exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    # drop the sidecar first: a sidecar without its directory must never be
    # taken for a complete history, even if this run is interrupted
    if os.path.exists(stats_path):
        os.remove(stats_path)
    shutil.rmtree(path, ignore_errors=True)
    log(f"[{size}] generating {size} revisions (seed {seed}) ...")
    t0 = time.perf_counter()
    stats = gen_history.generate(tmp, size, seed)
    stats["generation_seconds"] = round(time.perf_counter() - t0, 3)
    os.rename(tmp, path)
    with open(stats_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1, sort_keys=True)
    os.replace(stats_path + ".tmp", stats_path)
    log(f"[{size}] generated in {stats['generation_seconds']:.1f} s -> {path}")
    return path, stats


def remove_pycache(project):
    removed = 0
    for dirpath, dirnames, _ in os.walk(project):
        if "__pycache__" in dirnames:
            shutil.rmtree(os.path.join(dirpath, "__pycache__"))
            dirnames.remove("__pycache__")
            removed += 1
    return removed


def migsquash_cache_dir(project):
    return os.path.join(project, MIGSQUASH_CACHE_NAME)


def remove_migsquash_cache(project):
    path = migsquash_cache_dir(project)
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    else:
        shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        raise BenchError(f"cannot remove {path}")


def migsquash_cache_state(project):
    """{file name: (size, mtime_ns)} of the migsquash cache, None if absent.

    migsquash rewrites its cache file only when a file was not in it (or an
    entry went stale), so an unchanged state across runs means every run
    found every file in the cache, and that --no-cache runs did not touch it.
    """
    path = migsquash_cache_dir(project)
    if not os.path.isdir(path):
        return None
    state = {}
    for name in sorted(os.listdir(path)):
        st = os.stat(os.path.join(path, name))
        state[name] = (st.st_size, st.st_mtime_ns)
    return state


def cache_data_files(state):
    return [n for n in (state or {}) if n.endswith(".bin")]


def count_pyc(project):
    versions = os.path.join(project, "migrations", "versions", "__pycache__")
    if not os.path.isdir(versions):
        return 0
    return sum(1 for f in os.listdir(versions) if f.endswith(".pyc"))


# --------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------

def child_env():
    env = dict(os.environ)
    # Alembic imports every revision file; whether CPython may write (and so
    # later reuse) __pycache__/*.pyc decides what "warm" means.  Make it the
    # default behaviour regardless of the caller's environment.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    # migsquash's extraction cache: on by default, in DIR/.migsquash_cache.
    # Rows without the cache pass --no-cache explicitly; a caller's setting
    # must not turn the warm rows cold or move the cache elsewhere.
    env.pop("MIGSQUASH_NO_CACHE", None)
    env.pop("MIGSQUASH_CACHE_DIR", None)
    env.setdefault("NO_COLOR", "1")
    return env


# Why a launcher: ru_maxrss of a child counts the memory it inherited at
# fork/exec time.  subprocess uses vfork(), which makes a child report the
# *peak* RSS of the parent (this script, which may have generated 10k files);
# a plain fork() still reports the parent's current RSS (~15-25 MB for this
# script).  So each measured command is started by a minimal Python process
# (`python -I -S`, a few MB) that times posix_spawn -> wait4 itself and
# sends back (ru_maxrss, exit code, seconds) through a pipe.  What remains is
# a small floor, measured once with `true` and shown in the report.
LAUNCHER = r"""
import os, sys, time
fd = int(sys.argv[1])
argv = sys.argv[2:]
# posix_spawn (vfork-like on Linux) keeps the launcher's own cost out of
# the measurement: fork() would first copy this Python process's page tables.
t0 = time.perf_counter()
try:
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_CLOSE, fd)])
except OSError as e:
    os.write(2, ("launcher: cannot execute %r: %s\n" % (argv[0], e)).encode())
    sys.exit(127)
_, status, usage = os.wait4(pid, 0)
t1 = time.perf_counter()
os.write(fd, ("%d %d %.9f" % (usage.ru_maxrss, os.waitstatus_to_exitcode(status), t1 - t0)).encode())
"""

RSS_DIVISOR = 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KiB on Linux


def run_once(argv, cwd, env, capture_stdout=False, discard_stderr=False, count_stdout=False):
    """Run argv once; returns dict(seconds, maxrss_kib, code, stdout, stderr,
    stdout_bytes).

    With discard_stderr the command's stderr goes to /dev/null (and the
    launcher's own error messages with it). With count_stdout only the size
    of stdout is kept (stdout_bytes), not its text."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        stdout = out if capture_stdout or count_stdout else subprocess.DEVNULL
        stderr = subprocess.DEVNULL if discard_stderr else err
        rfd, wfd = os.pipe()
        try:
            proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, str(wfd)] + argv,
                                    cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=stdout, stderr=stderr, pass_fds=(wfd,))
        except OSError as e:
            os.close(rfd)
            os.close(wfd)
            raise BenchError(f"cannot run {shlex.join(argv)}: {e}") from e
        os.close(wfd)
        with os.fdopen(rfd, "rb") as r:
            report = r.read().decode()
        proc.wait()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        text = ""
        stdout_bytes = out.seek(0, os.SEEK_END)
        if capture_stdout:
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
    try:
        maxrss, code, seconds = report.split()
    except ValueError:
        raise BenchError(f"launcher failed for {shlex.join(argv)} (exit {proc.returncode}):\n"
                         f"{stderr.strip()}") from None
    return {"seconds": float(seconds), "maxrss_kib": int(maxrss) // RSS_DIVISOR,
            "code": int(code), "stdout": text, "stderr": stderr, "stdout_bytes": stdout_bytes}


# migsquash trusts a file's stat data only when the file was last changed
# at least this long before the cache was written (see src/cache.rs); files
# younger than that are read and hashed on every run until the cache is
# rewritten. A just-generated history must be older than this before the
# warm-up run creates the cache, or the "warm" rows would not be warm.
MIGSQUASH_SETTLE_SECONDS = 2.0


def wait_until_settled(project):
    newest = 0.0
    for root, _dirs, files in os.walk(project):
        for name in files:
            st = os.stat(os.path.join(root, name))
            newest = max(newest, st.st_mtime, st.st_ctime)
    wait = newest + MIGSQUASH_SETTLE_SECONDS + 0.2 - time.time()
    if wait > 0:
        log(f"waiting {wait:.1f} s for the generated files to settle")
        time.sleep(wait)


def rss_floor(env):
    """Peak RSS reported for a trivial program: the measurement floor."""
    true = shutil.which("true") or "/bin/true"
    return min(run_once([true], tempfile.gettempdir(), env)["maxrss_kib"] for _ in range(3))


def check_code(spec, res):
    if res["code"] not in spec["ok_codes"]:
        lines = res["stderr"].strip().splitlines()
        tail = "\n".join(lines[-15:])
        if spec.get("refusals"):
            tail = summarize_refusals(lines) or tail
        raise BenchError(f"`{shlex.join(spec['argv'])}` (cwd {spec['cwd']}) exited with "
                         f"{res['code']}; accepted: {spec['ok_codes']}\n{tail}")


def summarize_refusals(lines, limit=10):
    """consolidate's stderr: its errors by message, the first few with their
    location, and its last line."""
    errors = []
    for i, line in enumerate(lines):
        if line.startswith("error"):
            where = lines[i + 1].strip() if i + 1 < len(lines) and "-->" in lines[i + 1] else ""
            errors.append((line, where))
    if not errors:
        return ""
    out = [f"{len(errors)} error(s); the first {min(limit, len(errors))}:"]
    out += [f"  {msg}\n    {where}" for msg, where in errors[:limit]]
    counts = {}
    for msg, _ in errors:
        key = re.sub(r"`[^`]*`", "`…`", msg)
        counts[key] = counts.get(key, 0) + 1
    out.append("by message:")
    out += [f"  {n:5d}  {key}" for key, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    out.append(lines[-1])
    return "\n".join(out)


def measure(spec, runs, env):
    """One warm-up run (stdout captured for sanity checks), then `runs` runs."""
    if spec.get("cold"):
        remove_pycache(spec["project"])
    if spec.get("fresh_migsquash_cache"):
        remove_migsquash_cache(spec["project"])
        wait_until_settled(spec["project"])
    warm = run_once(spec["argv"], spec["cwd"], env, capture_stdout=True)
    check_code(spec, warm)
    cache_state = None
    if spec.get("migsquash_cache"):
        cache_state = migsquash_cache_state(spec["project"])
        if not cache_data_files(cache_state):
            raise BenchError(
                f"`{shlex.join(spec['argv'])}` left no cache in "
                f"{migsquash_cache_dir(spec['project'])} after its warm-up run, so the "
                "warm-cache row would not be warm (a binary without the extraction "
                "cache, or a read-only history?)")
    times, rss, codes = [], [], []
    pyc_before = None
    for _ in range(runs):
        if spec.get("cold"):
            remove_pycache(spec["project"])
        elif spec.get("python") and pyc_before is None:
            pyc_before = count_pyc(spec["project"])
        res = run_once(spec["argv"], spec["cwd"], env,
                       discard_stderr=spec.get("discard_stderr", False))
        check_code(spec, res)
        times.append(res["seconds"])
        rss.append(res["maxrss_kib"])
        codes.append(res["code"])
    return {
        "label": spec["label"],
        "key": spec["key"],
        "warmup_stdout_bytes": warm["stdout_bytes"],
        "median": statistics.median(times),
        "min": min(times),
        "peak_rss_kib": max(rss),
        "codes": sorted(set(codes)),
        "warmup_stdout": warm["stdout"],
        "warmup_stderr": warm["stderr"] if spec.get("keep_warmup_stderr") else "",
        "pyc_before": pyc_before,
        "cache_before": cache_state,
    }


# rows of the per-size table, in the order they are run and shown
ROWS = ("analyze_warm", "analyze_cold", "analyze_json", "check_warm", "check_cold",
        "consolidate_cold",
        "alembic_warm", "alembic_cold")
# the rows run at every size (the others up to --all-rows-max)
SCALING_ROWS = ROWS[:5]


def bench_size(size, project, stats, args, env):
    ini = os.path.join(project, "alembic.ini")
    ms = args.migsquash
    mig = {"cwd": project, "ok_codes": MIGSQUASH_OK_CODES, "project": project}
    alembic = {"argv": [args.python, "-m", "alembic", "-c", ini, "heads"],
               "cwd": project, "ok_codes": ALEMBIC_OK_CODES, "python": True,
               "project": project}
    specs = [
        dict(mig, key="analyze_warm", label="`migsquash analyze` (warm cache)",
             argv=[ms, "analyze", project], migsquash_cache=True,
             fresh_migsquash_cache=True),
        dict(mig, key="analyze_cold", label="`migsquash analyze --no-cache` (cold: every file parsed)",
             argv=[ms, "analyze", "--no-cache", project]),
        dict(mig, key="analyze_json", label="`migsquash analyze --format json` (warm cache)",
             argv=[ms, "analyze", "--format", "json", project], migsquash_cache=True),
        dict(mig, key="check_warm", label="`migsquash check` (warm cache)",
             argv=[ms, "check", project], migsquash_cache=True),
        dict(mig, key="check_cold", label="`migsquash check --no-cache` (cold)",
             argv=[ms, "check", "--no-cache", project]),
        # the warm-up run keeps stderr (a refusal is reported with its
        # errors); the timed runs send it to /dev/null like stdout
        dict(mig, key="consolidate_cold",
             label="`migsquash consolidate --no-cache` (cold: every file parsed)",
             argv=[ms, "consolidate", "--no-cache", project], ok_codes=CONSOLIDATE_OK_CODES,
             discard_stderr=True, keep_warmup_stderr=True, refusals=True),
        dict(alembic, key="alembic_warm", label="`alembic heads` (warm `__pycache__`)"),
        dict(alembic, key="alembic_cold", label="`alembic heads` (cold: `__pycache__` removed)",
             cold=True),
    ]
    assert tuple(sp["key"] for sp in specs) == ROWS
    if size > args.all_rows_max:
        specs = [sp for sp in specs if sp["key"] in SCALING_ROWS]
        log(f"[{size}] above --all-rows-max {args.all_rows_max}: only the migsquash "
            "analyze and check rows")
    results = {}
    cache_after = None
    for spec in specs:
        log(f"[{size}] {spec['label'].replace('`', '')}: warm-up + {args.runs} "
            f"run{'' if args.runs == 1 else 's'} ...")
        r = measure(spec, args.runs, env)
        log(f"[{size}]   median {fmt_time(r['median'])}, min {fmt_time(r['min'])}, "
            f"peak RSS {fmt_rss(r['peak_rss_kib'])}, exit {codes_str(r['codes'])}")
        results[spec["key"]] = r
        if spec["key"] == "analyze_warm":
            # one more (untimed) run with the warm cache, to compare its
            # report with the one written while creating the cache and with
            # the --no-cache one
            again = run_once(spec["argv"], spec["cwd"], env, capture_stdout=True)
            check_code(spec, again)
            r["warm_stdout"] = again["stdout"]
        if spec["key"] == "analyze_json":
            # the report's size, and once more (untimed) with every argument
            full = run_once(spec["argv"][:-1] + ["--detail", "full", project], spec["cwd"],
                            env, count_stdout=True)
            check_code(spec, full)
            r["json_bytes"] = r["warmup_stdout_bytes"]
            r["json_full_bytes"] = full["stdout_bytes"]
        if spec["key"] == "consolidate_cold":
            cache_after = migsquash_cache_state(project)
    if cache_after is None:
        cache_after = migsquash_cache_state(project)

    # sanity checks (fixed set, reported for every size; None: row not run)
    alembic_ran = "alembic_warm" in results
    heads = (re.findall(r"^(\w+) \(head\)", results["alembic_warm"]["warmup_stdout"], re.M)
             if alembic_ran else None)
    a_warm, a_cold = results["analyze_warm"], results["analyze_cold"]
    cons = results.get("consolidate_cold")
    checks = {
        "alembic_heads": heads,
        "alembic_heads_ok": heads == [stats["head"]] if alembic_ran else None,
        "analyze_json": is_json(results["analyze_json"]["warmup_stdout"]),
        # the text report: written while creating the cache, with a warm
        # cache, and with --no-cache
        "reports_identical": (a_warm["warmup_stdout"] == a_warm["warm_stdout"]
                              == a_cold["warmup_stdout"]) and bool(a_cold["warmup_stdout"]),
        # the cache file was not rewritten from the end of row 1's warm-up to
        # the end of row 6 (or 5): every warm run found every file in it, and
        # the --no-cache runs did not write it
        "cache_stable": cache_after == a_warm["cache_before"],
        # consolidate's warm-up printed a baseline for the generated head
        "baseline_ok": baseline_ok(cons["warmup_stdout"], stats["head"]) if cons else None,
        "consolidate_warnings": count_findings(cons["warmup_stderr"], "warning") if cons else None,
        "consolidate_data_migrations": (count_findings(cons["warmup_stderr"], "warning[MS202]")
                                        if cons else None),
        "pyc_present": results["alembic_warm"]["pyc_before"] if alembic_ran else None,
        "pyc_expected": stats["revisions"],
    }
    if checks["alembic_heads_ok"] is False:
        raise BenchError(f"[{size}] alembic reported heads {heads}, expected [{stats['head']}]")
    if not checks["analyze_json"]:
        log(f"[{size}] WARNING: `migsquash analyze --format json` did not print valid JSON")
    if not checks["reports_identical"]:
        log(f"[{size}] WARNING: `migsquash analyze` printed different reports with and "
            "without the cache")
    if checks["baseline_ok"] is False:
        log(f"[{size}] WARNING: `migsquash consolidate` did not print a baseline with "
            f"revision {stats['head']}")
    if not checks["cache_stable"]:
        log(f"[{size}] WARNING: the migsquash cache was rewritten during the benchmark, so "
            "some warm-cache runs were not fully warm")
    remove_migsquash_cache(project)  # leave the cached history as generated
    return {"size": size, "stats": stats, "results": results, "checks": checks}


def baseline_ok(text, head):
    """A baseline migration whose revision id is the history's head."""
    return ("def upgrade(" in text
            and re.search(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]" + re.escape(head) + "['\"]",
                          text, re.M) is not None)


def count_findings(stderr, prefix):
    return sum(1 for line in stderr.splitlines() if line.startswith(prefix))


def is_json(text):
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------
# environment info
# --------------------------------------------------------------------------

def machine_info(args, env):
    info = {}
    try:
        info["nproc"] = str(len(os.sched_getaffinity(0)))
    except AttributeError:
        info["nproc"] = str(os.cpu_count())
    cpu = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "Hardware", "cpu model"):
                    cpu = value.strip()
                    break
    except OSError:
        pass
    info["cpu"] = cpu or platform.processor() or platform.machine() or "unknown"
    mem = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    kib = int(line.split()[1])
                    mem = f"{kib / 1024 / 1024:.1f} GiB"
                    break
    except (OSError, ValueError):
        pass
    info["memory"] = mem
    info["os"] = f"{platform.system()} {platform.release()} ({platform.machine()})"
    info["load_start"] = load_average()

    probe = ("import importlib.metadata as m, json, sys\n"
             "def v(n):\n"
             "    try:\n"
             "        return m.version(n)\n"
             "    except m.PackageNotFoundError:\n"
             "        return 'not installed'\n"
             "print(json.dumps({'python': sys.version.split()[0], 'alembic': v('alembic'),"
             " 'sqlalchemy': v('SQLAlchemy'), 'mako': v('Mako')}))\n")
    try:
        out = subprocess.run([args.python, "-c", probe], env=env, capture_output=True,
                             text=True, check=True).stdout
        info.update(json.loads(out))
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        raise BenchError(f"cannot query the venv python {args.python}: {e}") from e
    if info["alembic"] == "not installed":
        raise BenchError(f"alembic is not installed in {args.python}")
    try:
        r = subprocess.run([args.migsquash, "--version"], env=env, capture_output=True,
                           text=True, timeout=60)
        text = (r.stdout.strip() or r.stderr.strip()).splitlines()
        info["migsquash"] = text[0] if text else "(no output)"
        if r.returncode != 0:
            info["migsquash"] += f" (exit {r.returncode})"
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError(f"cannot run {args.migsquash} --version: {e}") from e
    try:
        r = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"],
                           capture_output=True, text=True, timeout=30)
        info["commit"] = r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else "unknown"
        if info["commit"] != "unknown":
            r = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30)
            if r.returncode == 0 and r.stdout.strip():
                info["commit"] += " (with uncommitted changes)"
    except (OSError, subprocess.TimeoutExpired):
        info["commit"] = "unknown"
    return info


def load_average():
    """The 1-minute load average, as text ("unknown" where unavailable)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


# --------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------

def fmt_time(s):
    if s >= 1:
        return f"{s:.2f} s"
    ms = s * 1000
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def fmt_limit(seconds):
    """A target time: "100 ms", "3 s"."""
    return f"{seconds:g} s" if seconds >= 1 else f"{seconds * 1000:g} ms"


def rss_mb(kib):
    return kib * 1024 / 1e6


RSS_FLOOR_KIB = 0  # set in main(); values at or below it are shown as "≤ floor"


def fmt_rss(kib):
    if RSS_FLOOR_KIB and kib <= RSS_FLOOR_KIB + 256:
        return f"≤ {rss_mb(max(kib, RSS_FLOOR_KIB)):.1f} MB"
    return f"{rss_mb(kib):.1f} MB"


def fmt_ratio(r):
    if r is None:
        return "n/a"
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×"


def codes_str(codes):
    return ", ".join(str(c) for c in codes)


def ratio(a, b):
    return a / b if b > 0 else None


def size_table(entry):
    lines = ["| command | median | min | peak RSS | exit code |",
             "|---|---:|---:|---:|---:|"]
    for key in ROWS:
        r = entry["results"].get(key)
        if r is None:
            continue
        lines.append(f"| {r['label']} | {fmt_time(r['median'])} | {fmt_time(r['min'])} | "
                     f"{fmt_rss(r['peak_rss_kib'])} | {codes_str(r['codes'])} |")
    return lines


def skipped_rows_note(entry, args):
    """A sentence for a size whose table has only the scaling rows."""
    if len(entry["results"]) == len(ROWS):
        return None
    return (f"Above {human_int(args.all_rows_max)} revisions (`--all-rows-max`) only the "
            "`migsquash analyze` and `check` rows run: on 50,000 revisions `migsquash "
            "consolidate` and `alembic heads` would add most of an hour.")


def json_size_line(entry):
    r = entry["results"]["analyze_json"]
    history = entry["stats"]["bytes"]
    return (f"JSON report: `migsquash analyze --format json` wrote {r['json_bytes'] / 1e6:.1f} MB "
            f"({fmt_ratio(ratio(r['json_bytes'], history))} the history's "
            f"{history / 1e6:.1f} MB); with `--detail full` (every argument as written), "
            f"{r['json_full_bytes'] / 1e6:.1f} MB "
            f"({fmt_ratio(ratio(r['json_full_bytes'], history))}).")


def scaling_table(entries):
    """Each migsquash row's median per 1,000 revisions, by size: a flat row
    is linear growth."""
    sizes = [e["size"] for e in entries]
    lines = ["| command | " + " | ".join(f"{human_int(n)} revisions" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for key in SCALING_ROWS:
        label = entries[0]["results"][key]["label"]
        cells = [fmt_time(e["results"][key]["median"] * 1000 / e["size"]) for e in entries]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


# (migsquash analyze row, alembic heads row, description); the first is the
# one the speed-up target is judged on
SPEEDUP_PAIRS = (
    ("analyze_warm", "alembic_warm",
     "warm vs warm: `migsquash analyze` with its cache vs `alembic heads` with `__pycache__`"),
    ("analyze_cold", "alembic_cold",
     "cold vs cold: `migsquash analyze --no-cache` vs `alembic heads` without `__pycache__`"),
    ("analyze_cold", "alembic_warm",
     "cold vs warm: `migsquash analyze --no-cache` vs `alembic heads` with `__pycache__`"),
    ("analyze_warm", "alembic_cold",
     "warm vs cold: `migsquash analyze` with its cache vs `alembic heads` without `__pycache__`"),
)


def speedup(entry, mig_key, alembic_key):
    res = entry["results"]
    if alembic_key not in res:
        return None
    return ratio(res[alembic_key]["median"], res[mig_key]["median"])


def speedup_lines(entry):
    """(description, ratio) for every combination, the headline first."""
    return [(desc, speedup(entry, m, a)) for m, a, desc in SPEEDUP_PAIRS]


def human_int(n):
    return f"{n:,}"


SPEEDUP_RULE = ("ratio of medians, warm against warm: `migsquash analyze` with a warm "
                "migsquash cache vs `alembic heads` with a warm `__pycache__`")
BIG_RULE = ("judged on `migsquash analyze --no-cache`, every file parsed (the strict case); "
            "in brackets, not judged: `migsquash analyze` with a warm cache")


def targets(entries):
    """(target, rule, measured, ok) rows."""
    by_size = {e["size"]: e for e in entries}
    rows = []
    e = by_size.get(TARGET_SPEEDUP_SIZE)
    label = (f"`migsquash analyze` ≥ {TARGET_SPEEDUP:.0f}× faster than `alembic heads` "
             f"on {human_int(TARGET_SPEEDUP_SIZE)} revisions")
    if e:
        warm = speedup(e, "analyze_warm", "alembic_warm")
        ok = warm is not None and warm >= TARGET_SPEEDUP
        rows.append((label, SPEEDUP_RULE, fmt_ratio(warm), ok))
    else:
        rows.append((label, SPEEDUP_RULE, "not measured", None))
    e = by_size.get(TARGET_BIG_SIZE)
    label_t = (f"`migsquash analyze` on {human_int(TARGET_BIG_SIZE)} revisions "
               f"< {TARGET_BIG_SECONDS:g} s")
    label_m = (f"`migsquash analyze` on {human_int(TARGET_BIG_SIZE)} revisions "
               f"< {TARGET_BIG_MB:g} MB peak RSS")
    if e:
        cold, warm = e["results"]["analyze_cold"], e["results"]["analyze_warm"]
        rows.append((label_t, "median wall time, " + BIG_RULE,
                     f"{fmt_time(cold['median'])} (warm cache: {fmt_time(warm['median'])})",
                     cold["median"] < TARGET_BIG_SECONDS))
        rows.append((label_m, "largest `ru_maxrss` over the timed runs, " + BIG_RULE,
                     f"{fmt_rss(cold['peak_rss_kib'])} "
                     f"(warm cache: {fmt_rss(warm['peak_rss_kib'])})",
                     rss_mb(cold["peak_rss_kib"]) < TARGET_BIG_MB))
    else:
        rows.append((label_t, "median wall time, " + BIG_RULE, "not measured", None))
        rows.append((label_m, "largest `ru_maxrss` over the timed runs, " + BIG_RULE,
                     "not measured", None))
    rows.extend(consolidate_targets(by_size))
    return rows


CONSOLIDATE_RULE = "`migsquash consolidate --no-cache` (cold: every file parsed), exit 0 required"


def consolidate_targets(by_size):
    """(target, rule, measured, ok) rows for `migsquash consolidate`."""
    specs = [
        (TARGET_CONSOLIDATE_SMALL_SIZE, "time", TARGET_CONSOLIDATE_SMALL_SECONDS),
        (TARGET_CONSOLIDATE_BIG_SIZE, "time", TARGET_CONSOLIDATE_BIG_SECONDS),
        (TARGET_CONSOLIDATE_BIG_SIZE, "rss", TARGET_CONSOLIDATE_BIG_MB),
    ]
    rows = []
    for size, what, limit in specs:
        e = by_size.get(size)
        if what == "time":
            label = (f"`migsquash consolidate` on {human_int(size)} revisions "
                     f"< {fmt_limit(limit)} (cold)")
            rule = "median wall time, " + CONSOLIDATE_RULE
        else:
            label = (f"`migsquash consolidate` on {human_int(size)} revisions "
                     f"< {limit:g} MB peak RSS (cold)")
            rule = "largest `ru_maxrss` over the timed runs, " + CONSOLIDATE_RULE
        if not e:
            rows.append((label, rule, "not measured", None))
            continue
        r = e["results"].get("consolidate_cold")
        if r is None:
            rows.append((label, rule, "not measured", None))
            continue
        if what == "time":
            rows.append((label, rule, fmt_time(r["median"]), r["median"] < limit))
        else:
            rows.append((label, rule, fmt_rss(r["peak_rss_kib"]),
                         rss_mb(r["peak_rss_kib"]) < limit))
    return rows


def consolidate_summary(entries):
    """One sentence: the consolidate targets and whether they are met."""
    rows = consolidate_targets({e["size"]: e for e in entries})
    verdicts = [ok for _, _, _, ok in rows]
    goal = (f"{human_int(TARGET_CONSOLIDATE_SMALL_SIZE)} revisions in "
            f"< {fmt_limit(TARGET_CONSOLIDATE_SMALL_SECONDS)}; "
            f"{human_int(TARGET_CONSOLIDATE_BIG_SIZE)} revisions in "
            f"< {fmt_limit(TARGET_CONSOLIDATE_BIG_SECONDS)} and "
            f"< {TARGET_CONSOLIDATE_BIG_MB:g} MB peak RSS")
    parts = [f"{label.split(' on ', 1)[1].replace(' (cold)', '')}: {measured}"
             + ("" if ok is None else f" ({'met' if ok else 'not met'})")
             for label, _, measured, ok in rows]
    if False in verdicts:
        state = "not met"
    elif all(v is None for v in verdicts):
        state = "not measured"
    elif None in verdicts:
        state = "met where measured"
    else:
        state = "met"
    return (f"`migsquash consolidate --no-cache` targets ({goal}): **{state}**; "
            + "; ".join(parts) + ".")


def reference_ratios(entries):
    """The other speed-up combinations on the target size: shown, not judged."""
    e = next((e for e in entries if e["size"] == TARGET_SPEEDUP_SIZE), None)
    if not e:
        return []
    return speedup_lines(e)[1:]


def verdict(ok):
    return "not measured" if ok is None else ("**PASS**" if ok else "**FAIL**")


def reproduce_options(args):
    opts = []
    if args.sizes != DEFAULT_SIZES:
        opts += ["--sizes", ",".join(str(s) for s in args.sizes)]
    if args.runs != DEFAULT_RUNS:
        opts += ["--runs", str(args.runs)]
    if args.seed != DEFAULT_SEED:
        opts += ["--seed", str(args.seed)]
    if args.all_rows_max != DEFAULT_ALL_ROWS_MAX:
        opts += ["--all-rows-max", str(args.all_rows_max)]
    return opts


def reproduce_command(args):
    return shlex.join(["python3", "bench/run.py", "--migsquash", args.migsquash_arg,
                       "--python", args.python_arg] + reproduce_options(args))


def reproduce_script(args):
    return shlex.join(["bash", "bench/run.sh"] + reproduce_options(args))


def check_sentences(ch):
    """The sanity checks of one size, those of rows not run left out."""
    out = []
    if ch["alembic_heads"] is not None:
        out.append(f"`alembic heads` reported {len(ch['alembic_heads'])} head "
                   f"({'as generated' if ch['alembic_heads_ok'] else 'UNEXPECTED'})")
    out.append(f"`migsquash analyze` printed "
               f"{'the same report' if ch['reports_identical'] else '**different** reports'} "
               "with and without the cache")
    out.append("the migsquash cache "
               + ("was not rewritten after the warm-up run that created it" if ch["cache_stable"]
                  else "**was rewritten** during the timed runs (warm-cache rows may not be "
                       "fully warm)"))
    out.append(f"`migsquash analyze --format json` output was "
               f"{'valid' if ch['analyze_json'] else '**not** valid'} JSON")
    if ch["pyc_present"] is not None or ch["alembic_heads"] is not None:
        out.append(f"`.pyc` files present before the warm timed runs: "
                   f"{human_int(ch['pyc_present'] or 0)} of {human_int(ch['pyc_expected'])}")
    if ch["baseline_ok"] is not None:
        warnings = ch["consolidate_warnings"]
        out.append("`migsquash consolidate` exited 0 and "
                   + ("printed a baseline with the id of the head" if ch["baseline_ok"]
                      else "did **not** print a baseline with the id of the head")
                   + f", with {human_int(warnings)} warning{'' if warnings == 1 else 's'} "
                   f"({human_int(ch['consolidate_data_migrations'])} MS202, data migrations)")
    return out


def render_report(args, info, entries):
    today = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("<!-- Generated by bench/run.py; do not edit by hand. -->")
    w("")
    w("`migsquash` reads an Alembic history statically; `alembic heads` has to import every "
      "revision file. The figures below compare both on synthetic but realistic histories "
      "(see `bench/README.md` for the method and caveats).")
    w("")
    w("Reproduce, from the repository root: `bench/run.sh` builds the release binary, creates "
      "the test venv with alembic and then runs `bench/run.py`; with a binary and a venv you "
      "already have, run the second command directly.")
    w("")
    w("```sh")
    w(reproduce_script(args))
    w(reproduce_command(args))
    w("```")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| date (UTC) | {today} |")
    w(f"| CPUs (`nproc`) | {info['nproc']} |")
    w(f"| CPU model | {info['cpu']} |")
    w(f"| total memory | {info['memory']} |")
    w(f"| OS | {info['os']} |")
    w(f"| Python (venv) | {info['python']} |")
    w(f"| alembic | {info['alembic']} |")
    w(f"| SQLAlchemy | {info['sqlalchemy']} |")
    w(f"| `migsquash --version` | {info['migsquash']} |")
    w(f"| commit | {info['commit']} |")
    w("")
    w("## Method")
    w("")
    w(f"- Histories are generated by `bench/gen_history.py` with seed {args.seed}: mostly "
      "linear, with groups of 2–3 feature branches joined by merge revisions every ~15–25 "
      "revisions, one head; revision files are 40–150 lines of typical autogenerate output. "
      "They are consistent schema evolutions: every operation is valid against the schema "
      "built so far, whatever order Alembic runs parallel branches in, and they run on "
      "PostgreSQL; so `migsquash consolidate` can replay them.")
    w(f"- Every command gets one warm-up run, then {args.runs} timed runs. *median* and *min* "
      "are wall-clock times of the whole process (spawn to exit); *peak RSS* is the largest "
      "`ru_maxrss` of the child over the timed runs, from `wait4(2)`. MB = 10⁶ bytes. "
      "Commands are started (`posix_spawn`) by a minimal launcher process, so a peak RSS cannot be measured "
      f"below a floor of {rss_mb(info['rss_floor_kib']):.1f} MB (what `true` reports); such "
      "values are shown as ≤ floor.")
    w("- All commands write their output to `/dev/null`; `migsquash analyze|check` exit "
      "codes 0 and 1 (findings) are accepted, anything else aborts the benchmark.")
    w("- `migsquash consolidate --no-cache DIR` squashes the whole history into one baseline "
      "(every file parsed, every operation replayed, the baseline rendered); stdout and "
      "stderr go to `/dev/null` in the timed runs. It must exit 0: exit 1 means it refused "
      "to squash the history and aborts the benchmark. Its warnings MS202 (data migrations, "
      "which it lists and does not replay) are expected.")
    w(f"- `migsquash` runs as `migsquash analyze|check [--no-cache] [--format json] DIR` with "
      f"the project directory as working directory. *warm cache*: `DIR/{MIGSQUASH_CACHE_NAME}` "
      "is deleted before the warm-up run of `migsquash analyze`, which creates it; that row and "
      "the other warm-cache rows reuse it. *cold* (`--no-cache`): every revision file is parsed. "
      "`MIGSQUASH_NO_CACHE` and `MIGSQUASH_CACHE_DIR` are removed from the environment, so "
      "only the rows that pass `--no-cache` run without the cache.")
    w("- `alembic heads` runs as `PYTHON -m alembic -c DIR/alembic.ini heads` with the project "
      "directory as working directory. *warm*: the revision files' `__pycache__/*.pyc` written "
      "by the warm-up run are reused, as on a developer machine. *cold*: every `__pycache__` "
      "under the project is deleted before each run (the site-packages bytecode stays warm), "
      "as on a fresh CI checkout.")
    w("- Speed-up = median of `alembic heads` / median of `migsquash analyze` (text report), "
      "shown for every combination of warm and cold.")
    w("")
    w("## Results")
    for e in entries:
        st = e["stats"]
        ch = e["checks"]
        w("")
        w(f"### {human_int(e['size'])} revisions")
        w("")
        w(f"History: {human_int(st['revisions'])} revision files ({human_int(st['merges'])} "
          f"merge revision{'' if st['merges'] == 1 else 's'}), {human_int(st['lines'])} lines, "
          f"{st['bytes'] / (1024 * 1024):.1f} MiB.")
        w("")
        out.extend(size_table(e))
        note = skipped_rows_note(e, args)
        if note:
            w("")
            w(note)
        if "alembic_warm" in e["results"]:
            w("")
            w("Speed-up of `migsquash analyze` over `alembic heads` (ratio of medians):")
            w("")
            for i, (desc, r) in enumerate(speedup_lines(e)):
                w(f"- {desc}: " + (f"**{fmt_ratio(r)}**" if i == 0 else fmt_ratio(r)))
        w("")
        w(json_size_line(e))
        w("")
        w("Checks: " + "; ".join(check_sentences(ch)) + ".")
    if len(entries) > 1:
        w("")
        w("## Scaling")
        w("")
        w("Median per 1,000 revisions: the same figure at every size is linear growth. "
          "Process start-up weighs on the smallest sizes.")
        w("")
        out.extend(scaling_table(entries))
    w("")
    w("## Targets")
    w("")
    w(consolidate_summary(entries))
    w("")
    w("| target | rule | measured | result |")
    w("|---|---|---:|---|")
    for label, rule, measured, ok in targets(entries):
        w(f"| {label} | {rule} | {measured} | {verdict(ok)} |")
    ref = reference_ratios(entries)
    if ref:
        w("")
        w(f"Not targets, for reference, the other combinations on "
          f"{human_int(TARGET_SPEEDUP_SIZE)} revisions:")
        w("")
        for desc, r in ref:
            w(f"- {desc}: {fmt_ratio(r)}")
    w("")
    w("## Notes")
    w("")
    w("- **Warm vs cold.** Both tools keep a cache in the project that their first run "
      f"writes: `migsquash` stores what it extracted from each revision file in "
      f"`{MIGSQUASH_CACHE_NAME}/`, keyed by a hash of the file's bytes, with each file's stat "
      "data (as git's index does), so a warm run stats every file, reads only those whose stat "
      "data changed and parses only those whose bytes changed; when no file changed, "
      "`analyze` also reuses the report it computed for exactly these files (tables, SQL, "
      "churn) and decodes no operation. `--no-cache` parses them all. "
      "Alembic's `__pycache__/*.pyc` saves compiling, but a warm `alembic heads` "
      "still starts Python, imports SQLAlchemy and executes every revision module. Warm is "
      "what a developer sees on repeated runs; cold is a first run on a fresh checkout, such "
      "as a CI job that does not keep these directories.")
    w("- **consolidate** does much more than `analyze`: after parsing every file it replays "
      "every upgrade operation, in Alembic's upgrade order, into a model of the schema and "
      "renders the whole baseline migration (and its report of warnings). It is measured "
      "cold only (`--no-cache`), the strict case the targets are set for.")
    w("- **Load.** The 1-minute load average was "
      f"{info['load_start']} when the run started and {info.get('load_end', 'unknown')} when "
      "it ended; on a machine with few CPUs a load near or above the CPU count means other "
      "work competed with the measurements.")
    w("")
    return "\n".join(out)


def print_summary(entries):
    for e in entries:
        print(f"\n## {human_int(e['size'])} revisions\n")
        print("\n".join(size_table(e)))
        if "alembic_warm" in e["results"]:
            print("\nspeed-up of migsquash analyze over alembic heads (ratio of medians):")
            for desc, r in speedup_lines(e):
                print(f"- {desc}: {fmt_ratio(r)}")
        print("\n" + json_size_line(e).replace("`", ""))
    if len(entries) > 1:
        print("\n## Scaling (median per 1,000 revisions)\n")
        print("\n".join(scaling_table(entries)))
    print("\n## Targets\n")
    print(consolidate_summary(entries).replace("**", "").replace("`", "") + "\n")
    for label, rule, measured, ok in targets(entries):
        print(f"- {label} ({rule}): {measured} -> {verdict(ok).strip('*')}")
    for desc, r in reference_ratios(entries):
        print(f"- not a target, {human_int(TARGET_SPEEDUP_SIZE)} revisions, {desc}: {fmt_ratio(r)}")
    sys.stdout.flush()


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_sizes(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}")
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def resolve_executable(path, what):
    """Resolve relative to the working directory, falling back to PATH."""
    if os.sep in path or os.path.exists(path):
        full = os.path.abspath(path)
    else:
        found = shutil.which(path)
        full = found and os.path.abspath(found)
    if not full or not os.path.isfile(full) or not os.access(full, os.X_OK):
        raise BenchError(f"{what} not found or not executable: {path}")
    return full


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark migsquash against `alembic heads`.",
        epilog="Default report path is docs/benchmarks.md in the repository.")
    ap.add_argument("--migsquash", required=True, help="path to the migsquash binary")
    ap.add_argument("--python", required=True,
                    help="python of a venv that has alembic installed")
    ap.add_argument("--sizes", type=parse_sizes, default=DEFAULT_SIZES,
                    help="comma-separated history sizes (default: 400,1000,10000,50000)")
    ap.add_argument("--all-rows-max", type=int, default=DEFAULT_ALL_ROWS_MAX,
                    help="largest size that runs every row; larger ones run only the "
                         f"migsquash analyze and check rows (default: {DEFAULT_ALL_ROWS_MAX})")
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                    help="timed runs per command after one warm-up (default: 5)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help=f"generator seed (default: {DEFAULT_SEED})")
    ap.add_argument("--out", default=None,
                    help="Markdown report path (default: docs/benchmarks.md in the repository)")
    ap.add_argument("--histories", default=None,
                    help="cache directory for generated histories "
                         "(default: target/bench-histories in the repository)")
    ap.add_argument("--no-history-cache", "--no-cache", dest="no_history_cache",
                    action="store_true",
                    help="generate histories into a temporary directory removed afterwards "
                         "(--no-cache is the old name; it does not affect migsquash's cache)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    args.migsquash_arg, args.python_arg = args.migsquash, args.python
    tmp_root = None
    try:
        args.migsquash = resolve_executable(args.migsquash, "migsquash binary")
        # keep a venv python's own path (do not resolve symlinks: that would leave the venv)
        args.python = resolve_executable(args.python, "venv python")
        out_path = os.path.abspath(args.out) if args.out else os.path.join(REPO, DEFAULT_OUT)
        env = child_env()
        info = machine_info(args, env)
        global RSS_FLOOR_KIB
        RSS_FLOOR_KIB = info["rss_floor_kib"] = rss_floor(env)
        log(f"migsquash: {info['migsquash']}; python {info['python']}, "
            f"alembic {info['alembic']}, SQLAlchemy {info['sqlalchemy']}")

        if args.no_history_cache:
            tmp_root = tempfile.mkdtemp(prefix="migsquash-bench-")
            root = tmp_root
        else:
            root = os.path.abspath(args.histories) if args.histories else os.path.join(REPO, CACHE_DIR)

        entries = []
        for size in args.sizes:
            project, stats = prepare_history(root, size, args.seed)
            entries.append(bench_size(size, project, stats, args, env))
    except BenchError as e:
        log(f"run.py: error: {e}")
        return 2
    finally:
        if tmp_root:
            shutil.rmtree(tmp_root, ignore_errors=True)

    info["load_end"] = load_average()
    print_summary(entries)
    report = render_report(args, info, entries)
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(report)
    log(f"\nreport written to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
