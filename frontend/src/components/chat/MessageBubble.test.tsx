import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, beforeEach } from 'vitest';
import type { Message } from '../../lib/types';
import { FakeConsole } from '../../test/fakeConsole';
import { TEMPLATES, makeMessage } from '../../test/fixtures';
import { resetStores } from '../../test/reset';
import { MessageBubble, NoteBubble, OutboxBubble } from './MessageBubble';

function show(p: Partial<Message>, extra: { quoted?: Message | null } = {}) {
  const m = makeMessage({ conversation_id: 1, ...p });
  render(<MessageBubble m={m} templates={TEMPLATES} quoted={extra.quoted} />);
  return screen.getByTestId('message');
}

describe('MessageBubble', () => {
  beforeEach(() => resetStores());

  it('renders text with dir=auto, so Arabic runs right to left', () => {
    const el = show({ content: { body: 'مرحبا، أين طلبي؟' } });
    const span = within(el).getByText('مرحبا، أين طلبي؟').closest('[dir]');
    expect(span).toHaveAttribute('dir', 'auto');
  });

  it('keeps customer text inert: markup stays text, only http(s) links are links', async () => {
    const fake = new FakeConsole();
    const body = '<img src=x onerror=alert(1)> javascript:alert(1) see https://shop.example.com/t?a=1';
    const el = show({ content: { body } });
    expect(el.querySelector('img')).toBeNull();
    expect(el).toHaveTextContent('<img src=x onerror=alert(1)>');
    const links = within(el).getAllByRole('link');
    expect(links).toHaveLength(1);
    expect(links[0]).toHaveAttribute('href', 'https://shop.example.com/t?a=1');
    expect(links[0]).toHaveAttribute('rel', expect.stringContaining('noopener'));
    // A click opens the system browser instead of navigating the console.
    await userEvent.setup().click(links[0]!);
    expect(fake.rt.opened).toEqual(['https://shop.example.com/t?a=1']);
  });

  it('shows emoji-only messages large', () => {
    const el = show({ content: { body: '🎉' } });
    expect(within(el).getByText('🎉').closest('[dir]')?.className).toMatch(/emojiOnly/);
  });

  const ticks: [Message['status'], string][] = [
    ['queued', 'Queued'],
    ['sent', 'Sent'],
    ['delivered', 'Delivered'],
    ['read', 'Read'],
    ['failed', 'Not delivered'],
  ];
  for (const [status, label] of ticks) {
    it(`marks an outbound ${status} message with its ticks`, () => {
      const el = show({ direction: 'outbound', status });
      expect(within(el).getByRole('img', { name: label })).toHaveAttribute('data-status', status);
    });
  }

  it('shows no ticks on customer messages', () => {
    expect(within(show({ direction: 'inbound' })).queryByTestId('ticks')).toBeNull();
  });

  it('explains a failure in words', () => {
    const el = show({ direction: 'outbound', status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
    expect(within(el).getByTestId('failure')).toHaveTextContent(/More than 24 hours have passed.*\(error 131047\)/);
  });

  it('renders a document with its filename and a download link', async () => {
    new FakeConsole();
    const el = show({ type: 'document', content: { id: 'm1', filename: 'invoice-42.pdf', mime_type: 'application/pdf' } });
    expect(el).toHaveTextContent('invoice-42.pdf');
    expect(await within(el).findByRole('link', { name: 'Download invoice-42.pdf' })).toHaveAttribute('download', 'invoice-42.pdf');
  });

  it('renders an image from Go’s media download, with its caption', async () => {
    new FakeConsole();
    const el = show({ type: 'image', content: { id: 'pic', caption: 'the box' } });
    const img = await within(el).findByRole('img', { name: 'the box' });
    expect(img.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(el).toHaveTextContent('the box');
  });

  it('says so when media cannot be downloaded', async () => {
    const el = show({ type: 'video', content: { id: 'gone' } });
    expect(await within(el).findByText('Media unavailable')).toBeInTheDocument();
  });

  it('renders a voice note as one', async () => {
    new FakeConsole();
    const el = show({ type: 'audio', content: { id: 'v', mime_type: 'audio/ogg; codecs=opus', voice: true } });
    expect(el).toHaveTextContent('Voice message');
  });

  it('renders a location with a map link', () => {
    const el = show({ type: 'location', content: { latitude: 38.7223, longitude: -9.1393, name: 'Home', address: 'Rua Augusta 100' } });
    expect(el).toHaveTextContent('Home');
    expect(el).toHaveTextContent('Rua Augusta 100');
    expect(within(el).getByRole('link', { name: 'Open map' }).getAttribute('href')).toContain('mlat=38.722300&mlon=-9.139300');
  });

  it('renders shared contacts as cards', () => {
    const el = show({
      type: 'contacts',
      content: [{ name: { formatted_name: 'João Silva' }, phones: [{ phone: '+351 912 345 678', wa_id: '351912345678', type: 'CELL' }], org: { company: 'Silva Lda' } }],
    });
    const card = within(el).getByTestId('contact-card');
    expect(card).toHaveTextContent('João Silva');
    expect(card).toHaveTextContent('+351 912 345 678');
    expect(card).toHaveTextContent('on WhatsApp');
    expect(card).toHaveTextContent('Silva Lda');
  });

  it('renders interactive and button replies', () => {
    const a = show({ type: 'interactive', content: { type: 'button_reply', button_reply: { id: 'y', title: 'Yes, confirm' } } });
    expect(within(a).getByTestId('interactive-reply')).toHaveTextContent('Yes, confirm');
  });

  it('renders a template button reply', () => {
    expect(within(show({ type: 'button', content: { text: 'Talk to an agent', payload: 'agent' } })).getByTestId('button-reply')).toHaveTextContent('Talk to an agent');
  });

  it('renders a sent template as the customer saw it', () => {
    const el = show({
      type: 'template',
      direction: 'outbound',
      content: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '#7' }, { type: 'text', text: 'Monday' }] }] },
    });
    const view = within(el).getByTestId('template-view');
    expect(view).toHaveTextContent('Hi Ana, your order #7 has shipped and should arrive by Monday.');
    expect(view).toHaveTextContent('Track order');
    expect(view).toHaveTextContent('Talk to an agent');
  });

  it('shows reactions on their message, the forwarded label and the quoted reply', () => {
    const quoted = makeMessage({ conversation_id: 1, id: 5, content: { body: 'Where is it?' }, preview: 'Where is it?' });
    const el = show({ forwarded: true, reply_to: 5, reactions: [{ emoji: '❤️', from: 'customer', at: '2026-01-01T00:00:00Z' }] }, { quoted });
    expect(el).toHaveTextContent('Forwarded');
    expect(within(el).getByTestId('quote')).toHaveTextContent('Where is it?');
    expect(within(el).getByTestId('reactions')).toHaveTextContent('❤️');
  });

  it('renders a number-change system message as a notice', () => {
    const el = show({ type: 'system', content: { body: 'Ana changed their phone number', type: 'user_changed_number' } });
    expect(el).toHaveAttribute('data-type', 'system');
    expect(el).toHaveTextContent('Ana changed their phone number');
  });

  it('says which messages it cannot show', () => {
    expect(within(show({ type: 'unsupported', content: { type: 'poll' } })).getByTestId('unsupported')).toHaveTextContent('Unsupported message (poll)');
  });
});

