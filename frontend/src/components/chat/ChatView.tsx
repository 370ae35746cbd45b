import { useCallback, useEffect, useMemo, useState } from 'react';
import { useStore } from '../../lib/store';
import { formatFull } from '../../lib/time';
import type { Conversation, ConversationStatus, Message, OutboxItem, User } from '../../lib/types';
import { conversationsStore, clearActionError, updateConversation } from '../../stores/conversations';
import { discardOutbox, loadOlder, markRead, messagesStore, openThread, react, retryOutbox } from '../../stores/messages';
import { isOffline, myId, sessionStore } from '../../stores/session';
import { templatesStore } from '../../stores/templates';
import { setReplyTo } from '../../stores/ui';
import { Avatar } from '../Avatar';
import { Composer, useWindowOpen } from '../composer/Composer';
import { Icon } from '../Icon';
import { Dialog } from '../ui/Dialog';
import { Menu, MenuDivider, MenuItem, MenuLabel } from '../ui/Menu';
import { Tooltip } from '../ui/Tooltip';
import { WaitingTimer } from '../inbox/WaitingTimer';
import { MessageList } from './MessageList';
import { ExternalLink } from './RichText';
import styles from './Chat.module.css';

const STATUS_LABEL: Record<ConversationStatus, string> = { open: 'Open', pending: 'Pending', snoozed: 'Snoozed', closed: 'Closed' };

/** Snooze choices: in an hour, this evening, tomorrow morning, next Monday. */
export function snoozeOptions(now: Date): { label: string; until: Date }[] {
  const at = (d: Date, h: number) => {
    const x = new Date(d);
    x.setHours(h, 0, 0, 0);
    return x;
  };
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  const monday = new Date(now);
  monday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  const opts = [{ label: 'For 1 hour', until: new Date(now.getTime() + 3600_000) }];
  const evening = at(now, 18);
  if (evening.getTime() - now.getTime() > 3600_000) opts.push({ label: 'Until this evening (18:00)', until: evening });
  opts.push({ label: 'Until tomorrow (09:00)', until: at(tomorrow, 9) });
  opts.push({ label: 'Until next Monday (09:00)', until: at(monday, 9) });
  return opts;
}

function teamsOf(users: User[]): string[] {
  return [...new Set(users.flatMap((u) => u.teams ?? []))].sort();
}

/** What the agent changed that waits for the hub: the assignment and the status. */
export function pendingChanges(outbox: OutboxItem[]): { assign: boolean; status: boolean } {
  let assign = false;
  let status = false;
  for (const it of outbox) {
    if (it.kind !== 'conversation' || !it.patch || it.state === 'failed') continue;
    if (it.patch.assignee_id !== undefined || it.patch.team != null) assign = true;
    if (it.patch.status != null || it.patch.snoozed_until != null) status = true;
  }
  return { assign, status };
}

function PendingMark({ what, testId }: { what: string; testId: string }) {
  return (
    <span className={styles.pendingChip} data-testid={testId} title={`${what}: waiting to be saved on the hub`}>
      <Icon name="clock" size={11} />
      <span aria-hidden="true">pending</span>
      <span className="visually-hidden">{what} waiting to be saved</span>
    </span>
  );
}

