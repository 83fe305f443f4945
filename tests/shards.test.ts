// Shards and SLURM job scripts, without a cluster: the split of a plan into
// shards (disjoint, covering, in plan order, sizes within one unit: checked
// exhaustively for small plans), the shard a SLURM array task or a Kubernetes
// Indexed Job's pod selects from its environment (the variables sbatch(1) and
// the Kubernetes Job documentation name), and the generated scripts: bash
// accepts them (`bash -n`), every quoted path comes back from bash exactly,
// and what an #SBATCH line cannot hold is refused.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { holderAlive, slurmJobQueued } from "../src/runs/lock.js";
import { planLearningUnits } from "../src/runs/plan.js";
import { checkPartition, checkTime, sbatchScripts, shellQuote, type SbatchOptions } from "../src/runs/sbatch.js";
import { parseShard, shardFromEnvironment, shardRange, shardUnits } from "../src/runs/shard.js";
import { scenarioSchema } from "../src/scenario/schema.js";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof UserError ? `${e.code}: ${e.message}` : `not a UserError: ${String(e)}`;
  }
  return "no error";
}

describe("shards", () => {
  it("parses --shard i/n (1-based) and refuses anything else", () => {
    expect(parseShard("1/3")).toEqual({ index: 1, count: 3 });
    expect(parseShard(" 3 / 3 ")).toEqual({ index: 3, count: 3 });
    for (const bad of ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2", "1.5/3"])
      expect(codeOf(() => parseShard(bad))).toMatch(/^E_OPTION_INVALID: option --shard/);
  });

  it("splits a plan into disjoint contiguous blocks that cover it in order, sizes within one unit", () => {
    for (let total = 0; total <= 24; total++) {
      const units = Array.from({ length: total }, (_, i) => i);
      for (let count = 1; count <= 26; count++) {
        const parts = Array.from({ length: count }, (_, i) => shardUnits(units, { index: i + 1, count }));
        expect(parts.flat()).toEqual(units);
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(shardRange({ index: count, count }, total).end).toBe(total);
      }
    }
  });

  it("gives each of two shards both learners of a two-learner, two-seed plan (blocks of the seed-major plan)", () => {
    const scenario = scenarioSchema.parse({
      name: "s",
      task: { type: "xor" },
      learners: [{ type: "mlp" }, { type: "lsm" }],
      epochs: 1,
      seeds: [5, 6],
    });
    const plan = planLearningUnits(scenario, [5, 6]);
    const names = (i: number) => shardUnits(plan, { index: i, count: 2 }).map((u) => `${u.learner.name} ${u.seed}`);
    expect(names(1)).toEqual(["mlp 5", "lsm 5"]);
    expect(names(2)).toEqual(["mlp 6", "lsm 6"]);
  });

  it("reads a SLURM array task's shard from its environment", () => {
    const env = { SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_COUNT: "4" };
    expect(shardFromEnvironment(env)?.shard).toEqual({ index: 3, count: 4 });
    // --array=1-4: task 1 is the first shard.
    expect(
      shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4" })?.shard,
    ).toEqual({ index: 1, count: 4 });
    // Without SLURM_ARRAY_TASK_COUNT (older SLURM): MAX - MIN + 1.
    expect(
      shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_MAX: "3" })?.shard,
    ).toEqual({ index: 4, count: 4 });
    expect(shardFromEnvironment(env)?.source).toContain("SLURM_ARRAY_TASK_ID=2");
    expect(codeOf(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "2" }))).toMatch(
      /^E_OPTION_INVALID: SLURM job array/,
    );
    // Task 4 of an array with step 2 (0-6:2 has 4 tasks) does not fit: refused, not run twice.
    expect(
      codeOf(() =>
        shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "6", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_COUNT: "4" }),
      ),
    ).toMatch(/^E_OPTION_INVALID: SLURM job array.*shard 7 of 4/);
  });

  it("reads a Kubernetes Indexed Job pod's shard from JOB_COMPLETION_INDEX and JOB_COMPLETIONS", () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", JOB_COMPLETIONS: "3" })?.shard).toEqual({
      index: 1,
      count: 3,
    });
    expect(codeOf(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "1" }))).toMatch(
      /^E_OPTION_INVALID: Kubernetes Indexed Job.*set JOB_COMPLETIONS/,
    );
    expect(shardFromEnvironment({})).toBeNull();
    expect(shardFromEnvironment({ SLURM_JOB_ID: "7" })).toBeNull();
  });
});

describe("unit locks held on other hosts", () => {
  it("keep their unit unless SLURM says the holder's job has left the queue; a dead process on this host does not", () => {
    const path = process.env["PATH"];
    process.env["PATH"] = "/nonexistent"; // no squeue: nothing can say the job is gone
    try {
      expect(slurmJobQueued("5")).toBeNull();
      expect(holderAlive({ runId: "r", host: "another-node", pid: 1, since: "", slurmJob: "5" })).toBe(true);
      expect(holderAlive({ runId: "r", host: "another-node", pid: 1, since: "" })).toBe(true);
    } finally {
      process.env["PATH"] = path;
    }
    // Beyond Linux's largest process id (2^22): no such process here.
    expect(holderAlive({ runId: "r", host: hostname(), pid: 2 ** 22 + 1, since: "" })).toBe(false);
    expect(holderAlive({ runId: "r", host: hostname(), pid: process.pid, since: "" })).toBe(true);
    expect(slurmJobQueued("5; rm -rf /")).toBeNull();
  });
});

