"""CUBA in Brian2's runtime mode with the numpy target (no compiler needed),
for the cross-check in tests/brian2-cuba.test.ts. Prints one JSON line:

  {"neurons", "synapses", "spikes", "meanRateHz", "rateStdHz" (across
   neurons), "activeFraction" (neurons with >= 1 spike), "simS", "brian2"}

Usage: /usr/bin/python3 bench/brian2/cuba_runtime.py [--neurons 4000]
         [--duration 0.5] [--seed 0]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import brian2  # noqa: E402
from brian2 import prefs, run  # noqa: E402
from cuba_common import build_cuba, duration  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--neurons", type=int, default=4000)
    ap.add_argument("--duration", type=float, default=0.5, help="seconds of biological time")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    prefs.codegen.target = "numpy"
    group, exc, inh, spikes = build_cuba(args.neurons, args.seed)
    t0 = time.time()
    run(duration(args.duration))
    sim_s = time.time() - t0
    counts = np.asarray(spikes.count[:], dtype=float)
    rates = counts / args.duration
    print(json.dumps({
        "neurons": args.neurons,
        "synapses": int(len(exc) + len(inh)),
        "spikes": int(spikes.num_spikes),
        "meanRateHz": float(rates.mean()),
        "rateStdHz": float(rates.std()),
        "activeFraction": float((counts > 0).mean()),
        "simS": sim_s,
        "brian2": brian2.__version__,
    }))


if __name__ == "__main__":
    main()
