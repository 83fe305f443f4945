// Runs as units on disk, through the built CLI (dist/): the same metrics.csv
// for --jobs 1 and --jobs 2, after a resume, and after SIGKILL at several
// points; refusal of folders holding other files; one lock per unit; Ctrl-C.
// The reference for every comparison is an uninterrupted --jobs 1 run of the
// same scenario; the comparison is byte for byte after removing the timing
// rows (wallMs, trainingTimeMs: wall-clock time, the only figures that differ
// between two runs of anything).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fourUnitScenario, metricsOf } from "./helpers/four-units.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

const scenario = fourUnitScenario("units", 4);

function epochsLogged(dir: string): number {
  const path = join(dir, "events.jsonl");
  if (!existsSync(path)) return 0;
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.includes('"event":"epoch"')).length;
}

/** Starts a run and sends `signal` once `epochs` more epochs are logged; resolves with the exit status and output. */
function runUntil(
  file: string,
  out: string,
  epochs: number,
  signal: NodeJS.Signals,
  jobs = 1,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; killedAt: number }> {
  const before = epochsLogged(out);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "run", file, "--out", out, "--jobs", String(jobs), "-q"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let killedAt = -1;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const timer = setInterval(() => {
      const n = epochsLogged(out);
      if (killedAt < 0 && n - before >= epochs) {
        killedAt = n;
        child.kill(signal);
      }
    }, 5);
    child.on("exit", (status, sig) => {
      clearInterval(timer);
      resolve({ status, signal: sig, stdout, killedAt });
    });
  });
}

