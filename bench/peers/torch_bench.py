"""PyTorch side of bench/peers/run.mjs: the MLP, CNN and LSTM speed workloads.

Reads the split that run.mjs wrote (float32 images, int32 labels, little
endian; the same 8,000 / 2,000 digits as neurocompare's `mnist` task), trains
each workload for --epochs epochs (batch 32, reshuffled each epoch) on one
thread, and prints one JSON line per workload:
{"peer": "torch", "workload": ..., "msPerEpoch": ..., "testAccuracy": ...}.
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn


def models(workload):
    if workload == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        return net, torch.optim.SGD(net.parameters(), lr=0.1)
    if workload == "cnn":
        net = nn.Sequential(
            nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256, 10))
        return net, torch.optim.Adam(net.parameters(), lr=0.002)
    if workload == "lstm":
        class Lstm(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(28, 64, batch_first=True)
                self.out = nn.Linear(64, 10)

            def forward(self, x):
                _, (h, _) = self.lstm(x.view(-1, 28, 28))
                return self.out(h[-1])
        net = Lstm()
        return net, torch.optim.Adam(net.parameters(), lr=0.002)
    raise ValueError(workload)


def shaped(x, workload):
    return x.view(-1, 1, 28, 28) if workload == "cnn" else x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--workloads", default="mlp,cnn,lstm")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(args.data + ".json") as f:
        meta = json.load(f)
    raw = np.fromfile(args.data, dtype="<f4")
    n_train, n_test = meta["train"], meta["test"]
    x = torch.from_numpy(raw[: (n_train + n_test) * 784].copy()).view(-1, 784)
    y = torch.from_numpy(np.fromfile(args.data + ".labels", dtype="<i4").astype(np.int64))
    xtr, ytr, xte, yte = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    loss_fn = nn.CrossEntropyLoss()
    for workload in args.workloads.split(","):
        torch.manual_seed(args.seed)
        net, opt = models(workload)
        gen = torch.Generator().manual_seed(args.seed)
        ms = []
        for _ in range(args.epochs):
            t0 = time.perf_counter()
            net.train()
            order = torch.randperm(n_train, generator=gen)
            for s in range(0, n_train, 32):
                idx = order[s:s + 32]
                opt.zero_grad()
                loss = loss_fn(net(shaped(xtr[idx], workload)), ytr[idx])
                loss.backward()
                opt.step()
            ms.append((time.perf_counter() - t0) * 1000)
        net.eval()
        with torch.no_grad():
            acc = (net(shaped(xte, workload)).argmax(1) == yte).float().mean().item()
        print(json.dumps({"peer": "torch", "workload": workload, "msPerEpoch": sum(ms) / len(ms),
                          "testAccuracy": acc, "epochs": args.epochs}), flush=True)


if __name__ == "__main__":
    main()
