#!/usr/bin/env python3
"""Crash-safety soak: kill `pose run` at random moments, resume, and check that
nothing stored is lost or wrong.

    tests/soak/soak.py --pose build/release/bin/pose --cycles 100   # by hand (~15 min)
    tests/soak/soak.py --pose build/release/bin/pose --cycles 4     # CI (ctest: soak_short)

First runs the experiment (tests/soak/soak-spec.json: data, base model, one
PoSE run with periodic evaluation, final evaluation) once without interruption
as the reference. Then, for each cycle, starts `pose run --resume` on a second
store, SIGKILLs it after a random delay, and checks:

  * the store passes PRAGMA integrity_check;
  * no run is reported "running" by `pose runs` (the killed process is gone: a
    run it left behind shows as "interrupted");
  * the next start resumes each interrupted training run at most one checkpoint
    interval behind the last step the store had recorded before the kill;
  * whenever the experiment completes, every run is "done" and every stored
    series (losses, learning rate, gradient norms, periodic and final
    evaluation results; not timings) equals the reference exactly, step by step.
    Then the soak starts over on a fresh store until the cycles are used up.

Exit status 0 when every check passed; the last lines summarise the numbers.
Needs only the Python standard library (and the `pose` binary).
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "soak-spec.json")
# Series that measure time or memory differ between any two runs; everything else must match.
TIMING = re.compile(r"tokens_per_s|wall_s|memory_mb|elapsed|eta")
RESUME = re.compile(r"\b([A-Za-z0-9._-]+): resuming at step (\d+) of (\d+)")


def pose_cmd(args, store, work):
    return [args.pose, "--threads", str(args.threads), "--log-level", "info", "run", SPEC, "--store", store,
            "--work-dir", work]


def series_of(store):
    """{(run, series): [(step, value), ...]} of every non-timing series, one value per step."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT r.name, m.series, m.step, m.value FROM metrics m JOIN runs r ON r.id = m.run_id "
                          "ORDER BY r.name, m.series, m.step, m.rowid").fetchall()
    finally:
        db.close()
    out = {}
    for run, series, step, value in rows:
        if TIMING.search(series):
            continue
        points = out.setdefault((run, series), [])
        if points and points[-1][0] == step:
            raise AssertionError(f"{run} {series}: step {step} stored twice")
        points.append((step, value))
    return out


def last_steps(store):
    """{run: last train/loss step} as stored now."""
    if not os.path.exists(store):
        return {}
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT r.name, max(m.step) FROM metrics m JOIN runs r ON r.id = m.run_id "
                               "WHERE m.series = 'train/loss' GROUP BY r.name").fetchall())
    except sqlite3.OperationalError:  # killed before the schema existed
        return {}
    finally:
        db.close()


def integrity(store):
    if not os.path.exists(store):
        return "ok"
    db = sqlite3.connect(store)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def statuses(args, store):
    if not os.path.exists(store):
        return {}
    out = subprocess.run([args.pose, "runs", "--store", store, "--json"], capture_output=True, text=True, check=True)
    return {r["run"]: r["status"] for r in json.loads(out.stdout)}


def checkpoint_every(run):
    spec = json.load(open(SPEC))
    if run == "base":
        return spec["base_model"]["checkpoint_every"]
    return spec["extend_defaults"]["checkpoint_every"]


def check_resumes(log_path, before_kill, lost_steps, failures, label):
    """Each training resume in a start's log against the step the store held before the last kill;
    returns the number of resumes."""
    text = open(log_path, errors="replace").read()
    found = RESUME.findall(text)
    for run, step, _total in found:
        if run in before_kill:
            lost = before_kill[run] - int(step)
            lost_steps.append(lost)
            if lost > checkpoint_every(run) or lost < 0:
                failures.append(f"{label}: {run} resumed at {step} with step {before_kill[run]} stored "
                                f"(lost {lost}, checkpoint interval {checkpoint_every(run)})")
    return len(found)


