/**
 * The plan of a run read back from its folder's manifest (report, merge):
 * the resolved scenario the manifest holds, checked against the schema, and
 * its units in plan order, as the run planned them.
 */
import { join } from "node:path";
import { UserError } from "../core/errors.js";
import { scenarioSchema, type Scenario } from "../scenario/schema.js";
import { routingScenarioSchema } from "../scenario/routing-schema.js";
import { planLearningUnits, planNetworkUnits, planRoutingUnits, type LearningUnit, type Unit } from "./plan.js";
import type { Manifest } from "./store.js";

export interface ManifestPlan {
  /** The learning scenario; null for a network or routing scenario. */
  scenario: Scenario | null;
  /** True for a routing scenario, whose tables are always assembled afresh from its unit files. */
  routing: boolean;
  units: Unit[];
  /** The learning units (empty for a network scenario). */
  learning: LearningUnit[];
}

export function planFromManifest(dir: string, manifest: Manifest): ManifestPlan {
  if (manifest.kind === "network")
    return { scenario: null, routing: false, units: planNetworkUnits(manifest.seeds), learning: [] };
  if (manifest.kind === "routing") {
    const parsed = routingScenarioSchema.safeParse(manifest.scenario);
    if (!parsed.success)
      throw new UserError(
        "E_RESULTS_INVALID",
        `${join(dir, "manifest.json")}: at $.scenario: expected the resolved routing scenario written by \`neurocompare run\`, found an invalid one`,
      );
    return { scenario: null, routing: true, units: planRoutingUnits(parsed.data, manifest.seeds), learning: [] };
  }
  const parsed = scenarioSchema.safeParse(manifest.scenario);
  if (!parsed.success)
    throw new UserError(
      "E_RESULTS_INVALID",
      `${join(dir, "manifest.json")}: at $.scenario: expected the resolved scenario written by \`neurocompare run\`, found an invalid scenario`,
    );
  const learning = planLearningUnits(parsed.data, manifest.seeds);
  return { scenario: parsed.data, routing: false, units: learning, learning };
}
