#!/usr/bin/env node
// Prints the surviving and uncovered mutants of a folder's last report
// (reports/mutation/<folder>.json) as entries for the `equivalent` list of
// mutation/folders.mjs, with an empty reason to fill in: a helper for
// reviewing survivors, not a way to hide them (each needs its reason).
//   node mutation/survivors.mjs metrics
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { originalText } from "./report.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2] ?? "metrics";
const report = JSON.parse(readFileSync(path.join(root, `reports/mutation/${name}.json`), "utf8"));
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
