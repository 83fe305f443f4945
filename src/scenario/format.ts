/**
 * Scenario format versions. A scenario file says which format it is written
 * in (`"format": 2`); a file without the key is format 1, the format before
 * versions were recorded. Each change to the format is one step in
 * FORMAT_STEPS, from version `from` to `from + 1`, that says what changed and
 * gives the edits that rewrite a file of the old version.
 *
 * Loading a file of an older version applies the steps in memory when every
 * step between its version and the current one is `automatic` (the old file
 * still runs); otherwise the file is refused with a message that names the
 * change and the fix, `neurocompare migrate FILE`, which applies the same
 * edits to the file's text (json-edit.ts keeps the rest of it as written).
 *
 * Adding a format change:
 *   1. append a step to FORMAT_STEPS (CURRENT_FORMAT follows from its length):
 *      `from` is the version it upgrades, `change` one line for messages,
 *      `edits(raw)` the edits for one file (JsonEdit: set, rename, remove),
 *      `automatic` whether old files may run through it unchanged;
 *   2. change the schemas (schema.ts, network-schema.ts) to the new format;
 *   3. add a test: a file of the old format, its migrated text, and that both
 *      load to the same scenario (tests/scenario-format.test.ts).
 */
import { UserError } from "../core/errors.js";
import { applyToValue, type JsonEdit } from "./json-edit.js";

export interface FormatStep {
  /** The version this step upgrades; it produces `from + 1`. */
  from: number;
  /** What changed, in one line. */
  change: string;
  /** The edits that upgrade one file of version `from` (its parsed JSON, not to be modified). */
  edits(raw: Readonly<Record<string, unknown>>): JsonEdit[];
  /** Whether a file of version `from` loads through this step in memory (the change is compatible). */
  automatic: boolean;
}

/** Every format change, oldest first. */
export const FORMAT_STEPS: readonly FormatStep[] = [
  {
    from: 1,
    change: 'the file records its format version in a "format" key',
    edits: (raw) => [{ op: "set", path: ["format"], value: 2, ...("$schema" in raw ? { after: "$schema" } : {}) }],
    automatic: true,
  },
];

/** The format this version of neurocompare writes and reads without migration. */
export const CURRENT_FORMAT = 1 + FORMAT_STEPS.length;

/** The format a parsed file declares: its `format` key, or 1 without one. */
export function declaredFormat(raw: unknown, file: string, steps: readonly FormatStep[] = FORMAT_STEPS): number {
  const current = 1 + steps.length;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return current;
  const f = Object.hasOwn(raw, "format") ? (raw as Record<string, unknown>)["format"] : 1;
  if (typeof f !== "number" || !Number.isInteger(f) || f < 1) {
    throw new UserError(
      "E_SCENARIO_FORMAT",
      `${file}: at $.format: expected a format version (an integer from 1 to ${current}), found ${JSON.stringify(f)}`,
    );
  }
  if (f > current) {
    throw new UserError(
      "E_SCENARIO_FORMAT",
      `${file}: written in scenario format ${f}, newer than the format ${current} this neurocompare reads; update neurocompare`,
    );
  }
  return f;
}

/** The steps from `version` to the current format, in order. */
export function stepsFrom(version: number, steps: readonly FormatStep[] = FORMAT_STEPS): FormatStep[] {
  return steps.filter((s) => s.from >= version);
}

/**
 * A parsed scenario in the current format: the same object when it already
 * is, else an upgraded copy when every step is automatic. Otherwise a
 * UserError names the first change that needs the file rewritten and how.
 */
export function upgradeScenario(raw: unknown, file: string, steps: readonly FormatStep[] = FORMAT_STEPS): unknown {
  const version = declaredFormat(raw, file, steps);
  if (version === 1 + steps.length) return raw;
  const manual = stepsFrom(version, steps).find((s) => !s.automatic);
  if (manual !== undefined) {
    throw new UserError(
      "E_SCENARIO_FORMAT",
      `${file}: written in scenario format ${version}; format ${manual.from + 1} changed: ${manual.change}. Run \`neurocompare migrate ${file}\` to rewrite it (the original stays until the new file is complete)`,
    );
  }
  let value = raw as Record<string, unknown>;
  for (const step of stepsFrom(version, steps))
    value = applyToValue(value, step.edits(value)) as Record<string, unknown>;
  return value;
}
