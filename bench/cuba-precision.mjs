#!/usr/bin/env node
// CUBA with float64 state and arithmetic (the default) against the opt-in float32, interleaved in
// one sitting: each run is its own child process, the two precisions alternate, and the script prints
// the fastest and the median simulation time of each side (wall and CPU time: process.cpuUsage
// around the loop), their ratio (float64 / float32), the spike counts (float32 moves spikes, not
// rates) and the load average before and after.
//
//   npm run build && node bench/cuba-precision.mjs [--neurons 4000] [--duration 1] [--runs 7]
//
// Timings on a shared machine vary with load: the fastest run is what each side can do; take the
// final figures on a quiet machine.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scriptArgs } from "./script-args.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = `usage: node bench/cuba-precision.mjs [--neurons 4000] [--duration 1] [--runs 7]
  --neurons   CUBA network size (in-degree held at 80)
  --duration  simulated seconds per run
  --runs      interleaved runs per precision (at least 5)`;
const values = scriptArgs(
  usage,
  {
    neurons: { type: "string", default: "4000" },
    duration: { type: "string", default: "1" },
    runs: { type: "string", default: "7" },
  },
  "cuba-precision: ",
);
const neurons = Number(values.neurons);
const duration = Number(values.duration);
const runs = Math.max(5, Number(values.runs));
const benchJs = join(root, "dist/bench/cuba-bench.js");
if (!existsSync(benchJs)) {
  console.error(`${benchJs} is missing: run npm run build first`);
  process.exit(2);
}

function once(precision) {
  const code = `import(${JSON.stringify(benchJs)}).then((m) => console.log(JSON.stringify(m.runCubaBench({ neurons: ${neurons}, durationS: ${duration}, seed: 0, precision: ${JSON.stringify(precision)} }))))`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${precision} run failed: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadBefore = loadavg()[0];
const results = { float64: [], float32: [] };
once("float64"); // warm the file cache and compile once before timing
for (let k = 0; k < runs; k++) {
  for (const p of k % 2 === 0 ? ["float64", "float32"] : ["float32", "float64"]) results[p].push(once(p));
}
const loadAfter = loadavg()[0];
const row = (p) => {
  const rs = results[p];
  const wall = rs.map((r) => r.simMs);
  const cpu = rs.map((r) => r.simCpuMs);
  return {
    precision: p,
    spikes: rs[0].spikes,
    fastestMs: Math.min(...wall),
    medianMs: median(wall),
    fastestCpuMs: Math.min(...cpu),
    medianCpuMs: median(cpu),
  };
};
const a = row("float64");
const b = row("float32");
console.log(JSON.stringify(a));
console.log(JSON.stringify(b));
console.log(
  `CUBA N=${neurons}, ${duration} s, ${runs} interleaved runs each; load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}\n` +
    `float64 / float32: fastest wall ${(a.fastestMs / b.fastestMs).toFixed(2)}x, fastest CPU ${(a.fastestCpuMs / b.fastestCpuMs).toFixed(2)}x, ` +
    `median wall ${(a.medianMs / b.medianMs).toFixed(2)}x, median CPU ${(a.medianCpuMs / b.medianCpuMs).toFixed(2)}x; ` +
    `spikes ${a.spikes} vs ${b.spikes}`,
);
