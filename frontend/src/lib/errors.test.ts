import { describe, expect, it } from 'vitest';
import { toAppError } from './errors';

describe('toAppError', () => {
  const cases: { name: string; input: unknown; want: ReturnType<typeof toAppError> }[] = [
    {
      name: 'binding rejection body',
      input: { code: 'NOT_FOUND', message: 'no such conversation', doc_url: '/docs/errors#NOT_FOUND' },
      want: { code: 'NOT_FOUND', message: 'no such conversation', doc_url: '/docs/errors#NOT_FOUND', field: undefined },
    },
    {
      name: 'hub envelope',
      input: { error: { code: 'RATE_LIMITED', message: 'slow down', doc_url: '/docs/errors#RATE_LIMITED', field: '' } },
      want: { code: 'RATE_LIMITED', message: 'slow down', doc_url: '/docs/errors#RATE_LIMITED', field: undefined },
    },
    {
      name: 'field kept',
      input: { code: 'INVALID_PHONE', message: 'bad number', field: 'to' },
      want: { code: 'INVALID_PHONE', message: 'bad number', doc_url: undefined, field: 'to' },
    },
    { name: 'unknown code becomes INTERNAL', input: { code: 'NOPE', message: 'x' }, want: { code: 'INTERNAL', message: 'unexpected error' } },
    { name: 'plain string from Wails', input: 'method not found', want: { code: 'INTERNAL', message: 'method not found' } },
    { name: 'JS error', input: new TypeError('bridge gone'), want: { code: 'INTERNAL', message: 'bridge gone' } },
    { name: 'nothing', input: undefined, want: { code: 'INTERNAL', message: 'unexpected error' } },
  ];
  for (const c of cases) {
    it(c.name, () => expect(toAppError(c.input)).toEqual(c.want));
  }
});
