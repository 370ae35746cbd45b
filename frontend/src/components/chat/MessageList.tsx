import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { dayKey, dayLabel } from '../../lib/time';
import type { Message, Note, OutboxItem, Template, User } from '../../lib/types';
import { useNow } from '../../stores/clock';
import type { Thread } from '../../stores/messages';
import { myId } from '../../stores/session';
import { clearFocusMessage, uiStore } from '../../stores/ui';
import { useStore } from '../../lib/store';
import { Icon } from '../Icon';
import { Dialog } from '../ui/Dialog';
import { DaySeparator, MessageBubble, NoteBubble, OutboxBubble, PendingNoteBubble } from './MessageBubble';
import styles from './Chat.module.css';

type Row =
  | { kind: 'older'; key: string }
  | { kind: 'unread'; key: string; count: number }
  | { kind: 'day'; key: string; label: string }
  | { kind: 'msg'; key: string; m: Message }
  | { kind: 'note'; key: string; n: Note }
  | { kind: 'outbox'; key: string; it: OutboxItem }
  | { kind: 'pendingNote'; key: string; it: OutboxItem };

/**
 * Builds the chat's rows: messages and notes in time order with day
 * separators, then the pending messages and notes. Other pending writes show
 * where they apply (a reaction on its message, a change in the header).
 */
export function buildRows(thread: Thread, now: number): Row[] {
  const rows: Row[] = [];
  if (thread.hasMore || thread.loadingOlder) rows.push({ kind: 'older', key: 'older' });
  type Item = { at: string; m?: Message; n?: Note };
  const items: Item[] = [];
  // Reactions are shown on their target message, not as messages.
  for (const m of thread.messages) if (m.type !== 'reaction') items.push({ at: m.timestamp, m });
  for (const n of thread.notes) items.push({ at: n.created_at, n });
  items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  // The divider goes above the oldest of the customer's unread messages.
  let unreadFrom: Message | undefined;
  if (thread.unreadAtOpen > 0) {
    let left = thread.unreadAtOpen;
    for (let i = thread.messages.length - 1; i >= 0 && left > 0; i--) {
      const m = thread.messages[i]!;
      if (m.direction === 'inbound' && m.type !== 'reaction') {
        unreadFrom = m;
        left--;
      }
    }
  }
  let day = '';
  for (const it of items) {
    const k = dayKey(it.at);
    if (k !== day) {
      day = k;
      rows.push({ kind: 'day', key: `day-${k}`, label: dayLabel(it.at, now) });
    }
    if (it.m && it.m === unreadFrom) rows.push({ kind: 'unread', key: 'unread', count: thread.unreadAtOpen });
    if (it.m) rows.push({ kind: 'msg', key: `m-${it.m.id}`, m: it.m });
    else if (it.n) rows.push({ kind: 'note', key: `n-${it.n.id}`, n: it.n });
  }
  const pending = thread.outbox.filter((it) => it.kind === 'message' || it.kind === 'note' || !it.kind);
  if (pending.length > 0) {
    const k = dayKey(new Date(now).toISOString());
    if (k !== day) rows.push({ kind: 'day', key: `day-${k}`, label: dayLabel(new Date(now).toISOString(), now) });
    for (const it of pending) rows.push({ kind: it.kind === 'note' ? 'pendingNote' : 'outbox', key: `o-${it.key}`, it });
  }
  return rows;
}

/** The newest pending reaction of the agent per message id. */
export function pendingReactions(outbox: OutboxItem[]): Map<number, OutboxItem> {
  const out = new Map<number, OutboxItem>();
  for (const it of outbox) if (it.kind === 'reaction' && it.reaction && it.state !== 'failed') out.set(it.reaction.message_id, it);
  return out;
}

interface ListProps {
  thread: Thread;
  templates: Template[];
  users: Map<number, User>;
  offline: boolean;
  onLoadOlder: () => void;
  onReply: (m: Message) => void;
  onRetry: (key: string) => void;
  onDiscard: (key: string) => void;
  onReact?: (m: Message, emoji: string) => void;
  /** Why reacting is not possible now, or ''. */
  reactBlocked?: string;
}

/**
 * The conversation history, virtualised: only the bubbles on screen are in
 * the DOM, so a conversation of any length opens and scrolls at once.
 * Scrolling near the top loads the previous page, and the view stays on the
 * message the agent was reading; new messages scroll into view only when
 * the agent is already at the bottom.
 */
