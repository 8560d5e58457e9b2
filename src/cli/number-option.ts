// The one parser behind every numeric command-line option. Commander calls it while it reads the
// arguments, so a typo such as `--gt-distance abc` stops the command before any work with one line
// that names the option and the value ("seqvpr: option '--gt-distance <m>' argument 'abc' is
// invalid. Expected a number >= 0.") and exit code 1, instead of silently becoming NaN.
import { InvalidArgumentError } from 'commander';

export interface NumberRule {
  /** Whole numbers only. */
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
}

/** The rule in words, e.g. "a whole number >= 1". */
export function describeNumberRule(rule: NumberRule): string {
  const bounds = [
    rule.above !== undefined ? `> ${rule.above}` : '',
    rule.min !== undefined ? `>= ${rule.min}` : '',
    rule.max !== undefined ? `<= ${rule.max}` : '',
  ].filter(Boolean);
  return `${rule.integer ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/** `text` as a finite number obeying `rule`; throws commander's InvalidArgumentError otherwise. */
export function parseNumber(text: string, rule: NumberRule = {}): number {
  const n = text.trim() === '' ? Number.NaN : Number(text); // Number('') is 0, not an error
  const fits =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.above === undefined || n > rule.above) &&
    (rule.max === undefined || n <= rule.max);
  if (!fits) throw new InvalidArgumentError(`Expected ${describeNumberRule(rule)}.`);
  return n;
}

/** A commander argParser for a numeric option: `.option('--epochs <n>', 'epochs', numberOption({ integer: true, min: 0 }), 100)`. */
export function numberOption(rule: NumberRule): (value: string) => number {
  return (value) => parseNumber(value, rule);
}

/** A comma-separated list of numbers, each obeying `rule`: `--out-dims 64,128,256`. */
export function numberListOption(rule: NumberRule): (value: string) => number[] {
  return (value) => {
    try {
      return value.split(',').map((v) => parseNumber(v, rule));
    } catch {
      throw new InvalidArgumentError(`Expected comma-separated numbers, each ${describeNumberRule(rule).replace(/^a /, '')}.`);
    }
  };
}

/** A numeric option that also takes one word, e.g. `--rate max`. */
export function numberOrWordOption<W extends string>(word: W, rule: NumberRule): (value: string) => number | W {
  return (value) => {
    if (value === word) return word;
    try {
      return parseNumber(value, rule);
    } catch {
      throw new InvalidArgumentError(`Expected "${word}" or ${describeNumberRule(rule)}.`);
    }
  };
}

export const positiveNumber = numberOption({ above: 0 });
export const nonNegativeNumber = numberOption({ min: 0 });
export const positiveInteger = numberOption({ integer: true, min: 1 });
export const nonNegativeInteger = numberOption({ integer: true, min: 0 });
