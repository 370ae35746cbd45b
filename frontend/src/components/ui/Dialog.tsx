import * as RadixDialog from '@radix-ui/react-dialog';
import { useRef, type ReactNode } from 'react';
import { Icon } from '../Icon';
import styles from './Dialog.module.css';

interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The heading, which also names the dialog for screen readers. */
  title: ReactNode;
  /** Optional sentence under the heading (the dialog's description). */
  description?: ReactNode;
  children: ReactNode;
  /** Wider dialogs (the shortcut list, a photo). */
  size?: 'small' | 'medium' | 'large';
  testId?: string;
  /** Label of the close button (default "Close"). */
  closeLabel?: string;
}

/**
 * The app's modal dialog (Radix Dialog): focus moves into it and stays
 * there (Tab cycles inside), Escape or the close button or a click on the
 * backdrop closes it, focus returns to what opened it, and the rest of the
 * window is hidden from screen readers meanwhile. Every dialog in the
 * console uses it (help, a photo, picking a snooze time, About).
 */
export function Dialog({ open, onOpenChange, title, description, children, size = 'medium', testId, closeLabel = 'Close' }: DialogProps) {
  // Our dialogs open from shortcuts, menus and buttons rather than a Radix
  // trigger, so focus goes back to whatever had it when the dialog opened.
  const returnTo = useRef<HTMLElement | null>(null);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className={styles.backdrop} />
        <RadixDialog.Content
          className={`${styles.dialog} ${styles[size]}`}
          data-testid={testId}
          onOpenAutoFocus={() => {
            returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          }}
          onCloseAutoFocus={(e) => {
            const el = returnTo.current;
            if (el?.isConnected) {
              e.preventDefault();
              el.focus();
            }
          }}
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <div className={styles.head}>
            <RadixDialog.Title className={styles.title}>{title}</RadixDialog.Title>
            <RadixDialog.Close className={styles.close} aria-label={closeLabel}>
              <Icon name="close" size={18} />
            </RadixDialog.Close>
          </div>
          {description && <RadixDialog.Description className={styles.description}>{description}</RadixDialog.Description>}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
