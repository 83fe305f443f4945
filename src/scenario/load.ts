/**
 * Loads a scenario file of either kind: a learning comparison (the default)
 * or a network run (`"kind": "network"`). The kind is read first, so each
 * file is validated against its own schema and the messages stay precise.
 */
import { ScenarioError } from "../core/errors.js";
import { networkScenarioSchema, type NetworkScenario } from "./network-schema.js";
import { parseJson, readTextFile } from "./parse.js";
import { scenarioSchema, type Scenario } from "./schema.js";
import { zodIssuesToIssues } from "./zod-issues.js";

export type AnyScenario = { kind: "learning"; scenario: Scenario } | { kind: "network"; scenario: NetworkScenario };

export function parseAnyScenarioText(text: string, file: string): AnyScenario {
  const raw = parseJson(text, file);
  const isNetwork = typeof raw === "object" && raw !== null && (raw as Record<string, unknown>)["kind"] === "network";
  if (isNetwork) {
    const r = networkScenarioSchema.safeParse(raw);
    if (!r.success) throw new ScenarioError(file, zodIssuesToIssues(r.error.issues, raw, text, networkScenarioSchema));
    return { kind: "network", scenario: r.data };
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) throw new ScenarioError(file, zodIssuesToIssues(r.error.issues, raw, text, scenarioSchema));
  return { kind: "learning", scenario: r.data };
}

export function loadAnyScenario(file: string): AnyScenario {
  return parseAnyScenarioText(readTextFile(file, "scenario file"), file);
}
