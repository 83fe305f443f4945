/**
 * Network scenarios and NIR graphs, both ways.
 *
 * `networkToNir`: a network scenario made of NIR primitives becomes a NIR
 * graph. Spike sources (spike-generator, poisson) become Input nodes, nir-*
 * groups their neuron nodes (τ in seconds), each synapse population a Linear
 * node (an Affine one carrying the target group's bias, on its first
 * population), its weights the dense [post × pre] matrix of the built
 * network divided by the jump scale of snn/nir/groups.ts, so NIR sees the
 * current a spike injects. Groups without outgoing synapses get an Output
 * node. Anything NIR cannot express is refused with a message that names it:
 * Izhikevich, AdEx, Hodgkin-Huxley, conductance or CUBA LIF groups (with
 * their refractory periods and two synaptic currents), equation models,
 * plastic synapses (STDP), delays and injected currents.
 *
 * `nirToNetwork`: a NIR graph becomes a network scenario: Input nodes become
 * spike generators (with no spikes: fill them in), neuron nodes nir-* groups,
 * and every chain of stateless nodes between two of them (Affine, Linear,
 * Scale, Flatten, Conv2d, SumPool2d, AvgPool2d) one synapse population with
 * the composed weights as explicit pairs, biases as the target's `bias`.
 * The engine's schedule then adds a step of latency per synaptic layer
 * (snn/nir/groups.ts); the "nir" learner runs a graph with NIR's same-step
 * semantics instead.
 */
import { ScenarioError, UserError } from "../core/errors.js";
import { type NirGraph, type NirNode, nirArray, pair, sizeOf } from "../snn/nir/graph.js";
import { NIR_VERSION } from "../snn/nir/hdf5.js";
import { type NirNeuronKind, nirInputVariable, nirJumpScale, nirParameterNames } from "../snn/nir/groups.js";
import { NirExecutor } from "../snn/nir/executor.js";
import { buildNetwork, nirGroupConfig, type NirModelConfig } from "./build-network.js";
import type { NetworkScenario } from "./network-schema.js";

const NIR_TYPES: Readonly<Record<NirModelConfig["type"], NirNeuronKind>> = {
  "nir-lif": "LIF",
  "nir-cuba-lif": "CubaLIF",
  "nir-li": "LI",
  "nir-cuba-li": "CubaLI",
  "nir-if": "IF",
  "nir-i": "I",
};

/** The scenario model type of each NIR neuron kind. */
const MODEL_TYPES: Readonly<Record<NirNeuronKind, NirModelConfig["type"]>> = {
  LIF: "nir-lif",
  CubaLIF: "nir-cuba-lif",
  LI: "nir-li",
  CubaLI: "nir-cuba-li",
  IF: "nir-if",
  I: "nir-i",
};

const WHY_NOT: Readonly<Record<string, string>> = {
  lif: "a CUBA LIF neuron with a refractory period and two synaptic currents, which NIR's LIF and CubaLIF cannot express (use nir-cuba-lif)",
  "conductance-lif": "a conductance-based LIF neuron, which NIR cannot express",
  izhikevich: "an Izhikevich neuron, which NIR cannot express",
  adex: "an adaptive exponential (AdEx) neuron, which NIR cannot express",
  "hodgkin-huxley": "a Hodgkin-Huxley neuron, which NIR cannot express",
  equations: "an equation model, which NIR cannot express (use a nir-* group type)",
};

const isNir = (t: string): t is NirModelConfig["type"] => t in NIR_TYPES;

/** NIR's name of a parameter array: times in seconds. */
function nirParams(kind: NirNeuronKind, params: Readonly<Record<string, number | readonly number[]>>, size: number) {
  const out: NirNode["params"] = {};
  for (const k of nirParameterNames(kind)) {
    if (k === "bias") continue;
    const p = params[k]!;
    const values = typeof p === "number" ? new Array<number>(size).fill(p) : [...p];
    const seconds = k.startsWith("tau") ? values.map((x) => x / 1000) : values;
    out[k] = nirArray(seconds, [size], "f64");
  }
  return out;
}

