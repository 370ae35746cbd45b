import type { RenderedTemplate, Segment } from '../../lib/templates';
import { Icon } from '../Icon';
import { RichText } from './RichText';
import styles from './Chat.module.css';

function Segments({ segs, highlight }: { segs: Segment[]; highlight: boolean }) {
  return (
    <>
      {segs.map((s, i) =>
        s.var && highlight ? (
          <mark key={i} className={s.missing ? styles.varMissing : styles.varFilled} data-var={s.var}>
            {s.text}
          </mark>
        ) : s.var ? (
          <span key={i}>{s.text}</span>
        ) : (
          <RichText key={i} text={s.text} />
        ),
      )}
    </>
  );
}

const HEADER_ICON = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'file', LOCATION: 'location' } as const;

/**
 * A template message as the customer sees it in WhatsApp: header (text or
 * media), body with the variables filled in, footer, and buttons under the
 * bubble. With highlight, filled variables are tinted and missing ones
 * marked, for the composer's live preview.
 */
export function TemplateView({ r, highlight = false }: { r: RenderedTemplate; highlight?: boolean }) {
  const icon = r.header && r.header.format !== 'TEXT' ? HEADER_ICON[r.header.format as keyof typeof HEADER_ICON] : undefined;
  return (
    <div className={styles.template} data-testid="template-view">
      {r.header?.text && (
        <div className={styles.templateHeader} dir="auto">
          <Segments segs={r.header.text} highlight={highlight} />
        </div>
      )}
      {icon && (
        <div className={styles.templateMedia}>
          <Icon name={icon} size={30} />
          {r.header?.link ? <span className={styles.templateMediaLink}>{r.header.link}</span> : <span>{r.header?.format.toLowerCase()}</span>}
        </div>
      )}
      <div className={styles.templateBody} dir="auto">
        <Segments segs={r.body} highlight={highlight} />
      </div>
      {r.footer && (
        <div className={styles.templateFooter} dir="auto">
          {r.footer}
        </div>
      )}
      {r.buttons.length > 0 && (
        <div className={styles.templateButtons}>
          {r.buttons.map((b, i) => (
            <div key={i} className={styles.templateButton} title={b.url}>
              <Icon name={b.type === 'URL' ? 'external' : b.type === 'PHONE_NUMBER' ? 'phone' : b.type === 'COPY_CODE' ? 'file' : 'reply'} size={15} />
              <span dir="auto">{b.text}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
