/**
 * The layers of src/, lowest first. A module may import from its own layer
 * and from lower ones; an upward import or a cycle fails `npm run layers`
 * (run by `npm test`). Data flows one way:
 *
 *   core <- ann, snn, tasks <- plasticity <- metrics <- learners <- scenario
 *        <- runs <- report <- cli, bench and the public API (src/index.ts)
 *
 * ann, snn and tasks are siblings on one layer and may use each other.
 */
const layers = [
  ["core", "version.ts"],
  ["ann", "snn", "tasks"],
  ["plasticity"],
  ["metrics"],
  ["learners"],
  ["scenario"],
  ["runs"],
  ["report"],
  ["cli", "bench", "index.ts", "api"],
];

const folder = (name) => (name.endsWith(".ts") ? `^src/${name.replace(".", "\\.")}$` : `^src/${name}/`);
const above = (i) => layers.slice(i + 1).flat().map(folder).join("|");

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "A cycle blurs the layers: move the shared type down to the lower module.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    ...layers.slice(0, -1).map((names, i) => ({
      name: `layer-${names.join("-").replace(/\.ts/g, "")}`,
      severity: "error",
      comment: `${names.join(", ")} may not import from a higher layer (${layers.slice(i + 1).flat().join(", ")}).`,
      from: { path: names.map(folder).join("|") },
      to: { path: above(i) },
    })),
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"], exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
