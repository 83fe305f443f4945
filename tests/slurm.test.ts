// A real SLURM: a one-node cluster on localhost (.ci/slurm.sh, Debian's
// slurm-wlm and munge) runs a small scenario submitted by
// `neurocompare slurm --submit` as a job array of three tasks plus the merge
// job that depends on it. The reference is a local single-process run
// (`--jobs 1`) of the same scenario; the merged metrics.csv must equal it
// byte for byte once the timing rows (wallMs, trainingTimeMs: wall-clock
// time) are removed.
//
// The cluster is the one `.ci/run` starts; when it is not running and this
// process is root, the test starts it (and stops it afterwards). Where
// slurm-wlm is not installed, or the cluster cannot be started here, the test
// is skipped and says why; under CI (CI set) with slurm-wlm installed, a
// cluster that does not start is a failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fourUnitScenario, metricsOf } from "./helpers/four-units.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const script = join(root, ".ci", "slurm.sh");
const slurmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  SLURM_CONF: join(process.env["NEUROCOMPARE_SLURM_DIR"] ?? "/tmp/neurocompare-slurm", "slurm.conf"),
};
for (const k of Object.keys(slurmEnv)) if (k.startsWith("SLURM_ARRAY_")) delete slurmEnv[k];

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const installed = ["slurmctld", "slurmd", "sbatch", "squeue", "munged"].every(has);
const clusterUp = () => spawnSync("bash", [script, "status"], { env: slurmEnv }).status === 0;

let startedHere = false;
function bringUp(): string {
  if (!installed) return "slurm-wlm and munge are not installed (apt-get install slurm-wlm munge)";
  if (clusterUp()) return "";
  if (process.getuid?.() !== 0)
    return "the one-node cluster is not running and starting it needs root (.ci/slurm.sh start)";
  const r = spawnSync("bash", [script, "start"], { env: slurmEnv, encoding: "utf8", timeout: 120_000 });
  if (r.status === 0 && clusterUp()) {
    startedHere = true;
    return "";
  }
  return `the one-node cluster did not start: ${(r.stderr || r.stdout || String(r.error)).trim().slice(-600)}`;
}
const unavailable = bringUp();
const mustRun = process.env["CI"] !== undefined && process.env["CI"] !== "" && installed;
const why = unavailable === "" ? "" : ` (skipped: ${unavailable})`;

afterAll(() => {
  if (startedHere) spawnSync("bash", [script, "stop"], { env: slurmEnv });
});

const scenario = fourUnitScenario("slurm-xor", 3);

