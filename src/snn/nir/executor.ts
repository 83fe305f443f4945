/**
 * Runs a NIR graph in discrete time, a batch of samples at once, the way the
 * PyTorch-based simulators that write NIR (snnTorch, Norse, Sinabs) run it:
 * every step, every node in topological order reads its inputs of the same
 * step (a spike reaches the next layer in the step it is emitted), except
 * along recurrent edges (an edge that closes a cycle), which carry the
 * previous step's output.
 *
 * Discretisation, forward Euler at the step dt (as Norse's and snnTorch's
 * NIR importers), each neuron with β = 1 − dt/τ, γ = R·dt/τ, λ = v_leak·dt/τ:
 *
 *   LIF      v ← β·v + γ·I + λ;   spike when v > v_threshold, then v ← v_reset
 *   LI       v ← β·v + γ·I + λ;   output v
 *   CubaLIF  I_s ← α·I_s + κ·x (α = 1 − dt/τ_syn, κ = w_in·dt/τ_syn), then LIF on I_s
 *   CubaLI   the same without spikes
 *   IF       v ← v + R·I;  spike when v > v_threshold, then v ← v_reset
 *   I        v ← v + R·I;  output v
 *
 * IF and I take their input as charge per step (not scaled by dt), as Norse
 * and Sinabs import them. Stateless nodes: Affine (W·x + b), Linear, Scale,
 * Threshold (x > θ), Flatten, Conv2d, SumPool2d, AvgPool2d. A node with
 * several inputs sums them in edge order. With β = 1 − dt/τ and γ = 1 this
 * is snnTorch's Leaky (U ← β·U + I), so a network exported from the
 * surrogate learner (reset "zero") gives the learner's own outputs.
 *
 * Arithmetic: float32 state and buffers, as the simulators above; each
 * update is evaluated in float64 and rounded once when stored. Affine and
 * Linear products run on the project's SIMD matrix product (SimdArena.spmm,
 * the same kernel and summation order as the surrogate learner's layers).
 */
import { SimdArena, simdAvailable } from "../../core/kernels.js";
import { UserError } from "../../core/errors.js";
import { pair, param, sizeOf, type NirArray, type NirGraph, type NirNode } from "./graph.js";

/** How a NIR graph is run: the step dt and what to do with the graph's inputs and outputs. */
export interface NirExecutorOptions {
  /** The step, in seconds (NIR's time unit). */
  dtS: number;
  /** Largest batch `step` is called with. */
  maxBatch: number;
  /** The input is the same at every step of a run (direct encoding): stateless nodes fed only by it run once. */
  constantInput?: boolean;
  /** Run the products in WebAssembly SIMD where possible (default true). */
  simd?: boolean;
}

type Kernel = (batch: number) => void;

interface Compiled {
  name: string;
  node: NirNode;
  shape: number[];
  size: number;
  /** This step's output [maxBatch × size]. */
  out: Float32Array;
  /** Last step's output, for recurrent consumers (else null). */
  prev: Float32Array | null;
  /** Computed once per run (stateless, fed only by the constant input). */
  constant: boolean;
  run: Kernel;
  reset: () => void;
  /** A neuron node's membrane [maxBatch × size] (else null), and its value before the reset of this step. */
  v: Float32Array | null;
  u: Float32Array | null;
}

const STATELESS = new Set(["Input", "Output", "Affine", "Linear", "Scale", "Threshold", "Flatten", "Conv2d"]);
const POOLS = new Set(["SumPool2d", "AvgPool2d"]);

