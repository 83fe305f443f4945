/**
 * The Diehl & Cook (2015) network as one fused, allocation-free step loop:
 *
 *   784 Poisson inputs --plastic, all-to-all (dense, row-major w[pixel·N + j])--> N excitatory
 *   conductance LIF neurons with adaptive thresholds --one-to-one--> N inhibitory
 *   neurons --all-to-all except the partner--> excitatory neurons (lateral inhibition)
 *
 * Each population (exponential Euler: conductances held over the step, v
 * relaxes exactly towards its momentary equilibrium, exp(-x) by its series
 * while x < 0.05; ge, gi decay exactly and are flushed to 0 below 1e-9):
 *
 *   tau dv/dt = (El - v) + ge (Ee - v) + gi (Ei - v)    (held at vReset while refractory, as Brian2 holds it)
 *   dge/dt = -ge / tauGe,  dgi/dt = -gi / tauGi
 *   excitatory spike when v > vThresh + theta; theta += thetaPlus, decays with tauTheta
 *
 * STDP on the input weights (Diehl & Cook's rule, traces set to 1 at a spike):
 *   input spike of pixel i: ge_j += w_ij; w_ij ← max(0, w_ij - etaPre · post1_j);  pre_i = 1
 *   excitatory spike of j:  w_ij ← min(wMax, w_ij + etaPost · pre_i · post2_j(before));  post1_j = post2_j = 1
 *   with pre, post1, post2 decaying with 20, 20, 40 ms.
 *
 * Schedule per step (Brian2's): integrate and threshold both populations, then
 * deliver input spikes (with their depression), then excitatory spikes (to
 * their inhibitory partners, with potentiation), then inhibitory spikes, then
 * reset. Event-driven where it is exact or nearly so:
 * - only pixels with non-zero intensity draw Bernoulli(rate·dt) each step;
 *   only their rows are walked, only their pre traces are kept;
 * - traces are set to 1 at a spike, so each is a table lookup by the age of
 *   the last spike (no per-step decay loop); a trace older than 10 time
 *   constants reads 0 (e^-10 = 4.5e-5 of its peak), so the depression at an
 *   input spike walks only the neurons that fired within 10·tauPost1;
 * - an inhibitory neuron changes only through its partner's spikes: while its
 *   conductance is 0 and it is not refractory it is taken off the step loop and
 *   its v relaxes in closed form, El + (v - El)·exp(-k·dt/tau), when it is
 *   needed again.
 *
 * Pruning (src/learners/diehl-cook/structure.ts): `mask` (1 live, 0 pruned)
 * over the dense weights, and per input neuron the list of its live targets
 * (`liveRowPtr`, `liveTargets`, rebuilt by `rebuildLiveIndex` after pruning
 * or growth), so an input spike walks only its live synapses and time per
 * sample falls with the density. A pruned weight is 0 and stays 0: depression
 * clamps at 0, potentiation skips masked synapses, normalisation scales 0 to 0.
 * With the co-activity trace on (`trackCoactivity`), every synapse keeps a
 * decaying pre×post score during learning ("use it or lose it"):
 *   input spike of i:       c_ij += post1_j   for the recently active j
 *   excitatory spike of j:  c_ij += pre_i     for the active inputs i
 * decaying with tauMs of simulated time. The decay is one global factor:
 * scores are stored multiplied by g(t) = exp(t/tau) (renormalised before it
 * overflows), so a spike costs one add and nothing decays per step; the
 * ranking, all that pruning needs, is the stored values' ranking.
 */
import type { Rng } from "../../core/rng.js";
import { xorshiftNext } from "../../core/xorshift.js";
import { refractorySteps } from "../../snn/neurons/common.js";
import { typedBytes } from "../../metrics/costs.js";
import { waterFill } from "../../plasticity/normalization.js";

export interface PopulationParams {
  elMv: number;
  vResetMv: number;
  vThreshMv: number;
  tauMs: number;
  eExcMv: number;
  eInhMv: number;
  tauGeMs: number;
  tauGiMs: number;
  refractoryMs: number;
}

