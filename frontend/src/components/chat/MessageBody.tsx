import type { ReactNode } from 'react';
import {
  contentOf,
  locationOf,
  mapLink,
  sharedContacts,
  textBody,
  type InteractiveContent,
  type MediaContent,
  type OrderContent,
  type SystemContent,
  type TemplateContent,
} from '../../lib/content';
import { renderTemplate, valuesFromSent } from '../../lib/templates';
import { isEmojiOnly } from '../../lib/text';
import type { Message, Template } from '../../lib/types';
import { findTemplate } from '../../stores/templates';
import { Icon } from '../Icon';
import { AudioMessage, DocumentMessage, ImageMessage, StickerMessage, VideoMessage } from './Media';
import { ExternalLink, RichText } from './RichText';
import { TemplateView } from './TemplatePreview';
import styles from './Chat.module.css';

interface BodyProps {
  m: Pick<Message, 'type' | 'content' | 'preview' | 'direction'>;
  templates: Template[];
  onOpenImage?: (url: string) => void;
  /** Inline content after a text message's last word (room for the time and ticks). */
  trail?: ReactNode;
}

/** The inside of a bubble, per Cloud API message type. */
export function MessageBody({ m, templates, onOpenImage, trail }: BodyProps) {
  const type = m.type;
  switch (type) {
    case 'text': {
      const body = textBody(m.content) || m.preview;
      return <RichText block text={body} className={isEmojiOnly(body) ? styles.emojiOnly : styles.text} trail={trail} />;
    }
    case 'image':
      return <ImageMessage c={contentOf<MediaContent>(type, m.content)} onOpen={onOpenImage} />;
    case 'sticker':
      return <StickerMessage c={contentOf<MediaContent>(type, m.content)} />;
    case 'video':
      return <VideoMessage c={contentOf<MediaContent>(type, m.content)} />;
    case 'audio':
    case 'voice':
      return <AudioMessage c={{ ...contentOf<MediaContent>(type, m.content), ...(type === 'voice' ? { voice: true } : {}) }} />;
    case 'document':
      return <DocumentMessage c={contentOf<MediaContent>(type, m.content)} />;
    case 'location':
      return <LocationBody m={m} />;
    case 'contacts':
      return <ContactsBody m={m} />;
    case 'interactive':
      return <InteractiveBody m={m} />;
    case 'button': {
      const b = contentOf<{ text?: string; payload?: string }>(type, m.content);
      return (
        <div className={styles.replyChip} data-testid="button-reply">
          <Icon name="reply" size={15} />
          <span dir="auto">{b.text || b.payload || m.preview}</span>
        </div>
      );
    }
    case 'template':
      return <TemplateBody m={m} templates={templates} />;
    case 'order':
      return <OrderBody m={m} />;
    case 'system': {
      const s = contentOf<SystemContent>(type, m.content);
      return <span dir="auto">{s.body || m.preview}</span>;
    }
    case 'reaction':
      return <span className={styles.muted}>{m.preview || 'Reaction'}</span>;
    default: {
      const what = type === 'unsupported' ? contentOf<{ type?: string }>('unsupported', m.content).type : type;
      return (
        <div className={styles.unsupported} data-testid="unsupported">
          <Icon name="alert" size={16} />
          <span>
            Unsupported message{what && what !== 'unknown' ? ` (${what.replace(/_/g, ' ')})` : ''}: WhatsApp does not pass it to business apps. The
            customer can resend it another way.
          </span>
        </div>
      );
    }
  }
}

function LocationBody({ m }: { m: BodyProps['m'] }) {
  const l = locationOf(m.content);
  if (!l) return <span className={styles.muted}>Location</span>;
  return (
    <div className={styles.location} data-testid="location">
      <div className={styles.locationMap} aria-hidden="true">
        <Icon name="location" size={30} />
      </div>
      <div className={styles.locationInfo}>
        {l.name && (
          <div className={styles.locationName} dir="auto">
            {l.name}
          </div>
        )}
        {l.address && (
          <div className={styles.muted} dir="auto">
            {l.address}
          </div>
        )}
        <div className={styles.muted}>
          {l.latitude.toFixed(5)}, {l.longitude.toFixed(5)}
        </div>
        <ExternalLink href={mapLink(l)} className={styles.actionLink}>
          Open map
        </ExternalLink>
      </div>
    </div>
  );
}

