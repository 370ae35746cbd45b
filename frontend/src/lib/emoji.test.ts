import { describe, expect, it } from 'vitest';
import emojis from 'emojibase-data/en/data.json';
import messages from 'emojibase-data/en/messages.json';
import { QUICK_REACTIONS, emojiData, resolveEmojiData } from './emoji';

describe('the emoji picker data', () => {
  const data = emojiData(emojis as never, messages as never, 15);

  it('has every quick reaction, the categories without "component", and no emoji newer than the fonts draw', () => {
    const all = new Set(data.emojis.map((e) => e.emoji));
    for (const q of QUICK_REACTIONS) expect(all.has(q)).toBe(true);
    expect(data.categories.map((c) => c.label)).not.toContain('Components');
    expect(data.categories[0]?.label).toBe('Smileys & emotion');
    expect(data.emojis.every((e) => e.version <= 15)).toBe(true);
    expect(data.emojis.length).toBeGreaterThan(1500);
  });

  it('keeps labels, tags and the five skin tones for search and the tone picker', () => {
    const thumbs = data.emojis.find((e) => e.emoji === '👍')!;
    expect(thumbs.label).toBe('Thumbs up');
    expect(thumbs.tags).toContain('thumb');
    expect(Object.keys(thumbs.skins ?? {}).sort()).toEqual(['dark', 'light', 'medium', 'medium-dark', 'medium-light']);
    expect(thumbs.skins?.dark).toBe('👍🏿');
  });

  it('drops only variation selectors that change nothing', async () => {
    const { normalizeEmoji } = await import('./emoji');
    expect(normalizeEmoji('👍\uFE0F')).toBe('👍');
    expect(normalizeEmoji('❤️')).toBe('❤️');
    expect(data.emojis.some((e) => e.emoji === '❤️')).toBe(true);
  });

  it('resolves from the bundled dataset, with no network', async () => {
    const resolved = await resolveEmojiData('en', {});
    expect(resolved.emojis.some((e) => e.emoji === '🙏')).toBe(true);
  });
});
