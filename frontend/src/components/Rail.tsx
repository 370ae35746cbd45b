import type { ConsoleStatus, SyncState } from '../lib/types';
import type { View } from '../stores/ui';
import { Avatar } from './Avatar';
import { Icon, type IconName } from './Icon';
import styles from './Rail.module.css';

interface RailItem {
  id: View;
  label: string;
  icon: IconName;
}

const ITEMS: RailItem[] = [
  { id: 'inbox', label: 'Inbox', icon: 'inbox' },
  { id: 'supervisor', label: 'Team overview', icon: 'chart' },
  { id: 'settings', label: 'Settings', icon: 'settings' },
  { id: 'system', label: 'System', icon: 'system' },
];

const SYNC_LABEL: Record<string, string> = {
  online: 'Connected',
  syncing: 'Catching up',
  connecting: 'Connecting',
  offline: 'Offline',
  signed_out: 'Signed out',
  stopped: 'Not syncing',
};

interface RailProps {
  active: View;
  onSelect: (v: View) => void;
  unanswered: number;
  showSupervisor: boolean;
  session: ConsoleStatus | null;
  sync: SyncState;
  version?: string;
  onHelp: () => void;
}

/** The narrow navigation rail: views, the unanswered badge, help, and who/where the console is connected. */
export function Rail({ active, onSelect, unanswered, showSupervisor, session, sync, version, onHelp }: RailProps) {
  const user = session?.user;
  const where = session?.signed_in ? (session.mode === 'demo' ? 'Demo sandbox' : session.hub_url) : 'Not signed in';
  return (
    <nav className={styles.rail} aria-label="Main">
      <img className={styles.logo} src="/favicon.png" alt="Switchboard" width={30} height={30} />
      <ul className={styles.items}>
        {ITEMS.filter((i) => i.id !== 'supervisor' || showSupervisor).map((item) => (
          <li key={item.id}>
            <button
              type="button"
              className={styles.item}
              aria-current={item.id === active ? 'page' : undefined}
              aria-label={item.id === 'inbox' && unanswered > 0 ? `${item.label}, ${unanswered > 99 ? '99+' : unanswered} unanswered` : item.label}
              title={item.label}
              onClick={() => onSelect(item.id)}
            >
              <Icon name={item.icon} size={22} />
              {item.id === 'inbox' && unanswered > 0 && (
                <span className={styles.badge} data-testid="rail-unanswered">
                  {unanswered > 99 ? '99+' : unanswered}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <div className={styles.bottom}>
        <button type="button" className={styles.item} onClick={onHelp} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          <Icon name="help" size={22} />
        </button>
        <div
          className={styles.me}
          title={`${user ? `${user.name} · ${user.role}\n` : ''}${where}\n${SYNC_LABEL[sync.state] ?? sync.state}${version ? `\nSwitchboard ${/^\d/.test(version) ? `v${version}` : version}` : ''}`}
          data-testid="sync-indicator"
          data-state={sync.state}
        >
          {user ? <Avatar name={user.name} id={user.id} size={32} /> : <Icon name="user" size={22} />}
          <span className={`${styles.dot} ${styles[`dot_${sync.state}`] ?? ''}`} aria-label={SYNC_LABEL[sync.state] ?? sync.state} role="img" />
        </div>
      </div>
    </nav>
  );
}
