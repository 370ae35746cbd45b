import * as App from '../../wailsjs/go/app/App';
import { toAppError } from './errors';

/**
 * The one door to Go: the bound methods of the facade (app.App, which
 * delegates to backend/desktop), exactly as Wails generates them in
 * wailsjs/go/app/App — same names, arguments and answers, typed by the
 * generated models — with two guarantees on top:
 *
 * - every rejection arrives as an AppError (lib/errors.ts), whether Go
 *   answered with an error body or the call itself failed;
 * - without the bridge (a plain browser, a unit test without a fake) a
 *   call fails with a clear UNAVAILABLE instead of "cannot read
 *   properties of undefined".
 *
 * A method added to app.App is here as soon as `make bindings` has run.
 */
export type GoApp = typeof App;

/** hasBridge reports whether the Wails bridge (window.go.app.App) is loaded. */
export function hasBridge(): boolean {
  const w = window as { go?: { app?: { App?: unknown } } };
  return typeof w.go?.app?.App === 'object' && w.go.app.App !== null;
}

type Method = (...args: never[]) => Promise<unknown>;

function guarded<F extends Method>(fn: F): F {
  return (async (...args: Parameters<F>) => {
    if (!hasBridge()) {
      throw { code: 'UNAVAILABLE', message: 'The Go bridge is not loaded: open Switchboard in its window or a dev build.' };
    }
    try {
      return await fn(...args);
    } catch (err) {
      throw toAppError(err);
    }
  }) as F;
}

export const go: GoApp = Object.fromEntries(
  Object.entries(App as Record<string, Method>).map(([name, fn]) => [name, guarded(fn)]),
) as unknown as GoApp;
