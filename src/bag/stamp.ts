// builtin_interfaces/Time <-> bigint nanoseconds. Number arithmetic would round stamps above 2^53.
import type { StampNs } from '../core/types.js';

export interface RosTime {
  sec: number;
  nanosec: number;
}

const NS_PER_S = 1_000_000_000n;

export function stampToNs(t: RosTime): StampNs {
  return BigInt(t.sec) * NS_PER_S + BigInt(t.nanosec);
}

/** Floor division, so a negative stamp still has nanosec in [0, 1e9) as ROS requires. */
export function nsToStamp(ns: StampNs): RosTime {
  let sec = ns / NS_PER_S;
  let nanosec = ns % NS_PER_S;
  if (nanosec < 0n) {
    sec -= 1n;
    nanosec += NS_PER_S;
  }
  return { sec: Number(sec), nanosec: Number(nanosec) };
}

/** Seconds with all nine decimals, sign kept (`-0.500000000`): bigint keeps stamps above 2^53 exact. */
export function formatStamp(ns: StampNs): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  return `${sign}${abs / NS_PER_S}.${(abs % NS_PER_S).toString().padStart(9, '0')}`;
}
