// A map is only searchable with descriptors from the encoders that built it: another model (or the
// same name with other weights) puts vectors in an unrelated space and matches silently go wrong.
import { MapFormatError } from '../core/errors.js';
import type { MapInfo } from './place-map.js';

/** The encoders the caller's pipeline runs. */
export interface ExpectedEncoders {
  encoderId: string;
  encoderHash: string;
  /** Checked when given. */
  dim?: number;
  /**
   * The sequence encoder the caller will query with. Omitted or null: sequence descriptors are not
   * used and not checked. Given: the map must have been built with this exact sequence encoder.
   */
  sequence?: { id: string; hash: string; length: number; dim?: number } | null;
}

const short = (hash: string): string => hash.slice(0, 12);

/** Throws MapFormatError naming both encoders when the map was built with other encoders. */
export function assertCompatible(map: { readonly info: Pick<MapInfo, 'encoder' | 'sequence'> }, expected: ExpectedEncoders, where = 'the map'): void {
  const { encoder, sequence } = map.info;
  if (encoder.id !== expected.encoderId || encoder.hash !== expected.encoderHash || (expected.dim !== undefined && encoder.dim !== expected.dim)) {
    throw new MapFormatError(
      `${where} was built with frame encoder "${encoder.id}" (hash ${short(encoder.hash)}, dim ${encoder.dim}), ` +
        `but this pipeline uses "${expected.encoderId}" (hash ${short(expected.encoderHash)}` +
        `${expected.dim !== undefined ? `, dim ${expected.dim}` : ''}); ` +
        (encoder.id === expected.encoderId
          ? // Same name, other bytes: typically a map built before the built-in model was updated.
            `same name, different model (another build or version of it, e.g. a map made before an upgrade): rebuild the map with this pipeline`
          : `rebuild the map with "${expected.encoderId}" or run the pipeline with "${encoder.id}"`),
    );
  }
  const want = expected.sequence;
  if (!want) return;
  if (!sequence) {
    throw new MapFormatError(
      `${where} has no sequence descriptors, but this pipeline uses sequence encoder "${want.id}"; ` +
        `rebuild the map with "${want.id}" or disable the sequence encoder`,
    );
  }
  if (sequence.id !== want.id || sequence.hash !== want.hash || sequence.length !== want.length || (want.dim !== undefined && sequence.dim !== want.dim)) {
    throw new MapFormatError(
      `${where} was built with sequence encoder "${sequence.id}" (hash ${short(sequence.hash)}, length ${sequence.length}, dim ${sequence.dim}), ` +
        `but this pipeline uses "${want.id}" (hash ${short(want.hash)}, length ${want.length}` +
        `${want.dim !== undefined ? `, dim ${want.dim}` : ''}); ` +
        `rebuild the map with "${want.id}" or run the pipeline with "${sequence.id}"`,
    );
  }
}
