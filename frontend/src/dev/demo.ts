/**
 * A demo backend for `npm run dev` opened with ?demo: the fake console
 * (src/test/fakeConsole.ts) seeded with a realistic inbox, every message
 * type and customers who keep writing, so the UI can be seen and
 * screenshotted without a Go build. Only imported in development builds.
 * ?demo=50000 seeds that many conversations to try the virtualised list.
 */
import type { Conversation, Message, Note } from '../lib/types';
import { FakeConsole } from '../test/fakeConsole';
import { iso, makeContact, makeConversation } from '../test/fixtures';

const NAMES = [
  'Maria Garcia', 'محمد الأحمد', 'Priya Sharma', 'Lucas Oliveira', 'נועה כהן', 'Emily Johnson', 'Kenji Tanaka',
  'Sofía Martínez', 'Oluwaseun Adeyemi', 'Anna Kowalska', 'Ahmed Hassan', 'Chloé Dubois', 'Liam O’Brien', 'Fatima Zahra',
  'Giulia Rossi', 'Nguyễn Văn An', 'Hannah Schmidt', 'Diego Fernández', 'Aisha Bello', 'Mateo López',
];
const LINES = [
  'Hi! Is my order on its way?', 'Can I change the delivery address?', 'The item arrived damaged 😞', 'Do you ship to Portugal?',
  'مرحبا، أريد تغيير موعد التسليم من فضلك', 'Thanks, that worked 🙏', 'What are your opening hours?', 'שלום, אפשר לקבל חשבונית?',
  'I was charged twice for order #48213', 'Can I pay on delivery?', 'Where can I track it? https://shop.example.com/track/48213',
  'Great service, thank you!', 'Is the blue one back in stock?', 'क्या आप आज डिलीवरी कर सकते हैं?',
];

