/**
 * Loads a scenario file of any kind: a learning comparison (the default), a
 * network run (`"kind": "network"`) or a routing-network design run
 * (`"kind": "routing"`). The kind is read first, so each file is validated
 * against its own schema and the messages stay precise.
 */
import { ScenarioError, type Issue } from "../core/errors.js";
import { READ_LIMITS } from "../core/read-file.js";
import { networkScenarioSchema, type NetworkScenario } from "./network-schema.js";
import { parseJson, readTextFile } from "./parse.js";
import { routingScenarioSchema, type RoutingScenario } from "./routing-schema.js";
import { scenarioSchema, type Scenario } from "./schema.js";
import { upgradeScenario } from "./format.js";
import { JsonLocator } from "./json-locate.js";
import { specialKeyPaths } from "./raw-keys.js";
import { formatPath, zodIssuesToIssues } from "./zod-issues.js";

/** A validated scenario of any kind, tagged with its kind. */
export type AnyScenario =
  | { kind: "learning"; scenario: Scenario }
  | { kind: "network"; scenario: NetworkScenario }
  | { kind: "routing"; scenario: RoutingScenario };

export function parseAnyScenarioText(text: string, file: string): AnyScenario {
  return checkAnyScenario(parseJson(text, file), file, text);
}

/**
 * Validates an already-parsed scenario of either kind and applies its
 * defaults. `text`, when given, is the JSON the value was parsed from: the
 * issues then carry line numbers into it.
 */
export function checkAnyScenario(original: unknown, file: string, text?: string): AnyScenario {
  const fail = (issues: Issue[]): never => {
    throw new ScenarioError(
      file,
      text === undefined ? issues.map(({ line: _l, column: _c, ...rest }) => rest) : issues,
    );
  };
  const special = specialKeyPaths(original);
  if (special.length > 0) {
    const locator = text === undefined ? undefined : new JsonLocator(text);
    fail(
      special.map((path) => {
        const loc = locator?.locate(path);
        return {
          path: formatPath(path),
          expected: "an ordinary key",
          found: `"__proto__", which JavaScript objects reserve`,
          line: loc?.line,
          column: loc?.column,
        };
      }),
    );
  }
  // A file of an older format is upgraded in memory, or refused with the change and the fix.
  const raw = upgradeScenario(original, file);
  const kind = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>)["kind"] : undefined;
  if (kind === "routing") {
    const r = routingScenarioSchema.safeParse(raw);
    if (!r.success) return fail(zodIssuesToIssues(r.error.issues, raw, text ?? "", routingScenarioSchema));
    return { kind: "routing", scenario: r.data };
  }
  if (kind === "network") {
    const r = networkScenarioSchema.safeParse(raw);
    if (!r.success) return fail(zodIssuesToIssues(r.error.issues, raw, text ?? "", networkScenarioSchema));
    return { kind: "network", scenario: r.data };
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) return fail(zodIssuesToIssues(r.error.issues, raw, text ?? "", scenarioSchema));
  return { kind: "learning", scenario: r.data };
}

/**
 * Reads, validates and fills in the defaults of a scenario file of either kind.
 *
 * @throws {@link ScenarioError} naming the file, line, JSON path, what was expected and what was found.
 */
export function loadAnyScenario(file: string): AnyScenario {
  return parseAnyScenarioText(readTextFile(file, "scenario file", READ_LIMITS.scenario), file);
}