/** Depth-first order from the Input nodes; an edge into a node on the current path is recurrent. */
function order(g: NirGraph): { order: string[]; recurrent: Set<number> } {
  const out = new Map<string, number[]>();
  g.edges.forEach(([a], k) => out.set(a, [...(out.get(a) ?? []), k]));
  const state = new Map<string, "open" | "done">();
  const post: string[] = [];
  const recurrent = new Set<number>();
  const starts = [...g.nodes].filter(([, n]) => n.type === "Input").map(([k]) => k);
  for (const start of [...starts, ...g.nodes.keys()]) {
    if (state.has(start)) continue;
    // Iterative DFS: (node, next edge index).
    const stack: [string, number][] = [[start, 0]];
    state.set(start, "open");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = out.get(top[0]) ?? [];
      if (top[1] < edges.length) {
        const k = edges[top[1]++]!;
        const to = g.edges[k]![1];
        const s = state.get(to);
        if (s === "open") recurrent.add(k);
        else if (s === undefined) {
          state.set(to, "open");
          stack.push([to, 0]);
        }
      } else {
        state.set(top[0], "done");
        post.push(top[0]);
        stack.pop();
      }
    }
  }
  return { order: post.reverse(), recurrent };
}

/** A per-neuron parameter of `size` values (a scalar broadcast), as float64. */
function perNeuron(
  file: string,
  name: string,
  node: NirNode,
  key: string,
  size: number,
  fallback?: number,
): Float64Array {
  const p = node.params[key];
  if (p === undefined) {
    if (fallback !== undefined) return new Float64Array(size).fill(fallback);
    param(file, name, node, key); // throws, naming the node
  }
  const a = p as NirArray;
  if (a.data.length === size) return Float64Array.from(a.data);
  if (a.data.length === 1) return new Float64Array(size).fill(a.data[0]!);
  throw new UserError(
    "E_DATA_INVALID",
    `${file}: NIR node "${name}" (${node.type}): "${key}" has ${a.data.length} values for ${size} neurons`,
  );
}

/** Runs a NIR graph in discrete time on a batch of samples, as the PyTorch-based simulators that write NIR run it. */
export class NirExecutor {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputName: string;
  /** Synaptic operations per sample and step counting every possible one (NeuroBench's dense count). */
  readonly denseOpsPerStep: number;
  /** Bytes of parameters (as float32) and neuron state. */
  readonly footprintBytes: number;
  /** The weight arrays of Affine, Linear and Conv2d nodes (float32), by node name. */
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** Neurons that update their membrane each step (all neuron nodes). */
  readonly neurons: number;
  private readonly sourceOfOutput: string;
  /** Node names in the order they run. */
  readonly order: readonly string[];
  /** Each node's output shape (one sample). */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  private readonly nodes: Compiled[];
  private readonly input: Compiled;
  private readonly output: Compiled;
  private readonly arena: SimdArena;
  private readonly maxBatch: number;
  private steps = 0;
  /** Output spikes per step of spiking nodes, over the last run: spikes and neuron updates for cost counting. */
  spikes = 0;
  neuronUpdates = 0;
  /** Synaptic operations: accumulates (input spikes) and multiply-accumulates (real-valued inputs), per run. */
  accumulates = 0;
  macs = 0;

