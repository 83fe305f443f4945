/**
 * Scenario file -> validated, normalized Scenario. Every mistake becomes a
 * ScenarioError naming the file, the JSON path (and line), what was expected
 * and what was found; nothing runs before the whole file has passed.
 */
import { readFileSync } from "node:fs";
import { ScenarioError, UserError } from "../core/errors.js";
import { toLocation } from "./json-locate.js";
import { scenarioSchema, type Scenario } from "./schema.js";
import { zodIssuesToIssues } from "./zod-issues.js";

export function readTextFile(file: string, what = "file"): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError("E_FILE_NOT_FOUND", `${file}: no such ${what}`);
    if (code === "EISDIR") throw new UserError("E_FILE_UNREADABLE", `${file}: is a directory, expected a ${what}`);
    throw new UserError("E_FILE_UNREADABLE", `${file}: cannot read ${what} (${code ?? String(e)})`);
  }
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
  const raw = parseJson(text, file);
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) throw new ScenarioError(file, zodIssuesToIssues(result.error.issues, raw, text, scenarioSchema));
  return result.data;
}

export function loadScenario(file: string): Scenario {
  return parseScenarioText(readTextFile(file, "scenario file"), file);
}
