import type { Contact, Conversation, Counters, Message, Template, User } from '../lib/types';

/**
 * Builders for domain objects in tests and the dev demo: each fills every
 * field the Go side always sends, so components see realistic shapes.
 */

export const T0 = Date.parse('2026-03-10T12:00:00Z');

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function makeContact(p: Partial<Contact> & { id: number }): Contact {
  return {
    phone: `+1555000${String(p.id).padStart(4, '0')}`,
    wa_id: `1555000${String(p.id).padStart(4, '0')}`,
    name: `Customer ${p.id}`,
    opted_out: false,
    created_at: iso(T0 - 86_400_000),
    updated_at: iso(T0 - 86_400_000),
    ...p,
  };
}

export function makeConversation(p: Partial<Conversation> & { id: number }): Conversation {
  const contact = p.contact ?? makeContact({ id: p.id });
  return {
    account_id: '100200300',
    status: 'open',
    assignee_id: null,
    team: '',
    window_expires_at: iso(T0 + 20 * 3600_000),
    unanswered: false,
    waiting_since: null,
    unread_count: 0,
    last_activity_at: iso(T0 - p.id * 60_000),
    created_at: iso(T0 - 86_400_000),
    updated_at: iso(T0),
    ...p,
    contact,
  };
}

let nextMessageId = 1000;

export function makeMessage(p: Partial<Message> & { conversation_id: number }): Message {
  const id = p.id ?? nextMessageId++;
  const at = p.timestamp ?? iso(T0);
  return {
    wamid: `wamid.${id}`,
    account_id: '100200300',
    direction: 'inbound',
    type: 'text',
    content: { body: `message ${id}` },
    preview: `message ${id}`,
    from: '+15550000001',
    to: '+15551110000',
    reactions: [],
    status: p.direction === 'outbound' ? 'sent' : 'received',
    timestamp: at,
    created_at: at,
    updated_at: at,
    ...p,
    id,
  };
}

export const USERS: User[] = [
  { id: 1, email: 'ana@example.com', name: 'Ana Souza', role: 'supervisor', teams: ['Sales', 'Support'], disabled: false, created_at: iso(T0), updated_at: iso(T0) },
  { id: 2, email: 'ben@example.com', name: 'Ben Okafor', role: 'agent', teams: ['Support'], disabled: false, created_at: iso(T0), updated_at: iso(T0) },
  { id: 3, email: 'chen@example.com', name: 'Chen Wei', role: 'agent', teams: ['Sales'], disabled: false, created_at: iso(T0), updated_at: iso(T0) },
];

export const COUNTERS: Counters = {
  total: 7,
  unassigned: 3,
  by_agent: { '1': 2, '2': 1, '3': 1 },
  by_team: { Sales: 3, Support: 4 },
  oldest_waiting_since: iso(T0 - 22 * 60_000),
};

function tpl(p: Partial<Template> & Pick<Template, 'name' | 'language' | 'components'>): Template {
  return {
    id: `${p.name}-${p.language}`,
    waba_id: '555666777',
    category: 'UTILITY',
    status: 'APPROVED',
    quality: 'GREEN',
    parameter_format: 'POSITIONAL',
    updated_at: iso(T0),
    ...p,
  };
}

/** A few of the sandbox's starter templates (backend/sandbox/templates_starter.go). */
export const TEMPLATES: Template[] = [
  tpl({
    name: 'hello_world',
    language: 'en_US',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      { type: 'BODY', text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.' },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  }),
  tpl({
    name: 'order_update',
    language: 'en_US',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped and should arrive by {{3}}. Reply here if you have any questions.', example: { body_text: [['Emily', '#48213', 'Friday, May 9']] } },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'URL', text: 'Track order', url: 'https://shop.example.com/track/{{1}}', example: ['https://shop.example.com/track/48213'] },
          { type: 'QUICK_REPLY', text: 'Talk to an agent' },
        ],
      },
    ],
  }),
  tpl({
    name: 'appointment_reminder',
    language: 'en_US',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Appointment reminder' },
      {
        type: 'BODY',
        text: 'Hello {{customer_name}}, this is a reminder of your appointment with {{provider}} on {{date}} at {{time}}. Please confirm or reschedule below.',
        example: {
          body_text_named_params: [
            { param_name: 'customer_name', example: 'Grace' },
            { param_name: 'provider', example: 'Dr. Kim' },
            { param_name: 'date', example: 'June 3' },
            { param_name: 'time', example: '10:30 AM' },
          ],
        },
      },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirm' }, { type: 'QUICK_REPLY', text: 'Reschedule' }] },
    ],
  }),
  tpl({
    name: 'delivery_update',
    language: 'ar',
    components: [{ type: 'BODY', text: 'مرحبا {{1}}، طلبك رقم {{2}} في الطريق إليك وسيصل خلال يومين.', example: { body_text: [['محمد', '48213']] } }],
  }),
  tpl({
    name: 'spring_sale',
    language: 'en_US',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Hi {{1}}! Our spring sale is on: {{2}} off everything until {{3}} 🌷', example: { body_text: [['Olivia', '25%', 'Sunday']] } },
      { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
    ],
  }),
  tpl({
    name: 'winter_promo',
    language: 'en_US',
    category: 'MARKETING',
    status: 'PAUSED',
    components: [{ type: 'BODY', text: 'Hi {{1}}, winter deals are here: free shipping on all orders this week.' }],
  }),
];
