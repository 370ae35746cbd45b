import styles from './Avatar.module.css';

const HUES = [164, 200, 262, 330, 20, 40, 120, 188, 290, 350];

/** Initials of a name: "Ana María López" → "AL"; a number → its last two digits. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter((w) => /\p{L}/u.test(w));
  if (words.length === 0) return name.replace(/\D/g, '').slice(-2) || '?';
  const first = [...(words[0] ?? '')][0] ?? '';
  const last = words.length > 1 ? ([...(words[words.length - 1] ?? '')][0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A round initials avatar, its colour fixed per contact. */
export function Avatar({ name, id, size = 44 }: { name: string; id: number; size?: number }) {
  const hue = HUES[Math.abs(id) % HUES.length];
  return (
    <span className={styles.avatar} style={{ width: size, height: size, fontSize: size * 0.38, ['--hue' as string]: hue }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
