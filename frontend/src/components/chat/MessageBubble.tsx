import { memo } from 'react';
import { contentOf, type MediaContent } from '../../lib/content';
import { failureReason } from '../../lib/metaErrors';
import { formatClock, formatFull } from '../../lib/time';
import type { Message, Note, OutboxItem, Template, User } from '../../lib/types';
import { Icon } from '../Icon';
import { PendingFile } from './Media';
import { Tooltip } from '../ui/Tooltip';
import { ReactionPicker } from './ReactionPicker';
import { MessageBody } from './MessageBody';
import { RichText } from './RichText';
import { Ticks } from './Ticks';
import styles from './Chat.module.css';

interface BubbleProps {
  m: Message;
  quoted?: Message | null;
  templates: Template[];
  author?: User;
  /** Name the agent above the bubble (a colleague's message). */
  showAuthor?: boolean;
  onReply?: (m: Message) => void;
  onOpenImage?: (url: string) => void;
  /** The signed-in agent's id: their reaction can be changed or removed. */
  me?: number;
  /** The agent's reaction waiting in the outbox, if any. */
  pendingReaction?: OutboxItem;
  /** Reacts ('' removes the agent's reaction); absent: no react button. */
  onReact?: (m: Message, emoji: string) => void;
  /** Why reacting is not possible now (window closed, opted out), or ''. */
  reactBlocked?: string;
}

/** A reaction as shown: pending when it waits in the outbox. */
interface ShownReaction {
  emoji: string;
  from: string;
  pending: boolean;
}

/** The message's reactions with the agent's pending one in place of their own. */
export function shownReactions(m: Message, me: number, pending?: OutboxItem): ShownReaction[] {
  const mine = String(me);
  const out: ShownReaction[] = (m.reactions ?? [])
    .filter((r) => !(pending && r.from === mine))
    .map((r) => ({ emoji: r.emoji, from: r.from, pending: false }));
  if (pending?.reaction?.emoji) out.push({ emoji: pending.reaction.emoji, from: mine, pending: true });
  return out;
}

function quoteText(q: Message): string {
  return q.preview || q.type;
}

/** One WhatsApp message: bubble, quoted reply, forwarded label, time, ticks, reactions and failure reason. */
export const MessageBubble = memo(function MessageBubble({
  m,
  quoted,
  templates,
  author,
  showAuthor = false,
  onReply,
  onOpenImage,
  me = 0,
  pendingReaction,
  onReact,
  reactBlocked = '',
}: BubbleProps) {
  const out = m.direction === 'outbound';
  const bare = m.type === 'sticker';
  const system = m.type === 'system';
  if (system) {
    return (
      <div className={styles.systemRow} data-testid="message" data-message-id={m.id} data-type="system">
        <span className={styles.systemPill} dir="auto">
          <Icon name="info" size={14} /> {(m.content as { body?: string } | null)?.body || m.preview}
        </span>
      </div>
    );
  }
  const reactions = shownReactions(m, me, pendingReaction);
  const mine = reactions.find((r) => r.from === String(me))?.emoji ?? '';
  const isText = m.type === 'text';
  const meta = (
    <>
      <time dateTime={m.timestamp} title={`${formatFull(m.timestamp)}${author ? ` · sent by ${author.name}` : ''}`}>
        {formatClock(m.timestamp)}
      </time>
      {out && <Ticks status={m.status} />}
    </>
  );
  return (
    <div
      className={`${styles.msgRow} ${out ? styles.out : styles.in}`}
      data-testid="message"
      data-message-id={m.id}
      data-direction={m.direction}
      data-type={m.type}
      data-status={m.status}
    >
      <div className={`${styles.bubble} ${bare ? styles.bare : ''} ${isText ? styles.textBubble : ''} ${m.status === 'failed' ? styles.failedBubble : ''}`}>
        {out && author && showAuthor && <div className={styles.authorName}>{author.name}</div>}
        {m.forwarded && (
          <div className={styles.forwarded}>
            <Icon name="forward" size={13} /> Forwarded
          </div>
        )}
        {m.reply_to ? (
          <div className={`${styles.quote} ${quoted?.direction === 'outbound' ? styles.quoteOut : ''}`} data-testid="quote">
            <div className={styles.quoteWho}>{quoted ? (quoted.direction === 'outbound' ? 'You' : 'Customer') : 'Reply'}</div>
            <div className={styles.quoteText} dir="auto">
              {quoted ? quoteText(quoted) : 'Original message not loaded'}
            </div>
          </div>
        ) : null}
        <MessageBody
          m={m}
          templates={templates}
          onOpenImage={onOpenImage}
          trail={
            isText ? (
              <span className={styles.meta} data-testid="meta">
                {meta}
              </span>
            ) : undefined
          }
        />
        {!isText && <div className={styles.meta}>{meta}</div>}
        {(onReply || onReact) && (
          <div className={styles.hoverActions}>
            {onReact && <ReactionPicker mine={mine} onReact={(e) => onReact(m, e)} disabledReason={reactBlocked} />}
            {onReply && (
              <Tooltip content="Reply">
                <button type="button" className={styles.replyAction} onClick={() => onReply(m)} aria-label="Reply to this message">
                  <Icon name="reply" size={16} />
                </button>
              </Tooltip>
            )}
          </div>
        )}
      </div>
      {reactions.length > 0 && (
        <div className={styles.reactions} data-testid="reactions">
          {reactions.map((r, i) => (
            <span
              key={i}
              className={`${styles.reaction} ${r.pending ? styles.pendingReaction : ''}`}
              data-testid={r.pending ? 'pending-reaction' : 'reaction'}
              data-pending={r.pending || undefined}
              title={r.pending ? 'Your reaction, waiting to be sent' : r.from === 'customer' ? 'Customer' : r.from === String(me) ? 'You' : 'Agent'}
            >
              {r.emoji}
              {r.pending && <Icon name="clock" size={10} className={styles.pendingIcon} />}
            </span>
          ))}
        </div>
      )}
      {pendingReaction && !pendingReaction.reaction?.emoji && (
        <div className={styles.pendingNote} data-testid="pending-reaction-removal">
          <Icon name="clock" size={11} /> Removing your reaction…
        </div>
      )}
      {m.status === 'failed' && (
        <div className={styles.failure} role="note" data-testid="failure">
          <Icon name="alert" size={14} />
          <span>
            {failureReason(m.error)}
            {m.error?.code ? <span className={styles.code}> (error {m.error.code})</span> : null}
          </span>
        </div>
      )}
    </div>
  );
});

