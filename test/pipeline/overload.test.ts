import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import { processNewest, pullThrough } from '../../src/pipeline/overload.js';
import { controllableWork, deferred, loggingSource, record, settle } from './helpers.js';

describe('processNewest', () => {
  it('processes every value when work keeps up', async () => {
    const source = new Subject<number>();
    const { calls, work } = controllableWork();
    const counter = { dropped: 0 };
    const out = record(source.pipe(processNewest(work, counter)));
    for (const v of [1, 2, 3]) {
      source.next(v);
      calls.at(-1)!.done.resolve(`r${v}`);
      await settle();
    }
    assert.deepEqual(calls.map((c) => c.value), [1, 2, 3]);
    assert.deepEqual(out.values, ['r1', 'r2', 'r3']);
    assert.equal(counter.dropped, 0);
  });

  it('while busy, keeps only the newest value, counts and reports the replaced ones', async () => {
    const source = new Subject<number>();
    const { calls, work } = controllableWork();
    const counter = { dropped: 0 };
    const droppedValues: number[] = [];
    const out = record(source.pipe(processNewest(work, counter, (v) => droppedValues.push(v))));

    source.next(1); // starts at once
    source.next(2); // waits
    source.next(3); // replaces 2
    source.next(4); // replaces 3
    assert.deepEqual(calls.map((c) => c.value), [1], 'nothing else starts while 1 is in flight');
    assert.equal(counter.dropped, 2);
    assert.deepEqual(droppedValues, [2, 3]);

    calls[0].done.resolve('r1');
    await settle();
    assert.deepEqual(calls.map((c) => c.value), [1, 4], 'the newest value is processed next');
    calls[1].done.resolve('r4');
    await settle();
    assert.deepEqual(out.values, ['r1', 'r4']);
    assert.equal(counter.dropped, 2);
  });

  it('holds at most one waiting value however many arrive', async () => {
    const source = new Subject<number>();
    const { calls, work } = controllableWork();
    const counter = { dropped: 0 };
    const out = record(source.pipe(processNewest(work, counter)));
    for (let v = 0; v < 1000; v++) source.next(v);
    assert.equal(counter.dropped, 998, 'all but the running and the newest are dropped');
    calls[0].done.resolve('first');
    await settle();
    assert.deepEqual(calls.map((c) => c.value), [0, 999]);
    calls[1].done.resolve('last');
    await settle();
    assert.equal(calls.length, 2);
    assert.deepEqual(out.values, ['first', 'last']);
  });

  it('completes only after the in-flight and the waiting value are processed', async () => {
    const source = new Subject<number>();
    const { calls, work } = controllableWork();
    const out = record(source.pipe(processNewest(work)));
    source.next(1);
    source.next(2);
    source.complete();
    await settle();
    assert.equal(out.completed, false, 'work on 1 is still running');
    calls[0].done.resolve('r1');
    await settle();
    assert.equal(out.completed, false, 'the waiting value 2 is still to be processed');
    assert.deepEqual(calls.map((c) => c.value), [1, 2]);
    calls[1].done.resolve('r2');
    await settle();
    assert.equal(out.completed, true);
    assert.deepEqual(out.values, ['r1', 'r2']);
  });

  it('completes at once when the source ends idle', () => {
    const source = new Subject<number>();
    const { work } = controllableWork();
    const out = record(source.pipe(processNewest(work)));
    source.complete();
    assert.equal(out.completed, true);
  });

  it('propagates a failure of the work and stops processing', async () => {
    const source = new Subject<number>();
    const { calls, work } = controllableWork();
    const out = record(source.pipe(processNewest(work)));
    source.next(1);
    source.next(2);
    const boom = new Error('encoder failed');
    calls[0].done.reject(boom);
    await settle();
    assert.deepEqual(out.errors, [boom]);
    assert.equal(calls.length, 1, 'the waiting value is not processed after the error');
    assert.equal(source.observed, false, 'the source is unsubscribed');
  });

  it('propagates a source error', () => {
    const source = new Subject<number>();
    const { work } = controllableWork();
    const out = record(source.pipe(processNewest(work)));
    const boom = new Error('camera gone');
    source.error(boom);
    assert.deepEqual(out.errors, [boom]);
  });

  it('starts no more work after unsubscribe', async () => {
    const source = new Subject<number>();
    const { calls, work } = controllableWork();
    const subscription = source.pipe(processNewest(work)).subscribe();
    source.next(1);
    source.next(2);
    subscription.unsubscribe();
    assert.equal(source.observed, false);
    calls[0].done.resolve('r1');
    await settle();
    assert.deepEqual(calls.map((c) => c.value), [1], 'the waiting value is discarded, not processed');
  });
});

describe('pullThrough', () => {
  it('pulls the next value only after the work on the previous one finished', async () => {
    const log: string[] = [];
    const { calls, work } = controllableWork();
    const out = record(
      pullThrough(loggingSource([1, 2, 3], log), (v) => {
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
    const out = record(pullThrough(loggingSource([1, 2, 3], log), work));
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
    const subscription = pullThrough(loggingSource([1, 2], log, () => gate.promise), async () => {
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
      pullThrough(loggingSource([1, 2, 3], log), async (v) => {
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
    const out = record(pullThrough(source, async (v) => v * 10));
    await settle();
    assert.deepEqual(out.values, [10]);
    assert.deepEqual(out.errors, [boom]);
    assert.equal(out.completed, false);
  });

  it('completes on an empty source', async () => {
    const out = record(pullThrough(loggingSource([], []), async (v) => v));
    await settle();
    assert.equal(out.completed, true);
    assert.deepEqual(out.values, []);
  });
});
