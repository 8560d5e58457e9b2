import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import { processNewest } from '../../src/pipeline/overload.js';
import { controllableWork, record, settle } from './helpers.js';

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
