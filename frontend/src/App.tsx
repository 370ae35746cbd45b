import { useEffect, useState } from 'react';
import { BuildInfoCard } from './components/BuildInfoCard';
import { EmptyState } from './components/EmptyState';
import type { IconName } from './components/Icon';
import { PingPanel } from './components/PingPanel';
import { NAV_ITEMS, Sidebar } from './components/Sidebar';
import { listenSystemEvents, loadBuildInfo, ping, systemStore } from './stores/system';
import { useStore } from './lib/store';
import styles from './App.module.css';

const COMING: Record<string, { icon: IconName; title: string; body: string }> = {
  inbox: {
    icon: 'inbox',
    title: 'Conversations appear here',
    body: 'The shared inbox arrives with the messaging core and the embedded sandbox.',
  },
  contacts: {
    icon: 'contacts',
    title: 'Contacts appear here',
    body: 'Customers who write to your WhatsApp number will be listed here.',
  },
  templates: {
    icon: 'templates',
    title: 'Message templates appear here',
    body: 'Approved templates let you reach customers after the 24-hour window closes.',
  },
};

/** The app frame: sidebar, header and the active view. */
export default function App() {
  const [view, setView] = useState('system');
  const system = useStore(systemStore);

  useEffect(() => {
    void loadBuildInfo();
    return listenSystemEvents();
  }, []);

  const title = NAV_ITEMS.find((n) => n.id === view)?.label ?? '';
  const coming = COMING[view];

  return (
    <div className={styles.frame}>
      <Sidebar active={view} onSelect={setView} version={system.build?.version} />
      <main className={styles.main}>
        <header className={styles.header}>
          <h1 className={styles.heading}>{title}</h1>
        </header>
        <div className={styles.content}>
          {coming ? (
            <EmptyState icon={coming.icon} title={coming.title}>
              {coming.body}
            </EmptyState>
          ) : (
            <div className={styles.grid}>
              <BuildInfoCard build={system.build} error={system.buildError} />
              <PingPanel
                pinging={system.pinging}
                pong={system.lastPong}
                roundTripMs={system.roundTripMs}
                error={system.pingError}
                events={system.pingEvents}
                onPing={(note) => void ping(note)}
              />
            </div>
          )}
        </div>
      </main>
    </div>
  );
}
