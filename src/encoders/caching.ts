// Memoises a frame encoder's output for image files, so evaluating many pipeline variants over the
// same traversal encodes each image once. Only file images are cached (keyed by path); everything
// else passes straight through.
import type { ImageSource } from '../core/types.js';
import { DelegatingFrameEncoder } from './delegating.js';
import type { EncodeTiming } from './types.js';

export class CachingFrameEncoder extends DelegatingFrameEncoder {
  private readonly cache = new Map<string, Float32Array>();

  async encode(images: readonly ImageSource[], timing?: EncodeTiming): Promise<Float32Array[]> {
    const missing = images.filter((im) => im.kind !== 'file' || !this.cache.has(im.path));
    const fresh = missing.length ? await this.inner.encode(missing, timing) : [];
    const byImage = new Map<ImageSource, Float32Array>();
    missing.forEach((im, i) => {
      byImage.set(im, fresh[i]);
      if (im.kind === 'file') this.cache.set(im.path, fresh[i]);
    });
    return images.map((im) => byImage.get(im) ?? this.cache.get((im as { path: string }).path)!);
  }
}