function ContactsBody({ m }: { m: BodyProps['m'] }) {
  const list = sharedContacts(m.content);
  if (list.length === 0) return <span className={styles.muted}>{m.preview || 'Contact card'}</span>;
  return (
    <div className={styles.contacts}>
      {list.map((c, i) => {
        const name = c.name?.formatted_name || [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ') || 'Contact';
        return (
          <div key={i} className={styles.contactCard} data-testid="contact-card">
            <span className={styles.contactAvatar}>
              <Icon name="user" size={20} />
            </span>
            <div className={styles.contactInfo}>
              <div className={styles.contactName} dir="auto">
                {name}
              </div>
              {c.org?.company && (
                <div className={styles.muted} dir="auto">
                  {[c.org.title, c.org.company].filter(Boolean).join(', ')}
                </div>
              )}
              {(c.phones ?? []).map((p, j) => (
                <div key={j} className={styles.contactLine}>
                  <Icon name="phone" size={13} /> <span dir="ltr">{p.phone || p.wa_id}</span>
                  {p.type && <span className={styles.muted}> · {p.type.toLowerCase()}</span>}
                  {p.wa_id && <span className={styles.onWhatsApp}> · on WhatsApp</span>}
                </div>
              ))}
              {(c.emails ?? []).map((e, j) => (
                <div key={`e${j}`} className={styles.contactLine}>
                  <span dir="ltr">{e.email}</span>
                </div>
              ))}
            </div>
          </div>
        );
      })}
    </div>
  );
}

function InteractiveBody({ m }: { m: BodyProps['m'] }) {
  const c = contentOf<InteractiveContent>('interactive', m.content);
  // A customer's answer to buttons or a list.
  const reply = c.button_reply?.title ?? c.list_reply?.title;
  if (reply) {
    return (
      <div className={styles.replyChip} data-testid="interactive-reply">
        <Icon name={c.list_reply ? 'list' : 'reply'} size={15} />
        <span>
          <span dir="auto">{reply}</span>
          {c.list_reply?.description && (
            <span className={styles.muted} dir="auto">
              {' '}
              · {c.list_reply.description}
            </span>
          )}
        </span>
      </div>
    );
  }
  if (c.nfm_reply) {
    return (
      <div className={styles.replyChip}>
        <Icon name="list" size={15} />
        <span dir="auto">{c.nfm_reply.body || 'Form submitted'}</span>
      </div>
    );
  }
  // An interactive message the business sent.
  const buttons = c.action?.buttons?.map((b) => b.reply?.title ?? '') ?? [];
  return (
    <div className={styles.template}>
      {c.header?.text && (
        <div className={styles.templateHeader} dir="auto">
          {c.header.text}
        </div>
      )}
      <div className={styles.templateBody}>
        <RichText text={c.body?.text || m.preview} />
      </div>
      {c.footer?.text && (
        <div className={styles.templateFooter} dir="auto">
          {c.footer.text}
        </div>
      )}
      {(buttons.length > 0 || c.action?.button || c.action?.parameters?.display_text) && (
        <div className={styles.templateButtons}>
          {buttons.map((t, i) => (
            <div key={i} className={styles.templateButton}>
              <Icon name="reply" size={15} /> <span dir="auto">{t}</span>
            </div>
          ))}
          {c.action?.button && (
            <div className={styles.templateButton}>
              <Icon name="list" size={15} /> <span dir="auto">{c.action.button}</span>
            </div>
          )}
          {c.action?.parameters?.display_text && (
            <div className={styles.templateButton}>
              <Icon name="external" size={15} /> <span dir="auto">{c.action.parameters.display_text}</span>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function TemplateBody({ m, templates }: BodyProps) {
  const c = contentOf<TemplateContent>('template', m.content);
  const lang = typeof c.language === 'string' ? c.language : (c.language?.code ?? '');
  const t = c.name ? findTemplate(templates, c.name, lang) : undefined;
  if (!t) {
    return (
      <div className={styles.template}>
        <div className={styles.templateBody}>
          <RichText text={m.preview || `Template ${c.name ?? ''}`} />
        </div>
      </div>
    );
  }
  return <TemplateView r={renderTemplate(t, valuesFromSent(c))} />;
}

function OrderBody({ m }: { m: BodyProps['m'] }) {
  const o = contentOf<OrderContent>('order', m.content);
  const items = o.product_items ?? [];
  const total = items.reduce((sum, it) => sum + Number(it.item_price ?? 0) * Number(it.quantity ?? 1), 0);
  const currency = items[0]?.currency ?? '';
  return (
    <div className={styles.order}>
      <div className={styles.orderHead}>
        <Icon name="cart" size={18} /> {items.length} item{items.length === 1 ? '' : 's'}
        {Number.isFinite(total) && total > 0 && (
          <span className={styles.orderTotal}>
            {total.toFixed(2)} {currency}
          </span>
        )}
      </div>
      {items.map((it, i) => (
        <div key={i} className={styles.contactLine}>
          {it.quantity ?? 1} × {it.product_retailer_id}
        </div>
      ))}
      {o.text && <RichText text={o.text} />}
    </div>
  );
}