  constructor(graph: NirGraph, file: string, options: NirExecutorOptions) {
    const dt = options.dtS;
    if (!(dt > 0) || !Number.isFinite(dt)) {
      throw new UserError("E_CONFIG_INVALID", `${file}: the step dt must be a positive number of seconds, found ${dt}`);
    }
    this.maxBatch = options.maxBatch;
    const { order: names, recurrent } = order(graph);
    this.order = names;
    const inEdges = new Map<string, { from: string; recurrent: boolean }[]>();
    graph.edges.forEach(([a, b], k) =>
      inEdges.set(b, [...(inEdges.get(b) ?? []), { from: a, recurrent: recurrent.has(k) }]),
    );

    // Shapes, in order (a node's forward inputs come before it).
    const shapes = new Map<string, number[]>();
    for (const name of names) {
      const node = graph.nodes.get(name)!;
      const ins = (inEdges.get(name) ?? []).filter((e) => !e.recurrent);
      const inShape = ins.length > 0 ? shapes.get(ins[0]!.from) : undefined;
      shapes.set(name, outputShape(file, name, node, inShape));
    }
    this.shapes = shapes;
    // Sizes of the buffers: outputs, inputs of multi-input nodes, previous outputs, padded products.
    let floats = 0;
    const mb = options.maxBatch;
    for (const name of names) {
      const size = sizeOf(shapes.get(name)!);
      floats += 2 * (mb * size + 4);
      const node = graph.nodes.get(name)!;
      if (node.type === "Affine" || node.type === "Linear") {
        const w = param(file, name, node, "weight");
        const n = w.shape[0]!;
        const pw = Math.ceil(n / 4) * 4;
        floats += w.shape[1]! * pw + mb * pw + n + 16;
      }
    }
    const useSimd = (options.simd ?? true) && simdAvailable();
    const arena = new SimdArena(floats, options.simd ?? true);
    this.arena = arena;
    const recurrentSources = new Set<string>();
    for (const [, list] of inEdges) for (const e of list) if (e.recurrent) recurrentSources.add(e.from);

    const compiled = new Map<string, Compiled>();
    const constant = new Set<string>();
    // Recurrent Linear nodes fed by the neuron node they feed back into (snnTorch's RLeaky, the
    // surrogate learner's recurrent layers): their product is added straight onto that node's input,
    // as the surrogate learner does (input = forward part, then += V·s[t-1]), instead of being summed
    // afterwards; same result up to rounding, and with it the learner's rounding exactly.
    const outEdges = new Map<string, string[]>();
    for (const [a, b] of graph.edges) outEdges.set(a, [...(outEdges.get(a) ?? []), b]);
    const fusedInto = new Map<string, string>();
    for (const [name, node] of graph.nodes) {
      if (node.type !== "Linear") continue;
      const from = inEdges.get(name) ?? [];
      const to = outEdges.get(name) ?? [];
      const target = to[0];
      if (from.length !== 1 || to.length !== 1 || target === undefined || from[0]!.from !== target) continue;
      const back = (inEdges.get(target) ?? []).find((e) => e.from === name);
      const t = graph.nodes.get(target)!.type;
      if (back?.recurrent === true && ["LIF", "CubaLIF", "LI", "CubaLI", "IF", "I"].includes(t)) {
        fusedInto.set(name, target);
      }
    }
    for (const name of names) {
      const node = graph.nodes.get(name)!;
      const shape = shapes.get(name)!;
      const size = sizeOf(shape);
      const ins = inEdges.get(name) ?? [];
      if (node.type !== "Input" && ins.length === 0) {
        throw new UserError("E_DATA_INVALID", `${file}: NIR node "${name}" (${node.type}) has no input edge`);
      }
      const isConstant =
        node.type === "Input"
          ? options.constantInput === true
          : (STATELESS.has(node.type) || POOLS.has(node.type)) &&
            ins.every((e) => !e.recurrent && constant.has(e.from));
      if (isConstant) constant.add(name);
      const out = arena.alloc(mb * size);
      const prev = recurrentSources.has(name) ? arena.alloc(mb * size) : null;
      // The node's input: one producer's buffer, or the sum of several into a buffer of its own.
      const fused = ins.filter((e) => fusedInto.get(e.from) === name).map((e) => e.from);
      const sources = ins
        .filter((e) => !fused.includes(e.from))
        .map((e) => {
          const c = compiled.get(e.from);
          return { name: e.from, recurrent: e.recurrent, c };
        });
      let inBuf: Float32Array;
      let gather: Kernel = () => {};
      const inSize = node.type === "Input" ? size : sizeOf(shapes.get(ins[0]!.from) ?? [0]);
      for (const s of sources) {
        const sz = sizeOf(shapes.get(s.name) ?? [0]);
        if (sz !== inSize) {
          throw new UserError(
            "E_DATA_INVALID",
            `${file}: NIR node "${name}" (${node.type}) gets inputs of different sizes (${inSize} from "${sources[0]!.name}", ${sz} from "${s.name}")`,
          );
        }
      }
      const bufOf = (s: (typeof sources)[number]): (() => Float32Array) => {
        return () => {
          const c = compiled.get(s.name)!;
          return s.recurrent ? c.prev! : c.out;
        };
      };
      if (node.type === "Input") inBuf = out;
      else if (fusedInto.has(name))
        inBuf = out; // computed as part of the node it feeds
      else if (fused.length === 0 && sources.length === 1 && !sources[0]!.recurrent && sources[0]!.c !== undefined)
        inBuf = sources[0]!.c.out;
      else {
        inBuf = arena.alloc(mb * inSize);
        const getters = sources.map(bufOf);
        const target = inBuf;
        // The fused recurrent products: weights as [in × out], no padding (as the learner's recurrent product).
        const products = fused.map((l) => {
          const w = param(file, l, graph.nodes.get(l)!, "weight");
          const [n, m] = [w.shape[0]!, w.shape[1]!];
          const wt = arena.alloc(m * n);
          for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) wt[i * n + j] = w.data[j * m + i]!;
          return { name: l, wt, m, n };
        });
        gather = (batch) => {
          const n = batch * inSize;
          if (getters.length === 0) target.fill(0, 0, n);
          else {
            const first = getters[0]!();
            for (let i = 0; i < n; i++) target[i] = first[i]!;
          }
          for (let k = 1; k < getters.length; k++) {
            const b = getters[k]!();
            for (let i = 0; i < n; i++) target[i] = target[i]! + b[i]!;
          }
          // out still holds last step's output here: the recurrent input.
          for (const p of products) {
            this.countSynapses(p.name, out, batch * p.m, p.n);
            arena.spmm(out, p.wt, target, batch, p.m, p.n, true);
          }
        };
      }
      const kernel = fusedInto.has(name)
        ? { run: () => {}, reset: () => {} }
        : this.kernel(file, name, node, shapes, ins, inBuf, out, size, inSize, dt, useSimd);
      const c: Compiled = {
        name,
        node,
        shape,
        size,
        out,
        prev,
        constant: isConstant,
        run: (batch) => {
          gather(batch);
          kernel.run(batch);
        },
        reset: kernel.reset,
        v: kernel.v ?? null,
        u: kernel.u ?? null,
      };
      compiled.set(name, c);
    }
    this.nodes = names.map((n) => compiled.get(n)!);
    const input = this.nodes.find((c) => c.node.type === "Input");
    const output = this.nodes.find((c) => c.node.type === "Output");
    if (input === undefined || output === undefined) {
      throw new UserError("E_DATA_INVALID", `${file}: a NIR graph needs an Input and an Output node`);
    }
    this.input = input;
    this.output = output;
    this.outputName = output.name;
    this.inputSize = input.size;
    this.outputSize = output.size;
    this.sourceOfOutput = (inEdges.get(output.name) ?? [])[0]?.from ?? output.name;
    let dense = 0;
    let paramFloats = 0;
    let stateFloats = 0;
    let neurons = 0;
    const weights = new Map<string, Float32Array>();
    for (const c of this.nodes) {
      for (const a of Object.values(c.node.params)) paramFloats += a.data.length;
      const w = c.node.params["weight"];
      if (w !== undefined && (c.node.type === "Affine" || c.node.type === "Linear" || c.node.type === "Conv2d")) {
        weights.set(c.name, Float32Array.from(w.data));
        // Every weight is used once per output position (Conv2d: per output pixel of its channel).
        dense += c.node.type === "Conv2d" ? (w.data.length * c.size) / w.shape[0]! : w.data.length;
      }
      if (c.v !== null) {
        neurons += c.size;
        stateFloats += c.size * (c.node.type === "CubaLIF" || c.node.type === "CubaLI" ? 2 : 1);
      }
    }
    this.denseOpsPerStep = dense;
    this.footprintBytes = 4 * (paramFloats + stateFloats);
    this.weights = weights;
    this.neurons = neurons;
  }

  /** The membrane of neuron node `name` [maxBatch × size], after the last step (after any reset). */
  membrane(name: string): Float32Array {
    const v = this.nodes.find((c) => c.name === name)?.v;
    if (v === undefined || v === null) throw new RangeError(`NIR executor: "${name}" is not a neuron node`);
    return v;
  }

  /** Neuron node `name`'s membrane before this step's reset [maxBatch × size] (what produced its spikes). */
  membraneBeforeReset(name: string): Float32Array {
    const u = this.nodes.find((c) => c.name === name)?.u;
    if (u === undefined || u === null) throw new RangeError(`NIR executor: "${name}" is not a neuron node`);
    return u;
  }

  /** The node feeding the Output node. */
  get outputSource(): string {
    return this.sourceOfOutput;
  }

  /** The last step's output of node `name` [maxBatch × size] (spikes of a spiking node, else its values). */
  nodeOutput(name: string): Float32Array {
    const c = this.nodes.find((n) => n.name === name);
    if (c === undefined) throw new RangeError(`NIR executor: no node "${name}"`);
    return c.out;
  }

  /** The buffer the caller writes a step's input into: [batch × inputSize]. */
  get inputBuffer(): Float32Array {
    return this.input.out;
  }

  /** Zeroes every state (call before each batch of samples). */
  reset(): void {
    for (const c of this.nodes) {
      c.reset();
      c.out.fill(0);
      c.prev?.fill(0);
    }
    this.steps = 0;
  }

  /** One step for `batch` samples (input already in `inputBuffer`); returns the Output node's values. */
  step(batch: number): Float32Array {
    if (batch > this.maxBatch) throw new RangeError(`NIR executor: batch ${batch} > maxBatch ${this.maxBatch}`);
    for (const c of this.nodes) if (c.prev !== null) c.prev.set(c.out.subarray(0, batch * c.size));
    for (const c of this.nodes) {
      if (c.node.type === "Input") continue;
      if (c.constant && this.steps > 0) {
        // Computed once, but a step-by-step machine would do these operations at every step.
        const ops = this.lastOps.get(c.name);
        if (ops !== undefined) {
          this.accumulates += ops.acs;
          this.macs += ops.macs;
        }
        continue;
      }
      c.run(batch);
    }
    this.steps++;
    return this.output.out;
  }

  private kernel(
    file: string,
    name: string,
    node: NirNode,
    shapes: Map<string, number[]>,
    ins: { from: string; recurrent: boolean }[],
    x: Float32Array,
    y: Float32Array,
    size: number,
    inSize: number,
    dt: number,
    useSimd: boolean,
  ): { run: Kernel; reset: () => void; v?: Float32Array; u?: Float32Array } {
    const none = () => {};
    switch (node.type) {
      case "Input":
        return { run: none, reset: none };
      case "Output":
      case "Flatten":
        return {
          run: (b) => {
            if (x !== y) y.set(x.subarray(0, b * size));
          },
          reset: none,
        };
      case "Affine":
      case "Linear": {
        const w = param(file, name, node, "weight");
        const [n, m] = [w.shape[0]!, w.shape[1]!];
        if (m !== inSize) {
          throw new UserError(
            "E_DATA_INVALID",
            `${file}: NIR node "${name}" (${node.type}) has weights for ${m} inputs, but "${ins[0]!.from}" gives ${inSize}`,
          );
        }
        // W as the surrogate learner stores it, [in × out]; narrow layers padded to a multiple of 4 columns.
        const pw = useSimd && n % 4 !== 0 ? Math.ceil(n / 4) * 4 : 0;
        const cols = pw > 0 ? pw : n;
        const wt = this.arena.alloc(m * cols);
        for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) wt[i * cols + j] = w.data[j * m + i]!;
        const bias = this.arena.alloc(n);
        if (node.type === "Affine") bias.set(param(file, name, node, "bias").data);
        const pad = pw > 0 ? this.arena.alloc(this.maxBatch * pw) : null;
        const hasBias = node.type === "Affine";
        return {
          run: (b) => {
            this.countSynapses(name, x, b * m, n);
            if (pad !== null) {
              // As the surrogate learner: the product from zero, then the bias.
              this.arena.spmm(x, wt, pad, b, m, pw, false);
              for (let r = 0; r < b; r++) for (let j = 0; j < n; j++) y[r * n + j] = pad[r * pw + j]! + bias[j]!;
            } else {
              for (let r = 0; r < b; r++) for (let j = 0; j < n; j++) y[r * n + j] = hasBias ? bias[j]! : 0;
              this.arena.spmm(x, wt, y, b, m, n, true);
            }
          },
          reset: none,
        };
      }
      case "Scale": {
        const s = perNeuron(file, name, node, "scale", size);
        return {
          run: (b) => {
            for (let r = 0; r < b; r++) for (let i = 0; i < size; i++) y[r * size + i] = s[i]! * x[r * size + i]!;
          },
          reset: none,
        };
      }
      case "Threshold": {
        const th = perNeuron(file, name, node, "threshold", size);
        return {
          run: (b) => {
            for (let r = 0; r < b; r++)
              for (let i = 0; i < size; i++) y[r * size + i] = x[r * size + i]! > th[i]! ? 1 : 0;
          },
          reset: none,
        };
      }
      case "Conv2d":
        return conv2d(file, name, node, shapes.get(ins[0]!.from)!, x, y, this);
      case "SumPool2d":
      case "AvgPool2d":
        return pool2d(file, name, node, shapes.get(ins[0]!.from)!, x, y);
      default:
        return neuron(file, name, node, size, x, y, dt, this.maxBatch, this);
    }
  }

  /** The operations each node's last computation counted, replayed at steps where a constant node is skipped. */
  private readonly lastOps = new Map<string, { acs: number; macs: number }>();

  /** Adds the synaptic operations of node `name`'s product over `len` inputs fanning out to `fanOut` targets. */
  countSynapses(name: string, x: Float32Array, len: number, fanOut: number): void {
    let nonZero = 0;
    let spikes = true;
    for (let i = 0; i < len; i++) {
      const v = x[i]!;
      if (v !== 0) {
        nonZero++;
        if (v !== 1) spikes = false;
      }
    }
    const ops = { acs: spikes ? nonZero * fanOut : 0, macs: spikes ? 0 : nonZero * fanOut };
    this.lastOps.set(name, ops);
    this.accumulates += ops.acs;
    this.macs += ops.macs;
  }
}