export function MessageList({ thread, templates, users, offline, onLoadOlder, onReply, onRetry, onDiscard, onReact, reactBlocked = '' }: ListProps) {
  const now = useNow(60_000);
  const me = myId();
  const rows = useMemo(() => buildRows(thread, now), [thread, now]);
  const byId = useMemo(() => new Map(thread.messages.map((m) => [m.id, m])), [thread.messages]);
  const reacting = useMemo(() => pendingReactions(thread.outbox), [thread.outbox]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [lightbox, setLightbox] = useState<string | null>(null);

  const virt = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'day' ? 40 : rows[i]?.kind === 'older' ? 44 : 64),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 8,
    paddingStart: 8,
    paddingEnd: 12,
  });

  // Stick to the bottom when the agent is there (or the thread just opened).
  const atBottom = useRef(true);
  const firstKey = useRef<string | null>(null);
  const lastCount = useRef(0);
  const lastTotal = useRef(0);
  const opened = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const total = virt.getTotalSize();
    const head = rows.find((r) => r.kind !== 'older')?.key ?? null;
    if (opened.current !== thread.conversationId || (lastCount.current === 0 && rows.length > 0)) {
      opened.current = thread.conversationId;
      atBottom.current = true;
      // Open at the first unread message, else at the newest.
      const unread = rows.findIndex((r) => r.kind === 'unread');
      if (unread > 0) virt.scrollToIndex(unread, { align: 'start' });
      else if (rows.length > 0) virt.scrollToIndex(rows.length - 1, { align: 'end' });
    } else if (head !== firstKey.current && rows.length > lastCount.current && firstKey.current !== null) {
      // Older messages were prepended: keep the same message under the eyes.
      el.scrollTop += total - lastTotal.current;
    } else if (atBottom.current && rows.length > lastCount.current) {
      virt.scrollToIndex(rows.length - 1, { align: 'end' });
    }
    firstKey.current = head;
    lastCount.current = rows.length;
    lastTotal.current = total;
  }, [rows, thread.conversationId, virt]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 300 && thread.hasMore && !thread.loadingOlder) onLoadOlder();
  }, [thread.hasMore, thread.loadingOlder, onLoadOlder]);

  // A search hit: page back until the message is loaded (a bounded number
  // of pages), then bring it into view and flash it.
  const focus = useStore(uiStore, (u) => u.focusMessage);
  const [flash, setFlash] = useState<number | null>(null);
  const pagesTried = useRef(0);
  useEffect(() => {
    if (!focus || focus.conversationId !== thread.conversationId || thread.loading) return;
    const i = rows.findIndex((r) => r.kind === 'msg' && r.m.id === focus.messageId);
    if (i >= 0) {
      pagesTried.current = 0;
      atBottom.current = false;
      virt.scrollToIndex(i, { align: 'center' });
      setFlash(focus.messageId);
      clearFocusMessage();
      const t = setTimeout(() => setFlash(null), 2000);
      return () => clearTimeout(t);
    }
    if (thread.hasMore && !thread.loadingOlder && pagesTried.current < 20) {
      pagesTried.current += 1;
      onLoadOlder();
    } else if (!thread.hasMore || pagesTried.current >= 20) {
      pagesTried.current = 0;
      clearFocusMessage();
    }
  }, [focus, rows, thread.conversationId, thread.loading, thread.hasMore, thread.loadingOlder, onLoadOlder, virt]);

  const [showJump, setShowJump] = useState(false);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const update = () => setShowJump(el.scrollHeight - el.scrollTop - el.clientHeight > 400);
    el.addEventListener('scroll', update, { passive: true });
    return () => el.removeEventListener('scroll', update);
  }, []);

  const items = virt.getVirtualItems();
  return (
    <div className={styles.historyWrap}>
      <div
        className={styles.history}
        ref={scrollRef}
        onScroll={onScroll}
        data-virtual-scroll=""
        data-testid="history"
        role="log"
        aria-label="Messages"
        aria-busy={thread.loading}
      >
        <div style={{ height: virt.getTotalSize(), position: 'relative', width: '100%' }}>
          {items.map((vi) => {
            const row = rows[vi.index];
            if (!row) return null;
            return (
              <div
                key={vi.key}
                data-index={vi.index}
                ref={virt.measureElement}
                className={`${styles.vrow} ${row.kind === 'msg' && row.m.id === flash ? styles.flash : ''}`}
                style={{ transform: `translateY(${vi.start}px)` }}
              >
                {row.kind === 'older' && (
                  <div className={styles.olderRow}>
                    {thread.loadingOlder ? (
                      <span className={styles.muted}>Loading older messages…</span>
                    ) : (
                      <button type="button" className={styles.linkButton} onClick={onLoadOlder}>
                        Load older messages
                      </button>
                    )}
                  </div>
                )}
                {row.kind === 'day' && <DaySeparator label={row.label} />}
                {row.kind === 'unread' && (
                  <div className={styles.unreadRow} role="separator" data-testid="unread-divider">
                    <span>
                      {row.count} unread message{row.count === 1 ? '' : 's'}
                    </span>
                  </div>
                )}
                {row.kind === 'msg' && (
                  <MessageBubble
                    m={row.m}
                    quoted={row.m.reply_to ? (byId.get(row.m.reply_to) ?? null) : undefined}
                    templates={templates}
                    author={row.m.author_id ? users.get(row.m.author_id) : undefined}
                    showAuthor={!!row.m.author_id && row.m.author_id !== me}
                    onReply={onReply}
                    onOpenImage={setLightbox}
                    me={me}
                    pendingReaction={reacting.get(row.m.id)}
                    onReact={row.m.wamid ? onReact : undefined}
                    reactBlocked={reactBlocked}
                  />
                )}
                {row.kind === 'note' && <NoteBubble n={row.n} author={users.get(row.n.author_id)} />}
                {row.kind === 'pendingNote' && (
                  <PendingNoteBubble it={row.it} offline={offline} onRetry={() => onRetry(row.it.key)} onDiscard={() => onDiscard(row.it.key)} />
                )}
                {row.kind === 'outbox' && (
                  <OutboxBubble
                    it={row.it}
                    templates={templates}
                    offline={offline}
                    onRetry={() => onRetry(row.it.key)}
                    onDiscard={() => onDiscard(row.it.key)}
                  />
                )}
              </div>
            );
          })}
        </div>
      </div>
      {showJump && (
        <button
          type="button"
          className={styles.jump}
          aria-label="Jump to the newest message"
          onClick={() => {
            atBottom.current = true;
            virt.scrollToIndex(rows.length - 1, { align: 'end' });
          }}
        >
          <Icon name="arrowDown" size={18} />
        </button>
      )}
      <Dialog open={lightbox !== null} onOpenChange={(o) => !o && setLightbox(null)} title="Photo" size="large" closeLabel="Close photo" testId="lightbox">
        <div className={styles.lightbox}>{lightbox && <img src={lightbox} alt="The photo, full size" />}</div>
      </Dialog>
    </div>
  );
}
