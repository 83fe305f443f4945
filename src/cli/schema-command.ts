/** `neurocompare schema [--out FILE]`: the scenario JSON Schema, generated from the validator's own schema. */
import { scenarioJsonSchema } from "../scenario/schema.js";
import { writeFileAtomic } from "../report/write.js";

export function schemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

export function schemaCommand(opts: { out?: string }): void {
  if (opts.out !== undefined) {
    writeFileAtomic(opts.out, schemaText());
    process.stdout.write(`Wrote ${opts.out}\n`);
  } else process.stdout.write(schemaText());
}
