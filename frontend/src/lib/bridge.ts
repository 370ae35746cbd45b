import { Ping, Version } from '../../wailsjs/go/app/App';
import type { app } from '../../wailsjs/go/models';
import { toAppError } from './errors';

/**
 * The typed door to the Go facade. Components and stores call these rather
 * than the generated wailsjs functions so every rejection arrives as an
 * AppError, and so a missing bridge (a plain browser, a unit test without a
 * fake) fails with a clear message instead of "cannot read properties of
 * undefined".
 */
export type BuildInfo = app.BuildInfo;
export type Pong = app.Pong;

/** hasBridge reports whether window.go.app.App exists. */
export function hasBridge(): boolean {
  const w = window as { go?: { app?: { App?: unknown } } };
  return typeof w.go?.app?.App === 'object' && w.go.app.App !== null;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  if (!hasBridge()) {
    throw { code: 'UNAVAILABLE', message: 'The Go bridge is not loaded: open Switchboard in its window or a dev build.' };
  }
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
}

export const bridge = {
  version: () => call(() => Version()),
  ping: (note: string) => call(() => Ping(note)),
};