function ConversationActions({ c, users, outbox }: { c: Conversation; users: User[]; outbox: OutboxItem[] }) {
  const me = myId();
  const [custom, setCustom] = useState('');
  const [pickTime, setPickTime] = useState(false);
  const pending = pendingChanges(outbox);
  const assignee = users.find((u) => u.id === c.assignee_id);
  const agents = users.filter((u) => !u.disabled);
  const teams = teamsOf(users);
  const assign = (patch: Parameters<typeof updateConversation>[1]) => void updateConversation(c.id, patch);
  return (
    <div className={styles.actions}>
      <Menu
        testId="assign-menu"
        title="Assign"
        label={
          <>
            <Icon name="user" size={15} />
            <span className={styles.actionText}>{c.assignee_id === null ? 'Unassigned' : c.assignee_id === me ? 'You' : (assignee?.name ?? `Agent ${c.assignee_id}`)}</span>
            {c.team && <span className={styles.teamTag}>{c.team}</span>}
            {pending.assign && <PendingMark what="Assignment" testId="pending-assign" />}
            <Icon name="chevronDown" size={14} />
          </>
        }
      >
        {(close) => (
          <>
            <MenuItem checked={c.assignee_id === me} onSelect={() => (assign({ assignee_id: me }), close())}>
              Assign to me
            </MenuItem>
            {agents.filter((u) => u.id !== me).length > 0 && <MenuLabel>Agents</MenuLabel>}
            {agents
              .filter((u) => u.id !== me)
              .map((u) => (
                <MenuItem key={u.id} checked={c.assignee_id === u.id} onSelect={() => (assign({ assignee_id: u.id }), close())}>
                  {u.name} <span className={styles.muted}>· {u.role}</span>
                </MenuItem>
              ))}
            {teams.length > 0 && <MenuLabel>Teams</MenuLabel>}
            {teams.map((t) => (
              <MenuItem key={t} checked={c.team === t} onSelect={() => (assign({ team: t }), close())}>
                {t}
              </MenuItem>
            ))}
            <MenuDivider />
            <MenuItem onSelect={() => (assign({ assignee_id: null }), close())}>Unassign</MenuItem>
          </>
        )}
      </Menu>
      <Menu
        testId="status-menu"
        title="Status"
        label={
          <>
            <span className={`${styles.statusDot} ${styles[`status_${c.status}`] ?? ''}`} />
            <span className={styles.actionText}>{STATUS_LABEL[c.status as ConversationStatus] ?? c.status}</span>
            {pending.status && <PendingMark what="Status" testId="pending-status" />}
            <Icon name="chevronDown" size={14} />
          </>
        }
      >
        {(close) => (
          <>
            {(['open', 'pending', 'closed'] as const).map((s) => (
              <MenuItem key={s} checked={c.status === s} onSelect={() => (assign({ status: s }), close())}>
                {STATUS_LABEL[s]}
              </MenuItem>
            ))}
          </>
        )}
      </Menu>
      <Menu testId="snooze-menu" title="Snooze" label={<Icon name="snooze" size={17} />} className={styles.iconAction} iconOnly>
        {(close) => (
          <>
            <MenuLabel>Snooze{c.snoozed_until ? ` (now until ${formatFull(c.snoozed_until)})` : ''}</MenuLabel>
            {snoozeOptions(new Date()).map((o) => (
              <MenuItem key={o.label} onSelect={() => (assign({ status: 'snoozed', snoozed_until: o.until.toISOString() }), close())}>
                {o.label}
              </MenuItem>
            ))}
            <MenuDivider />
            <MenuItem onSelect={() => setPickTime(true)}>Pick a date and time…</MenuItem>
          </>
        )}
      </Menu>
      <Dialog open={pickTime} onOpenChange={setPickTime} title="Snooze until" size="small" testId="snooze-dialog">
        <form
          className={styles.snoozeCustom}
          onSubmit={(e) => {
            e.preventDefault();
            const t = Date.parse(custom);
            if (Number.isNaN(t) || t <= Date.now()) return;
            assign({ status: 'snoozed', snoozed_until: new Date(t).toISOString() });
            setPickTime(false);
          }}
        >
          <input type="datetime-local" aria-label="Snooze until" value={custom} onChange={(e) => setCustom(e.target.value)} />
          <button type="submit" disabled={!custom}>
            Snooze
          </button>
        </form>
      </Dialog>
      {c.status !== 'closed' ? (
        <Tooltip content="Close conversation (e)">
          <button type="button" className={styles.resolve} onClick={() => assign({ status: 'closed' })} aria-label="Close conversation">
            <Icon name="check" size={16} /> <span className={styles.resolveText}>Close</span>
          </button>
        </Tooltip>
      ) : (
        <Tooltip content="Reopen conversation">
          <button type="button" className={styles.resolve} onClick={() => assign({ status: 'open' })} aria-label="Reopen conversation">
            <Icon name="refresh" size={15} /> <span className={styles.resolveText}>Reopen</span>
          </button>
        </Tooltip>
      )}
    </div>
  );
}