/** An internal note: only the team sees it. */
export function NoteBubble({ n, author }: { n: Note; author?: User }) {
  return (
    <div className={styles.noteRow} data-testid="note">
      <div className={styles.note}>
        <div className={styles.noteHead}>
          <Icon name="lock" size={13} /> Internal note{author ? ` · ${author.name}` : ''}
        </div>
        <RichText text={n.body} />
        <div className={styles.meta}>
          <time dateTime={n.created_at} title={formatFull(n.created_at)}>
            {formatClock(n.created_at)}
          </time>
        </div>
      </div>
    </div>
  );
}

/** Why the hub refused a pending write, with Retry and Discard. */
function Refused({ it, what, onRetry, onDiscard }: { it: OutboxItem; what: string; onRetry: () => void; onDiscard: () => void }) {
  return (
    <div className={styles.failure} role="note">
      <Icon name="alert" size={14} />
      <span>{it.error?.message ?? `The hub refused this ${what}.`}</span>
      <span className={styles.failureActions}>
        <button type="button" className={styles.linkButton} onClick={onRetry}>
          Retry
        </button>
        <button type="button" className={styles.linkButton} onClick={onDiscard}>
          Discard
        </button>
      </span>
    </div>
  );
}

/**
 * A note waiting in the outbox: shown at once with a pending mark, or, if
 * the hub refused it, with its text kept and Retry and Discard.
 */
export function PendingNoteBubble({ it, offline, onRetry, onDiscard }: { it: OutboxItem; offline: boolean; onRetry: () => void; onDiscard: () => void }) {
  const failed = it.state === 'failed';
  return (
    <div className={styles.noteRow} data-testid="pending-note" data-state={it.state}>
      <div className={`${styles.note} ${styles.pendingBubble} ${failed ? styles.failedBubble : ''}`}>
        <div className={styles.noteHead}>
          <Icon name="lock" size={13} /> Internal note
        </div>
        <RichText text={it.note?.body ?? it.preview} />
        <div className={styles.meta}>
          <span className={styles.pendingLabel}>
            {failed ? 'Not saved' : it.state === 'sending' ? 'Saving…' : offline ? 'Waiting for connection' : 'Waiting to save'}
          </span>
          <Icon name="clock" size={12} />
        </div>
      </div>
      {failed && <Refused it={it} what="note" onRetry={onRetry} onDiscard={onDiscard} />}
    </div>
  );
}

/**
 * A send waiting in the outbox: marked pending, or failed with Retry and
 * Discard. A file picked on this computer shows as the file (it cannot be
 * downloaded yet), and as uploading until the hub has it.
 */
export function OutboxBubble({
  it,
  templates,
  offline,
  onRetry,
  onDiscard,
}: {
  it: OutboxItem;
  templates: Template[];
  offline: boolean;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const failed = it.state === 'failed';
  const content = it.type === 'template' ? { name: it.template?.name, language: it.template?.language, variables: it.template?.variables } : it.content;
  return (
    <div className={`${styles.msgRow} ${styles.out}`} data-testid="outbox-item" data-state={it.state}>
      <div className={`${styles.bubble} ${styles.pendingBubble} ${failed ? styles.failedBubble : ''}`}>
        {it.attachment ? (
          <PendingFile kind={it.type} file={it.attachment} caption={contentOf<MediaContent>(it.type, it.content).caption} />
        ) : (
          <MessageBody m={{ type: it.type, content, preview: it.preview, direction: 'outbound' }} templates={templates} />
        )}
        <div className={styles.meta}>
          <span className={styles.pendingLabel}>
            {failed
              ? 'Not sent'
              : it.state === 'sending'
                ? it.attachment && !it.media_id
                  ? 'Uploading…'
                  : 'Sending…'
                : offline
                  ? 'Waiting for connection'
                  : 'Waiting to send'}
          </span>
          <Ticks status={failed ? 'failed' : 'pending'} />
        </div>
      </div>
      {!failed && it.error && !offline && (
        <div className={styles.retrying} role="note">
          <Icon name="refresh" size={13} />
          <span>Will retry: {it.error.message}</span>
        </div>
      )}
      {failed && <Refused it={it} what="message" onRetry={onRetry} onDiscard={onDiscard} />}
    </div>
  );
}

export function DaySeparator({ label }: { label: string }) {
  return (
    <div className={styles.dayRow} role="separator" data-testid="day-separator">
      <span className={styles.dayPill}>{label}</span>
    </div>
  );
}

export { RichText };