/** The output shape of a node given its input's shape. */
function outputShape(file: string, name: string, node: NirNode, inShape: number[] | undefined): number[] {
  const need = (): number[] => {
    if (inShape === undefined) {
      throw new UserError(
        "E_DATA_INVALID",
        `${file}: cannot tell the input shape of NIR node "${name}" (${node.type})`,
      );
    }
    return inShape;
  };
  switch (node.type) {
    case "Input": {
      const s = node.params["shape"] ?? node.params["input_type"];
      if (s === undefined) param(file, name, node, "shape");
      return Array.from(s!.data);
    }
    case "Affine":
    case "Linear":
      return [param(file, name, node, "weight").shape[0]!];
    case "Flatten":
      return [sizeOf(need())];
    case "Conv2d": {
      const w = param(file, name, node, "weight");
      const [cIn, h, wd] = conv2dInput(file, name, node, need());
      const [sy, sx] = pair(file, name, node, "stride");
      const [py, px] = pair(file, name, node, "padding");
      const [dy, dx] = node.params["dilation"] !== undefined ? pair(file, name, node, "dilation") : [1, 1];
      const kh = w.shape[2]!;
      const kw = w.shape[3]!;
      void cIn;
      return [
        w.shape[0]!,
        Math.floor((h + 2 * py - dy * (kh - 1) - 1) / sy) + 1,
        Math.floor((wd + 2 * px - dx * (kw - 1) - 1) / sx) + 1,
      ];
    }
    case "SumPool2d":
    case "AvgPool2d": {
      const [c, h, w] = need();
      const [kh, kw] = pair(file, name, node, "kernel_size");
      const [sy, sx] = pair(file, name, node, "stride");
      const [py, px] = pair(file, name, node, "padding");
      return [c!, Math.floor((h! + 2 * py - kh) / sy) + 1, Math.floor((w! + 2 * px - kw) / sx) + 1];
    }
    default: {
      // Neurons, Scale, Threshold, Output: the input's shape (or, with no forward input, a parameter's).
      if (inShape !== undefined) return inShape;
      const p = Object.values(node.params)[0];
      if (p === undefined) return need();
      return p.shape.length > 0 ? p.shape : [1];
    }
  }
}

