// Replay CPU per frame against a cached bench map, for profiling and A/B comparisons on a shared
// machine: wall time there moves with whatever else runs, CPU time per frame (process.cpuUsage over
// the replay: every thread, i.e. main, encoder worker and sharp's pool) much less. Prints, per run,
// the monotonic-clock window of the replay in microseconds (to cut a `perf record` or `--cpu-prof`
// profile to it; map loading takes longer than the replay) and a hash of the answers (equal hashes =
// identical answers, across lookaheads and across code versions).
//
//   npx tsx --expose-gc bench/replay-cpu.ts [--frames 1200] [--lookahead 1,4] [--rounds 1]
//       [--frontend cnn|patchnorm] [--cache out/bench/latency]
//
// The map is the one `bench/latency.ts --map-cache` built (100k rows, seed 1); the bag is its
// nordland winter bag. Per-thread profile, as in BENCHMARKS.md:
//   perf record -F 999 -g -- npx tsx --perf-basic-prof --expose-gc bench/replay-cpu.ts --lookahead 4
//   perf report --time START,END --tid TID --no-children --sort dso,sym -g none   (START/END: the window / 1e6)
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadMap } from '../src/map/load-map.js';
import { createFrontend, createRecognizer } from '../src/pipeline/assemble.js';
import { loadPipelineConfig } from '../src/pipeline/config.js';
import { replayThroughput } from './latency/replay.js';

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '1200' },
    lookahead: { type: 'string', default: '1,4' },
    rounds: { type: 'string', default: '1' },
    frontend: { type: 'string', default: 'cnn' },
    cache: { type: 'string', default: 'out/bench/latency' },
  },
});
const CONFIGS: Record<string, string> = { cnn: 'config/default.yaml', patchnorm: 'config/patchnorm.yaml' };
const config = CONFIGS[args.frontend!];
if (!config) throw new Error(`--frontend must be cnn or patchnorm, got ${args.frontend}`);
const mapDir = path.join(args.cache!, 'maps', `${args.frontend}-100000-2400-s1`);
const bag = path.join(args.cache!, 'bags', 'nordland-winter-10hz');

const map = await loadMap(mapDir, { onWarning: () => {} });
const loaded = await loadPipelineConfig(config);
// As bench/latency.ts runs them: one frame at a time on this thread, ahead with the CNN in a worker.
const here = await createFrontend(loaded);
const ahead = await createFrontend(loaded, { encoderThread: 'worker' });
try {
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const lookahead of args.lookahead!.split(',').map(Number)) {
      global.gc?.();
      const from = process.hrtime.bigint() / 1000n;
      const r = await replayThroughput(bag, '/camera/image_raw/compressed', createRecognizer(lookahead === 1 ? here : ahead, map), {
        limit: Number(args.frames),
        lookahead,
      });
      const to = process.hrtime.bigint() / 1000n;
      const answers = createHash('sha256').update(JSON.stringify(r.answers)).digest('hex').slice(0, 12);
      console.log(
        `lookahead ${lookahead}: ${r.frames} frames, ${r.realTime.toFixed(1)}x real time, CPU ${r.cpuMsPerFrame.toFixed(2)} ms/frame (system ${r.systemCpuMsPerFrame.toFixed(2)}), ` +
          `answers ${answers}, window ${from}..${to} us, load ${os.loadavg()[0].toFixed(1)}`,
      );
    }
  }
} finally {
  await Promise.all([here.close(), ahead.close()]);
}
