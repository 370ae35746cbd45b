import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDuration, waitLevel } from './time';

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
