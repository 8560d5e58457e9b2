import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescriptorError } from '../../src/core/errors.js';
import { DescriptorMatrix } from '../../src/core/matrix.js';
import { decodeNpy, encodeNpy, NpyRowWriter, readNpy, readNpyMatrix, writeNpyMatrix } from '../../src/train/npy.js';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('.npy files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'seqvpr-npy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const matrix = (rows: number, dim: number): DescriptorMatrix =>
    new DescriptorMatrix(rows, dim, Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i) * 1000 + i / 7));

  for (const [rows, dim] of [[0, 5], [7, 1], [3, 4], [4097, 300]]) {
    it(`round-trips a ${rows} x ${dim} matrix`, async () => {
      const file = path.join(dir, `m-${rows}x${dim}.npy`);
      const m = matrix(rows, dim);
      await writeNpyMatrix(file, m);
      const bytes = await readFile(file);
      // Header padded to a multiple of 64 bytes, ended by a newline, as numpy writes it.
      const headerLength = bytes.readUInt16LE(8);
      assert.equal((10 + headerLength) % 64, 0);
      assert.equal(bytes[10 + headerLength - 1], 0x0a);
      assert.ok(bytes.subarray(10, 10 + headerLength).toString('latin1').includes(`'shape': (${rows}, ${dim})`));
      const back = await readNpyMatrix(file);
      assert.deepEqual([back.rows, back.dim], [rows, dim]);
      assert.deepEqual(back.data, m.data);
    });
  }

  it('streams rows and patches the row count into the header on finish; abort leaves nothing', async () => {
    const file = path.join(dir, 'stream.npy');
    const w = await NpyRowWriter.create(file, 3);
    await w.append(Float32Array.of(1, 2, 3, 4, 5, 6));
    await w.append(Float32Array.of(7, 8, 9));
    assert.equal(existsSync(file), false, 'nothing at the target before finish');
    await w.finish();
    const back = await readNpyMatrix(file);
    assert.equal(back.rows, 3);
    assert.deepEqual(Array.from(back.data), [1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const killed = path.join(dir, 'killed.npy');
    const w2 = await NpyRowWriter.create(killed, 2);
    await w2.append(Float32Array.of(1, 2));
    await assert.rejects(w2.append(Float32Array.of(1, 2, 3)), DescriptorError);
    await w2.abort();
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('killed')), []);
  });

  it('reads float64, big-endian, Fortran-order and 1-D arrays', () => {
    const header = (dict: string): Buffer => {
      const len = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
      const b = Buffer.alloc(10 + len, 0x20);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(b);
      b.writeUInt16LE(len, 8);
      b.write(dict, 10, 'latin1');
      b[10 + len - 1] = 0x0a;
      return b;
    };
    // [[1, 2, 3], [4, 5, 6]] stored column-major as float64: 1 4 2 5 3 6
    const f64 = Buffer.alloc(48);
    [1, 4, 2, 5, 3, 6].forEach((v, i) => f64.writeDoubleLE(v, i * 8));
    const fortran = decodeNpy(Buffer.concat([header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }"), f64]));
    assert.deepEqual(fortran.shape, [2, 3]);
    assert.deepEqual(Array.from(fortran.data), [1, 2, 3, 4, 5, 6]);
    const be = Buffer.alloc(8);
    be.writeFloatBE(1.5, 0);
    be.writeFloatBE(-2, 4);
    const big = decodeNpy(Buffer.concat([header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"), be]));
    assert.deepEqual(big.shape, [2]);
    assert.deepEqual(Array.from(big.data), [1.5, -2]);
  });

  it('rejects what it cannot read with a message that says what to do', () => {
    assert.throws(() => decodeNpy(Buffer.from('not numpy at all')), /magic/);
    const ints = Buffer.from(encodeNpy([2], Float32Array.of(1, 2)));
    ints.write("{'descr': '<i4'", 10, 'latin1');
    assert.throws(() => decodeNpy(ints), /float32 or float64.*numpy.save/);
    const full = encodeNpy([4, 2], new Float32Array(8));
    const truncated = full.subarray(0, full.length - 4);
    assert.throws(() => decodeNpy(truncated), /truncated/);
  });

  it('numpy reads what we write and we read what numpy writes', async function () {
    if (!hasNumpy) this.skip(); // python3 with numpy is not installed here
    const ours = path.join(dir, 'ours.npy');
    const m = matrix(5, 3);
    await writeNpyMatrix(ours, m);
    const summary = execFileSync('python3', ['-c', `import numpy as np; x = np.load(${JSON.stringify(ours)}); print(x.dtype, x.shape, repr(float(x[4, 2])))`]).toString().trim();
    assert.equal(summary, `float32 (5, 3) ${JSON.stringify(Number(m.data[14]))}`.replace(/"/g, ''));
    const theirs = path.join(dir, 'theirs.npy');
    execFileSync('python3', ['-c', `import numpy as np; np.save(${JSON.stringify(theirs)}, (np.arange(12, dtype=np.float32).reshape(4, 3) / 8))`]);
    const back = await readNpy(theirs);
    assert.deepEqual(back.shape, [4, 3]);
    assert.deepEqual(Array.from(back.data), Array.from({ length: 12 }, (_, i) => i / 8));
    const empty = path.join(dir, 'empty.npy');
    execFileSync('python3', ['-c', `import numpy as np; np.save(${JSON.stringify(empty)}, np.zeros((0, 7), dtype=np.float32))`]);
    const e = await readNpyMatrix(empty);
    assert.deepEqual([e.rows, e.dim], [0, 7]);
    await writeFile(path.join(dir, 'ok'), '');
  });
});
