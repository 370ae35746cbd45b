/**
 * Customer text, split into inert pieces: plain runs, links and WhatsApp's
 * own formatting (*bold*, _italic_, ~strike~, ```mono```). Components turn
 * the pieces into React elements, so nothing a customer types is ever
 * parsed as HTML, and only http(s) links become clickable.
 */

export type TextToken =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'bold' | 'italic' | 'strike' | 'mono'; text: string };

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

/** safeHref returns an http(s) URL for a link found in text, or null. */
export function safeHref(raw: string): string | null {
  const candidate = /^www\./i.test(raw) ? `https://${raw}` : raw;
  try {
    const u = new URL(candidate);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href;
  } catch {
    return null;
  }
}

/** Splits text into plain runs and links. */
export function splitLinks(text: string): ({ kind: 'text'; text: string } | { kind: 'link'; text: string; href: string })[] {
  const out: ({ kind: 'text'; text: string } | { kind: 'link'; text: string; href: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    let raw = m[0];
    // Keep a closing parenthesis that closes one opened inside the URL
    // (Wikipedia-style links); drop trailing sentence punctuation.
    const trail = raw.match(TRAILING)?.[0] ?? '';
    if (trail) {
      let keep = '';
      if (trail.startsWith(')') && (raw.match(/\(/g)?.length ?? 0) > 0) keep = ')';
      raw = raw.slice(0, raw.length - trail.length) + keep;
    }
    const href = safeHref(raw);
    const start = m.index ?? 0;
    if (!href) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

// WhatsApp formatting: the marker must hug non-space text and sit at a word
// boundary, like the app itself does ("2*3*4" stays as typed).
const FORMAT = /```([\s\S]+?)```|(?<![\p{L}\p{N}])([*_~])(?!\s)([^\n]*?[^\s])\2(?![\p{L}\p{N}])/gu;
const KIND = { '*': 'bold', _: 'italic', '~': 'strike' } as const;

function splitFormat(text: string): TextToken[] {
  const out: TextToken[] = [];
  let last = 0;
  for (const m of text.matchAll(FORMAT)) {
    const start = m.index ?? 0;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    if (m[1] !== undefined) out.push({ kind: 'mono', text: m[1] });
    else out.push({ kind: KIND[m[2] as keyof typeof KIND], text: m[3] ?? '' });
    last = start + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** Tokenises a message's text: links first (a URL's underscores are not italics), then formatting. */
export function tokenize(text: string): TextToken[] {
  const out: TextToken[] = [];
  for (const part of splitLinks(text)) {
    if (part.kind === 'link') out.push(part);
    else out.push(...splitFormat(part.text));
  }
  return out;
}

/**
 * Counts characters as Go and Meta do for their limits (lib/generated/limits.ts):
 * Unicode code points, not UTF-16 units (text.length counts an emoji as
 * 2) nor graphemes (a family emoji is 5 code points). A lone surrogate
 * counts 1, as Go counts the U+FFFD it arrives as. The same table of
 * strings (testdata/text_lengths.json) is checked here and in Go.
 */
export function textLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

let graphemes: Intl.Segmenter | undefined;

/** Whether text is only emoji (1–3 of them), which WhatsApp shows large. */
export function isEmojiOnly(text: string): boolean {
  const t = text.trim();
  if (!t || t.length > 24) return false;
  if (!/^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Emoji_Component}|\u200d|\ufe0f|\s)+$/u.test(t)) return false;
  if (/^[\d#*\s]+$/.test(t)) return false;
  // One ICU segmenter for the page, made the first time a message looks like emoji.
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return [...graphemes.segment(t)].filter((s) => s.segment.trim()).length <= 3;
}