describe("runs as units on disk", () => {
  let dir = "";
  let file = "";
  let reference = "";
  beforeAll(() => {
    expect(existsSync(cli), "dist/ is missing: run `npm run build`").toBe(true);
    dir = mkdtempSync(join(tmpdir(), "neurocompare-runs-"));
    file = join(dir, "units.json");
    writeFileSync(file, JSON.stringify(scenario));
    const r = run(["run", file, "--out", join(dir, "ref"), "--jobs", "1", "-q"]);
    expect(r.status, r.stderr).toBe(0);
    reference = metricsOf(join(dir, "ref"));
  });

  it("lays out units, a manifest with the run id, and no run id inside metrics.csv", () => {
    const ref = join(dir, "ref");
    const manifest = JSON.parse(readFileSync(join(ref, "manifest.json"), "utf8"));
    expect(manifest.units.map((u: { path: string }) => u.path)).toEqual([
      "units/mlp/5",
      "units/lsm/5",
      "units/mlp/6",
      "units/lsm/6",
    ]);
    for (const u of manifest.units) {
      const unit = JSON.parse(readFileSync(join(ref, u.path, "unit.json"), "utf8"));
      expect(unit).toMatchObject({ runId: manifest.runId, status: "done" });
      expect(readdirSync(join(ref, u.path)).sort()).toEqual(["result.bin", "state.bin", "unit.json"]);
    }
    expect(readFileSync(join(ref, "metrics.csv"), "utf8")).not.toContain(manifest.runId);
    const events = readFileSync(join(ref, "events.jsonl"), "utf8").trim().split("\n");
    for (const e of events) expect(JSON.parse(e).runId).toBe(manifest.runId);
    expect(JSON.parse(readFileSync(join(ref, "files.json"), "utf8")).files).toContain("metrics.csv");
  });

  it("writes the same metrics.csv with --jobs 2 (worker threads) as with --jobs 1", () => {
    const r = run(["run", file, "--out", join(dir, "j2"), "--jobs", "2", "-q"]);
    expect(r.status, r.stderr).toBe(0);
    expect(metricsOf(join(dir, "j2"))).toBe(reference);
    for (const name of ["weights.csv", "robustness.csv", "firing-rates.csv"])
      expect(readFileSync(join(dir, "j2", name), "utf8")).toBe(readFileSync(join(dir, "ref", name), "utf8"));
  });

  it("a rerun into a finished folder resumes: nothing retrained, same results", () => {
    const r = run(["run", file, "--out", join(dir, "ref"), "-q"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("(resumed)");
    expect(metricsOf(join(dir, "ref"))).toBe(reference);
  });

  it("resumes after SIGKILL at several points, byte-identical to the uninterrupted run", async () => {
    const out = join(dir, "killed");
    let kills = 0;
    // Killed inside the first unit, inside the second, at the start of the last, then with two workers.
    for (const [epochs, jobs] of [
      [2, 1],
      [3, 1],
      [4, 1],
      [2, 2],
    ] as const) {
      const r = await runUntil(file, out, epochs, "SIGKILL", jobs);
      if (r.signal !== "SIGKILL") break; // finished before the kill: nothing left to interrupt
      kills++;
      if (kills === 1) {
        // A killed run wrote no tables: report assembles them from the finished units and names the rest.
        const report = run(["report", out]);
        expect(report.status, report.stderr).toBe(0);
        expect(report.stdout).toMatch(/Report assembled from \d finished unit\(s\).*incomplete: missing/);
      }
    }
    expect(kills).toBeGreaterThan(1);
    const last = run(["run", file, "--out", out, "-q"]);
    expect(last.status, last.stderr).toBe(0);
    expect(metricsOf(out)).toBe(reference);
    // Nothing was trained twice past a checkpoint: each unit logged each epoch at most once more than needed.
    expect(epochsLogged(out)).toBeLessThanOrEqual(16 + 4);
  }, 120_000);

  it("Ctrl-C finishes the epoch, writes a partial report and prints the command that resumes", async () => {
    const out = join(dir, "interrupted");
    const r = await runUntil(file, out, 1, "SIGINT");
    expect(r.status).toBe(130);
    expect(r.stdout).toContain("Resume with:");
    expect(r.stdout).toContain(`--out ${out}`);
    expect(readFileSync(join(out, "report.md"), "utf8")).toMatch(/Incomplete: \d of 4 units finished/);
    const report = run(["report", out]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/incomplete: missing .*seed 6/);
    const resumed = run(["run", file, "--out", out, "-q"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(metricsOf(out)).toBe(reference);
    expect(readFileSync(join(out, "report.md"), "utf8")).not.toContain("Incomplete");
  }, 60_000);

  it("refuses a folder holding the user's files or another scenario's results, and --fresh removes only results", () => {
    const mine = join(dir, "mine");
    mkdirSync(join(mine, "charts"), { recursive: true });
    writeFileSync(join(mine, "metrics.csv"), "my own table\n");
    writeFileSync(join(mine, "notes.txt"), "keep me\n");
    writeFileSync(join(mine, "charts", "figure.svg"), "<svg/>");
    const refused = run(["run", file, "--out", mine, "-q"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/E_OUTPUT_FOREIGN.*metrics\.csv.*notes\.txt.*--fresh/s);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(join(mine, "metrics.csv"), "utf8")).toBe("my own table\n");

    const other = { ...scenario, name: "other", epochs: 1, learners: [scenario.learners[0]] };
    const otherFile = join(dir, "other.json");
    writeFileSync(otherFile, JSON.stringify(other));
    const intoRef = run(["run", otherFile, "--out", join(dir, "ref"), "-q"]);
    expect(intoRef.status).toBe(2);
    expect(intoRef.stderr).toMatch(/results of a different scenario \(units/);

    const fresh = run(["run", otherFile, "--out", mine, "--fresh", "-q"]);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(readFileSync(join(mine, "notes.txt"), "utf8")).toBe("keep me\n"); // foreign: kept
    expect(readFileSync(join(mine, "metrics.csv"), "utf8")).toMatch(/^learner,seed,epoch,metric,value/);
    // The kept foreign file does not block the next run of the same scenario.
    const again = run(["run", otherFile, "--out", mine, "-q"]);
    expect(again.status, again.stderr).toBe(0);
  });

  it("refuses a unit that a live process holds, naming it; a dead holder's lock is taken over", () => {
    const out = join(dir, "locked");
    const first = run(["run", file, "--out", out, "-q"]);
    expect(first.status, first.stderr).toBe(0);
    // Pretend the first unit never finished and is held by this (live) test process.
    const unitDir = join(out, "units", "mlp", "5");
    spawnSync("rm", [join(unitDir, "unit.json")]);
    const host = spawnSync("hostname", [], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(unitDir, "lock"), JSON.stringify({ runId: "x", host, pid: process.pid, since: "now" }));
    const refused = run(["run", file, "--out", out, "-q"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`E_OUTPUT_LOCKED.*mlp seed 5.*process ${process.pid}`));
    // A holder that no longer runs: its lock is stale.
    writeFileSync(join(unitDir, "lock"), JSON.stringify({ runId: "x", host, pid: 2 ** 22 + 7, since: "then" }));
    const taken = run(["run", file, "--out", out, "-q"]);
    expect(taken.status, taken.stderr).toBe(0);
    expect(metricsOf(out)).toBe(reference);
  });
});