/** Diehl & Cook's excitatory neurons (their Brian code): rest -65, reset -65, threshold -52 mV, tau 100 ms. */
export const EXCITATORY: PopulationParams = {
  elMv: -65,
  vResetMv: -65,
  vThreshMv: -52,
  tauMs: 100,
  eExcMv: 0,
  eInhMv: -100,
  tauGeMs: 1,
  tauGiMs: 2,
  refractoryMs: 5,
};
/** Their inhibitory neurons: rest -60, reset -45, threshold -40 mV, tau 10 ms. */
export const INHIBITORY: PopulationParams = {
  elMv: -60,
  vResetMv: -45,
  vThreshMv: -40,
  tauMs: 10,
  eExcMv: 0,
  eInhMv: -85,
  tauGeMs: 1,
  tauGiMs: 2,
  refractoryMs: 2,
};

export interface DiehlCookNetworkParams {
  inputs: number;
  excitatory: number;
  dtMs: number;
  presentationMs: number;
  restMs: number;
  /** "simulate": run the rest period with no input; "reset": set v, conductances and traces to rest instead. */
  restMode: "simulate" | "reset";
  /** Poisson rate of a pixel of intensity 1 (Hz). */
  maxRateHz: number;
  /** Rate added per unit intensity at each re-presentation of a sample that elicited < minSpikes spikes. */
  boostRateHz: number;
  minSpikes: number;
  maxBoosts: number;
  etaPre: number;
  etaPost: number;
  tauPreMs: number;
  tauPost1Ms: number;
  tauPost2Ms: number;
  wMax: number;
  initWeightMax: number;
  thetaPlusMv: number;
  tauThetaMs: number;
  excToInhWeight: number;
  inhToExcWeight: number;
}

export class DiehlCookNetwork {
  readonly p: Readonly<DiehlCookNetworkParams>;
  readonly nIn: number;
  readonly n: number;
  /** Input weights, row-major by pixel: w[i·N + j]. */
  readonly weights: Float32Array;
  /** Adaptive threshold per excitatory neuron (mV above vThresh). */
  readonly theta: Float32Array;
  /** Excitatory spike counts of the last (successful) presentation. */
  readonly counts: Int32Array;
  // Counters since the last `resetCounters`.
  inputSpikes = 0;
  excSpikes = 0;
  inhSpikes = 0;
  synapticEvents = 0;
  boosts = 0;
  presentations = 0;
  /** Inhibitory neuron updates done (steps of neurons on the loop, closed-form catch-ups), since creation. */
  inhibitoryUpdates = 0;
  /** Excitatory neurons that never spike (1), set by the learner's `silenceUnits`. */
  readonly silenced: Uint8Array;
  /** When set, each input's spikes are counted here (cost measurement). */
  inputSpikeCounts: Int32Array | null = null;
  /** When set, each excitatory / inhibitory neuron's spikes (every simulated step, rest included) are added here (the learner's neuronRatesHz). */
  excSpikeCounts: Float64Array | null = null;
  inhSpikeCounts: Float64Array | null = null;
  /** Pruning mask over `weights` (1 live, 0 pruned); null while all-to-all. */
  mask: Uint8Array | null = null;
  /** Live targets of each input neuron: liveTargets[liveRowPtr[i] .. liveRowPtr[i+1]); null while all-to-all. */
  liveRowPtr: Int32Array | null = null;
  liveTargets: Int32Array | null = null;
  /** Live synapses of each excitatory neuron as weight indices: liveColIdx[liveColPtr[j] .. liveColPtr[j+1]); null while all-to-all. */
  liveColPtr: Int32Array | null = null;
  liveColIdx: Int32Array | null = null;
  /** Co-activity score per synapse, stored times coGain (see the file comment); null unless tracked. */
  coactivity: Float32Array | null = null;
  /** exp(elapsed / tau) since the last renormalisation. */
  private coGain = 1;
  /** exp(dt / tau). */
  private coGrowth = 1;

