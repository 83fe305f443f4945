/**
 * `npm run library:table` (bench/library.mjs): every bundled scenario run once, one at a time, and the
 * README's "Scenario library" table rewritten from what the runs wrote. This module is the part without
 * timing: which scenarios run (and which are left out by default, with the reason), the figures kept from
 * each run's summary.json, the result column as the report writes its cells, and the Markdown between the
 * README's markers. Rows of scenarios not rerun are kept as the README has them.
 *
 * CPU time (user + system of the child process, every thread, from `/usr/bin/time`) is the figure that
 * holds on a shared machine; the wall time is given with the load average it was taken under, since other
 * jobs only ever add to it.
 */
import type { Interval } from "../metrics/stats.js";
import { intervalText } from "../report/bounds.js";

/**
 * Scenarios `library:table` leaves out unless `--only` names them: each reproduces a paper at its scale
 * (the pruning-fidelity rows at the end of the table), and took half an hour or more of wall time on the
 * shared 2-core machine of the table on 2026-12-05; their rows are kept as they are.
 */
export const LIBRARY_SLOW: readonly { name: string; reason: string }[] = [
  {
    name: "navlakha-routing-sweep",
    reason: "Navlakha et al. 2015's sweep at its scale, 360 units: 1,759 s of wall time (273 s of CPU) on 2026-12-05",
  },
  {
    name: "han-lenet-300-100",
    reason:
      "Han et al. 2015's LeNet-300-100, 25 epochs a run, 5 seeds: 2,163 s of wall time (293 s of CPU) on 2026-12-05",
  },
  {
    name: "lottery-ticket",
    reason: "Frankle & Carbin 2019, 62 epochs of iterative pruning, 5 seeds: 1,027 s of CPU for 10 of its 15 units",
  },
];

/** The figures of one run that the table shows, kept in bench/library-latest.json. */
export interface LibraryFigures {
  kind: "learning" | "network" | "routing";
  /** Units of the run: learners (or strategies) × seeds, or seeds for a network. */
  units: number;
  /**
   * Learners, groups or strategies in the scenario's order, each with the final figures the row shows;
   * `pruned` marks a learner with a `pruning` block (its share of connections left is shown).
   */
  items: { name: string; figures: Record<string, Interval>; pruned?: boolean }[];
}

/** What a run took, measured around `node dist/cli/main.js run` in a child process. */
export interface LibraryRecordEntry {
  /** ISO date and time the run started. */
  date: string;
  machine: { cores: number; cpu: string; node: string; platform: string };
  wallS: number;
  /** User + system CPU seconds of the child process (every thread). */
  cpuS: number;
  /** 1, 5 and 15-minute load averages before and after the run. */
  loadBefore: number[];
  loadAfter: number[];
  /** The `--jobs` the run had. */
  jobs: number;
  /** The niceness the command ran at. */
  nice: number;
  figures: LibraryFigures;
}

/** bench/library-latest.json: the latest run of each scenario, by name. */
export type LibraryRecord = Record<string, LibraryRecordEntry>;

/** Metrics kept from a learning run's summary; the row shows those present (energy only where `ENERGY_ROWS` says). */
const LEARNING_METRICS = ["finalTestAccuracy", "testAccuracy", "forgetting", "energyPj", "connectionDensity"] as const;

/** Scenarios whose row gives the energy per sample beside the accuracy (their subject is energy). */
const ENERGY_ROWS: readonly string[] = ["energy"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isInterval(v: unknown): v is Interval {
  return isRecord(v) && typeof v.n === "number" && typeof v.mean === "number";
}

function keep(final: unknown, metrics: readonly string[]): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  if (!isRecord(final)) return out;
  for (const m of metrics) {
    const v = final[m];
    if (isInterval(v)) {
      const { n, mean, std, halfWidth, lo, hi, min, max } = v;
      out[m] = { n, mean, std, halfWidth, lo, hi, min, max };
    }
  }
  return out;
}

function named(list: unknown, key: "name" | "group"): { name: string; base: unknown; final: unknown }[] {
  if (!Array.isArray(list))
    throw new Error(`summary.json: expected a list of ${key === "name" ? "learners" : "groups"}`);
  return list.map((x, i) => {
    if (!isRecord(x) || typeof x[key] !== "string") throw new Error(`summary.json: entry ${i} has no ${key}`);
    return { name: x[key] as string, base: x.base, final: x.final };
  });
}

/** Names (or types, where a learner has no name) of a scenario's learners that have a `pruning` block. */
export function prunedLearners(scenario: unknown): Set<string> {
  const out = new Set<string>();
  if (!isRecord(scenario) || !Array.isArray(scenario.learners)) return out;
  for (const l of scenario.learners) {
    if (!isRecord(l) || l.pruning === undefined) continue;
    const name = typeof l.name === "string" ? l.name : l.type;
    if (typeof name === "string") out.add(name);
  }
  return out;
}

