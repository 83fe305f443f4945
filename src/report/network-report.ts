/** Charts, report.html and report.md of a network scenario. */
import type { Interval } from "../metrics/stats.js";
import type { NetworkSummary } from "../runs/network-results.js";
import type { Recordings } from "../runs/run-network.js";
import { buildNetworkCharts } from "./network-charts.js";
import type { HeadlineTable } from "./table.js";
import { writeCharts, writeReportDoc, type WrittenReport } from "./write.js";

function fmt(iv: Interval | undefined, digits: number): string {
  if (iv === undefined || !Number.isFinite(iv.mean)) return "–";
  return iv.n >= 2 ? `${iv.mean.toFixed(digits)} ± ${iv.halfWidth.toFixed(digits)}` : iv.mean.toFixed(digits);
}

export function networkTable(summary: NetworkSummary): HeadlineTable {
  const cell = (text: string) => ({ text, best: false });
  return {
    headers: ["group", "model", "neurons", "spikes", "mean rate (Hz)", "ISI CV", "active fraction"],
    rows: summary.groups.map((g) => [
      cell(g.group),
      cell(summary.scenario.groups.find((x) => x.name === g.group)?.model.type ?? ""),
      cell(String(g.size)),
      cell(fmt(g.final["spikes"], 0)),
      cell(fmt(g.final["meanRateHz"], 2)),
      cell(fmt(g.final["meanIsiCv"], 2)),
      cell(fmt(g.final["activeFraction"], 3)),
    ]),
  };
}

/** Writes a network run's charts (charts/*.vl.json, .svg, .png), report.html and report.md into `dir`. */
export async function writeNetworkReport(
  dir: string,
  rec: Recordings,
  summary: NetworkSummary,
  notices: readonly string[] = [],
): Promise<WrittenReport> {
  const s = summary.scenario;
  const files: string[] = [];
  const charts = await writeCharts(dir, buildNetworkCharts(rec, s.durationMs, s.dtMs, s.charts), files);
  const net = summary.network;
  writeReportDoc(
    dir,
    {
      name: s.name,
      description: s.description,
      meta: `Network of ${s.groups.length} group(s), ${fmt(net["synapses"], 0)} synapses · ${s.durationMs} ms at dt ${s.dtMs} ms, ${s.precision} state and arithmetic · seeds ${summary.seeds.join(", ")} · simulation ${fmt(net["simMs"], 0)} ms, build ${fmt(net["buildMs"], 0)} ms`,
      tableIntro: `Per group${summary.seeds.length > 1 ? ", mean ± 95% confidence half-width (Student's t) over seeds" : " (one seed)"}; charts show the first seed.`,
      table: networkTable(summary),
      charts,
      scenario: s,
      packageVersion: summary.packageVersion,
      notices,
    },
    files,
  );
  return { dir, files };
}
