/**
 * Before a learning scenario with "nir" learners runs: their `path` is
 * resolved against the scenario file's folder, the file must exist (else an
 * issue at `$.learners[i].path`), and h5wasm is started, so that the learner
 * reads its graph synchronously when it is built (learners/nir.ts).
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ScenarioError } from "../core/errors.js";
import { nirReady } from "../snn/nir/hdf5.js";
import type { Scenario } from "./schema.js";

export async function prepareNirLearners(s: Scenario, file: string): Promise<Scenario> {
  if (!s.learners.some((l) => l.type === "nir")) return s;
  const base = dirname(resolve(file));
  const issues: { path: string; expected: string; found: string }[] = [];
  const learners = s.learners.map((l, i) => {
    if (l.type !== "nir") return l;
    const path = resolve(base, l.path);
    if (!existsSync(path)) {
      issues.push({
        path: `$.learners[${i}].path`,
        expected: "a .nir file",
        found: `"${l.path}" (no file at ${path})`,
      });
    }
    return { ...l, path };
  });
  if (issues.length > 0) throw new ScenarioError(file, issues);
  await nirReady();
  return { ...s, learners };
}
