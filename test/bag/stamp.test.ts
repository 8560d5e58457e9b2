import assert from 'node:assert/strict';
import { formatStamp, nsToStamp, stampToNs } from '../../src/bag/stamp.js';

describe('bag/stamp', () => {
  it('formats stamps as seconds with nine decimals, keeping the sign of negative ones', () => {
    assert.equal(formatStamp(1_500_000_000n), '1.500000000');
    assert.equal(formatStamp(-500_000_000n), '-0.500000000');
    assert.equal(formatStamp(-1_000_000_001n), '-1.000000001');
    assert.equal(formatStamp(0n), '0.000000000');
    assert.equal(formatStamp(2n ** 62n), '4611686018.427387904');
  });

  it('round-trips negative stamps through builtin_interfaces/Time', () => {
    assert.deepEqual(nsToStamp(-500_000_000n), { sec: -1, nanosec: 500_000_000 });
    assert.equal(stampToNs(nsToStamp(-500_000_000n)), -500_000_000n);
  });
});
