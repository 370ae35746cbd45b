import * as RadixPopover from '@radix-ui/react-popover';
import type { ReactNode } from 'react';
import styles from './Popover.module.css';
import { Tooltip } from './Tooltip';

interface PopoverProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The element that opens it (a button), rendered as the trigger. */
  trigger: ReactNode;
  /** Names the popover for screen readers. */
  label: string;
  children: ReactNode;
  side?: 'top' | 'bottom' | 'left' | 'right';
  align?: 'start' | 'center' | 'end';
  testId?: string;
  /** A tooltip for the trigger (an icon button). */
  tooltip?: string;
}

/**
 * A non-modal panel anchored to a button (Radix Popover): focus moves into
 * it, Escape or a click outside closes it and focus returns to the button.
 */
export function Popover({ open, onOpenChange, trigger, label, children, side = 'top', align = 'center', testId, tooltip }: PopoverProps) {
  const button = <RadixPopover.Trigger asChild>{trigger}</RadixPopover.Trigger>;
  return (
    <RadixPopover.Root open={open} onOpenChange={onOpenChange}>
      {tooltip ? <Tooltip content={tooltip}>{button}</Tooltip> : button}
      <RadixPopover.Portal>
        <RadixPopover.Content className={styles.popover} side={side} align={align} sideOffset={6} collisionPadding={8} aria-label={label} data-testid={testId}>
          {children}
        </RadixPopover.Content>
      </RadixPopover.Portal>
    </RadixPopover.Root>
  );
}
