import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_CAPTION, MAX_TEXT_BODY } from '../../lib/generated/limits';
import type { Conversation } from '../../lib/types';
import { setNow } from '../../stores/clock';
import { listenSession } from '../../stores/session';
import { FakeConsole } from '../../test/fakeConsole';
import { T0, TEMPLATES, iso, makeContact, makeConversation } from '../../test/fixtures';
import { resetStores } from '../../test/reset';
import { Composer } from './Composer';

function setup(p: Partial<Conversation> = {}) {
  const conv = makeConversation({ id: 1, window_expires_at: iso(T0 + 2 * 3600_000), ...p });
  const fake = new FakeConsole({ conversations: [conv], now: () => T0 });
  const user = userEvent.setup();
  const utils = render(<Composer conversation={conv} templates={TEMPLATES} offline={false} sendError={null} />);
  return { fake, user, conv, ...utils };
}

describe('Composer while the window is open', () => {
  beforeEach(() => resetStores(T0));

  it('shows the countdown to the window’s end', () => {
    setup();
    expect(screen.getByTestId('window-countdown')).toHaveTextContent('Window closes in 2h 00m');
    act(() => setNow(T0 + 2 * 3600_000 - 65_000));
    expect(screen.getByTestId('window-countdown')).toHaveTextContent('1m 05s');
    expect(screen.getByTestId('window-countdown').className).toMatch(/countdownWarn/);
  });

  it('sends on Enter and inserts a new line on Shift+Enter', async () => {
    const { user, fake } = setup();
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'first line{Shift>}{Enter}{/Shift}second');
    expect(box).toHaveValue('first line\nsecond');
    expect(fake.calls.filter((c) => c.name === 'SendText')).toHaveLength(0);
    await user.keyboard('{Enter}');
    expect(fake.calls.find((c) => c.name === 'SendText')?.args).toEqual([1, 'first line\nsecond', null]);
    expect(box).toHaveValue('');
  });

  it('counts towards the 4096 limit and refuses to send beyond it', async () => {
    const { user } = setup();
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.click(box);
    await user.paste('x'.repeat(4100));
    expect(screen.getByTestId('char-counter')).toHaveTextContent('4100 / 4096');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it('counts characters as Go does: 4096 emoji fit, one more does not', async () => {
    const { user, fake } = setup();
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.click(box);
    await user.paste('👍'.repeat(MAX_TEXT_BODY));
    expect(screen.getByTestId('char-counter')).toHaveTextContent(`${MAX_TEXT_BODY} / ${MAX_TEXT_BODY}`);
    await user.paste('👍');
    expect(screen.getByTestId('char-counter')).toHaveTextContent(`${MAX_TEXT_BODY + 1} / ${MAX_TEXT_BODY}`);
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await user.keyboard('{Backspace}{Backspace}{Enter}');
    expect(fake.calls.find((c) => c.name === 'SendText')?.args[1]).toBe('👍'.repeat(MAX_TEXT_BODY));
  });

  it('holds a caption to the caption limit', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Attach a file' }));
    await user.type(screen.getByRole('textbox', { name: 'Attachment link' }), 'https://cdn.example.com/box.jpg');
    await user.click(screen.getByRole('textbox', { name: 'Message' }));
    await user.paste('x'.repeat(MAX_CAPTION + 1));
    expect(screen.getByTestId('char-counter')).toHaveTextContent(`${MAX_CAPTION + 1} / ${MAX_CAPTION}`);
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it('attaches media by link, typed from the extension, with the text as caption', async () => {
    const { user, fake } = setup();
    await user.click(screen.getByRole('button', { name: 'Attach a file' }));
    await user.type(screen.getByRole('textbox', { name: 'Attachment link' }), 'https://cdn.example.com/box.jpg');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'the box{Enter}');
    expect(fake.calls.find((c) => c.name === 'SendMessage')?.args).toEqual([
      1,
      { type: 'image', content: { link: 'https://cdn.example.com/box.jpg', caption: 'the box' }, reply_to: undefined },
    ]);
  });

  it('uploads a file from this computer, with the text as caption', async () => {
    const { user, fake } = setup();
    const app = (window as unknown as { go: { app: { App: Record<string, (...a: unknown[]) => Promise<unknown>> } } }).go.app.App;
    const sent: unknown[][] = [];
    app.SendMedia = async (...args: unknown[]) => {
      sent.push(args);
      return { key: 'k-up', local_id: 9, conversation_id: 1, state: 'pending', type: 'image', preview: 'box.png', attempts: 0, created_at: '', updated_at: '' };
    };
    await user.click(screen.getByRole('button', { name: 'Attach a file' }));
    expect(screen.getByRole('button', { name: 'From this computer…' })).toBeInTheDocument();
    await user.upload(screen.getByTestId('file-input'), new File(['png-bytes'], 'box.png', { type: 'image/png' }));
    expect(screen.getByTestId('attachment')).toHaveTextContent('box.png');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'the box{Enter}');
    // The file is read (FileReader: three tasks in jsdom) before it is
    // sent, which can outlast user-event's own pause after the last key:
    // wait for the composer to clear, as it does once the send is queued.
    await waitFor(() => expect(screen.queryByTestId('attachment')).not.toBeInTheDocument());
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual([1, { filename: 'box.png', mime_type: 'image/png', data: btoa('png-bytes'), caption: 'the box' }]);
    expect(fake.calls.some((c) => c.name === 'SendText')).toBe(false);
  });

  it('offers quick replies on /', async () => {
    const { user } = setup();
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, '/ord');
    const list = screen.getByRole('listbox', { name: 'Quick replies' });
    expect(within(list).getAllByRole('option')).toHaveLength(1);
    await user.keyboard('{Enter}');
    expect(box).toHaveValue('Could you share your order number so I can look it up?');
  });

  it('follows the sandbox clock: advancing it past the window offers templates', async () => {
    const { fake } = setup();
    const off = listenSession();
    await act(() => fake.bindings().SandboxAdvance!(3 * 3600 as never));
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'template');
    off();
  });

  it('switches to templates the moment the window closes', () => {
    setup();
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'text');
    act(() => setNow(T0 + 2 * 3600_000 + 1));
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'template');
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
    expect(screen.getByTestId('template-composer')).toHaveTextContent('The 24-hour window is closed');
  });
});

