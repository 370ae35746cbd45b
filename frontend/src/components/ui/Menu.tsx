import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useState, type ReactNode } from 'react';
import styles from './Menu.module.css';

interface MenuProps {
  label: ReactNode;
  /** Accessible name of the trigger button. */
  title: string;
  /** The items; close() closes the menu (items close it themselves when chosen). */
  children: (close: () => void) => ReactNode;
  align?: 'left' | 'right';
  className?: string;
  testId?: string;
  /** The trigger shows only an icon: title names it. */
  iconOnly?: boolean;
}

/**
 * A button that opens a menu (Radix DropdownMenu): arrow keys move between
 * items, typing jumps to one, Enter chooses, Escape or a click outside
 * closes it and focus returns to the button.
 */
export function Menu({ label, title, children, align = 'right', className, testId, iconOnly = false }: MenuProps) {
  const [open, setOpen] = useState(false);
  return (
    <DropdownMenu.Root open={open} onOpenChange={setOpen} modal={false}>
      <DropdownMenu.Trigger asChild>
        <button type="button" className={className ?? styles.trigger} aria-label={iconOnly ? title : undefined} title={title} data-testid={testId}>
          {/* A trigger that shows text is named by it, after what it is for
              ("Status: Open"), so the name includes what is seen. */}
          {!iconOnly && <span className="visually-hidden">{title}: </span>}
          {label}
        </button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className={styles.menu} align={align === 'left' ? 'start' : 'end'} sideOffset={4} collisionPadding={8}>
          {children(() => setOpen(false))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

/** A menu item; with checked (true or false) it is one choice among several and shows a tick. */
export function MenuItem({ onSelect, children, checked, danger }: { onSelect: () => void; children: ReactNode; checked?: boolean; danger?: boolean }) {
  const cls = `${styles.item} ${danger ? styles.danger : ''}`;
  if (checked === undefined) {
    return (
      <DropdownMenu.Item className={cls} onSelect={onSelect}>
        <span className={styles.check} />
        {children}
      </DropdownMenu.Item>
    );
  }
  // One choice among several (a status, an assignee): a radio item.
  return (
    <DropdownMenu.Item className={cls} role="menuitemradio" aria-checked={checked} onSelect={onSelect}>
      <span className={styles.check} aria-hidden="true">
        {checked ? '✓' : ''}
      </span>
      {children}
    </DropdownMenu.Item>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <DropdownMenu.Label className={styles.label}>{children}</DropdownMenu.Label>;
}

export function MenuDivider() {
  return <DropdownMenu.Separator className={styles.divider} />;
}
