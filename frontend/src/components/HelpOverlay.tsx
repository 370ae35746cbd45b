import { SHORTCUTS } from '../lib/shortcuts';
import { Icon } from './Icon';
import styles from './Overlay.module.css';
import { Dialog } from './ui/Dialog';

/** The keyboard shortcut list (?), in the app's modal dialog. */
export function HelpOverlay({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="help-overlay"
      closeLabel="Close help"
      title={
        <>
          <Icon name="keyboard" size={20} /> Keyboard shortcuts
        </>
      }
    >
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
    </Dialog>
  );
}
