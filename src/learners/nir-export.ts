/**
 * A trained surrogate-gradient network as a NIR graph (snn/nir/graph.ts),
 * and `exportNir(learner, path)` to write it as a `.nir` file.
 *
 *   input -> fc0 (Affine) -> lif0 (LIF) [-> rec0 (Linear) -> lif0] -> fc1 -> lif1 ... -> output
 *
 * The learner's discrete LIF, U ← β·U + W·x + b, spike when U > θ, is the
 * forward-Euler discretisation of NIR's LIF τ·dv/dt = (v_leak − v) + R·I at
 * the learner's step dt with τ = dt/(1 − β), R = τ/dt, v_leak = 0
 * (snnTorch's export does the same). τ is chosen among the float64 values
 * next to dt/(1 − β) so that 1 − dt/τ gives β back exactly where one does
 * (within one unit in the last place otherwise), and R so that R·dt/τ is
 * exactly 1; both are stored as float64, the weights as float32. With the
 * reset "zero" (v_reset = 0) the NIR executor then computes the learner's
 * own outputs. Reset by subtraction has no NIR equivalent (NIR's LIF resets
 * to v_reset) and is refused, naming the layer. The graph's metadata records
 * dt (seconds) and how the learner presented its input (steps, encoding,
 * gain, readout): NIR readers must not depend on metadata, and this
 * project's NIR learner only takes defaults from it.
 */
import { UserError } from "../core/errors.js";
import { NIR_VERSION, writeNir } from "../snn/nir/hdf5.js";
import { nirArray, type NirGraph, type NirNode } from "../snn/nir/graph.js";
import type { Learner } from "./learner.js";
import { SurrogateLearner } from "./surrogate.js";

/** A time constant τ near dt/(1 − β) for which 1 − dt/τ is β exactly, when one of the nearest float64s is. */
export function tauForDecay(beta: number, dt: number): number {
  const tau0 = dt / (1 - beta);
  if (1 - dt / tau0 === beta) return tau0;
  const buf = new Float64Array(1);
  const bits = new BigInt64Array(buf.buffer);
  for (let k = 1; k <= 8; k++) {
    for (const sign of [1n, -1n]) {
      buf[0] = tau0;
      bits[0] = bits[0]! + sign * BigInt(k);
      const tau = buf[0]!;
      if (1 - dt / tau === beta) return tau;
    }
  }
  return tau0;
}

/** R with R·dt/τ exactly 1 (R = τ/dt, nudged by an ulp when rounding misses). */
export function unitGain(tau: number, dt: number): number {
  const r0 = tau / dt;
  const buf = new Float64Array(1);
  const bits = new BigInt64Array(buf.buffer);
  for (const k of [0n, 1n, -1n, 2n, -2n]) {
    buf[0] = r0;
    bits[0] = bits[0]! + k;
    if ((buf[0]! * dt) / tau === 1) return buf[0]!;
  }
  return r0;
}

/** Why a learner cannot be written as NIR, or undefined when it can. */
function refusal(learner: Learner): string | undefined {
  switch (learner.type) {
    case "surrogate":
      return undefined;
    case "stdp":
      return `learner "${learner.name}" (type "stdp") learns with STDP and uses conductance-based neurons with adaptive thresholds, which NIR cannot express`;
    case "lsm":
      return `learner "${learner.name}" (type "lsm") has a pool of LIF neurons with a refractory period and two synaptic time constants, which NIR's LIF and CubaLIF cannot express`;
    default:
      return `learner "${learner.name}" (type "${learner.type}") is not a spiking network; NIR export is for "surrogate" learners`;
  }
}

/** The surrogate learner's network as a NIR graph, at its step dt (or `dtMs`). */
export function surrogateToNir(learner: SurrogateLearner, options: { dtMs?: number } = {}): NirGraph {
  const c = learner.config;
  if (c.encoding === "sequence") {
    throw new UserError(
      "E_CONFIG_INVALID",
      `learner "${learner.name}": encoding "sequence" presents one sequence element per stepsPerElement steps, which a NIR graph's single Input cannot carry; export a learner with encoding "direct" or "poisson"`,
    );
  }
  const dtS = (options.dtMs ?? c.dtMs) / 1000;
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  const layers = learner.layers;
  nodes.set("input", { type: "Input", params: { shape: nirArray([layers[0]!.inSize], [1], "i64") } });
  let prev = "input";
  learner.withInferenceParameters(() => {
    layers.forEach((layer, l) => {
      const name = l === layers.length - 1 ? "out" : `lif${l}`;
      if (layer.reset !== "zero") {
        throw new UserError(
          "E_CONFIG_INVALID",
          `learner "${learner.name}", layer "${name}": reset by subtraction has no NIR equivalent (NIR's LIF resets to v_reset); train with "reset": "zero" to export it`,
        );
      }
      const m = layer.inSize;
      const n = layer.outSize;
      // The learner stores W as [in × out]; NIR's Affine weight is [out × in].
      const w = new Float32Array(n * m);
      const wl = layer.weight.value;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = wl[i * n + j]!;
      const fc = `fc${l}`;
      nodes.set(fc, {
        type: "Affine",
        params: { weight: nirArray(w, [n, m]), bias: nirArray(layer.bias.value, [n]) },
      });
      const tau = tauForDecay(layer.beta, dtS);
      const r = unitGain(tau, dtS);
      const fill = (x: number) => nirArray(new Float64Array(n).fill(x), [n], "f64");
      nodes.set(name, {
        type: "LIF",
        params: { tau: fill(tau), r: fill(r), v_leak: fill(0), v_threshold: fill(layer.threshold), v_reset: fill(0) },
      });
      edges.push([prev, fc], [fc, name]);
      const v = layer.recurrentWeight;
      if (v !== null) {
        const rw = new Float32Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rw[j * n + i] = v.value[i * n + j]!;
        const rec = `rec${l}`;
        nodes.set(rec, { type: "Linear", params: { weight: nirArray(rw, [n, n]) } });
        edges.push([name, rec], [rec, name]);
      }
      prev = name;
    });
  });
  const classes = layers[layers.length - 1]!.outSize;
  nodes.set("output", { type: "Output", params: { shape: nirArray([classes], [1], "i64") } });
  edges.push([prev, "output"]);
  return {
    nodes,
    edges,
    metadata: {
      dt: dtS,
      steps: c.steps,
      encoding: c.encoding,
      gain: c.gain,
      readout: c.loss === "spike-count" ? "spike-count" : c.loss === "membrane-max" ? "membrane-max" : "membrane",
      source: "neurocompare surrogate learner",
    },
    version: NIR_VERSION,
  };
}

/** The NIR graph of a learner, or a UserError naming what NIR cannot express. */
export function learnerToNir(learner: Learner, options: { dtMs?: number } = {}): NirGraph {
  const why = refusal(learner);
  if (why !== undefined || !(learner instanceof SurrogateLearner)) {
    throw new UserError("E_CONFIG_INVALID", `cannot export to NIR: ${why ?? "not a surrogate learner"}`);
  }
  return surrogateToNir(learner, options);
}

/** Writes a learner's network as a `.nir` file at `path` (the caller builds the path with outputPath). */
export async function exportNir(learner: Learner, path: string, options: { dtMs?: number } = {}): Promise<NirGraph> {
  const graph = learnerToNir(learner, options);
  await writeNir(path, graph);
  return graph;
}
