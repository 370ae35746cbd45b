import { useStore } from '../lib/store';
import { formatDuration } from '../lib/time';
import type { SyncState } from '../lib/types';
import { clockStore } from '../stores/clock';
import { Icon } from './Icon';
import styles from './OfflineBanner.module.css';

function Retry({ at }: { at: string }) {
  const left = useStore(clockStore, (now) => Math.max(0, Math.ceil((Date.parse(at) - now) / 1000)));
  return <>{left > 0 ? ` Reconnecting in ${formatDuration(left * 1000)}.` : ' Reconnecting…'}</>;
}

/**
 * Says so when the hub is out of reach: what the agent sees comes from the
 * local cache, and what they send waits in the outbox until the connection
 * is back.
 */
export function OfflineBanner({ sync, onReconnect }: { sync: Pick<SyncState, 'state'> & Partial<SyncState>; onReconnect?: () => void }) {
  if (sync.state === 'offline') {
    const pending = sync.pending ?? 0;
    return (
      <div className={`${styles.banner} ${styles.offline}`} role="status" data-testid="offline-banner">
        <Icon name="offline" size={18} />
        <span>
          <strong>Offline.</strong> You are working from this computer’s copy of the inbox
          {pending > 0
            ? `; ${pending} change${pending === 1 ? '' : 's'} (messages, notes, assignments, reactions…) will be sent when the hub is back`
            : '; anything you send or change is delivered when the hub is back'}.
          {sync.error?.message ? <span className={styles.detail}> ({sync.error.message})</span> : null}
          {sync.retry_at ? <Retry at={sync.retry_at} /> : null}
        </span>
        {onReconnect && (
          <button type="button" className={styles.action} onClick={onReconnect}>
            Reconnect now
          </button>
        )}
      </div>
    );
  }
  if (sync.state === 'signed_out') {
    return (
      <div className={`${styles.banner} ${styles.offline}`} role="status" data-testid="signed-out-banner">
        <Icon name="lock" size={18} />
        <span>
          <strong>Signed out.</strong> The hub no longer accepts this console’s sign-in
          {sync.error?.message ? ` (${sync.error.message})` : ''}. Open Settings to sign in again; the inbox stays readable meanwhile.
        </span>
      </div>
    );
  }
  if (sync.state === 'syncing') {
    return (
      <div className={`${styles.banner} ${styles.syncing}`} role="status" data-testid="syncing-banner">
        <span className={styles.spinner} aria-hidden="true" />
        <span>Catching up with the hub…</span>
      </div>
    );
  }
  return null;
}
