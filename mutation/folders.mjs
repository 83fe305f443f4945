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
    equivalent: [
      {
        file: "src/metrics/costs.ts",
        mutator: "EqualityOperator",
        original: "r < rows",
        replacement: "r <= rows",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/costs.ts",
        mutator: "EqualityOperator",
        original: "i < m.nPre",
        replacement: "i <= m.nPre",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/costs.ts",
        mutator: "EqualityOperator",
        original: "start < count",
        replacement: "start <= count",
        reason: "one extra chunk of n = min(maxBatch, 0) = 0 samples, which counts nothing",
      },
      {
        file: "src/metrics/costs.ts",
        mutator: "ArithmeticOperator",
        original: "l.weight.value.length / l.outChannels",
        replacement: "l.weight.value.length * l.outChannels",
        reason: "counts non-zeros of rows past the K rows of W as well; convEffectiveMacs reads only rows tap + c < K",
      },
      {
        file: "src/metrics/costs.ts",
        mutator: "BooleanLiteral",
        original: "false",
        replacement: "true",
        reason: "forward(h, n, true): Dense, Conv2D and Activation compute the same outputs in training mode (no dropout or batch statistics among the measured layers)",
      },
      {
        file: "src/metrics/costs.ts",
        mutator: "ConditionalExpression",
        original: "l instanceof Conv2D",
        replacement: "true",
        reason: "for an Activation layer, convEffectiveMacs sees no geometry (undefined sizes end its loops) and adds 0",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "i < n",
        replacement: "i <= n",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "d > 0",
        replacement: "d >= 0",
        reason: "d is 0 only at the source, and a pair whose output is its input is skipped before d is read",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "ConditionalExpression",
        original: "connected === 0",
        replacement: "false",
        reason: "lengthSum / connected is 0 / 0 = NaN when nothing is connected, the value the guard gives",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "i < population",
        replacement: "i <= population",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "e < g.target.length",
        replacement: "e <= g.target.length",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "u < n",
        replacement: "u <= n",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "MethodExpression",
        original: "g.outputs.slice()",
        replacement: "g.outputs",
        reason: "the reversed graph shares the arrays instead of copying them; graphs are readonly, so only a caller writing into a readonly field could tell",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "MethodExpression",
        original: "g.inputs.slice()",
        replacement: "g.inputs",
        reason: "the reversed graph shares the arrays instead of copying them; graphs are readonly, so only a caller writing into a readonly field could tell",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "i < a.length",
        replacement: "i <= a.length",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "u < nodes",
        replacement: "u <= nodes",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/graph.ts",
        mutator: "EqualityOperator",
        original: "i < m.nPre",
        replacement: "i <= m.nPre",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "xs.length === 0",
        replacement: "false",
        reason: "the sum over no values divided by 0 is 0 / 0 = NaN, the value the guard returns",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ArithmeticOperator",
        original: "x - m",
        replacement: "x + m",
        reason: "\u03a3 (x + m)(x - m) = \u03a3 x\u00b2 - n\u00b7m\u00b2 = \u03a3 (x - m)\u00b2 because \u03a3 x = n\u00b7m: the same sum of squares (to rounding, ~1e-16 relative)",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "x < 0.5",
        replacement: "false",
        reason: "the Lanczos series (g = 7, n = 9) as written is as accurate below 0.5 as the reflection (differences under 2e-15 at x = 0.4, 0.25, 0.1, 0.01, 0.001, checked against SciPy's gammaln)",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "Math.abs(d) < tiny",
        replacement: "false",
        reason: "Lentz's guard against a zero partial denominator: for a, b > 0 and 0 < x < 1 the denominators stay far from 1e-300",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "Math.abs(d) < tiny",
        replacement: "Math.abs(d) <= tiny",
        reason: "Lentz's guard against a zero partial denominator: for a, b > 0 and 0 < x < 1 the denominators stay far from 1e-300",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "m <= 300",
        replacement: "m < 300",
        reason: "the continued fraction converges in at most 32 iterations for a, b up to 1e5 (measured), never reaching the 300 cap",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "Math.abs(c) < tiny",
        replacement: "false",
        reason: "Lentz's guard against a zero partial denominator: for a, b > 0 and 0 < x < 1 the denominators stay far from 1e-300",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "Math.abs(c) < tiny",
        replacement: "Math.abs(c) <= tiny",
        reason: "Lentz's guard against a zero partial denominator: for a, b > 0 and 0 < x < 1 the denominators stay far from 1e-300",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "Math.abs(del - 1) < 1e-15",
        replacement: "Math.abs(del - 1) <= 1e-15",
        reason: "the early exit after convergence: further iterations multiply h by factors within 1e-16 of 1 (under 3e-14 in all over 300 iterations)",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "Math.abs(del - 1) < 1e-15",
        replacement: "false",
        reason: "the early exit after convergence: further iterations multiply h by factors within 1e-16 of 1 (under 3e-14 in all over 300 iterations)",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "x <= 0",
        replacement: "false",
        reason: "at x = 0 the general formula gives exp(a\u00b7log 0) = 0 too",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ArithmeticOperator",
        original: "del - 1",
        replacement: "del + 1",
        reason: "the early exit after convergence: further iterations multiply h by factors within 1e-16 of 1 (under 3e-14 in all over 300 iterations)",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "x <= 0",
        replacement: "x < 0",
        reason: "at x = 0 the general formula gives exp(a\u00b7log 0) = 0 too",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "x >= 1",
        replacement: "false",
        reason: "at x = 1 the general formula takes the other branch and gives 1 - exp(b\u00b7log 0) = 1 too",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "x >= 1",
        replacement: "x > 1",
        reason: "at x = 1 the general formula takes the other branch and gives 1 - exp(b\u00b7log 0) = 1 too",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "x < (a + 1) / (a + b + 2)",
        replacement: "x <= (a + 1) / (a + b + 2)",
        reason: "at equality either continued fraction converges to the same value",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "t > 0",
        replacement: "t >= 0",
        reason: "at t = 0 both branches give 0.5 (x = 1, I = 1, tail 0.5)",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "i < 200",
        replacement: "i <= 200",
        reason: "one more bisection step after 200 has halved the interval below double resolution",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "studentTCdf(mid, df) < p",
        replacement: "studentTCdf(mid, df) <= p",
        reason: "only an exact tie of the CDF with p differs, and bisection then ends within 1e-300 of the same quantile",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "EqualityOperator",
        original: "m > 1",
        replacement: "m >= 1",
        reason: "J is computed but not used when m <= 1: hedgesG is NaN by the next condition",
      },
      {
        file: "src/metrics/stats.ts",
        mutator: "ConditionalExpression",
        original: "m > 1",
        replacement: "true",
        reason: "J is computed but not used when m <= 1: hedgesG is NaN by the next condition",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "EqualityOperator",
        original: "k < indices.length",
        replacement: "k <= indices.length",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "EqualityOperator",
        original: "i < size",
        replacement: "i <= size",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "ConditionalExpression",
        original: "cvN > 0",
        replacement: "true",
        reason: "cvSum / 0 is 0 / 0 = NaN when no neuron has a CV, the value the guard gives",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "EqualityOperator",
        original: "cvN > 0",
        replacement: "cvN >= 0",
        reason: "cvSum / 0 is 0 / 0 = NaN when no neuron has a CV, the value the guard gives",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "ConditionalExpression",
        original: "lo === undefined || hi === undefined",
        replacement: "true",
        reason: "with both ends given the scan updates neither (each update is guarded by its own end being undefined)",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "EqualityOperator",
        original: "k < values.length",
        replacement: "k <= values.length",
        reason: "one past the end: values[length] is undefined, its bin index NaN, and counts[NaN]++ sets a property that the map over the bins never reads",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "EqualityOperator",
        original: "v < min",
        replacement: "v <= min",
        reason: "a value equal to the minimum leaves it unchanged",
      },
      {
        file: "src/metrics/spike-stats.ts",
        mutator: "EqualityOperator",
        original: "v > max",
        replacement: "v >= max",
        reason: "a value equal to the maximum leaves it unchanged",
      },
    ],
  },
  "ann-training": {
    mutate: ["src/ann/loss.ts", "src/ann/optimizer.ts"],
    testFiles: ["tests/ann-gradients.test.ts", "tests/optimizer.test.ts", "tests/loss.test.ts"],
    equivalent: [
      {
        file: "src/ann/loss.ts",
        mutator: "EqualityOperator",
        original: "j < classes",
        replacement: "j <= classes",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "EqualityOperator",
        original: "norm > maxNorm",
        replacement: "norm >= maxNorm",
        reason: "at norm = maxNorm the scale is maxNorm / norm = 1",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "EqualityOperator",
        original: "i < p.grad.length",
        replacement: "i <= p.grad.length",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "EqualityOperator",
        original: "i < w.length",
        replacement: "i <= w.length",
        reason: "a loop bound one past the end of a typed array: the extra write is dropped and the extra read is undefined, which ends or skips the inner work, so nothing observable changes",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "ConditionalExpression",
        original: "mu > 0",
        replacement: "true",
        reason: "with momentum 0 the momentum branch computes v = 0\u00b7v + g + wd\u00b7w and w -= lr\u00b7v: the plain update, operation for operation",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "EqualityOperator",
        original: "mu > 0",
        replacement: "mu >= 0",
        reason: "with momentum 0 the momentum branch computes v = 0\u00b7v + g + wd\u00b7w and w -= lr\u00b7v: the plain update, operation for operation",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "LogicalOperator",
        original: "m === undefined || v === undefined",
        replacement: "m === undefined && v === undefined",
        reason: "m and v are created and stored together, so both are undefined or neither",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "ConditionalExpression",
        original: "m === undefined",
        replacement: "false",
        reason: "m and v are created and stored together, so both are undefined or neither",
      },
      {
        file: "src/ann/optimizer.ts",
        mutator: "ConditionalExpression",
        original: "v === undefined",
        replacement: "false",
        reason: "m and v are created and stored together, so both are undefined or neither",
      },
    ],
  },
  plasticity: {
    mutate: ["src/plasticity/*.ts"],
    testFiles: [
      "tests/plasticity.test.ts",
      "tests/plasticity-rules.test.ts",
      "tests/stdp-song.test.ts",
      "tests/pruning-wiring.test.ts",
      "tests/one-dt.test.ts",
    ],
    equivalent: [],
  },
  "diehl-cook": {
    mutate: ["src/learners/diehl-cook.ts", "src/learners/diehl-cook/**/*.ts"],
    // Not tests/diehl-cook.test.ts: its 400-image training (about 5 s on a loaded 2-core machine) would
    // run for almost every mutant of the kernel; the kernel is held spike for spike and weight by weight
    // to the general engine by network-learner-equivalence, and to hand-worked values by diehl-cook-parts.
    testFiles: [
      "tests/diehl-cook-parts.test.ts",
      "tests/network-learner-equivalence.test.ts",
      "tests/neuron-rates.test.ts",
      "tests/pruning-wiring.test.ts",
    ],
    equivalent: [],
  },
};

/** The folders the project requires at least `target` on. */
export const required = ["metrics", "ann-training", "plasticity", "diehl-cook"];

/** Minimum mutation score (percent) per folder. */
export const target = 85;
