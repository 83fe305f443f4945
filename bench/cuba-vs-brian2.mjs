#!/usr/bin/env node
// CUBA, ours and Brian2's C++ standalone, in the same sitting at the given sizes.
// Each side runs in its own child process, so each peak-memory figure is its own.
//
//   npm run build && node bench/cuba-vs-brian2.mjs [--neurons 4000,20000,100000]
//       [--duration 1] [--seed 0] [--repeat 3] [--no-brian2] [--precision float64|float32]
//
// Prints one JSON line per size, then a table of ratios (ours / Brian2; below 1
// is faster or smaller). Brian2's "simS" is its own timer around the run loop,
// and that timer is std::clock(): the process's CPU time, not wall-clock time
// (brian2/devices/cpp_standalone/templates/network.cpp). So the like-for-like
// ratio is "simCpuTime": our simCpuMs (process.cpuUsage() around the loop, all
// threads) over Brian2's simS; "simTime" (our wall clock over Brian2's CPU time,
// the figure this script printed before) is kept, and is the one that suffers
// when other jobs share the CPUs. "median" compares medians over the repeats,
// "best" the fastest run of each side. Brian2's first call per size also
// compiles (tens of seconds, not counted).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scriptArgs } from "./script-args.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = `usage: npm run bench:brian2 -- [--neurons 4000,20000,100000] [--duration 1] [--seed 0] [--repeat 3]
       [--no-brian2] [--precision float64|float32] [--python /usr/bin/python3]
  (or node bench/cuba-vs-brian2.mjs ..., after npm run build)
  --neurons    network sizes (in-degree held at 80)
  --duration   simulated seconds
  --repeat     runs a side per size, interleaved
  --no-brian2  ours only
  --precision  our LIF arithmetic: float64 (as Brian2) or float32`;
const values = scriptArgs(usage, {
  neurons: { type: "string", default: "4000" },
  duration: { type: "string", default: "1" },
  seed: { type: "string", default: "0" },
  repeat: { type: "string", default: "3" },
  "no-brian2": { type: "boolean", default: false },
  python: { type: "string", default: "/usr/bin/python3" },
  precision: { type: "string", default: "float64" },
});
const sizes = values.neurons.split(",").map(Number);
const duration = Number(values.duration);
const seed = Number(values.seed);
const repeat = Number(values.repeat);
const withBrian = !values["no-brian2"];
const python = values.python;
// Our LIF arithmetic: float64 (default, as Brian2) or the opt-in float32; each result row says which.
const precision = values.precision;

const benchJs = join(root, "dist/bench/cuba-bench.js");
if (!existsSync(benchJs)) {
  console.error(`${benchJs} is missing: run npm run build first`);
  process.exit(2);
}

function lastJson(out) {
  const lines = out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"));
  return JSON.parse(lines[lines.length - 1]);
}

function runOurs(n) {
  const code = `import(${JSON.stringify(benchJs)}).then((m) => console.log(JSON.stringify(m.runCubaBench({ neurons: ${n}, durationS: ${duration}, seed: ${seed}, precision: ${JSON.stringify(precision)} }))))`;
  const r = spawnSync(process.execPath, ["--max-old-space-size=4096", "-e", code], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ours failed at N=${n}: ${r.stderr}`);
  return lastJson(r.stdout);
}

function runBrian(n) {
  const script = join(root, "bench/brian2/cuba_standalone.py");
  const r = spawnSync(
    python,
    [script, "--neurons", String(n), "--duration", String(duration), "--seed", String(seed)],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`brian2 failed at N=${n}: ${r.stderr.slice(-2000)}`);
  return lastJson(r.stdout);
}

// The median (the mean of the middle two for an even count) and the minimum, the usual summary on a
// shared machine where other jobs only ever add time.
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const min = (xs) => Math.min(...xs);
const rows = [];
for (const n of sizes) {
  const o = [];
  const b = [];
  for (let k = 0; k < repeat; k++) {
    o.push(runOurs(n));
    if (withBrian) b.push(runBrian(n)); // interleaved, so both see the same machine load
  }
  const ours = {
    ...o[0],
    simMs: median(o.map((r) => r.simMs)),
    simCpuMs: median(o.map((r) => r.simCpuMs)),
    buildMs: median(o.map((r) => r.buildMs)),
    peakRssMb: median(o.map((r) => r.peakRssMb)),
  };
  const brian = withBrian
    ? {
        ...b[0],
        simS: median(b.map((r) => r.simS)),
        binaryS: median(b.map((r) => r.binaryS)),
        peakRssMb: median(b.map((r) => r.peakRssMb)),
      }
    : null;
  const row = {
    neurons: n,
    durationS: duration,
    repeat,
    ours,
    brian2: brian,
    samples: {
      oursSimS: o.map((r) => r.simMs / 1000),
      oursSimCpuS: o.map((r) => r.simCpuMs / 1000),
      brian2SimS: b.map((r) => r.simS),
    },
  };
  if (brian) {
    row.ratios = {
      simCpuTime: ours.simCpuMs / 1000 / brian.simS,
      simCpuTimeBest: min(o.map((r) => r.simCpuMs)) / 1000 / min(b.map((r) => r.simS)),
      simTime: ours.simMs / 1000 / brian.simS,
      simTimeBest: min(o.map((r) => r.simMs)) / 1000 / min(b.map((r) => r.simS)),
      wholeTime: (ours.simMs + ours.buildMs) / 1000 / brian.binaryS,
      peakMemory: ours.peakRssMb / brian.peakRssMb,
      meanRate: ours.meanRateHz / brian.meanRateHz,
      synapses: ours.synapses / brian.synapses,
    };
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}

const f = (x, d = 2) => (x === undefined || x === null ? "-" : x.toFixed(d));
console.log(`\nours: ${precision} LIF; sim times are medians of ${repeat}; Brian2's sim time is CPU time (std::clock)`);
console.log(
  "| N | synapses | ours sim CPU s | ours sim wall s | Brian2 sim CPU s | ratio CPU/CPU | best CPU/CPU | ratio wall/CPU | best wall/CPU | ours build+sim s | Brian2 binary s | ours MB | Brian2 MB | rate ours / Brian2 Hz |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const b = r.brian2;
  const q = (k) => (r.ratios ? f(r.ratios[k]) : "-");
  console.log(
    `| ${r.neurons} | ${r.ours.synapses} | ${f(r.ours.simCpuMs / 1000, 3)} | ${f(r.ours.simMs / 1000, 3)} | ${b ? f(b.simS, 3) : "-"} | ${q("simCpuTime")} | ${q("simCpuTimeBest")} | ${q("simTime")} | ${q("simTimeBest")} | ${f((r.ours.simMs + r.ours.buildMs) / 1000, 3)} | ${b ? f(b.binaryS, 3) : "-"} | ${f(r.ours.peakRssMb, 0)} | ${b ? f(b.peakRssMb, 0) : "-"} | ${f(r.ours.meanRateHz)} / ${b ? f(b.meanRateHz) : "-"} |`,
  );
}
