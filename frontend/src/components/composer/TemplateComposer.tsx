import { useMemo, useState } from 'react';
import {
  languageName,
  renderTemplate,
  templateFields,
  templateVariables,
  validateTemplate,
  type TemplateField,
} from '../../lib/templates';
import type { Contact, Template, TemplateRequest } from '../../lib/types';
import { approved, templateKey } from '../../stores/templates';
import { go } from '../../lib/go';
import { TemplateView } from '../chat/TemplatePreview';
import { Icon } from '../Icon';
import styles from './Composer.module.css';

interface Props {
  templates: Template[];
  contact: Contact;
  /**
   * Why templates are shown: the window closed, the agent chose to, or the
   * window reopened while the agent was filling one in (the form stays).
   */
  reason: 'closed' | 'chosen' | 'reopened';
  sending: boolean;
  onSend: (t: TemplateRequest) => Promise<boolean>;
  onCancel?: () => void;
  /** Hears whether a template is picked (the form has the agent's work in it). */
  onStarted?: (started: boolean) => void;
}

/** Values guessed from the contact for fields that obviously ask for the name. */
function prefill(fields: TemplateField[], contact: Contact): Record<string, string> {
  const out: Record<string, string> = {};
  const first = contact.name?.split(/\s+/)[0] ?? '';
  for (const f of fields) {
    if (f.kind === 'text' && /^(customer_|first_|contact_)?name$/i.test(f.name) && first) out[f.key] = first;
  }
  return out;
}

/**
 * The composer once the 24-hour window has closed: pick an approved
 * template (search by name or language), fill its variables, see the
 * message exactly as the customer will, and send only when it is valid.
 */
export function TemplateComposer({ templates, contact, reason, sending, onSend, onCancel, onStarted }: Props) {
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<Template | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [tried, setTried] = useState(false);
  const [goProblem, setGoProblem] = useState('');

  const list = useMemo(() => {
    const q = query.trim().toLowerCase();
    return approved(templates).filter(
      (t) => !q || t.name.toLowerCase().includes(q) || t.language.toLowerCase().includes(q) || languageName(t.language).toLowerCase().includes(q),
    );
  }, [templates, query]);

  const fields = useMemo(() => (chosen ? templateFields(chosen) : []), [chosen]);
  const errors = useMemo(() => (chosen ? validateTemplate(chosen, values) : {}), [chosen, values]);
  const valid = Object.keys(errors).length === 0;

  const choose = (t: Template) => {
    setChosen(t);
    setValues(prefill(templateFields(t), contact));
    setTried(false);
    onStarted?.(true);
  };

  const submit = async () => {
    if (!chosen) return;
    setTried(true);
    setGoProblem('');
    if (!valid) return;
    const variables = templateVariables(chosen, values);
    // Go checks the form against the hub's own rules too (it runs on the
    // cache, offline): a template the hub would refuse never reaches the
    // outbox.
    try {
      const form = await go.TemplateForm(chosen.name, chosen.language, variables);
      if (!form.sendable) {
        setGoProblem(form.problem || 'This template cannot be sent as filled in.');
        return;
      }
    } catch {
      // The send itself reports what is wrong.
    }
    const ok = await onSend({ name: chosen.name, language: chosen.language, variables });
    if (ok) {
      setChosen(null);
      setValues({});
      setTried(false);
      setQuery('');
      onStarted?.(false);
    }
  };

  return (
    <div className={styles.templateComposer} data-testid="template-composer">
      <div className={styles.templateNotice}>
        <Icon name={reason === 'closed' ? 'clock' : 'templates'} size={16} />
        {reason === 'closed' ? (
          <span>
            <strong>The 24-hour window is closed.</strong> WhatsApp only allows an approved template until the customer writes again.
          </span>
        ) : reason === 'reopened' ? (
          <span data-testid="window-reopened">
            <strong>The customer wrote: the window is open again.</strong> Your template is kept as you filled it in; send it, or go back to a
            free message.
          </span>
        ) : (
          <span>Send an approved template.</span>
        )}
        {onCancel && (
          <button type="button" className={styles.textButton} onClick={onCancel}>
            Back to message
          </button>
        )}
      </div>

      {!chosen ? (
        <div className={styles.picker}>
          <label className={styles.searchField}>
            <Icon name="search" size={16} />
            <input
              type="search"
              placeholder="Search templates by name or language"
              aria-label="Search templates"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              autoFocus
            />
          </label>
          <ul className={styles.templateList} role="listbox" aria-label="Approved templates">
            {list.length === 0 && <li className={styles.emptyList}>{templates.length === 0 ? 'No templates synced yet.' : 'No approved template matches.'}</li>}
            {list.map((t) => (
              <li key={templateKey(t)}>
                <button type="button" role="option" aria-selected={false} className={styles.templateItem} onClick={() => choose(t)}>
                  <span className={styles.templateName}>{t.name}</span>
                  <span className={styles.templateLang}>{languageName(t.language)}</span>
                  <span className={styles.templateCat}>{t.category.toLowerCase()}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <div className={styles.templateEditor}>
          <div className={styles.templateForm}>
            <div className={styles.chosenHead}>
              <div>
                <div className={styles.templateName}>{chosen.name}</div>
                <div className={styles.muted}>
                  {languageName(chosen.language)} · {chosen.category.toLowerCase()}
                </div>
              </div>
              <button type="button" className={styles.textButton} onClick={() => (setChosen(null), onStarted?.(false))}>
                Change
              </button>
            </div>
            {fields.length === 0 && <p className={styles.muted}>This template has no variables.</p>}
            {fields.map((f) => {
              const err = tried || values[f.key] ? errors[f.key] : undefined;
              const id = `tv-${f.key}`;
              return (
                <div key={f.key} className={styles.field}>
                  <label htmlFor={id}>{f.label}</label>
                  <input
                    id={id}
                    dir="auto"
                    value={values[f.key] ?? ''}
                    placeholder={f.example ? `e.g. ${f.example}` : ''}
                    aria-invalid={err ? true : undefined}
                    aria-describedby={err ? `${id}-err` : undefined}
                    onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        void submit();
                      }
                    }}
                  />
                  {err && (
                    <span id={`${id}-err`} className={styles.fieldError}>
                      {err}
                    </span>
                  )}
                </div>
              );
            })}
            {tried && (errors[''] || goProblem) && (
              <p className={styles.fieldError} role="alert">
                {errors[''] || goProblem}
              </p>
            )}
            <div className={styles.formActions}>
              <button type="button" className={styles.primary} onClick={() => void submit()} disabled={sending}>
                <Icon name="send" size={16} /> Send template
              </button>
            </div>
          </div>
          <div className={styles.previewPane} aria-label="Preview">
            <div className={styles.previewLabel}>Preview · as {contact.name || 'the customer'} will see it</div>
            <div className={styles.previewBubble}>
              <TemplateView r={renderTemplate(chosen, values)} highlight />
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