describe("SLURM job scripts", () => {
  const base: SbatchOptions = {
    name: "xor demo",
    scenarioFile: "/home/a b/it's $HOME/`x`.json",
    outDir: "/scratch/100% done/o'k $USER",
    tasks: 3,
    units: 4,
    cpusPerTask: 2,
    partition: "short,debug",
    time: "0-01:30",
    command: ["/opt/node 20/bin/node", "/opt/nc/dist/cli/main.js"],
  };

  it("quotes any word so that bash gives it back unchanged", () => {
    for (const word of ["plain", "a b", "it's", "$HOME", "`id`", "x\\y", "tab\there", "new\nline", "!*?[]{}", ""]) {
      const r = spawnSync("bash", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" });
      expect(r.stdout).toBe(word);
    }
  });

  it("writes scripts bash accepts, with the array, the output pattern and the shard's command", () => {
    const { array, merge } = sbatchScripts(base);
    for (const script of [array, merge]) {
      const r = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      // sbatch reads #SBATCH lines only before the first command.
      const lines = script.split("\n");
      const firstCommand = lines.findIndex((l, i) => i > 0 && l.trim() !== "" && !l.startsWith("#"));
      expect(lines.slice(firstCommand).some((l) => l.startsWith("#SBATCH"))).toBe(false);
      expect(script).toContain("#SBATCH --partition=short,debug\n#SBATCH --time=0-01:30");
    }
    expect(array).toContain("#SBATCH --array=0-2");
    expect(array).toContain(`#SBATCH --output="/scratch/100%% done/o'k $USER/slurm-%A_%a.out"`);
    expect(array).toContain("#SBATCH --cpus-per-task=2");
    expect(merge).toContain(`#SBATCH --output="/scratch/100%% done/o'k $USER/slurm-%j.out"`);
    expect(merge).toContain("#SBATCH --cpus-per-task=1");
    expect(array).toContain(`"\${neurocompare[@]}" run "$scenario" --out "$out" --jobs "\${SLURM_CPUS_PER_TASK:-1}"`);
    expect(merge).toContain(`"\${neurocompare[@]}" merge "$out"`);
    // The variables hold the paths exactly (bash prints them back).
    const vars = array.split("\n").filter((l) => /^(neurocompare|scenario|out)=/.test(l));
    const r = spawnSync("bash", ["-c", `${vars.join("\n")}\nprintf '%s\\n' "\${neurocompare[@]}" "$scenario" "$out"`], {
      encoding: "utf8",
    });
    expect(r.stdout).toBe(`${[...base.command, base.scenarioFile, base.outDir].join("\n")}\n`);
  });

  it("is the script README's 'Running at scale' shows, for the options its command line gives", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const shown = /<!-- generated-sbatch -->\n```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(readme).toContain(
      "neurocompare slurm scenarios/quickstart.json --out /scratch/alice/quickstart --tasks 3 --cpus-per-task 2 --partition short --time 30",
    );
    const { array } = sbatchScripts({
      name: "quickstart",
      scenarioFile: "/home/alice/neurocompare/scenarios/quickstart.json",
      outDir: "/scratch/alice/quickstart",
      tasks: 3,
      units: 6, // 2 learners × 3 seeds
      cpusPerTask: 2,
      partition: "short",
      time: "30",
      command: ["/usr/bin/node", "/home/alice/neurocompare/dist/cli/main.js"],
    });
    expect(shown).toBe(array);
  });

  it("refuses what a script cannot hold, and options outside SLURM's formats", () => {
    expect(codeOf(() => sbatchScripts({ ...base, outDir: '/scratch/say "hi"' }))).toMatch(
      /^E_OPTION_INVALID: --out .*without "\\""/,
    );
    expect(codeOf(() => sbatchScripts({ ...base, outDir: "/scratch/back\\slash" }))).toMatch(/^E_OPTION_INVALID/);
    expect(codeOf(() => sbatchScripts({ ...base, outDir: "/scratch/new\nline" }))).toMatch(
      /^E_OPTION_INVALID: --out .*control characters/,
    );
    expect(codeOf(() => sbatchScripts({ ...base, scenarioFile: "/s/new\nline.json" }))).toMatch(
      /^E_OPTION_INVALID: scenario/,
    );
    for (const t of ["30", "30:00", "1:30:00", "2-0", "2-12:00", "2-12:00:00", "UNLIMITED"])
      expect(checkTime(t)).toBe(t);
    for (const t of ["", "1h", "30 ", "1:2:3:4", "--time=5", "5;rm"])
      expect(codeOf(() => checkTime(t))).toMatch(/^E_OPTION_INVALID: option --time/);
    expect(checkPartition("gpu_a100")).toBe("gpu_a100");
    for (const p of ["", "a b", "a\n#SBATCH --x", "a,", "$(id)"])
      expect(codeOf(() => checkPartition(p))).toMatch(/^E_OPTION_INVALID: option --partition/);
  });
});
