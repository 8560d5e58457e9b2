import assert from 'node:assert/strict';
import { pullAhead } from '../../src/pipeline/pull-ahead.js';
import { controllableWork, deferred, loggingSource, record, settle } from './helpers.js';

describe('pullAhead', () => {
  it('prepares up to `lookahead` values ahead and finishes them one at a time, in order', async () => {
    const log: string[] = [];
    const prep = controllableWork();
    const finish = controllableWork();
    const out = record(
      pullAhead(
        loggingSource([1, 2, 3, 4, 5], log),
        (v) => {
          log.push(`prepare ${v}`);
          return prep.work(v);
        },
        (v, p) => {
          log.push(`finish ${v} (${p})`);
          return finish.work(v);
        },
        3,
      ),
    );
    await settle();
    assert.deepEqual(log, ['pull 1', 'prepare 1', 'pull 2', 'prepare 2', 'pull 3', 'prepare 3'], 'three ahead, no more');
    // Finished out of order: the second value's preparation is done first, but 1 goes first.
    prep.calls[1].done.resolve('p2');
    await settle();
    assert.equal(finish.calls.length, 0);
    prep.calls[0].done.resolve('p1');
    await settle();
    assert.deepEqual(finish.calls.map((c) => c.value), [1]);
    assert.ok(!log.includes('pull 4'), 'the value being finished still holds its slot');
    finish.calls[0].done.resolve('r1');
    await settle();
    assert.ok(log.includes('pull 4') && !log.includes('pull 5'), 'one slot freed, one value read');
    assert.deepEqual(finish.calls.map((c) => c.value), [1, 2], 'the next waits only for its own preparation');
    assert.equal(log.filter((l) => l.startsWith('finish')).length, 2);
    finish.calls[1].done.resolve('r2');
    for (const c of prep.calls.slice(2)) c.done.resolve(`p${c.value}`);
    await settle();
    prep.calls[4]?.done.resolve('p5');
    for (let i = 2; i < 5; i++) {
      await settle();
      finish.calls[i].done.resolve(`r${i + 1}`);
    }
    await settle();
    assert.deepEqual(out.values, ['r1', 'r2', 'r3', 'r4', 'r5']);
    assert.equal(out.completed, true);
    assert.deepEqual(log.filter((l) => l.startsWith('finish')), ['finish 1 (p1)', 'finish 2 (p2)', 'finish 3 (p3)', 'finish 4 (p4)', 'finish 5 (p5)']);
  });

  it('a failed preparation surfaces in its turn, after the values before it', async () => {
    const boom = new Error('broken model');
    const log: string[] = [];
    const out = record(
      pullAhead(
        loggingSource([1, 2, 3], log),
        async (v) => {
          if (v === 2) throw boom; // fails before value 1 is finished: must not be an unhandled rejection
          return v;
        },
        async (v) => v * 10,
        4,
      ),
    );
    await settle();
    assert.deepEqual(out.values, [10]);
    assert.deepEqual(out.errors, [boom]);
    assert.ok(log.includes('finally'), 'the source is closed');
  });

  it('a source failure comes after the values read before it', async () => {
    const boom = new Error('bag truncated');
    const source = (async function* () {
      yield 1;
      yield 2;
      throw boom;
    })();
    const out = record(pullAhead(source, async (v) => v, async (v) => v, 8));
    await settle();
    await settle();
    assert.deepEqual(out.values, [1, 2]);
    assert.deepEqual(out.errors, [boom]);
  });

  it('stops reading on unsubscribe and closes the iterator; prepared values are not finished', async () => {
    const log: string[] = [];
    const prep = controllableWork();
    let finished = 0;
    const out = record(pullAhead(loggingSource([1, 2, 3, 4], log), prep.work, async () => ++finished, 2));
    await settle();
    assert.deepEqual(log, ['pull 1', 'pull 2']);
    out.subscription.unsubscribe();
    for (const c of prep.calls) c.done.resolve('late');
    await settle();
    assert.equal(finished, 0);
    assert.deepEqual(log, ['pull 1', 'pull 2', 'finally']);
    assert.equal(out.completed, false);
  });

  it('an empty source completes; a lookahead below 1 is refused', async () => {
    const out = record(pullAhead(loggingSource([], []), async (v) => v, async (v) => v, 2));
    await settle();
    assert.equal(out.completed, true);
    assert.throws(() => pullAhead(loggingSource([1], []), async (v) => v, async (v) => v, 0), /lookahead must be a whole number >= 1/);
  });
});