/** The figures the table needs from a run's summary.json (a learning, network or routing run). */
export function libraryFigures(summary: unknown): LibraryFigures {
  if (!isRecord(summary) || !Array.isArray(summary.seeds)) throw new Error("summary.json: expected seeds");
  const seeds = summary.seeds.length;
  if (summary.kind === "routing") {
    const items = named(summary.strategies, "name").map((s) => ({
      name: s.name,
      figures: keep(s.final, ["meanPathLength"]),
    }));
    return { kind: "routing", units: items.length * seeds, items };
  }
  if (Array.isArray(summary.groups)) {
    const items = named(summary.groups, "group").map((g) => ({ name: g.name, figures: keep(g.final, ["meanRateHz"]) }));
    return { kind: "network", units: seeds, items };
  }
  const pruned = prunedLearners(summary.scenario);
  const items = named(summary.learners, "name").map((l) => ({
    name: l.name,
    figures: keep(l.final, LEARNING_METRICS),
    pruned: pruned.has(l.name) || (typeof l.base === "string" && pruned.has(l.base)),
  }));
  return { kind: "learning", units: items.length * seeds, items };
}

function accuracy(figures: Record<string, Interval>): string {
  const metric = figures.finalTestAccuracy !== undefined ? "finalTestAccuracy" : "testAccuracy";
  return `${intervalText(figures[metric], 1, metric, 100).text}%`;
}

/**
 * The result column: final test accuracy per learner as the report writes it ("mean ± half-width", or
 * "mean [min, max]" where the 95% interval would leave 0-100%), with forgetting where the run measured it,
 * the share of connections left (mean) where a learner has a \`pruning\` block, and the mean energy per sample on
 * energy's row;
 * a network's mean rate per group; a routing run's mean path length per strategy.
 */
export function libraryResult(scenario: string, f: LibraryFigures): string {
  if (f.kind === "network")
    return f.items
      .map((g) => `group ${g.name}: ${intervalText(g.figures.meanRateHz, 2, "meanRateHz").text} Hz`)
      .join("; ");
  if (f.kind === "routing")
    return `mean path length: ${f.items
      .map((s) => `${s.name} ${intervalText(s.figures.meanPathLength, 3, "meanPathLength").text}`)
      .join(", ")} hops`;
  return f.items
    .map((l) => {
      const parts = [`${l.name} ${accuracy(l.figures)}`];
      const density = l.figures.connectionDensity;
      if (l.pruned === true && density !== undefined)
        parts[0] += ` at ${(100 * density.mean).toFixed(1)}% of connections`;
      if (l.figures.forgetting !== undefined)
        parts.push(`forgetting ${intervalText(l.figures.forgetting, 1, "forgetting", 100).text} pp`);
      if (ENERGY_ROWS.includes(scenario) && l.figures.energyPj !== undefined)
        parts.push(`${(l.figures.energyPj.mean / 1e6).toFixed(2)} µJ`);
      return parts.join(", ");
    })
    .join("; ");
}

/** Seconds as the table writes them: one decimal under 10 s ("2.3 s"), else whole seconds with thousands separated ("1,759 s"). */
export function seconds(s: number): string {
  if (s < 9.95) return `${s.toFixed(1)} s`;
  return `${String(Math.round(s)).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} s`;
}

function meanLoad(e: LibraryRecordEntry): number {
  const a = e.loadBefore[0] ?? Number.NaN;
  const b = e.loadAfter[0] ?? Number.NaN;
  return (a + b) / 2;
}

export const LIBRARY_BEGIN =
  "<!-- library:table begin (written by `npm run library:table`; edits here are overwritten) -->";
export const LIBRARY_END = "<!-- library:table end -->";

const HEADER = [
  "| scenario | units | wall time | CPU time | result (final test accuracy, mean ± 95% CI over the seeds, or [the seeds' range] where that interval would pass 0-100%; network scenarios: mean rate) |",
  "|---|---|---|---|---|",
];

/** The scenario a table row is about, from its first cell ("| `cuba` | ..."); undefined for other lines. */
export function rowScenario(line: string): string | undefined {
  return /^\|\s*`([^`]+)`\s*\|/.exec(line)?.[1];
}

/** The table's rows by scenario, from the text between the markers (or any text holding the table). */
export function parseLibraryRows(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const name = rowScenario(line);
    if (name !== undefined) rows.set(name, line);
  }
  return rows;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** One row from a recorded run; `latestDay` is the day most rows were measured on, other days are noted. */
export function libraryRow(name: string, e: LibraryRecordEntry, latestDay: string): string {
  const when = day(e.date) === latestDay ? "" : `, ${day(e.date)}`;
  const jobs = e.jobs === 1 ? "" : `, \`--jobs ${e.jobs}\``;
  const wall = `${seconds(e.wallS)} (load ${meanLoad(e).toFixed(1)}${jobs}${when})`;
  return `| \`${name}\` | ${e.figures.units} | ${wall} | ${seconds(e.cpuS)} | ${libraryResult(name, e.figures)} |`;
}

