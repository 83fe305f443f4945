/**
 * report.html: self-contained (inline SVG charts, inline CSS, no scripts or
 * external links), so it opens offline and can be mailed as one file.
 */
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
  charts: readonly RenderedChart[];
  /** Raster images (receptive fields), embedded as PNG. */
  images?: readonly ReportImage[];
  /** The resolved scenario, shown for reproducibility. */
  scenario: unknown;
  packageVersion: string;
}

export function renderHtml(doc: ReportDoc): string {
  const { table, charts } = doc;
  const head = table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = table.rows
    .map((r) => `<tr>${r.map((c) => `<td${c.best ? ' class="best"' : ""}>${c.best ? "<b>" : ""}${escapeHtml(c.text)}${c.best ? "</b>" : ""}</td>`).join("")}</tr>`)
    .join("\n");
  const figures = charts
    .map((c) => `<figure id="${escapeHtml(c.id)}">\n${c.svg.replace(/^<\?xml[^>]*>\s*/, "")}\n<figcaption><b>${escapeHtml(c.title)}.</b> ${escapeHtml(c.caption)}</figcaption>\n</figure>`)
    .join("\n");
  const pictures = (doc.images ?? [])
    .map((im) => `<figure id="${escapeHtml(im.id)}">\n<img alt="${escapeHtml(im.title)}" src="data:image/png;base64,${im.png.toString("base64")}" style="max-width:100%;image-rendering:pixelated">\n<figcaption><b>${escapeHtml(im.title)}.</b> ${escapeHtml(im.caption)}</figcaption>\n</figure>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(doc.name)} — neurocompare report</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
td.best { background: #eef6e8; }
figure { margin: 2rem 0; }
figcaption { font-size: 0.9rem; color: #444; max-width: 40rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
.meta { color: #666; font-size: 0.85rem; }
</style>
</head>
<body>
<h1>${escapeHtml(doc.name)}</h1>
<p>${escapeHtml(doc.description)}</p>
<p class="meta">${escapeHtml(doc.meta)}</p>
<h2>Summary</h2>
<p>${escapeHtml(doc.tableIntro)}</p>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<h2>Charts</h2>
${figures}
${pictures}
<h2>Reproducibility</h2>
<p class="meta">neurocompare ${escapeHtml(doc.packageVersion)}. Rerun with <code>neurocompare run</code> on the scenario below; the same seeds give the same numbers (apart from wall-clock times).</p>
<details><summary>Resolved scenario (defaults filled in)</summary>
<pre>${escapeHtml(JSON.stringify(doc.scenario, null, 2))}</pre>
</details>
</body>
</html>
`;
}
