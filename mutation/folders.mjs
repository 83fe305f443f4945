// The folders `npm run test:mutation` scores, each with the source files
// StrykerJS mutates and the test files that are run against each mutant.
// Test files are listed rather than found by import graph: a whole-scenario
// test (runs, CLI, reports) also executes stats.ts, but it takes seconds per
// mutant and checks a printed table rather than the formula, so the score
// says how well the unit tests with references pin each module down.
//
// `equivalent`: surviving mutants that change no observable result, matched
// by file, mutator and the replaced source text (not by line, so the list
// survives edits elsewhere in the file), each with the reason. The runner
// counts them as equivalent (left out of the score) and prints them.

/** @typedef {{ file: string, mutator: string, original: string, replacement: string, reason: string }} Equivalent */
/** @typedef {{ mutate: string[], testFiles: string[], equivalent: Equivalent[] }} Folder */

/** @type {Record<string, Folder>} */
export const folders = {
  metrics: {
    mutate: ["src/metrics/**/*.ts"],
    testFiles: [
      "tests/stats.test.ts",
      "tests/graph.test.ts",
      "tests/costs.test.ts",
      "tests/spike-weight-stats.test.ts",
      "tests/stats-reference.test.ts",
      "tests/graph-edges.test.ts",
      "tests/costs-reference.test.ts",
    ],
    equivalent: [],
  },
  "ann-training": {
    mutate: ["src/ann/loss.ts", "src/ann/optimizer.ts"],
    testFiles: ["tests/ann-gradients.test.ts", "tests/optimizer.test.ts", "tests/loss.test.ts"],
    equivalent: [],
  },
  plasticity: {
    mutate: ["src/plasticity/*.ts"],
    testFiles: [
      "tests/plasticity.test.ts",
      "tests/stdp-song.test.ts",
      "tests/pruning-wiring.test.ts",
      "tests/one-dt.test.ts",
    ],
    equivalent: [],
  },
  "diehl-cook": {
    mutate: ["src/learners/diehl-cook.ts", "src/learners/diehl-cook/**/*.ts"],
    testFiles: ["tests/diehl-cook.test.ts", "tests/neuron-rates.test.ts", "tests/pruning-wiring.test.ts"],
    equivalent: [],
  },
};

/** The folders the project requires at least `target` on. */
export const required = ["metrics", "ann-training", "plasticity", "diehl-cook"];

/** Minimum mutation score (percent) per folder. */
export const target = 85;
