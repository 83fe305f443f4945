/**
 * A scenario file's text rewritten in the current format: each format step's
 * edits applied to the text (json-edit.ts keeps everything else as written),
 * checked against the same edits applied to the parsed value, which is what
 * loading the old file in memory gives.
 */
import { declaredFormat, FORMAT_STEPS, type FormatStep, stepsFrom } from "./format.js";
import { applyToText, applyToValue, jsonEqual } from "./json-edit.js";
import { parseJson } from "./parse.js";

/** The file's text in the current format, and the changes made (empty when it already was). */
export function migrateText(
  text: string,
  file: string,
  steps: readonly FormatStep[] = FORMAT_STEPS,
): { text: string; changes: string[]; from: number } {
  const raw = parseJson(text, file);
  const from = declaredFormat(raw, file, steps);
  let out = text;
  let value = raw as Record<string, unknown>;
  const changes: string[] = [];
  for (const step of stepsFrom(from, steps)) {
    const edits = step.edits(value);
    out = applyToText(out, edits);
    value = applyToValue(value, edits) as Record<string, unknown>;
    changes.push(`format ${step.from} -> ${step.from + 1}: ${step.change}`);
  }
  // The text edits and the in-memory edits must agree: what `run` loads is what the file now says.
  if (!jsonEqual(parseJson(out, file), value)) {
    throw new Error(`internal: migrating ${file} gave text that differs from the migrated scenario`);
  }
  return { text: out, changes, from };
}
