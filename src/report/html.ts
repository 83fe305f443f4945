/**
 * report.html: one self-contained file (inline CSS, SVG, data and scripts, no
 * external link or request), so it opens offline from file:// and can be
 * mailed as one file.
 *
 * Each chart is drawn twice: as the static SVG vega rendered when the report
 * was written (shown without JavaScript and always in print), and live by
 * vega-embed from the same spec (tooltips, legend toggles, zoom on time
 * axes; see interaction.ts), which replaces the static one on screen once it
 * has drawn. The page opens with a table of contents and ends with links to
 * the data files beside it and the versions that produced the numbers.
 */
import type { Environment } from "../runs/results.js";
import type { VegaLiteSpec } from "./charts.js";
import { EMBED_SCRIPT, vegaBundles } from "./embed.js";
import type { HeadlineTable } from "./table.js";

export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** The spec the live chart is drawn from; without one the static SVG is all there is. */
  spec?: VegaLiteSpec;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Text for the page with `code spans` set as code. */
function inline(s: string): string {
  return escapeHtml(s).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** A picture embedded in a report (receptive fields, for example), as PNG bytes. */
export interface ReportImage {
  id: string;
  title: string;
  caption: string;
  png: Buffer;
}

/** A file beside the report, linked from its "Files" section. */
export interface DataFile {
  /** Path relative to the report's folder, with `/` separators. */
  path: string;
  what: string;
  /** Other forms of the same thing (a chart's SVG and PNG beside its spec). */
  also?: readonly { label: string; path: string }[];
}

/** A table with a heading and an introducing sentence. */
export interface TableSection {
  /** Anchor id of the section. */
  id: string;
  title: string;
  intro: string;
  table: HeadlineTable;
}

/** Everything a report says, whatever the scenario kind. */
export interface ReportDoc {
  name: string;
  description: string;
  /** One line under the title: task, learners, epochs, seeds. */
  meta: string;
  /** The first section's heading ("Summary" when absent). */
  tableTitle?: string;
  /** One sentence before the table: what its figures are. */
  tableIntro: string;
  table: HeadlineTable;
  /** Pairwise comparisons of learners (Welch's t-test, effect sizes), after the summary table. */
  comparisons?: { intro: string; table: HeadlineTable } | null;
  /** Further tables, after the comparisons. */
  tables?: readonly TableSection[];
  charts: readonly RenderedChart[];
  /** Printed under the Charts heading: how to read the bands. */
  chartsNote?: string;
  /** Raster images (receptive fields), embedded as PNG. */
  images?: readonly ReportImage[];
  /** The files beside the report, linked in a "Files" section. */
  files?: readonly DataFile[];
  /** The resolved scenario, shown for reproducibility (omitted where there is none, e.g. an index). */
  scenario?: unknown;
  packageVersion: string;
  /** Versions and platform the numbers came from. */
  environment?: Environment;
  /** Warnings shown above the summary: an incomplete run (units missing), diverged units. */
  notices?: readonly string[];
  /** The command that rebuilds the same numbers ("neurocompare run" by default). */
  rerun?: string;
}

type TableCell = HeadlineTable["rows"][number][number];

/**
 * A figure and its spread ("61.11 [36.67, 100.00] ★", "56.1 ± 14.3") may break
 * onto two lines between the two, each part kept whole: a wide table then fits
 * a 1280 px window, and no cell wraps at every space.
 */
function cellText(text: string, label: boolean): string {
  const m = /^(\S+) ((?:± |\[)\S.*)$/.exec(text);
  if (m !== null) return `<span class="nw">${escapeHtml(m[1]!)}</span> <span class="nw">${escapeHtml(m[2]!)}</span>`;
  // A long label may also break after the "=" of a sweep setting ("pruning.iterative.rewind=" / "reinit").
  return label ? escapeHtml(text).replace(/=/g, "=<wbr>") : escapeHtml(text);
}

/** Whether a text-column cell is a long label that may wrap (at spaces, and after a setting's "="). */
function isLongLabel(c: TableCell, i: number, textColumns: number): boolean {
  return !c.best && i < textColumns && c.text.length > 24 && c.text.includes(" ");
}

/** Whether a cell's text is a figure with its spread, which `cellText` lets break once. */
function splits(text: string): boolean {
  return /^\S+ (?:± |\[)\S/.test(text);
}

function cellHtml(c: TableCell, label: boolean): string {
  const text = cellText(c.text, label);
  const inner = c.href === undefined ? text : `<a href="${escapeHtml(encodeURI(c.href))}">${text}</a>`;
  return c.best ? `<b>${inner}</b>` : inner;
}

export function renderTable(table: HeadlineTable): string {
  const textColumns = table.textColumns ?? 2;
  const align = (i: number) => (i < textColumns ? ' class="text"' : "");
  // Cells stay on one line (the table scrolls in its box); only long labels and prose, such as a reason, wrap.
  const cls = (c: TableCell, i: number) => {
    const names = [
      ...(c.best ? ["best"] : i < textColumns ? ["text"] : []),
      // A long label (a sweep point's "ticket pruning.iterative.rewind=init") may wrap.
      ...(isLongLabel(c, i, textColumns) ? ["wrap"] : []),
      ...(splits(c.text) ? ["split"] : []),
    ];
    return names.length === 0 ? "" : ` class="${names.join(" ")}"`;
  };
  const head = table.headers.map((h, i) => `<th${align(i)}>${escapeHtml(h)}</th>`).join("");
  const body = table.rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${cls(c, i)}>${cellHtml(c, isLongLabel(c, i, textColumns))}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const notes = (table.notes ?? []).map((n) => `<p class="note">${inline(n)}</p>`).join("\n");
  return `<div class="table-wrap">\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n</div>\n${notes}`;
}

/** Versions as rows of (what, version): the package, Node, the platform, then each dependency. */
export function environmentRows(env: Environment): [string, string][] {
  return [
    ["neurocompare", env.packageVersion],
    ["Node.js", env.node],
    ["platform", env.platform],
    ...Object.entries(env.dependencies).map(([name, v]): [string, string] => [
      name,
      v.installed === v.declared ? v.installed : `${v.installed} (package.json: ${v.declared})`,
    ]),
  ];
}

// Prose keeps a 62rem measure; tables and charts may use up to 80rem, so that a summary or comparisons
// table of a dozen columns fits a 1280 px window without scrolling in its box (at 62rem, measured in
// Chromium, the comparisons table of two learners ran 90 px past it). Narrower windows scroll the table.
const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 80rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.4; }
p, ul, ol, nav.toc { max-width: 62rem; }
h1 { overflow-wrap: anywhere; }
nav.toc { font-size: 0.9rem; background: #f6f6f6; padding: 0.5rem 1rem; border-radius: 4px; }
nav.toc ol { margin: 0.3rem 0; padding-left: 1.2rem; }
nav.toc ol ol { font-size: 0.85rem; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 1rem 0 0.4rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; white-space: nowrap; }
th { white-space: normal; min-width: 4rem; vertical-align: bottom; }
th.text, td.text { text-align: left; }
td.wrap { white-space: normal; min-width: 10rem; }
td.best { background: #eef6e8; }
td.split { white-space: normal; }
.nw { white-space: nowrap; }
p.note { font-size: 0.8rem; color: #555; margin: 0.2rem 0; max-width: 50rem; }
figure { margin: 2rem 0; max-width: 100%; }
figure .vis { max-width: 100%; overflow-x: auto; }
figure .static svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #444; max-width: 42rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
.meta { color: #666; font-size: 0.85rem; }
.notice { border-left: 4px solid #c0392b; padding: 0.3rem 0.8rem; background: #fdf0ee; }
ul.files { font-size: 0.9rem; }
ul.files code { font-size: 0.85rem; }
img { max-width: 100%; }
@media screen { figure.live .static { display: none; } }
@media print { figure .vis { display: none; } nav.toc { display: none; } }
`;

/** A JSON value inside a <script> block: "<" escaped so no "</script" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function renderHtml(doc: ReportDoc): string {
  const { charts } = doc;
  const toc: { id: string; title: string; sub?: { id: string; title: string }[] }[] = [];
  const body: string[] = [];

  toc.push({ id: "summary", title: doc.tableTitle ?? "Summary" });
  body.push(
    `<h2 id="summary">${escapeHtml(doc.tableTitle ?? "Summary")}</h2>\n<p>${inline(doc.tableIntro)}</p>\n${renderTable(doc.table)}`,
  );
  const cmp = doc.comparisons;
  if (cmp) {
    // Many learners (a sweep) make many pairs: fold a long comparisons table away.
    const cmpTable = renderTable(cmp.table);
    toc.push({ id: "comparisons", title: "Comparisons" });
    body.push(
      `<h2 id="comparisons">Comparisons</h2>\n<p>${inline(cmp.intro)}</p>\n${cmp.table.rows.length > 40 ? `<details><summary>${cmp.table.rows.length} comparisons</summary>\n${cmpTable}\n</details>` : cmpTable}`,
    );
  }
  for (const t of doc.tables ?? []) {
    toc.push({ id: t.id, title: t.title });
    body.push(
      `<h2 id="${escapeHtml(t.id)}">${escapeHtml(t.title)}</h2>\n<p>${inline(t.intro)}</p>\n${renderTable(t.table)}`,
    );
  }
  const images = doc.images ?? [];
  if (charts.length > 0 || images.length > 0) {
    toc.push({
      id: "charts",
      title: "Charts",
      sub: [...charts, ...images].map((c) => ({ id: `chart-${c.id}`, title: c.title })),
    });
    const figures = charts.map((c) => {
      const live = c.spec !== undefined ? ` data-chart="${escapeHtml(c.id)}"` : "";
      return `<figure id="chart-${escapeHtml(c.id)}"${live}>\n${live ? '<div class="vis"></div>\n' : ""}<div class="static">\n${c.svg.replace(/^<\?xml[^>]*>\s*/, "")}\n</div>\n<figcaption><b>${escapeHtml(c.title)}.</b> ${escapeHtml(c.caption)}</figcaption>\n</figure>`;
    });
    const pictures = images.map(
      (im) =>
        `<figure id="chart-${escapeHtml(im.id)}">\n<img alt="${escapeHtml(im.title)}" src="data:image/png;base64,${im.png.toString("base64")}" style="image-rendering:pixelated">\n<figcaption><b>${escapeHtml(im.title)}.</b> ${escapeHtml(im.caption)}</figcaption>\n</figure>`,
    );
    const live = charts.some((c) => c.spec !== undefined);
    const how = live
      ? "Hover a mark for its values; click a legend entry to hide or show that series; on time axes, scroll to zoom, drag to pan and double-click to reset."
      : "";
    const note = [doc.chartsNote ?? "", how].filter((s) => s.length > 0).join(" ");
    body.push(
      `<h2 id="charts">Charts</h2>\n${note.length > 0 ? `<p class="note">${inline(note)}</p>\n` : ""}${[...figures, ...pictures].join("\n")}`,
    );
  }
  const files = doc.files ?? [];
  if (files.length > 0) {
    toc.push({ id: "files", title: "Files" });
    body.push(
      `<h2 id="files">Files</h2>\n<p>Beside this report, in the same folder:</p>\n<ul class="files">\n${files
        .map((f) => {
          const also = (f.also ?? []).map(
            (a) => `<a href="${escapeHtml(encodeURI(a.path))}">${escapeHtml(a.label)}</a>`,
          );
          return `<li><a href="${escapeHtml(encodeURI(f.path))}"><code>${escapeHtml(f.path)}</code></a>${also.length > 0 ? ` (${also.join(", ")})` : ""}: ${escapeHtml(f.what)}</li>`;
        })
        .join("\n")}\n</ul>`,
    );
  }
  toc.push({ id: "reproducibility", title: "Reproducibility" });
  const versions = doc.environment
    ? `<div class="table-wrap">\n<table class="versions">\n<tbody>\n${environmentRows(doc.environment)
        .map(([k, v]) => `<tr><th class="text">${escapeHtml(k)}</th><td class="text">${escapeHtml(v)}</td></tr>`)
        .join("\n")}\n</tbody>\n</table>\n</div>\n`
    : "";
  const scenario =
    doc.scenario === undefined
      ? ""
      : `<details><summary>Resolved scenario (defaults filled in)</summary>\n<pre>${escapeHtml(JSON.stringify(doc.scenario, null, 2))}</pre>\n</details>\n`;
  body.push(
    `<h2 id="reproducibility">Reproducibility</h2>\n<p class="meta">neurocompare ${escapeHtml(doc.packageVersion)}. ${inline(doc.rerun ?? "Rerun with `neurocompare run` on the scenario below; the same seeds give the same numbers (apart from wall-clock times).")}</p>\n${versions}${scenario}`,
  );

  const tocHtml = `<nav class="toc" aria-label="Contents"><b>Contents</b>\n<ol>\n${toc
    .map(
      (t) =>
        `<li><a href="#${escapeHtml(t.id)}">${escapeHtml(t.title)}</a>${
          t.sub && t.sub.length > 0
            ? `\n<ol>${t.sub.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`).join("")}</ol>`
            : ""
        }</li>`,
    )
    .join("\n")}\n</ol>\n</nav>`;

  const specs = Object.fromEntries(charts.filter((c) => c.spec !== undefined).map((c) => [c.id, c.spec]));
  const scripts =
    Object.keys(specs).length > 0
      ? `${vegaBundles()
          .map((src) => `<script>\n${src}\n</script>`)
          .join(
            "\n",
          )}\n<script type="application/json" id="nc-specs">${scriptJson(specs)}</script>\n<script>\n${EMBED_SCRIPT}\n</script>\n`
      : "";

  // A page without live charts is ready as it stands; one with them says so once every chart has drawn.
  return `<!DOCTYPE html>
<html lang="en"${scripts === "" ? ' data-charts="ready"' : ""}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.name)} — neurocompare report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(doc.name)}</h1>
${doc.description === "" ? "" : `<p>${escapeHtml(doc.description)}</p>\n`}<p class="meta">${escapeHtml(doc.meta)}</p>
${(doc.notices ?? []).map((n) => `<p class="notice"><b>${escapeHtml(n)}</b></p>\n`).join("")}${tocHtml}
${body.join("\n")}
${scripts}</body>
</html>
`;
}
