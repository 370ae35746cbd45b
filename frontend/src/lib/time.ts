/**
 * Time as agents read it: list times, day separators, how long a customer
 * has waited and how long the 24-hour window has left. Pure functions of
 * (time, now) so they are tested without a clock.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Thresholds of the waiting timer: amber after 5 minutes, red after 15. */
export const WAIT_AMBER_MS = 5 * MINUTE;
export const WAIT_RED_MS = 15 * MINUTE;

export type WaitLevel = 'ok' | 'amber' | 'red';

/** How urgent an unanswered conversation is after waiting ms. */
export function waitLevel(ms: number): WaitLevel {
  if (ms >= WAIT_RED_MS) return 'red';
  if (ms >= WAIT_AMBER_MS) return 'amber';
  return 'ok';
}

/** A compact duration: "45s", "4m", "1h 05m", "3d 4h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

/** A countdown to the window's end: "23h 12m", "9m 05s" in the last hour. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

function startOfDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole calendar days between t and now in local time (0 = today). */
export function daysAgo(t: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(t)) / DAY);
}

// One formatter per format, made on first use and reused: toLocale*String
// with options builds a fresh ICU formatter (and pattern generator) on every
// call, and a list formats dozens of times per render.
function formatter(options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
  let f: Intl.DateTimeFormat | undefined;
  return () => (f ??= new Intl.DateTimeFormat(undefined, options));
}

const weekdayFormat = formatter({ weekday: 'long' });
const shortDateFormat = formatter({ day: '2-digit', month: '2-digit', year: '2-digit' });
const clockFormat = formatter({ hour: '2-digit', minute: '2-digit' });
const longDateFormat = formatter({ day: 'numeric', month: 'long', year: 'numeric' });
const fullFormat = formatter({ dateStyle: 'medium', timeStyle: 'short' });
// What Date.prototype.toLocaleString() writes when given no options.
const stampFormat = formatter({ year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });

/** The time an inbox row shows: "14:05" today, "Yesterday", a weekday this week, else a date. */
export function formatListTime(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const days = daysAgo(t, now);
  if (days <= 0) return formatClock(iso);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekdayFormat().format(t);
  return shortDateFormat().format(t);
}

/** "14:05" in the user's locale. */
export function formatClock(iso: string): string {
  return clockFormat().format(new Date(iso));
}

/** A day separator's label: "Today", "Yesterday", a weekday this week, else the full date. */
export function dayLabel(iso: string, now: number): string {
  const t = Date.parse(iso);
  const days = daysAgo(t, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekdayFormat().format(t);
  return longDateFormat().format(t);
}

/** The local calendar day of iso, as a key for grouping. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** A full timestamp for tooltips. */
export function formatFull(iso: string): string {
  return fullFormat().format(new Date(iso));
}

/** A timestamp as Date.toLocaleString() writes it ("3/1/2025, 9:00:01 AM"). */
export function formatStamp(iso: string): string {
  return stampFormat().format(new Date(iso));
}

/**
 * ms rounded down to the precision formatDuration and waitLevel show:
 * the second in the first minute, the minute after. A timer that renders
 * from this value changes exactly when its text or colour would.
 */
export function shownWait(ms: number): number {
  const step = ms < MINUTE ? 1000 : MINUTE;
  return Math.max(0, Math.floor(ms / step) * step);
}

/** ms until iso (negative once passed); null when iso is empty. */
export function msUntil(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t - now;
}
