import { useState, type FormEvent } from 'react';
import { loadQuickReplies, saveQuickReplies, type QuickReply } from '../stores/ui';
import { Icon } from './Icon';
import styles from './Settings.module.css';

/** Edits the canned responses the composer offers on "/" (kept on this computer). */
export function QuickRepliesEditor() {
  const [list, setList] = useState<QuickReply[]>(() => loadQuickReplies());
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState('');

  const update = (next: QuickReply[]) => {
    setList(next);
    saveQuickReplies(next);
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const key = shortcut.trim().replace(/^\//, '').toLowerCase();
    if (!/^[\p{L}\p{N}_-]{1,24}$/u.test(key)) {
      setError('A shortcut is one word of up to 24 letters or digits.');
      return;
    }
    if (!text.trim()) {
      setError('Write the reply.');
      return;
    }
    if (list.some((q) => q.shortcut === key)) {
      setError(`/${key} exists already.`);
      return;
    }
    update([...list, { shortcut: key, text: text.trim() }]);
    setShortcut('');
    setText('');
    setError('');
  };

  return (
    <section className={styles.card} aria-labelledby="qr-title">
      <h2 id="qr-title">Quick replies</h2>
      <p className={styles.muted}>Type / at the start of a message to insert one. They are kept on this computer.</p>
      <ul className={styles.quickList} data-testid="quick-replies">
        {list.map((q) => (
          <li key={q.shortcut}>
            <span className={styles.quickShortcut}>/{q.shortcut}</span>
            <span className={styles.quickText}>{q.text}</span>
            <button type="button" className={styles.iconButton} aria-label={`Delete /${q.shortcut}`} onClick={() => update(list.filter((x) => x !== q))}>
              <Icon name="trash" size={16} />
            </button>
          </li>
        ))}
      </ul>
      <form className={styles.quickForm} onSubmit={add} aria-label="Add a quick reply">
        <input aria-label="Shortcut" placeholder="shortcut" value={shortcut} onChange={(e) => setShortcut(e.target.value)} />
        <input aria-label="Reply text" placeholder="Reply text" value={text} onChange={(e) => setText(e.target.value)} dir="auto" />
        <button type="submit" className={styles.secondary}>
          Add
        </button>
      </form>
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
