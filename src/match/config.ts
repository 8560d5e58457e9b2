// The matcher configuration: a zod schema (for the pipeline config to embed) with a discriminated
// union on `kind`. Defaults come from the matcher modules, so they are defined once.
// Units: "rows" are map frames, velocities are map frames per query frame.
import { z } from 'zod';
import { ADAPTSEQ_V2_DEFAULTS } from './adaptseq-v2.js';
import { SEQMATCH_DEFAULTS } from './seqmatch.js';
import { SEQSLAM_DEFAULTS } from './seqslam.js';

const rows = (min: number) => z.number().int().min(min);

/** Ranking rivals by place: read by the recogniser, which knows the map's poses (see same-place.ts). */
export const samePlaceConfigSchema = z.strictObject({
  radiusM: z
    .number()
    .min(0)
    .optional()
    .describe(
      "Map rows with poses this close to the winner's (metres) are another visit of its place, not rivals. Default: derived per winner from its own run, how far it moves within localizationRows rows (at least 1; the nearer side). 0 = off: rivals by map row only.",
    ),
  maxHeadingDeg: z
    .number()
    .min(0)
    .max(180)
    .default(45)
    .describe('Largest heading difference for the same place; the other direction on the same road stays a rival. Default 45: views that share at least half of a 90-degree field of view.'),
  acrossSessions: z
    .boolean()
    .default(false)
    .describe("Also between sessions of a map (merged maps, `loops --map`, slam mode): only when their poses share one frame (GPS, a SLAM map frame). Off by default: sessions that each start their own odometry at the origin would put unrelated places at equal coordinates."),
});

export type SamePlaceConfig = z.output<typeof samePlaceConfigSchema>;

/** Fields every matcher kind accepts. */
function common(defaults: { maxCandidates: number; rivalScope: 'map' | 'candidates' }) {
  return {
    exclusionRows: rows(0)
      .optional()
      .describe('Map frames either side of the winner in which no rival/alternative counts. Default: 2 x window length.'),
    maxCandidates: rows(1).default(defaults.maxCandidates).describe('Length of the ranked candidate list (winner included).'),
    rivalScope: z
      .enum(['map', 'candidates'])
      .default(defaults.rivalScope)
      .describe("With coarse hits: 'map' scores rivals over the whole map (meaningful confidence), 'candidates' only near the hits (cheaper)."),
    localizationRows: rows(0)
      .default(2)
      .describe('Confidence also requires trajectories ending this many rows or more from the winner to score clearly worse: your localisation tolerance + 1 (0 = off).'),
    samePlace: samePlaceConfigSchema
      .default(samePlaceConfigSchema.parse({}))
      .describe("Another visit of the winner's place (map poses) is no rival; maps without poses rank rivals by row."),
    contrastRadiusRows: rows(0)
      .default(0)
      .describe("SeqSLAM local contrast normalisation half-window in map frames (0 = off)."),
  };
}

export const seqMatchConfigSchema = z.strictObject({
  kind: z.literal('seqmatch'),
  ...common(SEQMATCH_DEFAULTS),
  coarseRadiusRows: rows(0).default(SEQMATCH_DEFAULTS.coarseRadiusRows).describe('End rows scored either side of each coarse hit.'),
});

export const seqSlamConfigSchema = z.strictObject({
  kind: z.literal('seqslam'),
  ...common(SEQSLAM_DEFAULTS),
  coarseRadiusRows: rows(0).default(SEQSLAM_DEFAULTS.coarseRadiusRows).describe('End rows scored either side of each coarse hit.'),
  vMin: z.number().min(0).default(SEQSLAM_DEFAULTS.vMin).describe('Slowest velocity tried, map frames per query frame.'),
  vMax: z.number().min(0).default(SEQSLAM_DEFAULTS.vMax).describe('Fastest velocity tried, map frames per query frame.'),
  vSteps: rows(1).default(SEQSLAM_DEFAULTS.vSteps).describe('Velocities tried, evenly spaced vMin..vMax (1 when vMin = vMax).'),
  pathVMin: z
    .number()
    .min(0)
    .default(SEQSLAM_DEFAULTS.pathVMin)
    .describe('Window placed by the path travelled (windowPlacement: path): smallest scale tried, map metres per odometry metre.'),
  pathVMax: z.number().min(0).default(SEQSLAM_DEFAULTS.pathVMax).describe('Window placed by the path travelled: largest scale tried.'),
  pathVSteps: rows(1).default(SEQSLAM_DEFAULTS.pathVSteps).describe('Window placed by the path travelled: scales tried, evenly spaced (1 when pathVMin = pathVMax).'),
});

export const adaptSeqV2ConfigSchema = z.strictObject({
  kind: z.literal('adaptseq-v2'),
  ...common(ADAPTSEQ_V2_DEFAULTS),
  coarseSequenceLength: rows(1)
    .default(ADAPTSEQ_V2_DEFAULTS.coarseSequenceLength)
    .describe('L: frames per coarse map sequence; a candidate region is L rows x the last L query frames.'),
  stepWindow: rows(1)
    .default(ADAPTSEQ_V2_DEFAULTS.stepWindow)
    .describe('KK: the map may advance 0..KK-1 frames per query frame along a trajectory.'),
  fallbackStarts: rows(1).default(ADAPTSEQ_V2_DEFAULTS.fallbackStarts).describe('Trajectories started from row minima without coarse hits.'),
  fallbackGapRows: rows(1).default(ADAPTSEQ_V2_DEFAULTS.fallbackGapRows).describe('Minimum map frames between two fallback starts.'),
});

export const singleFrameConfigSchema = z.strictObject({
  kind: z.literal('single'),
  ...common(SEQMATCH_DEFAULTS),
  coarseRadiusRows: rows(0).default(SEQMATCH_DEFAULTS.coarseRadiusRows).describe('Rows scored either side of each coarse hit.'),
});

export const coarseOnlyConfigSchema = z.strictObject({
  kind: z.literal('coarse'),
  ...common(SEQMATCH_DEFAULTS),
});

export const matcherConfigSchema = z.discriminatedUnion('kind', [
  coarseOnlyConfigSchema,
  seqMatchConfigSchema,
  seqSlamConfigSchema,
  adaptSeqV2ConfigSchema,
  singleFrameConfigSchema,
]);

/** A validated matcher config, defaults filled in. */
export type MatcherConfig = z.output<typeof matcherConfigSchema>;
/** What a user may write (defaults optional). */
export type MatcherConfigInput = z.input<typeof matcherConfigSchema>;
