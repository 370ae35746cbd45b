import { useCallback, useEffect } from 'react';
import { BuildInfoCard } from './components/BuildInfoCard';
import { ChatView } from './components/chat/ChatView';
import { EmptyState } from './components/EmptyState';
import { HelpOverlay } from './components/HelpOverlay';
import { Notices } from './components/Notices';
import { InboxPanel } from './components/inbox/InboxPanel';
import { OfflineBanner } from './components/OfflineBanner';
import { PingPanel } from './components/PingPanel';
import { Rail } from './components/Rail';
import { Settings } from './components/Settings';
import { Supervisor } from './components/Supervisor';
import { useShortcuts, type ShortcutAction } from './lib/shortcuts';
import { useStore } from './lib/store';
import { startClock } from './stores/clock';
import { startConsole } from './stores/console';
import { conversationsStore, selectRelative, updateConversation } from './stores/conversations';
import { countersStore } from './stores/counters';
import { connectSandbox, isSupervisor, myId, reconnect, sessionStore } from './stores/session';
import { hasBridge } from './lib/go';
import { listenSystemEvents, loadBuildInfo, ping, systemStore } from './stores/system';
import { focusComposer, focusSearch, setHelp, setView, uiStore, type View } from './stores/ui';
import styles from './App.module.css';

const TITLES: Record<View, string> = { inbox: 'Inbox', supervisor: 'Team overview', settings: 'Settings', system: 'System' };

/** The agent console: rail, offline banner and the active view. */
export default function App() {
  const ui = useStore(uiStore);
  const system = useStore(systemStore);
  const session = useStore(sessionStore);
  const unanswered = useStore(countersStore, (c) => c.total);
  const selected = useStore(conversationsStore, (s) => s.selected);

  useEffect(() => {
    void loadBuildInfo();
    const offs = [listenSystemEvents(), startConsole(), startClock()];
    return () => offs.forEach((off) => off());
  }, []);

  const onShortcut = useCallback((action: ShortcutAction, e: KeyboardEvent) => {
    const s = uiStore.get();
    if (action === 'escape') {
      if (s.helpOpen) setHelp(false);
      return;
    }
    if (s.helpOpen && action !== 'help') return;
    const sel = conversationsStore.get().selected;
    switch (action) {
      case 'next':
      case 'prev':
        e.preventDefault();
        setView('inbox');
        selectRelative(action === 'next' ? 1 : -1);
        return;
      case 'reply':
      case 'note':
        if (!sel) return;
        e.preventDefault();
        focusComposer(action);
        return;
      case 'assign':
        if (sel && myId()) void updateConversation(sel.id, { assignee_id: myId() });
        return;
      case 'close':
        if (sel && sel.status !== 'closed') void updateConversation(sel.id, { status: 'closed' });
        return;
      case 'search':
        e.preventDefault();
        focusSearch();
        return;
      case 'help':
        e.preventDefault();
        setHelp(!s.helpOpen);
        return;
    }
  }, []);
  useShortcuts(onShortcut);

  const view = ui.view;
  return (
    <div className={styles.frame}>
      <Rail
        active={view}
        onSelect={setView}
        unanswered={unanswered}
        showSupervisor={!session.session?.user || isSupervisor(session)}
        session={session.session}
        sync={session.sync}
        version={system.build?.version}
        onHelp={() => setHelp(true)}
      />
      <main className={styles.main}>
        <OfflineBanner sync={session.sync} onReconnect={hasBridge() ? () => void reconnect() : undefined} />
        {view === 'inbox' && session.session && !session.session.signed_in ? (
          <div className={styles.noChat}>
            <EmptyState icon="plug" title="Not connected">
              Connect to your team’s hub in Settings, or try the console on the built-in sandbox with simulated customers.{' '}
              <span className={styles.connectActions}>
                <button type="button" className={styles.primary} onClick={() => void connectSandbox()}>
                  Use the sandbox
                </button>
                <button type="button" className={styles.secondary} onClick={() => setView('settings')}>
                  Open Settings
                </button>
              </span>
            </EmptyState>
          </div>
        ) : view === 'inbox' ? (
          <div className={styles.workspace}>
            <InboxPanel />
            {selected ? (
              <ChatView key={selected.id} conversation={selected} />
            ) : (
              <div className={styles.noChat}>
                <EmptyState icon="inbox" title="Pick a conversation">
                  {session.error
                    ? session.error.message
                    : 'Choose a conversation on the left, or press j to open the first one. Press ? for all keyboard shortcuts.'}
                </EmptyState>
              </div>
            )}
          </div>
        ) : (
          <>
            <header className={styles.header}>
              <h1 className={styles.heading}>{TITLES[view]}</h1>
            </header>
            <div className={styles.content}>
              {view === 'supervisor' && <Supervisor />}
              {view === 'settings' && <Settings />}
              {view === 'system' && (
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
          </>
        )}
      </main>
      <HelpOverlay open={ui.helpOpen} onOpenChange={setHelp} />
      <Notices />
    </div>
  );
}
