// Validation of config sections, with zod issues turned into ConfigError naming the key.
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/** Parses `value` with `schema`; `where` names the config section in the message ("frame encoder config", "pipeline config"). */
export function parseConfig<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.join('.') || '(top level)';
    throw new ConfigError(`${where}: ${key}: ${issue.message}`);
  }
  return parsed.data;
}
