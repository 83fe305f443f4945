// `npm run coverage`: the whole suite under V8 coverage (@vitest/coverage-v8), then a table per
// source folder (src/core, src/ann, ...) of the statements, branches, functions and lines that
// the tests execute, checked against the floors below. Each floor sits a little under the figure
// measured when it was set, so that a change which drops a folder's coverage fails; raise a floor
// when its folder's figure rises.
//
//   npm run coverage                    run the suite with coverage, print the table, check floors
//   npm run coverage -- --table-only    only print and check the last run's table (.coverage/)
//
// Exit status: vitest's own when a test fails, 1 when a folder is under its floor, else 0.
// Code run in child processes (the built CLI in dist/, worker threads) is not seen: the CLI's
// commands are counted through tests/cli-in-process.test.ts, which calls them in this process.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

/**
 * Floors in percent of lines and of branches per folder: the figures measured on 2026-12-05 after the report, parity and
 * routing work landed (Node 20, every reference package installed) less 3 points of lines and 5 of branches, rounded down, so that the spread
 * between runs (timing-dependent paths such as progress lines and lock waits) does not fail CI.
 */
const FLOORS = {
  "src (index.ts, version.ts)": { lines: 97, branches: 95 },
  "src/ann": { lines: 96, branches: 91 },
  "src/api": { lines: 67, branches: 51 },
  "src/bench": { lines: 45, branches: 30 },
  "src/cli": { lines: 41, branches: 24 },
  "src/core": { lines: 91, branches: 76 },
  "src/learners": { lines: 92, branches: 79 },
  "src/metrics": { lines: 94, branches: 86 },
  "src/plasticity": { lines: 91, branches: 76 },
  "src/report": { lines: 71, branches: 62 },
  "src/runs": { lines: 80, branches: 64 },
  "src/scenario": { lines: 90, branches: 78 },
  "src/snn": { lines: 91, branches: 77 },
  "src/tasks": { lines: 87, branches: 76 },
};

const args = process.argv.slice(2);
let status = 0;
if (!args.includes("--table-only")) {
  const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--coverage", ...args], {
    cwd: root,
    stdio: "inherit",
  });
  status = r.status ?? 1;
}

const summaryFile = join(root, ".coverage/coverage-summary.json");
if (!existsSync(summaryFile)) {
  console.error(`coverage: no ${summaryFile}: run \`npm run coverage\` (without --table-only) first`);
  process.exit(status === 0 ? 1 : status);
}
const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
const KINDS = ["statements", "branches", "functions", "lines"];
const folders = new Map();
for (const [file, data] of Object.entries(summary)) {
  if (file === "total") continue;
  const rel = file.slice(join(root, "src").length + 1);
  const folder = rel.includes("/") ? `src/${rel.split("/")[0]}` : "src (index.ts, version.ts)";
  const acc = folders.get(folder) ?? Object.fromEntries(KINDS.map((k) => [k, { covered: 0, total: 0 }]));
  for (const k of KINDS) {
    acc[k].covered += data[k].covered;
    acc[k].total += data[k].total;
  }
  folders.set(folder, acc);
}
const pct = (c) => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
const rows = [...folders.entries()].sort(([a], [b]) => a.localeCompare(b));
const total = summary.total;
const line = (name, acc, floor) =>
  `| ${name.padEnd(28)} | ${KINDS.map((k) => pct(acc[k]).toFixed(1).padStart(5)).join(" | ")} | ${floor ? `${floor.lines} / ${floor.branches}` : "-"} |`;
console.log("\n| folder                       | stmts | branch | funcs | lines | floor (lines / branches) |");
console.log("|------------------------------|------:|------:|------:|------:|------|");
const failures = [];
for (const [name, acc] of rows) {
  const floor = FLOORS[name];
  console.log(line(name, acc, floor));
  if (!floor) failures.push(`${name}: no floor set in tests/coverage-table.mjs`);
  else
    for (const k of ["lines", "branches"])
      if (pct(acc[k]) < floor[k]) failures.push(`${name}: ${k} ${pct(acc[k]).toFixed(1)}% < floor ${floor[k]}%`);
}
console.log(line("all of src", total, null));
for (const f of failures) console.error(`coverage: ${f}`);
if (failures.length > 0 && status === 0) status = 1;
process.exit(status);
