import { EmojiPicker, type EmojiPickerListCategoryHeaderProps, type EmojiPickerListEmojiProps, type EmojiPickerListRowProps } from 'frimousse';
import { useState } from 'react';
import { QUICK_REACTIONS, resolveEmojiData } from '../../lib/emoji';
import { Icon } from '../Icon';
import { Popover } from '../ui/Popover';
import chatStyles from './Chat.module.css';
import styles from './ReactionPicker.module.css';

interface ReactionPickerProps {
  /** The agent's current reaction on the message ('' for none). */
  mine: string;
  onReact: (emoji: string) => void;
  /** Why reacting is not possible now (window closed, opted out), or ''. */
  disabledReason?: string;
}

function CategoryHeader({ category, ...props }: EmojiPickerListCategoryHeaderProps) {
  return (
    <div className={styles.category} {...props}>
      {category.label}
    </div>
  );
}

// frimousse numbers its grid's rows and cells from 0; ARIA counts from 1
// (axe-core flags 0 as invalid), so each index is moved up by one.
const fromOne = (i: unknown) => (typeof i === 'number' ? i + 1 : undefined);

function Row({ children, ...props }: EmojiPickerListRowProps) {
  return (
    <div {...props} aria-rowindex={fromOne(props['aria-rowindex'])}>
      {children}
    </div>
  );
}

function EmojiButton({ emoji, ...props }: EmojiPickerListEmojiProps) {
  return (
    <button
      type="button"
      className={styles.gridEmoji}
      data-active={emoji.isActive || undefined}
      {...props}
      aria-label={emoji.label}
      aria-colindex={fromOne(props['aria-colindex'])}
    >
      {emoji.emoji}
    </button>
  );
}

/**
 * The react button of a message: a popover with WhatsApp's quick reactions,
 * a searchable grid of every emoji (frimousse over the bundled Emojibase
 * data), and "Remove" when the agent has reacted. Choosing the agent's
 * current reaction again removes it, as in WhatsApp.
 */
export function ReactionPicker({ mine, onReact, disabledReason }: ReactionPickerProps) {
  const [open, setOpen] = useState(false);
  const [full, setFull] = useState(false);
  const choose = (emoji: string) => {
    onReact(emoji === mine ? '' : emoji);
    setOpen(false);
    setFull(false);
  };
  const trigger = (
    <button
      type="button"
      className={`${chatStyles.replyAction} ${styles.trigger}`}
      aria-label={disabledReason ? `React (${disabledReason})` : 'React to this message'}
      disabled={!!disabledReason}
      data-testid="react-button"
    >
      <Icon name="smile" size={16} />
    </button>
  );
  return (
    <Popover
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) setFull(false);
      }}
      trigger={trigger}
      label="React to this message"
      tooltip={disabledReason ? `Cannot react: ${disabledReason}` : 'React'}
      testId="reaction-picker"
    >
      <div className={styles.quick} role="group" aria-label="Quick reactions">
        {QUICK_REACTIONS.map((e) => (
          <button
            key={e}
            type="button"
            className={`${styles.quickEmoji} ${e === mine ? styles.chosen : ''}`}
            aria-pressed={e === mine}
            aria-label={e === mine ? `Remove your reaction ${e}` : `React with ${e}`}
            onClick={() => choose(e)}
          >
            {e}
          </button>
        ))}
        <button type="button" className={styles.more} aria-label="More emoji" aria-expanded={full} onClick={() => setFull((f) => !f)}>
          <Icon name={full ? 'chevronDown' : 'plus'} size={16} />
        </button>
      </div>
      {mine && !QUICK_REACTIONS.includes(mine as (typeof QUICK_REACTIONS)[number]) && (
        <button type="button" className={styles.remove} onClick={() => choose(mine)}>
          Remove your reaction {mine}
        </button>
      )}
      {mine && QUICK_REACTIONS.includes(mine as (typeof QUICK_REACTIONS)[number]) && (
        <button type="button" className={styles.remove} onClick={() => choose(mine)}>
          Remove your reaction
        </button>
      )}
      {full && (
        <EmojiPicker.Root className={styles.picker} columns={8} resolveEmojiData={resolveEmojiData} onEmojiSelect={({ emoji }) => choose(emoji)}>
          <EmojiPicker.Search className={styles.search} placeholder="Search emoji" aria-label="Search emoji" autoFocus />
          <EmojiPicker.Viewport className={styles.viewport}>
            <EmojiPicker.Loading className={styles.status}>Loading…</EmojiPicker.Loading>
            <EmojiPicker.Empty className={styles.status}>No emoji found.</EmojiPicker.Empty>
            <EmojiPicker.List components={{ CategoryHeader, Emoji: EmojiButton, Row }} />
          </EmojiPicker.Viewport>
        </EmojiPicker.Root>
      )}
    </Popover>
  );
}
