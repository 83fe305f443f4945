#!/usr/bin/env node
// `npm run parity:diehl-cook`: our Diehl & Cook learner against Brian2 (src/bench/parity/diehl-cook.ts).
//   node bench/parity/diehl-cook.mjs [--seeds 1-3] [--neurons 100] [--train 1000] [--test 1000]
//     [--out results/parity-diehl-cook] [--brian2-results DIR] [--python /usr/bin/python3]
// --brian2-results DIR reads Brian2's brian2-seedS.json lines (each seed writes one into OUT/data as it
// finishes) from a previous or interrupted run instead of running it
// (about 15 minutes per seed with the Cython target).
import { mkdirSync, writeFileSync } from "node:fs";
import { scriptArgs } from "../script-args.mjs";
import { outputPath } from "../../dist/core/paths.js";
import { formatDiehlCookParity, runDiehlCookParity } from "../../dist/bench/parity/diehl-cook.js";

const usage = `usage: npm run parity:diehl-cook -- [--seeds 1-3] [--neurons 100] [--train 1000] [--test 1000]
       [--out results/parity-diehl-cook] [--brian2-results DIR] [--python /usr/bin/python3]`;
const values = scriptArgs(usage, {
  seeds: { type: "string", default: "1-3" },
  neurons: { type: "string", default: "100" },
  train: { type: "string", default: "1000" },
  test: { type: "string", default: "1000" },
  out: { type: "string", default: "results/parity-diehl-cook" },
  "brian2-results": { type: "string" },
  python: { type: "string", default: "/usr/bin/python3" },
});
function int(name, lo, hi) {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < lo || n > hi) {
    console.error(
      `parity:diehl-cook: --${name}: expected an integer in [${lo}, ${hi}], found ${JSON.stringify(values[name])}\n${usage}`,
    );
    process.exit(2);
  }
  return n;
}
const range = /^(\d+)-(\d+)$/.exec(values.seeds);
const seeds = range
  ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i)
  : values.seeds.split(",").map(Number);
if (seeds.length < 2 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
  console.error(
    `parity:diehl-cook: --seeds: expected at least two seeds, found ${JSON.stringify(values.seeds)}\n${usage}`,
  );
  process.exit(2);
}
const out = values.out;
mkdirSync(out, { recursive: true });
const t0 = Date.now();
const r = await runDiehlCookParity({
  seeds,
  neurons: int("neurons", 1, 10000),
  trainSize: int("train", 1, 8000),
  testSize: int("test", 1, 2000),
  dataDir: outputPath(out, "data"),
  brian2Results: values["brian2-results"],
  python: values.python,
  log: (line) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}`),
});
const table = formatDiehlCookParity(r);
console.log(table);
writeFileSync(outputPath(out, "diehl-cook.md"), `${table}\n`);
writeFileSync(outputPath(out, "diehl-cook.json"), `${JSON.stringify(r, null, 1)}\n`);
