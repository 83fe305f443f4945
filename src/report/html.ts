/**
 * report.html: self-contained (inline SVG charts, inline CSS, no scripts or
 * external links), so it opens offline and can be mailed as one file.
 */
import type { Environment } from "../runs/results.js";
import type { HeadlineTable } from "./table.js";

export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A picture embedded in a report (receptive fields, for example), as PNG bytes. */
export interface ReportImage {
  id: string;
  title: string;
  caption: string;
  png: Buffer;
}

/** Everything a report says, whatever the scenario kind. */
export interface ReportDoc {
  name: string;
  description: string;
  /** One line under the title: task, learners, epochs, seeds. */
  meta: string;
  /** One sentence before the table: what its figures are. */
  tableIntro: string;
  table: HeadlineTable;
  /** Pairwise comparisons of learners (Welch's t-test, effect sizes), after the summary table. */
  comparisons?: { intro: string; table: HeadlineTable } | null;
  charts: readonly RenderedChart[];
  /** Raster images (receptive fields), embedded as PNG. */
  images?: readonly ReportImage[];
  /** The resolved scenario, shown for reproducibility. */
  scenario: unknown;
  packageVersion: string;
  /** Versions and platform the numbers came from. */
  environment?: Environment;
  /** Warnings shown above the summary: an incomplete run (units missing), diverged units. */
  notices?: readonly string[];
}

function renderTable(table: HeadlineTable): string {
  const textColumns = table.textColumns ?? 2;
  const align = (i: number) => (i < textColumns ? ' class="text"' : "");
  const head = table.headers.map((h, i) => `<th${align(i)}>${escapeHtml(h)}</th>`).join("");
  const body = table.rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${c.best ? ' class="best"' : align(i)}>${c.best ? "<b>" : ""}${escapeHtml(c.text)}${c.best ? "</b>" : ""}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const notes = (table.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n${notes}`;
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

export function renderHtml(doc: ReportDoc): string {
  const { charts } = doc;
  const figures = charts
    .map(
      (c) =>
        `<figure id="${escapeHtml(c.id)}">\n${c.svg.replace(/^<\?xml[^>]*>\s*/, "")}\n<figcaption><b>${escapeHtml(c.title)}.</b> ${escapeHtml(c.caption)}</figcaption>\n</figure>`,
    )
    .join("\n");
  const pictures = (doc.images ?? [])
    .map(
      (im) =>
        `<figure id="${escapeHtml(im.id)}">\n<img alt="${escapeHtml(im.title)}" src="data:image/png;base64,${im.png.toString("base64")}" style="max-width:100%;image-rendering:pixelated">\n<figcaption><b>${escapeHtml(im.title)}.</b> ${escapeHtml(im.caption)}</figcaption>\n</figure>`,
    )
    .join("\n");
  // Many learners (a sweep) make many pairs: fold a long comparisons table away.
  const cmp = doc.comparisons;
  const cmpTable = cmp ? renderTable(cmp.table) : "";
  const comparisons = cmp
    ? `<h2>Comparisons</h2>\n<p>${escapeHtml(cmp.intro)}</p>\n${cmp.table.rows.length > 40 ? `<details><summary>${cmp.table.rows.length} comparisons</summary>\n${cmpTable}\n</details>` : cmpTable}\n`
    : "";
  const versions = doc.environment
    ? `<table class="versions">\n<tbody>\n${environmentRows(doc.environment)
        .map(([k, v]) => `<tr><th class="text">${escapeHtml(k)}</th><td class="text">${escapeHtml(v)}</td></tr>`)
        .join("\n")}\n</tbody>\n</table>\n`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(doc.name)} — neurocompare report</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0 0.4rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th.text, td.text { text-align: left; }
td.best { background: #eef6e8; }
p.note { font-size: 0.8rem; color: #555; margin: 0.2rem 0; max-width: 50rem; }
figure { margin: 2rem 0; }
figcaption { font-size: 0.9rem; color: #444; max-width: 40rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
.meta { color: #666; font-size: 0.85rem; }
.notice { border-left: 4px solid #c0392b; padding: 0.3rem 0.8rem; background: #fdf0ee; }
</style>
</head>
<body>
<h1>${escapeHtml(doc.name)}</h1>
${doc.description === "" ? "" : `<p>${escapeHtml(doc.description)}</p>\n`}<p class="meta">${escapeHtml(doc.meta)}</p>
${(doc.notices ?? []).map((n) => `<p class="notice"><b>${escapeHtml(n)}</b></p>\n`).join("")}<h2>Summary</h2>
<p>${escapeHtml(doc.tableIntro)}</p>
${renderTable(doc.table)}
${comparisons}<h2>Charts</h2>
${figures}
${pictures}
<h2>Reproducibility</h2>
<p class="meta">neurocompare ${escapeHtml(doc.packageVersion)}. Rerun with <code>neurocompare run</code> on the scenario below; the same seeds give the same numbers (apart from wall-clock times).</p>
${versions}<details><summary>Resolved scenario (defaults filled in)</summary>
<pre>${escapeHtml(JSON.stringify(doc.scenario, null, 2))}</pre>
</details>
</body>
</html>
`;
}