/** A network scenario (built with `seed`) as a NIR graph, or a ScenarioError naming what NIR cannot express. */
export function networkToNir(s: NetworkScenario, file: string, seed = s.seeds[0] ?? 0): NirGraph {
  const issues: { path: string; expected: string; found: string }[] = [];
  s.groups.forEach((g, i) => {
    const t = g.model.type;
    if (!isNir(t) && t !== "poisson" && t !== "spike-generator") {
      issues.push({
        path: `$.groups[${i}].model.type`,
        expected: "a NIR primitive (nir-lif, nir-cuba-lif, nir-li, nir-cuba-li, nir-if, nir-i) or a spike source",
        found: `group "${g.name}" is ${WHY_NOT[t] ?? `"${t}"`}`,
      });
    }
  });
  s.synapses.forEach((c, i) => {
    const name = c.name ?? `${c.source}->${c.target}`;
    if (c.plasticity !== undefined) {
      issues.push({
        path: `$.synapses[${i}].plasticity`,
        expected: "fixed weights (NIR has no plasticity)",
        found: `synapses "${name}" learn with ${c.plasticity.rule} (STDP), which NIR cannot express`,
      });
    }
    if (c.delayMs > 0) {
      issues.push({
        path: `$.synapses[${i}].delayMs`,
        expected: "0 (this project does not write NIR's Delay node)",
        found: `${c.delayMs} ms on synapses "${name}"`,
      });
    }
    const target = s.groups.find((g) => g.name === c.target);
    if (target !== undefined && isNir(target.model.type)) {
      const want = nirInputVariable(NIR_TYPES[target.model.type]);
      if (c.targetVar !== want) {
        issues.push({
          path: `$.synapses[${i}].targetVar`,
          expected: `"${want}", the input of a ${target.model.type} group`,
          found: `"${c.targetVar}"`,
        });
      }
    }
  });
  s.currents.forEach((c, i) =>
    issues.push({
      path: `$.currents[${i}]`,
      expected: "no injected currents (a NIR graph is driven through its Input nodes; use a group's bias)",
      found: `a current into ${c.target}.${c.variable}`,
    }),
  );
  if (issues.length > 0) throw new ScenarioError(file, issues);

  const built = buildNetwork(s, seed, file);
  const dtMs = s.dtMs;
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  const kinds = new Map<string, { kind: NirNeuronKind; params: Record<string, number | readonly number[]> }>();
  for (const g of s.groups) {
    if (isNir(g.model.type)) {
      const { kind, params } = nirGroupConfig(g.model as NirModelConfig);
      kinds.set(g.name, { kind, params });
      nodes.set(g.name, { type: kind, params: nirParams(kind, params, g.size) });
    } else {
      nodes.set(g.name, { type: "Input", params: { shape: nirArray([g.size], [1], "i64") } });
    }
  }
  const withBias = new Set<string>();
  const sizes = new Map(s.groups.map((g) => [g.name, g.size]));
  built.synapses.forEach((syn, i) => {
    const c = s.synapses[i]!;
    const pre = sizes.get(c.source)!;
    const post = sizes.get(c.target)!;
    const target = kinds.get(c.target);
    if (target === undefined) {
      throw new ScenarioError(file, [
        {
          path: `$.synapses[${i}].target`,
          expected: "a NIR neuron group (spike sources receive no synapses in NIR)",
          found: `"${c.target}"`,
        },
      ]);
    }
    const w = new Float32Array(post * pre);
    const m = syn.matrix;
    for (let a = 0; a < pre; a++) {
      for (let k = m.rowPtr[a]!; k < m.rowPtr[a + 1]!; k++) {
        const b = m.target[k]!;
        w[b * pre + a] = w[b * pre + a]! + m.weight[k]! / nirJumpScale(target.kind, target.params, b, dtMs);
      }
    }
    const name = `syn${i}`;
    const bias = target.params["bias"];
    const hasBias = bias !== undefined && (typeof bias === "number" ? bias !== 0 : bias.some((x) => x !== 0));
    if (hasBias && !withBias.has(c.target)) {
      withBias.add(c.target);
      const b = typeof bias === "number" ? new Array<number>(post).fill(bias) : [...bias!];
      nodes.set(name, { type: "Affine", params: { weight: nirArray(w, [post, pre]), bias: nirArray(b, [post]) } });
    } else nodes.set(name, { type: "Linear", params: { weight: nirArray(w, [post, pre]) } });
    edges.push([c.source, name], [name, c.target]);
  });
  for (const [g, k] of kinds) {
    const b = k.params["bias"];
    const has = b !== undefined && (typeof b === "number" ? b !== 0 : b.some((x) => x !== 0));
    if (has && !withBias.has(g)) {
      const i = s.groups.findIndex((x) => x.name === g);
      throw new ScenarioError(file, [
        {
          path: `$.groups[${i}].model.bias`,
          expected: "a bias only on a group with incoming synapses (NIR keeps it on the Affine node before it)",
          found: `a bias on "${g}", which no synapses reach`,
        },
      ]);
    }
  }
  const sinks = [...kinds.keys()].filter((g) => !s.synapses.some((c) => c.source === g));
  for (const g of sinks) {
    const out = sinks.length === 1 ? "output" : `output_${g}`;
    nodes.set(out, { type: "Output", params: { shape: nirArray([sizes.get(g)!], [1], "i64") } });
    edges.push([g, out]);
  }
  return {
    nodes,
    edges,
    metadata: { dt: dtMs / 1000, source: `neurocompare network scenario ${s.name}` },
    version: NIR_VERSION,
  };
}

