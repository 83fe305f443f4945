#!/usr/bin/env node
// `npm run bench:all`: every benchmark workload with the peers npm and Debian provide (PyTorch through
// /usr/bin/python3 and python3-torch, Brian2's C++ standalone through python3-brian, TensorFlow.js from
// bench/peers/), in one run, then the README's table of figures (between its bench:all markers) rewritten
// from what the run printed, with the date, the machine and the load average. Each workload runs the
// benchmark command a user would run alone, with --json (the plan: src/bench/bench-all.ts); the figures
// of each workload are kept in bench/latest.json, so `--only` reruns some and keeps the others' rows.
//
//   npm run bench:all [-- --only mlp,cnn,lstm,cuba,pruning,network,startup,jobs] [--repeat 5]
//       [--neurons 4000,20000,100000] [--dry-run] [--no-write]
//
// Take the figures on a quiet machine: other jobs only ever add time, and the table says what the load was.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, arch, cpus, loadavg, type } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scriptArgs } from "./script-args.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = `usage: npm run bench:all -- [--only mlp,cnn,lstm,cuba,pruning,network,startup,jobs] [--repeat 5]
       [--neurons 4000,20000,100000] [--dry-run] [--no-write]
  --only      some workloads (the README keeps the other workloads' latest rows, from bench/latest.json)
  --repeat    runs a side, interleaved (at least 5 for figures worth quoting)
  --neurons   CUBA sizes
  --dry-run   list what would run and what would be written, and run nothing
  --no-write  print the table, leave README.md and bench/latest.json as they are`;
const values = scriptArgs(
  usage,
  {
    only: { type: "string" },
    repeat: { type: "string", default: "5" },
    neurons: { type: "string", default: "4000,20000,100000" },
    "dry-run": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
  "bench:all: ",
);
const distModule = join(root, "dist", "bench", "bench-all.js");
if (!existsSync(distModule)) {
  console.error("bench:all: dist/ is missing: run `npm run build` first");
  process.exit(2);
}
const m = await import(distModule);
const { outputPath } = await import(join(root, "dist", "core", "paths.js"));
const fail = (msg) => {
  console.error(`bench:all: ${msg}\n${usage}`);
  process.exit(2);
};
let only;
try {
  only = values.only === undefined ? [...m.benchAllWorkloads] : m.parseOnly(values.only);
} catch (e) {
  fail(e.message);
}
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100)
  fail(`--repeat: expected 1 to 100, found ${values.repeat}`);
const neurons = values.neurons.split(",").map(Number);
if (neurons.some((n) => !Number.isInteger(n) || n < 100))
  fail(`--neurons: expected sizes of at least 100, found ${values.neurons}`);

const plan = m.benchAllPlan({ only, repeat, cubaNeurons: neurons });
const tfjs = join(root, "bench", "peers", "node_modules", "@tensorflow", "tfjs");
const needsTfjs = plan.some((s) => s.argv[0] === "bench/peers/run.mjs") && !existsSync(tfjs);
const readmePath = outputPath(root, "README.md");
const recordPath = outputPath(join(root, "bench"), "latest.json");

if (values["dry-run"]) {
  console.log(`bench:all would run, from ${root} (${repeat} runs a side):`);
  if (needsTfjs)
    console.log("  npm --prefix bench/peers install --no-audit --no-fund   # TensorFlow.js, for benchmarking only");
  for (const s of plan)
    console.log(
      `  node ${s.argv.join(" ")}${s.times > 1 ? `   # ${s.times} times` : ""}\n      ${s.workloads.join(", ")}: ${s.what}`,
    );
  console.log(
    values["no-write"]
      ? "and print the table, writing nothing"
      : `and write ${recordPath} (the workloads' figures) and the table in ${readmePath}, between its bench:all markers`,
  );
  process.exit(0);
}

if (repeat < 5)
  console.error(`bench:all: ${repeat} run(s) a side: enough to check the command, not figures to quote (5 or more)`);
if (needsTfjs) {
  const r = spawnSync("npm", ["--prefix", "bench/peers", "install", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) console.error("bench:all: TensorFlow.js could not be installed; its rows will say so");
}

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model.trim().replace(/\s+/g, " ") ?? "unknown CPU",
  node: process.version,
  platform: `${type()} ${arch()}`,
};
const now = {};
let failed = false;
for (const s of plan) {
  console.error(`\n== ${s.workloads.join(", ")}: node ${s.argv.join(" ")}${s.times > 1 ? ` (${s.times} times)` : ""}`);
  const date = new Date().toISOString();
  const loadBefore = loadavg();
  const lines = [];
  for (let k = 0; k < s.times; k++) {
    const r = spawnSync(process.execPath, s.argv, {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(r.stdout ?? "");
    if (r.status !== 0) {
      console.error(`bench:all: node ${s.argv.join(" ")} exited with ${r.status ?? r.signal}`);
      failed = true;
    }
    lines.push(...m.jsonLines(r.stdout ?? ""));
  }
  const loadAfter = loadavg();
  for (const w of s.workloads) now[w] = { date, machine, repeat, loadBefore, loadAfter, lines };
}

const earlier = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {};
const record = m.mergeRecord(earlier, now);
const table = m.renderBenchTable(record);
console.log(`\n${table}`);
if (!values["no-write"]) {
  writeFileSync(recordPath, `${JSON.stringify(record, null, 1)}\n`);
  writeFileSync(readmePath, m.rewriteBetweenMarkers(readFileSync(readmePath, "utf8"), table));
  console.error(`\nbench:all: wrote ${recordPath} and the table in ${readmePath}`);
}
process.exit(failed ? 1 : 0);
