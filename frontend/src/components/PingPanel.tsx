import { useState, type FormEvent } from 'react';
import type { Pong } from '../stores/system';
import type { AppError } from '../lib/errors';
import { Icon } from './Icon';
import styles from './Card.module.css';

interface PingPanelProps {
  pinging: boolean;
  pong: Pong | null;
  roundTripMs: number | null;
  error: AppError | null;
  events: number;
  onPing: (note: string) => void;
}

/**
 * The bridge check: sends a note to Go's Ping binding and shows the answer,
 * the round trip and how many app.pinged events came back.
 */
export function PingPanel({ pinging, pong, roundTripMs, error, events, onPing }: PingPanelProps) {
  const [note, setNote] = useState('hello from the console');

  function submit(e: FormEvent) {
    e.preventDefault();
    onPing(note);
  }

  return (
    <section className={styles.card} aria-labelledby="ping-title">
      <h2 id="ping-title" className={styles.title}>
        Bridge check
      </h2>
      <p className={styles.muted}>Sends a note to Go and back through the Wails bridge.</p>
      <form className={styles.row} onSubmit={submit}>
        <input
          className={styles.input}
          aria-label="Note"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={400}
        />
        <button className={styles.primary} type="submit" disabled={pinging}>
          <Icon name="pulse" size={18} />
          {pinging ? 'Pinging…' : 'Ping Go'}
        </button>
      </form>
      <div className={styles.result} aria-live="polite" data-testid="ping-result">
        {error && (
          <p className={styles.error} role="alert">
            <strong>{error.code}</strong> {error.message}
          </p>
        )}
        {!error && pong && (
          <p>
            <span className={styles.reply} data-testid="ping-reply">
              {pong.reply}
            </span>
            <span className={styles.muted}>
              {' '}
              · #{pong.count}
              {roundTripMs !== null && ` · ${roundTripMs} ms round trip`}
            </span>
          </p>
        )}
        {!error && !pong && <p className={styles.muted}>No ping sent yet.</p>}
        <p className={styles.muted} data-testid="ping-events">
          Events from Go: {events}
        </p>
      </div>
    </section>
  );
}
