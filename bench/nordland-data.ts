// Where the benches find nordland64 (../shared/data/nordland64 unless --data says otherwise).
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The two season folders under `data`; without them, one line on stderr and exit code 1. */
export function nordlandSeasons(data: string): { summer: string; winter: string } {
  const summer = path.join(data, 'summer');
  const winter = path.join(data, 'winter');
  if (!existsSync(summer) || !existsSync(winter)) {
    console.error(`nordland64 not found under ${data}; pass --data DIR`);
    process.exit(1);
  }
  return { summer, winter };
}
