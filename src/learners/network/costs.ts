/**
 * Inference costs of the `network` learner (src/metrics/costs.ts, the
 * NeuroBench definitions), measured on real samples presented as `evaluate`
 * presents them (plasticity off, repetitions and rests included), from the
 * state a reset gives, with input spikes drawn from the side stream "costs"
 * (the same numbers at every call); every piece of state is put back
 * afterwards. Per simulated step the dense count is every stored synapse of
 * every population (the connectivity is the architecture: an all-to-all
 * population counts nPre·nPost, a sparse one its synapses). ACs: each
 * source's spikes × its non-zero fan-out, summed over populations.
 * Activations: every hidden neuron at every step. Membrane updates: hidden
 * neurons × steps, with the number of state variables each model integrates.
 * A linear readout adds its MACs (dense: neurons × classes per sample;
 * effective: non-zero weights of the neurons that fired). Footprint: CSR
 * synapses, delay rings, the hidden groups' state, the readout's parameters
 * and the input stage's state.
 */
import { AdexGroup } from "../../snn/neurons/adex.js";
import { ConductanceLifGroup } from "../../snn/neurons/conductance-lif.js";
import { EquationGroup } from "../../snn/equations/equation-group.js";
import type { NeuronGroup } from "../../snn/group.js";
import { HodgkinHuxleyGroup } from "../../snn/neurons/hodgkin-huxley.js";
import { IzhikevichGroup } from "../../snn/neurons/izhikevich.js";
import { LifGroup } from "../../snn/neurons/lif.js";
import { PoissonGroup } from "../../snn/inputs/poisson.js";
import { RateInputGroup } from "../../snn/inputs/rate-input.js";
import {
  CostCounter,
  csrBytes,
  nonZeroFanOut,
  nonZeroPerRow,
  paramBytes,
  spikeOps,
  type InferenceCosts,
} from "../../metrics/costs.js";
import type { NetworkLearnerParts } from "./parts.js";

/** The state variables a group's step integrates (for membrane-update memory traffic). */
export function integratedVariables(g: NeuronGroup): number {
  if (g instanceof LifGroup || g instanceof ConductanceLifGroup) return 3;
  if (g instanceof IzhikevichGroup || g instanceof AdexGroup) return 2;
  if (g instanceof HodgkinHuxleyGroup) return 4;
  if (g instanceof EquationGroup) return g.differentialVariables.length;
  return Object.keys(g.state).length;
}

/** Bytes of a group's state for inference: its state arrays and refractory bookkeeping. */
export function groupBytes(g: NeuronGroup): number {
  let bytes = 0;
  for (const a of Object.values(g.state)) bytes += a.byteLength;
  const last: unknown = Reflect.get(g, "lastSpikeStep");
  if (last instanceof Int32Array) bytes += last.byteLength;
  return bytes;
}

/** Runs the measurement (see the file comment). */
export function measureNetworkCosts(learner: NetworkLearnerParts, x: Float32Array, batch: number): InferenceCosts {
  const restore = learner.saveState();
  const counter = new CostCounter();
  const inputSize = learner.inputSize;
  try {
    const src = learner.input.group;
    if (src instanceof RateInputGroup || src instanceof PoissonGroup) src.setGeneratorState(learner.costSeeds);
    learner.resetState();
    for (const m of learner.monitors) m.clear();
    const step0 = learner.network.step;
    const readout = learner.readout;
    const nnzOut =
      readout.kind === "linear"
        ? nonZeroPerRow(readout.layer.weight.value, readout.neurons, readout.classes)
        : new Int32Array(0);
    for (let b = 0; b < batch; b++) {
      learner.evaluatePresentation(x, b * inputSize);
      if (readout.kind === "linear") {
        const c = learner.counts;
        for (let j = 0; j < c.length; j++) if (c[j] !== 0) counter.effectiveMacs += nnzOut[j]!;
      }
    }
    const steps = learner.network.step - step0;
    let stored = 0;
    const countsOf = new Map<object, Int32Array>();
    learner.monitors.forEach((m) => countsOf.set(m.source, m.counts));
    for (const s of learner.synapses) {
      const m = s.synapses.matrix;
      stored += m.count;
      const c = countsOf.get(s.synapses.source);
      if (c !== undefined) counter.effectiveAcs += spikeOps(c, nonZeroFanOut(m));
    }
    counter.denseOps = steps * stored + (readout.kind === "linear" ? batch * readout.neurons * readout.classes : 0);
    learner.hidden.forEach((g, k) => {
      counter.addSpikes(g.size * steps, learner.monitors[k]!.totalSpikes());
      counter.addMembraneUpdates(g.size * steps, integratedVariables(g));
    });
  } finally {
    restore();
  }
  let footprint = learner.input.bytes();
  for (const s of learner.synapses) {
    const m = s.synapses.matrix;
    footprint += csrBytes(m);
    const slots = m.maxDelaySteps() + 1;
    if (slots > 1) {
      const target = s.synapses.target.state[s.synapses.targetVar]!;
      footprint += slots * (target.BYTES_PER_ELEMENT * target.length + 1);
    }
  }
  for (const g of learner.hidden) footprint += groupBytes(g);
  if (learner.readout.kind === "linear") footprint += paramBytes(learner.readout.params());
  return counter.finish(batch, footprint);
}
