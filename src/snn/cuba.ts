/**
 * The CUBA benchmark network (Vogels & Abbott 2005, as in Brian2's
 * examples/CUBA.py; Brian2 2.5.1's C++ standalone runs it at N = 4,000 with
 * 319,792 synapses, 22,463 spikes, 5.6 Hz mean rate):
 *
 *   N = 4000 LIF neurons, the first 80% excitatory, the rest inhibitory;
 *   dv/dt = (ge + gi - (v - El)) / taum, dge/dt = -ge/taue, dgi/dt = -gi/taui,
 *   taum 20 ms, taue 5 ms, taui 10 ms, El -49 mV, Vt -50 mV, Vr -60 mV,
 *   refractory 5 ms; v(0) uniform in [Vr, Vt], ge = gi = 0;
 *   excitatory synapses ge += 1.62 mV, inhibitory gi += -9 mV, each pair
 *   connected with probability p = 0.02 (self-connections allowed, as in
 *   Brian2), no delay; dt 0.1 ms.
 *
 * `neurons` scales N while holding the expected in-degree at 80: p = 80 / N
 * (0.02 at N = 4000; 8.0 M synapses at N = 100,000).
 */
import { Rng } from "../core/rng.js";
import { UserError } from "../core/errors.js";
import { LifGroup, type LifParams, type LifPrecision } from "./neurons/lif.js";
import { Network } from "./network.js";
import { SpikeMonitor } from "./monitors.js";
import { Synapses } from "./synapses/synapses.js";

export const CUBA_PARAMS: Readonly<LifParams> = {
  tauMs: 20,
  elMv: -49,
  vThreshMv: -50,
  vResetMv: -60,
  refractoryMs: 5,
  tauEMs: 5,
  tauIMs: 10,
};

/** Brian2's we = (60·0.27/10) mV and wi = (-20·4.5/10) mV. */
export const CUBA_WE_MV = 1.62;
export const CUBA_WI_MV = -9;
/** Expected in-degree from each population type together: 0.02 · 4000. */
export const CUBA_IN_DEGREE = 80;

/** Size, seed, time step and arithmetic of {@link buildCuba}'s network. */
export interface CubaOptions {
  /** Network size; default 4000. */
  neurons?: number;
  /** Default 0. */
  seed?: number;
  /** Default 0.1. */
  dtMs?: number;
  /** Keep every (index, time) spike pair, not only counts; default true. */
  keepSpikes?: boolean;
  /** LIF state and arithmetic; default "float64" (Brian2's). "float32" is opt-in and moves spikes. */
  precision?: LifPrecision;
}

/** The CUBA network, its parts and its size. */
export interface Cuba {
  network: Network;
  group: LifGroup;
  excitatory: Synapses;
  inhibitory: Synapses;
  spikes: SpikeMonitor;
  neurons: number;
  excitatoryCount: number;
  /** Connection probability used (80 / N). */
  p: number;
  /** Total synapses. */
  synapses: number;
}

/**
 * The CUBA benchmark network (Vogels & Abbott 2005, as Brian2's examples/CUBA.py): 4,000 LIF neurons, 80%
 * excitatory, connection probability 0.02, no external input; `neurons` scales it at a fixed in-degree of 80.
 *
 * ```ts
 * const cuba = buildCuba({ neurons: 4000, seed: 1 });
 * cuba.network.run(1000); // ms
 * console.log(cuba.spikes.totalSpikes() / 4000, "Hz");
 * ```
 */
export function buildCuba(opts: CubaOptions = {}): Cuba {
  const n = opts.neurons ?? 4000;
  const seed = opts.seed ?? 0;
  const dtMs = opts.dtMs ?? 0.1;
  if (!Number.isInteger(n) || n < 2)
    throw new UserError("E_OPTION_INVALID", `CUBA: neurons must be an integer >= 2, found ${n}`);
  const nExc = Math.round(0.8 * n);
  const p = Math.min(1, CUBA_IN_DEGREE / n);
  const rng = Rng.fromSeed(seed).fork("cuba");
  const group = new LifGroup(
    "cuba",
    n,
    CUBA_PARAMS,
    dtMs,
    opts.precision === undefined ? {} : { precision: opts.precision },
  );
  rng.fork("v0").fillUniform(group.v, CUBA_PARAMS.vResetMv, CUBA_PARAMS.vThreshMv);
  const excitatory = new Synapses({
    name: "Ce",
    source: group,
    target: group,
    targetVar: "ge",
    connect: { rule: "probability", p },
    preRange: [0, nExc],
    weight: CUBA_WE_MV,
    rng: rng.fork("Ce"),
  });
  const inhibitory = new Synapses({
    name: "Ci",
    source: group,
    target: group,
    targetVar: "gi",
    connect: { rule: "probability", p },
    preRange: [nExc, n],
    weight: CUBA_WI_MV,
    rng: rng.fork("Ci"),
  });
  const spikes = new SpikeMonitor(group, dtMs, { keepSpikes: opts.keepSpikes ?? true });
  const network = new Network({ dtMs, groups: [group], synapses: [excitatory, inhibitory], monitors: [spikes] });
  return {
    network,
    group,
    excitatory,
    inhibitory,
    spikes,
    neurons: n,
    excitatoryCount: nExc,
    p,
    synapses: excitatory.matrix.count + inhibitory.matrix.count,
  };
}