describe('Composer once the window has closed', () => {
  beforeEach(() => resetStores(T0));

  it('lists approved templates only, searchable by name and language', async () => {
    const { user } = setup({ window_expires_at: iso(T0 - 1000) });
    const list = screen.getByRole('listbox', { name: 'Approved templates' });
    expect(within(list).queryByText('winter_promo')).toBeNull();
    expect(within(list).getByText('hello_world')).toBeInTheDocument();
    await user.type(screen.getByRole('searchbox', { name: 'Search templates' }), 'arab');
    expect(within(list).getAllByRole('option')).toHaveLength(1);
    expect(within(list).getByText('delivery_update')).toBeInTheDocument();
  });

  it('fills variables with a live preview, validates, then sends', async () => {
    const { user, fake } = setup({ window_expires_at: iso(T0 - 1000) });
    await user.click(screen.getByRole('option', { name: /order_update/ }));
    const preview = screen.getByLabelText('Preview');
    expect(preview).toHaveTextContent('Hi {{1}}, your order {{2}}');

    await user.type(screen.getByLabelText('{{1}}'), 'Ana');
    expect(preview).toHaveTextContent('Hi Ana, your order {{2}}');

    // Missing values block the send and say which.
    await user.click(screen.getByRole('button', { name: /send template/i }));
    expect(fake.calls.some((c) => c.name === 'SendTemplate')).toBe(false);
    expect(screen.getByLabelText('{{2}}')).toHaveAttribute('aria-invalid', 'true');

    await user.type(screen.getByLabelText('{{2}}'), '#48213');
    await user.type(screen.getByLabelText('{{3}}'), 'Friday');
    await user.type(screen.getByLabelText('“Track order” link ending'), '48213');
    expect(preview).toHaveTextContent('Hi Ana, your order #48213 has shipped and should arrive by Friday.');
    await user.click(screen.getByRole('button', { name: /send template/i }));
    expect(fake.calls.find((c) => c.name === 'SendTemplate')?.args).toEqual([
      1,
      'order_update',
      'en_US',
      { '1': 'Ana', '2': '#48213', '3': 'Friday', 'button.0': '48213' },
    ]);
  });

  it('keeps the typed variables when the customer writes and the window reopens, until the agent chooses free text', async () => {
    const conv = makeConversation({ id: 1, window_expires_at: iso(T0 - 1000) });
    const fake = new FakeConsole({ conversations: [conv], now: () => T0 });
    const user = userEvent.setup();
    const { rerender } = render(<Composer conversation={conv} templates={TEMPLATES} offline={false} sendError={null} />);
    await user.click(screen.getByRole('option', { name: /order_update/ }));
    await user.type(screen.getByLabelText('{{1}}'), 'Ana');
    await user.type(screen.getByLabelText('{{2}}'), '#48213');

    // The customer writes: the window is open again for 24 hours.
    const reopened = { ...conv, window_expires_at: iso(T0 + 24 * 3600_000) };
    fake.conversations.set(1, reopened);
    rerender(<Composer conversation={reopened} templates={TEMPLATES} offline={false} sendError={null} />);
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'template');
    expect(screen.getByTestId('window-reopened')).toHaveTextContent('the window is open again');
    expect(screen.getByLabelText('{{1}}')).toHaveValue('Ana');
    expect(screen.getByLabelText('{{2}}')).toHaveValue('#48213');

    // Only the agent's choice brings the free-text composer back.
    await user.click(screen.getByRole('button', { name: 'Back to message' }));
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'text');
  });

  it('switches to free text when the window reopens before a template was picked', () => {
    const conv = makeConversation({ id: 1, window_expires_at: iso(T0 - 1000) });
    new FakeConsole({ conversations: [conv], now: () => T0 });
    const { rerender } = render(<Composer conversation={conv} templates={TEMPLATES} offline={false} sendError={null} />);
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'template');
    const reopened = { ...conv, window_expires_at: iso(T0 + 24 * 3600_000) };
    rerender(<Composer conversation={reopened} templates={TEMPLATES} offline={false} sendError={null} />);
    expect(screen.getByTestId('composer')).toHaveAttribute('data-mode', 'text');
  });

  it('does not send what Go’s template check refuses', async () => {
    const { user, fake } = setup({ window_expires_at: null });
    fake.failNext = {};
    const bindings = (window as unknown as { go: { app: { App: Record<string, unknown> } } }).go.app.App;
    bindings.TemplateForm = async () => ({ sendable: false, problem: 'the template has no parameter 4', missing: [], unknown: ['4'] });
    await user.click(screen.getByRole('option', { name: /hello_world/ }));
    await user.click(screen.getByRole('button', { name: /send template/i }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the template has no parameter 4');
    expect(fake.calls.some((c) => c.name === 'SendTemplate')).toBe(false);
  });

  it('prefills the customer’s first name into a named template', async () => {
    const { user } = setup({ window_expires_at: null, contact: makeContact({ id: 1, name: 'Grace Hopper' }) });
    await user.click(screen.getByRole('option', { name: /appointment_reminder/ }));
    expect(screen.getByLabelText('Customer name')).toHaveValue('Grace');
    expect(screen.getByLabelText('Preview')).toHaveTextContent('Hello Grace, this is a reminder');
  });

  it('rejects a value WhatsApp would refuse, as it is typed', async () => {
    const { user } = setup({ window_expires_at: null });
    await user.click(screen.getByRole('option', { name: /delivery_update/ }));
    const first = screen.getByLabelText('{{1}}');
    await user.click(first);
    await user.paste('too     many spaces');
    expect(screen.getByText(/more than 4 spaces in a row/)).toBeInTheDocument();
  });
});

describe('Composer for an opted-out customer', () => {
  beforeEach(() => resetStores(T0));

  it('cannot message them and says why, but notes still work', async () => {
    const { user } = setup({
      contact: makeContact({ id: 1, name: 'Liam', opted_out: true, opted_out_at: iso(T0 - 86_400_000), attributes: { opt_out_reason: 'Replied STOP' } }),
    });
    const notice = screen.getByTestId('opted-out');
    expect(notice).toHaveTextContent('Liam opted out of messages');
    expect(notice).toHaveTextContent('Replied STOP');
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
    await user.click(screen.getByRole('tab', { name: /note/i }));
    expect(screen.getByRole('textbox', { name: 'Internal note' })).toBeInTheDocument();
  });
});
