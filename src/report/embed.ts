/**
 * The scripts that make report.html's charts live: the minified browser
 * builds of vega, vega-lite and vega-embed that their npm packages ship
 * (build/*.min.js beside each package's entry point), read from node_modules
 * when a report is written and inlined, so the page needs no network and
 * opens from file://. Together about 0.8 MB (vega 0.51 MB, vega-lite 0.25 MB,
 * vega-embed 0.06 MB at vega 6.2, vega-lite 6.4, vega-embed 7.3).
 *
 * Nothing here imports those packages: the CLI only reads the files when it
 * writes a report.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Each package's browser build, relative to the folder of its resolved entry point. */
const BUILDS = [
  { pkg: "vega", file: "vega.min.js" },
  { pkg: "vega-lite", file: "vega-lite.min.js" },
  { pkg: "vega-embed", file: "vega-embed.min.js" },
] as const;

let cached: string[] | null = null;

/** The three builds' sources, in load order (vega-lite and vega-embed find vega as a global). */
export function vegaBundles(): string[] {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  cached = BUILDS.map(({ pkg, file }) => {
    const path = join(dirname(require.resolve(pkg)), file);
    const text = readFileSync(path, "utf8");
    // An inline script ends at the first "</script"; a build containing one would cut the page short.
    if (/<\/script/i.test(text)) throw new Error(`internal: ${path} contains "</script" and cannot be inlined`);
    return text;
  });
  return cached;
}

/**
 * The page's own script: embeds each chart's spec (from the JSON block
 * `nc-specs`) into its figure with vega-embed's SVG renderer and its tooltip
 * handler, then marks the figure live so CSS hides the static SVG on screen
 * (print keeps it). A chart that fails keeps its static SVG and logs why.
 * A chart wider than its figure (a phone, a 700 px window) is drawn again
 * narrower: legends below the plot (symbols in one column, colour ramps
 * lying flat), side-by-side panels stacked, and a row of facets wrapped two
 * to a row. The views are kept on `window.neurocompareViews` by chart id.
 */
export const EMBED_SCRIPT = `(function () {
  var specs = JSON.parse(document.getElementById("nc-specs").textContent);
  var views = (window.neurocompareViews = {});
  var figures = document.querySelectorAll("figure[data-chart]");
  var left = figures.length;
  function done() { if (--left === 0) document.documentElement.setAttribute("data-charts", "ready"); }
  if (left === 0) document.documentElement.setAttribute("data-charts", "ready");
  function narrowed(spec) {
    var s = Object.assign({}, spec);
    if (s.hconcat) { s.vconcat = s.hconcat; delete s.hconcat; }
    if (s.facet && s.facet.column && !s.facet.row) { s.facet = s.facet.column; s.columns = 2; }
    if (s.encoding && s.encoding.column && !s.encoding.row) {
      s.encoding = Object.assign({}, s.encoding, { facet: s.encoding.column });
      delete s.encoding.column;
      s.columns = 2;
    }
    var config = Object.assign({}, s.config);
    config.legend = Object.assign({}, config.legend, {
      orient: "bottom", symbolDirection: "vertical", gradientDirection: "horizontal"
    });
    s.config = config;
    return s;
  }
  function embed(fig, host, id, narrow) {
    return vegaEmbed(host, narrow ? narrowed(specs[id]) : specs[id], {
      renderer: "svg",
      actions: { export: true, source: false, compiled: false, editor: false },
      downloadFileName: id
    }).then(function (result) {
      if (!narrow && host.scrollWidth > host.clientWidth) {
        result.finalize();
        host.innerHTML = "";
        return embed(fig, host, id, true);
      }
      views[id] = result.view;
      fig.classList.add("live");
    });
  }
  figures.forEach(function (fig) {
    var id = fig.getAttribute("data-chart");
    var host = fig.querySelector(".vis");
    embed(fig, host, id, false).then(done, function (err) {
      console.error("chart " + id + " could not be drawn: " + err);
      done();
    });
  });
})();`;
