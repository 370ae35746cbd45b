/**
 * Typed views of Message.content, the Cloud API object for the message's
 * type exactly as received or sent. Every reader tolerates missing fields:
 * content comes from customers' phones and from Meta, and a message that
 * cannot be read is shown as such, never crashes the chat.
 */

export interface MediaContent {
  id?: string;
  link?: string;
  url?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
  animated?: boolean;
}

export interface LocationContent {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface SharedContact {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  phones?: { phone?: string; wa_id?: string; type?: string }[];
  emails?: { email?: string; type?: string }[];
  org?: { company?: string; department?: string; title?: string };
  urls?: { url?: string; type?: string }[];
  addresses?: { street?: string; city?: string; country?: string; zip?: string; type?: string }[];
  birthday?: string;
}

/** An interactive message: a customer's reply to buttons/lists, or an agent's buttons/list. */
export interface InteractiveContent {
  type?: string;
  button_reply?: { id?: string; title?: string };
  list_reply?: { id?: string; title?: string; description?: string };
  nfm_reply?: { name?: string; body?: string; response_json?: string };
  header?: { type?: string; text?: string };
  body?: { text?: string };
  footer?: { text?: string };
  action?: {
    button?: string;
    buttons?: { type?: string; reply?: { id?: string; title?: string } }[];
    sections?: { title?: string; rows?: { id?: string; title?: string; description?: string }[] }[];
    name?: string;
    parameters?: { display_text?: string; url?: string };
  };
}

export interface SystemContent {
  body?: string;
  type?: string;
  wa_id?: string;
  new_wa_id?: string;
  customer?: string;
}

export interface OrderContent {
  catalog_id?: string;
  text?: string;
  product_items?: { product_retailer_id?: string; quantity?: number | string; item_price?: number | string; currency?: string }[];
}

export interface TemplateContent {
  name?: string;
  language?: { code?: string } | string;
  components?: unknown[];
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The content object, whether Go sent it as the object itself or wrapped under its type. */
export function contentOf<T>(type: string, content: unknown): T {
  const o = obj(content);
  const inner = o[type];
  if (inner && typeof inner === 'object' && Object.keys(o).length <= 2) return inner as T;
  return o as T;
}

export function textBody(content: unknown): string {
  const c = contentOf<{ body?: unknown }>('text', content);
  return typeof c.body === 'string' ? c.body : typeof content === 'string' ? content : '';
}

export function sharedContacts(content: unknown): SharedContact[] {
  if (Array.isArray(content)) return content as SharedContact[];
  const o = obj(content);
  if (Array.isArray(o.contacts)) return o.contacts as SharedContact[];
  return [];
}

export function locationOf(content: unknown): LocationContent | null {
  const c = contentOf<Partial<LocationContent>>('location', content);
  const lat = Number(c.latitude);
  const lng = Number(c.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  return { ...c, latitude: lat, longitude: lng };
}

/** A map link for a location (OpenStreetMap: no account or API key needed). */
export function mapLink(l: LocationContent): string {
  const lat = l.latitude.toFixed(6);
  const lng = l.longitude.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`;
}

/** The id of the message a reaction targets. */
export function reactionOf(content: unknown): { message_id?: string; emoji?: string } {
  return contentOf('reaction', content);
}

/** Human size of bytes. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * An inbox preview without the hub's "[type]" prefix (the row shows the
 * type's icon instead): "[contacts] Ana" → "Ana", "[unsupported]" → the
 * label.
 */
export function cleanPreview(preview: string, type: string): string {
  const m = preview.match(/^\[([a-z_]+)\]\s*/);
  if (!m) return preview;
  const rest = preview.slice(m[0].length);
  if (rest) return rest;
  return m[1] === 'unsupported' ? 'Unsupported message' : (typeLabel(m[1] ?? type)?.label ?? type);
}

/** The icon and label an inbox row uses for a message type. */
export function typeLabel(type: string): { icon: string; label: string } | null {
  switch (type) {
    case 'image':
      return { icon: 'image', label: 'Photo' };
    case 'video':
      return { icon: 'video', label: 'Video' };
    case 'audio':
      return { icon: 'mic', label: 'Audio' };
    case 'voice':
      return { icon: 'mic', label: 'Voice message' };
    case 'document':
      return { icon: 'file', label: 'Document' };
    case 'sticker':
      return { icon: 'sticker', label: 'Sticker' };
    case 'location':
      return { icon: 'location', label: 'Location' };
    case 'contacts':
      return { icon: 'contact', label: 'Contact' };
    case 'template':
      return { icon: 'templates', label: 'Template' };
    case 'order':
      return { icon: 'cart', label: 'Order' };
    case 'interactive':
    case 'button':
      return { icon: 'list', label: 'Reply' };
  }
  return null;
}
