"""CUBA in Brian2's C++ standalone mode (single thread): builds and compiles
the project under a directory in /tmp, runs the binary under /usr/bin/time,
and prints one JSON line:

  {"neurons", "synapses", "spikes", "meanRateHz", "simS" (Brian2's own timer
   around the simulation loop: std::clock() in its network.cpp, i.e. the
   process's CPU time, not wall-clock time), "binaryS" (the whole binary, wall clock),
   "compileS", "peakRssMb" (the binary's max RSS), "brian2"}

Usage: /usr/bin/python3 bench/brian2/cuba_standalone.py [--neurons 4000]
         [--duration 1.0] [--seed 0] [--build-dir /tmp/brian2-cuba-4000]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import brian2  # noqa: E402
from brian2 import device, prefs, run, set_device  # noqa: E402
from cuba_common import build_cuba, duration  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--neurons", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=1.0, help="seconds of biological time")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--build-dir", default=None)
    args = ap.parse_args()
    build_dir = args.build_dir or f"/tmp/brian2-cuba-{args.neurons}"
    rss_file = os.path.join(build_dir, "maxrss.txt")

    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", rss_file, "./main"]
    group, exc, inh, spikes = build_cuba(args.neurons, args.seed)
    run(duration(args.duration))

    t0 = time.time()
    device.build(directory=build_dir, compile=True, run=False)
    t1 = time.time()
    device.run(build_dir, with_output=False, run_args=[])

    with open(rss_file) as f:
        peak_kb = int(f.read().strip().split()[-1])
    n_spikes = int(spikes.num_spikes)
    print(json.dumps({
        "neurons": args.neurons,
        "synapses": int(len(exc) + len(inh)),
        "spikes": n_spikes,
        "meanRateHz": n_spikes / args.neurons / args.duration,
        "simS": float(device._last_run_time),
        "binaryS": float(device.timers["run_binary"]),
        "compileS": t1 - t0,
        "peakRssMb": peak_kb / 1024,
        "brian2": brian2.__version__,
    }))


if __name__ == "__main__":
    main()
