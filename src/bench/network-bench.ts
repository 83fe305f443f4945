/**
 * `neurocompare bench network`: the price of the general engine. Diehl &
 * Cook's network (scenarios/mnist-stdp-network.json: 100 excitatory neurons,
 * 350 ms presentations with a reset, STDP, adaptive thresholds, lateral
 * inhibition, normalisation) is trained image by image twice from one seed:
 * by the `network` learner, which runs the description on the engine
 * (src/snn + src/plasticity), and by the fused `stdp` learner, its fast path
 * (src/learners/diehl-cook/network.ts). Target: the engine at most 3× slower
 * per training image.
 *
 * Both learners are built and warmed up (one batch each, so the JIT has
 * compiled both), then timed in interleaved rounds, each round one batch of
 * the next training images per side, alternating which side goes first, so
 * load on a shared machine falls on both alike. Each side's figure per round
 * is process CPU time per image (process.cpuUsage, robust to waiting for a
 * core) and wall time per image; the ratio is engine / fused of the fastest
 * rounds, with both medians and the load average beside it. Final figures
 * need a quiet machine.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Rng } from "../core/rng.js";
import type { Learner } from "../learners/learner.js";
import { createLearner, learnerConfigSchema } from "../learners/registry.js";
import { loadMnistSplit, mnistShape } from "../tasks/mnist.js";
import { median } from "./median.js";

export interface NetworkBenchOptions {
  /** Timed rounds per side (default 5, at least 5 is the rule for reported ratios). */
  rounds?: number;
  /** Training images per round (default 50). */
  images?: number;
  /** Excitatory neurons (default the scenario's 100). */
  neurons?: number;
  seed?: number;
}

export interface NetworkBenchSide {
  /** CPU ms per training image, each round. */
  cpuMsPerImage: number[];
  wallMsPerImage: number[];
  fastestCpuMs: number;
  medianCpuMs: number;
}

export interface NetworkBenchResult {
  neurons: number;
  rounds: number;
  imagesPerRound: number;
  engine: NetworkBenchSide;
  fused: NetworkBenchSide;
  /** engine / fused, fastest CPU per image. */
  ratioFastest: number;
  /** engine / fused, median CPU per image. */
  ratioMedian: number;
  /** The 1, 5 and 15 minute load averages before the first timed round. */
  loadBefore: number[];
  /** The same after the last timed round. */
  loadAverage: number[];
}

/** The two learners of scenarios/mnist-stdp-network.json, with `neurons` excitatory neurons. */
function scenarioLearners(neurons: number | undefined): { engine: unknown; fused: unknown } {
  const file = fileURLToPath(new URL("../../scenarios/mnist-stdp-network.json", import.meta.url));
  const s = JSON.parse(readFileSync(file, "utf8")) as { learners: Record<string, unknown>[] };
  const fused = s.learners.find((l) => l["type"] === "stdp");
  const engine = s.learners.find((l) => l["type"] === "network");
  if (fused === undefined || engine === undefined)
    throw new Error(`internal: ${file} must hold an stdp and a network learner`);
  if (neurons === undefined) return { engine, fused };
  const groups = (engine["groups"] as Record<string, unknown>[]).map((g) =>
    g["name"] === "exc" ? { ...g, size: neurons } : g,
  );
  return { engine: { ...engine, groups }, fused: { ...fused, excitatory: neurons } };
}

export function runNetworkBench(options: NetworkBenchOptions = {}): NetworkBenchResult {
  const rounds = options.rounds ?? 5;
  const images = options.images ?? 50;
  const seed = options.seed ?? 1;
  const configs = scenarioLearners(options.neurons);
  const { train } = loadMnistSplit();
  const rng = Rng.fromSeed(seed).fork("init");
  const learners: Record<"engine" | "fused", Learner> = {
    engine: createLearner(learnerConfigSchema.parse(configs.engine), mnistShape, rng),
    fused: createLearner(learnerConfigSchema.parse(configs.fused), mnistShape, rng),
  };
  const neurons = options.neurons ?? 100;
  const times = {
    engine: { cpu: [] as number[], wall: [] as number[] },
    fused: { cpu: [] as number[], wall: [] as number[] },
  };
  let next = 0;
  const batch = (side: "engine" | "fused", start: number): { cpu: number; wall: number } => {
    const l = learners[side];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let b = 0; b < images; b += l.maxBatch) {
      const n = Math.min(l.maxBatch, images - b);
      const at = (start + b) % (train.count - n);
      l.trainBatch(train.x.subarray(at * 784, (at + n) * 784), train.y.subarray(at, at + n), n);
    }
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / 1000 / images, wall: (performance.now() - t0) / images };
  };
  const loadBefore = loadavg();
  // Warm-up: one batch per side, untimed.
  batch("engine", next);
  batch("fused", next);
  next += images;
  for (let r = 0; r < rounds; r++) {
    const order: ("engine" | "fused")[] = r % 2 === 0 ? ["engine", "fused"] : ["fused", "engine"];
    for (const side of order) {
      const t = batch(side, next);
      times[side].cpu.push(t.cpu);
      times[side].wall.push(t.wall);
    }
    next += images;
  }
  const side = (s: "engine" | "fused"): NetworkBenchSide => ({
    cpuMsPerImage: times[s].cpu,
    wallMsPerImage: times[s].wall,
    fastestCpuMs: Math.min(...times[s].cpu),
    medianCpuMs: median(times[s].cpu),
  });
  const engine = side("engine");
  const fused = side("fused");
  return {
    neurons,
    rounds,
    imagesPerRound: images,
    engine,
    fused,
    ratioFastest: engine.fastestCpuMs / fused.fastestCpuMs,
    ratioMedian: engine.medianCpuMs / fused.medianCpuMs,
    loadBefore,
    loadAverage: loadavg(),
  };
}

export function formatNetworkBench(r: NetworkBenchResult): string {
  const f = (x: number) => x.toFixed(2);
  return [
    `Diehl & Cook, ${r.neurons} excitatory neurons, training: ${r.rounds} interleaved rounds of ${r.imagesPerRound} images per side`,
    `network learner (engine)  CPU ms/image fastest ${f(r.engine.fastestCpuMs)}  median ${f(r.engine.medianCpuMs)}`,
    `stdp learner (fused)      CPU ms/image fastest ${f(r.fused.fastestCpuMs)}  median ${f(r.fused.medianCpuMs)}`,
    `ratio engine / fused      fastest ${f(r.ratioFastest)}  median ${f(r.ratioMedian)}  (target ≤ 3)`,
    `load average              before ${r.loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${r.loadAverage.map((x) => x.toFixed(2)).join(" ")}  (final figures need a quiet machine)`,
  ].join("\n");
}
