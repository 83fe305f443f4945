// The benchmark scripts a user starts by hand (npm run bench:all, bench:peers, bench:brian2, parity,
// parity:diehl-cook, memory-check, node bench/cuba-precision.mjs) answer `--help` with their usage and exit 0, and refuse an option they do not know
// with exit 2, as the CLI's commands do, instead of starting minutes of benchmarking. Reference: the
// scripts' own usage texts; nothing is benchmarked here (each answers before any work starts).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const scripts: [string, string][] = [
  ["bench/all.mjs", "npm run bench:all"],
  ["bench/peers/run.mjs", "npm run bench:peers"],
  ["bench/cuba-vs-brian2.mjs", "npm run bench:brian2"],
  ["bench/parity/run.mjs", "npm run parity"],
  ["bench/parity/diehl-cook.mjs", "npm run parity:diehl-cook"],
  ["bench/memory-check.mjs", "npm run memory-check"],
  ["bench/cuba-precision.mjs", "node bench/cuba-precision.mjs"],
];
const node = (script: string, arg: string) =>
  spawnSync(process.execPath, [join(root, script), arg], { cwd: root, encoding: "utf8", timeout: 30_000 });

describe.each(scripts)("%s", (script, npmRun) => {
  it("--help prints the usage and exits 0", () => {
    const r = node(script, "--help");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith(`usage: ${npmRun} ${npmRun.startsWith("npm") ? "-- " : ""}[`)).toBe(true);
  });
  it("an unknown option exits 2, named, with the usage", () => {
    const r = node(script, "--no-such-option");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/'--no-such-option'[\s\S]*usage: /);
    expect(r.stdout).toBe("");
  });
});
