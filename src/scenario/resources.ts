/**
 * Resource estimates and bounds, checked before anything large is allocated.
 *
 * `estimateLearning` and `estimateNetwork` are pure: from the resolved
 * scenario (and, for a learning scenario, the task's shape and data size)
 * they list the memory the run will hold at its peak, part by part, each part
 * named by the JSON path that causes it. `checkEstimate` compares the total
 * with the memory available (`os.totalmem()`, or `--max-memory`), the parts
 * held as JavaScript objects with the V8 heap limit, and every part's largest
 * array with what a typed array may hold; a refusal names the part that is too
 * large and by how much. `checkBounds` refuses what no run needs: more
 * simulation steps than a run or a sample may take, and recording files larger
 * than OUTPUT_LIMITS.
 *
 * The learners' parts come from learners/memory.ts. BASELINE_BYTES, the data
 * figures and the per-item constants below were measured with
 * `npm run memory-check` (peak RSS of every bundled scenario against its
 * estimate) on Node 20, x86-64.
 */
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import { UserError } from "../core/errors.js";
import { formatBytes } from "../core/read-file.js";
import { learnerMemory, stepsPerSample } from "../learners/memory.js";
import type { TaskShape } from "../tasks/task.js";
import type { NetworkScenario, NeuronModelConfig } from "./network-schema.js";
import type { RoutingScenario } from "./routing-schema.js";
import type { Scenario } from "./schema.js";
import { expandSweep } from "./sweep.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Limits on what a run writes. */
export const OUTPUT_LIMITS = {
  /** A recording file (spikes.csv, state.csv) stops growing here. */
  csvBytes: 4 * GiB,
} as const;

/** Limits on what a run computes: far beyond any use, and short of a run that would never end. */
export const RUN_LIMITS = {
  /** Steps of one network run (durationMs / dtMs): an hour of biological time at 0.0036 ms. */
  networkSteps: 1e9,
  /** Simulation steps per training sample of a spiking learner. */
  sampleSteps: 1e6,
  /** Elements of one typed array (V8 refuses longer ones: "Invalid typed array length"). */
  arrayElements: 2 ** 32 - 1,
} as const;

/**
 * What the process holds before the scenario adds anything (peak RSS, Node 20,
 * x86-64, measured with `npm run memory-check` and tiny runs): the main thread
 * with the CLI, the schemas, the learners or the network engine; what the
 * report's renderer (vega, resvg) adds while the report is drawn, after the
 * units have finished; and each worker thread of `--jobs` (its own V8 isolate
 * with the learners' modules and WebAssembly: the bundled scenarios that run
 * two small units at once peak 75 to 95 MiB above one main thread).
 */
export const BASELINE_BYTES = { main: 75 * MiB, report: 70 * MiB, worker: 40 * MiB } as const;

export interface EstimatePart {
  /** JSON path of what causes it: `$.learners[0]`, `$.groups[1]`, `$.task`. */
  where: string;
  /** What the bytes hold: "parameters and gradients of mlp". */
  what: string;
  bytes: number;
  /** Held as JavaScript objects (counts against the V8 heap limit) rather than typed arrays. */
  heap: boolean;
  /** Elements of the largest single typed array in it. */
  largestArray: number;
}

export interface ResourceEstimate {
  parts: EstimatePart[];
  totalBytes: number;
  heapBytes: number;
}

function total(parts: EstimatePart[]): ResourceEstimate {
  let t = 0;
  let h = 0;
  for (const p of parts) {
    t += p.bytes;
    if (p.heap) h += p.bytes;
  }
  return { parts, totalBytes: t, heapBytes: h };
}

/** Bytes a task's data take in memory, with the shape the learners see. */
export interface TaskData {
  shape: TaskShape;
  /** Train and test inputs (float32) and labels, plus what loading them holds at the same time. */
  bytes: number;
  /** Samples in the training set (for the per-epoch bookkeeping). */
  trainCount: number;
  testCount: number;
}

