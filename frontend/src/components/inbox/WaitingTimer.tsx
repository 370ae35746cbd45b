import { hoverTitle } from '../../lib/hoverTitle';
import { useStore } from '../../lib/store';
import { formatDuration, formatStamp, shownWait, waitLevel } from '../../lib/time';
import { clockStore } from '../../stores/clock';
import styles from './Inbox.module.css';

/**
 * How long the customer has waited for an answer. Green-grey at first,
 * amber after 5 minutes, red after 15, so the oldest waits stand out.
 */
export function WaitingTimer({ since, long = false }: { since: string; long?: boolean }) {
  const start = Date.parse(since);
  // The clock ticks every second, but past the first minute the timer only
  // shows minutes: it re-renders when what it shows changes, not per tick.
  const ms = useStore(clockStore, (now) => shownWait(now - start));
  const level = waitLevel(ms);
  return (
    <span
      className={`${styles.wait} ${styles[`wait_${level}`]}`}
      data-testid="waiting-timer"
      data-level={level}
      {...hoverTitle(() => `Waiting for a reply since ${formatStamp(since)}`)}
    >
      <svg width="11" height="11" viewBox="0 0 12 12" aria-hidden="true">
        <circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" strokeWidth="1.4" />
        <path d="M6 3.2V6l1.8 1.2" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      </svg>
      {long ? `waiting ${formatDuration(ms)}` : formatDuration(ms)}
    </span>
  );
}
