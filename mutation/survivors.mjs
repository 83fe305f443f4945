#!/usr/bin/env node
// Prints the surviving and uncovered mutants of a folder's last report
// (reports/mutation/<folder>.json) as entries for the `equivalent` list of
// mutation/folders.mjs, with an empty reason to fill in: a helper for
// reviewing survivors, not a way to hide them (each needs its reason).
//   node mutation/survivors.mjs metrics
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { folders } from "./folders.mjs";
import { originalText } from "./report.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2] ?? "metrics";
if (!(name in folders)) {
  console.error(`unknown folder "${name}": one of ${Object.keys(folders).join(", ")}`);
  process.exit(2);
}
const reportFile = path.join(root, `reports/mutation/${name}.json`);
// A fresh clone has no report until a run writes one.
if (!existsSync(reportFile)) {
  console.error(
    `no mutation report for ${name} (${path.relative(root, reportFile)}): run \`npm run test:mutation -- ${name}\` first`,
  );
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportFile, "utf8"));
for (const [file, f] of Object.entries(report.files)) {
  for (const m of f.mutants) {
    if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
    const { start } = m.location;
    const original = originalText(f.source, m.location);
    console.log(
      `// ${path.relative(root, path.resolve(root, file))}:${start.line} ${m.status}\n` +
        JSON.stringify({
          file: path.relative(root, path.resolve(root, file)),
          mutator: m.mutatorName,
          original,
          replacement: m.replacement,
          reason: "",
        }) +
        ",",
    );
  }
}