function conv2dInput(file: string, name: string, node: NirNode, inShape: number[]): [number, number, number] {
  const w = param(file, name, node, "weight");
  const groups = node.params["groups"]?.data[0] ?? 1;
  const cIn = w.shape[1]! * groups;
  if (inShape.length === 3) {
    if (inShape[0] !== cIn) {
      throw new UserError(
        "E_DATA_INVALID",
        `${file}: NIR node "${name}" (Conv2d) expects ${cIn} input channels, found input of shape [${inShape.join(", ")}]`,
      );
    }
    return [inShape[0]!, inShape[1]!, inShape[2]!];
  }
  const hw = node.params["input_shape"];
  if (hw !== undefined && sizeOf(inShape) === cIn * hw.data[0]! * hw.data[1]!) return [cIn, hw.data[0]!, hw.data[1]!];
  throw new UserError(
    "E_DATA_INVALID",
    `${file}: NIR node "${name}" (Conv2d) cannot read its input of shape [${inShape.join(", ")}] as channels × height × width`,
  );
}

function conv2d(
  file: string,
  name: string,
  node: NirNode,
  inShape: number[],
  x: Float32Array,
  y: Float32Array,
  counts: NirExecutor,
): { run: Kernel; reset: () => void } {
  const w = param(file, name, node, "weight");
  const [cIn, h, wd] = conv2dInput(file, name, node, inShape);
  const out = outputShape(file, name, node, inShape);
  const [cOut, ho, wo] = out as [number, number, number];
  const [sy, sx] = pair(file, name, node, "stride");
  const [py, px] = pair(file, name, node, "padding");
  const [dy, dx] = node.params["dilation"] !== undefined ? pair(file, name, node, "dilation") : [1, 1];
  const groups = node.params["groups"]?.data[0] ?? 1;
  const kh = w.shape[2]!;
  const kw = w.shape[3]!;
  const cg = w.shape[1]!;
  const bias = node.params["bias"]?.data ?? new Float32Array(cOut);
  const inSize = cIn * h * wd;
  const outSize = cOut * ho * wo;
  return {
    run: (b) => {
      counts.countSynapses(name, x, b * inSize, (cOut / groups) * kh * kw);
      for (let r = 0; r < b; r++) {
        const xo = r * inSize;
        const yo = r * outSize;
        for (let co = 0; co < cOut; co++) {
          const g = Math.floor(co / (cOut / groups));
          for (let oy = 0; oy < ho; oy++) {
            for (let ox = 0; ox < wo; ox++) {
              let acc = bias[co]!;
              for (let c = 0; c < cg; c++) {
                const ci = g * cg + c;
                for (let ky = 0; ky < kh; ky++) {
                  const iy = oy * sy - py + ky * dy;
                  if (iy < 0 || iy >= h) continue;
                  for (let kx = 0; kx < kw; kx++) {
                    const ix = ox * sx - px + kx * dx;
                    if (ix < 0 || ix >= wd) continue;
                    acc += w.data[((co * cg + c) * kh + ky) * kw + kx]! * x[xo + (ci * h + iy) * wd + ix]!;
                  }
                }
              }
              y[yo + (co * ho + oy) * wo + ox] = acc;
            }
          }
        }
      }
    },
    reset: () => {},
  };
}

