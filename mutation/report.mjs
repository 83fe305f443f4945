// Reading StrykerJS's JSON report (mutation-testing-report-schema): the
// source text a mutant replaces, whitespace squashed so that equivalent
// mutants listed in mutation/folders.mjs match across reformatting.

/** The text between a mutant's start and end (1-based lines and columns, end exclusive). */
export function originalText(source, location) {
  const lines = source.split("\n");
  const { start, end } = location;
  if (start.line === end.line) return squash(lines[start.line - 1].slice(start.column - 1, end.column - 1));
  const parts = [lines[start.line - 1].slice(start.column - 1)];
  for (let l = start.line; l < end.line - 1; l++) parts.push(lines[l]);
  parts.push(lines[end.line - 1].slice(0, end.column - 1));
  return squash(parts.join("\n"));
}

/** Runs of whitespace as one space, trimmed. */
export function squash(s) {
  return s.replace(/\s+/g, " ").trim();
}
