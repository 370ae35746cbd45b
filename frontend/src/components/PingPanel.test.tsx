import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { PingPanel } from './PingPanel';

const idle = { pinging: false, pong: null, roundTripMs: null, error: null, events: 0 };

describe('PingPanel', () => {
  it('submits the note with the button and with Enter', async () => {
    const user = userEvent.setup();
    const onPing = vi.fn();
    render(<PingPanel {...idle} onPing={onPing} />);
    const note = screen.getByRole('textbox', { name: 'Note' });
    await user.clear(note);
    await user.type(note, 'first');
    await user.click(screen.getByRole('button', { name: 'Ping Go' }));
    await user.type(note, ' second{Enter}');
    expect(onPing.mock.calls).toEqual([['first'], ['first second']]);
  });

  it('disables the button while a ping is in flight', () => {
    render(<PingPanel {...idle} pinging onPing={() => {}} />);
    expect(screen.getByRole('button', { name: 'Pinging…' })).toBeDisabled();
  });

  it('shows the reply, count, round trip and event count', () => {
    render(
      <PingPanel
        {...idle}
        pong={{ reply: 'pong: hi', count: 3, received_at: '2025-01-01T00:00:00Z', uptime_ms: 5 }}
        roundTripMs={4}
        events={3}
        onPing={() => {}}
      />,
    );
    expect(screen.getByTestId('ping-reply')).toHaveTextContent('pong: hi');
    expect(screen.getByTestId('ping-result')).toHaveTextContent('#3 · 4 ms round trip');
    expect(screen.getByTestId('ping-events')).toHaveTextContent('Events from Go: 3');
  });
});
