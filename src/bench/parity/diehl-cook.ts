/**
 * Diehl & Cook against Brian2, the parity check at benchmark size: our `stdp`
 * learner with its defaults (100 excitatory neurons) and Brian2's version of
 * the same network (bench/brian2/diehl_cook_parity.py, on the model of
 * bench/brian2/diehl_cook_model.py) each learn one epoch of the first 1,000
 * training digits, in our runner's order for the seed, assign labels from
 * those training responses, and are tested on the first 1,000 test digits;
 * then the same TOST (±2 points, 90%) and F-test (1%) as the parity harness.
 * Brian2's Cython runtime costs about 0.4 s per digit, so each seed takes
 * ~15 minutes there (tens of milliseconds here): a benchmark, not a test.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spreadLarger, type SpreadTest, tost, type TostResult } from "../../metrics/equivalence.js";
import { confidenceInterval, type Interval } from "../../metrics/stats.js";
import { runScenario } from "../../runs/run.js";
import { scenarioSchema } from "../../scenario/schema.js";
import { outputPath } from "../../core/paths.js";
import { exportMnistSplit, exportOrders } from "./export.js";
import { repoRoot, runPython } from "./python.js";

export const BRIAN2_SCRIPT = join(repoRoot, "bench", "brian2", "diehl_cook_parity.py");

export interface DiehlCookParityOptions {
  seeds: readonly number[];
  neurons?: number;
  trainSize?: number;
  testSize?: number;
  dataDir: string;
  /** Read Brian2's per-seed JSON lines from here (brian2-seedS.json) instead of running it. */
  brian2Results?: string;
  python?: string;
  margin?: number;
  log?: (line: string) => void;
}

export interface DiehlCookParity {
  seeds: number[];
  neurons: number;
  trainSize: number;
  testSize: number;
  /** Test accuracy in points per seed. */
  ours: number[];
  brian2: number[];
  oursInterval: Interval;
  brian2Interval: Interval;
  tost: TostResult;
  spread: SpreadTest;
  /** Brian2's wall seconds per digit (mean over seeds), for the record. */
  brian2SecondsPerImage: number;
}

interface Brian2Line {
  seed: number;
  testAccuracy: number;
  secondsPerImage: number;
}

async function runBrian2(
  o: DiehlCookParityOptions,
  seed: number,
  neurons: number,
  train: number,
  test: number,
): Promise<Brian2Line> {
  const out = await runPython(o.python ?? "/usr/bin/python3", [
    BRIAN2_SCRIPT,
    "--data",
    o.dataDir,
    "--order",
    outputPath(o.dataDir, `order-stdp-seed${seed}.i32`),
    "--seed",
    String(seed),
    "--neurons",
    String(neurons),
    "--train",
    String(train),
    "--test",
    String(test),
  ]);
  const last = out.trim().split("\n").pop()!;
  // Each seed is minutes to an hour of Brian2: keep its line, so an interrupted run
  // can be finished with --brian2-results DATA_DIR without running that seed again.
  writeFileSync(outputPath(o.dataDir, `brian2-seed${seed}.json`), `${last}\n`);
  return JSON.parse(last) as Brian2Line;
}

export async function runDiehlCookParity(o: DiehlCookParityOptions): Promise<DiehlCookParity> {
  const neurons = o.neurons ?? 100;
  const trainSize = o.trainSize ?? 1000;
  const testSize = o.testSize ?? 1000;
  const log = o.log ?? (() => {});
  exportMnistSplit(o.dataDir);
  for (const s of o.seeds) exportOrders(o.dataDir, "stdp", s, 1, trainSize);
  // Brian2 runs seed after seed in the background while ours trains.
  const brian2 =
    o.brian2Results === undefined
      ? (async () => {
          const out: Brian2Line[] = [];
          for (const s of o.seeds) {
            log(`Brian2 seed ${s}...`);
            out.push(await runBrian2(o, s, neurons, trainSize, testSize));
          }
          return out;
        })()
      : Promise.resolve(
          o.seeds.map((s) => {
            const text = readFileSync(join(o.brian2Results!, `brian2-seed${s}.json`), "utf8");
            return JSON.parse(text.trim().split("\n").pop()!) as Brian2Line;
          }),
        );
  brian2.catch(() => {});
  const scenario = scenarioSchema.parse({
    name: "parity-diehl-cook",
    description: "Diehl & Cook against Brian2",
    task: { type: "mnist", trainSize, testSize },
    learners: [{ type: "stdp", excitatory: neurons }],
    epochs: 1,
    seeds: [...o.seeds],
    charts: [],
    evaluation: { costSamples: 0 },
  });
  const ours = new Array<number>(o.seeds.length).fill(NaN);
  runScenario(scenario, {
    hooks: [],
    observer: {
      onEpoch(r) {
        ours[o.seeds.indexOf(r.seed)] = 100 * r.metrics["testAccuracy"]!;
      },
    },
  });
  log(`ours: ${ours.map((a) => a.toFixed(1)).join(", ")}`);
  const lines = await brian2;
  const b = lines.map((l) => 100 * l.testAccuracy);
  return {
    seeds: [...o.seeds],
    neurons,
    trainSize,
    testSize,
    ours,
    brian2: b,
    oursInterval: confidenceInterval(ours),
    brian2Interval: confidenceInterval(b),
    tost: tost(ours, b, o.margin ?? 2),
    spread: spreadLarger(ours, b, 0.01),
    brian2SecondsPerImage: lines.reduce((s, l) => s + l.secondsPerImage, 0) / lines.length,
  };
}

export function formatDiehlCookParity(r: DiehlCookParity): string {
  const f = (x: number) => x.toFixed(2);
  const t = r.tost;
  const verdict = t.equivalent
    ? r.spread.larger
      ? "FAIL (larger spread)"
      : "pass"
    : Math.abs(t.diff) >= t.margin
      ? "FAIL (different)"
      : "not shown equivalent";
  return [
    `Diehl & Cook, ${r.neurons} excitatory neurons, one epoch of ${r.trainSize} training digits, ${r.testSize} test digits, seeds ${r.seeds.join(", ")}`,
    "",
    "| side | per seed (%) | mean (95% CI) | sd |",
    "|---|---|---|---|",
    `| ours | ${r.ours.map(f).join(", ")} | ${f(r.oursInterval.mean)} (${f(r.oursInterval.lo)}–${f(r.oursInterval.hi)}) | ${f(r.oursInterval.std)} |`,
    `| Brian2 | ${r.brian2.map(f).join(", ")} | ${f(r.brian2Interval.mean)} (${f(r.brian2Interval.lo)}–${f(r.brian2Interval.hi)}) | ${f(r.brian2Interval.std)} |`,
    "",
    `ours − Brian2: ${t.diff >= 0 ? "+" : ""}${f(t.diff)} points, 90% CI ${f(t.lo)} to ${f(t.hi)}; TOST at ±${t.margin}: p = ${t.p.toFixed(3)}; ` +
      `F-test (our spread larger): F = ${r.spread.f.toFixed(2)}, p = ${r.spread.p.toFixed(3)}. Verdict: ${verdict}. ` +
      `Brian2 took ${r.brian2SecondsPerImage.toFixed(2)} s per digit.`,
  ].join("\n");
}
