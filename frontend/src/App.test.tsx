import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import App from './App';
import { installFakeGo } from './test/fakeGo';
import { FakeConsole } from './test/fakeConsole';
import { makeConversation, makeMessage, T0, iso } from './test/fixtures';
import { resetStores } from './test/reset';

describe('App shell', () => {
  beforeEach(() => resetStores());

  it('falls back to the System view when the build has no console backend', async () => {
    installFakeGo();
    render(<App />);
    expect(await screen.findByTestId('build-go')).toHaveTextContent('go1.26.8');
    expect(screen.getByTestId('build-version')).toHaveTextContent('1.2.3');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('System');
    expect(screen.getByRole('button', { name: 'System' })).toHaveAttribute('aria-current', 'page');
  });

  it('pings Go with the typed note and shows the reply', async () => {
    const user = userEvent.setup();
    installFakeGo();
    render(<App />);
    const note = await screen.findByRole('textbox', { name: 'Note' });
    await user.clear(note);
    await user.type(note, 'are you there');
    await user.click(screen.getByRole('button', { name: /ping go/i }));
    expect(await screen.findByTestId('ping-reply')).toHaveTextContent('pong: are you there');
    expect(screen.getByTestId('ping-result')).toHaveTextContent('#1');
  });

  it('shows the error code when Go rejects the ping', async () => {
    const user = userEvent.setup();
    installFakeGo({
      Ping: () => Promise.reject({ code: 'VALIDATION_FAILED', message: 'note is too long', doc_url: '/docs/errors#VALIDATION_FAILED', field: 'note' }),
    });
    render(<App />);
    await user.click(await screen.findByRole('button', { name: /ping go/i }));
    const alert = await within(screen.getByTestId('ping-result')).findByRole('alert');
    expect(alert).toHaveTextContent('VALIDATION_FAILED');
    expect(alert).toHaveTextContent('note is too long');
  });

  it('says so when the Go bridge is missing', async () => {
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'System' })).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent('Go bridge is not loaded');
  });
});

describe('App console', () => {
  beforeEach(() => resetStores(T0));

  function fake() {
    return new FakeConsole({
      now: () => T0,
      conversations: [
        makeConversation({ id: 1, assignee_id: 1, unanswered: true, waiting_since: iso(T0 - 60_000), unread_count: 2, contact: { id: 1, name: 'Maria Garcia', phone: '+5511987654321', opted_out: false, created_at: iso(T0), updated_at: iso(T0) } }),
        makeConversation({ id: 2, assignee_id: 1 }),
        makeConversation({ id: 3, assignee_id: null, unanswered: true, waiting_since: iso(T0 - 20 * 60_000) }),
      ],
    });
  }

  it('opens on the inbox, with the unanswered total in the title and on the rail', async () => {
    const f = fake();
    render(<App />);
    expect(await screen.findAllByTestId('inbox-row')).toHaveLength(2);
    expect(screen.getByRole('button', { name: /^Inbox/ })).toHaveAttribute('aria-current', 'page');
    expect(await screen.findByTestId('rail-unanswered')).toHaveTextContent('7');
    expect(screen.getByRole('button', { name: 'Inbox, 7 unanswered' })).toBeInTheDocument();
    expect(document.title).toBe('(7) Switchboard');
    // Go titles the native window itself when it binds the console.
    expect(f.rt.title).toBe('');
    act(() => f.emit('counters.updated', { total: 3, unassigned: 1, by_agent: {}, by_team: {}, oldest_waiting_since: null }));
    expect(document.title).toBe('(3) Switchboard');
  });

  it('moves between conversations with j/k and Alt+arrows, and opens help with ?', async () => {
    const user = userEvent.setup();
    fake();
    render(<App />);
    await screen.findAllByTestId('inbox-row');
    await user.keyboard('j');
    expect(await screen.findByTestId('chat-name')).toHaveTextContent('Maria Garcia');
    await user.keyboard('j');
    expect(screen.getByTestId('chat')).toHaveAttribute('data-conversation-id', '2');
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(screen.getByTestId('chat')).toHaveAttribute('data-conversation-id', '1');
    await user.keyboard('?');
    const help = await screen.findByTestId('help-overlay');
    expect(help).toHaveTextContent('Next conversation');
    expect(help).toHaveTextContent('Close (resolve) the conversation');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('help-overlay')).not.toBeInTheDocument();
  });

  it('opens a search hit at the message, paging back to it', async () => {
    const user = userEvent.setup();
    const messages = Array.from({ length: 120 }, (_, i) =>
      makeMessage({ conversation_id: 2, id: i + 1, timestamp: iso(T0 - (120 - i) * 60_000), content: { body: i === 4 ? 'the blue needle' : `hay ${i}` }, preview: i === 4 ? 'the blue needle' : `hay ${i}` }),
    );
    const f = new FakeConsole({ now: () => T0, conversations: [makeConversation({ id: 2, assignee_id: 1 })], messages });
    render(<App />);
    await screen.findAllByTestId('inbox-row');
    await user.type(screen.getByRole('searchbox', { name: 'Search conversations' }), 'needle');
    await user.click(await screen.findByTestId('search-hit'));
    const hit = await screen.findByText('the blue needle', {}, { timeout: 3000 });
    expect(f.calls.filter((c) => c.name === 'OlderMessages').length).toBeGreaterThanOrEqual(2);
    await waitFor(() => expect(hit.closest('[data-index]')?.className).toMatch(/flash/));
  });

  it('r focuses the reply box, n the note box, e closes, / focuses search', async () => {
    const user = userEvent.setup();
    const f = fake();
    render(<App />);
    await screen.findAllByTestId('inbox-row');
    await user.keyboard('j');
    await screen.findByTestId('chat');
    await user.keyboard('r');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await user.keyboard('n');
    expect(screen.getByRole('textbox', { name: 'Internal note' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await user.keyboard('e');
    expect(f.calls.some((c) => c.name === 'UpdateConversation' && (c.args[1] as { status?: string }).status === 'closed')).toBe(true);
    await user.keyboard('/');
    expect(screen.getByRole('searchbox', { name: 'Search conversations' })).toHaveFocus();
  });
});