/**
 * A run's peak: the larger of its two phases. While units train, the main
 * thread holds its baseline and the task's data, and each of the units
 * running at once (`jobs` of them, on worker threads, each with its own
 * copy of the data; one at a time in the main thread when `jobs` is 1) holds
 * its learner: the largest units are assumed to run together. While the
 * report is drawn, the units are done and the renderer is loaded.
 */
function peakOf(common: EstimatePart[], training: EstimatePart[], report: EstimatePart[]): ResourceEstimate {
  const a = total([...common, ...training]);
  const b = total([...common, ...report]);
  return a.totalBytes >= b.totalBytes ? a : b;
}

/** Units a run may hold at once: `jobs`, at most the number of units. */
export function unitsAtOnce(jobs: number, units: number): number {
  return Math.max(1, Math.min(jobs, units));
}

/**
 * Bytes a routing unit holds per directed edge: source and target, the CSR
 * and reverse-CSR indices, the use score and the path finder's marks, and the
 * arrays rebuilt after a prune beside the old ones. Set from the measured
 * peak RSS of navlakha-routing (10^6 starting edges) at --jobs 2: 383 MiB.
 */
const ROUTING_BYTES_PER_EDGE = 120;

/**
 * The memory a routing run holds at its peak, with `jobs` units at once: each
 * unit holds its network at its largest (the pruning start, or B for growth
 * and the random network) over every sweep point.
 */
export function estimateRouting(s: RoutingScenario, jobs = 1): ResourceEstimate {
  const nodes = Math.max(
    s.task.nodes,
    ...s.sweep.filter((e) => e.parameter === "task.nodes").flatMap((e) => e.values.map(Number)),
  );
  const density = Math.max(
    s.network.initialDensity,
    ...s.sweep.filter((e) => e.parameter === "network.initialDensity").flatMap((e) => e.values.map(Number)),
  );
  const budget = Math.max(
    s.network.edgeBudget,
    ...s.sweep.filter((e) => e.parameter === "network.edgeBudget").flatMap((e) => e.values.map(Number)),
  );
  const edges = Math.max(Math.round(density * nodes * (nodes - 1)), budget);
  const units = s.strategies.length * s.seeds.length;
  const concurrent = unitsAtOnce(jobs, units);
  const parts: EstimatePart[] = [
    {
      where: "$",
      what: "Node.js, the CLI and the strategies' code",
      bytes: BASELINE_BYTES.main,
      heap: true,
      largestArray: 0,
    },
  ];
  for (let u = 0; u < concurrent; u++)
    parts.push({
      where: "$.network",
      what: `a routing network of up to ${edges} directed edges${concurrent > 1 ? " and its worker thread" : ""}`,
      bytes: edges * ROUTING_BYTES_PER_EDGE + (concurrent > 1 ? BASELINE_BYTES.worker : 0),
      heap: false,
      largestArray: edges,
    });
  const report = { where: "$", what: "the report renderer", bytes: BASELINE_BYTES.report, heap: true, largestArray: 0 };
  return peakOf(parts.slice(0, 1), parts.slice(1), [report]);
}

