/**
 * The plan of a run read back from its folder's manifest (report, merge):
 * the resolved scenario the manifest holds, checked against the schema, and
 * its units in plan order, as the run planned them.
 */
import { join } from "node:path";
import { UserError } from "../core/errors.js";
import { scenarioSchema, type Scenario } from "../scenario/schema.js";
import { planLearningUnits, planNetworkUnits, type LearningUnit, type Unit } from "./plan.js";
import type { Manifest } from "./store.js";

export interface ManifestPlan {
  /** The learning scenario; null for a network scenario. */
  scenario: Scenario | null;
  units: Unit[];
  /** The learning units (empty for a network scenario). */
  learning: LearningUnit[];
}

export function planFromManifest(dir: string, manifest: Manifest): ManifestPlan {
  if (manifest.kind === "network") return { scenario: null, units: planNetworkUnits(manifest.seeds), learning: [] };
  const parsed = scenarioSchema.safeParse(manifest.scenario);
  if (!parsed.success)
    throw new UserError(
      "E_RESULTS_INVALID",
      `${join(dir, "manifest.json")}: at $.scenario: expected the resolved scenario written by \`neurocompare run\`, found an invalid scenario`,
    );
  const learning = planLearningUnits(parsed.data, manifest.seeds);
  return { scenario: parsed.data, units: learning, learning };
}