  private readonly presentSteps: number;
  private readonly restSteps: number;
  // Excitatory state.
  private readonly v: Float32Array;
  private readonly ge: Float32Array;
  private readonly gi: Float32Array;
  private readonly refE: Int32Array;
  /** Step of each excitatory neuron's last spike (traces post1, post2 are lookups by its age). */
  private readonly lastSpikeE: Int32Array;
  /** Excitatory neurons that fired within 10·tauPost1: the only ones an input spike depresses. */
  private readonly recent: Int32Array;
  private readonly inRecent: Uint8Array;
  private nRecent = 0;
  private readonly post1Decay: Float32Array;
  private readonly post2Decay: Float32Array;
  // Inhibitory state.
  private readonly vI: Float32Array;
  private readonly geI: Float32Array;
  private readonly giI: Float32Array;
  private readonly refI: Int32Array;
  /** Inhibitory neurons on the step loop; the others relax in closed form from step vILast. */
  private readonly activeI: Int32Array;
  private readonly isActiveI: Uint8Array;
  private nActiveI = 0;
  private readonly vILast: Int32Array;
  // Spikes of the current step.
  private readonly spikedE: Int32Array;
  private readonly spikedI: Int32Array;
  private readonly isSpikedI: Uint8Array;
  // Active inputs of the current sample.
  private readonly activeIdx: Int32Array;
  private readonly activeProb: Float32Array;
  private readonly preLast: Int32Array;
  private nActive = 0;
  /** exp(-k·dt/tauPre) for k = 0 .. table length - 1 (0 beyond). */
  private readonly preDecay: Float32Array;
  private readonly noise: Uint32Array;
  /** The side stream's seed for cost measurement (fork "costs"). */
  private readonly costNoise: Uint32Array;
  private clock = 0;
  private readonly dE: { ge: number; gi: number; leak: number };
  private readonly dI: { ge: number; gi: number; leak: number };

  constructor(params: DiehlCookNetworkParams, rng: Rng) {
    this.p = { ...params };
    const N = params.excitatory;
    this.nIn = params.inputs;
    this.n = N;
    this.presentSteps = Math.max(1, Math.round(params.presentationMs / params.dtMs));
    this.restSteps = Math.max(0, Math.round(params.restMs / params.dtMs));
    this.weights = new Float32Array(this.nIn * N);
    // Diehl & Cook's random initial weights: (U[0,1) + 0.01) · 0.3, here scaled by initWeightMax.
    const init = rng.fork("weights");
    for (let k = 0; k < this.weights.length; k++) this.weights[k] = (init.next() + 0.01) * params.initWeightMax;
    this.theta = new Float32Array(N);
    this.counts = new Int32Array(N);
    this.v = new Float32Array(N).fill(EXCITATORY.elMv - 40);
    this.ge = new Float32Array(N);
    this.gi = new Float32Array(N);
    this.refE = new Int32Array(N);
    this.lastSpikeE = new Int32Array(N).fill(-0x3fffffff);
    this.recent = new Int32Array(N);
    this.inRecent = new Uint8Array(N);
    this.post1Decay = decayTable(params.tauPost1Ms, params.dtMs);
    this.post2Decay = decayTable(params.tauPost2Ms, params.dtMs);
    this.vI = new Float32Array(N).fill(INHIBITORY.elMv - 40);
    this.geI = new Float32Array(N);
    this.giI = new Float32Array(N);
    this.refI = new Int32Array(N);
    this.activeI = new Int32Array(N);
    this.isActiveI = new Uint8Array(N);
    this.vILast = new Int32Array(N).fill(-1);
    this.spikedE = new Int32Array(N);
    this.spikedI = new Int32Array(N);
    this.isSpikedI = new Uint8Array(N);
    this.activeIdx = new Int32Array(this.nIn);
    this.activeProb = new Float32Array(this.nIn);
    this.preLast = new Int32Array(this.nIn);
    this.preDecay = decayTable(params.tauPreMs, params.dtMs);
    this.noise = rng.fork("poisson").uint32Seeds(4);
    this.costNoise = rng.fork("costs").uint32Seeds(4);
    this.silenced = new Uint8Array(N);
    const dt = params.dtMs;
    this.dE = {
      ge: Math.exp(-dt / EXCITATORY.tauGeMs),
      gi: Math.exp(-dt / EXCITATORY.tauGiMs),
      leak: Math.exp(-dt / EXCITATORY.tauMs),
    };
    this.dI = {
      ge: Math.exp(-dt / INHIBITORY.tauGeMs),
      gi: Math.exp(-dt / INHIBITORY.tauGiMs),
      leak: Math.exp(-dt / INHIBITORY.tauMs),
    };
  }

