import type { MessageStatus } from '../../lib/types';
import styles from './Chat.module.css';

const LABEL: Record<string, string> = {
  pending: 'Waiting to send',
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not delivered',
};

/**
 * WhatsApp's delivery marks: a clock while queued (or waiting in the
 * outbox), one grey tick sent, two grey delivered, two blue read, and a red
 * mark when it failed.
 */
export function Ticks({ status }: { status: MessageStatus | 'pending' | (string & {}) }) {
  const label = LABEL[status] ?? status;
  const common = { role: 'img', 'aria-label': label, 'data-testid': 'ticks', 'data-status': status } as const;
  switch (status) {
    case 'pending':
    case 'queued':
      return (
        <svg {...common} className={styles.tickClock} width="15" height="15" viewBox="0 0 16 16">
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path d="M8 4.5V8l2.2 1.4" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
        </svg>
      );
    case 'sent':
      return (
        <svg {...common} className={styles.tick} width="16" height="15" viewBox="0 0 16 15">
          <path d="M3 8l3.2 3.2L13 4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'delivered':
    case 'read':
      return (
        <svg {...common} className={status === 'read' ? styles.tickRead : styles.tick} width="19" height="15" viewBox="0 0 19 15">
          <path d="M1.5 8l3.2 3.2L11.5 4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
          <path d="M8.2 11.2L15 4M6.6 9.6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      );
    case 'failed':
      return (
        <svg {...common} className={styles.tickFailed} width="15" height="15" viewBox="0 0 16 16">
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M8 4.3v4.6M8 11.4v.2" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      );
  }
  return null;
}
