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
//       [--epochs 1] [--seed 1] [--python /usr/bin/python3]
//
// The tfjs cpu backend takes minutes per CNN epoch (466 s measured on a
// 2-core x86-64 machine) and the
// wasm backend has no Conv2DBackpropFilter kernel: pick workloads and
// backends with the flags. Prints one JSON line per run, then a table with
// the ratio of each peer's time to ours (above 1: we are faster).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const workloads = opt("workloads", "mlp,cnn,lstm").split(",");
const backends = opt("backends", "ours,torch,wasm").split(",");
const epochs = Number(opt("epochs", "1"));
const seed = Number(opt("seed", "1"));
const python = opt("python", "/usr/bin/python3");

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
async function runOurs() {
  const { runAnnBench } = await import(pathToFileURL(dist("bench/ann-bench.js")).href);
  for (const w of workloads) {
    const r = await runAnnBench(w, { epochs, seed });
    report({ peer: "ours", workload: w, msPerEpoch: r.msPerEpoch, testAccuracy: r.testAccuracy, epochs });
  }
}

// --- PyTorch -----------------------------------------------------------------
function runTorch() {
  if (spawnSync(python, ["-c", "import torch"]).status !== 0) {
    report({ peer: "torch", error: `${python} cannot import torch (apt-get install python3-torch)` });
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "neurocompare-peers-"));
  try {
    const data = join(dir, "mnist.f32");
    const x = new Float32Array((train.count + test.count) * 784);
    x.set(train.x, 0);
    x.set(test.x, train.count * 784);
    const y = new Int32Array(train.count + test.count);
    y.set(train.y, 0);
    y.set(test.y, train.count);
    writeFileSync(data, Buffer.from(x.buffer));
    writeFileSync(`${data}.labels`, Buffer.from(y.buffer));
    writeFileSync(`${data}.json`, JSON.stringify({ train: train.count, test: test.count }));
    const p = spawnSync(
      python,
      [
        join(here, "torch_bench.py"),
        "--data",
        data,
        "--workloads",
        workloads.join(","),
        "--epochs",
        String(epochs),
        "--seed",
        String(seed),
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    for (const line of p.stdout.split("\n")) if (line.trim().startsWith("{")) report(JSON.parse(line));
    if (p.status !== 0) report({ peer: "torch", error: `torch_bench.py exited with ${p.status}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- TensorFlow.js -------------------------------------------------------------
async function runTfjs(backend) {
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
  for (const w of workloads) {
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

for (const b of backends) {
  if (b === "ours") await runOurs();
  else if (b === "torch") runTorch();
  else if (b === "wasm" || b === "cpu") await runTfjs(b);
  else console.error(`unknown backend ${b} (ours, torch, wasm, cpu)`);
}

// --- the table -----------------------------------------------------------------
const ours = new Map(results.filter((r) => r.peer === "ours" && r.msPerEpoch).map((r) => [r.workload, r]));
console.log(`\n${epochs} epoch(s), ${train.count} train / ${test.count} test digits, batch 32`);
console.log("peer         workload  ms/epoch   accuracy  peer time / ours");
for (const r of results) {
  if (r.msPerEpoch === undefined) {
    console.log(`${r.peer.padEnd(12)} ${(r.workload ?? "").padEnd(9)} ${r.error}`);
    continue;
  }
  const o = ours.get(r.workload);
  const ratio = o && r.peer !== "ours" ? (r.msPerEpoch / o.msPerEpoch).toFixed(2) : "";
  console.log(
    `${r.peer.padEnd(12)} ${r.workload.padEnd(9)} ${r.msPerEpoch.toFixed(0).padStart(8)}  ${(100 * r.testAccuracy).toFixed(1).padStart(7)}%  ${ratio}`,
  );
}
