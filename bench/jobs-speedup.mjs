// `run --jobs 2` against `--jobs 1` on a scenario of four equal units (one
// MLP, four seeds, MNIST-sized work on two moons): wall time of the unit
// phase (run()'s wallMs, report included) for each setting, interleaved
// `--rounds` times (default 5), with the fastest and the median of each, the
// speed-up from the fastest (ratio jobs1 / jobs2, higher is better), CPU time
// (process.cpuUsage: every thread of the process) and the load average
// beside them, and a check that metrics.csv is the same for both (timing
// rows aside). Run after `npm run build`: node bench/jobs-speedup.mjs [--rounds 5]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../dist/index.js";

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 5;
const scenario = {
  name: "jobs-speedup",
  description: "four equal units",
  task: { type: "moons", trainSize: 20000, testSize: 1000, noise: 0.2 },
  learners: [{ type: "mlp", hidden: [128, 128], batchSize: 32 }],
  epochs: 2,
  seeds: [1, 2, 3, 4],
  evaluation: { costSamples: 20 },
};
const strip = (dir) =>
  readFileSync(join(dir, "metrics.csv"), "utf8")
    .split("\n")
    .filter((l) => !/,(wallMs|trainingTimeMs),/.test(l))
    .join("\n");
const times = { 1: [], 2: [] };
const cpu = { 1: [], 2: [] };
const outputs = {};
for (let r = 0; r < rounds; r++) {
  for (const jobs of [1, 2]) {
    const dir = mkdtempSync(join(tmpdir(), `neurocompare-jobs${jobs}-`));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(scenario, { out: dir, jobs });
    times[jobs].push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu[jobs].push((c.user + c.system) / 1000);
    outputs[jobs] = strip(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
for (const jobs of [1, 2])
  console.log(
    `--jobs ${jobs}: fastest ${s(Math.min(...times[jobs]))}, median ${s(median(times[jobs]))}, CPU median ${s(median(cpu[jobs]))}`,
  );
console.log(
  `speed-up (fastest jobs 1 / fastest jobs 2): ${(Math.min(...times[1]) / Math.min(...times[2])).toFixed(2)}×`,
);
console.log(
  `load average: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log(`metrics.csv identical (timing rows aside): ${outputs[1] === outputs[2]}`);
