/**
 * The files a run's folder holds beside its report, each with a sentence on
 * what it is: the report's "Files" section links every one that exists. The
 * list is explicit (no folder scan), so a report never links a file the
 * project did not write.
 */
import { existsSync } from "node:fs";
import { fileComponent, outputPath } from "../core/paths.js";
import type { DataFile, RenderedChart } from "./html.js";

/** Files a run, a comparison or an index can hold, in the order a reader wants them. */
const KNOWN_FILES: readonly { name: string; what: string }[] = [
  {
    name: "metrics.csv",
    what: "every recorded metric, one row per learner (or group), seed, epoch and metric (tidy CSV)",
  },
  {
    name: "summary.json",
    what: "final figures over seeds with their intervals, the comparisons, the resolved scenario and the versions",
  },
  { name: "comparisons.csv", what: "every Welch test between runs, with raw and Holm-adjusted p-values" },
  { name: "compare.json", what: "which run folders this comparison puts side by side" },
  { name: "weights.csv", what: "weight histograms per learner and epoch (first seed)" },
  {
    name: "robustness.csv",
    what: "test accuracy under lesions, silencing or input noise, per learner, seed and level",
  },
  { name: "firing-rates.csv", what: "each hidden neuron's firing rate on the test set (first seed)" },
  { name: "spikes.csv", what: "every recorded spike of the first seed: group, neuron, time (ms)" },
  {
    name: "state.csv",
    what: "the recorded state variables of the first seed: group, variable, neuron, time (ms), value",
  },
  { name: "events.jsonl", what: "the run's progress log, one JSON line per finished epoch or seed" },
  { name: "report.md", what: "this report in Markdown, with the charts as PNG" },
];

/** The known files present in `dir`, then each chart's spec, SVG and PNG, then the images' PNGs. */
export function reportFiles(
  dir: string,
  charts: readonly Pick<RenderedChart, "id" | "title">[],
  images: readonly Pick<RenderedChart, "id" | "title">[] = [],
): DataFile[] {
  const out: DataFile[] = KNOWN_FILES.filter((f) => f.name === "report.md" || existsSync(outputPath(dir, f.name))).map(
    (f) => ({ path: f.name, what: f.what }),
  );
  for (const c of charts) {
    const stem = fileComponent(c.id);
    out.push({
      path: `charts/${stem}.vl.json`,
      what: `${c.title}: the vega-lite spec with its data (opens in the Vega editor)`,
      also: [
        { label: "SVG", path: `charts/${stem}.svg` },
        { label: "PNG", path: `charts/${stem}.png` },
      ],
    });
  }
  for (const im of images) out.push({ path: `charts/${fileComponent(im.id)}.png`, what: im.title });
  return out;
}

/** The image id (and file name, without `.png`) of a learner's receptive fields. */
export function receptiveFieldId(learner: string): string {
  return `receptive-fields-${fileComponent(learner)}`;
}
