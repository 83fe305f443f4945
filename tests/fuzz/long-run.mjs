#!/usr/bin/env node
// `npm run fuzz`: the long fuzz run. 20,000 mutated scenarios (every 5th
// accepted one also run), 5,000 equation models and 20 scenarios through every
// command, with a fresh seed each time unless NEUROCOMPARE_FUZZ_SEED is set.
// The seed is printed first: a failure is reproduced with it.
import { spawnSync } from "node:child_process";

const seed = process.env.NEUROCOMPARE_FUZZ_SEED ?? String(Date.now() % 2 ** 31);
const env = {
  NEUROCOMPARE_FUZZ_RUNS: "20000",
  NEUROCOMPARE_FUZZ_EQUATIONS: "5000",
  NEUROCOMPARE_FUZZ_RUN_EVERY: "5",
  NEUROCOMPARE_FUZZ_WRITE_CASES: "20",
  ...process.env,
  NEUROCOMPARE_FUZZ_SEED: seed,
};
console.log(`fuzz seed ${seed} (rerun with NEUROCOMPARE_FUZZ_SEED=${seed} npm run fuzz)`);
const r = spawnSync(
  "npx",
  [
    "vitest",
    "run",
    "tests/fuzz.test.ts",
    "tests/fuzz-writes.test.ts",
    "tests/fuzz-corpus.test.ts",
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env },
);
process.exitCode = r.status ?? 1;
