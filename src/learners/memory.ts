/**
 * Peak memory of one learner, estimated from its config and the task's shape
 * before anything is allocated: a pure function of the numbers a scenario
 * gives. Each part names what it holds (parameters and their gradients,
 * optimiser state, activations kept for the backward pass, synapses, work
 * buffers) and the largest single array in it, since a typed array longer than
 * the engine allows fails however much memory there is.
 *
 * The formulas count the typed arrays each learner's constructor and
 * training step allocate (4 bytes per float32, int32 or CSR entry); small
 * per-neuron bookkeeping is left out. `neurocompare` checks them against the
 * measured peak RSS of every bundled scenario (`npm run memory-check`).
 */
import type { TaskShape } from "../tasks/task.js";
import type { LearnerConfig } from "./registry.js";

export interface MemoryPart {
  /** What the bytes hold, for messages: "parameters and gradients". */
  part: string;
  bytes: number;
  /** Elements of the largest single typed array in this part. */
  largestArray: number;
}

const F4 = 4;

/** Optimiser state per parameter: SGD momentum keeps one copy, Adam two (first and second moments). */
function optimizerCopies(o: { type: string; momentum?: number | undefined } | undefined): number {
  if (o === undefined) return 0;
  if (o.type === "adam") return 2;
  return o.momentum !== undefined && o.momentum > 0 ? 1 : 0;
}

/** Parameters, gradients, a working copy for the SIMD kernels and optimiser state; pruning adds a mask and a rewind copy. */
function paramParts(
  params: number,
  largest: number,
  optimizer: { type: string; momentum?: number | undefined } | undefined,
  pruning: unknown,
): MemoryPart[] {
  const parts: MemoryPart[] = [
    { part: "parameters and gradients", bytes: 3 * F4 * params, largestArray: largest },
    { part: "optimiser state", bytes: optimizerCopies(optimizer) * F4 * params, largestArray: largest },
  ];
  if (pruning !== undefined) parts.push({ part: "pruning masks", bytes: 2 * F4 * params, largestArray: largest });
  return parts;
}

function denseStack(sizes: readonly number[], batch: number) {
  let params = 0;
  let largest = 0;
  let activations = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const w = sizes[i]! * sizes[i + 1]!;
    params += w + sizes[i + 1]!;
    largest = Math.max(largest, w);
    // Layer output, activation output and its gradient, and the layer's input gradient.
    activations += batch * (3 * sizes[i + 1]! + sizes[i]!);
  }
  return { params, largest, activations };
}

function mlp(c: Extract<LearnerConfig, { type: "mlp" }>, shape: TaskShape): MemoryPart[] {
  const d = denseStack([shape.inputSize, ...c.hidden, shape.classes], c.batchSize);
  return [
    ...paramParts(d.params, d.largest, c.optimizer, c.pruning),
    { part: "activations", bytes: F4 * d.activations, largestArray: c.batchSize * Math.max(...c.hidden, 1) },
  ];
}

function cnn(c: Extract<LearnerConfig, { type: "cnn" }>, shape: TaskShape): MemoryPart[] {
  const img = shape.image ?? { height: 1, width: shape.inputSize, channels: 1 };
  let h = img.height;
  let w = img.width;
  let ch = img.channels;
  let flat = -1; // set once a dense layer has flattened the image
  let params = 0;
  let largestParam = 0;
  let buffers = 0;
  let largestBuffer = 0;
  const b = c.batchSize;
  const buffer = (n: number) => {
    buffers += n;
    largestBuffer = Math.max(largestBuffer, n);
  };
  for (const layer of c.layers) {
    if (layer.type === "conv") {
      const k = layer.kernel;
      const ho = Math.floor((h + 2 * layer.padding - k) / layer.stride) + 1;
      const wo = Math.floor((w + 2 * layer.padding - k) / layer.stride) + 1;
      const kk = k * k * ch;
      const rows = b * Math.max(0, ho) * Math.max(0, wo);
      params += kk * layer.filters + layer.filters;
      largestParam = Math.max(largestParam, kk * layer.filters);
      // im2col columns and their gradient, input copy and gradient, output, two gradient work arrays, activation.
      buffer(rows * kk);
      buffer(rows * kk);
      buffer(2 * b * h * w * ch);
      buffer(4 * rows * layer.filters);
      h = ho;
      w = wo;
      ch = layer.filters;
    } else if (layer.type === "flatten") {
      flat = Math.max(0, h) * Math.max(0, w) * ch;
    } else if (layer.type === "dense") {
      const inSize = flat >= 0 ? flat : Math.max(0, h) * Math.max(0, w) * ch;
      params += inSize * layer.units + layer.units;
      largestParam = Math.max(largestParam, inSize * layer.units);
      buffer(b * (3 * layer.units + inSize));
      flat = layer.units;
    } else {
      const s = layer.stride ?? layer.size;
      const ho = Math.floor((h - layer.size) / s) + 1;
      const wo = Math.floor((w - layer.size) / s) + 1;
      buffer(b * h * w * ch + 2 * b * Math.max(0, ho) * Math.max(0, wo) * ch);
      h = ho;
      w = wo;
    }
  }
  return [
    ...paramParts(params, largestParam, c.optimizer, c.pruning),
    { part: "activations and work buffers", bytes: F4 * buffers, largestArray: largestBuffer },
  ];
}

