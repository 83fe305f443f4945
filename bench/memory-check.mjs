#!/usr/bin/env node
// The memory estimate against the measured peak: every bundled scenario is
// estimated (the build phase `validate` and `run` use) and then run in its own
// process, whose peak resident set size (process.resourceUsage().maxRSS,
// reported by a preloaded exit hook) is compared with the estimate.
//
//   npm run build && npm run memory-check [-- --only cuba,xor] [--full] [--jobs N] [--estimate-only]
//
// Without --full each scenario runs one seed and one epoch, with at most 1,000
// training and 500 test samples (a learning run's memory does not grow with
// epochs, and MNIST's digits stay loaded whole whatever the subset); network
// scenarios run their full duration. The estimate is taken of the same reduced
// scenario, laid out as the run lays it out (--jobs, default one unit per core
// at once). Prints one line per scenario and a table; exits 1 when a ratio
// (estimate / measured) falls outside [0.5, 2].
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scriptArgs } from "./script-args.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = `usage: npm run memory-check -- [--only a,b] [--full] [--jobs N] [--estimate-only]
  --only           these bundled scenarios (default: all)
  --full           run each scenario as written (default: one seed, one epoch, at most 1,000 + 500 samples)
  --jobs           units at once, as run --jobs (default: the cores available)
  --estimate-only  print the estimates, run nothing`;
const values = scriptArgs(
  usage,
  {
    only: { type: "string" },
    full: { type: "boolean", default: false },
    jobs: { type: "string" },
    "estimate-only": { type: "boolean", default: false },
  },
  "memory-check: ",
);
const only = values.only?.split(",");
const jobs = Number(values.jobs ?? availableParallelism());
const full = values.full;
// Only the estimates (no runs): for checking a change to the constants against peak RSS measured before.
const estimateOnly = values["estimate-only"];

const { parseAnyScenarioText } = await import(join(root, "dist", "scenario", "load.js"));
const { checkScenarioBuild } = await import(join(root, "dist", "runs", "build-check.js"));

const work = mkdtempSync(join(tmpdir(), "nc-memory-"));
const hook = join(work, "maxrss.mjs");
writeFileSync(
  hook,
  'process.on("exit", () => { process.stderr.write("\\nMAXRSS_KB " + process.resourceUsage().maxRSS + "\\n"); });\n',
);

function reduce(raw, keepEpochs = false, keepData = false) {
  if (full) return { raw, how: "as written" };
  const r = structuredClone(raw);
  const how = [];
  if (Array.isArray(r.seeds) && r.seeds.length > 1) {
    r.seeds = r.seeds.slice(0, 1);
    how.push("1 seed");
  }
  if (r.kind !== "network") {
    if (!keepEpochs && (r.epochs ?? 1) > 1) {
      r.epochs = 1;
      how.push("1 epoch");
    }
    const t = r.task;
    for (const [k, cap] of keepData
      ? []
      : [
          ["trainSize", 1000],
          ["testSize", 500],
        ]) {
      if (t[k] === undefined || t[k] > cap) {
        t[k] = cap;
        how.push(`${k} ${cap}`);
      }
    }
  }
  return { raw: r, how: how.length > 0 ? how.join(", ") : "as written" };
}

const files = readdirSync(join(root, "scenarios"))
  .filter((f) => f.endsWith(".json") && f !== "schema.json")
  .filter((f) => only === undefined || only.includes(f.replace(/\.json$/, "")))
  .sort();
const rows = [];
for (const f of files) {
  const original = JSON.parse(readFileSync(join(root, "scenarios", f), "utf8"));
  const file = join(work, f);
  let estimate;
  let how;
  // One epoch and a data subset where the scenario allows it; a pruning schedule that needs its epochs, or
  // its training samples, keeps them.
  for (const [keepEpochs, keepData] of [
    [false, false],
    [true, false],
    [true, true],
  ]) {
    const reduced = reduce(original, keepEpochs, keepData);
    const text = JSON.stringify(reduced.raw, null, 2);
    writeFileSync(file, text);
    try {
      const a = parseAnyScenarioText(text, file);
      estimate = checkScenarioBuild(a, file, { text, trialSteps: 0, jobs }).estimate.totalBytes;
      how = reduced.how;
      break;
    } catch (e) {
      if (keepData) console.log(`${f}: not estimated (${e.message.replace(/\n\s*/g, " ").slice(0, 300)})`);
    }
  }
  if (estimate === undefined) continue;
  if (estimateOnly) {
    console.log(JSON.stringify({ scenario: f, how, estimateMiB: estimate / 2 ** 20 }));
    continue;
  }
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      hook,
      join(root, "dist", "cli", "main.js"),
      "run",
      file,
      "--out",
      join(work, `out-${f}`),
      "-q",
      "--jobs",
      String(jobs),
    ],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const m = /MAXRSS_KB (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) {
    console.log(`${f}: run failed (exit ${r.status}): ${r.stderr.slice(0, 300)}`);
    continue;
  }
  const measured = Number(m[1]) * 1024;
  const row = {
    scenario: f,
    how,
    estimateMiB: estimate / 2 ** 20,
    measuredMiB: measured / 2 ** 20,
    ratio: estimate / measured,
    s: (Date.now() - t0) / 1000,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
rmSync(work, { recursive: true, force: true });
if (estimateOnly) process.exit(0);

console.log("\n| scenario | run as | estimate (MiB) | peak RSS (MiB) | estimate / peak | run (s) |");
console.log("|---|---|---:|---:|---:|---:|");
for (const r of rows)
  console.log(
    `| ${r.scenario} | ${r.how} | ${r.estimateMiB.toFixed(0)} | ${r.measuredMiB.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.s.toFixed(0)} |`,
  );
const bad = rows.filter((r) => r.ratio < 0.5 || r.ratio > 2);
console.log(
  bad.length === 0
    ? `\nAll ${rows.length} estimates within a factor of 2 of the measured peak RSS.`
    : `\n${bad.length} of ${rows.length} outside a factor of 2: ${bad.map((r) => r.scenario).join(", ")}`,
);
process.exitCode = bad.length === 0 && rows.length === files.length ? 0 : 1;
