/** The simulator's virtual clock: tests set and advance it; `running` mode follows real time from a start. */
export interface VirtualClock {
  now(): Date;
  set(d: Date): void;
  advance(ms: number): void;
}

export function createVirtualClock(
  start: Date,
  mode: 'fixed' | 'running',
  realNow: () => number = Date.now,
): VirtualClock {
  let base = start.getTime();
  let anchor = realNow();
  const elapsed = (): number => (mode === 'running' ? realNow() - anchor : 0);
  return {
    now: () => new Date(base + elapsed()),
    set(d: Date): void {
      base = d.getTime();
      anchor = realNow();
    },
    advance(ms: number): void {
      base += ms;
    },
  };
}
