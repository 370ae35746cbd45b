import type { AppError } from '../../lib/errors';
import { formatListTime } from '../../lib/time';
import type { SearchResults } from '../../lib/types';
import { useNow } from '../../stores/clock';
import { showMessage } from '../../stores/ui';
import { Avatar } from '../Avatar';
import { InboxRow } from './InboxRow';
import styles from './Inbox.module.css';

interface Props {
  results: SearchResults | null;
  searching: boolean;
  error: AppError | null;
  selectedId: number | null;
  onSelect: (id: number) => void;
}

/** Search over the local cache: matching contacts, then matching messages with the words highlighted. */
export function SearchResultsList({ results, searching, error, selectedId, onSelect }: Props) {
  const now = useNow(60_000);
  if (error) {
    return (
      <div className={styles.empty} role="alert">
        {error.message}
      </div>
    );
  }
  if (!results) return <div className={styles.empty}>{searching ? 'Searching…' : ''}</div>;
  const none = results.conversations.length === 0 && results.messages.length === 0;
  return (
    <div className={styles.list} data-testid="search-results">
      {none && <div className={styles.empty}>No matches for “{results.query}”.</div>}
      {results.conversations.length > 0 && <div className={styles.sectionLabel}>Contacts</div>}
      {results.conversations.map((c) => (
        <div key={`c${c.id}`} className={styles.staticRow}>
          <InboxRow c={c} selected={c.id === selectedId} onSelect={onSelect} />
        </div>
      ))}
      {results.messages.length > 0 && <div className={styles.sectionLabel}>Messages</div>}
      {results.messages.map((h) => (
        <button
          key={`m${h.message.id}`}
          type="button"
          className={`${styles.row} ${styles.hit} ${h.message.conversation_id === selectedId ? styles.rowSelected : ''}`}
          onClick={() => {
            showMessage(h.message.conversation_id, h.message.id);
            onSelect(h.message.conversation_id);
          }}
          data-testid="search-hit"
        >
          <Avatar name={h.contact_name || h.contact_phone} id={h.message.conversation_id} size={36} />
          <span className={styles.rowMain}>
            <span className={styles.rowTop}>
              <span className={styles.name} dir="auto">
                {h.contact_name || h.contact_phone}
              </span>
              <span className={styles.time}>{formatListTime(h.message.timestamp, now)}</span>
            </span>
            <span className={styles.snippet} dir="auto">
              {h.snippet.length > 0
                ? h.snippet.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))
                : h.message.preview}
            </span>
          </span>
        </button>
      ))}
    </div>
  );
}
