import { Icon, type IconName } from './Icon';
import styles from './Sidebar.module.css';

/** A destination in the sidebar. `ready` is false until its feature lands. */
export interface NavItem {
  id: string;
  label: string;
  icon: IconName;
  ready: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { id: 'inbox', label: 'Inbox', icon: 'inbox', ready: false },
  { id: 'contacts', label: 'Contacts', icon: 'contacts', ready: false },
  { id: 'templates', label: 'Templates', icon: 'templates', ready: false },
  { id: 'system', label: 'System', icon: 'system', ready: true },
];

interface SidebarProps {
  active: string;
  onSelect: (id: string) => void;
  version?: string;
}

export function Sidebar({ active, onSelect, version }: SidebarProps) {
  return (
    <nav className={styles.sidebar} aria-label="Main">
      <div className={styles.brand}>
        <img className={styles.logo} src="/favicon.png" alt="" width={32} height={32} />
        <div className={styles.brandText}>
          <div className={styles.name}>Switchboard</div>
          <div className={styles.tagline}>WhatsApp Business console</div>
        </div>
      </div>
      <ul className={styles.items}>
        {NAV_ITEMS.map((item) => (
          <li key={item.id}>
            <button
              type="button"
              className={styles.item}
              aria-current={item.id === active ? 'page' : undefined}
              onClick={() => onSelect(item.id)}
            >
              <span className={styles.icon}>
                <Icon name={item.icon} />
              </span>
              <span className={styles.label}>{item.label}</span>
              {!item.ready && <span className={styles.soon}>soon</span>}
            </button>
          </li>
        ))}
      </ul>
      <div className={styles.footer}>
        <span className={styles.dot} aria-hidden="true" />
        No hub configured
        {version && <span className={styles.version}>{/^\d/.test(version) ? `v${version}` : version}</span>}
      </div>
    </nav>
  );
}
