/**
 * Diehl & Cook's read-out, which involves no trained weights: each excitatory
 * neuron is assigned the class for which its mean response (spike count) over
 * the recorded training images is highest (a neuron that never fired stays
 * unassigned, -1); a sample is classified as the class whose assigned neurons
 * have the highest mean response to it (a class with no neurons scores 0).
 *
 * Responses are kept in a ring of the most recent `window` training images
 * (Diehl & Cook used the last 10,000); `clear()` starts a new epoch, so that
 * labels come only from the training images of the current epoch.
 *
 * Voting "all" (Diehl & Cook's): class c scores the mean response of the
 * neurons assigned to c. "proportion" (BindsNET's proportion weighting):
 * each neuron's response is weighted by its share of responses to c, p_jc =
 * r_jc / Σ_c' r_jc' (r_jc its mean response to training images of class c),
 * so class c scores Σ_{j assigned to c} p_jc · count_j / (neurons assigned to c).
 */

/** How assigned neurons vote: mean response per class, or weighted by each neuron's share of responses to it. */
export type Voting = "all" | "proportion";

export class LabelAssigner {
  readonly neurons: number;
  readonly classes: number;
  readonly window: number;
  readonly voting: Voting;
  /** Assigned class per neuron, -1 when unassigned. */
  readonly assignment: Int32Array;
  private readonly responses: Uint16Array;
  private readonly labels: Int32Array;
  private recorded = 0;
  private next = 0;
  private readonly sums: Float64Array;
  private readonly perClass: Float64Array;
  private readonly classCount: Int32Array;
  private readonly assignedCount: Int32Array;
  /** Share of each neuron's mean responses that goes to each class, proportion[c·N + j] (proportion voting). */
  private readonly proportion: Float64Array;

  constructor(neurons: number, classes: number, window: number, voting: Voting = "all") {
    this.neurons = neurons;
    this.classes = classes;
    this.window = window;
    this.voting = voting;
    this.proportion = new Float64Array(voting === "proportion" ? classes * neurons : 0);
    this.assignment = new Int32Array(neurons).fill(-1);
    this.responses = new Uint16Array(window * neurons);
    this.labels = new Int32Array(window);
    this.sums = new Float64Array(classes * neurons);
    this.perClass = new Float64Array(classes);
    this.classCount = new Int32Array(classes);
    this.assignedCount = new Int32Array(classes);
  }

  /** Images recorded since `clear()` (capped at the window). */
  get size(): number {
    return Math.min(this.recorded, this.window);
  }

  clear(): void {
    this.recorded = 0;
    this.next = 0;
  }

  /** Records one training image's response (spike count per neuron). */
  record(counts: Int32Array, label: number): void {
    const N = this.neurons;
    const off = this.next * N;
    for (let j = 0; j < N; j++) this.responses[off + j] = counts[j]! > 65535 ? 65535 : counts[j]!;
    this.labels[this.next] = label;
    this.next = (this.next + 1) % this.window;
    this.recorded++;
  }

  /** Recomputes the assignment from the recorded responses (keeps the old one when none are recorded). */
  assign(): void {
    const n = this.size;
    if (n === 0) return;
    const N = this.neurons;
    const C = this.classes;
    const sums = this.sums;
    sums.fill(0);
    this.classCount.fill(0);
    for (let r = 0; r < n; r++) {
      const c = this.labels[r]!;
      this.classCount[c]!++;
      const off = r * N;
      const base = c * N;
      for (let j = 0; j < N; j++) sums[base + j]! += this.responses[off + j]!;
    }
    for (let j = 0; j < N; j++) {
      let best = -1;
      let bestRate = 0;
      for (let c = 0; c < C; c++) {
        const k = this.classCount[c]!;
        if (k === 0) continue;
        const rate = sums[c * N + j]! / k;
        if (rate > bestRate) {
          bestRate = rate;
          best = c;
        }
      }
      this.assignment[j] = best;
    }
    this.assignedCount.fill(0);
    for (let j = 0; j < N; j++) if (this.assignment[j]! >= 0) this.assignedCount[this.assignment[j]!]!++;
    if (this.voting !== "proportion") return;
    const prop = this.proportion;
    for (let j = 0; j < N; j++) {
      let total = 0;
      for (let c = 0; c < C; c++) {
        const k = this.classCount[c]!;
        const rate = k === 0 ? 0 : sums[c * N + j]! / k;
        prop[c * N + j] = rate;
        total += rate;
      }
      for (let c = 0; c < C; c++) prop[c * N + j] = total > 0 ? prop[c * N + j]! / total : 0;
    }
  }

  /** The predicted class for one response; writes per-class mean responses into `perClass` (internal buffer). */
  predict(counts: Int32Array): number {
    const C = this.classes;
    const scores = this.perClass;
    scores.fill(0);
    const N = this.neurons;
    const weighted = this.voting === "proportion";
    for (let j = 0; j < N; j++) {
      const c = this.assignment[j]!;
      if (c >= 0) scores[c]! += weighted ? this.proportion[c * N + j]! * counts[j]! : counts[j]!;
    }
    let best = 0;
    for (let c = 0; c < C; c++) {
      const k = this.assignedCount[c]!;
      scores[c] = k > 0 ? scores[c]! / k : 0;
      if (scores[c]! > scores[best]!) best = c;
    }
    return best;
  }

  /**
   * Loss proxy for one response: the fraction of its spikes fired by neurons
   * not assigned to `label` (0 when all came from the label's neurons, 1 when
   * none did or there were no spikes).
   */
  offLabelFraction(counts: Int32Array, label: number): number {
    let total = 0;
    let on = 0;
    for (let j = 0; j < this.neurons; j++) {
      total += counts[j]!;
      if (this.assignment[j] === label) on += counts[j]!;
    }
    return total > 0 ? 1 - on / total : 1;
  }
}