/** The memory a learning run holds at its peak, with `jobs` units at once. */
export function estimateLearning(s: Scenario, data: TaskData, jobs = 1): ResourceEstimate {
  const expanded = expandSweep(s.learners, s.sweep).learners;
  const concurrent = unitsAtOnce(jobs, expanded.length * s.seeds.length);
  const pooled = concurrent > 1;
  const common: EstimatePart[] = [
    {
      where: "$",
      what: "Node.js, the CLI and the learners' code",
      bytes: BASELINE_BYTES.main,
      heap: true,
      largestArray: 0,
    },
    { where: "$.task", what: `the ${s.task.type} data`, bytes: data.bytes, heap: false, largestArray: 0 },
  ];
  const training: EstimatePart[] = [];
  if (pooled) {
    training.push(
      {
        where: "$",
        what: `${concurrent} worker threads`,
        bytes: concurrent * BASELINE_BYTES.worker,
        heap: true,
        largestArray: 0,
      },
      {
        where: "$.task",
        what: `the ${s.task.type} data in each of ${concurrent} worker threads`,
        bytes: concurrent * data.bytes,
        heap: false,
        largestArray: 0,
      },
    );
  }
  const inputSize = data.shape.inputSize;
  // What each unit running at once holds besides its learner.
  if (s.continual !== undefined) {
    // Each phase's train and test subsets are copies: together at most the whole data again.
    training.push({
      where: "$.continual",
      what: `the phases' data subsets${pooled ? ` (in each of ${concurrent} units at once)` : ""}`,
      bytes: concurrent * 4 * (inputSize + 1) * (data.trainCount + data.testCount),
      heap: false,
      largestArray: inputSize * data.trainCount,
    });
  }
  const robustness = s.evaluation.robustness;
  if (robustness !== undefined) {
    const n = Math.min(robustness.samples, data.testCount);
    training.push({
      where: "$.evaluation.robustness",
      what: "noisy and lesioned copies of the test inputs and weights",
      bytes: concurrent * 3 * 4 * n * inputSize,
      heap: false,
      largestArray: n * inputSize,
    });
  }
  const indexOf = new Map(s.learners.map((l, i) => [l.name ?? l.type, i] as const));
  const perLearner = expanded.map(({ config, info }) => {
    const where = `$.learners[${indexOf.get(info.base) ?? 0}]`;
    const parts = learnerMemory(config, data.shape).map(
      (p): EstimatePart => ({
        where,
        what: `${p.part} of "${info.name}"`,
        bytes: p.bytes,
        heap: false,
        largestArray: p.largestArray,
      }),
    );
    return { parts, bytes: parts.reduce((a, p) => a + p.bytes, 0) };
  });
  // The largest units are assumed to run together: a learner has one unit per seed, and its seeds may run at once.
  const bySize = [...perLearner].sort((x, y) => y.bytes - x.bytes);
  for (let k = 0; k < concurrent; k++) training.push(...bySize[Math.floor(k / s.seeds.length)]!.parts);
  // Result rows (about 25 metrics per epoch, each row an object of ~150 bytes) and the first seed's weight histograms.
  const epochs = s.epochs * (s.continual?.phases.length ?? 1);
  const rows: EstimatePart = {
    where: "$.epochs",
    what: "result rows and weight histograms",
    bytes: expanded.length * epochs * (s.seeds.length * 25 * 150 + 40 * 120),
    heap: true,
    largestArray: 0,
  };
  const report: EstimatePart[] = [
    {
      where: "$",
      what: "the report renderer (vega, resvg)",
      bytes: BASELINE_BYTES.report,
      heap: true,
      largestArray: 0,
    },
    rows,
  ];
  // A unit's arrays are checked whatever the phase: one too long fails however the run is laid out.
  return withLargestArray(peakOf(common, [...training, rows], report), [...training]);
}

/** Keeps the parts whose arrays the typed-array check must see, at no bytes, in the chosen phase's list. */
function withLargestArray(est: ResourceEstimate, parts: EstimatePart[]): ResourceEstimate {
  const longest = parts.reduce<EstimatePart | undefined>(
    (a, p) => (a === undefined || p.largestArray > a.largestArray ? p : a),
    undefined,
  );
  if (longest === undefined || est.parts.includes(longest)) return est;
  return { ...est, parts: [...est.parts, { ...longest, bytes: 0 }] };
}

