#!/usr/bin/env node
// npm run test:mutation [-- FOLDER ...] [-- --mutate GLOB] [other Stryker flags]
//
// Runs StrykerJS once per folder of mutation/folders.mjs (default: the
// required ones), at low CPU priority, with that folder's committed
// incremental report, then prints the mutation score per folder: killed and
// timed-out mutants over all mutants that ran, less the survivors listed as
// equivalent (with their reasons). Lists every other survivor. Exits 1 when a
// folder scored over all its files is below the target.
//
// `--mutate GLOB` (repeatable, or comma-separated) narrows a run to some
// files; the folder is the one whose sources the glob falls under. A narrowed
// run reads the folder's incremental report but writes a copy, so the
// committed one keeps every file's results.
//
// `--dry-run` prints each folder's files and the Stryker command it would run, and runs nothing.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { folders, required, target } from "./folders.mjs";
import { originalText, squash } from "./report.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const names = [];
const mutate = [];
const pass = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--mutate" || a === "-m") mutate.push(...(args[++i] ?? "").split(","));
  else if (a.startsWith("--mutate=")) mutate.push(...a.slice("--mutate=".length).split(","));
  else if (a.startsWith("-")) {
    pass.push(a);
    if (i + 1 < args.length && !args[i + 1].startsWith("-") && !(args[i + 1] in folders)) pass.push(args[++i]);
  } else if (a in folders) names.push(a);
  else {
    console.error(`unknown folder "${a}": one of ${Object.keys(folders).join(", ")}`);
    process.exit(2);
  }
}

/** The directory part of a glob before its first wildcard. */
const stem = (g) => g.split(/[*{?[]/)[0];
if (mutate.length > 0 && names.length === 0) {
  for (const [name, f] of Object.entries(folders)) {
    if (mutate.some((m) => f.mutate.some((g) => stem(m).startsWith(stem(g)) || stem(g).startsWith(stem(m))))) {
      names.push(name);
    }
  }
  if (names.length === 0) {
    console.error(`--mutate ${mutate.join(",")} is under none of the folders' sources (mutation/folders.mjs)`);
    process.exit(2);
  }
}
if (names.length === 0) names.push(...required);
const dryRun = pass.includes("--dry-run");
if (dryRun) pass.splice(pass.indexOf("--dry-run"), 1);

const rows = [];
let failed = false;
for (const name of names) {
  const folder = folders[name];
  const extra = [...pass];
  if (mutate.length > 0) {
    if (!dryRun) mkdirSync(path.join(root, "reports/mutation"), { recursive: true });
    const committed = path.join(root, `mutation/incremental/${name}.json`);
    const copy = path.join(root, `reports/mutation/${name}-narrowed-incremental.json`);
    if (existsSync(committed) && !dryRun) copyFileSync(committed, copy);
    extra.push("--mutate", mutate.join(","), "--incrementalFile", path.relative(root, copy));
  }
  console.log(`\n== ${name}: ${(mutate.length > 0 ? mutate : folder.mutate).join(" ")}`);
  if (dryRun) {
    console.log(`would run: MUTATION_FOLDER=${name} nice -n 15 npx stryker run stryker.config.mjs ${extra.join(" ")}`.trim());
    continue;
  }
  const r = spawnSync("nice", ["-n", "15", "npx", "stryker", "run", "stryker.config.mjs", ...extra], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, MUTATION_FOLDER: name },
  });
  if (r.status !== 0) {
    console.error(`stryker exited with ${r.status ?? r.signal} for ${name}`);
    failed = true;
    continue;
  }
  if (mutate.length === 0) relativeProjectRoot(path.join(root, `mutation/incremental/${name}.json`));
  const report = JSON.parse(readFileSync(path.join(root, `reports/mutation/${name}.json`), "utf8"));
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, other: 0 };
  const survivors = [];
  for (const [file, f] of Object.entries(report.files)) {
    const rel = path.relative(root, path.resolve(root, file));
    for (const m of f.mutants) {
      const original = originalText(f.source, m.location);
      if (m.status === "Killed") c.killed++;
      else if (m.status === "Timeout") c.timeout++;
      else if (m.status === "Survived" || m.status === "NoCoverage") {
        const eq = folder.equivalent.find(
          (e) =>
            e.file === rel &&
            e.mutator === m.mutatorName &&
            squash(e.original) === original &&
            squash(e.replacement) === squash(m.replacement ?? ""),
        );
        if (eq !== undefined) c.equivalent++;
        else {
          if (m.status === "Survived") c.survived++;
          else c.noCoverage++;
          survivors.push(
            `  ${rel}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${m.status}: ` +
              `${original.slice(0, 80)} -> ${squash(m.replacement ?? "").slice(0, 80)}`,
          );
        }
      } else c.other++;
    }
  }
  const detected = c.killed + c.timeout;
  const total = detected + c.survived + c.noCoverage;
  const score = total > 0 ? (100 * detected) / total : NaN;
  // Stryker's own score, every survivor counted (none taken as equivalent).
  const raw = total + c.equivalent > 0 ? (100 * detected) / (total + c.equivalent) : NaN;
  rows.push({ name, ...c, score, raw });
  if (survivors.length > 0) console.log(`\nsurviving mutants in ${name} (not listed as equivalent):\n${survivors.join("\n")}`);
  if (mutate.length === 0 && required.includes(name) && !(score >= target)) failed = true;
}
if (dryRun) process.exit(0);

console.log("\nmutation score per folder: (killed + timeout) / (all - equivalent - compile errors); raw: equivalents counted as survivors");
console.log("folder          score    raw   killed timeout survived no-cover equivalent");
for (const r of rows) {
  console.log(
    `${r.name.padEnd(15)} ${r.score.toFixed(1).padStart(5)}% ${r.raw.toFixed(1).padStart(5)}%  ${String(r.killed).padStart(6)} ${String(r.timeout).padStart(7)} ` +
      `${String(r.survived).padStart(8)} ${String(r.noCoverage).padStart(8)} ${String(r.equivalent).padStart(10)}`,
  );
}
if (mutate.length === 0) console.log(`target: at least ${target}% on ${required.join(", ")}`);
process.exit(failed ? 1 : 0);

/**
 * Stryker writes the folder it ran in as the incremental report's `projectRoot`; the committed report
 * carries "." instead, so that it neither names this machine nor changes when run from another checkout.
 */
function relativeProjectRoot(file) {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  const fixed = text.replace(/"projectRoot":\s*"[^"]*"/, '"projectRoot": "."');
  if (fixed !== text) writeFileSync(file, fixed);
}
