#!/usr/bin/env python3
"""Sets the storage probes beside fio on the same file system, alternated.

Usage: bench/storage_peer_compare.py DIR [BUILD_DIR] [RUNS]
       (defaults: build/release, 3 runs)

DIR is a directory on the file system to measure (it must exist; the script and the
probes write only inside directories of their own there and remove them). For each
pair below it runs assay and fio RUNS times each, alternately, and prints the median
over runs of each, and their ratio. The fio command lines are printed as run, so the
docs can quote them. Used for the tables in docs/probes/storage.md.

  storage.seq write/read   fio rw=write (end_fsync=1) / rw=read, bs=1M, direct=1,
                           ioengine=io_uring, iodepth=4, size=4G, one job
  storage.rand read IOPS   fio rw=randread, bs=4k, direct=1, ioengine=io_uring,
                           iodepth=32, size=1G, runtime=10, ramp_time=2, time_based
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

if len(sys.argv) < 2:
    sys.exit(__doc__)
target = sys.argv[1]
build = sys.argv[2] if len(sys.argv) > 2 else "build/release"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
assay = os.path.abspath(f"{build}/assay")


def run(command):
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def assay_figures(probe, sets):
    command = [assay, "probe", probe, "--set", f"path={target}", "--json"]
    for s in sets:
        command += ["--set", s]
    result = json.loads(run(command))
    result = result[0] if isinstance(result, list) else result
    return {m["key"]: m["value"] for m in result["metrics"]}


def fio(args):
    scratch = tempfile.mkdtemp(prefix="fio-peer-", dir=target)
    try:
        command = ["fio", "--name=peer", f"--directory={scratch}", "--output-format=json", *args]
        out = json.loads(run(command))
        job = out["jobs"][0]
        return job, " ".join(command)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fio_seq():
    common = ["--bs=1M", "--direct=1", "--ioengine=io_uring", "--iodepth=4", "--size=4G"]
    write, write_cmd = fio(["--rw=write", "--end_fsync=1", *common])
    # A read job lays its file out first (untimed), then reads it.
    read, read_cmd = fio(["--rw=read", *common])
    return {"write": write["write"]["bw_bytes"], "read": read["read"]["bw_bytes"]}, [write_cmd, read_cmd]


def fio_rand():
    job, cmd = fio(["--rw=randread", "--bs=4k", "--direct=1", "--ioengine=io_uring", "--iodepth=32", "--size=1G",
                    "--runtime=10", "--ramp_time=2", "--time_based"])
    return {"read_iops": job["read"]["iops"]}, [cmd]


pairs = [
    ("storage.seq", ["size=4 GiB", "block=1 MiB", "depth=4", "direct=on", "engine=io_uring", "repetitions=1"],
     fio_seq, {"storage.seq.write": "write", "storage.seq.read": "read"}),
    ("storage.rand", ["size=1 GiB", "block=4 KiB", "depth=32", "direct=on", "engine=io_uring", "seconds=10",
                      "ramp=2"],
     fio_rand, {"storage.rand.read_iops": "read_iops"}),
]

for probe, sets, peer, keys in pairs:
    ours = {k: [] for k in keys}
    theirs = {k: [] for k in keys}
    commands = []
    for i in range(runs):
        figures = assay_figures(probe, sets)
        for k in keys:
            ours[k].append(figures[k])
        peer_figures, commands = peer()
        for k, fk in keys.items():
            theirs[k].append(peer_figures[fk])
        print(f"{probe}: run {i + 1} of {runs} done", file=sys.stderr)
    print(f"assay probe {probe} --set path={target} " + " ".join(f"--set '{s}'" for s in sets))
    for c in commands:
        print(f"  peer: {c}")
    for k in keys:
        a, p = ours[k], theirs[k]
        print(f"  {k:26} assay {statistics.median(a):.4g} ({', '.join(f'{x:.4g}' for x in a)})  "
              f"fio {statistics.median(p):.4g} ({', '.join(f'{x:.4g}' for x in p)})  "
              f"ratio {statistics.median(a) / statistics.median(p):.3f}")