function pool2d(
  file: string,
  name: string,
  node: NirNode,
  inShape: number[],
  x: Float32Array,
  y: Float32Array,
): { run: Kernel; reset: () => void } {
  const [c, h, wd] = inShape as [number, number, number];
  const [, ho, wo] = outputShape(file, name, node, inShape) as [number, number, number];
  const [kh, kw] = pair(file, name, node, "kernel_size");
  const [sy, sx] = pair(file, name, node, "stride");
  const [py, px] = pair(file, name, node, "padding");
  const scale = node.type === "AvgPool2d" ? 1 / (kh * kw) : 1;
  const inSize = c * h * wd;
  const outSize = c * ho * wo;
  return {
    run: (b) => {
      for (let r = 0; r < b; r++) {
        for (let ch = 0; ch < c; ch++) {
          for (let oy = 0; oy < ho; oy++) {
            for (let ox = 0; ox < wo; ox++) {
              let acc = 0;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * sy - py + ky;
                if (iy < 0 || iy >= h) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * sx - px + kx;
                  if (ix >= 0 && ix < wd) acc += x[r * inSize + (ch * h + iy) * wd + ix]!;
                }
              }
              y[r * outSize + (ch * ho + oy) * wo + ox] = acc * scale;
            }
          }
        }
      }
    },
    reset: () => {},
  };
}

