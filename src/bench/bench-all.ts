/**
 * `npm run bench:all` (bench/all.mjs): every benchmark workload with the peers that npm and Debian provide,
 * in one run, and the README's table of figures rewritten from what the run printed. This module is the
 * part without timing: the plan (which existing benchmark command runs each workload), reading their
 * `--json` output, and the Markdown table between the README's markers. The commands it plans are the
 * ones a user can run alone (`neurocompare bench ... --json`, `bench/peers/run.mjs`,
 * `bench/cuba-vs-brian2.mjs`); nothing is measured twice.
 *
 * Every ratio is ours / peer (below 1: ours is faster or smaller), from the fastest run of each side (on a
 * shared machine other jobs only ever add time, so each side's best is what it can do) and, beside it,
 * from the medians; the load average before and after each workload is recorded with its figures.
 */
import { median } from "./median.js";

export const benchAllWorkloads = ["mlp", "cnn", "lstm", "cuba", "pruning", "network", "startup", "jobs"] as const;
export type BenchAllWorkload = (typeof benchAllWorkloads)[number];

/** One command of the plan: `node <argv>` from the package root, `times` times in fresh processes. */
export interface BenchAllStep {
  workloads: BenchAllWorkload[];
  what: string;
  argv: string[];
  times: number;
}

export interface BenchAllPlanOptions {
  only: readonly BenchAllWorkload[];
  /** Runs a side (at least 5 for the README's figures). */
  repeat: number;
  /** CUBA sizes. */
  cubaNeurons: readonly number[];
}

const ann: readonly BenchAllWorkload[] = ["mlp", "cnn", "lstm"];

/** `--only mlp,cuba`: known workloads, each once, in the plan's order. */
export function parseOnly(text: string): BenchAllWorkload[] {
  const asked = text.split(",").map((s) => s.trim());
  const unknown = asked.filter((w) => !(benchAllWorkloads as readonly string[]).includes(w));
  if (unknown.length > 0 || asked.length === 0)
    throw new Error(`--only: expected workloads among ${benchAllWorkloads.join(", ")}; found ${unknown.join(", ")}`);
  return benchAllWorkloads.filter((w) => asked.includes(w));
}

export function benchAllPlan(o: BenchAllPlanOptions): BenchAllStep[] {
  const r = String(o.repeat);
  const cli = "dist/cli/main.js";
  const steps: BenchAllStep[] = [];
  const anns = ann.filter((w) => o.only.includes(w));
  if (anns.length > 0)
    steps.push({
      workloads: anns,
      what: "one MNIST epoch: ours, PyTorch (one thread, /usr/bin/python3) and TensorFlow.js wasm, interleaved",
      argv: ["bench/peers/run.mjs", "--workloads", anns.join(","), "--backends", "ours,torch,wasm", "--repeat", r],
      times: 1,
    });
  if (o.only.includes("cuba"))
    steps.push({
      workloads: ["cuba"],
      what: "CUBA, ours and Brian2's C++ standalone (python3-brian), interleaved",
      argv: ["bench/cuba-vs-brian2.mjs", "--neurons", o.cubaNeurons.join(","), "--repeat", r],
      times: 1,
    });
  if (o.only.includes("pruning"))
    steps.push({
      workloads: ["pruning"],
      what: "a sample before and after pruning half the synapses, each run a fresh process",
      argv: [cli, "bench", "pruning", "--json"],
      times: o.repeat,
    });
  if (o.only.includes("network"))
    steps.push({
      workloads: ["network"],
      what: "Diehl & Cook: the network learner (general engine) and the fused stdp learner, interleaved",
      argv: [cli, "bench", "network", "--runs", r, "--json"],
      times: 1,
    });
  if (o.only.includes("startup"))
    steps.push({
      workloads: ["startup"],
      what: "start-up time and memory of the first commands a user types, and Node alone",
      argv: [cli, "bench", "startup", "--runs", r, "--json"],
      times: 1,
    });
  if (o.only.includes("jobs"))
    steps.push({
      workloads: ["jobs"],
      what: "a whole run of bench/jobs-speedup.json (four MLP units) at --jobs 1 and 2, interleaved",
      argv: [cli, "bench", "scenario", "bench/jobs-speedup.json", "--jobs", "1,2", "--repeat", r, "--json"],
      times: 1,
    });
  return steps;
}

