/**
 * Scenario file -> validated, normalized Scenario. Every mistake becomes a
 * ScenarioError naming the file, the JSON path (and line), what was expected
 * and what was found; nothing runs before the whole file has passed.
 */
import { ScenarioError } from "../core/errors.js";
import { READ_LIMITS, readRegularTextFile } from "../core/read-file.js";
import { upgradeScenario } from "./format.js";
import { toLocation } from "./json-locate.js";
import { scenarioSchema, type Scenario } from "./schema.js";
import { zodIssuesToIssues } from "./zod-issues.js";

/**
 * A user-named text file, read only when it is a regular file under `maxBytes`
 * (default: the limit for results files; scenarios pass their own).
 */
export function readTextFile(file: string, what = "file", maxBytes: number = READ_LIMITS.results): string {
  return readRegularTextFile(file, { what, maxBytes });
}

/** JSON.parse with a message that says where the syntax error is. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : text.length;
    const loc = toLocation(text, offset);
    const near = text.slice(offset, offset + 20).split("\n")[0] ?? "";
    throw new ScenarioError(
      file,
      [
        {
          path: "(syntax)",
          expected: "valid JSON",
          found: near.length > 0 ? `${JSON.stringify(near)} (${msg})` : `the end of the file (${msg})`,
          line: loc.line,
          column: loc.column,
        },
      ],
      "E_JSON_SYNTAX",
    );
  }
}

export function parseScenarioText(text: string, file: string): Scenario {
  const raw = upgradeScenario(parseJson(text, file), file);
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) throw new ScenarioError(file, zodIssuesToIssues(result.error.issues, raw, text, scenarioSchema));
  return result.data;
}

export function loadScenario(file: string): Scenario {
  return parseScenarioText(readTextFile(file, "scenario file", READ_LIMITS.scenario), file);
}