/** The open conversation: header with actions, history and composer. */
export function ChatView({ conversation }: { conversation: Conversation }) {
  const id = conversation.id;
  const thread = useStore(messagesStore, (s) => s.threads[id]);
  const templates = useStore(templatesStore, (s) => s.templates);
  const session = useStore(sessionStore);
  const actionError = useStore(conversationsStore, (s) => s.actionError);
  const hidden = useStore(conversationsStore, (s) => s.selectedHidden);
  const offline = isOffline(session);
  const users = useMemo(() => new Map(session.users.map((u) => [u.id, u])), [session.users]);

  useEffect(() => {
    void openThread(id);
  }, [id]);

  // A customer message arriving while the agent has the conversation open
  // (and the window focused) is read at once: blue ticks for the customer,
  // no badge left behind.
  // A read mark goes through the outbox, so it works offline too.
  const unread = conversation.unread_count;
  const loaded = !!thread && !thread.loading;
  useEffect(() => {
    if (!loaded || unread === 0 || !document.hasFocus()) return;
    const t = setTimeout(() => void markRead(id), 400);
    return () => clearTimeout(t);
  }, [id, unread, loaded]);

  const onLoadOlder = useCallback(() => void loadOlder(id), [id]);
  const onReply = useCallback((m: Message) => setReplyTo(m), []);
  const onReact = useCallback((m: Message, emoji: string) => void react(id, m.id, emoji), [id]);
  const windowOpen = useWindowOpen(conversation);
  const reactBlocked = conversation.contact.opted_out
    ? 'the customer opted out'
    : !windowOpen
      ? 'the 24-hour window is closed'
      : thread?.canMessage === false
        ? thread.reason
        : '';
  const c = conversation;
  const phone = c.contact.phone || (c.contact.wa_id ? `+${c.contact.wa_id}` : '');

  return (
    <section className={styles.chat} aria-label={`Conversation with ${c.contact.name || phone}`} data-testid="chat" data-conversation-id={id}>
      <header className={styles.chatHeader}>
        <Avatar name={c.contact.name || phone} id={c.contact.id} size={40} />
        <div className={styles.who}>
          <div className={styles.whoName} data-testid="chat-name">
            <bdi>{c.contact.name || phone || 'Unknown customer'}</bdi>
            {c.contact.profile_name && c.contact.profile_name !== c.contact.name && (
              <span className={styles.profileName}>
                {' '}
                ~<bdi>{c.contact.profile_name}</bdi>
              </span>
            )}
          </div>
          <div className={styles.whoSub}>
            <span dir="ltr">{phone}</span>
            {c.unanswered && c.waiting_since && (
              <>
                {' · '}
                <WaitingTimer since={c.waiting_since} long />
              </>
            )}
            {c.contact.opted_out && <span className={styles.optedOutTag}>opted out</span>}
            {c.referral && (c.referral.headline || c.referral.source_url) && (
              <span className={styles.referral} title={c.referral.body || c.referral.headline} data-testid="referral">
                <Icon name="bolt" size={12} /> from ad{' '}
                {c.referral.source_url ? (
                  <ExternalLink href={c.referral.source_url}>{c.referral.headline || 'link'}</ExternalLink>
                ) : (
                  c.referral.headline
                )}
              </span>
            )}
          </div>
        </div>
        <ConversationActions c={c} users={session.users} outbox={thread?.outbox ?? []} />
      </header>
      {hidden && (
        <div className={styles.hiddenNotice} role="status" data-testid="hidden-notice">
          <Icon name="users" size={14} /> This conversation was assigned to someone else. It stays open until you move on; it is no longer
          in your inbox.
        </div>
      )}
      {actionError && (
        <div className={styles.actionError} role="alert">
          <Icon name="alert" size={14} /> {actionError.message}
          <button type="button" className={styles.linkButton} onClick={clearActionError}>
            Dismiss
          </button>
        </div>
      )}
      {thread?.error && (
        <div className={styles.actionError} role="alert">
          <Icon name="alert" size={14} /> {thread.error.message}
        </div>
      )}
      {thread ? (
        <MessageList
          thread={thread}
          templates={templates}
          users={users}
          offline={offline}
          onLoadOlder={onLoadOlder}
          onReply={onReply}
          onRetry={(key) => void retryOutbox(id, key)}
          onDiscard={(key) => void discardOutbox(id, key)}
          onReact={onReact}
          reactBlocked={reactBlocked}
        />
      ) : (
        <div className={styles.historyWrap} />
      )}
      <Composer
        conversation={c}
        templates={templates}
        offline={offline}
        sendError={thread?.sendError ?? null}
        draft={thread && !thread.loading ? (thread.draft ?? '') : undefined}
        blockedReason={thread?.canMessage === false ? thread.reason : undefined}
      />
    </section>
  );
}
