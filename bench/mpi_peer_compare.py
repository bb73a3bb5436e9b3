#!/usr/bin/env python3
"""Sets interconnect.p2p beside the hand-written MPI peer (mpi_peer_pingpong), alternated.

Usage: bench/mpi_peer_compare.py [BUILD_DIR] [RUNS]   (defaults: build/release, 10)

For each transport (Open MPI's default, then TCP forced with --mca btl tcp,self) it runs
assay and the peer RUNS times each, alternately, every run the median of 5
repetitions, and prints per figure the median over runs of each program, their ratio and
the median of the paired ratios (adjacent runs share the machine's state). Used for the
table in docs/probes/interconnect.md "Peer comparison". Needs an MPI build; as root it
sets Open MPI's run-as-root variables itself.
"""
import json
import os
import re
import statistics
import subprocess
import sys

build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
transports = {"shared memory": [], "tcp": ["--mca", "btl", "tcp,self"]}
figures = ["latency", "bandwidth", "bibandwidth"]


def run(command):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return done.stdout


def assay_figures(mca):
    out = run(["mpirun", "-np", "2", *mca, f"{build}/assay", "probe", "interconnect.p2p",
               "--set", "repetitions=5", "--json"])
    results = json.loads(out)
    first = results[0]["node"]  # rank 0; the peer reports rank 0 -> rank 1 only, so does this
    values = {}
    for result in results:
        for metric in result["metrics"]:
            figure = metric["key"].rsplit(".", 1)[1]
            if figure == "bandwidth" and not metric["subject"].startswith(first + "->"):
                continue
            values[figure] = metric["value"]
    return values


def peer_figures(mca):
    out = run(["mpirun", "-np", "2", *mca, f"{build}/bench/mpi_peer_pingpong", "repetitions=5",
               "thread_level=funneled"])
    values = {}
    for line in out.splitlines():
        match = re.match(r"(\w+)\s.*median ([0-9.e+-]+)", line)
        if match:
            values[match.group(1)] = float(match.group(2))
    return values


for name, mca in transports.items():
    series = {(program, f): [] for program in ("assay", "peer") for f in figures}
    for i in range(runs):
        for program, measure in (("assay", assay_figures), ("peer", peer_figures)):
            for f, v in measure(mca).items():
                series[(program, f)].append(v)
        print(f"{name}: run {i + 1} of {runs} done", file=sys.stderr)
    for f in figures:
        a, p = series[("assay", f)], series[("peer", f)]
        paired = statistics.median(x / y for x, y in zip(a, p))
        print(f"{name:14} {f:12} assay {statistics.median(a):.4g} ({min(a):.4g}..{max(a):.4g})  "
              f"peer {statistics.median(p):.4g} ({min(p):.4g}..{max(p):.4g})  "
              f"ratio {statistics.median(a) / statistics.median(p):.3f}  paired {paired:.3f}")