  /** Steps simulated since creation. */
  get stepsRun(): number {
    return this.clock;
  }

  /**
   * Copies every piece of mutable state (weights, theta, neuron state,
   * traces, co-activity scores, active lists, noise stream, clock, counters);
   * the returned function puts it all back exactly. The pruning structure,
   * `silenced` and `inputSpikeCounts` are not part of it.
   */
  /** Restarts the counters of presentations, spikes, synaptic events and boosts. */
  resetCounters(): void {
    this.inputSpikes = 0;
    this.excSpikes = 0;
    this.inhSpikes = 0;
    this.synapticEvents = 0;
    this.boosts = 0;
    this.presentations = 0;
  }

  saveState(): () => void {
    const arrays = [
      this.weights,
      this.theta,
      this.counts,
      this.v,
      this.ge,
      this.gi,
      this.refE,
      this.lastSpikeE,
      this.recent,
      this.inRecent,
      this.vI,
      this.geI,
      this.giI,
      this.refI,
      this.activeI,
      this.isActiveI,
      this.vILast,
      this.spikedE,
      this.spikedI,
      this.isSpikedI,
      this.activeIdx,
      this.activeProb,
      this.preLast,
      this.noise,
      ...(this.coactivity !== null ? [this.coactivity] : []),
    ];
    const copies = arrays.map((a) => a.slice());
    const {
      nRecent,
      nActiveI,
      nActive,
      clock,
      coGain,
      inputSpikes,
      excSpikes,
      inhSpikes,
      synapticEvents,
      boosts,
      presentations,
      inhibitoryUpdates,
    } = this;
    return () => {
      arrays.forEach((a, i) => a.set(copies[i]!));
      Object.assign(this, {
        nRecent,
        nActiveI,
        nActive,
        clock,
        coGain,
        inputSpikes,
        excSpikes,
        inhSpikes,
        synapticEvents,
        boosts,
        presentations,
        inhibitoryUpdates,
      });
    };
  }

  /**
   * Starts a cost measurement from a fixed point: neurons at rest, input
   * spikes from the side stream "costs", restarted (a `saveState` restore
   * undoes both).
   */
  startCostMeasurement(): void {
    this.toRest();
    this.noise.set(this.costNoise);
  }

  /**
   * Bytes of the parameters (input weights, theta) and of the state inference
   * steps through: v, ge, gi and refractory counters of both populations, the
   * inhibitory neurons' event-driven bookkeeping (active list, flags, last
   * update), the noise stream, and the live-target index when pruned. STDP
   * traces, look-up tables and the pruning mask are left out.
   */
  inferenceBytes(): number {
    const live =
      this.liveRowPtr !== null && this.liveTargets !== null ? typedBytes(this.liveRowPtr, this.liveTargets) : 0;
    return (
      live +
      typedBytes(
        this.weights,
        this.theta,
        this.v,
        this.ge,
        this.gi,
        this.refE,
        this.vI,
        this.geI,
        this.giI,
        this.refI,
        this.activeI,
        this.isActiveI,
        this.vILast,
        this.noise,
      )
    );
  }

  /** Turns on the co-activity trace (scores start at 0). */
  trackCoactivity(tauMs: number): void {
    if (!(tauMs > 0)) throw new RangeError(`co-activity tauMs must be > 0, got ${tauMs}`);
    this.coactivity = new Float32Array(this.weights.length);
    this.coGain = 1;
    this.coGrowth = Math.exp(this.p.dtMs / tauMs);
  }

  /** Creates the mask (all live) if there is none; returns it. Call `rebuildLiveIndex` after changing it. */
  ensureMask(): Uint8Array {
    if (this.mask === null) this.mask = new Uint8Array(this.weights.length).fill(1);
    return this.mask;
  }

