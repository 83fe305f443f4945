// The committed StrykerJS incremental reports (mutation/incremental/*.json) travel with every clone, so
// they must not carry the path of the machine or worktree they were made in: Stryker writes its
// projectRoot there as an absolute path, and a rerun from another folder must still read them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

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