/** A sparse linear map from one source node's output: out = Σ M·src, as (row, col, value) triples. */
interface Sparse {
  rows: number;
  cols: number;
  entries: Map<number, number>; // key row·cols + col
}

function multiply(a: Sparse, b: Sparse): Sparse {
  // (a·b)[i, k] = Σ_j a[i, j]·b[j, k]; b indexed by row.
  const byRow = new Map<number, [number, number][]>();
  for (const [key, v] of b.entries) {
    const j = Math.floor(key / b.cols);
    const list = byRow.get(j) ?? [];
    list.push([key - j * b.cols, v]);
    byRow.set(j, list);
  }
  const out = new Map<number, number>();
  for (const [key, v] of a.entries) {
    const i = Math.floor(key / a.cols);
    const j = key - i * a.cols;
    for (const [k, w] of byRow.get(j) ?? []) {
      const o = i * b.cols + k;
      out.set(o, (out.get(o) ?? 0) + v * w);
    }
  }
  return { rows: a.rows, cols: b.cols, entries: out };
}

/** The linear map of one stateless node (input size n to output size m). */
function linearMap(file: string, name: string, node: NirNode, inSize: number, outSize: number): Sparse {
  const entries = new Map<number, number>();
  const p = node.params;
  switch (node.type) {
    case "Affine":
    case "Linear": {
      const w = p["weight"]!;
      const cols = w.shape[1]!;
      for (let i = 0; i < w.shape[0]!; i++)
        for (let j = 0; j < cols; j++) {
          const v = w.data[i * cols + j]!;
          if (v !== 0) entries.set(i * inSize + j, v);
        }
      break;
    }
    case "Flatten":
    case "Output":
      for (let i = 0; i < inSize; i++) entries.set(i * inSize + i, 1);
      break;
    case "Scale": {
      const s = p["scale"]!.data;
      for (let i = 0; i < inSize; i++) entries.set(i * inSize + i, s.length === 1 ? s[0]! : s[i]!);
      break;
    }
    default:
      throw new UserError(
        "E_DATA_INVALID",
        `${file}: NIR node "${name}" (${node.type}) has no network-scenario equivalent between two groups`,
      );
  }
  return { rows: outSize, cols: inSize, entries };
}

/** The linear map and bias of a Conv2d or pooling node on an input of shape [C, H, W] (output [C', H', W']). */
function spatialMap(
  file: string,
  name: string,
  node: NirNode,
  inShape: readonly number[],
  outShape: readonly number[],
): { map: Sparse; bias: Float64Array } {
  const [cIn, h, w] = inShape as [number, number, number];
  const [cOut, ho, wo] = outShape as [number, number, number];
  const n = cIn * h * w;
  const entries = new Map<number, number>();
  const bias = new Float64Array(cOut * ho * wo);
  const add = (o: number, i: number, v: number) => {
    if (v !== 0) entries.set(o * n + i, (entries.get(o * n + i) ?? 0) + v);
  };
  if (node.type === "Conv2d") {
    const wt = node.params["weight"]!;
    const [sy, sx] = pair(file, name, node, "stride");
    const [py, px] = pair(file, name, node, "padding");
    const [dy, dx] = node.params["dilation"] !== undefined ? pair(file, name, node, "dilation") : [1, 1];
    const groups = node.params["groups"]?.data[0] ?? 1;
    const [kh, kw, cg] = [wt.shape[2]!, wt.shape[3]!, wt.shape[1]!];
    const b = node.params["bias"]?.data;
    for (let co = 0; co < cOut; co++) {
      const g = Math.floor(co / (cOut / groups));
      for (let oy = 0; oy < ho; oy++) {
        for (let ox = 0; ox < wo; ox++) {
          const o = (co * ho + oy) * wo + ox;
          bias[o] = b?.[co] ?? 0;
          for (let c = 0; c < cg; c++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sy - py + ky * dy;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sx - px + kx * dx;
                if (ix >= 0 && ix < w)
                  add(o, ((g * cg + c) * h + iy) * w + ix, wt.data[((co * cg + c) * kh + ky) * kw + kx]!);
              }
            }
          }
        }
      }
    }
  } else {
    const [kh, kw] = pair(file, name, node, "kernel_size");
    const [sy, sx] = pair(file, name, node, "stride");
    const [py, px] = pair(file, name, node, "padding");
    const scale = node.type === "AvgPool2d" ? 1 / (kh * kw) : 1;
    for (let ch = 0; ch < cOut; ch++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++)
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const [iy, ix] = [oy * sy - py + ky, ox * sx - px + kx];
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) add((ch * ho + oy) * wo + ox, (ch * h + iy) * w + ix, scale);
            }
  }
  return { map: { rows: cOut * ho * wo, cols: n, entries }, bias };
}

