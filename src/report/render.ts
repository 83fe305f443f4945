/**
 * vega-lite spec -> vega spec -> SVG (vega's headless renderer) -> PNG (resvg,
 * whose binary ships inside its npm package). Text in the PNG uses the
 * system's fonts; DejaVu Sans is preferred and falls back to any sans-serif.
 */
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VegaLiteSpec } from "./charts.js";

/** Our specs are plain JSON objects; this checks the shape vega-lite needs at the top. */
function isTopLevelSpec(spec: VegaLiteSpec): spec is VegaLiteSpec & TopLevelSpec {
  return ["mark", "layer", "concat", "hconcat", "vconcat", "facet", "repeat"].some((k) => k in spec);
}

/**
 * Vega's warnings, less one: a chart's zoom and legend selections listen to
 * browser events (on "window" among them), which a headless view has no
 * source for. They work in report.html; here there is nothing to listen to.
 */
const headlessLogger = vega.logger(vega.Warn, undefined, (method, level, args) => {
  if (args.some((a) => typeof a === "string" && a.startsWith("Can not resolve event source"))) return;
  console[method](level, ...args);
});

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  if (!isTopLevelSpec(spec)) throw new Error("not a vega-lite spec: it has no mark, layer or composition");
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", logger: headlessLogger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