/** State arrays (float32 or int32) per neuron of each model, with the spike buffers every group has. */
function bytesPerNeuron(m: NeuronModelConfig): number {
  const vars = (() => {
    switch (m.type) {
      case "lif":
        return 6;
      case "conductance-lif":
        return 6;
      case "izhikevich":
        return 5;
      case "adex":
        return 5;
      case "hodgkin-huxley":
        return 7;
      case "poisson":
        return 3;
      case "spike-generator":
        return 3;
      case "equations":
        return m.equations.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#")).length + 3;
      default:
        // The NIR primitives: a membrane, a synaptic current and their inputs.
        return 5;
    }
  })();
  // State arrays in float64 (precision "float64", the default) or float32, and the int32 spike buffers.
  return (m.type === "poisson" || m.type === "spike-generator" ? 4 : 8) * vars + 4 * 3;
}

/** Expected synapses of one population (sources in `sourceRange`, or all). */
export function expectedSynapses(c: NetworkScenario["synapses"][number], sizes: ReadonlyMap<string, number>): number {
  const pre0 = sizes.get(c.source) ?? 0;
  const pre = c.sourceRange !== undefined ? Math.max(0, Math.min(pre0, c.sourceRange[1]) - c.sourceRange[0]) : pre0;
  const post = sizes.get(c.target) ?? 0;
  switch (c.connect.rule) {
    case "probability":
      return pre * post * c.connect.p;
    case "fixed-in-degree":
      return post * c.connect.k;
    case "one-to-one":
      return Math.min(pre, post);
    case "all-to-all":
      return pre * post;
    case "explicit":
      return c.connect.pre.length;
  }
}

/** Firing rate assumed when sizing the spikes kept for the charts (an upper figure for cortical models). */
const ASSUMED_RATE_HZ = 50;

