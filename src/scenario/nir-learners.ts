/**
 * Before a learning scenario with "nir" learners runs (or is validated):
 * their `path` is resolved against the scenario file's folder, the file must
 * be a regular file under READ_LIMITS.nir (else an issue at
 * `$.learners[i].path`: a FIFO would hang the HDF5 reader, /dev/zero would
 * fill memory), and h5wasm is started, so that the learner reads its graph
 * synchronously when it is built (learners/nir.ts).
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ScenarioError } from "../core/errors.js";
import { formatBytes, kindOf, READ_LIMITS } from "../core/read-file.js";
import { nirReady } from "../snn/nir/hdf5.js";
import type { Scenario } from "./schema.js";

export async function prepareNirLearners(s: Scenario, file: string): Promise<Scenario> {
  if (!s.learners.some((l) => l.type === "nir")) return s;
  const base = dirname(resolve(file));
  const issues: { path: string; expected: string; found: string }[] = [];
  const learners = s.learners.map((l, i) => {
    if (l.type !== "nir") return l;
    const path = resolve(base, l.path);
    const st = statSync(path, { throwIfNoEntry: false });
    const found =
      st === undefined
        ? `"${l.path}" (no file at ${path})`
        : !st.isFile()
          ? `"${l.path}" (${path} is ${kindOf(st)})`
          : st.size > READ_LIMITS.nir
            ? `"${l.path}" (${formatBytes(st.size)}, more than the ${formatBytes(READ_LIMITS.nir)} a NIR file may have)`
            : undefined;
    if (found !== undefined) issues.push({ path: `$.learners[${i}].path`, expected: "a .nir file", found });
    return { ...l, path };
  });
  if (issues.length > 0) throw new ScenarioError(file, issues);
  await nirReady();
  return { ...s, learners };
}
