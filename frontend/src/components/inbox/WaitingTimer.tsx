import { formatDuration, waitLevel } from '../../lib/time';
import { useNow } from '../../stores/clock';
import styles from './Inbox.module.css';

/**
 * How long the customer has waited for an answer. Green-grey at first,
 * amber after 5 minutes, red after 15, so the oldest waits stand out.
 */
export function WaitingTimer({ since, long = false }: { since: string; long?: boolean }) {
  const now = useNow(1000);
  const ms = Math.max(0, now - Date.parse(since));
  const level = waitLevel(ms);
  return (
    <span
      className={`${styles.wait} ${styles[`wait_${level}`]}`}
      data-testid="waiting-timer"
      data-level={level}
      title={`Waiting for a reply since ${new Date(since).toLocaleString()}`}
    >
      <svg width="11" height="11" viewBox="0 0 12 12" aria-hidden="true">
        <circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" strokeWidth="1.4" />
        <path d="M6 3.2V6l1.8 1.2" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      </svg>
      {long ? `waiting ${formatDuration(ms)}` : formatDuration(ms)}
    </span>
  );
}
