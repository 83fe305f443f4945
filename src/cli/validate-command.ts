/**
 * `neurocompare validate <files...>`: check scenario files without running them.
 * A JSON Schema document among them (`validate scenarios/*.json` also matches
 * `scenarios/schema.json`, which scenario files point to through their
 * `$schema` line) is skipped with a note rather than reported as a bad scenario.
 */
import { readFileSync } from "node:fs";
import { isUserError } from "../core/errors.js";
import { loadAnyScenario } from "../scenario/load.js";

/** Whether the file is a JSON Schema (its `$schema` names a json-schema.org meta-schema), not a scenario. */
function isJsonSchemaDocument(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return false; // the scenario loader reports the unreadable file
  }
  // Cheap test first: a scenario's $schema points to a file, a schema's to json-schema.org.
  if (!text.includes("json-schema.org")) return false;
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
    const meta = (json as Record<string, unknown>)["$schema"];
    return typeof meta === "string" && /^https?:\/\/json-schema\.org\//.test(meta);
  } catch {
    return false;
  }
}

/** Returns the exit code: 0 when every file is valid (JSON Schema documents skipped), 2 otherwise. */
export function validateCommand(files: readonly string[]): number {
  let bad = 0;
  for (const f of files) {
    if (isJsonSchemaDocument(f)) {
      process.stdout.write(`${f}: skipped (a JSON Schema document, not a scenario)\n`);
      continue;
    }
    try {
      const a = loadAnyScenario(f);
      const what =
        a.kind === "network"
          ? `network of ${a.scenario.groups.length} group(s), ${a.scenario.durationMs} ms`
          : `${a.scenario.learners.length} learner(s) on ${a.scenario.task.type}, ${a.scenario.epochs} epoch(s)`;
      process.stdout.write(`${f}: ok (${a.scenario.name}: ${what}, ${a.scenario.seeds.length} seed(s))\n`);
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}
