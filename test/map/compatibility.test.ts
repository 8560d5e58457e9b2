import assert from 'node:assert/strict';
import { MapFormatError } from '../../src/core/errors.js';
import { PlaceMap } from '../../src/map/place-map.js';
import { assertCompatible } from '../../src/map/compatibility.js';

const encoder = { id: 'patchnorm-32x16', hash: '0123456789abcdef0123', dim: 512 };
const sequence = { id: 'seqnet-l5', hash: 'fedcba9876543210fedc', length: 5, dim: 4096 };
const same = { encoderId: encoder.id, encoderHash: encoder.hash };

describe('map/assertCompatible', () => {
  const withSeq = PlaceMap.create({ encoder, sequence });
  const frameOnly = PlaceMap.create({ encoder });

  it('accepts the encoders the map was built with', () => {
    assertCompatible(withSeq, { ...same, dim: 512, sequence: { ...sequence } });
    assertCompatible(withSeq, same);
    assertCompatible(frameOnly, { ...same, sequence: null });
  });

  it('names both frame encoders when id, hash or dim differ', () => {
    const cases = [
      { ...same, encoderId: 'netvlad' },
      { ...same, encoderHash: 'ffffffffffffffffffff' },
      { ...same, dim: 256 },
    ];
    for (const expected of cases) {
      assert.throws(
        () => assertCompatible(withSeq, expected, 'map "office"'),
        (e: unknown) =>
          e instanceof MapFormatError &&
          e.message.startsWith('map "office" was built with frame encoder "patchnorm-32x16" (hash 0123456789ab, dim 512)') &&
          e.message.includes(`this pipeline uses "${expected.encoderId}"`),
      );
    }
  });

  it('says "same name, different model" when only the hash differs (a map made before a model upgrade)', () => {
    assert.throws(
      () => assertCompatible(withSeq, { ...same, encoderHash: 'ffffffffffffffffffff' }),
      /same name, different model .*: rebuild the map with this pipeline$/,
    );
  });

  it('rejects a missing or different sequence encoder when one is expected', () => {
    assert.throws(() => assertCompatible(frameOnly, { ...same, sequence }), /has no sequence descriptors, but this pipeline uses sequence encoder "seqnet-l5"/);
    assert.throws(
      () => assertCompatible(withSeq, { ...same, sequence: { ...sequence, length: 10 } }),
      /sequence encoder "seqnet-l5" \(hash fedcba987654, length 5, dim 4096\), but this pipeline uses "seqnet-l5" \(hash fedcba987654, length 10/,
    );
    assert.throws(() => assertCompatible(withSeq, { ...same, sequence: { ...sequence, hash: 'x' } }), MapFormatError);
  });
});
