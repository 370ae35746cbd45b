import { useStore } from '../lib/store';
import { dismissNotice, noticesStore } from '../stores/notices';
import { Icon } from './Icon';
import styles from './Notices.module.css';

/**
 * What the hub answered differently, in words (a change someone else's
 * overrode, a note that could not be saved): stays until dismissed, and is
 * read out by screen readers as it appears.
 */
export function Notices() {
  const notices = useStore(noticesStore, (s) => s.notices);
  return (
    <div className={styles.stack} role="status" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={styles.notice} data-testid="notice">
          <Icon name="info" size={16} />
          <span className={styles.text}>{n.message}</span>
          <button type="button" className={styles.dismiss} aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
