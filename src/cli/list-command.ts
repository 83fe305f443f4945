/** `neurocompare list [dir]`: the scenarios in a folder with their one-line descriptions. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isUserError } from "../core/errors.js";
import { learnerDescriptions } from "../learners/registry.js";
import { loadAnyScenario, type AnyScenario } from "../scenario/load.js";

/** The package's own scenarios/ folder, for when the current folder has none. */
export function bundledScenariosDir(): string {
  return fileURLToPath(new URL("../../scenarios", import.meta.url));
}

/** The scenario's description, or (when it has none) a line made from what it runs. */
export function describeScenario(a: AnyScenario): string {
  if (a.scenario.description !== "") return a.scenario.description;
  if (a.kind === "network") {
    const groups = a.scenario.groups.map((g) => `${g.name} (${g.size})`).join(", ");
    return `(no description) network of ${groups}, ${a.scenario.durationMs} ms`;
  }
  if (a.kind === "routing") {
    const strategies = a.scenario.strategies.map((c) => c.name ?? (c.type === "prune" ? c.rate : c.type)).join(", ");
    return `(no description) routing networks on ${a.scenario.task.nodes} nodes: ${strategies}`;
  }
  const learners = a.scenario.learners.map((l) => l.name ?? l.type).join(", ");
  return `(no description) ${learners} on ${a.scenario.task.type}, ${a.scenario.epochs} epoch(s)`;
}

export function listCommand(dir: string | undefined, opts: { learners?: boolean }): number {
  if (opts.learners) {
    for (const [type, d] of Object.entries(learnerDescriptions)) process.stdout.write(`${type.padEnd(10)} ${d}\n`);
    return 0;
  }
  const folder = dir ?? (existsSync("scenarios") ? "scenarios" : bundledScenariosDir());
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".json") && f !== "schema.json")
    .sort();
  const width = Math.max(8, ...files.map((f) => f.length - 5));
  let bad = 0;
  for (const f of files) {
    const path = join(folder, f);
    try {
      const loaded = loadAnyScenario(path);
      process.stdout.write(`${loaded.scenario.name.padEnd(width)}  ${describeScenario(loaded)}\n`);
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stdout.write(`${f.slice(0, -5).padEnd(width)}  (invalid: run \`neurocompare validate ${path}\`)\n`);
    }
  }
  process.stdout.write(`\nRun one with: neurocompare run ${join(folder, "<name>.json")}\n`);
  return bad === 0 ? 0 : 2;
}
