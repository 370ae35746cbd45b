import type { app } from '../../wailsjs/go/models';
import { toAppError, type AppError } from '../lib/errors';
import { EVENTS, on } from '../lib/events';
import { go } from '../lib/go';
import { createStore } from '../lib/store';

export type BuildInfo = app.BuildInfo;
export type Pong = app.Pong;

/** What the shell knows about the running app and the Go bridge. */
export interface SystemState {
  build: BuildInfo | null;
  buildError: AppError | null;
  pinging: boolean;
  lastPong: Pong | null;
  /** Round trip of the last ping as measured in the page, in ms. */
  roundTripMs: number | null;
  pingError: AppError | null;
  /** How many app.pinged events Go has pushed to this page. */
  pingEvents: number;
}

export const initialSystemState: SystemState = {
  build: null,
  buildError: null,
  pinging: false,
  lastPong: null,
  roundTripMs: null,
  pingError: null,
  pingEvents: 0,
};

export const systemStore = createStore<SystemState>(initialSystemState);

/** Loads the build info from Go once the shell mounts. */
export async function loadBuildInfo(): Promise<void> {
  try {
    const build = await go.Version();
    systemStore.set((s) => ({ ...s, build, buildError: null }));
  } catch (err) {
    systemStore.set((s) => ({ ...s, buildError: toAppError(err) }));
  }
}

/** Pings Go with a note and records the answer or the error. */
export async function ping(note: string): Promise<void> {
  systemStore.set((s) => ({ ...s, pinging: true, pingError: null }));
  const started = performance.now();
  try {
    const pong = await go.Ping(note);
    const roundTripMs = Math.round(performance.now() - started);
    systemStore.set((s) => ({ ...s, pinging: false, lastPong: pong, roundTripMs }));
  } catch (err) {
    systemStore.set((s) => ({ ...s, pinging: false, pingError: toAppError(err) }));
  }
}

/** Counts app.pinged events; returns the unsubscribe function. */
export function listenSystemEvents(): () => void {
  return on(EVENTS.appPinged, () => {
    systemStore.set((s) => ({ ...s, pingEvents: s.pingEvents + 1 }));
  });
}