/** The machine the figures came from. */
export interface BenchMachine {
  cores: number;
  cpu: string;
  node: string;
  platform: string;
}

/** What one workload's run left: when, where, the load around it, and the JSON lines its command printed. */
export interface WorkloadRecord {
  date: string;
  machine: BenchMachine;
  repeat: number;
  loadBefore: number[];
  loadAfter: number[];
  lines: Record<string, unknown>[];
}

/** The record bench:all keeps (bench/latest.json): the latest figures of each workload. */
export type BenchRecord = Partial<Record<BenchAllWorkload, WorkloadRecord>>;

/** The JSON objects among a command's output lines (its tables and notes are text). */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of stdout.split("\n")) {
    const t = l.trim();
    if (!t.startsWith("{")) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      // a line that only starts like JSON: not a result
    }
  }
  return out;
}

/** A row of the README's table: ours, the peer, and ours / peer, each as fastest and median. */
export interface BenchRow {
  workload: BenchAllWorkload;
  what: string;
  ours: string;
  peer: string;
  ratio: string;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);
const ms = (v: number) =>
  Number.isFinite(v) ? `${v >= 100 ? Math.round(v).toLocaleString("en-GB") : v.toPrecision(3)} ms` : "–";
const times = (a: number, b: number, unit: (v: number) => string = ms) => `${unit(a)}, ${unit(b)}`;
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "–";
const ratios = (oa: number, pa: number, om: number, pm: number) => `${ratio(oa, pa)}, ${ratio(om, pm)}`;
const min = (xs: number[]) => (xs.length > 0 ? Math.min(...xs) : Number.NaN);
const med = (xs: number[]) => (xs.length > 0 ? median(xs) : Number.NaN);

const peerNames: Record<string, string> = { torch: "PyTorch", "tfjs-wasm": "TF.js wasm", "tfjs-cpu": "TF.js cpu" };
const annTitles: Record<string, string> = {
  mlp: "MLP 784-128-10 epoch",
  cnn: "CNN epoch",
  lstm: "LSTM(64) epoch",
};

function annRows(w: BenchAllWorkload, rec: WorkloadRecord): BenchRow[] {
  const runs = (peer: string) => rec.lines.filter((l) => l["peer"] === peer && l["workload"] === w);
  const ok = (peer: string) => runs(peer).filter((l) => typeof l["msPerEpoch"] === "number");
  const ours = ok("ours").map((l) => num(l["msPerEpoch"]));
  const best = ok("ours").reduce<Record<string, unknown> | undefined>(
    (b, l) => (b === undefined || num(l["msPerEpoch"]) < num(b["msPerEpoch"]) ? l : b),
    undefined,
  );
  const acc = best === undefined ? "" : ` (${(100 * num(best["testAccuracy"])).toFixed(1)}%)`;
  const rows: BenchRow[] = [];
  for (const peer of ["torch", "tfjs-wasm"]) {
    const all = runs(peer);
    if (all.length === 0) continue;
    const t = ok(peer).map((l) => num(l["msPerEpoch"]));
    const err = all.find((l) => typeof l["error"] === "string")?.["error"];
    rows.push({
      workload: w,
      what: annTitles[w] ?? w,
      ours: `${times(min(ours), med(ours))}${acc}`,
      peer:
        t.length > 0
          ? `${peerNames[peer]} ${times(min(t), med(t))}`
          : `${peerNames[peer]}: ${String(err ?? "no result").slice(0, 120)}`,
      ratio: t.length > 0 ? ratios(min(ours), min(t), med(ours), med(t)) : "–",
    });
  }
  return rows;
}

