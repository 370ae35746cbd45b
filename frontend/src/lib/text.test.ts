import { describe, expect, it } from 'vitest';
import vectors from '../../../backend/whatsapp/testdata/text_lengths.json';
import { isEmojiOnly, safeHref, splitLinks, textLength, tokenize } from './text';

describe('textLength', () => {
  // The same table Go's chars is checked against (backend/whatsapp), so a
  // limit counts the same characters on both sides.
  it('reads the shared table', () => expect(vectors.length).toBeGreaterThan(10));
  for (const v of vectors) {
    it(`${v.name}: ${v.code_points} code points`, () => {
      expect(v.text.length).toBe(v.utf16_units);
      expect(textLength(v.text)).toBe(v.code_points);
      expect(textLength(v.text)).toBe([...v.text].length);
    });
  }
  it('counts a lone surrogate once, as Go counts the U+FFFD JSON turns it into', () => {
    expect(textLength('a\ud800b')).toBe(3);
    expect(textLength('\udc00\ud83d')).toBe(2);
  });
});

describe('splitLinks', () => {
  const cases: { name: string; text: string; want: ReturnType<typeof splitLinks> }[] = [
    { name: 'plain', text: 'no links here', want: [{ kind: 'text', text: 'no links here' }] },
    {
      name: 'https link with sentence punctuation',
      text: 'see https://shop.example.com/t/1, thanks.',
      want: [
        { kind: 'text', text: 'see ' },
        { kind: 'link', text: 'https://shop.example.com/t/1', href: 'https://shop.example.com/t/1' },
        { kind: 'text', text: ', thanks.' },
      ],
    },
    {
      name: 'www becomes https',
      text: 'www.example.org',
      want: [{ kind: 'link', text: 'www.example.org', href: 'https://www.example.org/' }],
    },
    {
      name: 'parenthesised url keeps its own paren',
      text: '(https://en.wikipedia.org/wiki/Foo_(bar))',
      want: [
        { kind: 'text', text: '(' },
        { kind: 'link', text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
        { kind: 'text', text: ')' },
      ],
    },
    { name: 'javascript: is never a link', text: 'javascript:alert(1)', want: [{ kind: 'text', text: 'javascript:alert(1)' }] },
  ];
  for (const c of cases) it(c.name, () => expect(splitLinks(c.text)).toEqual(c.want));

  it('safeHref refuses other schemes', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,hi')).toBeNull();
    expect(safeHref('http://a.b/c')).toBe('http://a.b/c');
  });
});

describe('tokenize', () => {
  it('reads WhatsApp formatting', () => {
    expect(tokenize('*bold* _it_ ~gone~ ```code```')).toEqual([
      { kind: 'bold', text: 'bold' },
      { kind: 'text', text: ' ' },
      { kind: 'italic', text: 'it' },
      { kind: 'text', text: ' ' },
      { kind: 'strike', text: 'gone' },
      { kind: 'text', text: ' ' },
      { kind: 'mono', text: 'code' },
    ]);
  });
  it('leaves arithmetic and URL underscores alone', () => {
    expect(tokenize('2*3*4')).toEqual([{ kind: 'text', text: '2*3*4' }]);
    expect(tokenize('https://x.io/a_b_c')).toEqual([{ kind: 'link', text: 'https://x.io/a_b_c', href: 'https://x.io/a_b_c' }]);
  });
});

describe('isEmojiOnly', () => {
  const cases: [string, boolean][] = [
    ['👍', true],
    ['👍🎉', true],
    ['👨‍👩‍👧', true],
    ['👍 ok', false],
    ['123', false],
    ['👍👍👍👍', false],
  ];
  for (const [text, want] of cases) it(`${text} → ${want}`, () => expect(isEmojiOnly(text)).toBe(want));
});

describe('cleanPreview', async () => {
  const { cleanPreview } = await import('./content');
  const cases: [string, string, string][] = [
    ['[contacts] Ana Lima', 'contacts', 'Ana Lima'],
    ['[unsupported]', 'unsupported', 'Unsupported message'],
    ['[image]', 'image', 'Photo'],
    ['Hello [world]', 'text', 'Hello [world]'],
  ];
  for (const [p, type, want] of cases) it(`${p} → ${want}`, () => expect(cleanPreview(p, type)).toBe(want));
});
