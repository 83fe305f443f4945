// Shards into one folder and merge, through the built CLI (dist/): shards
// started at the same moment (one manifest, one run id), a Kubernetes
// Indexed Job's pods (JOB_COMPLETION_INDEX), the generated SLURM scripts run
// by bash with a SLURM array task's variables (no cluster needed), and merge
// while a shard still runs (it reports the unit as running and leaves its
// lock alone). The reference is an uninterrupted single-process run
// (`--jobs 1`) of the same scenario; metrics.csv is compared byte for byte
// after removing the timing rows (wallMs, trainingTimeMs: wall-clock time,
// the only figures that differ between two runs of anything).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fourUnitScenario, metricsOf } from "./helpers/four-units.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
/** The CLI with the shard variables of the calling environment removed (a test may run inside a SLURM job). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("SLURM_ARRAY_") || k.startsWith("JOB_COMPLETION")) delete env[k];
  delete env["JOB_COMPLETIONS"];
  return { ...env, ...extra };
}
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: cleanEnv(env) });
const start = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });

const scenario = fourUnitScenario("shards", 3);

function runIds(dir: string): Set<string> {
  return new Set(
    readFileSync(join(dir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).runId as string),
  );
}

describe("shards and merge", () => {
  let dir = "";
  let file = "";
  let reference = "";
  beforeAll(() => {
    expect(existsSync(cli), "dist/ is missing: run `npm run build`").toBe(true);
    dir = mkdtempSync(join(tmpdir(), "neurocompare-shards-"));
    file = join(dir, "shards.json");
    writeFileSync(file, JSON.stringify(scenario));
    const r = run(["run", file, "--out", join(dir, "ref"), "--jobs", "1", "-q"]);
    expect(r.status, r.stderr).toBe(0);
    reference = metricsOf(join(dir, "ref"));
  });

  it("runs three --shard processes started at once into one folder: one run, the last writes the report, merge agrees", async () => {
    const out = join(dir, "concurrent");
    const results = await Promise.all(
      [1, 2, 3].map((i) => start(["run", file, "--out", out, "--shard", `${i}/3`, "--jobs", "1", "-q"])),
    );
    for (const r of results) expect(r.status, r.stderr).toBe(0);
    expect(results.map((r) => /finished in [\d.]+ s: (.*)\./.exec(r.stdout)?.[1])).toEqual([
      "mlp seed 5",
      "lsm seed 5",
      "mlp seed 6, lsm seed 6",
    ]);
    // One manifest adopted by all three: every event carries its run id.
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(runIds(out)).toEqual(new Set([manifest.runId]));
    // The shard that found every unit finished wrote the tables and report.
    expect(results.filter((r) => r.stdout.includes("Every unit of the run has finished")).length).toBeGreaterThan(0);
    expect(metricsOf(out)).toBe(reference);
    const m = run(["merge", out]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("Merged 4 of 4 units");
    expect(metricsOf(out)).toBe(reference);
    for (const name of ["weights.csv", "robustness.csv", "firing-rates.csv"])
      expect(readFileSync(join(out, name), "utf8")).toBe(readFileSync(join(dir, "ref", name), "utf8"));
    expect(readdirSync(join(out, "units"))).not.toContain("_assembly.lock");
  });

  it("runs a Kubernetes Indexed Job's pods (JOB_COMPLETION_INDEX of JOB_COMPLETIONS); merge reports what is missing", () => {
    const out = join(dir, "indexed");
    const first = run(["run", file, "--out", out, "--jobs", "1", "-q"], {
      JOB_COMPLETION_INDEX: "0",
      JOB_COMPLETIONS: "2",
    });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain("Shard 1/2 (from JOB_COMPLETION_INDEX=0, JOB_COMPLETIONS=2)");
    expect(existsSync(join(out, "metrics.csv"))).toBe(false);
    const partial = run(["merge", out]);
    expect(partial.status, partial.stderr).toBe(4);
    expect(partial.stdout).toContain("Merged 2 of 4 units");
    expect(partial.stdout).toMatch(
      /Missing 2 unit\(s\):\n {2}mlp seed 6 \(not started\)\n {2}lsm seed 6 \(not started\)/,
    );
    expect(readFileSync(join(out, "report.md"), "utf8")).toMatch(/Incomplete: 2 of 4 units finished/);
    const second = run(["run", file, "--out", out, "--jobs", "1", "-q"], {
      JOB_COMPLETION_INDEX: "1",
      JOB_COMPLETIONS: "2",
    });
    expect(second.status, second.stderr).toBe(0);
    expect(metricsOf(out)).toBe(reference);
    expect(readFileSync(join(out, "report.md"), "utf8")).not.toContain("Incomplete");
    const missingCount = run(["run", file, "--out", out, "-q"], { JOB_COMPLETION_INDEX: "1" });
    expect(missingCount.status).toBe(2);
    expect(missingCount.stderr).toContain("set JOB_COMPLETIONS");
  });

  it("runs the scripts `neurocompare slurm` writes with bash, as SLURM would (task variables set), into a folder with quotes and spaces", () => {
    const out = join(dir, "it's a $HOME folder");
    const w = run(["slurm", file, "--out", out, "--tasks", "3"]);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toContain("4 units in 3 array task(s)");
    expect(readdirSync(out).sort()).toEqual(
      ["events.jsonl", "files.json", "manifest.json", "shards-merge.sbatch", "shards.sbatch"].sort(),
    );
    for (let task = 0; task < 3; task++) {
      const r = spawnSync("bash", [join(out, "shards.sbatch")], {
        encoding: "utf8",
        env: cleanEnv({ SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_COUNT: "3" }),
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Shard ${task + 1}/3 (from SLURM_ARRAY_TASK_ID=${task}`);
    }
    const m = spawnSync("bash", [join(out, "shards-merge.sbatch")], { encoding: "utf8", env: cleanEnv() });
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("Merged 4 of 4 units");
    expect(metricsOf(out)).toBe(reference);
  });

  it("merges while a shard runs: the running unit is reported with its process, its lock is left alone", async () => {
    const out = join(dir, "running");
    // Epochs enough that the paused unit cannot have finished before the pause, even on a loaded machine.
    const slow = { ...scenario, learners: [scenario.learners[0]], evaluation: { costSamples: 10 }, epochs: 60 };
    const slowFile = join(dir, "slow.json");
    writeFileSync(slowFile, JSON.stringify(slow));
    const first = run(["run", slowFile, "--out", out, "--shard", "1/2", "--jobs", "1", "-q"]);
    expect(first.status, first.stderr).toBe(0);
    const child = spawn(process.execPath, [cli, "run", slowFile, "--out", out, "--shard", "2/2", "--jobs", "1", "-q"], {
      env: cleanEnv(),
      stdio: "ignore",
    });
    const lock = join(out, "units", "mlp", "6", "lock");
    const exited = new Promise<number | null>((resolve) => child.on("exit", (s) => resolve(s)));
    try {
      const deadline = Date.now() + 60_000;
      const locked = () => {
        try {
          return JSON.parse(readFileSync(lock, "utf8")).pid === child.pid;
        } catch {
          return false;
        }
      };
      while (!locked() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // Paused holding its lock: the merge runs beside a shard that is certainly still running.
      child.kill("SIGSTOP");
      const holder = readFileSync(lock, "utf8");
      const m = run(["merge", out]);
      expect(m.status, m.stderr).toBe(4);
      expect(m.stdout).toContain("Merged 1 of 2 units");
      expect(m.stdout).toContain(`mlp seed 6 (running: process ${child.pid}`);
      expect(readFileSync(lock, "utf8")).toBe(holder);
    } finally {
      child.kill("SIGCONT");
    }
    // Undisturbed, the paused shard finished its units and, finding every unit finished, wrote the whole report.
    expect(await exited).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(readFileSync(join(out, "report.md"), "utf8")).not.toContain("Incomplete");
    expect(JSON.parse(readFileSync(join(out, "files.json"), "utf8")).assembled).toEqual(["units/mlp/5", "units/mlp/6"]);
  });

  it("stops on SIGTERM (SLURM's time limit, a pod's end) as on Ctrl-C: checkpoint kept, locks released, resumable", async () => {
    const out = join(dir, "sigterm");
    const slowFile = join(dir, "slow-term.json");
    writeFileSync(
      slowFile,
      JSON.stringify({ ...scenario, learners: [scenario.learners[0]], evaluation: { costSamples: 10 }, epochs: 60 }),
    );
    const child = spawn(process.execPath, [cli, "run", slowFile, "--out", out, "--shard", "1/2", "--jobs", "1", "-q"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (s) => resolve(s)));
    const events = join(out, "events.jsonl");
    const epochs = () => (existsSync(events) ? readFileSync(events, "utf8").split('"event":"epoch"').length - 1 : 0);
    const deadline = Date.now() + 60_000;
    while (epochs() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGTERM");
    expect(await exited).toBe(130);
    expect(stdout).toContain("Shard 1/2 stopped before its units finished");
    expect(stdout).toContain("--shard 1/2");
    const unit = join(out, "units", "mlp", "5");
    expect(readdirSync(unit).sort()).toEqual(["checkpoint.bin"]);
    const again = run(["run", slowFile, "--out", out, "--shard", "1/2", "--jobs", "1", "-q"]);
    expect(again.status, again.stderr).toBe(0);
    expect(readdirSync(unit).sort()).toEqual(["result.bin", "state.bin", "unit.json"]);
  });

  it("refuses bad shards, bad SLURM options and folders that are not runs, before writing anything", () => {
    const bad = run(["run", file, "--out", join(dir, "bad"), "--shard", "4/3"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/E_OPTION_INVALID.*shard 4 of 3/);
    const time = run(["slurm", file, "--out", join(dir, "bad-time"), "--time", "1h"]);
    expect(time.status).toBe(2);
    expect(time.stderr).toContain("option --time");
    const quote = run(["slurm", file, "--out", join(dir, 'say "hi"')]);
    expect(quote.status).toBe(2);
    expect(quote.stderr).toContain("an #SBATCH line cannot hold it");
    for (const name of ["bad", "bad-time", 'say "hi"']) expect(existsSync(join(dir, name))).toBe(false);
    mkdirSync(join(dir, "plain"));
    const notRun = run(["merge", join(dir, "plain")]);
    expect(notRun.status).toBe(2);
    expect(notRun.stderr).toMatch(/E_RESULTS_INVALID.*no manifest\.json/);
    const noSbatch = spawnSync(process.execPath, [cli, "slurm", file, "--out", join(dir, "nosb"), "--submit"], {
      encoding: "utf8",
      env: { ...cleanEnv(), PATH: "/nonexistent" },
    });
    expect(noSbatch.status).toBe(2);
    expect(noSbatch.stderr).toContain("E_SLURM");
    expect(noSbatch.stderr).toContain("sbatch not found");
  });
});
