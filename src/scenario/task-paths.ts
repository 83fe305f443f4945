/**
 * A scenario's data files are named relative to the scenario file, as a "nir"
 * learner's `path` is (nir-learners.ts): an `idx` task's `imagesPath` and
 * `labelsPath` are resolved against the scenario file's folder before the
 * build phase reads them, so `validate` and `run` find the same files from
 * any working directory. Absolute paths stay as they are.
 */
import { dirname, resolve } from "node:path";
import type { Scenario } from "./schema.js";

export function resolveTaskPaths(s: Scenario, file: string): Scenario {
  const task = s.task;
  if (task.type !== "idx") return s;
  const base = dirname(resolve(file));
  const files = (f: { imagesPath: string; labelsPath: string }) => ({
    imagesPath: resolve(base, f.imagesPath),
    labelsPath: resolve(base, f.labelsPath),
  });
  return { ...s, task: { ...task, train: files(task.train), test: files(task.test) } };
}