function cubaRows(rec: WorkloadRecord): BenchRow[] {
  return rec.lines
    .filter((l) => typeof l["neurons"] === "number")
    .flatMap((l) => {
      const s = (l["samples"] ?? {}) as Record<string, number[]>;
      const o = (s["oursSimCpuS"] ?? []).map((v) => 1000 * v);
      const b = (s["brian2SimS"] ?? []).map((v) => 1000 * v);
      const ours = (l["ours"] ?? {}) as Record<string, unknown>;
      const brian = (l["brian2"] ?? null) as Record<string, unknown> | null;
      const n = num(l["neurons"]).toLocaleString("en-GB");
      const mb = (v: number) => `${Math.round(v)} MB`;
      const rows: BenchRow[] = [
        {
          workload: "cuba",
          what: `CUBA N=${n}, ${num(l["durationS"])} s, simulation CPU time (${String(ours["precision"] ?? "float64")})`,
          ours: times(min(o), med(o)),
          peer: brian ? `Brian2 C++ standalone ${times(min(b), med(b))}` : "Brian2: not run",
          ratio: brian ? ratios(min(o), min(b), med(o), med(b)) : "–",
        },
      ];
      if (brian)
        rows.push({
          workload: "cuba",
          what: `CUBA N=${n}, peak memory (median)`,
          ours: mb(num(ours["peakRssMb"])),
          peer: `Brian2 ${mb(num(brian["peakRssMb"]))}`,
          ratio: ratio(num(ours["peakRssMb"]), num(brian["peakRssMb"])),
        });
      return rows;
    });
}

function pruningRows(rec: WorkloadRecord): BenchRow[] {
  const runs = rec.lines.filter((l) => l["workload"] === "pruning");
  if (runs.length === 0) return [];
  const phase = (k: string) => runs.map((r) => num((r[k] as Record<string, unknown>)["msPerSample"]));
  const pruned = phase("pruned");
  const full = phase("full");
  const syn = num((runs[0]!["full"] as Record<string, unknown>)["synapses"]);
  return [
    {
      workload: "pruning",
      what: `a 100 ms sample, half of ${(syn / 1e6).toFixed(1)} M synapses pruned`,
      ours: `pruned ${times(min(pruned), med(pruned))}`,
      peer: `unpruned ${times(min(full), med(full))}`,
      ratio: ratios(min(pruned), min(full), med(pruned), med(full)),
    },
  ];
}

function networkRows(rec: WorkloadRecord): BenchRow[] {
  const r = rec.lines.find((l) => typeof l["ratioFastest"] === "number");
  if (r === undefined) return [];
  const side = (k: string) => r[k] as Record<string, number>;
  return [
    {
      workload: "network",
      what: `Diehl & Cook (${num(r["neurons"])} neurons), CPU time per training image`,
      ours: `network learner ${times(side("engine")["fastestCpuMs"]!, side("engine")["medianCpuMs"]!)}`,
      peer: `fused stdp learner ${times(side("fused")["fastestCpuMs"]!, side("fused")["medianCpuMs"]!)}`,
      ratio: `${num(r["ratioFastest"]).toFixed(2)}×, ${num(r["ratioMedian"]).toFixed(2)}×`,
    },
  ];
}

function startupRows(rec: WorkloadRecord): BenchRow[] {
  const r = rec.lines.find((l) => Array.isArray(l["commands"]));
  if (r === undefined) return [];
  const cmds = r["commands"] as { command: string; wallMs: { fastest: number; median: number }; peakRssMb: number }[];
  const floor = cmds.find((c) => !c.command.includes("neurocompare"));
  return cmds
    .filter((c) => c !== floor)
    .map((c) => ({
      workload: "startup" as const,
      what: `\`${c.command}\`, wall time (peak ${Math.round(c.peakRssMb)} MB)`,
      ours: times(c.wallMs.fastest, c.wallMs.median),
      peer: floor ? `${floor.command} ${times(floor.wallMs.fastest, floor.wallMs.median)}` : "–",
      ratio: floor ? ratios(c.wallMs.fastest, floor.wallMs.fastest, c.wallMs.median, floor.wallMs.median) : "–",
    }));
}

