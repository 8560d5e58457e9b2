// A planar pose graph (odometry and loop-closure edges with covariances) handed to the project's
// Ceres program, tools/pose-graph (built by tools/pose-graph/build.sh, or here on first use when
// Ceres is installed). The optimiser is a maintained library; this file only writes the graph,
// runs the program and reads the poses back.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SeqvprError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';

const run = promisify(execFile);

/** The optimiser cannot run: not built and Ceres missing, or it failed. */
export class PoseGraphError extends SeqvprError {}

export const CERES_INSTALL_HINT = 'the pose-graph optimiser needs Ceres: apt-get install libceres-dev cmake g++ (Debian/Ubuntu), then rerun';

export interface Pose2 {
  x: number;
  y: number;
  yaw: number;
}

export interface GraphEdge {
  kind: 'odom' | 'loop';
  from: number;
  to: number;
  /** Pose `to` in the frame of pose `from`. */
  delta: Pose2;
  /** Row-major 3x3 covariance over (x, y, yaw). */
  covariance: readonly number[];
}

export interface PoseGraph {
  /** Initial guesses, by id; the first is held fixed. */
  poses: ReadonlyMap<number, Pose2>;
  edges: readonly GraphEdge[];
}

export interface OptimizeOptions {
  /** Robust loss on loop edges (default cauchy). */
  loss?: 'none' | 'huber' | 'cauchy';
  /** Loss scale in standard deviations (default 1). */
  lossScale?: number;
}

export interface OptimizeResult {
  poses: Map<number, Pose2>;
  initialCost: number;
  finalCost: number;
  iterations: number;
  converged: boolean;
}

function toolDir(): string {
  return path.join(packageRoot(), 'tools', 'pose-graph');
}

/** Where the built program is (SEQVPR_POSE_GRAPH overrides). */
export function poseGraphBinary(): string {
  return process.env.SEQVPR_POSE_GRAPH ?? path.join(toolDir(), 'build', 'seqvpr-pose-graph');
}

/** Ceres's CMake package is installed (Debian puts it under /usr/lib/<arch>/cmake/Ceres). */
export function ceresInstalled(): boolean {
  const roots = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib', '/usr/local/lib64'];
  return roots.some((r) => existsSync(path.join(r, 'cmake', 'Ceres', 'CeresConfig.cmake')));
}

/**
 * The optimiser's path, building it first when it is missing and Ceres is installed (about 15 s).
 * Throws PoseGraphError with the install line when it cannot be built.
 */
export async function ensurePoseGraphTool(
  say: (line: string) => void = () => {},
  where: { binary: string; ceres: () => boolean } = { binary: poseGraphBinary(), ceres: ceresInstalled },
): Promise<string> {
  const { binary } = where;
  if (existsSync(binary)) return binary;
  if (process.env.SEQVPR_POSE_GRAPH && binary === process.env.SEQVPR_POSE_GRAPH) {
    throw new PoseGraphError(`SEQVPR_POSE_GRAPH names ${binary}, which does not exist`);
  }
  if (!where.ceres()) throw new PoseGraphError(CERES_INSTALL_HINT);
  say('    building the pose-graph optimiser (tools/pose-graph, Ceres) once');
  try {
    await run('bash', [path.join(toolDir(), 'build.sh')], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new PoseGraphError(`building tools/pose-graph failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
  if (!existsSync(binary)) throw new PoseGraphError(`tools/pose-graph/build.sh did not produce ${binary}`);
  return binary;
}

const num = (v: number) => {
  if (!Number.isFinite(v)) throw new PoseGraphError(`pose graph holds a non-finite value (${v})`);
  return v.toPrecision(12);
};

export function graphToText(graph: PoseGraph): string {
  const lines: string[] = [];
  for (const [id, p] of graph.poses) lines.push(`POSE ${id} ${num(p.x)} ${num(p.y)} ${num(p.yaw)}`);
  for (const e of graph.edges) {
    const c = e.covariance;
    if (c.length !== 9) throw new PoseGraphError(`edge ${e.from}->${e.to}: covariance needs 9 values, got ${c.length}`);
    const upper = [c[0], c[1], c[2], c[4], c[5], c[8]];
    lines.push(`EDGE ${e.kind} ${e.from} ${e.to} ${num(e.delta.x)} ${num(e.delta.y)} ${num(e.delta.yaw)} ${upper.map(num).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

export function parsePoses(text: string): Map<number, Pose2> {
  const poses = new Map<number, Pose2>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'POSE') continue;
    poses.set(Number(f[1]), { x: Number(f[2]), y: Number(f[3]), yaw: Number(f[4]) });
  }
  return poses;
}

export async function optimizePoseGraph(graph: PoseGraph, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const binary = await ensurePoseGraphTool();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-pose-graph-'));
  try {
    const input = path.join(dir, 'graph.txt');
    const output = path.join(dir, 'poses.txt');
    await writeFile(input, graphToText(graph));
    const args = ['--in', input, '--out', output, '--loss', options.loss ?? 'cauchy', '--loss-scale', String(options.lossScale ?? 1)];
    let stdout: string;
    try {
      ({ stdout } = await run(binary, args, { maxBuffer: 16 << 20 }));
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new PoseGraphError(`pose-graph optimiser failed: ${(err.stderr || err.message).trim()}`);
    }
    const summary = Object.fromEntries(
      stdout
        .trim()
        .split(/\s+/)
        .reduce<[string, number][]>((acc, tok, i, all) => (i % 2 === 0 ? [...acc, [tok, Number(all[i + 1])]] : acc), []),
    );
    return {
      poses: parsePoses(await readFile(output, 'utf8')),
      initialCost: summary.initial_cost,
      finalCost: summary.final_cost,
      iterations: summary.iterations,
      converged: summary.converged === 1,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
