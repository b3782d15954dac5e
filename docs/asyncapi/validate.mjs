// Validates an AsyncAPI document with the AsyncAPI project's own parser.
// Usage: node validate.mjs ../asyncapi.yaml — exits 1 on any error, prints warnings too.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';

// DiagnosticSeverity of @stoplight/types, which the parser reports with.
const SEVERITY = ['error', 'warning', 'information', 'hint'];

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs <asyncapi document>');
  process.exit(2);
}
const path = resolve(file);
const { document, diagnostics } = await new Parser().parse(await readFile(path, 'utf8'), { source: path });

for (const diagnostic of diagnostics) {
  const where = diagnostic.path.length ? diagnostic.path.join('.') : '(document)';
  const line = diagnostic.range.start.line + 1;
  console.error(`${SEVERITY[diagnostic.severity]} ${diagnostic.code} at ${where} (line ${line}): ${diagnostic.message}`);
}
const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
if (errors.length || !document) {
  console.error(`${path}: ${errors.length} error(s)`);
  process.exit(1);
}
const warnings = diagnostics.filter((diagnostic) => diagnostic.severity === 1).length;
console.log(`${path}: valid AsyncAPI ${document.version()}, ${document.allChannels().length} channels, `
  + `${document.allMessages().length} messages, ${document.allOperations().length} operations, `
  + `${warnings} warning(s), ${diagnostics.length - warnings} other note(s)`);
