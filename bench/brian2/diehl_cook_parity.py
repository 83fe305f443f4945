"""Diehl & Cook (2015) in Brian2 on neurocompare's own data and protocol, for
the accuracy comparison with our `stdp` learner (`npm run parity:diehl-cook`,
src/bench/parity/diehl-cook.ts).

Protocol (that of src/learners/diehl-cook.ts with its defaults, one epoch):
  - train: the first TRAIN digits of the exported training split, visited in
    the order file's first epoch (our runner's order for this seed); before
    each digit every neuron's input weights are rescaled to sum 78 with none
    above 1 (water-filling, as our normaliser); the digit is shown for 350 ms
    at pixel * 63.75 Hz, then 150 ms with the input off; fewer than 5
    excitatory spikes in the 350 ms and it is shown again, +31.875 Hz per unit
    intensity, at most 10 times more;
  - labels: each neuron gets the class with its highest mean spike count over
    the training digits (never fired: unassigned);
  - test: the first TEST digits of the test split with STDP off and theta
    frozen; the prediction is the class whose assigned neurons have the
    highest mean count (ties: the lower class).
Integration: method "exponential_euler" (conductances held over the step, v
relaxing exactly towards its momentary equilibrium; ge, gi, theta decaying
exactly), the scheme of our network (src/learners/diehl-cook/network.ts).

Usage: /usr/bin/python3 bench/brian2/diehl_cook_parity.py --data DIR --order FILE
       --seed S [--neurons 100] [--train 1000] [--test 1000] [--target cython]
Prints one JSON line: seed, testAccuracy, trainImages, testImages,
secondsPerImage (wall, after the first image), spikesPerImage, boosts.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from brian2 import ms, mV, Hz, defaultclock, prefs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diehl_cook_model import build  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--order", required=True)
ap.add_argument("--seed", type=int, required=True)
ap.add_argument("--neurons", type=int, default=100)
ap.add_argument("--train", type=int, default=1000)
ap.add_argument("--test", type=int, default=1000)
ap.add_argument("--target", default="cython")
args = ap.parse_args()

prefs.codegen.target = args.target
defaultclock.dt = 0.5 * ms
rng = np.random.default_rng(args.seed)

with open(os.path.join(args.data, "manifest.json")) as f:
    manifest = json.load(f)
P = manifest["pixels"]
train_x = np.fromfile(os.path.join(args.data, manifest["train"]["x"]), dtype="<f4").reshape(-1, P)
train_y = np.fromfile(os.path.join(args.data, manifest["train"]["y"]), dtype="<i4")
test_x = np.fromfile(os.path.join(args.data, manifest["test"]["x"]), dtype="<f4").reshape(-1, P)
test_y = np.fromfile(os.path.join(args.data, manifest["test"]["y"]), dtype="<i4")
order = np.fromfile(args.order, dtype="<i4")[: args.train]
if len(order) < args.train or order.max() >= args.train:
    sys.exit(f"{args.order}: expected a permutation of the first {args.train} training digits")

N = args.neurons
net, inputs, exc, stdp, spikes = build(N, rng, method="exponential_euler")
MAX_RATE, BOOST, MIN_SPIKES, MAX_BOOSTS = 63.75, 31.875, 5, 10


def water_fill(w, target=78.0, w_max=1.0):
    """Each column of w [784 x N] rescaled to sum `target` with none above w_max: saturated
    weights pinned at w_max, the free ones rescaled to carry the rest, until none crosses."""
    for j in range(w.shape[1]):
        col = w[:, j]
        for _ in range(len(col)):
            pinned = col >= w_max
            free = col[~pinned].sum()
            if free <= 0:
                break
            col[pinned] = w_max
            scaled = col[~pinned] * ((target - pinned.sum() * w_max) / free)
            crossed = (scaled >= w_max).any()
            col[~pinned] = np.minimum(scaled, w_max)
            if not crossed:
                break
    return w


def present(img):
    """Shows one digit (with re-presentations); returns the counts of the last 350 ms and the boosts used."""
    boosts = 0
    for attempt in range(MAX_BOOSTS + 1):
        before = np.array(spikes.count[:])
        inputs.rates = img * (MAX_RATE + attempt * BOOST) * Hz
        net.run(350 * ms)
        counts = np.array(spikes.count[:]) - before
        inputs.rates = np.zeros(P) * Hz
        net.run(150 * ms)
        if counts.sum() >= MIN_SPIKES:
            break
        if attempt < MAX_BOOSTS:
            boosts += 1
    return counts, boosts


times = []
responses = np.zeros((args.train, N))
labels = np.zeros(args.train, dtype=np.int64)
boosts = 0
for k, idx in enumerate(order):
    t0 = time.perf_counter()
    wm = np.asarray(stdp.w[:], dtype=np.float64).reshape(P, N)  # connect() order: row-major by input
    stdp.w[:] = water_fill(wm).ravel()
    counts, b = present(train_x[idx])
    boosts += b
    responses[k] = counts
    labels[k] = train_y[idx]
    times.append(time.perf_counter() - t0)
    if k % 100 == 0:
        print(f"seed {args.seed}: trained {k + 1}/{args.train}", file=sys.stderr, flush=True)

classes = 10
class_rates = np.zeros((classes, N))
for c in range(classes):
    if (labels == c).any():
        class_rates[c] = responses[labels == c].mean(axis=0)
assignment = np.where(class_rates.max(axis=0) > 0, class_rates.argmax(axis=0), -1)

stdp.eta_dep = 0
stdp.eta_pot = 0
exc.theta_plus = 0 * mV
exc.learn_theta = 0
correct = 0
for k in range(args.test):
    t0 = time.perf_counter()
    counts, b = present(test_x[k])
    times.append(time.perf_counter() - t0)
    scores = np.zeros(classes)
    for c in range(classes):
        members = assignment == c
        if members.any():
            scores[c] = counts[members].mean()
    correct += int(np.argmax(scores) == test_y[k])
    if k % 100 == 0:
        print(f"seed {args.seed}: tested {k + 1}/{args.test}", file=sys.stderr, flush=True)

steady = times[1:] or times
print(json.dumps({
    "seed": args.seed,
    "neurons": N,
    "trainImages": args.train,
    "testImages": args.test,
    "testAccuracy": correct / args.test,
    "secondsPerImage": float(np.mean(steady)),
    "spikesPerImage": float(spikes.num_spikes / (args.train + args.test)),
    "boosts": boosts,
    "assigned": int((assignment >= 0).sum()),
}), flush=True)
