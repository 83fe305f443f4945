/**
 * Resource estimates, bounds and the build phase shared by validate and run.
 * References: the allocation each estimate counts, computed by hand from the
 * layer sizes (an MLP 784-100-10 with Adam holds 79,510 parameters: values,
 * gradients and a SIMD copy, plus two Adam moments, 4 bytes each); the
 * refusal messages the issue asks for (part, JSON path, excess); and the
 * issue's probes, run through the CLI for their exit codes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { learnerMemory } from "../src/learners/memory.js";
import { learnerConfigSchema } from "../src/learners/registry.js";
import { checkScenarioBuild } from "../src/runs/build-check.js";
import { parseAnyScenarioText } from "../src/scenario/load.js";
import {
  BASELINE_BYTES,
  checkBounds,
  checkEstimate,
  estimateLearning,
  estimateNetwork,
  expectedSynapses,
  memoryBudget,
} from "../src/scenario/resources.js";
import { mnistShape } from "../src/tasks/mnist.js";
import { parseMemorySize } from "../src/cli/options.js";

const dir = mkdtempSync(join(tmpdir(), "neurocompare-resources-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

const learning = (learners: unknown[], task: unknown = { type: "moons", trainSize: 40, testSize: 20 }) =>
  JSON.stringify({ name: "r", description: "d", task, learners, epochs: 1 });
const network = (extra: Record<string, unknown>) =>
  JSON.stringify({
    kind: "network",
    name: "n",
    description: "d",
    durationMs: 10,
    groups: [{ name: "G", size: 10, model: { type: "lif" } }],
    ...extra,
  });

describe("learner memory", () => {
  it("counts an MLP's parameters, optimiser state and activations from its sizes", () => {
    const c = learnerConfigSchema.parse({
      type: "mlp",
      hidden: [100],
      optimizer: { type: "adam", learningRate: 0.01 },
      batchSize: 32,
    });
    const parts = learnerMemory(c, mnistShape);
    const params = 784 * 100 + 100 + 100 * 10 + 10;
    expect(parts.find((p) => p.part === "parameters and gradients")!.bytes).toBe(3 * 4 * params);
    expect(parts.find((p) => p.part === "optimiser state")!.bytes).toBe(2 * 4 * params);
    expect(parts.find((p) => p.part === "activations")!.bytes).toBe(4 * 32 * (3 * 100 + 784 + 3 * 10 + 100));
    expect(Math.max(...parts.map((p) => p.largestArray))).toBe(784 * 100);
  });

  it("grows with what grows the allocation: surrogate steps, LSM connectivity, CNN filters", () => {
    const bytes = (c: unknown) =>
      learnerMemory(learnerConfigSchema.parse(c), mnistShape).reduce((a, p) => a + p.bytes, 0);
    expect(bytes({ type: "surrogate", steps: 50 })).toBeGreaterThan(bytes({ type: "surrogate", steps: 25 }));
    expect(bytes({ type: "lsm", inputConnectivity: 1 })).toBeGreaterThan(
      bytes({ type: "lsm", inputConnectivity: 0.1 }),
    );
    const conv = (filters: number) => ({
      type: "cnn",
      layers: [
        { type: "conv", filters, kernel: 3 },
        { type: "dense", units: 10 },
      ],
    });
    expect(bytes(conv(32))).toBeGreaterThan(bytes(conv(8)));
  });

  it("expected synapses follow the connection rule", () => {
    const sizes = new Map([
      ["A", 100],
      ["B", 50],
    ]);
    const syn = (connect: unknown) =>
      ({ source: "A", target: "B", targetVar: "ge", connect, weight: 1, delayMs: 0 }) as never;
    expect(expectedSynapses(syn({ rule: "probability", p: 0.1, allowSelf: false }), sizes)).toBeCloseTo(500, 6);
    expect(expectedSynapses(syn({ rule: "all-to-all", allowSelf: false }), sizes)).toBe(5000);
    expect(expectedSynapses(syn({ rule: "fixed-in-degree", k: 7, allowSelf: false }), sizes)).toBe(350);
    expect(expectedSynapses(syn({ rule: "one-to-one" }), sizes)).toBe(50);
  });
});

describe("refusals", () => {
  it("a run larger than the budget names the part, its JSON path and the excess", () => {
    const text = learning([{ type: "mlp", name: "big", hidden: [200_000, 2000] }]);
    const a = parseAnyScenarioText(text, "big.json");
    const e = userError(() => checkScenarioBuild(a, "big.json", { text, maxMemoryBytes: 512 * 1024 ** 2 }));
    expect(e.code).toBe("E_RESOURCE_LIMIT");
    expect(e.message).toMatch(
      /needs an estimated [\d.]+ GiB of memory, [\d.]+ GiB more than the 512 MiB available \(--max-memory\)/,
    );
    expect(e.message).toContain('at $.learners[0]: parameters and gradients of "big"');
  });

  it("an array longer than a typed array may be is refused whatever the budget", () => {
    const text = learning([{ type: "mlp", hidden: [10_000_000] }], { type: "mnist", trainSize: 10, testSize: 10 });
    const a = parseAnyScenarioText(text, "x.json");
    const e = userError(() => checkScenarioBuild(a, "x.json", { text, maxMemoryBytes: 2 ** 50 }));
    expect(e.message).toContain("7.840e+9 elements");
    expect(e.message).toContain("a JavaScript typed array may hold");
  });

  it("a run's peak: the larger of training (jobs units at once, each with a worker and its data) and the report", () => {
    // Hand count: the phases as the run lays them out. Two learners of very different sizes, three seeds: six units.
    const a = parseAnyScenarioText(
      learning([
        { type: "mlp", name: "big", hidden: [4000, 4000] },
        { type: "mlp", name: "small", hidden: [4] },
      ]).replace('"epochs":1', '"epochs":1,"seeds":[1,2,3]'),
      "p.json",
    );
    if (a.kind !== "learning") throw new Error("learning");
    const data = { shape: mnistShape, bytes: 10 * 2 ** 20, trainCount: 100, testCount: 50 };
    const unitBytes = (name: string) =>
      learnerMemory(a.scenario.learners.find((l) => l.name === name)!, mnistShape).reduce((t, p) => t + p.bytes, 0);
    const rows = (e: ReturnType<typeof estimateLearning>) =>
      e.parts.find((p) => p.what === "result rows and weight histograms")!.bytes;
    const one = estimateLearning(a.scenario, data, 1);
    // One unit at a time in the main thread: baseline, data, the largest unit, the result rows.
    expect(one.totalBytes).toBe(BASELINE_BYTES.main + data.bytes + unitBytes("big") + rows(one));
    const two = estimateLearning(a.scenario, data, 2);
    // Two at once on worker threads: each a worker's baseline and a copy of the data; the two largest units (the
    // big learner's seeds run together).
    expect(two.totalBytes).toBe(
      BASELINE_BYTES.main + data.bytes + 2 * (BASELINE_BYTES.worker + data.bytes) + 2 * unitBytes("big") + rows(two),
    );
    // More jobs than units hold only the units there are.
    expect(estimateLearning(a.scenario, data, 64).totalBytes).toBe(
      BASELINE_BYTES.main +
        data.bytes +
        6 * (BASELINE_BYTES.worker + data.bytes) +
        3 * unitBytes("big") +
        3 * unitBytes("small") +
        rows(two),
    );
    // Small units: drawing the report (the renderer, after the units are done) is the peak.
    const tiny = parseAnyScenarioText(learning([{ type: "mlp", hidden: [4] }]), "t.json");
    if (tiny.kind !== "learning") throw new Error("learning");
    const t = estimateLearning(tiny.scenario, { ...data, bytes: 0 }, 4);
    expect(t.parts.some((p) => p.what.startsWith("the report renderer"))).toBe(true);
    expect(t.totalBytes).toBe(BASELINE_BYTES.main + BASELINE_BYTES.report + rows(t));
  });

  it("a network's seeds are units: jobs of them at once, each with its own state", () => {
    const s = parseAnyScenarioText(
      network({ seeds: [1, 2, 3], groups: [{ name: "G", size: 5_000_000, model: { type: "lif" } }] }),
      "n.json",
    ).scenario as Parameters<typeof estimateNetwork>[0];
    const opts = { chartSpikes: 1e6, tracePoints: 1e5 };
    const one = estimateNetwork(s, { ...opts, jobs: 1 });
    const three = estimateNetwork(s, { ...opts, jobs: 3 });
    const seedBytes = one.totalBytes - BASELINE_BYTES.main;
    expect(three.totalBytes).toBe(BASELINE_BYTES.main + 3 * (BASELINE_BYTES.worker + seedBytes));
  });

  it("the V8 heap limit applies to the parts held as JavaScript objects", () => {
    const est = estimateNetwork(JSON.parse(JSON.stringify(parseAnyScenarioText(network({}), "n.json").scenario)), {
      chartSpikes: 1e6,
      tracePoints: 1e5,
    });
    const e = userError(() => checkEstimate("n.json", est, { bytes: 2 ** 40, source: "test", heapBytes: 1024 }));
    expect(e.message).toContain("of JavaScript heap");
    expect(e.message).toContain("--max-old-space-size");
  });

  it("steps per run, steps per sample and the state recording's size are bounded, with the setting to change", () => {
    const steps = checkBounds(parseAnyScenarioText(network({ dtMs: 1e-9, durationMs: 10 }), "n.json"));
    expect(steps[0]!.path).toBe("$.durationMs");
    const lsm = checkBounds(parseAnyScenarioText(learning([{ type: "lsm", dtMs: 1e-5 }]), "l.json"));
    expect(lsm[0]!.found).toContain("10,000,000 steps per sample");
    const big = network({
      durationMs: 3_600_000,
      groups: [{ name: "G", size: 100, model: { type: "lif" } }],
      monitors: { state: [{ group: "G", variables: ["v"], indices: Array.from({ length: 100 }, (_, i) => i) }] },
    });
    const rec = checkBounds(parseAnyScenarioText(big, "s.json"));
    expect(rec[0]!.path).toBe("$.monitors.state[0]");
    expect(rec[0]!.found).toMatch(/"everySteps": \d+/);
  });

  it("memoryBudget: --max-memory wins, else the machine's memory", () => {
    expect(memoryBudget(1234).bytes).toBe(1234);
    expect(memoryBudget().bytes).toBeGreaterThan(0);
    expect(parseMemorySize("8G", "--max-memory")).toBe(8 * 1024 ** 3);
    expect(parseMemorySize("512MiB", "--max-memory")).toBe(512 * 1024 ** 2);
    expect(parseMemorySize("1.5t", "--max-memory")).toBe(1.5 * 1024 ** 4);
    expect(userError(() => parseMemorySize("lots", "--max-memory")).code).toBe("E_OPTION_INVALID");
    expect(userError(() => parseMemorySize("10", "--max-memory")).message).toContain("at least 1M");
  });
});

describe("validate runs run's build phase", () => {
  it("finds a current injected into a variable the model lacks, with file, line and JSON path", () => {
    const text = network({ currents: [{ target: "G", variable: "nope", amplitude: 1 }] }).replace(
      ',"currents"',
      ',\n"currents"',
    );
    const a = parseAnyScenarioText(text, "c.json");
    const e = userError(() => checkScenarioBuild(a, "c.json", { text }));
    expect(e.message).toMatch(/c\.json:2:\d+: at \$\.currents\[0\]\.variable: expected a variable of group G/);
  });

  it("finds a learner that cannot be built for the task, at its JSON path", () => {
    // A sequence learner on a task without a sequence shape.
    const text = learning([{ type: "mlp" }, { type: "rnn" }]);
    const e = userError(() => checkScenarioBuild(parseAnyScenarioText(text, "s.json"), "s.json", { text }));
    expect(e.message).toContain("at $.learners[1]");
  });

  it("accepts the bundled quickstart with an estimate", () => {
    const file = join(import.meta.dirname, "..", "scenarios", "quickstart.json");
    const text = readFileSync(file, "utf8");
    const { estimate, budget } = checkScenarioBuild(parseAnyScenarioText(text, file), file, { text });
    expect(estimate.totalBytes).toBeGreaterThan(100 * 1024 ** 2);
    expect(estimate.totalBytes).toBeLessThan(budget.bytes);
  });
});

describe("CLI", () => {
  const cliRun = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: dir });

  it("validate and run refuse an oversized scenario with exit 2 before writing anything, and --max-memory moves the line", () => {
    const f = join(dir, "big.json");
    writeFileSync(f, learning([{ type: "mlp", hidden: [20_000] }], { type: "mnist", trainSize: 10, testSize: 10 }));
    const v = cliRun(["validate", f, "--max-memory", "256M"]);
    expect(v.status).toBe(2);
    expect(v.stderr).toContain("more than the 256 MiB available (--max-memory)");
    expect(v.stderr).not.toContain("    at ");
    const out = join(dir, "out-big");
    const r = cliRun(["run", f, "--out", out, "--max-memory", "256M", "-q"]);
    expect(r.status).toBe(2);
    expect(spawnSync("ls", [out]).status).not.toBe(0);
    expect(cliRun(["validate", f, "--max-memory", "64G"]).status).toBe(0);
  });

  it("validate reports the estimate beside ok", () => {
    const f = join(dir, "ok.json");
    writeFileSync(f, learning([{ type: "mlp" }]));
    const v = cliRun(["validate", f]);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/ok \(.*estimated peak memory [\d.]+ MiB of [\d.]+ GiB\)/);
  });
});
