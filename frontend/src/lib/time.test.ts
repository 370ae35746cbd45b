import { describe, expect, it } from 'vitest';
import { dayLabel, formatCountdown, formatDuration, formatFull, formatListTime, formatStamp, shownWait, waitLevel } from './time';

describe('waitLevel', () => {
  const cases: [number, string][] = [
    [0, 'ok'],
    [4 * 60_000 + 59_000, 'ok'],
    [5 * 60_000, 'amber'],
    [14 * 60_000, 'amber'],
    [15 * 60_000, 'red'],
    [3 * 3600_000, 'red'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => expect(waitLevel(ms)).toBe(want));
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [-5, '0s'],
    [42_000, '42s'],
    [4 * 60_000, '4m'],
    [65 * 60_000, '1h 05m'],
    [50 * 3600_000, '2d 2h'],
  ];
  for (const [ms, want] of cases) it(want, () => expect(formatDuration(ms)).toBe(want));
});

describe('formatCountdown', () => {
  it('shows hours and minutes, then minutes and seconds', () => {
    expect(formatCountdown(23 * 3600_000 + 12 * 60_000)).toBe('23h 12m');
    expect(formatCountdown(9 * 60_000 + 5_000)).toBe('9m 05s');
    expect(formatCountdown(-1)).toBe('0m 00s');
  });
});

describe('locale formats', () => {
  // The formatters are made once and reused; they must still say what
  // toLocale*String says for the same options.
  const now = new Date(2025, 2, 20, 15, 30).getTime();
  const at = (d: number, h = 9, m = 5) => new Date(2025, 2, d, h, m).toISOString();

  it('formats list times like toLocale*String', () => {
    expect(formatListTime(at(20), now)).toBe(new Date(at(20)).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }));
    expect(formatListTime(at(19), now)).toBe('Yesterday');
    expect(formatListTime(at(16), now)).toBe(new Date(at(16)).toLocaleDateString(undefined, { weekday: 'long' }));
    expect(formatListTime(at(1), now)).toBe(new Date(at(1)).toLocaleDateString(undefined, { day: '2-digit', month: '2-digit', year: '2-digit' }));
    expect(formatListTime(at(2), now)).toBe(new Date(at(2)).toLocaleDateString(undefined, { day: '2-digit', month: '2-digit', year: '2-digit' }));
  });

  it('formats day labels and full timestamps like toLocale*String', () => {
    expect(dayLabel(at(20), now)).toBe('Today');
    expect(dayLabel(at(17), now)).toBe(new Date(at(17)).toLocaleDateString(undefined, { weekday: 'long' }));
    expect(dayLabel(at(3), now)).toBe(new Date(at(3)).toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' }));
    expect(formatStamp(at(3, 18, 45))).toBe(new Date(at(3, 18, 45)).toLocaleString());
    expect(formatFull(at(3, 18, 45))).toBe(new Date(at(3, 18, 45)).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
  });
});

describe('shownWait', () => {
  it('keeps what formatDuration and waitLevel show', () => {
    for (const ms of [0, 999, 42_500, 59_999, 60_000, 61_000, 4 * 60_000 + 59_999, 5 * 60_000, 65 * 60_000 + 30_000, 50 * 3600_000 + 12_345]) {
      expect(formatDuration(shownWait(ms))).toBe(formatDuration(ms));
      expect(waitLevel(shownWait(ms))).toBe(waitLevel(ms));
    }
    expect(shownWait(-5)).toBe(0);
  });
});
