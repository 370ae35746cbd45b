/**
 * Line icons drawn inline, so the UI needs no icon font and no emoji font
 * (Linux desktops often lack one).
 */
const PATHS = {
  inbox: 'M4 13h4l2 3h4l2-3h4M4 13l2.5-7h11L20 13v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1z',
  contacts: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 19c0-3 2.7-5 6-5s6 2 6 5M16 5.5a3 3 0 0 1 0 5.5M18 14.5c1.8.6 3 2.2 3 4.5',
  templates: 'M5 4h14v16H5zM8 8h8M8 12h8M8 16h5',
  system: 'M4 7h10M18 7h2M4 17h4M12 17h8M14 5v4M8 15v4',
  pulse: 'M3 12h4l2-5 4 10 2-5h6',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 20 }: { name: IconName; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
