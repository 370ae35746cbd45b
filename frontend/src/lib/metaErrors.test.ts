import { describe, expect, it } from 'vitest';
import { failureReason } from './metaErrors';

describe('failureReason', () => {
  const cases: { name: string; err: Parameters<typeof failureReason>[0]; want: RegExp }[] = [
    { name: '131047 re-engagement', err: { code: 131047, title: 'Re-engagement message' }, want: /24 hours.*template/ },
    { name: '131026 undeliverable', err: { code: 131026, title: 'Message undeliverable' }, want: /could not be delivered/ },
    { name: '131051 unsupported type', err: { code: 131051, title: 'Unsupported message type' }, want: /does not support this message type/ },
    { name: '130429 rate limit', err: { code: 130429, title: 'Rate limit hit' }, want: /Too many messages/ },
    { name: 'unknown code uses Meta’s details', err: { code: 999999, title: 'Odd', details: 'Something specific happened' }, want: /^Something specific happened\.$/ },
    { name: 'no error at all', err: undefined, want: /could not be sent/ },
  ];
  for (const c of cases) it(c.name, () => expect(failureReason(c.err)).toMatch(c.want));
});
