/**
 * Regression corpus: every input that once crashed, hung or misbehaved (the
 * probes of the robustness review, and what the fuzzer finds), with the
 * outcome it must now have: accepted, or refused at the schema or build stage
 * with a given code and a fragment of the message. tests/fuzz/corpus.json
 * holds them; large inputs are written there with a placeholder that is
 * expanded (`unit` repeated `times`, `{i}` in it numbering the copies) before
 * the check.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeInternal, validateText } from "./fuzz/harness.js";

interface Entry {
  name: string;
  found: string;
  expect: string;
  fragment?: string;
  scenario?: unknown;
  text?: string;
  expand?: { placeholder: string; unit: string; times: number }[];
}

const corpus = JSON.parse(readFileSync(join(import.meta.dirname, "fuzz", "corpus.json"), "utf8")) as Entry[];

function textOf(e: Entry): string {
  let text = e.text ?? JSON.stringify(e.scenario);
  for (const x of e.expand ?? []) {
    const units = Array.from({ length: x.times }, (_, i) => x.unit.replaceAll("{i}", String(i)));
    text = text.replace(x.placeholder, units.join(""));
  }
  return text;
}

describe("fuzz corpus: past failures stay fixed", () => {
  for (const e of corpus) {
    it(`${e.name} → ${e.expect} (was: ${e.found})`, () => {
      const o = validateText(textOf(e), "corpus.json");
      if (o.kind === "internal") throw new Error(describeInternal(o.error));
      const outcome = o.kind === "ok" ? "ok" : `${o.stage}:${o.code}`;
      expect(outcome, o.kind === "user" ? o.message.slice(0, 600) : "").toBe(e.expect);
      if (e.fragment !== undefined && o.kind === "user") expect(o.message).toContain(e.fragment);
      // Seconds even on a loaded machine, not minutes.
      expect(o.ms).toBeLessThan(30_000);
    });
  }
});
