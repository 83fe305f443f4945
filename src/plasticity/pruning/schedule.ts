/**
 * Pruning and growth schedules: pure functions from the application index
 * (how many times pruning has been applied so far) to the number of synapses
 * to remove or add at that application.
 *
 * Rates, after Navlakha, Barth & Bar-Joseph 2015 (pruning in mouse cortex runs
 * at a decreasing rate; in network models decreasing-rate pruning gave shorter
 * and more robust routes than constant or increasing rates):
 *
 *   constant-rate        w_i = 1
 *   increasing-rate      w_i = i + 1                  (linear increase)
 *   decreasing-rate      w_i = T - i                  (decay "linear")
 *                        w_i = 2^(-i / halfLife)      (decay "exponential")
 *
 * for applications i = 0 .. T-1. The E synapses to remove (from the current
 * count down to `targetDensity` · possible synapses) are shared in proportion
 * to w_i through rounded cumulative sums,
 *
 *   prune(i) = round(E · W(i+1) / W(T)) - round(E · W(i) / W(T)),  W(k) = Σ_{j<k} w_j,
 *
 * so the counts are whole numbers and always add up to exactly E.
 *
 * With `rateOf: "remaining"` the rate is a fraction of the synapses that
 * remain, as Navlakha et al. 2015 state it ("a constant percentage of
 * existing edges are removed in each interval"): the logarithm of the count
 * falls in proportion to w_i, so application i removes the fraction
 * 1 - ρ^(w_i / W(T)) of what remains, ρ = target / initial, and
 *
 *   countAfter(i) = round(N₀ · ρ^(W(i+1) / W(T))),   countAfter(T-1) = target.
 *
 * Constant-rate then removes the same percentage every time, and the counts
 * fall geometrically.
 *
 * The developmental programme (Huttenlocher 1979: synaptic density peaks at
 * about 150% of the adult level, then declines) first grows at a constant
 * rate to `peakFactor` · `finalDensity` over `growApplications`, then prunes
 * to `finalDensity` over `pruneApplications` with one of the rates above.
 *
 * A schedule is applied at the end of every epoch (`every: "epoch"`) or every
 * k training samples (`every: { samples: k }`); `applicationsDue` counts the
 * boundaries a stretch of training crosses.
 */
import { z } from "zod";

export const applyEverySchema = z
  .union([
    z.literal("epoch"),
    z.strictObject({ samples: z.int().min(1).describe("apply after every k training samples") }),
  ])
  .default("epoch")
  .describe("when the schedule is applied: at each epoch end, or every k samples");
export type ApplyEvery = z.infer<typeof applyEverySchema>;

const rateFields = {
  every: applyEverySchema,
  applications: z.int().min(1).describe("number of applications over which the target is reached"),
  targetDensity: z.number().min(0).max(1).describe("connection density (synapses / possible synapses) at the end"),
  rateOf: z
    .enum(["removals", "remaining"])
    .default("removals")
    .describe(
      "removals: the synapses to remove are shared among applications in proportion to the rate (constant-rate removes equal counts); remaining: the rate is the fraction of the remaining synapses removed (constant-rate removes the same percentage each time, Navlakha et al. 2015); needs targetDensity > 0",
    ),
};

/** A rate of the remaining synapses cannot reach 0 (the logarithm of the count falls). */
const positiveTarget = {
  check: (s: { rateOf: string; targetDensity: number }) => s.rateOf !== "remaining" || s.targetDensity > 0,
  message: {
    message: 'a targetDensity above 0 with rateOf "remaining" (a fraction of what remains never reaches 0)|0',
    path: ["targetDensity"],
  },
};

export const constantRateScheduleSchema = z
  .strictObject({
    type: z.literal("constant-rate"),
    ...rateFields,
  })
  .refine(positiveTarget.check, positiveTarget.message);
export const increasingRateScheduleSchema = z
  .strictObject({
    type: z.literal("increasing-rate"),
    ...rateFields,
  })
  .refine(positiveTarget.check, positiveTarget.message);
