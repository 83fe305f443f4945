#!/usr/bin/env node
// `npm run library:table`: every bundled scenario run once, one at a time (`node dist/cli/main.js run
// scenarios/NAME.json --out <tmp> --jobs 1` under `/usr/bin/time`), and the README's "Scenario library"
// table (between its library:table markers) rewritten from the runs' summary.json, with CPU time, wall time
// and the load average. The figures of each scenario are kept in bench/library-latest.json, so `--only`
// reruns some rows and keeps the others; the README and the record are written after every scenario, so an
// interrupted run keeps what it finished. The plan and the formatting: src/bench/scenario-library.ts.
//
//   npm run library:table [-- --only a,b] [--skip a,b] [--jobs 1] [--render] [--dry-run] [--no-write]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch, availableParallelism, cpus, loadavg, tmpdir, type } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scriptArgs } from "./script-args.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const usage = `usage: npm run library:table -- [--only a,b] [--skip a,b] [--jobs 1] [--render] [--dry-run] [--no-write]
  --only      run these scenarios (slow ones included); the others keep their rows
  --skip      leave these out as well as the slow ones (their rows are kept)
  --jobs      --jobs of each run (default 1: the CPU and wall times of one core)
  --render    run nothing: rewrite the table from bench/library-latest.json
  --dry-run   list what would run and what would be written, and run nothing
  --no-write  print the table, leave README.md and bench/library-latest.json as they are
Run it at a low priority on a shared machine (nice -n 15 npm run library:table); CPU time is the figure to compare.`;
const values = scriptArgs(
  usage,
  {
    only: { type: "string" },
    skip: { type: "string" },
    jobs: { type: "string", default: "1" },
    render: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
  "library:table: ",
);
const fail = (msg) => {
  console.error(`library:table: ${msg}\n${usage}`);
  process.exit(2);
};
const distModule = join(root, "dist", "bench", "scenario-library.js");
if (!existsSync(distModule)) fail("dist/ is missing: run `npm run build` first");
const m = await import(distModule);
const { outputPath } = await import(join(root, "dist", "core", "paths.js"));

const readmePath = outputPath(root, "README.md");
const recordPath = outputPath(join(root, "bench"), "library-latest.json");
const readme = readFileSync(readmePath, "utf8");
let between;
try {
  between = m.betweenLibraryMarkers(readme);
} catch (e) {
  fail(e.message);
}
const kept = m.parseLibraryRows(readme.slice(between.start, between.end));
const order = [...kept.keys()];
const bundled = readdirSync(join(root, "scenarios"))
  .filter((f) => f.endsWith(".json") && f !== "schema.json")
  .map((f) => f.slice(0, -".json".length));
let plan;
try {
  plan = values.render
    ? []
    : m.libraryPlan(bundled, order, {
        only: values.only === undefined ? undefined : m.parseNames(values.only),
        skip: values.skip === undefined ? undefined : m.parseNames(values.skip),
      });
} catch (e) {
  fail(e.message);
}
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs: expected a whole number of at least 1, found ${values.jobs}`);
const timeBin = "/usr/bin/time";

if (values["dry-run"]) {
  console.log(`library:table would run, from ${root}, one at a time:`);
  for (const name of plan)
    console.log(
      `  ${timeBin} -f "%e %U %S" node dist/cli/main.js run scenarios/${name}.json --out <tmp> --jobs ${jobs} --quiet`,
    );
  const slowLeft = m.LIBRARY_SLOW.filter((s) => !plan.includes(s.name) && !values.render);
  if (slowLeft.length > 0) {
    console.log("and leave out (their rows are kept; name them in --only to run them):");
    for (const s of slowLeft) console.log(`  ${s.name}: ${s.reason}`);
  }
  console.log(
    values["no-write"]
      ? "and print the table, writing nothing"
      : `and write ${recordPath} (each scenario's figures) and the table in ${readmePath}, between its library:table markers`,
  );
  process.exit(0);
}
if (plan.length > 0 && !existsSync(timeBin)) fail(`${timeBin} is missing (Debian: apt-get install time)`);

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model.trim().replace(/\s+/g, " ") ?? "unknown CPU",
  node: process.version,
  platform: `${type()} ${arch()}`,
};
// os.getPriority() of this process: children inherit it (nice -n 15 npm run library:table).
const { getPriority } = await import("node:os");
const nice = getPriority();
let record = existsSync(recordPath) ? JSON.parse(readFileSync(recordPath, "utf8")) : {};
let failed = false;

function write() {
  const table = m.renderLibraryTable(record, kept, order);
  if (values["no-write"]) return table;
  writeFileSync(recordPath, `${JSON.stringify(record, null, 1)}\n`);
  writeFileSync(readmePath, m.rewriteLibraryTable(readFileSync(readmePath, "utf8"), table));
  return table;
}

const work = mkdtempSync(join(tmpdir(), "neurocompare-library-"));
try {
  for (const name of plan) {
    const out = outputPath(work, name);
    const timeFile = outputPath(work, `${name}.time`);
    console.error(`\n== ${name}: node dist/cli/main.js run scenarios/${name}.json --jobs ${jobs}`);
    const date = new Date().toISOString();
    const loadBefore = loadavg();
    const r = spawnSync(
      timeBin,
      [
        "-f",
        "%e %U %S",
        "-o",
        timeFile,
        process.execPath,
        "dist/cli/main.js",
        "run",
        `scenarios/${name}.json`,
        "--out",
        out,
        "--jobs",
        String(jobs),
        "--quiet",
      ],
      { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
    );
    const loadAfter = loadavg();
    if (r.status !== 0) {
      console.error(`library:table: ${name} exited with ${r.status ?? r.signal}; its row is kept as it was`);
      failed = true;
      continue;
    }
    const { wallS, cpuS } = m.parseTime(readFileSync(timeFile, "utf8"));
    const figures = m.libraryFigures(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
    record = { ...record, [name]: { date, machine, wallS, cpuS, loadBefore, loadAfter, jobs, nice, figures } };
    console.error(
      `library:table: ${name}: ${cpuS.toFixed(1)} s CPU, ${wallS.toFixed(1)} s wall, load ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)}: ${m.libraryResult(name, figures)}`,
    );
    write();
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const table = write();
console.log(`\n${table}`);
if (!values["no-write"]) console.error(`\nlibrary:table: wrote ${recordPath} and the table in ${readmePath}`);
process.exit(failed ? 1 : 0);
