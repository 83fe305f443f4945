/**
 * The CLI's last line of defence: an internal error prints one line that says
 * it is a bug and names a crash report; the stack goes into the report. The
 * end-to-end case injects a failure the code cannot expect (node:fs's
 * renameSync throwing a plain Error, patched in before the CLI loads) into a
 * real `run`, so the whole path through main.ts is exercised. Exit 70 is
 * EX_SOFTWARE of BSD's sysexits.h.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attachOutputDir, reportInternalError } from "../src/cli/crash-report.js";

const dir = mkdtempSync(join(tmpdir(), "neurocompare-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");

/** The crash report path named in the one-line message. */
function reportPath(line: string): string {
  const m = /The details are in (.+?); please attach/.exec(line);
  expect(m, line).not.toBeNull();
  return m![1]!;
}

describe("internal errors", () => {
  it("one line on the terminal, the stack in a report in the output folder", () => {
    const e = new Error(`generated step function does not compile\n${"const x = 1;\n".repeat(3000)}`);
    const line = reportInternalError(attachOutputDir(e, dir), ["run", "s.json"], "9.9.9");
    expect(line.trimEnd().split("\n")).toHaveLength(1);
    expect(line).toContain("internal error, a bug in neurocompare");
    expect(line).not.toContain("    at ");
    expect(line.length).toBeLessThan(400);
    const path = reportPath(line);
    expect(dirname(path)).toBe(dir);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("neurocompare: 9.9.9");
    expect(text).toContain("command: neurocompare run s.json");
    expect(text).toContain("const x = 1;"); // the whole message, not only its first line
    expect(text).toMatch(/\n {4}at /); // the stack trace
  });

  it("without an output folder (or one that does not exist) the report goes to the temporary folder", () => {
    const e = attachOutputDir(new TypeError("x is undefined"), join(dir, "never-created"));
    const path = reportPath(reportInternalError(e, ["validate", "a.json"], "1"));
    expect(dirname(path)).toBe(tmpdir());
    expect(readFileSync(path, "utf8")).toContain("TypeError: x is undefined");
    rmSync(path);
  });

  it("keeps the causes of an error", () => {
    const e = new Error("outer", { cause: new RangeError("inner cause") });
    const path = reportPath(reportInternalError(attachOutputDir(e, dir), [], "1"));
    expect(readFileSync(path, "utf8")).toContain("caused by: RangeError: inner cause");
  });

  it("end to end: `run` with an unexpected failure exits 70 with one line and a report beside the results", () => {
    const scenario = join(dir, "tiny.json");
    writeFileSync(
      scenario,
      JSON.stringify({
        name: "tiny",
        description: "d",
        task: { type: "xor", trainSize: 8, testSize: 4 },
        learners: [{ type: "mlp", hidden: [2] }],
        epochs: 1,
      }),
    );
    const inject = join(dir, "inject.mjs");
    writeFileSync(
      inject,
      [
        'import fs from "node:fs";',
        'import { syncBuiltinESMExports } from "node:module";',
        'fs.renameSync = () => { throw new Error("injected: rename failed"); };',
        "syncBuiltinESMExports();",
      ].join("\n"),
    );
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, ["--import", inject, cli, "run", scenario, "--out", out, "-q"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(70);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(r.stderr).toContain("injected: rename failed");
    const path = reportPath(r.stderr);
    expect(dirname(path)).toBe(out);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, "utf8")).toMatch(/\n {4}at /);
  });
});
