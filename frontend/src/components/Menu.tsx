import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import styles from './Menu.module.css';

interface MenuProps {
  label: ReactNode;
  /** Accessible name of the trigger button. */
  title: string;
  children: (close: () => void) => ReactNode;
  align?: 'left' | 'right';
  className?: string;
  testId?: string;
}

/** A button that opens a small popover menu; Escape or a click outside closes it. */
export function Menu({ label, title, children, align = 'right', className, testId }: MenuProps) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className={styles.wrap} ref={ref}>
      <button
        type="button"
        className={className ?? styles.trigger}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={title}
        title={title}
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
      >
        {label}
      </button>
      {open && (
        <div id={id} role="menu" className={`${styles.menu} ${align === 'left' ? styles.left : styles.right}`}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

export function MenuItem({ onSelect, children, checked, danger }: { onSelect: () => void; children: ReactNode; checked?: boolean; danger?: boolean }) {
  return (
    <button type="button" role={checked === undefined ? 'menuitem' : 'menuitemradio'} aria-checked={checked} className={`${styles.item} ${danger ? styles.danger : ''}`} onClick={onSelect}>
      <span className={styles.check}>{checked ? '✓' : ''}</span>
      {children}
    </button>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <div className={styles.label}>{children}</div>;
}

export function MenuDivider() {
  return <div className={styles.divider} role="separator" />;
}
