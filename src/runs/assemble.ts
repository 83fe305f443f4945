/**
 * Results tables from unit results, in the order the plan fixes (seeds in
 * the order given, learners in scenario order within a seed), never in the
 * order units finished: metrics.csv and the rest are the same whether the
 * units ran in one process, in several, or were resumed.
 */
import type { Scenario } from "../scenario/schema.js";
import type { LearningUnitResult } from "./learning-unit.js";
import { planLearningUnits } from "./plan.js";
import type { RunResult } from "./results.js";

/**
 * A RunResult from the units that finished (`results` in any order; units
 * absent from it are left out, as in a partial report).
 */
export function assembleLearning(
  scenario: Scenario,
  seeds: readonly number[],
  results: readonly LearningUnitResult[],
): RunResult {
  const plan = planLearningUnits(scenario, seeds);
  const byKey = new Map(results.map((r) => [`${r.learner}\u0000${r.seed}`, r]));
  const learners = plan.filter((u) => u.first).map((u) => u.learner);
  const out: RunResult = {
    scenario,
    seeds: [...seeds],
    learners,
    rows: [],
    weightHistograms: [],
    receptiveFields: [],
    robustness: [],
    firingRates: [],
  };
  for (const unit of plan) {
    const r = byKey.get(`${unit.learner.name}\u0000${unit.seed}`);
    if (r === undefined) continue;
    out.rows.push(...r.rows);
    out.robustness.push(...r.robustness);
    if (unit.first) {
      out.weightHistograms.push(...r.weightHistograms);
      if (r.receptiveFields !== null) out.receptiveFields.push({ learner: r.learner, fields: r.receptiveFields });
      if (r.firingRates !== null) out.firingRates.push({ learner: r.learner, rateHz: r.firingRates });
    }
  }
  return out;
}
