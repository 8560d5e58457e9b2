// Which wrong answers of the default pipeline get a high confidence, and would another confidence
// rule rank them lower? An offline replica of the default pipeline (frame votes -> SeqSLAM, the
// library's own voteForEnds, matcher and difference matrix; exact nearest neighbours instead of
// HNSW) on descriptors that `seqvpr extract` writes, so every rule is scored on the same answers.
//
//   npx tsx bench/confidence-analysis.ts [--frames 0:1200] [--lengths 10,5] [--data DIR] [--out out/confidence]
//
// Choose on frames 0:1200 (the split protocol); 1200:2400 is the held-out half. Rules only change
// the confidence, so R@1 is the same for all; AP and R@100%P tell them apart.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { alignedGroundTruth } from '../src/eval/ground-truth.js';
import { computeMetrics, type QueryRecord } from '../src/eval/metrics.js';
import { pipelineConfigSchema } from '../src/pipeline/config.js';
import { windowConfidence } from '../src/pipeline/recognizer.js';
import { parseRange } from '../src/train/extract.js';
import YAML from 'yaml';
import { nordlandSeasons, stretchDescriptors } from './nordland-data.js';
import { type Answer, replica } from './pipeline-replica.js';

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '0:1200' },
    lengths: { type: 'string', default: '10,5' },
    data: { type: 'string', default: '../shared/data/nordland64' },
    out: { type: 'string', default: 'out/confidence' },
  },
});

type Rule = (a: Answer, index: number, all: Answer[], L: number) => number;

const margin = (a: Answer, rival: number, scale: number): number => (Number.isFinite(rival) && scale > 0 ? Math.max(0, (rival - a.best) / scale) : 0);
const std = (v: number[]): number => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, v.length - 1));
};
/** The previous frame's answer lies where the current trajectory puts the previous frame (+-1). */
const onTrajectory = (a: Answer, i: number, all: Answer[]): boolean => i > 0 && a.cols >= 2 && Math.abs(all[i - 1].winner - a.path[a.path.length - 2]) <= 1;

const RULES: [string, Rule][] = [
  ['as shipped before (min(uniqueness, sharpness))', (a) => a.confidence],
  ['0 until the window is full (shipped)', (a, _i, _all, L) => windowConfidence(a.confidence, a.cols, L)],
  ['margin / std of the other places', (a) => Math.min(margin(a, a.others[0], std(a.others)), Number.isFinite(a.near) ? margin(a, a.near, std(a.others)) : Infinity)],
  ['margin / (median other - best)', (a) => Math.min(margin(a, a.others[0], a.others[a.others.length >> 1] - a.best), Number.isFinite(a.near) ? margin(a, a.near, a.others[a.others.length >> 1] - a.best) : Infinity)],
  ['0 unless the previous answer is on the trajectory', (a, i, all) => (onTrajectory(a, i, all) ? a.confidence : 0)],
  ['... and capped by the previous confidence', (a, i, all) => (onTrajectory(a, i, all) ? Math.min(a.confidence, all[i - 1].confidence) : 0)],
  ['0 unless the winner is the most-voted end', (a) => (a.coarse.length > 0 && Math.abs(a.coarse[0].mapIndex - a.winner) <= 3 ? a.confidence : 0)],
];

const frames = parseRange(args.frames!, '--frames');
const { summer, winter } = nordlandSeasons(args.data!);
const configFile = path.resolve('config/default.yaml');
const config = pipelineConfigSchema.parse(YAML.parse(await readFile(configFile, 'utf8')));
const map = await stretchDescriptors(configFile, summer, args.out!, 'summer', frames);
const query = await stretchDescriptors(configFile, winter, args.out!, 'winter', frames);
const gt = alignedGroundTruth(1, map.rows);
for (const L of args.lengths!.split(',').map(Number)) {
  const answers = replica(map, query, L, config);
  console.log(`\n## frames ${frames.start}..${frames.end - 1}, L = ${L}`);
  const wrong = answers.filter((a) => Math.abs(a.winner - a.query) > 1).sort((x, y) => y.confidence - x.confidence);
  const correct = answers.filter((a) => Math.abs(a.winner - a.query) <= 1).map((a) => a.confidence);
  console.log('Most confident wrong answers (as shipped before):\n');
  for (const a of wrong.slice(0, 8)) {
    const truth = a.coarse.findIndex((c) => Math.abs(c.mapIndex - a.query) <= 5);
    console.log(
      `- query ${a.query} (window ${a.cols}) -> map ${a.winner} (${a.winner - a.query > 0 ? '+' : ''}${a.winner - a.query}), confidence ${a.confidence.toFixed(3)}, ` +
        `best ${a.best.toFixed(3)}, nearest other place ${a.others[0]?.toFixed(3)}, true place ${truth < 0 ? 'not voted' : `voted #${truth + 1}`}, ` +
        `${correct.filter((c) => c < a.confidence).length} correct answers less confident`,
    );
  }
  console.log('\n| rule | AP | R@100%P |\n|---|---|---|');
  for (const [name, rule] of RULES) {
    const records: QueryRecord[] = answers.map((a, i) => ({ queryIndex: a.query, ranked: [a.winner], predicted: a.winner, confidence: rule(a, i, answers, L) }));
    const m = computeMetrics(records, gt);
    console.log(`| ${name} | ${m.averagePrecision!.toFixed(3)} | ${m.recallAtPrecision100!.toFixed(3)} |`);
  }
}