/** The memory a network run holds at its peak: its seeds are units, `jobs` of them at once. */
export function estimateNetwork(
  s: NetworkScenario,
  opts: { chartSpikes: number; tracePoints: number; jobs?: number },
): ResourceEstimate {
  const steps = Math.round(s.durationMs / s.dtMs);
  const concurrent = unitsAtOnce(opts.jobs ?? 1, s.seeds.length);
  const parts: EstimatePart[] = [];
  const sizes = new Map<string, number>();
  s.groups.forEach((g, i) => {
    sizes.set(g.name, g.size);
    const extra = g.model.type === "spike-generator" ? 12 * g.model.indices.length : 0;
    parts.push({
      where: `$.groups[${i}]`,
      what: `the state of group "${g.name}"`,
      bytes: g.size * bytesPerNeuron(g.model) + extra,
      heap: false,
      largestArray: Math.max(g.size, g.model.type === "spike-generator" ? g.model.indices.length : 0),
    });
  });
  s.synapses.forEach((c, i) => {
    const n = expectedSynapses(c, sizes);
    const delaySlots = Math.min(65_536, Math.round(c.delayMs / s.dtMs) + 1);
    const ring = delaySlots > 1 ? delaySlots * (sizes.get(c.target) ?? 0) : 0;
    parts.push({
      where: `$.synapses[${i}]`,
      // Built from pair lists before compaction into CSR (target, weight, delay): about 24 bytes a synapse at the peak.
      what: `synapses ${c.name ?? `${c.source}->${c.target}`}`,
      bytes: 24 * n + 4 * ring,
      heap: false,
      largestArray: Math.max(n, ring),
    });
  });
  const durationS = s.durationMs / 1000;
  const spikeGroups = s.monitors.spikes ?? s.groups.map((g) => g.name);
  spikeGroups.forEach((name, i) => {
    const size = sizes.get(name) ?? 0;
    const kept = Math.min(opts.chartSpikes, size * durationS * ASSUMED_RATE_HZ);
    parts.push({
      where: s.monitors.spikes !== undefined ? `$.monitors.spikes[${i}]` : "$.groups",
      what: `the population rate of "${name}" (one value per step)`,
      bytes: 4 * steps,
      heap: false,
      largestArray: steps,
    });
    parts.push({
      where: s.monitors.spikes !== undefined ? `$.monitors.spikes[${i}]` : "$.groups",
      what: `spike statistics and the spikes kept for the charts of "${name}"`,
      // Counts and interval sums per neuron; kept spikes as two number lists, then typed copies.
      bytes: 40 * size + 30 * kept,
      heap: true,
      largestArray: size,
    });
  });
  s.monitors.state.forEach((m, i) => {
    const width = m.indices.length * m.variables.length;
    const samples = Math.floor(Math.max(0, steps - 1) / m.everySteps) + 1;
    const kept = Math.min(samples, opts.tracePoints) * width;
    parts.push({
      where: `$.monitors.state[${i}]`,
      what: `the state traces kept for the charts of group "${m.group}"`,
      // The chunk being streamed holds about 65,536 values (at least one sample).
      bytes: 30 * kept + 4 * Math.max(65_536, width),
      heap: true,
      largestArray: kept,
    });
  });
  // A checkpoint (every 5 s of wall time) copies the unit's arrays: captured, then encoded into one buffer.
  const arrays = parts.filter((p) => !p.heap).reduce((t, p) => t + p.bytes, 0);
  parts.push({
    where: "$",
    what: "a checkpoint's copies of the network's arrays",
    bytes: 2 * arrays,
    heap: false,
    largestArray: 0,
  });
  const common: EstimatePart[] = [
    {
      where: "$",
      what: "Node.js, the CLI and the network engine",
      bytes: BASELINE_BYTES.main,
      heap: true,
      largestArray: 0,
    },
  ];
  const training: EstimatePart[] =
    concurrent > 1
      ? [
          {
            where: "$",
            what: `${concurrent} worker threads`,
            bytes: concurrent * BASELINE_BYTES.worker,
            heap: true,
            largestArray: 0,
          },
          ...parts.map((p) => ({
            ...p,
            bytes: concurrent * p.bytes,
            what: `${p.what}, in each of ${concurrent} seeds at once`,
          })),
        ]
      : parts;
  // The report draws from the first seed's recordings: its charts' samples are still held.
  const recordings = parts.filter((p) => p.heap);
  const report: EstimatePart[] = [
    {
      where: "$",
      what: "the report renderer (vega, resvg)",
      bytes: BASELINE_BYTES.report,
      heap: true,
      largestArray: 0,
    },
    ...recordings,
  ];
  return withLargestArray(peakOf(common, training, report), parts);
}

/** Bytes of one state.csv row: the group, variable, neuron, time and value as text. */
function stateRowBytes(group: string, variable: string): number {
  return group.length + variable.length + 40;
}

/** Refuses what no run needs, naming the setting: too many steps, and recordings past the file-size limit. */
export function checkBounds(
  a:
    | { kind: "learning"; scenario: Scenario }
    | { kind: "network"; scenario: NetworkScenario }
    | { kind: "routing"; scenario: RoutingScenario },
): { path: string; expected: string; found: string }[] {
  const out: { path: string; expected: string; found: string }[] = [];
  // A routing scenario's sizes are bounded by its schema (nodes, budgets, pairs).
  if (a.kind === "routing") return out;
  const n = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  if (a.kind === "network") {
    const s = a.scenario;
    const steps = s.durationMs / s.dtMs;
    if (steps > RUN_LIMITS.networkSteps) {
      out.push({
        path: "$.durationMs",
        expected: `at most ${n(RUN_LIMITS.networkSteps)} steps of dtMs per run`,
        found: `durationMs ${s.durationMs} / dtMs ${s.dtMs} = ${n(steps)} steps (raise dtMs or shorten the run)`,
      });
      return out;
    }
    s.monitors.state.forEach((m, i) => {
      const samples = Math.floor(Math.max(0, Math.round(steps) - 1) / m.everySteps) + 1;
      const rows = samples * m.indices.length * m.variables.length;
      const bytes = m.variables.reduce((b, v) => b + samples * m.indices.length * stateRowBytes(m.group, v), 0);
      if (bytes > OUTPUT_LIMITS.csvBytes) {
        const every = Math.ceil((m.everySteps * bytes) / OUTPUT_LIMITS.csvBytes);
        out.push({
          path: `$.monitors.state[${i}]`,
          expected: `a recording that fits state.csv's limit of ${formatBytes(OUTPUT_LIMITS.csvBytes)}`,
          found: `${n(rows)} values (about ${formatBytes(bytes)}); record every ${every} steps ("everySteps": ${every}) or fewer neurons or variables`,
        });
      }
    });
    return out;
  }
  const s = a.scenario;
  s.learners.forEach((l, i) => {
    const steps = stepsPerSample(l);
    if (steps > RUN_LIMITS.sampleSteps) {
      out.push({
        path: `$.learners[${i}].dtMs`,
        expected: `at most ${n(RUN_LIMITS.sampleSteps)} simulation steps per sample`,
        found: `${n(steps)} steps per sample at dtMs ${(l as { dtMs: number }).dtMs} (raise dtMs or shorten the presentation)`,
      });
    }
  });
  return out;
}

