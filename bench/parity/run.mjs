#!/usr/bin/env node
// `npm run parity`: our learners against their PyTorch references (src/bench/parity/harness.ts).
//   node bench/parity/run.mjs [--workloads mlp,cnn,rnn,lstm,gru,surrogate] [--seeds 1-10]
//     [--epochs 3] [--train 8000] [--test 2000] [--max-seeds 30] [--out results/parity]
//     [--python /usr/bin/python3] [--shared-init]
// --shared-init starts the reference from our initial weights and judges paired differences.
// parity.json is rewritten after every workload (and before seeds are added); --merge joins reports of
// workloads (or of one workload's seeds) run apart, judging each workload again on all its seeds.
// Prints the table and writes parity.md and parity.json (every seed's accuracies) into --out.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { scriptArgs } from "../script-args.mjs";
import { outputPath } from "../../dist/core/paths.js";
import { formatParity } from "../../dist/bench/parity/format.js";
import { mergeReports, runParity } from "../../dist/bench/parity/harness.js";
import { referenceAvailable } from "../../dist/bench/parity/python.js";
import { parityWorkloadNames } from "../../dist/bench/parity/workloads.js";

const usage = `usage: npm run parity -- [--workloads ${parityWorkloadNames.join(",")}] [--seeds 1-10] [--epochs 3]
       [--train 8000] [--test 2000] [--max-seeds 30] [--out results/parity] [--python /usr/bin/python3] [--shared-init]
       npm run parity -- --merge A/parity.json,B/parity.json [--out DIR]`;
const values = scriptArgs(usage, {
  workloads: { type: "string", default: parityWorkloadNames.join(",") },
  seeds: { type: "string", default: "1-10" },
  epochs: { type: "string", default: "3" },
  train: { type: "string", default: "8000" },
  test: { type: "string", default: "2000" },
  "max-seeds": { type: "string", default: "30" },
  out: { type: "string", default: "results/parity" },
  python: { type: "string", default: "/usr/bin/python3" },
  "shared-init": { type: "boolean", default: false },
  merge: { type: "string" },
});
function fail(msg) {
  console.error(`parity: ${msg}\n${usage}`);
  process.exit(2);
}
function int(name, lo, hi) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < lo || n > hi)
    fail(`--${name}: expected an integer in [${lo}, ${hi}], found ${JSON.stringify(values[name])}`);
  return n;
}
function finish(report) {
  const table = formatParity(report);
  console.log(table);
  writeFileSync(outputPath(values.out, "parity.md"), `${table}\n`);
  writeFileSync(outputPath(values.out, "parity.json"), `${JSON.stringify(report, null, 1)}\n`);
  process.exit(report.rows.every((r) => r.pass) ? 0 : 1);
}
if (values.merge !== undefined) {
  mkdirSync(values.out, { recursive: true });
  let reports;
  try {
    reports = values.merge.split(",").map((f) => JSON.parse(readFileSync(f, "utf8")));
  } catch (e) {
    fail(`--merge: ${e.message}`);
  }
  let merged;
  try {
    merged = mergeReports(reports);
  } catch (e) {
    fail(`--merge: ${e.message}`);
  }
  finish(merged);
}
const workloads = values.workloads.split(",").map((s) => s.trim());
for (const w of workloads)
  if (!parityWorkloadNames.includes(w)) fail(`--workloads: unknown workload ${JSON.stringify(w)}`);
const range = /^(\d+)-(\d+)$/.exec(values.seeds);
const seeds = range
  ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
  : values.seeds.split(",").map(Number);
if (seeds.length < 2 || seeds.some((s) => !Number.isInteger(s) || s < 0))
  fail(`--seeds: expected at least two seeds ("1-10" or "1,2,3"), found ${JSON.stringify(values.seeds)}`);
const epochs = int("epochs", 1, 100);
const trainSize = int("train", 32, 8000);
const testSize = int("test", 1, 2000);
const maxSeeds = int("max-seeds", seeds.length, 200);
const why = await referenceAvailable(values.python);
if (why !== null) {
  console.error(`parity: ${why}; install Debian's python3-torch (apt-get install -y python3-torch)`);
  process.exit(2);
}
const out = values.out;
mkdirSync(out, { recursive: true });
const t0 = Date.now();
const report = await runParity({
  workloads,
  seeds,
  epochs,
  trainSize,
  testSize,
  maxSeeds,
  dataDir: outputPath(out, "data"),
  python: values.python,
  sharedInit: values["shared-init"],
  log: (line) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`),
  onWorkload: (partial) => writeFileSync(outputPath(out, "parity.json"), `${JSON.stringify(partial, null, 1)}\n`),
});
finish(report);
