// Every numeric command-line option goes through the one shared parser: a bad value stops the
// command with exit code 1 and one line naming the option, instead of silently becoming NaN.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { parseNumber } from '../../src/cli/number-option.js';
import { runSeqvpr } from '../support/run-cli.js';

/** Value placeholders that name a number; an option written with one of them must parse it. */
const NUMERIC_PLACEHOLDERS = /<(n|m|ms|s|c|x|f|d|w|hz|L|D|frames)>$/;

function* everyOption(command: Command, path: string[] = []): Generator<{ path: string[]; option: Option }> {
  for (const option of command.options) yield { path, option };
  for (const sub of command.commands) yield* everyOption(sub, [...path, sub.name()]);
}

const numericOptions = [...everyOption(buildProgram())].filter(({ option }) => NUMERIC_PLACEHOLDERS.test(option.flags));

describe('numeric command-line options', () => {
  it('finds the numeric options (the list below is not empty by accident)', () => {
    const names = numericOptions.map(({ path, option }) => `${path.join(' ')} ${option.long}`);
    for (const expected of ['loops --gt-distance', 'replay --rate', 'bag from-images --rate', 'train seqnet --epochs', 'pca fit --dims', 'map build --keyframe-distance']) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(', ')}`);
    }
  });

  it('every one has a parser', () => {
    const without = numericOptions.filter(({ option }) => option.parseArg === undefined).map(({ path, option }) => `${path.join(' ')} ${option.flags}`);
    assert.deepEqual(without, []);
  });

  for (const { path, option } of numericOptions) {
    it(`seqvpr ${path.join(' ')} ${option.long} abc: exit code 1 and one line naming the option`, async () => {
      const r = await runSeqvpr(...path, option.long!, 'abc');
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.errorLines.length, 1, r.stderr);
      assert.match(r.errorLines[0], new RegExp(`^seqvpr: option '${option.flags.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' argument 'abc' is invalid\\. Expected .*number`));
    });
  }

  it('checks ranges and whole numbers too, and still takes good values', async () => {
    const cases: [string[], RegExp][] = [
      [['loops', '--gt-distance', '-1'], /'--gt-distance <m>' argument '-1' is invalid\. Expected a number >= 0\./],
      [['loops', '--min-confidence', '1.5'], /Expected a number >= 0 and <= 1\./],
      [['train', 'seqnet', '--epochs', '2.5'], /'--epochs <n>' argument '2\.5' is invalid\. Expected a whole number >= 0\./],
      [['replay', '--rate', '0'], /'--rate <x>' argument '0' is invalid\. Expected "max" or a number > 0\./],
      [['map', 'build', '--keyframe-period', ''], /'--keyframe-period <ms>' argument '' is invalid/],
    ];
    for (const [args, message] of cases) {
      const r = await runSeqvpr(...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message);
    }
    // A good value passes the parser: the command then fails on what is really missing.
    const good = await runSeqvpr('loops', '--gt-distance', '2.5');
    assert.match(good.stderr, /^seqvpr: required option '--out <dir>' not specified/);
  });

  it('parseNumber: finite numbers within the rule, nothing else', () => {
    assert.equal(parseNumber('1e3', { integer: true, min: 1 }), 1000);
    assert.equal(parseNumber(' 0.25 ', { min: 0, max: 1 }), 0.25);
    for (const bad of ['', ' ', 'NaN', 'Infinity', '1x', '0x']) assert.throws(() => parseNumber(bad), /Expected a number\./, bad);
    assert.throws(() => parseNumber('0', { above: 0 }), /Expected a number > 0\./);
  });

  it('the installed command exits with code 1 on a bad number', async function () {
    this.timeout(60_000);
    const run = promisify(execFile);
    const err = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'loops', '--gt-distance', 'abc']).then(
      () => assert.fail('seqvpr accepted --gt-distance abc'),
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    assert.equal(err.code, 1);
    assert.equal(err.stdout, '');
    assert.deepEqual(err.stderr.trim().split('\n'), ["seqvpr: option '--gt-distance <m>' argument 'abc' is invalid. Expected a number >= 0."]);
  });
});