export const decreasingRateScheduleSchema = z
  .strictObject({
    type: z.literal("decreasing-rate"),
    ...rateFields,
    decay: z
      .enum(["linear", "exponential"])
      .default("exponential")
      .describe("linear: w_i = T - i; exponential: w_i = 2^(-i/halfLife)"),
    halfLifeApplications: z.number().positive().optional().describe("exponential decay only; default applications / 4"),
  })
  .refine(positiveTarget.check, positiveTarget.message);

export type RateProfile = "constant" | "increasing" | "decreasing-linear" | "decreasing-exponential";

export const developmentalScheduleSchema = z.strictObject({
  type: z.literal("developmental"),
  every: applyEverySchema,
  finalDensity: z.number().min(0).max(1).describe("adult connection density"),
  peakFactor: z
    .number()
    .min(1)
    .default(1.5)
    .describe("peak density over the adult density (Huttenlocher 1979: about 1.5)"),
  growApplications: z.int().min(1).describe("applications of synaptogenesis up to the peak (constant rate)"),
  pruneApplications: z.int().min(1).describe("applications of pruning from the peak to the adult level"),
  pruneRate: z
    .enum(["constant", "increasing", "decreasing-linear", "decreasing-exponential"])
    .default("decreasing-exponential"),
  halfLifeApplications: z
    .number()
    .positive()
    .optional()
    .describe("for decreasing-exponential pruning; default pruneApplications / 4"),
});

export const pruningScheduleSchema = z.discriminatedUnion("type", [
  constantRateScheduleSchema,
  increasingRateScheduleSchema,
  decreasingRateScheduleSchema,
  developmentalScheduleSchema,
]);
/**
 * When and how much to prune or grow: a constant, increasing or decreasing rate, or a developmental overgrow-then-prune schedule (Navlakha, Barth & Bar-Joseph 2015).
 */
export type PruningScheduleConfig = z.infer<typeof pruningScheduleSchema>;

/** What a schedule is applied to. */
export interface ScheduleContext {
  /** Synapses present before the first application. */
  initialCount: number;
  /** Synapses possible (nPre · nPost, or all weights of a dense layer): densities are relative to it. */
  possibleCount: number;
}

/** The change at one application: synapses to add, then synapses to remove. */
export interface ScheduleStep {
  grow: number;
  prune: number;
}

/** Total number of applications the schedule runs for (after that every step is zero). */
export function scheduleLength(s: PruningScheduleConfig): number {
  return s.type === "developmental" ? s.growApplications + s.pruneApplications : s.applications;
}

/** Cumulative weight W(k) = Σ_{j<k} w_j of a rate profile over T applications. */
function cumulative(profile: RateProfile, k: number, T: number, halfLife: number): number {
  switch (profile) {
    case "constant":
      return k;
    case "increasing":
      return (k * (k + 1)) / 2;
    case "decreasing-linear":
      return k * T - (k * (k - 1)) / 2;
    case "decreasing-exponential": {
      const r = 2 ** (-1 / halfLife);
      return (1 - r ** k) / (1 - r);
    }
  }
}

/**
 * Synapses left after application i of T when the logarithm of the count
 * falls in proportion to the profile: round(initial · (target/initial)^(W(i+1)/W(T))).
 */
export function remainingAfter(
  profile: RateProfile,
  i: number,
  T: number,
  initial: number,
  target: number,
  halfLife = T / 4,
): number {
  if (i < 0) return initial;
  if (i >= T - 1 || initial <= target) return Math.min(initial, target);
  if (target <= 0) throw new RangeError("a rate of the remaining synapses needs a target above 0");
  const share = cumulative(profile, i + 1, T, halfLife) / cumulative(profile, T, T, halfLife);
  return Math.round(initial * (target / initial) ** share);
}

/** The share of `total` falling on application i of T under a profile (exact integer split). */
export function profileCount(profile: RateProfile, i: number, T: number, total: number, halfLife = T / 4): number {
  if (i < 0 || i >= T || total <= 0) return 0;
  const all = cumulative(profile, T, T, halfLife);
  const before = Math.round((total * cumulative(profile, i, T, halfLife)) / all);
  const after = i + 1 === T ? total : Math.round((total * cumulative(profile, i + 1, T, halfLife)) / all);
  return after - before;
}