function rnn(c: Extract<LearnerConfig, { type: "rnn" }>, shape: TaskShape): MemoryPart[] {
  const seq = shape.sequence ?? { steps: 1, features: shape.inputSize };
  const hdn = c.hidden;
  const gates = c.cell === "lstm" ? 4 * hdn : c.cell === "gru" ? 3 * hdn : hdn;
  const weights = (seq.features + hdn) * gates;
  const params = weights + 2 * gates + hdn * shape.classes + shape.classes;
  const rows = seq.steps * c.batchSize;
  // Per step and sample: the gates and their gradient, hidden (and cell) states, the input and its gradient.
  const perRow = 2 * gates + 4 * hdn + 2 * seq.features;
  return [
    ...paramParts(params, weights, c.optimizer, undefined),
    { part: "activations through time", bytes: F4 * rows * perRow, largestArray: rows * gates },
  ];
}

/** Expected synapses of a random connection with probability p, with CSR storage (target, weight) per synapse. */
function csrBytes(pre: number, post: number, p: number): number {
  return 2 * F4 * pre * post * p + F4 * (pre + 1);
}

function lsm(c: Extract<LearnerConfig, { type: "lsm" }>, shape: TaskShape): MemoryPart[] {
  const channels = shape.inputSize * (c.encoding === "population" ? c.neuronsPerFeature : 1);
  const h = c.hidden;
  const syn = csrBytes(channels, h, c.inputConnectivity) + csrBytes(h, h, c.recurrentConnectivity);
  return [
    {
      part: "synapses",
      // Built from a pair list (pre, post, weight) before compaction: twice the final CSR at the peak.
      bytes: 2 * syn,
      largestArray: Math.max(channels * h * c.inputConnectivity, h * h * c.recurrentConnectivity),
    },
    { part: "neuron state", bytes: F4 * (12 * h + 6 * channels), largestArray: Math.max(h, channels) },
    ...paramParts(h * shape.classes + shape.classes, h * shape.classes, c.optimizer, undefined),
    { part: "features", bytes: F4 * c.batchSize * (h + shape.classes), largestArray: c.batchSize * h },
  ];
}

function stdp(c: Extract<LearnerConfig, { type: "stdp" }>, shape: TaskShape): MemoryPart[] {
  const n = c.excitatory;
  const w = shape.inputSize * n;
  return [
    // Weights, a mask, co-activity for pruning criteria, and the event-driven CSR copies (rows and columns).
    { part: "input weights", bytes: (F4 + 1 + F4 + 2 * F4) * w, largestArray: w },
    { part: "neuron state", bytes: F4 * 30 * n + F4 * 6 * shape.inputSize, largestArray: Math.max(n, shape.inputSize) },
    {
      part: "label assignment",
      bytes: 8 * shape.classes * n + F4 * c.assignmentWindow * (1 + n),
      largestArray: c.assignmentWindow * n,
    },
  ];
}

