import type { EmojiData, EmojiDataResolver } from 'frimousse';

/** The quick reactions offered first, as WhatsApp offers them. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

const TONES = ['light', 'medium-light', 'medium', 'medium-dark', 'dark'] as const;

/**
 * Drops a variation selector that changes nothing (👍️ is 👍: the thumb is
 * drawn as an emoji anyway), so a reaction from the grid equals the same
 * one from the quick set or from the customer. ❤️ keeps its selector.
 */
export function normalizeEmoji(e: string): string {
  return /^\p{Emoji_Presentation}\uFE0F$/u.test(e) ? e.slice(0, -1) : e;
}

interface EmojibaseEmoji {
  emoji: string;
  label: string;
  hexcode: string;
  group?: number;
  subgroup?: number;
  version: number;
  tags?: string[];
  /** 1–5 on a skin tone variation. */
  tone?: number | number[];
  skins?: EmojibaseEmoji[];
}

interface EmojibaseMessages {
  groups: { key: string; message: string; order: number }[];
  skinTones: { key: string; message: string }[];
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Builds the picker's data from Emojibase's English dataset (bundled, so the
 * picker works offline; the chunk loads the first time the picker opens).
 * Emoji newer than the newest version this machine's fonts can draw are
 * left out, so the grid never shows empty boxes.
 */
export function emojiData(emojis: EmojibaseEmoji[], messages: EmojibaseMessages, maxVersion = Infinity): EmojiData {
  const groups = messages.groups.filter((g) => g.key !== 'component');
  const skinTones = Object.fromEntries(messages.skinTones.map((t) => [t.key, capitalize(t.message)])) as EmojiData['skinTones'];
  return {
    locale: 'en',
    categories: groups.map((g) => ({ index: g.order, label: capitalize(g.message) })),
    skinTones,
    emojis: emojis
      .filter((e) => typeof e.group === 'number' && e.group !== 2 && e.version <= maxVersion)
      .map((e) => {
        const skins: Partial<Record<string, string>> = {};
        for (const s of e.skins ?? []) {
          // One tone only (two-person emoji combine two tones: left out).
          const tone = typeof s.tone === 'number' ? TONES[s.tone - 1] : undefined;
          if (tone && !skins[tone]) skins[tone] = normalizeEmoji(s.emoji);
        }
        return {
          emoji: normalizeEmoji(e.emoji),
          category: e.group!,
          label: capitalize(e.label),
          version: e.version,
          tags: e.tags ?? [],
          skins: Object.keys(skins).length === 5 ? (skins as Required<EmojiData['emojis'][number]>['skins']) : undefined,
        };
      }),
  };
}

/** Whether this browser draws emoji in colour (false in jsdom: no canvas). */
function drawsInColour(emoji: string): boolean {
  try {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    if (!ctx) return true;
    ctx.canvas.width = ctx.canvas.height = 20;
    ctx.font = "16px 'Noto Color Emoji', 'Apple Color Emoji', 'Segoe UI Emoji', sans-serif";
    ctx.textBaseline = 'top';
    ctx.fillText(emoji, 0, 0);
    const px = ctx.getImageData(0, 0, 20, 20).data;
    for (let i = 0; i < px.length; i += 4) {
      const [r, g, b, a] = [px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!];
      if (a > 0 && (Math.abs(r - g) > 10 || Math.abs(g - b) > 10)) return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** Probe emoji per Unicode emoji version, newest first. */
const PROBES: [number, string][] = [
  [16, '🫩'],
  [15.1, '🙂‍↔️'],
  [15, '🫨'],
  [14, '🫠'],
  [13.1, '😶‍🌫️'],
  [13, '🥲'],
];

let newest: number | undefined;

/** The newest emoji version this machine draws (probed once). */
export function newestDrawable(): number {
  if (newest === undefined) newest = PROBES.find(([, e]) => drawsInColour(e))?.[0] ?? 12;
  return newest;
}

/** frimousse's data resolver over the bundled dataset: no network. */
export const resolveEmojiData: EmojiDataResolver = async () => {
  const [{ default: emojis }, { default: messages }] = await Promise.all([
    import('emojibase-data/en/data.json'),
    import('emojibase-data/en/messages.json'),
  ]);
  return emojiData(emojis as unknown as EmojibaseEmoji[], messages as unknown as EmojibaseMessages, newestDrawable());
};