describe('NoteBubble and OutboxBubble', () => {
  it('marks a note as internal', () => {
    render(<NoteBubble n={{ id: 1, conversation_id: 1, author_id: 2, body: 'VIP customer', created_at: '2026-01-01T10:00:00Z' }} />);
    expect(screen.getByTestId('note')).toHaveTextContent(/Internal note.*VIP customer/);
  });

  it('marks a pending send and offers retry on a refused one', async () => {
    const calls: string[] = [];
    const base = { key: 'k', local_id: 1,
      kind: 'message', conversation_id: 1, type: 'text', content: { body: 'hello' }, preview: 'hello', attempts: 1, created_at: '', updated_at: '' };
    const { rerender } = render(<OutboxBubble it={{ ...base, state: 'pending' }} templates={[]} offline onRetry={() => calls.push('retry')} onDiscard={() => calls.push('discard')} />);
    expect(screen.getByTestId('outbox-item')).toHaveTextContent('Waiting for connection');
    expect(screen.getByRole('img', { name: 'Waiting to send' })).toBeInTheDocument();
    rerender(
      <OutboxBubble
        it={{ ...base, state: 'failed', error: { code: 'SESSION_EXPIRED', message: 'The 24-hour window is closed.', doc_url: '' } }}
        templates={[]}
        offline={false}
        onRetry={() => calls.push('retry')}
        onDiscard={() => calls.push('discard')}
      />,
    );
    expect(screen.getByTestId('outbox-item')).toHaveTextContent('The 24-hour window is closed.');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(calls).toEqual(['retry']);
  });

  it('shows a file waiting to be sent by its name, kind and size, not as a missing download', () => {
    const noop = () => {};
    const base = {
      key: 'k',
      local_id: 1,
      kind: 'message',
      conversation_id: 1,
      type: 'document',
      content: { filename: 'invoice-42.pdf', caption: 'your invoice' },
      preview: 'your invoice',
      attachment: { filename: 'invoice-42.pdf', mime_type: 'application/pdf', size: 123_456 },
      attempts: 0,
      created_at: '',
      updated_at: '',
    };
    const { rerender } = render(<OutboxBubble it={{ ...base, state: 'pending' }} templates={[]} offline onRetry={noop} onDiscard={noop} />);
    const file = screen.getByTestId('pending-file');
    expect(file).toHaveTextContent('invoice-42.pdf');
    expect(file).toHaveTextContent('Document · 121 KB');
    expect(within(file).getByRole('img', { name: 'Document' })).toHaveTextContent('PDF');
    expect(file).toHaveTextContent('your invoice');
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.queryByText(/unavailable/i)).toBeNull();
    expect(screen.getByTestId('outbox-item')).toHaveTextContent('Waiting for connection');
    expect(screen.getByRole('img', { name: 'Waiting to send' })).toBeInTheDocument();

    // A photo: its own icon; uploading until the hub has it, then sending.
    const photo = { ...base, type: 'image', content: {}, attachment: { filename: 'box.png', mime_type: 'image/png', size: 2048 } };
    rerender(<OutboxBubble it={{ ...photo, state: 'sending' }} templates={[]} offline={false} onRetry={noop} onDiscard={noop} />);
    expect(within(screen.getByTestId('pending-file')).getByRole('img', { name: 'Photo' })).toHaveTextContent('PNG');
    expect(screen.getByTestId('pending-file')).toHaveTextContent('Photo · 2.0 KB');
    expect(screen.getByTestId('outbox-item')).toHaveTextContent('Uploading…');
    rerender(<OutboxBubble it={{ ...photo, state: 'sending', media_id: 'm1' }} templates={[]} offline={false} onRetry={noop} onDiscard={noop} />);
    expect(screen.getByTestId('outbox-item')).toHaveTextContent('Sending…');
  });
});