describe("SLURM job array and merge job on a one-node cluster", () => {
  if (mustRun && unavailable !== "")
    it("starts the one-node cluster (CI, slurm-wlm installed)", () => {
      expect.fail(unavailable);
    });

  it.skipIf(unavailable !== "")(
    `runs a scenario as a 3-task array plus a merge job; merged metrics.csv equals a local run${why}`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "neurocompare-slurm-"));
      const file = join(dir, "slurm-xor.json");
      writeFileSync(file, JSON.stringify(scenario));
      const ref = spawnSync(process.execPath, [cli, "run", file, "--out", join(dir, "ref"), "--jobs", "1", "-q"], {
        encoding: "utf8",
      });
      expect(ref.status, ref.stderr).toBe(0);

      const out = join(dir, "cluster");
      const submit = spawnSync(process.execPath, [cli, "slurm", file, "--out", out, "--tasks", "3", "--submit"], {
        encoding: "utf8",
        env: slurmEnv,
      });
      expect(submit.status, submit.stderr).toBe(0);
      const ids = /Submitted job array (\d+) \(3 task\(s\)\) and merge job (\d+)/.exec(submit.stdout);
      expect(ids, submit.stdout).not.toBeNull();
      const [arrayId, mergeId] = [ids![1]!, ids![2]!];

      // No accounting here (sacct is off): poll squeue until both jobs have left the queue, then read the logs.
      const t0 = Date.now();
      const deadline = t0 + 240_000;
      let queue = "";
      for (;;) {
        const q = spawnSync("squeue", ["-h", "-j", `${arrayId},${mergeId}`, "-o", "%i %T %r"], {
          encoding: "utf8",
          env: slurmEnv,
        });
        queue = q.stdout.trim();
        if (queue === "" && existsSync(join(out, `slurm-${mergeId}.out`))) break;
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const logs = readdirSync(out)
        .filter((f) => /^slurm-.*\.out$/.test(f))
        .sort()
        .map((f) => `--- ${f}\n${readFileSync(join(out, f), "utf8")}`)
        .join("\n");
      // The test's output names the jobs, their logs and how long the cluster took.
      console.log(
        `SLURM: array ${arrayId} (3 tasks) and merge ${mergeId} left the queue after ${((Date.now() - t0) / 1000).toFixed(1)} s\n${submit.stdout}${logs}`,
      );
      expect(queue, `jobs still queued after 240 s:\n${queue}\n${logs}`).toBe("");
      expect(readdirSync(out).filter((f) => /^slurm-\d+_\d\.out$/.test(f))).toEqual([
        `slurm-${arrayId}_0.out`,
        `slurm-${arrayId}_1.out`,
        `slurm-${arrayId}_2.out`,
      ]);
      for (let task = 0; task < 3; task++)
        expect(readFileSync(join(out, `slurm-${arrayId}_${task}.out`), "utf8")).toContain(
          `Shard ${task + 1}/3 (from SLURM_ARRAY_TASK_ID=${task}`,
        );
      expect(readFileSync(join(out, `slurm-${mergeId}.out`), "utf8")).toContain("Merged 4 of 4 units");
      expect(metricsOf(out)).toBe(metricsOf(join(dir, "ref")));
      expect(readFileSync(join(out, "report.md"), "utf8")).not.toContain("Incomplete");
    },
    300_000,
  );

  it.skipIf(unavailable !== "")(
    `takes over a unit lock left on another node by a SLURM job that has left the queue, not one whose job is queued${why}`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "neurocompare-slurm-locks-"));
      const file = join(dir, "slurm-xor.json");
      writeFileSync(file, JSON.stringify(scenario));
      const out = join(dir, "out");
      const claim = spawnSync(process.execPath, [cli, "slurm", file, "--out", out], {
        encoding: "utf8",
        env: slurmEnv,
      });
      expect(claim.status, claim.stderr).toBe(0);
      const runId = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).runId;
      const lock = join(out, "units", "mlp", "5", "lock");
      const leave = (slurmJob: string) => {
        mkdirSync(dirname(lock), { recursive: true });
        writeFileSync(lock, JSON.stringify({ runId, host: "another-node", pid: 1, since: "2026-01-01", slurmJob }));
      };
      const shard = () =>
        spawnSync(process.execPath, [cli, "run", file, "--out", out, "--shard", "1/2", "-q"], {
          encoding: "utf8",
          env: slurmEnv,
        });
      const sbatch = (args: string[]) =>
        spawnSync("sbatch", ["--parsable", ...args], { encoding: "utf8", env: slurmEnv }).stdout.trim();
      const job = sbatch(["--output=/dev/null", "--wrap", "sleep 120"]);
      expect(job).toMatch(/^\d+$/);
      try {
        // Its job is pending or running: the unit is refused, naming the job.
        leave(job);
        const refused = shard();
        expect(refused.status).toBe(2);
        expect(refused.stderr).toContain(`process 1 on another-node in SLURM job ${job}`);
      } finally {
        spawnSync("scancel", [job], { env: slurmEnv });
      }
      // Cancelled (no longer listed), then unknown to the controller (an id it never gave): taken over.
      for (const gone of [job, "999999"]) {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const q = spawnSync("squeue", ["-h", "-j", gone], { encoding: "utf8", env: slurmEnv });
          if (q.stdout.trim() === "") break;
          await new Promise((r) => setTimeout(r, 500));
        }
        rmSync(join(out, "units", "mlp", "5"), { recursive: true, force: true });
        rmSync(join(out, "units", "lsm", "5"), { recursive: true, force: true });
        leave(gone);
        const taken = shard();
        expect(taken.status, taken.stderr).toBe(0);
        expect(taken.stdout).toContain("finished in");
        expect(existsSync(lock)).toBe(false);
      }
    },
    120_000,
  );
});
