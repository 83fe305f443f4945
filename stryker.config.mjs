// StrykerJS 9.6 (the line that runs on Node 20; 10.x needs Node 22). Run it
// through `npm run test:mutation`, which picks a folder from
// mutation/folders.mjs (MUTATION_FOLDER), its files to mutate, its tests and
// its incremental report, then prints the per-folder score.
import { folders } from "./mutation/folders.mjs";

const name = process.env.MUTATION_FOLDER ?? "metrics";
const folder = folders[name];
if (folder === undefined) throw new Error(`unknown mutation folder ${name}: one of ${Object.keys(folders).join(", ")}`);

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.config.ts", related: false },
  mutate: folder.mutate,
  testFiles: folder.testFiles,
  // Per-test coverage: each mutant runs only the tests that executed its code.
  coverageAnalysis: "perTest",
  // Mutants executed only while a module loads (constant tables) would need a
  // fresh process and every test per mutant.
  ignoreStatic: true,
  // Results of mutants whose code and covering tests did not change are
  // reused from the committed report: a rerun tests only what changed.
  incremental: true,
  incrementalFile: `mutation/incremental/${name}.json`,
  // Two-core machine shared with other work: at most two test processes.
  concurrency: 2,
  // A mutant that makes a loop endless (the t quantile's bisection, a BFS) is stopped after this.
  timeoutMS: 5_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // Nothing the unit tests read: keep the sandbox copy small.
  ignorePatterns: ["dist", "results", "docs", "reports", "bench/peers/node_modules", ".scratch", ".bench"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
