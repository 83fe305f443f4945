/**
 * Scenario format versions and `migrate`. References: the format rules in
 * src/scenario/format.ts (no key = format 1; newer than current = refused;
 * automatic steps load in memory, others name the change and the fix), and
 * the requirement that a migrated file differs from the original only where
 * the edits say (byte-for-byte comparisons of the text).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { CURRENT_FORMAT, type FormatStep, FORMAT_STEPS, upgradeScenario } from "../src/scenario/format.js";
import { applyToText, applyToValue, jsonEqual } from "../src/scenario/json-edit.js";
import { parseAnyScenarioText } from "../src/scenario/load.js";
import { migrateText } from "../src/scenario/migrate.js";

const dir = mkdtempSync(join(tmpdir(), "neurocompare-format-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");

const v1 = `{
  "$schema": "./schema.json",
  "name": "old",
  "description": "a file written before format versions",
  "task": { "type": "xor", "trainSize": 8, "testSize": 4 },
    "learners": [{ "type": "mlp", "hidden": [2] }],
  "epochs": 1
}
`;

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

describe("scenario format versions", () => {
  it("the current format is the number of steps + 1, and bundled scenarios declare it", () => {
    expect(CURRENT_FORMAT).toBe(FORMAT_STEPS.length + 1);
    const quick = JSON.parse(readFileSync(join(import.meta.dirname, "..", "scenarios", "quickstart.json"), "utf8"));
    expect(quick.format).toBe(CURRENT_FORMAT);
  });

  it("a file without a format key (format 1) still runs: it loads to the same scenario as its migrated text", () => {
    const old = parseAnyScenarioText(v1, "old.json");
    const migrated = migrateText(v1, "old.json");
    expect(migrated.from).toBe(1);
    const now = parseAnyScenarioText(migrated.text, "old.json");
    expect(now).toEqual(old);
  });

  it("migrate inserts only the format key, after $schema, in the file's own indentation", () => {
    const out = migrateText(v1, "old.json").text;
    expect(out).toBe(v1.replace('"./schema.json",\n', `"./schema.json",\n  "format": ${CURRENT_FORMAT},\n`));
    // Without $schema, on one line: first, in the same style.
    const line = '{"name":"x","epochs":1}';
    expect(applyToText(line, FORMAT_STEPS[0]!.edits(JSON.parse(line)))).toBe('{"format": 2, "name":"x","epochs":1}');
    // An empty object gets the key alone.
    expect(applyToText("{}", [{ op: "set", path: ["format"], value: 2 }])).toBe('{"format": 2}');
  });

  it("a newer format and a malformed version are refused with a message", () => {
    const newer = userError(() => parseAnyScenarioText(v1.replace("{", `{"format": ${CURRENT_FORMAT + 1},`), "n.json"));
    expect(newer.code).toBe("E_SCENARIO_FORMAT");
    expect(newer.message).toContain("newer than the format");
    expect(userError(() => parseAnyScenarioText('{"format": "two"}', "m.json")).message).toContain("at $.format");
  });

  // A made-up later change that needs the file rewritten: "epochs" renamed, not automatic.
  const later: FormatStep = {
    from: 2,
    change: 'the key "epochs" is now "epochCount"',
    edits: () => [{ op: "rename", path: ["epochs"], to: "epochCount" }],
    automatic: false,
  };
  const steps = [...FORMAT_STEPS, later];

  it("a change that is not automatic refuses the old file, naming the change and `migrate`", () => {
    const e = userError(() => upgradeScenario(JSON.parse(v1), "old.json", steps));
    expect(e.code).toBe("E_SCENARIO_FORMAT");
    expect(e.message).toContain('format 3 changed: the key "epochs" is now "epochCount"');
    expect(e.message).toContain("neurocompare migrate old.json");
  });

  it("migrate applies every step to the text, keeping the rest byte for byte", () => {
    const m = migrateText(v1, "old.json", steps);
    expect(m.changes).toHaveLength(2);
    expect(m.text).toBe(
      v1.replace('"./schema.json",\n', '"./schema.json",\n  "format": 2,\n').replace('"epochs": 1', '"epochCount": 1'),
    );
  });

  it("text edits: remove a middle member, the last member, and rename a nested key", () => {
    const t = '{\n  "a": 1,\n  "b": {"c": 2, "d": 3},\n  "e": 4\n}';
    expect(applyToText(t, [{ op: "remove", path: ["a"] }])).toBe('{\n  "b": {"c": 2, "d": 3},\n  "e": 4\n}');
    expect(applyToText(t, [{ op: "remove", path: ["e"] }])).toBe('{\n  "a": 1,\n  "b": {"c": 2, "d": 3}\n}');
    expect(applyToText(t, [{ op: "rename", path: ["b", "d"], to: "x" }])).toBe(
      '{\n  "a": 1,\n  "b": {"c": 2, "x": 3},\n  "e": 4\n}',
    );
    // The value-level edits give what the text edits give.
    for (const e of [
      { op: "remove", path: ["a"] },
      { op: "rename", path: ["b", "d"], to: "x" },
      { op: "set", path: ["b", "z"], value: [1], after: "c" },
    ] as const) {
      expect(jsonEqual(JSON.parse(applyToText(t, [e])), applyToValue(JSON.parse(t), [e]))).toBe(true);
    }
  });

  it("upgrading a file nested 20,000 deep neither recurses nor copies it deeply", () => {
    const deep = `{"name":"x","extra":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const up = upgradeScenario(JSON.parse(deep), "deep.json") as Record<string, unknown>;
    expect(up["format"]).toBe(CURRENT_FORMAT);
    expect(userError(() => parseAnyScenarioText(deep, "deep.json")).message).toContain('unknown key "extra"');
  });

  it("CLI: --check lists, migrate rewrites atomically, and an invalid result leaves the original untouched", () => {
    const ok = join(dir, "ok.json");
    writeFileSync(ok, v1);
    const check = spawnSync(process.execPath, [cli, "migrate", ok, "--check"], { encoding: "utf8" });
    expect(check.status).toBe(1);
    expect(readFileSync(ok, "utf8")).toBe(v1);
    const run = spawnSync(process.execPath, [cli, "migrate", ok], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(ok, "utf8")).toContain(`"format": ${CURRENT_FORMAT}`);
    const again = spawnSync(process.execPath, [cli, "migrate", ok], { encoding: "utf8" });
    expect(again.stdout).toContain("already in scenario format");

    const bad = join(dir, "bad.json");
    const badText = v1.replace('"epochs": 1', '"epochs": 0');
    writeFileSync(bad, badText);
    const r = spawnSync(process.execPath, [cli, "migrate", bad], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("$.epochs");
    expect(readFileSync(bad, "utf8")).toBe(badText);
  });
});