function jobsRows(rec: WorkloadRecord): BenchRow[] {
  const r = rec.lines.find((l) => Array.isArray(l["settings"]));
  if (r === undefined) return [];
  const s = r["settings"] as { jobs: number; fastestMs: number; medianMs: number }[];
  const first = s[0]!;
  return s.slice(1).map((x) => ({
    workload: "jobs" as const,
    what: `a run of ${num(r["units"])} MLP units (bench/jobs-speedup.json), wall time${r["identical"] === true ? "; metrics.csv identical" : ""}`,
    ours: `--jobs ${x.jobs}: ${times(x.fastestMs, x.medianMs)}`,
    peer: `--jobs ${first.jobs}: ${times(first.fastestMs, first.medianMs)}`,
    ratio: ratios(x.fastestMs, first.fastestMs, x.medianMs, first.medianMs),
  }));
}

/** The rows of one workload's record. */
export function benchRows(w: BenchAllWorkload, rec: WorkloadRecord): BenchRow[] {
  if (w === "mlp" || w === "cnn" || w === "lstm") return annRows(w, rec);
  if (w === "cuba") return cubaRows(rec);
  if (w === "pruning") return pruningRows(rec);
  if (w === "network") return networkRows(rec);
  if (w === "startup") return startupRows(rec);
  return jobsRows(rec);
}

const load = (l: number[]) => (l.length > 0 ? l[0]!.toFixed(2) : "–");

function conditions(rec: WorkloadRecord): string {
  const m = rec.machine;
  const when = rec.date.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  return `${when}, ${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.platform}, ${rec.repeat} runs a side`;
}

export const BEGIN_MARKER = "<!-- bench:all begin (written by `npm run bench:all`; edits here are overwritten) -->";
export const END_MARKER = "<!-- bench:all end -->";

/** The Markdown the README holds between the markers: conditions, then one table of every workload's rows. */
export function renderBenchTable(record: BenchRecord): string {
  const present = benchAllWorkloads.filter((w) => record[w] !== undefined);
  const groups = new Map<string, BenchAllWorkload[]>();
  for (const w of present) {
    const key = conditions(record[w]!);
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const lines: string[] = [];
  lines.push(
    "Ratios are ours / peer (below 1: ours is faster or smaller), from each side's fastest run and, after the comma, from the medians. " +
      "Each cell gives the fastest run, then the median.",
    "",
  );
  for (const [cond, ws] of groups) {
    const loads = ws.map((w) => `${w} ${load(record[w]!.loadBefore)} → ${load(record[w]!.loadAfter)}`).join("; ");
    lines.push(`- ${ws.join(", ")}: ${cond}; 1-minute load average before → after: ${loads}.`);
  }
  lines.push(
    "",
    "| workload | neurocompare (fastest, median) | peer (fastest, median) | ours / peer (fastest, median) |",
    "|---|---|---|---|",
  );
  for (const w of present)
    for (const r of benchRows(w, record[w]!)) lines.push(`| ${r.what} | ${r.ours} | ${r.peer} | ${r.ratio} |`);
  return lines.join("\n");
}

/** The README with the text between the markers replaced; refuses a README without exactly one pair. */
export function rewriteBetweenMarkers(readme: string, table: string): string {
  const b = readme.indexOf(BEGIN_MARKER);
  const e = readme.indexOf(END_MARKER);
  if (b < 0 || e < b || readme.indexOf(BEGIN_MARKER, b + 1) >= 0 || readme.indexOf(END_MARKER, e + 1) >= 0)
    throw new Error(`README.md: expected one "${BEGIN_MARKER}" and, after it, one "${END_MARKER}"`);
  return `${readme.slice(0, b + BEGIN_MARKER.length)}\n${table}\n${readme.slice(e)}`;
}

/** The record after a run: the workloads it ran replace their earlier figures, the others are kept. */
export function mergeRecord(earlier: BenchRecord, now: BenchRecord): BenchRecord {
  return { ...earlier, ...now };
}
