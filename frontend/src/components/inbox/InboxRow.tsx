import { memo } from 'react';
import { cleanPreview, typeLabel } from '../../lib/content';
import { hoverTitle } from '../../lib/hoverTitle';
import { formatListTime, formatStamp } from '../../lib/time';
import type { Conversation } from '../../lib/types';
import { useNow } from '../../stores/clock';
import { Avatar } from '../Avatar';
import { Ticks } from '../chat/Ticks';
import { Icon, type IconName } from '../Icon';
import { WaitingTimer } from './WaitingTimer';
import styles from './Inbox.module.css';

interface RowProps {
  c: Conversation;
  selected: boolean;
  /** The assignee's name, shown on rows of the All tab. */
  assignee?: string;
  onSelect: (id: number) => void;
}

/** One conversation in the inbox list. */
export const InboxRow = memo(function InboxRow({ c, selected, assignee, onSelect }: RowProps) {
  const now = useNow(30_000);
  const phone = c.contact.phone || (c.contact.wa_id ? `+${c.contact.wa_id}` : '');
  const name = c.contact.name || phone || 'Unknown';
  const last = c.last_message;
  const kind = last ? typeLabel(last.type) : null;
  const unread = c.unread_count > 0;
  return (
    <button
      type="button"
      className={`${styles.row} ${selected ? styles.rowSelected : ''}`}
      aria-current={selected ? 'true' : undefined}
      data-testid="inbox-row"
      data-conversation-id={c.id}
      data-unanswered={c.unanswered || undefined}
      onClick={() => onSelect(c.id)}
    >
      <Avatar name={name} id={c.contact.id} size={44} />
      <span className={styles.rowMain}>
        <span className={styles.rowTop}>
          <span className={`${styles.name} ${unread ? styles.nameUnread : ''}`} dir="auto">
            {name}
          </span>
          {c.contact.name && phone && (
            <span className={styles.phone} dir="ltr">
              {phone}
            </span>
          )}
          <span className={`${styles.time} ${unread ? styles.timeUnread : ''}`}>{formatListTime(c.last_activity_at, now)}</span>
        </span>
        <span className={styles.rowBottom}>
          <span className={styles.preview}>
            {c.contact.opted_out && (
              <span className={styles.optedOut} title="Opted out">
                <Icon name="ban" size={14} />
              </span>
            )}
            {last?.direction === 'outbound' && <Ticks status={last.status} />}
            {kind && <Icon name={kind.icon as IconName} size={15} className={styles.typeIcon} />}
            <span className={styles.previewText} dir="auto">
              {last ? cleanPreview(last.preview, last.type) || kind?.label || last.type : 'No messages yet'}
            </span>
          </span>
          {c.unanswered && c.waiting_since && <WaitingTimer since={c.waiting_since} />}
          {c.status === 'snoozed' && (
            <span
              className={styles.snoozed}
              title="Snoozed"
              {...(c.snoozed_until ? hoverTitle(() => `Snoozed until ${formatStamp(c.snoozed_until ?? '')}`) : {})}
            >
              <Icon name="snooze" size={14} />
            </span>
          )}
          {unread && (
            <span className={styles.badge} data-testid="unread-badge" aria-label={`${c.unread_count} unread`}>
              {c.unread_count > 99 ? '99+' : c.unread_count}
            </span>
          )}
        </span>
        {assignee !== undefined && (
          <span className={styles.rowMeta}>
            <Icon name="user" size={12} /> {assignee}
            {c.team && <span className={styles.teamTag}>{c.team}</span>}
          </span>
        )}
      </span>
    </button>
  );
});