function rateProfile(s: Exclude<PruningScheduleConfig, { type: "developmental" }>): RateProfile {
  if (s.type === "constant-rate") return "constant";
  if (s.type === "increasing-rate") return "increasing";
  return s.decay === "linear" ? "decreasing-linear" : "decreasing-exponential";
}

function checkContext(ctx: ScheduleContext): void {
  if (!Number.isInteger(ctx.initialCount) || ctx.initialCount < 0)
    throw new RangeError(`initialCount must be a non-negative integer, got ${ctx.initialCount}`);
  if (!Number.isInteger(ctx.possibleCount) || ctx.possibleCount < ctx.initialCount) {
    throw new RangeError(
      `possibleCount must be an integer >= initialCount (${ctx.initialCount}), got ${ctx.possibleCount}`,
    );
  }
}

/** Synapses added and removed at application `i` (0-based) of schedule `s`. */
export function scheduleStep(s: PruningScheduleConfig, i: number, ctx: ScheduleContext): ScheduleStep {
  checkContext(ctx);
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`application index must be a non-negative integer, got ${i}`);
  if (s.type !== "developmental") {
    const T = s.applications;
    const target = Math.round(s.targetDensity * ctx.possibleCount);
    const total = Math.max(0, ctx.initialCount - target);
    const halfLife = s.type === "decreasing-rate" ? (s.halfLifeApplications ?? T / 4) : T / 4;
    if (s.rateOf === "remaining") {
      if (i >= T || total === 0) return { grow: 0, prune: 0 };
      const p = rateProfile(s);
      return {
        grow: 0,
        prune:
          remainingAfter(p, i - 1, T, ctx.initialCount, target, halfLife) -
          remainingAfter(p, i, T, ctx.initialCount, target, halfLife),
      };
    }
    return { grow: 0, prune: profileCount(rateProfile(s), i, T, total, halfLife) };
  }
  const adult = Math.round(s.finalDensity * ctx.possibleCount);
  const peak = Math.min(ctx.possibleCount, Math.round(s.peakFactor * s.finalDensity * ctx.possibleCount));
  const growTotal = Math.max(0, peak - ctx.initialCount);
  const G = s.growApplications;
  if (i < G) return { grow: profileCount("constant", i, G, growTotal), prune: 0 };
  const P = s.pruneApplications;
  const pruneTotal = Math.max(0, ctx.initialCount + growTotal - adult);
  return { grow: 0, prune: profileCount(s.pruneRate, i - G, P, pruneTotal, s.halfLifeApplications ?? P / 4) };
}

/** Every application's step, and the synapse count after each (a new array per field). */
export function schedulePlan(
  s: PruningScheduleConfig,
  ctx: ScheduleContext,
): { grow: Int32Array; prune: Int32Array; countAfter: Int32Array } {
  const n = scheduleLength(s);
  const grow = new Int32Array(n);
  const prune = new Int32Array(n);
  const countAfter = new Int32Array(n);
  let count = ctx.initialCount;
  for (let i = 0; i < n; i++) {
    const st = scheduleStep(s, i, ctx);
    grow[i] = st.grow;
    prune[i] = st.prune;
    count += st.grow - st.prune;
    countAfter[i] = count;
  }
  return { grow, prune, countAfter };
}

/**
 * How many application boundaries a stretch of training crosses: for
 * `{ samples: k }`, the multiples of k in (samplesBefore, samplesAfter]; for
 * "epoch", one when the stretch ends an epoch.
 */
export function applicationsDue(
  every: ApplyEvery,
  samplesBefore: number,
  samplesAfter: number,
  endsEpoch: boolean,
): number {
  if (every === "epoch") return endsEpoch ? 1 : 0;
  return Math.floor(samplesAfter / every.samples) - Math.floor(samplesBefore / every.samples);
}