  /** Zeroes every masked weight and rebuilds each input's list of live targets (between samples). */
  rebuildLiveIndex(): void {
    const mask = this.mask;
    if (mask === null) return;
    const N = this.n;
    const w = this.weights;
    let live = 0;
    for (let k = 0; k < mask.length; k++) {
      if (mask[k] === 1) live++;
      else w[k] = 0;
    }
    const rowPtr = new Int32Array(this.nIn + 1);
    const targets = new Int32Array(live);
    let e = 0;
    for (let i = 0; i < this.nIn; i++) {
      const row = i * N;
      for (let j = 0; j < N; j++) if (mask[row + j] === 1) targets[e++] = j;
      rowPtr[i + 1] = e;
    }
    this.liveRowPtr = rowPtr;
    this.liveTargets = targets;
    const colPtr = new Int32Array(N + 1);
    for (let k = 0; k < live; k++) colPtr[targets[k]! + 1]!++;
    for (let j = 0; j < N; j++) colPtr[j + 1]! += colPtr[j]!;
    const fill = colPtr.slice(0, N);
    const colIdx = new Int32Array(live);
    for (let i = 0; i < this.nIn; i++) {
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) colIdx[fill[targets[k]!]!++] = i * N + targets[k]!;
    }
    this.liveColPtr = colPtr;
    this.liveColIdx = colIdx;
  }

  /** Live synapses (all nIn·N while unmasked). */
  liveCount(): number {
    return this.liveRowPtr === null ? this.weights.length : this.liveRowPtr[this.nIn]!;
  }

  /**
   * Normalises each excitatory neuron's live input weights to `targetSum`
   * (bounded by wMax, water filling as DenseColumnNormalizer does), walking
   * only the live synapses. Returns false when unmasked (use the dense normaliser).
   */
  normalizeLive(targetSum: number, wMax: number): boolean {
    const colPtr = this.liveColPtr;
    const colIdx = this.liveColIdx;
    if (colPtr === null || colIdx === null) return false;
    const w = this.weights;
    for (let j = 0; j < this.n; j++) {
      const start = colPtr[j]!;
      const end = colPtr[j + 1]!;
      let sum = 0;
      for (let k = start; k < end; k++) sum += w[colIdx[k]!]!;
      if (!(sum > 0)) continue;
      const scale = targetSum / sum;
      let over = false;
      for (let k = start; k < end; k++) {
        const v = w[colIdx[k]!]! * scale;
        w[colIdx[k]!] = v;
        if (v > wMax) over = true;
      }
      if (over) waterFill(w, colIdx, start, end, targetSum, wMax);
    }
    return true;
  }

  /**
   * Presents one image (intensities in [0, 1] at x[offset ..]): runs the
   * presentation, re-presenting with a stronger input while it elicits fewer
   * than minSpikes excitatory spikes (at most maxBoosts times), each
   * presentation followed by the rest period. Fills `counts`; returns the
   * total number of excitatory spikes of the counted presentation.
   */
  present(x: Float32Array, offset: number, learn: boolean, adaptTheta: boolean): number {
    const p = this.p;
    let total = 0;
    let simulatedSteps = 0;
    // Each presentation is followed by the rest period, simulated or (restMode "reset") stood in for.
    const stepsPerAttempt = this.presentSteps + this.restSteps;
    for (let attempt = 0; attempt <= p.maxBoosts; attempt++) {
      const rateHz = p.maxRateHz + attempt * p.boostRateHz;
      this.setInput(x, offset, rateHz);
      this.counts.fill(0);
      total = this.run(this.presentSteps, learn, adaptTheta, true);
      this.presentations++;
      this.rest(learn, adaptTheta);
      simulatedSteps += stepsPerAttempt;
      if (total >= p.minSpikes) break;
      if (attempt < p.maxBoosts) this.boosts++;
    }
    // Theta's decay (tau 10^7 ms in the paper, 0.005% per image) is applied once per image over
    // the presentations and rests it took, not per step.
    if (adaptTheta && Number.isFinite(p.tauThetaMs)) {
      const f = Math.exp((-simulatedSteps * p.dtMs) / p.tauThetaMs);
      const th = this.theta;
      for (let j = 0; j < th.length; j++) th[j] = th[j]! * f;
    }
    return total;
  }

  private setInput(x: Float32Array, offset: number, rateHz: number): void {
    const pScale = (rateHz * this.p.dtMs) / 1000;
    let n = 0;
    for (let i = 0; i < this.nIn; i++) {
      const u = x[offset + i]!;
      if (u > 0) {
        this.activeIdx[n] = i;
        this.activeProb[n] = (u > 1 ? 1 : u) * pScale;
        // No spike yet in this presentation: the trace reads 0 (age beyond the table).
        this.preLast[i] = -0x3fffffff;
        n++;
      }
    }
    this.nActive = n;
  }

  private rest(learn: boolean, adaptTheta: boolean): void {
    if (this.p.restMode === "simulate") {
      // Input off; the active list stays so that pre traces still read during the rest.
      this.run(this.restSteps, learn, adaptTheta, false);
      return;
    }
    this.toRest();
  }

  /** Puts both populations at rest (v, conductances, refractory counters, post traces); theta and weights are kept. */
  toRest(): void {
    this.v.fill(EXCITATORY.elMv);
    this.ge.fill(0);
    this.gi.fill(0);
    this.refE.fill(0);
    this.lastSpikeE.fill(-0x3fffffff);
    this.inRecent.fill(0);
    this.nRecent = 0;
    this.vI.fill(INHIBITORY.elMv);
    this.geI.fill(0);
    this.giI.fill(0);
    this.refI.fill(0);
    this.isActiveI.fill(0);
    this.nActiveI = 0;
    this.vILast.fill(this.clock - 1);
  }

  /** Runs `steps` steps with the input on (`stimulus`: spikes drawn and counted) or off; returns the excitatory spikes. */
  private run(steps: number, learn: boolean, adaptTheta: boolean, stimulus: boolean): number {
    const N = this.n;
    const p = this.p;
    const { v, ge, gi, refE, lastSpikeE, recent, inRecent, post1Decay, post2Decay } = this;
    const { vI, geI, giI, refI, activeI, isActiveI, vILast } = this;
    const { spikedE, spikedI, isSpikedI, theta, counts, weights, silenced } = this;
    const inCounts = this.inputSpikeCounts;
    const excCounts = this.excSpikeCounts;
    const inhCounts = this.inhSpikeCounts;
    const { activeIdx, activeProb, preLast, preDecay, noise } = this;
    const nActive = this.nActive;
    const nDraw = stimulus ? nActive : 0;
    const preLen = preDecay.length;
    const len1 = post1Decay.length;
    const len2 = post2Decay.length;
    const E = EXCITATORY;
    const I = INHIBITORY;
    const dtOverTauE = p.dtMs / E.tauMs;
    const dtOverTauI = p.dtMs / I.tauMs;
    const dGeE = this.dE.ge,
      dGiE = this.dE.gi,
      leakE = this.dE.leak;
    const dGeI = this.dI.ge,
      dGiI = this.dI.gi,
      leakI = this.dI.leak;
    // Brian2's refractoriness (refractorySteps): a neuron that spiked in step s holds v through steps
    // s+1 .. s+R-1 and integrates again from step s+R, so its counter starts at R - 1.
    const refStepsE = Math.max(0, refractorySteps(E.refractoryMs, p.dtMs) - 1);
    const refStepsI = Math.max(0, refractorySteps(I.refractoryMs, p.dtMs) - 1);
    const etaPre = p.etaPre,
      etaPost = p.etaPost,
      wMax = p.wMax;
    const thetaPlus = adaptTheta ? p.thetaPlusMv : 0;
    const wEI = p.excToInhWeight,
      wIE = p.inhToExcWeight;
    const liveRowPtr = this.liveRowPtr,
      liveTargets = this.liveTargets,
      mask = this.mask;
    const co = learn ? this.coactivity : null;
    if (co !== null && this.coGain > 1e15) {
      // Renormalise the stored scores before the gain overflows float32 (rare).
      const inv = 1 / this.coGain;
      for (let k = 0; k < co.length; k++) co[k] = co[k]! * inv;
      this.coGain = 1;
    }
    let coGain = this.coGain;
    const coGrowth = this.coGrowth;
    let total = 0;
    let inputSpikes = 0;
    let events = 0;
    let nInh = 0;
    let updatesI = 0;
    let nRecent = this.nRecent;
    let nActiveI = this.nActiveI;
    let clock = this.clock;
    for (let step = 0; step < steps; step++, clock++) {
      if (co !== null) coGain *= coGrowth;
      // 1-2. Excitatory: integrate (exponential Euler), threshold.
      let nE = 0;
      for (let j = 0; j < N; j++) {
        const e = ge[j]!;
        const g = gi[j]!;
        // Conductances below 1e-9 (leak units) are flushed to 0 (the fast path below).
        ge[j] = e > 1e-9 ? e * dGeE : 0;
        gi[j] = g > 1e-9 ? g * dGiE : 0;
        if (refE[j]! > 0) {
          refE[j]!--;
          continue;
        }
        const vj = v[j]!;
        let nv: number;
        if (e === 0 && g === 0) {
          nv = E.elMv + (vj - E.elMv) * leakE;
        } else {
          // v' = vInf + (v - vInf)·exp(-x), x = dt·gTot/tau, written as v + (drive - gTot·v)·(1 - exp(-x))/gTot;
          // (1 - exp(-x))/gTot = (dt/tau)·(1 - x/2 + x²/6 - x³/24 + x⁴/120) while x < 0.05 (relative error < 3e-9).
          const gTot = 1 + e + g;
          const x = dtOverTauE * gTot;
          const drive = E.elMv + e * E.eExcMv + g * E.eInhMv - gTot * vj;
          const k =
            x < 0.05
              ? dtOverTauE * (1 - x * (0.5 - x * (1 / 6 - x * (1 / 24 - x * (1 / 120)))))
              : (1 - Math.exp(-x)) / gTot;
          nv = vj + drive * k;
        }
        v[j] = nv;
        if (nv > E.vThreshMv + theta[j]! && silenced[j] === 0) spikedE[nE++] = j;
      }
      // Inhibitory neurons on the step loop: integrate, threshold; idle ones leave it.
      let nI = 0;
      for (let k = 0; k < nActiveI; ) {
        const j = activeI[k]!;
        const e = geI[j]!;
        const g = giI[j]!;
        if (e === 0 && g === 0 && refI[j] === 0) {
          // Idle: v relaxes in closed form from here (see activation below).
          vILast[j] = clock - 1;
          isActiveI[j] = 0;
          activeI[k] = activeI[--nActiveI]!;
          continue;
        }
        k++;
        // Conductances below 1e-7 (leak units) are flushed to 0 so that the neuron can go idle.
        geI[j] = e > 1e-7 ? e * dGeI : 0;
        giI[j] = g > 1e-7 ? g * dGiI : 0;
        if (refI[j]! > 0) {
          refI[j]!--;
          continue;
        }
        const vj = vI[j]!;
        let nv: number;
        if (e === 0 && g === 0) {
          nv = I.elMv + (vj - I.elMv) * leakI;
        } else {
          const gTot = 1 + e + g;
          const vInf = (I.elMv + e * I.eExcMv + g * I.eInhMv) / gTot;
          const x = dtOverTauI * gTot;
          const f = x < 0.05 ? 1 - x * (1 - x * (0.5 - x * (1 / 6 - x * (1 / 24)))) : Math.exp(-x);
          nv = vInf + (vj - vInf) * f;
        }
        vI[j] = nv;
        if (nv > I.vThreshMv) spikedI[nI++] = j;
      }
      updatesI += nActiveI;
      // 3a. Input spikes: deliver into ge, depress by the post1 trace of recently active neurons, set the pre trace.
      for (let a = 0; a < nDraw; a++) {
        if (xorshiftNext(noise) >= activeProb[a]!) continue;
        const i = activeIdx[a]!;
        inputSpikes++;
        if (inCounts !== null) inCounts[i]!++;
        const row = i * N;
        if (liveRowPtr === null || liveTargets === null) {
          events += N;
          for (let j = 0; j < N; j++) ge[j]! += weights[row + j]!;
        } else {
          const end = liveRowPtr[i + 1]!;
          const start = liveRowPtr[i]!;
          events += end - start;
          for (let k = start; k < end; k++) {
            const j = liveTargets[k]!;
            ge[j]! += weights[row + j]!;
          }
        }
        if (learn) {
          for (let r = 0; r < nRecent; ) {
            const j = recent[r]!;
            const age = clock - lastSpikeE[j]!;
            if (age >= len1) {
              inRecent[j] = 0;
              recent[r] = recent[--nRecent]!;
              continue;
            }
            r++;
            const post1 = post1Decay[age]!;
            // A pruned weight is 0 and the clamp keeps it there.
            const nw = weights[row + j]! - etaPre * post1;
            weights[row + j] = nw > 0 ? nw : 0;
            if (co !== null) co[row + j]! += post1 * coGain;
          }
        }
        preLast[i] = clock;
      }
      // 3b. Excitatory spikes: drive the inhibitory partner, potentiate by pre · post2(before).
      for (let k = 0; k < nE; k++) {
        const j = spikedE[k]!;
        if (isActiveI[j] === 0) {
          vI[j] = I.elMv + (vI[j]! - I.elMv) * leakI ** (clock - vILast[j]!);
          isActiveI[j] = 1;
          activeI[nActiveI++] = j;
          updatesI++;
        }
        geI[j]! += wEI;
        events++;
        if (learn) {
          const age2 = clock - lastSpikeE[j]!;
          const f = age2 < len2 ? etaPost * post2Decay[age2]! : 0;
          if (f > 0 || co !== null) {
            for (let a = 0; a < nActive; a++) {
              const i = activeIdx[a]!;
              const age = clock - preLast[i]!;
              if (age >= preLen) continue;
              const idx = i * N + j;
              const pre = preDecay[age]!;
              if (co !== null) co[idx]! += pre * coGain;
              if (f === 0 || (mask !== null && mask[idx] === 0)) continue;
              const nw = weights[idx]! + f * pre;
              weights[idx] = nw < wMax ? nw : wMax;
            }
          }
        }
        lastSpikeE[j] = clock;
        if (inRecent[j] === 0) {
          inRecent[j] = 1;
          recent[nRecent++] = j;
        }
      }
      // 3c. Inhibitory spikes: every excitatory neuron except the partner gets gi += wIE.
      if (nI > 0) {
        for (let k = 0; k < nI; k++) isSpikedI[spikedI[k]!] = 1;
        for (let j = 0; j < N; j++) gi[j]! += wIE * (nI - isSpikedI[j]!);
        events += nI * (N - 1);
        for (let k = 0; k < nI; k++) isSpikedI[spikedI[k]!] = 0;
        nInh += nI;
      }
      // 4. Reset.
      for (let k = 0; k < nE; k++) {
        const j = spikedE[k]!;
        v[j] = E.vResetMv;
        refE[j] = refStepsE;
        theta[j] = theta[j]! + thetaPlus;
        if (stimulus) counts[j]!++;
        if (excCounts !== null) excCounts[j]!++;
      }
      total += nE;
      for (let k = 0; k < nI; k++) {
        const j = spikedI[k]!;
        vI[j] = I.vResetMv;
        refI[j] = refStepsI;
        if (inhCounts !== null) inhCounts[j]!++;
      }
    }
    this.clock = clock;
    this.coGain = coGain;
    this.nRecent = nRecent;
    this.nActiveI = nActiveI;
    this.inputSpikes += inputSpikes;
    this.synapticEvents += events;
    this.excSpikes += total;
    this.inhSpikes += nInh;
    this.inhibitoryUpdates += updatesI;
    return total;
  }
}

/** exp(-k·dt/tau) for k = 0 .. 10·tau/dt: a trace set to 1 at a spike, read by the age of that spike (0 beyond). */
function decayTable(tauMs: number, dtMs: number): Float32Array {
  const len = Math.ceil((10 * tauMs) / dtMs) + 1;
  const t = new Float32Array(len);
  for (let k = 0; k < len; k++) t[k] = Math.exp((-k * dtMs) / tauMs);
  return t;
}
