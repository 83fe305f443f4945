/**
 * Lateral inhibition / winner-take-all through an inhibitory population (as
 * in Diehl & Cook 2015): each excitatory neuron drives its own inhibitory
 * partner one-to-one, and each inhibitory neuron inhibits every excitatory
 * neuron except its partner. The first excitatory neuron to fire silences the
 * others for as long as the inhibition lasts.
 *
 * Builds the two synapse populations for the engine (src/snn/synapses) as CSR
 * matrices: excitatory→inhibitory (N synapses) and inhibitory→excitatory
 * (N·(N-1) synapses), both with constant weights.
 */
import { z } from "zod";
import { SynapseMatrix } from "../snn/synapses/csr.js";
import { Synapses } from "../snn/synapses/synapses.js";
import type { NeuronGroup } from "../snn/group.js";

export const lateralInhibitionConfigSchema = z.strictObject({
  excToInhWeight: z.number().min(0).default(10.4).describe("weight of each excitatory→partner synapse"),
  inhToExcWeight: z.number().min(0).default(17).describe("weight of each inhibitory→other-excitatory synapse"),
  excTargetVar: z.string().default("ge").describe("variable of the inhibitory neurons the excitatory weight adds to"),
  inhTargetVar: z.string().default("gi").describe("variable of the excitatory neurons the inhibitory weight adds to"),
});
export type LateralInhibitionConfig = z.infer<typeof lateralInhibitionConfigSchema>;

/** One-to-one: i → i. */
export function oneToOneMatrix(n: number, weight: number): SynapseMatrix {
  const rowPtr = new Int32Array(n + 1);
  const target = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = i + 1;
    target[i] = i;
  }
  return new SynapseMatrix(n, n, rowPtr, target, new Float32Array(n).fill(weight));
}

/** All-to-all except self: i → j for every j ≠ i. */
export function allButSelfMatrix(n: number, weight: number): SynapseMatrix {
  const rowPtr = new Int32Array(n + 1);
  const target = new Int32Array(n * (n - 1));
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (j !== i) target[s++] = j;
    rowPtr[i + 1] = s;
  }
  return new SynapseMatrix(n, n, rowPtr, target, new Float32Array(s).fill(weight));
}

/** The two synapse populations of a winner-take-all circuit between `exc` and `inh` (equal sizes). */
export function winnerTakeAll(
  exc: NeuronGroup,
  inh: NeuronGroup,
  config: LateralInhibitionConfig,
): [Synapses, Synapses] {
  if (exc.size !== inh.size)
    throw new RangeError(
      `winner-take-all needs equal populations, got ${exc.size} excitatory and ${inh.size} inhibitory`,
    );
  const n = exc.size;
  const e2i = new Synapses(
    {
      name: `${exc.name}->${inh.name}:wta`,
      source: exc,
      target: inh,
      targetVar: config.excTargetVar,
      connect: { rule: "one-to-one" },
    },
    oneToOneMatrix(n, config.excToInhWeight),
  );
  const i2e = new Synapses(
    {
      name: `${inh.name}->${exc.name}:wta`,
      source: inh,
      target: exc,
      targetVar: config.inhTargetVar,
      connect: { rule: "all-to-all", allowSelf: false },
    },
    allButSelfMatrix(n, config.inhToExcWeight),
  );
  return [e2i, i2e];
}
