#!/usr/bin/env node
// The artificial-network speed workloads, ours and our peers', on the same
// 8,000 / 2,000 MNIST split (read through neurocompare's own loader, so every
// peer sees exactly the same digits), batch 32:
//
//   mlp   784-128-10 ReLU, softmax cross-entropy, SGD 0.1
//   cnn   conv5x5x8-pool2-conv5x5x16-pool2-dense10, Adam 0.002
//   lstm  LSTM(64) over the 28 rows of each digit, dense 10, Adam 0.002
//
// Peers: TensorFlow.js 4.22 (backends "wasm" and "cpu"), and PyTorch on one
// thread through /usr/bin/python3 and torch_bench.py when `import torch` works.
// Nothing is installed here; first:
//
//   npm run build                          # neurocompare's dist/
//   npm --prefix bench/peers install       # TensorFlow.js, for the tfjs backends
//   node bench/peers/run.mjs [--workloads mlp,cnn,lstm] [--backends ours,torch,wasm,cpu]
//       [--repeat 5] [--epochs 1] [--seed 1] [--python /usr/bin/python3] [--kernels exact|relaxed-simd]
//
// `--repeat` rounds (default 5), interleaved: each round runs every backend
// once, so a burst of load hits both sides alike. Ours and PyTorch run each
// epoch in a fresh process (ours: `neurocompare bench W --json`, with the
// Node that runs this script); TF.js runs in this process. `--kernels` picks
// our CNN's kernels (relaxed-simd: fused multiply-add where the Node has
// relaxed SIMD). The tfjs cpu backend takes minutes per CNN epoch (466 s
// measured on a 2-core x86-64 machine) and the wasm backend has no Conv2DBackpropFilter kernel: pick
// workloads and backends with the flags. Prints one JSON line per run, then a
// table: each peer's fastest and median epoch and the ratios ours / peer of
// the fastest runs and of the medians (below 1: we are faster), with the load
// average before and after.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { scriptArgs } from "../script-args.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const usage = `usage: npm run bench:peers -- [--workloads mlp,cnn,lstm] [--backends ours,torch,wasm,cpu]
       [--repeat 5] [--epochs 1] [--seed 1] [--python /usr/bin/python3] [--kernels exact|relaxed-simd]
  (or node bench/peers/run.mjs ..., after npm run build and npm --prefix bench/peers install)
  --workloads  ANN workloads: mlp, cnn, lstm
  --backends   ours, torch (PyTorch, one thread), wasm and cpu (TensorFlow.js 4.22)
  --repeat     rounds, interleaved: every backend once per round
  --kernels    our CNN's kernels: exact, or relaxed-simd (fused multiply-add)`;
const values = scriptArgs(usage, {
  workloads: { type: "string", default: "mlp,cnn,lstm" },
  backends: { type: "string", default: "ours,torch,wasm" },
  epochs: { type: "string", default: "1" },
  seed: { type: "string", default: "1" },
  python: { type: "string", default: "/usr/bin/python3" },
  repeat: { type: "string", default: "5" },
  kernels: { type: "string", default: "exact" },
});
const workloads = values.workloads.split(",");
const backends = values.backends.split(",");
const epochs = Number(values.epochs);
const seed = Number(values.seed);
const python = values.python;
const repeat = Number(values.repeat);
const kernels = values.kernels;

const dist = (p) => join(root, "dist", p);
if (!existsSync(dist("tasks/mnist.js"))) {
  console.error("dist/ is missing: run `npm run build` in the neurocompare directory first");
  process.exit(2);
}
const { loadMnistSplit } = await import(pathToFileURL(dist("tasks/mnist.js")).href);
const { train, test } = loadMnistSplit();

const results = [];
const report = (r) => {
  results.push(r);
  console.log(JSON.stringify(r));
};

// --- ours --------------------------------------------------------------------
function runOurs(w) {
  const args = [dist("cli/main.js"), "bench", w, "--json", "--epochs", String(epochs), "--seed", String(seed)];
  if (w === "cnn") args.push("--kernels", kernels);
  const p = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (p.status !== 0) {
    report({ peer: "ours", workload: w, error: `neurocompare bench exited with ${p.status}: ${p.stderr.trim()}` });
    return;
  }
  const r = JSON.parse(p.stdout.trim().split("\n").pop());
  report({
    peer: "ours",
    workload: w,
    msPerEpoch: r.msPerEpoch,
    testAccuracy: r.testAccuracy,
    epochs,
    ...(r.kernels ? { kernels: r.kernels } : {}),
  });
}