/** Options of `nirToNetwork`: how a NIR graph becomes a network scenario. */
export interface NirImportOptions {
  /** The scenario's name (lower case letters, digits, . _ -). */
  name: string;
  /** The step; default the graph's metadata dt. */
  dtMs?: number;
  /** Default 100 ms. */
  durationMs?: number;
}

/** A NIR graph as a network scenario (the JSON a scenario file holds, defaults left to the schema). */
export function nirToNetwork(graph: NirGraph, file: string, options: NirImportOptions): Record<string, unknown> {
  const metaDt = graph.metadata["dt"];
  const dtMs = options.dtMs ?? (typeof metaDt === "number" ? metaDt * 1000 : undefined);
  if (dtMs === undefined) {
    throw new UserError(
      "E_OPTION_INVALID",
      `${file}: the graph gives no dt (NIR graphs need not); pass one, e.g. --dt-ms 0.1`,
    );
  }
  // Shapes and sizes, as the executor infers them.
  const ex = new NirExecutor(graph, file, { dtS: dtMs / 1000, maxBatch: 1 });
  const shapeOf = (name: string): number[] => [sizeOf(ex.shapes.get(name)!)];
  const inEdges = new Map<string, string[]>();
  for (const [a, b] of graph.edges) inEdges.set(b, [...(inEdges.get(b) ?? []), a]);
  const isNeuron = (t: string) => ["LIF", "CubaLIF", "LI", "CubaLI", "IF", "I"].includes(t);
  const groups: Record<string, unknown>[] = [];
  const synapses: Record<string, unknown>[] = [];
  const biases = new Map<string, Float64Array>();
  /** For a node: the linear maps from each group (Input or neuron node) that reaches it, and a constant. */
  const forms = new Map<string, { from: Map<string, Sparse>; constant: Float64Array }>();
  const formOf = (name: string, seen: Set<string>): { from: Map<string, Sparse>; constant: Float64Array } => {
    const done = forms.get(name);
    if (done !== undefined) return done;
    const node = graph.nodes.get(name)!;
    const size = shapeOf(name)[0]!;
    if (node.type === "Input" || isNeuron(node.type)) {
      const id: Sparse = { rows: size, cols: size, entries: new Map() };
      for (let i = 0; i < size; i++) id.entries.set(i * size + i, 1);
      const f = { from: new Map([[name, id]]), constant: new Float64Array(size) };
      forms.set(name, f);
      return f;
    }
    if (seen.has(name)) {
      throw new UserError(
        "E_DATA_INVALID",
        `${file}: a cycle through stateless nodes at "${name}" cannot be a network`,
      );
    }
    seen.add(name);
    const from = new Map<string, Sparse>();
    const ins = inEdges.get(name) ?? [];
    const inSize = ins.length > 0 ? shapeOf(ins[0]!)[0]! : 0;
    let local: Sparse;
    let bias: Float64Array = new Float64Array(size);
    if (node.type === "Conv2d" || node.type === "SumPool2d" || node.type === "AvgPool2d") {
      const probed = spatialMap(file, name, node, ex.shapes.get(ins[0]!)!, ex.shapes.get(name)!);
      local = probed.map;
      bias = probed.bias;
    } else {
      local = linearMap(file, name, node, inSize, size);
      if (node.type === "Affine") bias = Float64Array.from(node.params["bias"]!.data);
    }
    const constant = Float64Array.from(bias);
    for (const src of ins) {
      const f = formOf(src, seen);
      for (const [g, m] of f.from) {
        const composed = multiply(local, m);
        const prev = from.get(g);
        if (prev !== undefined)
          for (const [k, v] of composed.entries) prev.entries.set(k, (prev.entries.get(k) ?? 0) + v);
        else from.set(g, composed);
      }
      for (const [k, v] of local.entries) {
        const i = Math.floor(k / local.cols);
        constant[i] = constant[i]! + v * f.constant[k - i * local.cols]!;
      }
    }
    const f = { from, constant };
    forms.set(name, f);
    return f;
  };

  const kinds = new Map<string, NirNeuronKind>();
  for (const [name, node] of graph.nodes) {
    if (node.type === "Input") {
      groups.push({
        name: safeName(name),
        size: shapeOf(name)[0],
        model: { type: "spike-generator", indices: [], timesMs: [] },
      });
    } else if (isNeuron(node.type)) kinds.set(name, node.type as NirNeuronKind);
    else if (
      !["Output", "Affine", "Linear", "Scale", "Flatten", "Conv2d", "SumPool2d", "AvgPool2d"].includes(node.type)
    ) {
      throw new UserError(
        "E_DATA_INVALID",
        `${file}: NIR node "${name}" (${node.type}) has no network-scenario equivalent (the "nir" learner runs it)`,
      );
    }
  }
  for (const [name, kind] of kinds) {
    const size = shapeOf(name)[0]!;
    const params: Record<string, number | number[]> = {};
    const node = graph.nodes.get(name)!;
    for (const k of nirParameterNames(kind)) {
      if (k === "bias") continue;
      const p = node.params[k];
      const fallback = k === "v_reset" || k === "v_leak" ? 0 : k === "w_in" || k === "r" ? 1 : undefined;
      if (p === undefined && fallback === undefined) {
        throw new UserError("E_DATA_INVALID", `${file}: NIR node "${name}" (${kind}) has no "${k}"`);
      }
      const values = p === undefined ? [fallback!] : Array.from(p.data, (x) => (k.startsWith("tau") ? x * 1000 : x));
      params[k] = values.every((x) => x === values[0]) ? values[0]! : values;
    }
    // Inputs: each producer's composed map from each group.
    const incoming = new Map<string, Sparse>();
    const constant = new Float64Array(size);
    for (const src of inEdges.get(name) ?? []) {
      const f = formOf(src, new Set());
      for (const [g, m] of f.from) {
        const prev = incoming.get(g);
        if (prev !== undefined) for (const [k, v] of m.entries) prev.entries.set(k, (prev.entries.get(k) ?? 0) + v);
        else incoming.set(g, { ...m, entries: new Map(m.entries) });
      }
      for (let i = 0; i < size; i++) constant[i] = constant[i]! + f.constant[i]!;
    }
    biases.set(name, constant);
    const uniformBias = constant.every((x) => x === constant[0]);
    const model: Record<string, unknown> = { type: MODEL_TYPES[kind] };
    const scenarioKey: Record<string, string> = {
      tau: "tauMs",
      tau_syn: "tauSynMs",
      tau_mem: "tauMemMs",
      r: "r",
      v_leak: "vLeak",
      v_threshold: "vThreshold",
      v_reset: "vReset",
      w_in: "wIn",
    };
    for (const [k, v] of Object.entries(params)) model[scenarioKey[k]!] = v;
    model["bias"] = uniformBias ? constant[0]! : Array.from(constant);
    groups.push({ name: safeName(name), size, model });
    const scaleParams: Record<string, number | readonly number[]> = { ...params, bias: 0 };
    for (const [g, m] of incoming) {
      const pre: number[] = [];
      const post: number[] = [];
      const weight: number[] = [];
      const sorted = [...m.entries].sort((a, b) => {
        const [ia, ja] = [Math.floor(a[0] / m.cols), a[0] % m.cols];
        const [ib, jb] = [Math.floor(b[0] / m.cols), b[0] % m.cols];
        return ja - jb || ia - ib;
      });
      for (const [k, v] of sorted) {
        const i = Math.floor(k / m.cols);
        const j = k - i * m.cols;
        pre.push(j);
        post.push(i);
        weight.push(v * nirJumpScale(kind, scaleParams, i, dtMs));
      }
      synapses.push({
        source: safeName(g),
        target: safeName(name),
        targetVar: nirInputVariable(kind),
        connect: { rule: "explicit", pre, post },
        weight,
      });
    }
  }
  return {
    kind: "network",
    name: options.name,
    description: `Imported from ${file} (NIR ${graph.version || "version not given"}): ${graph.nodes.size} nodes, ${graph.edges.length} edges`,
    dtMs,
    durationMs: options.durationMs ?? 100,
    groups,
    synapses,
  };
}

/** A NIR node name as a group name (letters, digits, '_' or '-', not starting with a digit). */
function safeName(name: string): string {
  const s = name.replace(/[^\w-]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `n_${s}`;
}
