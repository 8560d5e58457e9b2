#!/usr/bin/env node
// The `seqvpr` command: runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  process.stderr.write('seqvpr is not built yet: run "npm run build" in the package folder\n');
  process.exit(1);
}
const { main } = await import(compiled);
process.exitCode = await main(process.argv);