def compare(reference, soaked):
    problems = []
    for key in sorted(set(reference) | set(soaked)):
        a, b = reference.get(key), soaked.get(key)
        if a != b:
            where = "missing" if b is None else "extra" if a is None else next(
                f"step {x[0]}: {x[1]!r} vs {y[1]!r}" if x[0] == y[0] else f"steps {x[0]} vs {y[0]}"
                for x, y in zip(a + [(None, None)], b + [(None, None)]) if x != y)
            problems.append(f"{key[0]} {key[1]}: {where}")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pose", required=True, help="the pose binary")
    p.add_argument("--cycles", type=int, default=100, help="kills (default 100)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads, the same for every run (default 2)")
    p.add_argument("--min-kill", type=float, default=0.3, help="earliest kill, seconds after start")
    p.add_argument("--max-kill", type=float, default=None,
                   help="latest kill (default: 60%% of the reference run's time)")
    p.add_argument("--seed", type=int, default=None, help="random seed of the kill times (default: from the clock)")
    p.add_argument("--keep", default=None, help="keep the stores and logs in this directory")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    root = args.keep or tempfile.mkdtemp(prefix="pose-soak-")
    os.makedirs(root, exist_ok=True)
    print(f"soak: {args.cycles} cycles, seed {seed}, files in {root}", flush=True)

    ref_store, ref_work = os.path.join(root, "reference.sqlite"), os.path.join(root, "reference")
    t0 = time.monotonic()
    with open(os.path.join(root, "reference.log"), "w") as log:
        subprocess.run(pose_cmd(args, ref_store, ref_work), stdout=log, stderr=subprocess.STDOUT, check=True)
    ref_s = time.monotonic() - t0
    reference = series_of(ref_store)
    max_kill = args.max_kill if args.max_kill is not None else max(args.min_kill + 0.5, 0.6 * ref_s)
    print(f"reference: {ref_s:.1f} s uninterrupted, {len(reference)} series; kills at "
          f"{args.min_kill:.1f}-{max_kill:.1f} s", flush=True)

    failures, kills, completed, resumes, lost_steps = [], 0, 0, 0, []
    round_no, cycle = 1, 0
    store, work = os.path.join(root, "soak-1.sqlite"), os.path.join(root, "soak-1")
    before_kill = {}
    while cycle < args.cycles:
        cycle += 1
        delay = rng.uniform(args.min_kill, max_kill)
        log_path = os.path.join(root, f"cycle-{cycle:03d}.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(pose_cmd(args, store, work) + ["--resume"], stdout=log, stderr=subprocess.STDOUT)
            try:
                rc = proc.wait(timeout=delay)
                killed = False
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                rc = proc.wait()
                killed = True
        resumes += check_resumes(log_path, before_kill, lost_steps, failures, f"cycle {cycle}")
        check = integrity(store)
        if check != "ok":
            failures.append(f"cycle {cycle}: integrity_check: {check}")
        status = statuses(args, store)
        lying = [run for run, s in status.items() if s == "running"]
        if lying:
            failures.append(f"cycle {cycle}: reported running after the process ended: {', '.join(lying)}")
        if killed:
            kills += 1
            before_kill = last_steps(store)
            print(f"cycle {cycle:3d}: killed after {delay:4.1f} s; stored steps {before_kill or '{}'}; "
                  f"runs {status or '{}'}; integrity {check}", flush=True)
            continue
        if rc != 0:
            failures.append(f"cycle {cycle}: pose run exited with {rc} (see {log_path})")
            print(f"cycle {cycle:3d}: exit {rc}", flush=True)
            break
        completed += 1
        not_done = [run for run, s in status.items() if s != "done"]
        problems = compare(reference, series_of(store))
        if not_done:
            failures.append(f"round {round_no}: not done after completion: {', '.join(not_done)}")
        failures += [f"round {round_no}: {p}" for p in problems]
        print(f"cycle {cycle:3d}: completed round {round_no}; {len(reference)} series "
              f"{'equal the reference' if not problems else 'DIFFER: ' + '; '.join(problems[:3])}", flush=True)
        round_no += 1
        store, work = os.path.join(root, f"soak-{round_no}.sqlite"), os.path.join(root, f"soak-{round_no}")
        before_kill = {}
    # Finish the last round uninterrupted, so its results are compared too.
    if os.path.exists(store):
        with open(os.path.join(root, "final.log"), "w") as log:
            rc = subprocess.run(pose_cmd(args, store, work) + ["--resume"], stdout=log, stderr=subprocess.STDOUT).returncode
        resumes += check_resumes(os.path.join(root, "final.log"), before_kill, lost_steps, failures, "final")
        problems = compare(reference, series_of(store)) if rc == 0 else [f"exit {rc}"]
        status = statuses(args, store)
        if any(s != "done" for s in status.values()):
            failures.append(f"final round: not all done: {status}")
        if integrity(store) != "ok":
            failures.append("final round: integrity_check failed")
        failures += [f"final round: {p}" for p in problems]
        completed += 1
        print(f"final: completed round {round_no}; "
              f"{'equal the reference' if not problems else 'DIFFER: ' + '; '.join(problems[:3])}", flush=True)

    print(f"\nsoak summary: {kills} kills, {completed} completed rounds, {resumes} training resumes, "
          f"steps lost per resume: max {max(lost_steps) if lost_steps else 0}, "
          f"mean {sum(lost_steps) / len(lost_steps) if lost_steps else 0:.1f} "
          f"(checkpoint intervals: base {checkpoint_every('base')}, extension {checkpoint_every('pose-linear')}); "
          f"integrity checks {cycle + 1}; {len(failures)} failures; seed {seed}")
    for f in failures:
        print("FAIL:", f)
    if not args.keep and not failures:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