function neuron(
  file: string,
  name: string,
  node: NirNode,
  size: number,
  x: Float32Array,
  y: Float32Array,
  dt: number,
  maxBatch: number,
  counts: NirExecutor,
): { run: Kernel; reset: () => void; v: Float32Array; u: Float32Array } {
  const p = (key: string, fallback?: number) => perNeuron(file, name, node, key, size, fallback);
  const type = node.type;
  const integrator = type === "IF" || type === "I";
  const cuba = type === "CubaLIF" || type === "CubaLI";
  const spiking = type === "LIF" || type === "CubaLIF" || type === "IF";
  const r = p("r");
  const beta = new Float64Array(size).fill(1);
  const gamma = Float64Array.from(r);
  const lambda = new Float64Array(size);
  if (!integrator) {
    const tau = p(cuba ? "tau_mem" : "tau");
    const vLeak = p("v_leak");
    for (let i = 0; i < size; i++) {
      if (!(tau[i]! > 0)) {
        throw new UserError(
          "E_DATA_INVALID",
          `${file}: NIR node "${name}" (${type}) has a time constant ${tau[i]} ≤ 0`,
        );
      }
      beta[i] = 1 - dt / tau[i]!;
      gamma[i] = (r[i]! * dt) / tau[i]!;
      lambda[i] = (vLeak[i]! * dt) / tau[i]!;
    }
  }
  let alpha: Float64Array | null = null;
  let kappa: Float64Array | null = null;
  if (cuba) {
    const tauSyn = p("tau_syn");
    const wIn = p("w_in", 1);
    alpha = tauSyn.map((t) => 1 - dt / t);
    kappa = tauSyn.map((t, i) => (wIn[i]! * dt) / t);
  }
  const vTh = spiking ? p("v_threshold") : null;
  const vReset = spiking ? p("v_reset", 0) : null;
  const v = new Float32Array(maxBatch * size);
  /** The membrane each step before its reset (snnTorch's recorded membrane). */
  const pre = new Float32Array(maxBatch * size);
  const syn = cuba ? new Float32Array(maxBatch * size) : null;
  return {
    run: (b) => {
      let spikes = 0;
      for (let row = 0; row < b; row++) {
        const o = row * size;
        for (let i = 0; i < size; i++) {
          let drive = x[o + i]!;
          if (syn !== null) {
            syn[o + i] = alpha![i]! * syn[o + i]! + kappa![i]! * drive;
            drive = syn[o + i]!;
          }
          const u = integrator ? v[o + i]! + gamma[i]! * drive : beta[i]! * v[o + i]! + gamma[i]! * drive + lambda[i]!;
          pre[o + i] = u;
          if (vTh !== null) {
            if (u > vTh[i]!) {
              y[o + i] = 1;
              v[o + i] = vReset![i]!;
              spikes++;
            } else {
              y[o + i] = 0;
              v[o + i] = u;
            }
          } else {
            v[o + i] = u;
            y[o + i] = v[o + i]!;
          }
        }
      }
      counts.spikes += spikes;
      counts.neuronUpdates += b * size;
    },
    reset: () => {
      v.fill(0);
      pre.fill(0);
      syn?.fill(0);
    },
    v,
    u: pre,
  };
}
