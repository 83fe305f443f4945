import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores on CI: run test files in parallel on both.
    pool: "forks",
    // `npm run coverage` (tests/coverage-table.mjs) turns this on and prints the per-folder table.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["json-summary", "json"],
      reportsDirectory: ".coverage",
      // The table is printed (and the floors checked) even when a test fails.
      reportOnFailure: true,
    },
  },
});
