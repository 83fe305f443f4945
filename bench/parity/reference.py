"""The PyTorch side of the parity harness (`npm run parity`,
src/bench/parity/): trains one workload for each seed on the split and epoch
orders our side exported, and prints one JSON line per seed and epoch.

Usage: /usr/bin/python3 bench/parity/reference.py --data DIR --orders DIR
         --name NAME --seeds 1,2,3 --epochs 3 --train 8000 --test 2000 --spec JSON
  DIR           holds manifest.json and the split (src/bench/parity/export.ts)
  --orders DIR  holds order-NAME-seedS.i32: [epochs x train] indices, our runner's
                order per epoch, used here batch by batch (same batches, same order)
  --spec        the workload: {"model": "mlp"|"cnn"|"rnn"|"surrogate", ...our
                learner's config: hidden, activation, layers, cell, steps, beta,
                threshold, slope, optimizer, batchSize}

One thread (torch.set_num_threads(1)); each seed seeds torch (torch.manual_seed)
before building the model, so initial weights differ from ours but come from
PyTorch's own default initialisation; with --init DIR the model starts from our
initial parameters instead (models.load_ours maps our layouts onto torch's);
--same-start K then replaces the epochs by a short check from that start
(first gradient, K steps, and the same K steps from a start nudged by one ulp). Output line: seed, epoch, testAccuracy,
trainLoss, trainSeconds; the surrogate adds testAccuracySnntorch, the accuracy
by snnTorch's accuracy_rate (most spikes, ties to the lower class), where
testAccuracy breaks count ties by the summed membrane, as our learner does.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn

import models

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--orders", required=True)
ap.add_argument("--name", required=True)
ap.add_argument("--seeds", required=True)
ap.add_argument("--epochs", type=int, default=3)
ap.add_argument("--train", type=int, default=8000)
ap.add_argument("--test", type=int, default=2000)
ap.add_argument("--spec", required=True)
ap.add_argument("--init", help="start from our initial parameters: DIR holds init-NAME-seedS.f32/.json")
ap.add_argument("--same-start", type=int, default=0, metavar="K",
                help="with --init: no epochs; the first batch's gradient (grad-NAME-seedS.f32), the parameters after "
                     "K optimiser steps (params-NAME-seedS.f32) and after the same K steps from our initial "
                     "parameters nudged by one float32 ulp each, 4 random nudges (params-NAME-seedS-ulpN.f32), "
                     "all in our layout")
args = ap.parse_args()
spec = json.loads(args.spec)
torch.set_num_threads(1)

with open(os.path.join(args.data, "manifest.json")) as f:
    manifest = json.load(f)
P = manifest["pixels"]


def load(part, count):
    x = np.fromfile(os.path.join(args.data, manifest[part]["x"]), dtype="<f4").reshape(-1, P)[:count]
    y = np.fromfile(os.path.join(args.data, manifest[part]["y"]), dtype="<i4")[:count]
    return torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64))


train_x, train_y = load("train", args.train)
test_x, test_y = load("test", args.test)
model_kind = spec["model"]
if model_kind == "cnn":
    shape = (-1, 1, 28, 28)
elif model_kind == "rnn":
    shape = (-1, manifest["rows"]["steps"], manifest["rows"]["features"])
else:
    shape = (-1, P)
train_x = train_x.reshape(shape)
test_x = test_x.reshape(shape)


def build():
    if model_kind == "mlp":
        return models.mlp(spec)
    if model_kind == "cnn":
        return models.cnn(spec)
    if model_kind == "rnn":
        return models.RowRnn(spec["cell"], manifest["rows"]["features"], spec["hidden"], 10)
    if model_kind == "surrogate":
        return models.SurrogateNet([P, *spec["hidden"], 10], spec["steps"], spec["beta"], spec["threshold"],
                                   spec["slope"])
    raise SystemExit(f"unknown model {model_kind}")


def optimizer(params):
    o = spec["optimizer"]
    if o["type"] == "sgd":
        return torch.optim.SGD(params, lr=o["learningRate"], momentum=o.get("momentum", 0.0))
    return torch.optim.Adam(params, lr=o["learningRate"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                            eps=o.get("epsilon", 1e-8))


def loss_of(model, x, y):
    if model_kind == "surrogate":
        spk, _ = model(x)
        return models.ce_count_loss(spk, y)
    return nn.functional.cross_entropy(model(x), y)


@torch.no_grad()
def evaluate(model):
    correct = correct_snntorch = 0
    for start in range(0, len(test_x), 500):
        x, y = test_x[start:start + 500], test_y[start:start + 500]
        if model_kind == "surrogate":
            spk, mem = model(x)
            counts, mem_sum = spk.sum(0), mem.sum(0)
            tied = counts == counts.max(dim=1, keepdim=True).values
            pred = torch.where(tied, mem_sum, torch.full_like(mem_sum, -float("inf"))).argmax(dim=1)
            correct_snntorch += int((counts.max(1).indices == y).sum())
        else:
            pred = model(x).argmax(dim=1)
        correct += int((pred == y).sum())
    return correct / len(test_x), correct_snntorch / len(test_x)


def load_initial(model, seed):
    """Our initial parameters (init-NAME-seedS.f32 / .json, our order and layouts)."""
    stem = os.path.join(args.init, f"init-{args.name}-seed{seed}")
    values = np.fromfile(stem + ".f32", dtype="<f4")
    with open(stem + ".json") as f:
        layout = json.load(f)
    try:
        models.load_ours(model_kind, model, values, [e["length"] for e in layout])
    except ValueError as e:
        raise SystemExit(f"{stem}.json: {e}")


batch = spec["batchSize"]
clip = spec["optimizer"].get("clipNorm")


def train_steps(model, opt, idx, steps):
    losses = []
    for k in range(steps):
        b = idx[k * batch:(k + 1) * batch]
        opt.zero_grad()
        loss = loss_of(model, train_x[b], train_y[b])
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(float(loss))
    return losses


def same_start(model, opt, idx, seed):
    """See --same-start. The nudge (each value moved one float32 ulp up or down at random) measures how
    far the reference drifts from itself when its start changes by rounding alone."""
    stem = os.path.join(args.init, f"{{}}-{args.name}-seed{seed}")
    b = idx[:batch]
    loss = loss_of(model, train_x[b], train_y[b])
    loss.backward()
    models.grads_ours(model_kind, model).astype("<f4").tofile(stem.format("grad") + ".f32")
    losses = train_steps(model, opt, idx, args.same_start)
    models.params_ours(model_kind, model).astype("<f4").tofile(stem.format("params") + ".f32")
    values = np.fromfile(os.path.join(args.init, f"init-{args.name}-seed{seed}.f32"), dtype="<f4")
    with open(os.path.join(args.init, f"init-{args.name}-seed{seed}.json")) as f:
        lengths = [e["length"] for e in json.load(f)]
    for k in range(NUDGES):
        up = np.random.default_rng([seed, k]).random(values.shape) < 0.5
        nudged = np.where(up, np.nextafter(values, np.float32(np.inf)), np.nextafter(values, np.float32(-np.inf)))
        control = build()
        models.load_ours(model_kind, control, nudged.astype(np.float32), lengths)
        train_steps(control, optimizer(control.parameters()), idx, args.same_start)
        models.params_ours(model_kind, control).astype("<f4").tofile(stem.format("params") + f"-ulp{k}.f32")
    print(json.dumps({"seed": seed, "loss": float(loss), "losses": losses, "nudges": NUDGES}), flush=True)


NUDGES = 4
for seed in [int(s) for s in args.seeds.split(",")]:
    order = np.fromfile(os.path.join(args.orders, f"order-{args.name}-seed{seed}.i32"), dtype="<i4")
    order = torch.from_numpy(order.reshape(-1, args.train).astype(np.int64))
    torch.manual_seed(seed)
    model = build()
    if args.init is not None:
        load_initial(model, seed)
    opt = optimizer(model.parameters())
    if args.same_start > 0:
        same_start(model, opt, order[0], seed)
        continue
    for epoch in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        loss_sum = 0.0
        idx = order[epoch]
        for start in range(0, args.train, batch):
            b = idx[start:start + batch]
            opt.zero_grad()
            loss = loss_of(model, train_x[b], train_y[b])
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            loss_sum += float(loss) * len(b)
        seconds = time.perf_counter() - t0
        model.eval()
        acc, acc_snntorch = evaluate(model)
        line = {"seed": seed, "epoch": epoch + 1, "testAccuracy": acc, "trainLoss": loss_sum / args.train,
                "trainSeconds": seconds}
        if model_kind == "surrogate":
            line["testAccuracySnntorch"] = acc_snntorch
        print(json.dumps(line), flush=True)
