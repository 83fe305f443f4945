/**
 * Loaded with `node --import` into each process that `neurocompare bench
 * startup` measures. When the process exits it appends one JSON line, its
 * CPU time (user + system) and peak resident set size, to the file named by
 * the environment variable NEUROCOMPARE_STARTUP_PROBE. A child's CPU time and
 * peak RSS are only visible from inside it (Node's spawnSync returns neither),
 * and both are less disturbed by other load on the machine than wall time.
 */
import { appendFileSync } from "node:fs";

const out = process.env["NEUROCOMPARE_STARTUP_PROBE"];
if (out !== undefined && out !== "") {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    const line = { cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  });
}
