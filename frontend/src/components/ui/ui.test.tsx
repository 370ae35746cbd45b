import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { HelpOverlay } from '../HelpOverlay';
import { Menu, MenuItem } from './Menu';

describe('Menu', () => {
  it('moves focus between items with the arrow keys, chooses with Enter and gives focus back on Escape', async () => {
    const chosen = vi.fn();
    render(
      <Menu title="Status" label="Open" testId="menu">
        {() => (
          <>
            <MenuItem checked onSelect={() => chosen('open')}>
              Open
            </MenuItem>
            <MenuItem checked={false} onSelect={() => chosen('pending')}>
              Pending
            </MenuItem>
            <MenuItem onSelect={() => chosen('closed')}>Closed</MenuItem>
          </>
        )}
      </Menu>,
    );
    const user = userEvent.setup();
    const trigger = screen.getByTestId('menu');
    expect(trigger).toHaveAttribute('aria-haspopup', 'menu');
    expect(trigger).toHaveAccessibleName(/^Status: ?Open$/);
    trigger.focus();
    await user.keyboard('{Enter}');
    const menu = await screen.findByRole('menu');
    expect(menu).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('menuitemradio', { name: /Open/ })).toHaveFocus());
    expect(screen.getByRole('menuitemradio', { name: /Open/ })).toHaveAttribute('aria-checked', 'true');
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('menuitemradio', { name: /Pending/ })).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('menuitem', { name: 'Closed' })).toHaveFocus();
    await user.keyboard('{ArrowUp}{Enter}');
    expect(chosen).toHaveBeenCalledWith('pending');
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());

    await user.click(trigger);
    await screen.findByRole('menu');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());
    expect(trigger).toHaveFocus();
  });
});

function HelpHarness() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Shortcuts
      </button>
      <button type="button">Elsewhere</button>
      <HelpOverlay open={open} onOpenChange={setOpen} />
    </>
  );
}

describe('the help dialog', () => {
  it('is modal: focus moves in, Tab stays inside, Escape closes it and focus returns', async () => {
    render(<HelpHarness />);
    const user = userEvent.setup();
    const opener = screen.getByRole('button', { name: 'Shortcuts' });
    await user.click(opener);
    const dialog = await screen.findByRole('dialog', { name: /Keyboard shortcuts/ });
    // The rest of the window is hidden from assistive technology meanwhile.
    expect(screen.queryByRole('button', { name: 'Elsewhere' })).toBeNull();
    await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));
    for (let i = 0; i < 4; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    await user.tab({ shift: true });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(opener).toHaveFocus());
  });
});