// --- PyTorch -----------------------------------------------------------------
let torchData = null;
const torchDir = mkdtempSync(join(tmpdir(), "neurocompare-peers-"));
process.on("exit", () => rmSync(torchDir, { recursive: true, force: true }));
function runTorch(w) {
  if (torchData === null) {
    if (spawnSync(python, ["-c", "import torch"]).status !== 0) {
      report({ peer: "torch", workload: w, error: `${python} cannot import torch (apt-get install python3-torch)` });
      return;
    }
    const data = join(torchDir, "mnist.f32");
    const x = new Float32Array((train.count + test.count) * 784);
    x.set(train.x, 0);
    x.set(test.x, train.count * 784);
    const y = new Int32Array(train.count + test.count);
    y.set(train.y, 0);
    y.set(test.y, train.count);
    writeFileSync(data, Buffer.from(x.buffer));
    writeFileSync(`${data}.labels`, Buffer.from(y.buffer));
    writeFileSync(`${data}.json`, JSON.stringify({ train: train.count, test: test.count }));
    torchData = data;
  }
  const p = spawnSync(
    python,
    [
      join(here, "torch_bench.py"),
      "--data",
      torchData,
      "--workloads",
      w,
      "--epochs",
      String(epochs),
      "--seed",
      String(seed),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  for (const line of p.stdout.split("\n")) if (line.trim().startsWith("{")) report(JSON.parse(line));
  if (p.status !== 0) report({ peer: "torch", workload: w, error: `torch_bench.py exited with ${p.status}` });
}

// --- TensorFlow.js -------------------------------------------------------------
async function runTfjs(backend, only) {
  let tf;
  try {
    tf = await import("@tensorflow/tfjs");
    if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  } catch {
    report({ peer: `tfjs-${backend}`, error: "TensorFlow.js is not installed: npm --prefix bench/peers install" });
    return;
  }
  await tf.setBackend(backend);
  await tf.ready();
  tf.util.seedrandom?.(String(seed));
  const build = (w) => {
    const m = tf.sequential();
    if (w === "mlp") {
      m.add(tf.layers.dense({ units: 128, activation: "relu", inputShape: [784] }));
      m.add(tf.layers.dense({ units: 10, activation: "softmax" }));
      m.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    } else if (w === "cnn") {
      m.add(tf.layers.conv2d({ filters: 8, kernelSize: 5, activation: "relu", inputShape: [28, 28, 1] }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: "relu" }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 10, activation: "softmax" }));
      m.compile({ optimizer: tf.train.adam(0.002), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    } else {
      m.add(tf.layers.lstm({ units: 64, inputShape: [28, 28] }));
      m.add(tf.layers.dense({ units: 10, activation: "softmax" }));
      m.compile({ optimizer: tf.train.adam(0.002), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    }
    return m;
  };
  const shapeOf = (w, n) => (w === "mlp" ? [n, 784] : w === "cnn" ? [n, 28, 28, 1] : [n, 28, 28]);
  for (const w of only) {
    const xs = tf.tensor(train.x, shapeOf(w, train.count));
    const ys = tf.oneHot(tf.tensor1d(train.y, "int32"), 10);
    const xt = tf.tensor(test.x, shapeOf(w, test.count));
    try {
      const model = build(w);
      const t0 = performance.now();
      await model.fit(xs, ys, { batchSize: 32, epochs, shuffle: true, verbose: 0 });
      const ms = (performance.now() - t0) / epochs;
      const pred = model.predict(xt).argMax(1).dataSync();
      let correct = 0;
      for (let i = 0; i < test.count; i++) if (pred[i] === test.y[i]) correct++;
      report({ peer: `tfjs-${backend}`, workload: w, msPerEpoch: ms, testAccuracy: correct / test.count, epochs });
    } catch (e) {
      report({ peer: `tfjs-${backend}`, workload: w, error: String(e?.message ?? e).split("\n")[0] });
    } finally {
      tf.dispose([xs, ys, xt]);
    }
  }
}

const loadBefore = loadavg();
for (let round = 1; round <= repeat; round++) {
  for (const w of workloads) {
    for (const b of backends) {
      if (b === "ours") runOurs(w);
      else if (b === "torch") runTorch(w);
      else if (b === "wasm" || b === "cpu") await runTfjs(b, [w]);
      else if (round === 1) console.error(`unknown backend ${b} (ours, torch, wasm, cpu)`);
    }
  }
}
const loadAfter = loadavg();

// --- the table -----------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const summary = new Map(); // "peer workload" -> { peer, workload, times, accuracy of the fastest, errors }
for (const r of results) {
  const key = `${r.peer} ${r.workload ?? ""}`;
  const s = summary.get(key) ?? {
    peer: r.peer,
    workload: r.workload ?? "",
    times: [],
    accuracy: 0,
    best: Infinity,
    error: null,
  };
  if (r.msPerEpoch === undefined) s.error = r.error;
  else {
    s.times.push(r.msPerEpoch);
    if (r.msPerEpoch < s.best) {
      s.best = r.msPerEpoch;
      s.accuracy = r.testAccuracy;
    }
  }
  summary.set(key, s);
}
const fmtLoad = (l) => l.map((v) => v.toFixed(2)).join(" ");
console.log(
  `\n${epochs} epoch(s), ${train.count} train / ${test.count} test digits, batch 32; ${repeat} interleaved round(s); Node ${process.versions.node}, our CNN kernels ${kernels}`,
);
console.log(`load average (1, 5, 15 min): ${fmtLoad(loadBefore)} before, ${fmtLoad(loadAfter)} after`);
console.log("peer         workload   fastest    median  accuracy  ours/peer fastest  ours/peer median");
for (const s of summary.values()) {
  if (s.times.length === 0) {
    console.log(`${s.peer.padEnd(12)} ${s.workload.padEnd(9)} ${s.error}`);
    continue;
  }
  const o = summary.get(`ours ${s.workload}`);
  const ratios =
    o && o.times.length > 0 && s.peer !== "ours"
      ? `${(o.best / s.best).toFixed(2).padStart(17)}  ${(median(o.times) / median(s.times)).toFixed(2).padStart(16)}`
      : "";
  console.log(
    `${s.peer.padEnd(12)} ${s.workload.padEnd(9)} ${s.best.toFixed(0).padStart(8)}  ${median(s.times).toFixed(0).padStart(8)}  ${(100 * s.accuracy).toFixed(1).padStart(7)}%  ${ratios}`,
  );
}
console.log("ratios are ours / peer: below 1, neurocompare is faster");
