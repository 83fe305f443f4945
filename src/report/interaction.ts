/**
 * Interaction added to a chart's vega-lite spec, so that the same spec draws
 * the static SVG and PNG and, in report.html, the live chart:
 *
 *   series legend  clicking a legend entry hides that learner's (or group's)
 *                  marks, clicking again shows them: a point selection bound
 *                  to the legend that starts with every series selected and
 *                  toggles on each click; marks of unselected series get
 *                  opacity 0. Selected entries stay solid in the legend,
 *                  hidden ones fade (vega-lite's legend-binding style).
 *   time zoom      on an x axis of epochs or milliseconds, the wheel zooms,
 *                  dragging pans and a double click resets (an interval
 *                  selection bound to the scales), with marks clipped to the
 *                  plot so nothing spills over the axes.
 *   tooltips       every mark shows a tooltip: the builder's own list where it
 *                  gave one, else every field of the datum.
 *
 * The series is the nominal colour field whose scale lists its domain (the
 * learners or groups in scenario order: see `learnerColor`). Nothing is added
 * where a chart has no such legend or no time axis. The spec is copied, never
 * changed in place.
 */
import type { VegaLiteSpec } from "./charts.js";

type Json = Record<string, unknown>;

/** x fields that are time: learning epochs and simulated milliseconds. */
const TIME_FIELDS: ReadonlySet<string> = new Set(["epoch", "timeMs"]);

/** The name of the legend selection in every interactive chart. */
export const SERIES_PARAM = "series";

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The units (specs with a mark) of a view, and the views below it that are separate plots. */
function children(spec: Json): { units: Json[]; views: Json[] } {
  if (Array.isArray(spec["layer"])) return { units: (spec["layer"] as unknown[]).filter(isObject), views: [] };
  if ("mark" in spec) return { units: [spec], views: [] };
  if (isObject(spec["spec"])) return { units: [], views: [spec["spec"]] };
  for (const key of ["hconcat", "vconcat", "concat"]) {
    if (Array.isArray(spec[key])) return { units: [], views: (spec[key] as unknown[]).filter(isObject) };
  }
  return { units: [], views: [] };
}

function encodingOf(unit: Json): Json {
  return isObject(unit["encoding"]) ? unit["encoding"] : {};
}

function markOf(unit: Json): Json {
  const m = unit["mark"];
  return typeof m === "string" ? { type: m } : isObject(m) ? { ...m } : { type: "point" };
}

/** The series a chart's legend shows: a nominal colour field with an explicit domain of strings. */
export function seriesOf(spec: VegaLiteSpec): { field: string; values: string[] } | null {
  const visit = (s: Json): { field: string; values: string[] } | null => {
    const { units, views } = children(s);
    for (const u of units) {
      const color = encodingOf(u)["color"];
      if (!isObject(color) || color["type"] !== "nominal" || typeof color["field"] !== "string") continue;
      if (color["legend"] === null) continue;
      const domain = isObject(color["scale"]) ? color["scale"]["domain"] : undefined;
      if (Array.isArray(domain) && domain.length > 0 && domain.every((d) => typeof d === "string"))
        return { field: color["field"], values: domain as string[] };
    }
    for (const v of views) {
      const found = visit(v);
      if (found !== null) return found;
    }
    return null;
  };
  return visit(spec);
}

/** Whether a unit's x is a quantitative time axis (not on a log scale). */
function hasTimeX(unit: Json): boolean {
  const x = encodingOf(unit)["x"];
  if (!isObject(x) || typeof x["field"] !== "string" || !TIME_FIELDS.has(x["field"])) return false;
  if (x["type"] !== "quantitative") return false;
  return !(isObject(x["scale"]) && x["scale"]["type"] === "log");
}

/** The interactive copy of a chart spec (see the file comment). */
export function makeInteractive(spec: VegaLiteSpec): VegaLiteSpec {
  const out = structuredClone(spec) as Json;
  const series = seriesOf(spec);
  let seriesDefined = false;
  let zooms = 0;

  const visit = (view: Json): void => {
    const { units, views } = children(view);
    const zoomable = units.length > 0 && units.some(hasTimeX);
    units.forEach((unit, i) => {
      const enc = { ...encodingOf(unit) };
      const mark = markOf(unit);
      const params: Json[] = Array.isArray(unit["params"]) ? [...(unit["params"] as Json[])] : [];
      const color = enc["color"];
      const isSeries = series !== null && isObject(color) && color["field"] === series.field;
      if (isSeries && !("opacity" in enc)) {
        const shown = typeof mark["opacity"] === "number" ? mark["opacity"] : 1;
        enc["opacity"] = { condition: { param: SERIES_PARAM, empty: false, value: shown }, value: 0 };
      }
      if (isSeries && !seriesDefined && isObject(color) && color["legend"] !== null) {
        seriesDefined = true;
        params.push({
          name: SERIES_PARAM,
          select: { type: "point", fields: [series.field], toggle: "true", clear: false },
          bind: "legend",
          value: series.values.map((v) => ({ [series.field]: v })),
        });
      }
      if (zoomable && i === 0) {
        params.push({
          name: zooms === 0 ? "zoom" : `zoom_${zooms}`,
          select: { type: "interval", encodings: ["x"] },
          bind: "scales",
        });
        zooms++;
      }
      if (zoomable) mark["clip"] = true;
      if (!("tooltip" in enc) && !("tooltip" in mark)) mark["tooltip"] = { content: "data" };
      unit["mark"] = mark;
      unit["encoding"] = enc;
      if (params.length > 0) unit["params"] = params;
    });
    for (const v of views) visit(v);
  };
  visit(out);
  return out;
}
