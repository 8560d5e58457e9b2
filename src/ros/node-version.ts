// The Node.js version seqvpr_node needs, checked first at start-up: Ubuntu 24.04's own `nodejs`
// (what rosdep installs for package.xml's <exec_depend>nodejs</exec_depend>) is Node 18, and
// rclnodejs 2.2.0 needs >= 20.20.2 (its package.json engines); below that the node would fail
// somewhere inside a dependency. The README's "Run on a robot" says how to get a supported Node.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../core/package-root.js';

/** rclnodejs 2.2.0's engines.node, used when rclnodejs is not installed to ask. */
export const RCLNODEJS_NODE = '20.20.2';

/** "x.y.z" of the first version in an engines range such as ">= 20.19" (undefined when there is none). */
export function minimumOf(range: string | undefined): string | undefined {
  const m = range ? /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(range) : null;
  return m ? `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}` : undefined;
}

/** Compares dotted versions numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function enginesNode(packageJson: string): string | undefined {
  try {
    return minimumOf((JSON.parse(readFileSync(packageJson, 'utf8')) as { engines?: { node?: string } }).engines?.node);
  } catch {
    return undefined;
  }
}

/** The highest minimum of seqvpr's and rclnodejs's engines. */
export function requiredNodeVersion(): string {
  let rclnodejs: string | undefined;
  try {
    rclnodejs = enginesNode(createRequire(import.meta.url).resolve('rclnodejs/package.json'));
  } catch {
    rclnodejs = undefined;
  }
  const candidates = [enginesNode(path.join(packageRoot(), 'package.json')), rclnodejs ?? RCLNODEJS_NODE].filter((v): v is string => !!v);
  return candidates.sort(compareVersions).at(-1)!;
}

/** The one-line reason `version` cannot run seqvpr_node, or undefined. */
export function nodeVersionProblem(version: string = process.versions.node, required: string = requiredNodeVersion()): string | undefined {
  if (compareVersions(version, required) >= 0) return undefined;
  return `seqvpr_node needs Node.js ${required} or newer (rclnodejs 2.2.0 and seqvpr), this is ${version}: install Node 20 or 22 (see README, "Run on a robot")`;
}

// `node dist/src/ros/node-version.js`: what scripts/seqvpr_node runs before the node itself, so the
// check happens before any module that needs a newer Node is loaded.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problem = nodeVersionProblem();
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