// Lookahead 1 is what recorded runs get by default (recognizeRecorded): nothing is read ahead.
describe('pullAhead with lookahead 1', () => {
  const pullOneAtATime = <T, R>(source: AsyncIterable<T>, work: (value: T) => Promise<R>) => pullAhead(source, async (v: T) => v, (v) => work(v), 1);

  it('pulls the next value only after the work on the previous one finished', async () => {
    const log: string[] = [];
    const { calls, work } = controllableWork();
    const out = record(
      pullOneAtATime(loggingSource([1, 2, 3], log), (v) => {
        log.push(`work ${v}`);
        return work(v);
      }),
    );
    await settle();
    assert.deepEqual(log, ['pull 1', 'work 1']);
    await settle();
    assert.deepEqual(log, ['pull 1', 'work 1'], 'no read-ahead while work is running');
    calls[0].done.resolve('r1');
    await settle();
    assert.deepEqual(log, ['pull 1', 'work 1', 'pull 2', 'work 2']);
    calls[1].done.resolve('r2');
    await settle();
    calls[2].done.resolve('r3');
    await settle();
    assert.deepEqual(log, ['pull 1', 'work 1', 'pull 2', 'work 2', 'pull 3', 'work 3', 'finally']);
    assert.deepEqual(out.values, ['r1', 'r2', 'r3']);
    assert.equal(out.completed, true);
  });

  it('stops pulling on unsubscribe and closes the iterator', async () => {
    const log: string[] = [];
    const { calls, work } = controllableWork();
    const out = record(pullOneAtATime(loggingSource([1, 2, 3], log), work));
    await settle();
    assert.deepEqual(log, ['pull 1']);
    out.subscription.unsubscribe();
    calls[0].done.resolve('late');
    await settle();
    assert.deepEqual(log, ['pull 1', 'finally'], 'nothing more is pulled and the generator is closed');
    assert.deepEqual(out.values, [], 'the result of the cancelled work is not emitted');
    assert.equal(out.completed, false);
  });

  it('does not work on a value that arrives after unsubscribe', async () => {
    const log: string[] = [];
    const gate = deferred<void>();
    let worked = 0;
    const subscription = pullOneAtATime(loggingSource([1, 2], log, () => gate.promise), async () => {
      worked++;
      return 0;
    }).subscribe();
    await settle();
    assert.deepEqual(log, ['pull 1'], 'the source is still producing its first value');
    subscription.unsubscribe();
    gate.resolve();
    await settle();
    assert.equal(worked, 0);
    assert.deepEqual(log, ['pull 1', 'finally']);
  });

  it('propagates a failure of the work and closes the iterator', async () => {
    const log: string[] = [];
    const boom = new Error('bad frame');
    const out = record(
      pullOneAtATime(loggingSource([1, 2, 3], log), async (v) => {
        if (v === 2) throw boom;
        return v;
      }),
    );
    await settle();
    assert.deepEqual(out.values, [1]);
    assert.deepEqual(out.errors, [boom]);
    assert.deepEqual(log, ['pull 1', 'pull 2', 'finally']);
  });

  it('propagates a failure of the source', async () => {
    const boom = new Error('bag truncated');
    const source = (async function* () {
      yield 1;
      throw boom;
    })();
    const out = record(pullOneAtATime(source, async (v) => v * 10));
    await settle();
    assert.deepEqual(out.values, [10]);
    assert.deepEqual(out.errors, [boom]);
    assert.equal(out.completed, false);
  });

  it('completes on an empty source', async () => {
    const out = record(pullOneAtATime(loggingSource([], []), async (v) => v));
    await settle();
    assert.equal(out.completed, true);
    assert.deepEqual(out.values, []);
  });
});