/**
 * The Markdown between the markers: the conditions of the recorded runs, then the table in `order`
 * (recorded scenarios from the record, the others' rows kept from `kept`), a recorded scenario that
 * `order` does not name placed before the first slow one (`LIBRARY_SLOW`), or last.
 */
export function renderLibraryTable(
  record: LibraryRecord,
  kept: ReadonlyMap<string, string>,
  order: readonly string[],
): string {
  const entries = Object.entries(record);
  const days = entries.map(([, e]) => day(e.date)).sort();
  const latestDay = days.at(-1) ?? "";
  const lines: string[] = [];
  if (entries.length > 0) {
    const first = entries[0]![1];
    const m = first.machine;
    const loads = entries.flatMap(([, e]) => [e.loadBefore[0] ?? Number.NaN, e.loadAfter[0] ?? Number.NaN]);
    const finite = loads.filter(Number.isFinite);
    const nice = [...new Set(entries.map(([, e]) => e.nice))].join(", ");
    lines.push(
      `Rows with a load average beside the wall time were measured by \`npm run library:table\` (latest ${latestDay}; ` +
        `other days are noted in the row): \`neurocompare run scenarios/NAME.json --jobs 1\`, one scenario at a time, ` +
        `at niceness ${nice} on ${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.platform}. ` +
        `CPU time is the child process's user + system time (every thread): the figure to compare. ` +
        `The wall time is given with the mean of the 1-minute load average before and after the run ` +
        `(from ${Math.min(...finite).toFixed(1)} to ${Math.max(...finite).toFixed(1)} over these runs); other jobs only add to it.`,
      "",
    );
  }
  lines.push(...HEADER);
  const written = new Set<string>();
  // Scenarios new to the table go before the slow paper-scale rows, which close it.
  const fresh = Object.keys(record).filter((n) => !order.includes(n));
  const slowNames = new Set(LIBRARY_SLOW.map((slow) => slow.name));
  const slowAt = order.findIndex((n) => slowNames.has(n));
  const at = slowAt < 0 ? order.length : slowAt;
  for (const name of [...order.slice(0, at), ...fresh, ...order.slice(at)]) {
    if (written.has(name)) continue;
    const e = record[name];
    const row = e !== undefined ? libraryRow(name, e, latestDay) : kept.get(name);
    if (row === undefined) continue;
    lines.push(row);
    written.add(name);
  }
  return lines.join("\n");
}

/** The text between the README's library markers (without them); refuses a README without exactly one pair. */
export function betweenLibraryMarkers(readme: string): { start: number; end: number } {
  const b = readme.indexOf(LIBRARY_BEGIN);
  const e = readme.indexOf(LIBRARY_END);
  if (b < 0 || e < b || readme.indexOf(LIBRARY_BEGIN, b + 1) >= 0 || readme.indexOf(LIBRARY_END, e + 1) >= 0)
    throw new Error(`README.md: expected one "${LIBRARY_BEGIN}" and, after it, one "${LIBRARY_END}"`);
  return { start: b + LIBRARY_BEGIN.length, end: e };
}

/** The README with the table between the library markers replaced. */
export function rewriteLibraryTable(readme: string, table: string): string {
  const { start, end } = betweenLibraryMarkers(readme);
  return `${readme.slice(0, start)}\n${table}\n${readme.slice(end)}`;
}

/**
 * The scenarios to run, in table order (`order`, then the bundled ones it lacks, alphabetically): all
 * bundled ones but `LIBRARY_SLOW` and `skip`, or `only` (slow ones included when named). Unknown names
 * are refused.
 */
export function libraryPlan(
  bundled: readonly string[],
  order: readonly string[],
  o: { only?: readonly string[]; skip?: readonly string[] },
): string[] {
  const known = new Set(bundled);
  for (const [flag, list] of [
    ["--only", o.only],
    ["--skip", o.skip],
  ] as const) {
    const unknown = (list ?? []).filter((n) => !known.has(n));
    if (unknown.length > 0)
      throw new Error(`${flag}: no bundled scenario named ${unknown.join(", ")} (scenarios/: ${bundled.join(", ")})`);
  }
  const all = [...order.filter((n) => known.has(n)), ...[...bundled].sort().filter((n) => !order.includes(n))];
  const slow = new Set(LIBRARY_SLOW.map((s) => s.name));
  return all.filter((n) => (o.only !== undefined ? o.only.includes(n) : !slow.has(n) && !(o.skip ?? []).includes(n)));
}

/** `--only a,b`: names, trimmed, none empty. */
export function parseNames(text: string): string[] {
  const names = text.split(",").map((s) => s.trim());
  if (names.some((n) => n === "")) throw new Error(`expected scenario names separated by commas, found "${text}"`);
  return names;
}

/** `/usr/bin/time -f "%e %U %S"`'s last line: wall, user and system seconds. */
export function parseTime(text: string): { wallS: number; cpuS: number } {
  const last = text.trim().split("\n").at(-1) ?? "";
  const m = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(last.trim());
  if (m === null) throw new Error(`/usr/bin/time: expected "wall user system", found "${last}"`);
  return { wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]) };
}
