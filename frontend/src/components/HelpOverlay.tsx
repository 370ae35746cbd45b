import { useEffect, useRef } from 'react';
import { SHORTCUTS } from '../lib/shortcuts';
import { Icon } from './Icon';
import styles from './Overlay.module.css';

/** The keyboard shortcut list (?). */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className={styles.backdrop} onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={styles.dialog} role="dialog" aria-modal="true" aria-labelledby="help-title" tabIndex={-1} ref={ref} data-testid="help-overlay">
        <div className={styles.head}>
          <h2 id="help-title">
            <Icon name="keyboard" size={20} /> Keyboard shortcuts
          </h2>
          <button type="button" className={styles.close} onClick={onClose} aria-label="Close help">
            <Icon name="close" size={18} />
          </button>
        </div>
        <table className={styles.table}>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.description}>
                <td className={styles.keys}>
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span className={styles.or}>or</span>}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className={styles.hint}>
          In the composer, type <kbd>/</kbd> at the start for quick replies.
        </p>
      </div>
    </div>
  );
}