function surrogate(c: Extract<LearnerConfig, { type: "surrogate" }>, shape: TaskShape): MemoryPart[] {
  const seq = shape.sequence;
  const encoding = c.encoding;
  const steps = encoding === "sequence" && seq !== undefined ? seq.steps * c.stepsPerElement : c.steps;
  const first = encoding === "sequence" && seq !== undefined ? seq.features : shape.inputSize;
  const sizes = [first, ...c.hidden, shape.classes];
  const b = c.batchSize;
  const seqRows = steps * b;
  let params = 0;
  let largestParam = 0;
  let acts = 0;
  let largestAct = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const m = sizes[i]!;
    const n = sizes[i + 1]!;
    const recurrent = c.recurrent && i + 1 < sizes.length - 1;
    params += m * n + n + (recurrent ? n * n : 0);
    largestParam = Math.max(largestParam, m * n, recurrent ? n * n : 0);
    const inRows = i === 0 && encoding === "direct" ? b : seqRows;
    // Weight transpose, input and its transpose and gradient, then current, membrane and spikes at every step.
    acts += m * n + 3 * inRows * m + 3 * seqRows * n + (recurrent ? 2 * n * n + seqRows * n : 0) + 4 * b * n;
    largestAct = Math.max(largestAct, inRows * m, seqRows * n);
  }
  const averaging = c.averageDecay !== undefined && c.averageDecay > 0 ? 2 : 0;
  return [
    ...paramParts(params, largestParam, c.optimizer, c.pruning),
    { part: "parameter averages", bytes: averaging * F4 * params, largestArray: largestParam },
    {
      part: "activations through time",
      bytes: F4 * (acts + seqRows * shape.classes),
      largestArray: largestAct,
    },
  ];
}

function network(c: Extract<LearnerConfig, { type: "network" }>, shape: TaskShape): MemoryPart[] {
  const sizes = new Map<string, number>(c.groups.map((g) => [g.name, g.size]));
  const inp = c.input;
  if (inp.coding !== "current")
    sizes.set(inp.group, shape.inputSize * (inp.coding === "population" ? inp.neuronsPerFeature : 1));
  let neurons = 0;
  for (const g of c.groups) neurons += g.size;
  let synapses = 0;
  let largest = 0;
  const add = (n: number) => {
    synapses += n;
    largest = Math.max(largest, n);
  };
  for (const syn of c.synapses) {
    const pre = sizes.get(syn.source) ?? 0;
    const post = sizes.get(syn.target) ?? 0;
    const k = syn.connect;
    if (k.rule === "all-to-all") add(pre * post);
    else if (k.rule === "probability") add(k.p * pre * post);
    else if (k.rule === "fixed-in-degree") add(k.k * post);
    else if (k.rule === "one-to-one") add(Math.min(pre, post));
    else add(k.pre.length);
  }
  for (const li of c.lateralInhibition) {
    const n = sizes.get(li.group) ?? 0;
    if (li.via === "population") {
      neurons += n;
      add(2 * n);
    } else add(n * (n - 1));
  }
  return [
    // CSR target, weight and delay, and per-synapse plasticity, normaliser and co-activity state; built from a
    // pair list, so about twice the final arrays at the peak.
    { part: "synapses", bytes: 2 * 6 * F4 * synapses, largestArray: largest },
    // Each model keeps a handful of float64 state variables per neuron (equation models, Hodgkin-Huxley: more).
    { part: "neuron state", bytes: 16 * 8 * neurons, largestArray: neurons },
    {
      part: "readout",
      bytes: F4 * (c.readout.type === "linear" ? 4 : 1) * (sizes.get(c.readout.group) ?? 0) * shape.classes,
      largestArray: (sizes.get(c.readout.group) ?? 0) * shape.classes,
    },
  ];
}

/** The memory parts of one learner built for a task of this shape. */
export function learnerMemory(config: LearnerConfig, shape: TaskShape): MemoryPart[] {
  switch (config.type) {
    case "mlp":
      return mlp(config, shape);
    case "cnn":
      return cnn(config, shape);
    case "rnn":
      return rnn(config, shape);
    case "lsm":
      return lsm(config, shape);
    case "stdp":
      return stdp(config, shape);
    case "surrogate":
      return surrogate(config, shape);
    case "network":
      return network(config, shape);
    case "nir":
      // A NIR graph's sizes are in its file, read when the learner is built; its arrays are a trained network's.
      return [];
  }
}

/** Simulation steps each training sample costs a spiking learner (0 for learners without a clock). */
export function stepsPerSample(config: LearnerConfig): number {
  switch (config.type) {
    case "lsm":
      return config.durationMs / config.dtMs;
    case "stdp":
      return (config.presentationMs + config.restMs) / config.dtMs;
    case "network": {
      const p = config.presentation;
      return (p.presentationMs + (p.between === "rest" ? p.restMs : 0)) / config.dtMs;
    }
    default:
      return 0;
  }
}
