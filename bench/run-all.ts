// `npm run bench`: every benchmark in turn, each writing its own markdown section, then BENCHMARKS.md
// assembled from the sections. One at a time on purpose: they would share the cores and distort
// each other's timings.
//
//   npm run bench [-- --quick] [--only latency,map-scale,soak,seqnet,nordland-split] [--reuse] [--out FILE]
//
// Full runs write BENCHMARKS.md; --quick writes out/bench/BENCHMARKS.quick.md (a smoke test).
//
// --reuse keeps sections already written in out/bench/sections (to resume after one bench failed,
// or to assemble runs made by hand with the same commands).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    out: { type: 'string' },
    sections: { type: 'string' },
    data: { type: 'string', default: '../shared/data/nordland64' },
  },
});

interface Bench {
  name: string;
  script: string;
  args: string[];
  quickArgs: string[];
  /** The shared nordland64 frames are needed (skipped with a message when absent). */
  needsData: boolean;
}

const BENCHES: Bench[] = [
  { name: 'latency', script: 'bench/latency.ts', args: ['--map-cache'], quickArgs: ['--quick'], needsData: true },
  { name: 'map-scale', script: 'bench/map-scale.ts', args: ['--sweep'], quickArgs: ['--quick'], needsData: false },
  { name: 'soak', script: 'bench/soak.ts', args: [], quickArgs: ['--quick'], needsData: false },
  { name: 'seqnet', script: 'bench/seqnet-nordland.ts', args: [], quickArgs: ['--epochs', '1', '--random-epochs', '1'], needsData: true },
  { name: 'nordland-split', script: 'bench/nordland-table.ts', args: ['--split'], quickArgs: ['--split', '--epochs', '1', '--lengths', '10'], needsData: true },
];

// A quick smoke run must never overwrite the committed results.
const outFile = args.out ?? (args.quick ? 'out/bench/BENCHMARKS.quick.md' : 'BENCHMARKS.md');
const sectionsDir = args.sections ?? (args.quick ? 'out/bench/sections-quick' : 'out/bench/sections');

const wanted = args.only ? new Set(args.only.split(',')) : undefined;
const unknown = [...(wanted ?? [])].filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);

await mkdir(sectionsDir, { recursive: true });
const sections: string[] = [];
for (const bench of BENCHES) {
  const file = path.join(sectionsDir, `${bench.name}.md`);
  if (wanted && !wanted.has(bench.name)) {
    if (existsSync(file)) sections.push(file);
    continue;
  }
  if (bench.needsData && !existsSync(args.data!)) {
    process.stderr.write(`[bench] skipping ${bench.name}: it needs ${args.data} (the shared nordland64 frames)\n`);
    continue;
  }
  if (!(args.reuse && existsSync(file))) {
    const benchArgs = [...(args.quick ? bench.quickArgs : bench.args), '--markdown', file];
    process.stderr.write(`[bench] ${bench.script} ${benchArgs.join(' ')}\n`);
    await runNode(['--import', 'tsx', '--expose-gc', bench.script, ...benchArgs]);
  }
  sections.push(file);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const flags = process.argv.slice(2);
const header = [
  '# seqvpr benchmarks',
  '',
  `Assembled by \`npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}` +
    (args.reuse ? ' from the sections the benchmarks wrote (each names the command that made it)' : '') +
    ': ' +
    `${os.cpus().length} logical CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, no GPU. ` +
    'Each section names its own command and date; run them one at a time (`npm run bench -- --only NAME`).',
  '',
];
const bodies = await Promise.all(sections.map((f) => readFile(f, 'utf8')));
await writeFile(outFile, [...header, ...bodies.map((b) => b.trimEnd() + '\n')].join('\n'));
process.stderr.write(`[bench] wrote ${outFile} (${sections.length} sections)\n`);

function runNode(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[3]} exited with ${code}`))));
  });
}
