import { createStore, useStore } from '../lib/store';

/**
 * The one ticking clock: waiting timers and window countdowns read it, so a
 * single interval drives every timer on screen, and tests set the time
 * instead of waiting.
 */
export const clockStore = createStore<number>(Date.now());

let timer: ReturnType<typeof setInterval> | undefined;
let users = 0;
let frozen = false;

/** Stops the clock at t until unfreezeClock (tests): timers show exact values. */
export function freezeClock(t: number): void {
  frozen = true;
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
  if (!timer) timer = setInterval(() => clockStore.set(Date.now()), 1000);
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
