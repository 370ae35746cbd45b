import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../../lib/store';
import { CONVERSATION_STATUSES, type ConversationStatus, type InboxTab, type User } from '../../lib/types';
import {
  conversationsStore,
  loadMore,
  search,
  select,
  setStatusFilter,
  setTab,
} from '../../stores/conversations';
import { myId, sessionStore } from '../../stores/session';
import { uiStore } from '../../stores/ui';
import { Icon } from '../Icon';
import { InboxRow } from './InboxRow';
import { SearchResultsList } from './SearchResults';
import styles from './Inbox.module.css';

const TABS: { id: InboxTab; label: string }[] = [
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'all', label: 'All' },
];

const STATUS_LABEL: Record<ConversationStatus | '', string> = { '': 'Any', open: 'Open', pending: 'Pending', snoozed: 'Snoozed', closed: 'Closed' };

/** Row height: fixed, so tens of thousands of rows cost nothing to lay out. */
const ROW = 72;
const ROW_ALL = 88;

function assigneeName(id: number | null | undefined, users: Map<number, User>, me: number): string {
  if (!id) return 'Unassigned';
  if (id === me) return 'You';
  return users.get(id)?.name ?? `Agent ${id}`;
}

/**
 * The inbox: search, the Mine / Unassigned / All tabs with their unanswered
 * counts, a status filter and the list. Memoised: it takes no props and
 * reads its stores itself, so the shell's re-renders (sync state, counters,
 * build info) do not walk the list.
 */
export const InboxPanel = memo(function InboxPanel() {
  const s = useStore(conversationsStore);
  const usersList = useStore(sessionStore, (x) => x.users);
  const focusSearch = useStore(uiStore, (u) => u.focusSearch);
  const users = useMemo(() => new Map(usersList.map((u) => [u.id, u])), [usersList]);
  const me = myId();
  const [query, setQuery] = useState(s.query);
  const searchRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (focusSearch > 0) {
      searchRef.current?.focus();
      searchRef.current?.select();
    }
  }, [focusSearch]);

  // Search as the agent types, a beat after the last key.
  useEffect(() => {
    const t = setTimeout(() => {
      if (query !== conversationsStore.get().query) void search(query);
    }, 180);
    return () => clearTimeout(t);
  }, [query]);

  const rowHeight = s.tab === 'all' ? ROW_ALL : ROW;
  const virt = useVirtualizer({
    count: s.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    getItemKey: (i) => s.rows[i]?.id ?? i,
    overscan: 10,
  });

  // Page in more rows from Go as the end comes into view.
  const items = virt.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (lastIndex >= s.rows.length - 20 && s.hasMore) void loadMore();
  }, [lastIndex, s.rows.length, s.hasMore]);

  // Keep the selection in view when it moves by keyboard.
  useEffect(() => {
    if (s.selectedId === null) return;
    const i = s.rows.findIndex((r) => r.id === s.selectedId);
    if (i >= 0) virt.scrollToIndex(i, { align: 'auto' });
  }, [s.selectedId, s.rows, virt]);

  const searching = query.trim() !== '';
  return (
    <aside className={styles.panel} aria-label="Inbox">
      <div className={styles.searchRow}>
        <label className={styles.search}>
          <Icon name="search" size={16} />
          <input
            ref={searchRef}
            type="search"
            placeholder="Search names, numbers and messages"
            aria-label="Search conversations"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setQuery('');
                (e.target as HTMLInputElement).blur();
              }
            }}
          />
          {query && (
            <button type="button" className={styles.clear} onClick={() => setQuery('')} aria-label="Clear search">
              <Icon name="close" size={14} />
            </button>
          )}
        </label>
      </div>
      {!searching && (
        <>
          <div className={styles.tabs} role="tablist" aria-label="Inbox views">
            {TABS.map((t) => {
              const count = s.counts[t.id];
              return (
                <button
                  key={t.id}
                  type="button"
                  role="tab"
                  aria-selected={s.tab === t.id}
                  className={styles.tab}
                  onClick={() => setTab(t.id)}
                  data-testid={`tab-${t.id}`}
                  title={`${count.total} conversation${count.total === 1 ? '' : 's'}, ${count.unanswered} unanswered`}
                >
                  {t.label}
                  {count.unanswered > 0 && (
                    <span className={styles.tabCount} data-testid={`tab-count-${t.id}`} aria-label={`${count.unanswered} unanswered`}>
                      {count.unanswered > 999 ? '999+' : count.unanswered}
                    </span>
                  )}
                </button>
              );
            })}
          </div>
          <div className={styles.filters} role="group" aria-label="Status filter">
            {(['', ...CONVERSATION_STATUSES] as const).map((st) => (
              <button
                key={st || 'any'}
                type="button"
                className={styles.chip}
                aria-pressed={s.status === st}
                onClick={() => setStatusFilter(st)}
              >
                {STATUS_LABEL[st]}
              </button>
            ))}
          </div>
        </>
      )}
      {searching ? (
        <SearchResultsList results={s.search} searching={s.searching} error={s.searchError} selectedId={s.selectedId} onSelect={select} />
      ) : (
        <div className={styles.list} ref={scrollRef} data-virtual-scroll="" data-testid="inbox-list" role="list" aria-busy={s.loading}>
          {s.error && (
            <div className={styles.empty} role="alert">
              {s.error.message}
            </div>
          )}
          {!s.loading && !s.error && s.rows.length === 0 && (
            <div className={styles.empty} data-testid="inbox-empty">
              <Icon name="inbox" size={32} />
              <div>
                {s.tab === 'mine'
                  ? 'Nothing assigned to you' + (s.status ? ` is ${s.status}` : '') + '.'
                  : s.tab === 'unassigned'
                    ? 'No unassigned conversations' + (s.status ? ` are ${s.status}` : '') + '.'
                    : 'No conversations' + (s.status ? ` are ${s.status}` : '') + '.'}
              </div>
            </div>
          )}
          <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
            {items.map((vi) => {
              const c = s.rows[vi.index];
              if (!c) return null;
              return (
                <div key={vi.key} role="listitem" className={styles.vrow} style={{ height: vi.size, transform: `translateY(${vi.start}px)` }}>
                  <InboxRow
                    c={c}
                    selected={c.id === s.selectedId}
                    assignee={s.tab === 'all' ? assigneeName(c.assignee_id, users, me) : undefined}
                    onSelect={select}
                  />
                </div>
              );
            })}
          </div>
          {s.loadingMore && <div className={styles.more}>Loading more…</div>}
        </div>
      )}
    </aside>
  );
});
