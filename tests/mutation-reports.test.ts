// The committed StrykerJS incremental reports (mutation/incremental/*.json) travel with every clone, so
// they must not carry the path of the machine or worktree they were made in: Stryker writes its
// projectRoot there as an absolute path, and a rerun from another folder must still read them.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "..", "mutation", "incremental");

describe("committed mutation reports", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  it("exist", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files)
    it(`${f}: projectRoot is relative`, () => {
      const m = /"projectRoot":\s*"([^"]*)"/.exec(readFileSync(join(dir, f), "utf8"));
      expect(m, `${f} has a projectRoot`).not.toBeNull();
      expect(m![1]!.startsWith("/"), `${f}: projectRoot ${m![1]} is a machine path; set it to "."`).toBe(false);
    });
});

describe("mutation/survivors.mjs", () => {
  // The script finds the reports beside its own folder: a copy of mutation/ in an empty folder is a fresh
  // clone, where no run has written reports/mutation/ yet.
  const copy = mkdtempSync(join(tmpdir(), "nc-survivors-"));
  cpSync(join(import.meta.dirname, "..", "mutation"), join(copy, "mutation"), {
    recursive: true,
    filter: (p) => !p.includes("incremental"),
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  const survivors = (...args: string[]) =>
    spawnSync(process.execPath, [join(copy, "mutation", "survivors.mjs"), ...args], { encoding: "utf8" });

  it("with no report yet, says which run writes it, in one line, exit 1", () => {
    const r = survivors("metrics");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "no mutation report for metrics (reports/mutation/metrics.json): run `npm run test:mutation -- metrics` first\n",
    );
  });
  it("refuses a folder mutation/folders.mjs does not name, exit 2", () => {
    const r = survivors("nope");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^unknown folder "nope": one of metrics, /);
  });
});