export function installDemo(count: number): FakeConsole {
  const now = Date.now();
  const conversations: Conversation[] = [];
  const messages: Message[] = [];
  const notes: Note[] = [];
  let mid = 1;
  const msg = (cid: number, at: number, p: Partial<Message>): Message => {
    const m: Message = {
      id: mid++,
      conversation_id: cid,
      account_id: '100200300',
      direction: 'inbound',
      type: 'text',
      content: { body: '' },
      preview: '',
      from: '',
      to: '',
      reactions: [],
      status: 'received',
      timestamp: iso(at),
      created_at: iso(at),
      updated_at: iso(at),
      ...p,
    };
    messages.push(m);
    return m;
  };
  const text = (cid: number, at: number, body: string, out = false, extra: Partial<Message> = {}) =>
    msg(cid, at, { type: 'text', content: { body }, preview: body, direction: out ? 'outbound' : 'inbound', status: out ? 'read' : 'received', author_id: out ? 1 : undefined, ...extra });

  for (let i = 1; i <= count; i++) {
    const name = NAMES[(i - 1) % NAMES.length]!;
    const waiting = i % 3 !== 0 && i < 40;
    const ago = i < 40 ? [2, 7, 18, 1, 45, 12, 4, 90, 26, 3][i % 10]! * 60_000 + i * 1000 : i * 600_000;
    const last = now - ago;
    const line = LINES[i % LINES.length]!;
    const c = makeConversation({
      id: i,
      contact: makeContact({ id: i, name, phone: `+${[44, 971, 91, 55, 972, 1, 81, 52, 234, 48][i % 10]}${String(7000000000 + i * 7919).slice(0, 10)}` }),
      status: i % 11 === 0 ? 'pending' : i % 17 === 0 ? 'snoozed' : 'open',
      assignee_id: i % 4 === 0 ? null : i % 4 === 1 ? 1 : i % 4 === 2 ? 2 : 3,
      team: i % 2 ? 'Support' : 'Sales',
      unanswered: waiting,
      waiting_since: waiting ? iso(last) : null,
      unread_count: waiting ? (i % 4) + 1 : 0,
      window_expires_at: i % 9 === 0 ? iso(now - 3600_000) : iso(last + 24 * 3600_000),
      last_activity_at: iso(last),
      last_message: { id: 0, direction: waiting ? 'inbound' : 'outbound', type: i % 7 === 0 ? 'image' : 'text', preview: i % 7 === 0 ? 'Photo' : line, status: waiting ? 'received' : 'read', at: iso(last) },
    });
    if (i === 6) c.contact = { ...c.contact, opted_out: true, opted_out_at: iso(now - 2 * 86_400_000), attributes: { opt_out_reason: 'Replied STOP to a promotion' } };
    conversations.push(c);
    if (i <= 40) {
      text(i, last - 3 * 3600_000, 'Hello, I have a question about my order.');
      text(i, last - 3 * 3600_000 + 60_000, 'Hi! Happy to help — could you share the order number?', true);
      text(i, last, line, !waiting, waiting ? {} : { status: 'delivered' });
    }
  }

  // The showcase: every message type in the first (Mine) conversation.
  const cid = 1;
  const base = now - 26 * 3600_000;
  let t = base;
  const step = () => (t += 7 * 60_000);
  text(cid, step(), 'Hi there! I ordered the *linen shirt* last week — order _48213_. Link: https://shop.example.com/orders/48213');
  text(cid, step(), 'Thanks Maria! Let me check. ✅', true, { status: 'read' });
  msg(cid, step(), { type: 'image', content: { id: 'media-1', mime_type: 'image/jpeg', caption: 'This is what arrived 👇' }, preview: 'Photo' });
  msg(cid, step(), { type: 'document', content: { id: 'media-2', mime_type: 'application/pdf', filename: 'invoice-48213.pdf' }, preview: 'invoice-48213.pdf' });
  msg(cid, step(), { type: 'audio', content: { id: 'media-3', mime_type: 'audio/ogg; codecs=opus', voice: true }, preview: 'Voice message' });
  msg(cid, step(), { type: 'location', content: { latitude: 38.7223, longitude: -9.1393, name: 'Home', address: 'Rua Augusta 100, Lisboa' }, preview: 'Location: Home' });
  msg(cid, step(), {
    type: 'contacts',
    content: [{ name: { formatted_name: 'João Silva', first_name: 'João' }, phones: [{ phone: '+351 912 345 678', wa_id: '351912345678', type: 'CELL' }], org: { company: 'Silva Lda' } }],
    preview: 'Contact: João Silva',
  });
  const q = text(cid, step(), 'Can you send a replacement to this address?');
  text(cid, step(), 'Of course — a replacement is on its way today.', true, { status: 'read', reply_to: q.id, reactions: [{ emoji: '❤️', from: 'customer', at: iso(t) }] });
  msg(cid, step(), { type: 'interactive', content: { type: 'button_reply', button_reply: { id: 'track', title: 'Track order' } }, preview: 'Track order' });
  text(cid, step(), 'مرحبا! هل يمكنني تغيير اللون إلى الأزرق؟', false, { forwarded: true });
  msg(cid, step(), { type: 'sticker', content: { id: 'media-4', mime_type: 'image/webp' }, preview: 'Sticker' });
  msg(cid, step(), { type: 'system', content: { body: 'Maria changed their phone number to +44 7700 900123', type: 'user_changed_number' }, preview: 'Number changed' });
  text(cid, step(), 'Sending you the tracking link now', true, { status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
  msg(cid, step(), {
    type: 'template',
    direction: 'outbound',
    status: 'delivered',
    author_id: 1,
    content: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '#48213' }, { type: 'text', text: 'Friday' }] }] },
    preview: 'Hi Maria, your order #48213 has shipped…',
  });
  msg(cid, step(), { type: 'unsupported', content: { type: 'poll' }, preview: '' });
  notes.push({ id: 1, conversation_id: cid, author_id: 2, body: 'Customer is a VIP — offer free express shipping.', created_at: iso(base + 30 * 60_000) });
  text(cid, now - 90_000, '👍🎉');

  const counters = { total: 7, unassigned: 3, by_agent: { '1': 2, '2': 1, '3': 1 }, by_team: { Sales: 3, Support: 4 }, oldest_waiting_since: iso(now - 90 * 60_000) };
  const fake = new FakeConsole({ conversations, messages, notes, counters, autoProgress: true, now: () => Date.now() });
  // Customers keep writing.
  let n = 0;
  setInterval(() => {
    n++;
    const target = ((n * 7) % Math.min(count, 30)) + 1;
    fake.customerSays(target, LINES[n % LINES.length]!);
  }, 9000);
  (window as unknown as { demo: unknown }).demo = {
    fake,
    offline: () => fake.setSync({ state: 'offline', error: { code: 'HUB_UNREACHABLE', message: 'the hub cannot be reached' }, retry_at: iso(Date.now() + 12_000) }),
    online: () => {
      fake.setSync({ state: 'online' });
      fake.flushOutbox();
    },
  };
  return fake;
}