/** The memory a run may use. */
export interface MemoryBudget {
  bytes: number;
  /** Where the figure comes from, for messages. */
  source: string;
  heapBytes: number;
}

export function memoryBudget(maxMemoryBytes?: number): MemoryBudget {
  const heapBytes = getHeapStatistics().heap_size_limit;
  if (maxMemoryBytes !== undefined) return { bytes: maxMemoryBytes, source: "--max-memory", heapBytes };
  return { bytes: totalmem(), source: "this machine's memory; --max-memory sets another limit", heapBytes };
}

/** Throws a UserError (E_RESOURCE_LIMIT, exit 2) when the estimate does not fit the budget, naming the part. */
export function checkEstimate(file: string, est: ResourceEstimate, budget: MemoryBudget): void {
  const refuse = (message: string): never => {
    throw new UserError("E_RESOURCE_LIMIT", `${file}: ${message}`);
  };
  const biggest = [...est.parts].sort((a, b) => b.bytes - a.bytes)[0]!;
  if (est.totalBytes > budget.bytes) {
    refuse(
      `the run needs an estimated ${formatBytes(est.totalBytes)} of memory, ${formatBytes(est.totalBytes - budget.bytes)} more than the ${formatBytes(budget.bytes)} available (${budget.source}); the largest part is at ${biggest.where}: ${biggest.what}, ${formatBytes(biggest.bytes)}`,
    );
  }
  const largestArray = est.parts.reduce<EstimatePart | undefined>(
    (a, p) => (a === undefined || p.largestArray > a.largestArray ? p : a),
    undefined,
  );
  if (largestArray !== undefined && largestArray.largestArray > RUN_LIMITS.arrayElements) {
    refuse(
      `at ${largestArray.where}: ${largestArray.what} needs one array of ${largestArray.largestArray.toExponential(3)} elements, ${(largestArray.largestArray / RUN_LIMITS.arrayElements).toFixed(1)}× the ${RUN_LIMITS.arrayElements.toLocaleString("en-US")} a JavaScript typed array may hold`,
    );
  }
  if (est.heapBytes > budget.heapBytes) {
    const heapBiggest = [...est.parts].filter((p) => p.heap).sort((a, b) => b.bytes - a.bytes)[0]!;
    refuse(
      `the run needs an estimated ${formatBytes(est.heapBytes)} of JavaScript heap, ${formatBytes(est.heapBytes - budget.heapBytes)} more than V8's heap limit of ${formatBytes(budget.heapBytes)} (node --max-old-space-size raises it); the largest part is at ${heapBiggest.where}: ${heapBiggest.what}, ${formatBytes(heapBiggest.bytes)}`,
    );
  }
}
