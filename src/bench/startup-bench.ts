/**
 * `neurocompare bench startup`: how long the first things a user types take,
 * and how much memory they use. Each command runs as a fresh Node process
 * (as a user starts it), after one untimed warm-up run each; the runs are
 * interleaved (help, validate, cuba, library import, the empty-script floor,
 * then again), so load from other processes falls on all of them alike.
 *
 * Per command it reports the fastest and the median wall time (spawn to exit,
 * as hyperfine measures), the fastest and median CPU time (user + system) and
 * the largest peak RSS, from inside the child (startup-probe.ts), and the
 * load average before and after. The targets: `--help` ≤ 300 ms wall,
 * `validate scenarios/quickstart.json` ≤ 500 ms wall, `bench cuba --neurons
 * 4000` ≤ 80 MB peak RSS (Brian2's C++ standalone binary peaks at 12 MB for
 * the same network). Wall-time targets are for a quiet machine: under load,
 * read the CPU times.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface StartupBenchOptions {
  /** Timed runs per command (default 5). */
  runs?: number;
  /** CUBA network size for the memory figure (default 4000). */
  neurons?: number;
}

export interface StartupTarget {
  metric: "wallMs" | "peakRssMb";
  /** The figure must be at most this. */
  max: number;
}

export interface StartupCommandResult {
  /** What a user types (or does), e.g. `neurocompare --help`. */
  command: string;
  wallMs: { fastest: number; median: number };
  cpuMs: { fastest: number; median: number };
  /** The largest peak RSS over the runs, MB. */
  peakRssMb: number;
  target: StartupTarget | null;
  /** Whether the fastest wall time (or the peak RSS) meets the target; null without one. */
  meetsTarget: boolean | null;
}

export interface StartupBenchResult {
  runs: number;
  node: string;
  /** 1-, 5- and 15-minute load averages before and after the runs. */
  loadAverage: { before: number[]; after: number[] };
  commands: StartupCommandResult[];
}

interface Probe {
  cpuMs: number;
  peakRssMb: number;
}

interface Case {
  command: string;
  args: string[];
  target: StartupTarget | null;
}

/** The package root: this file sits in src/bench or dist/bench. */
function packageRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url));
}

function cases(neurons: number): Case[] {
  const root = packageRoot();
  const cli = join(root, "dist", "cli", "main.js");
  const index = pathToFileURL(join(root, "dist", "index.js")).href;
  return [
    { command: "neurocompare --help", args: [cli, "--help"], target: { metric: "wallMs", max: 300 } },
    {
      command: "neurocompare validate scenarios/quickstart.json",
      args: [cli, "validate", join(root, "scenarios", "quickstart.json")],
      target: { metric: "wallMs", max: 500 },
    },
    {
      command: `neurocompare bench cuba --neurons ${neurons}`,
      args: [cli, "bench", "cuba", "--neurons", String(neurons), "--json"],
      target: neurons === 4000 ? { metric: "peakRssMb", max: 80 } : null,
    },
    {
      command: 'import("neurocompare") (the public API)',
      args: ["--input-type=module", "-e", `await import(${JSON.stringify(index)});`],
      target: null,
    },
    { command: "node -e 0 (Node's own start, the floor)", args: ["-e", "0"], target: null },
  ];
}

function runOnce(c: Case, probeUrl: string, probeFile: string): { wallMs: number; probe: Probe } {
  rmSync(probeFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", probeUrl, ...c.args], {
    env: { ...process.env, NEUROCOMPARE_STARTUP_PROBE: probeFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(
      `bench startup: \`${c.command}\` exited with ${r.status ?? r.signal}: ${r.stderr?.toString() ?? ""}`,
    );
  }
  const lines = readFileSync(probeFile, "utf8").trim().split("\n");
  return { wallMs, probe: JSON.parse(lines[lines.length - 1]!) as Probe };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function runStartupBench(opts: StartupBenchOptions = {}): StartupBenchResult {
  const runs = opts.runs ?? 5;
  const list = cases(opts.neurons ?? 4000);
  const probeUrl = pathToFileURL(join(packageRoot(), "dist", "bench", "startup-probe.js")).href;
  const dir = mkdtempSync(join(tmpdir(), "neurocompare-startup-"));
  const probeFile = join(dir, "probe.jsonl");
  const before = loadavg();
  const wall: number[][] = list.map(() => []);
  const cpu: number[][] = list.map(() => []);
  const rss: number[][] = list.map(() => []);
  try {
    for (const c of list) runOnce(c, probeUrl, probeFile); // warm-up: file cache, compiled wasm
    for (let r = 0; r < runs; r++) {
      list.forEach((c, i) => {
        const { wallMs, probe } = runOnce(c, probeUrl, probeFile);
        wall[i]!.push(wallMs);
        cpu[i]!.push(probe.cpuMs);
        rss[i]!.push(probe.peakRssMb);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const after = loadavg();
  return {
    runs,
    node: process.version,
    loadAverage: { before, after },
    commands: list.map((c, i) => {
      const wallMs = { fastest: Math.min(...wall[i]!), median: median(wall[i]!) };
      const peakRssMb = Math.max(...rss[i]!);
      const figure = c.target?.metric === "peakRssMb" ? peakRssMb : wallMs.fastest;
      return {
        command: c.command,
        wallMs,
        cpuMs: { fastest: Math.min(...cpu[i]!), median: median(cpu[i]!) },
        peakRssMb,
        target: c.target,
        meetsTarget: c.target === null ? null : figure <= c.target.max,
      };
    }),
  };
}

export function formatStartupBench(r: StartupBenchResult): string {
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(" ");
  const head = ["command", "wall fastest", "wall median", "cpu fastest", "cpu median", "peak RSS", "target"];
  const rows = r.commands.map((c) => [
    c.command,
    `${c.wallMs.fastest.toFixed(0)} ms`,
    `${c.wallMs.median.toFixed(0)} ms`,
    `${c.cpuMs.fastest.toFixed(0)} ms`,
    `${c.cpuMs.median.toFixed(0)} ms`,
    `${c.peakRssMb.toFixed(1)} MB`,
    c.target === null
      ? ""
      : `${c.target.metric === "wallMs" ? `wall ≤ ${c.target.max} ms` : `peak RSS ≤ ${c.target.max} MB`}: ${c.meetsTarget ? "met" : "missed"}`,
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((x, k) => (k === 0 || k === cells.length - 1 ? x.padEnd(widths[k]!) : x.padStart(widths[k]!)))
      .join("  ")
      .trimEnd();
  return [
    `Startup: fastest and median of ${r.runs} interleaved run(s) per command, each a fresh process (Node ${r.node}).`,
    `Load average before ${fmt(r.loadAverage.before)}, after ${fmt(r.loadAverage.after)}: wall times need a quiet machine; CPU time and peak RSS are less disturbed by load.`,
    "",
    line(head),
    ...rows.map(line),
  ].join("\n");
}
