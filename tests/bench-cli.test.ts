// The bench command's contract: `--json` prints one JSON object with the
// documented keys; a wrong workload or option exits 2. Timing figures
// themselves are benchmarks, not tested here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe("neurocompare bench", () => {
  it("prints CUBA's figures as one JSON object", () => {
    const r = run(["bench", "cuba", "--neurons", "800", "--duration", "0.1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    for (const k of ["neurons", "synapses", "spikes", "meanRateHz", "buildMs", "simMs", "peakRssMb"])
      expect(typeof o[k]).toBe("number");
    expect(o.neurons).toBe(800);
    expect(o.synapses).toBeGreaterThan(800 * 80 * 0.9); // in-degree held at 80
    expect(o.synapses).toBeLessThan(800 * 80 * 1.1);
  });

  it("startup: one entry per command, with wall and CPU times, peak RSS and the targets", () => {
    const r = run(["bench", "startup", "--runs", "1", "--neurons", "800", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    expect(o.workload).toBe("startup");
    expect(o.runs).toBe(1);
    expect(o.loadAverage.before).toHaveLength(3);
    const commands = o.commands as {
      command: string;
      wallMs: { fastest: number; median: number };
      cpuMs: { fastest: number; median: number };
      peakRssMb: number;
      target: { metric: string; max: number } | null;
      meetsTarget: boolean | null;
    }[];
    expect(commands.map((c) => c.command)).toEqual([
      "neurocompare --help",
      "neurocompare validate scenarios/quickstart.json",
      "neurocompare bench cuba --neurons 800",
      'import("neurocompare") (the public API)',
      "node -e 0 (Node's own start, the floor)",
    ]);
    for (const c of commands) {
      // CPU time and RSS come from inside each child: positive, and no more CPU than every core for the whole
      // wall time (with 50 ms for the clocks' different start points).
      expect(c.cpuMs.fastest).toBeGreaterThan(0);
      expect(c.cpuMs.fastest).toBeLessThan(availableParallelism() * c.wallMs.median + 50);
      expect(c.peakRssMb).toBeGreaterThan(10);
      expect(c.wallMs.fastest).toBeLessThanOrEqual(c.wallMs.median);
    }
    expect(commands[0]!.target).toEqual({ metric: "wallMs", max: 300 });
    expect(commands[1]!.target).toEqual({ metric: "wallMs", max: 500 });
    expect(commands[2]!.target).toBeNull(); // the memory target is for N = 4,000
  });

  it("scenario: a whole run per --jobs setting in interleaved rounds, the speed-up, and the same metrics.csv", () => {
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-bench-scenario-"));
    const file = join(dir, "tiny.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "tiny",
        task: { type: "xor", trainSize: 80, testSize: 20 },
        learners: [{ type: "mlp", hidden: [4], batchSize: 8 }],
        epochs: 1,
        seeds: [0, 1],
        evaluation: { costSamples: 5 },
      }),
    );
    const r = run(["bench", "scenario", file, "--jobs", "1,2", "--repeat", "2", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    expect(o).toMatchObject({ workload: "scenario", scenario: "tiny", units: 2, rounds: 2, identical: true });
    expect(o.settings.map((s: { jobs: number }) => s.jobs)).toEqual([1, 2]);
    for (const s of o.settings) {
      expect(s.wallMs).toHaveLength(2);
      expect(s.fastestMs).toBe(Math.min(...s.wallMs));
      expect(s.speedupFastest).toBeCloseTo(o.settings[0].fastestMs / s.fastestMs, 12);
    }
    expect(o.settings[0].speedupFastest).toBe(1);
    const text = run(["bench", "scenario", file, "--jobs", "1", "--repeat", "1"]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/--jobs 1 +fastest [\d.]+ s, median [\d.]+ s/);
    expect(text.stdout).toContain("load average before");
    expect(text.stdout).toContain("identical across settings (timing rows aside): yes");
    for (const bad of [
      ["--jobs", "0,2"],
      ["--jobs", "1,1"],
      ["--jobs", "two"],
    ]) {
      const b = run(["bench", "scenario", file, ...bad]);
      expect(b.status).toBe(2);
      expect(b.stderr).toContain("option --jobs");
    }
    const none = run(["bench", "scenario"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("expected a scenario file");
  });

  it("network: both sides' CPU per image each round, fastest and median, the ratios and the load average", () => {
    const r = run(["bench", "network", "--runs", "1", "--neurons", "10", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout.trim());
    expect([o.workload, o.neurons, o.rounds]).toEqual(["network", 10, 1]);
    for (const side of [o.engine, o.fused]) {
      expect(side.cpuMsPerImage).toHaveLength(1);
      expect(side.fastestCpuMs).toBeGreaterThan(0);
      expect(side.fastestCpuMs).toBeLessThanOrEqual(side.medianCpuMs);
    }
    expect(o.ratioFastest).toBeCloseTo(o.engine.fastestCpuMs / o.fused.fastestCpuMs, 9);
    expect(o.loadAverage).toHaveLength(3);
    expect(o.loadBefore).toHaveLength(3);
  });

  it("refuses an unknown workload and a bad option with exit 2", () => {
    const a = run(["bench", "transformer"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain("mlp, cnn, lstm, cuba");
    const b = run(["bench", "cuba", "--neurons", "-5"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain("--neurons");
  });

  it("checks --kernels and --peer before training anything", () => {
    const a = run(["bench", "cnn", "--kernels", "fast"]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain("exact or relaxed-simd");
    const b = run(["bench", "mlp", "--kernels", "relaxed-simd"]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain("only the cnn workload");
    const c = run(["bench", "cnn", "--peer", "tensorflow"]);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain("expected torch");
    const d = run(["bench", "cnn", "--peer", "torch", "--python", "/nonexistent/python3"]);
    expect(d.status).toBe(2);
    expect(d.stderr).toContain("cannot import torch");
  });
});
