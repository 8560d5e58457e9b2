// The installed package's root folder, found from this module's own location so built-in model
// paths work from the TypeScript sources (tsx) and from the compiled dist/ alike.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The nearest ancestor folder of this module whose package.json is named "seqvpr". */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'seqvpr') {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the seqvpr package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
