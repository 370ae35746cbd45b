import { createStore, useStore } from '../lib/store';

/**
 * The one ticking clock: waiting timers and window countdowns read it, so a
 * single interval drives every timer on screen, and tests set the time
 * instead of waiting.
 */
export const clockStore = createStore<number>(Date.now());

let frozen = false;

// The hub's clock minus this machine's: the demo hub's sandbox clock can be
// moved forward (tests, demos), and the 24-hour window and waiting timers
// follow the hub's time, not the machine's.
let offset = 0;

/** The hub's current time. */
export function hubNow(): number {
  return Date.now() + offset;
}

/** Sets the hub clock offset (Status.clock_offset_ms, clock.changed) and ticks at once. */
export function setClockOffset(ms: number): void {
  if (ms === offset) return;
  const moved = ms - offset;
  offset = ms;
  // A frozen clock (tests) moves by the same amount.
  clockStore.set(frozen ? clockStore.get() + moved : hubNow());
}

let timer: ReturnType<typeof setInterval> | undefined;
let users = 0;

/** Stops the clock at t until unfreezeClock (tests): timers show exact values. */
export function freezeClock(t: number): void {
  frozen = true;
  offset = 0;
  if (timer) clearInterval(timer);
  timer = undefined;
  clockStore.set(t);
}

export function unfreezeClock(): void {
  frozen = false;
}

/** Starts ticking every second; returns the stop function. Reference-counted. */
export function startClock(): () => void {
  users += 1;
  if (frozen) return () => {
    users -= 1;
  };
  if (!timer) timer = setInterval(() => clockStore.set(hubNow()), 1000);
  return () => {
    users -= 1;
    if (users <= 0 && timer) {
      clearInterval(timer);
      timer = undefined;
      users = 0;
    }
  };
}

/** Sets the clock (tests). */
export function setNow(t: number): void {
  clockStore.set(t);
}

/**
 * The current time rounded down to step ms: a row that only shows minutes
 * re-renders once a minute-ish, not every second.
 */
export function useNow(step = 1000): number {
  return useStore(clockStore, (t) => Math.floor(t / step) * step);
}
