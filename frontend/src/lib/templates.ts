import type { whatsapp } from '../../wailsjs/go/models';

type TemplateButton = whatsapp.TemplateButton;
type TemplateComponent = whatsapp.TemplateComponentDef;
import { textLength } from './text';
import type { Template } from './types';

/**
 * Message templates as the composer needs them: which values a template
 * asks for, the message the customer will see once they are filled in, and
 * Meta's rules checked before anything is sent.
 *
 * Values travel to Go as TemplateRequest.variables, keyed as the hub expects
 * (backend/desktop TemplateForm mirrors the hub's buildComponents):
 *   body placeholders     "1", "2", … or the name ("customer_name")
 *   header                "header": its one text variable, or the media link
 *   button parameter      "button.<index>" (index among all the buttons):
 *                         a URL button's suffix or a copy-code button's code
 */

export type FieldPart = 'header' | 'body' | 'button';

/** One value the agent fills in. */
export interface TemplateField {
  key: string;
  part: FieldPart;
  /** The placeholder: "1", "customer_name"; for buttons the button text. */
  name: string;
  label: string;
  example?: string;
  kind: 'text' | 'url_suffix' | 'media';
  /** For media headers: IMAGE, VIDEO or DOCUMENT. */
  format?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * The distinct placeholders of text in order of first appearance; positional
 * ones sorted by number, since Meta fills {{1}} from the first value
 * wherever it stands.
 */
export function placeholders(text: string | undefined): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    if (!seen.includes(name)) seen.push(name);
  }
  if (seen.every((s) => /^\d+$/.test(s))) seen.sort((a, b) => Number(a) - Number(b));
  return seen;
}

/**
 * A template's components: domain.Template carries them as Meta's JSON,
 * whatsapp.TemplateComponentDef in Go (lib/generated/types.ts).
 */
export function templateComponents(t: Template): TemplateComponent[] {
  return Array.isArray(t.components) ? (t.components as TemplateComponent[]) : [];
}

function component(t: Template, type: string): TemplateComponent | undefined {
  return templateComponents(t).find((c) => c.type?.toUpperCase() === type);
}

/** The template's parts by type. */
export function templateParts(t: Template) {
  return {
    header: component(t, 'HEADER'),
    body: component(t, 'BODY'),
    footer: component(t, 'FOOTER'),
    buttons: component(t, 'BUTTONS')?.buttons ?? [],
  };
}

function exampleFor(c: TemplateComponent | undefined, part: 'header' | 'body', name: string, index: number): string | undefined {
  const ex = c?.example;
  if (!ex) return undefined;
  const named = part === 'header' ? ex.header_text_named_params : ex.body_text_named_params;
  const hit = named?.find((p) => p.param_name === name);
  if (hit) return hit.example;
  if (part === 'header') return ex.header_text?.[index];
  return ex.body_text?.[0]?.[index];
}

function urlSuffixExample(b: TemplateButton): string | undefined {
  const ex = b.example;
  const full = Array.isArray(ex) ? ex[0] : typeof ex === 'string' ? ex : undefined;
  if (typeof full !== 'string' || !b.url) return undefined;
  const prefix = b.url.split(/\{\{/)[0] ?? '';
  return full.startsWith(prefix) ? full.slice(prefix.length) : full;
}

function humanise(name: string): string {
  if (/^\d+$/.test(name)) return `{{${name}}}`;
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The values a template asks for, header first, then body, then buttons. */
export function templateFields(t: Template): TemplateField[] {
  const { header, body, buttons } = templateParts(t);
  const fields: TemplateField[] = [];
  if (header) {
    const format = (header.format ?? 'TEXT').toUpperCase();
    if (format === 'TEXT') {
      placeholders(header.text).forEach((name, i) =>
        fields.push({
          key: 'header',
          part: 'header',
          name,
          label: `Header ${humanise(name)}`,
          example: exampleFor(header, 'header', name, i),
          kind: 'text',
        }),
      );
    } else if (format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT') {
      fields.push({
        key: 'header',
        part: 'header',
        name: format.toLowerCase(),
        label: `Header ${format.toLowerCase()} link`,
        example: 'https://…',
        kind: 'media',
        format,
      });
    }
  }
  placeholders(body?.text).forEach((name, i) =>
    fields.push({ key: name, part: 'body', name, label: humanise(name), example: exampleFor(body, 'body', name, i), kind: 'text' }),
  );
  buttons.forEach((b, index) => {
    const name = b.text ?? '';
    if (b.type?.toUpperCase() === 'COPY_CODE') {
      fields.push({ key: `button.${index}`, part: 'button', name, label: `“${name}” code`, example: typeof b.example === 'string' ? b.example : Array.isArray(b.example) ? String(b.example[0] ?? '') : undefined, kind: 'text' });
    }
    if (b.type?.toUpperCase() === 'URL' && b.url && placeholders(b.url).length > 0) {
      fields.push({
        key: `button.${index}`,
        part: 'button',
        name,
        label: `“${name}” link ending`,
        example: urlSuffixExample(b),
        kind: 'url_suffix',
      });
    }
  });
  return fields;
}

/** A run of rendered template text; var marks a substituted (or missing) value. */
export interface Segment {
  text: string;
  var?: string;
  missing?: boolean;
}

/** Substitutes values into text, keeping which runs came from which variable. */
export function fillText(text: string, values: Record<string, string>, keyOf: (name: string) => string = (n) => n): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const start = m.index ?? 0;
    if (start > last) out.push({ text: text.slice(last, start) });
    const key = keyOf(m[1] ?? '');
    const v = values[key];
    if (v) out.push({ text: v, var: key });
    else out.push({ text: m[0], var: key, missing: true });
    last = start + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** A template as the customer will see it. */
export interface RenderedTemplate {
  header?: { format: string; text?: Segment[]; link?: string };
  body: Segment[];
  footer?: string;
  buttons: { type: string; text: string; url?: string }[];
}

/** Renders t with values, exactly as WhatsApp composes it. */
export function renderTemplate(t: Template, values: Record<string, string>): RenderedTemplate {
  const { header, body, footer, buttons } = templateParts(t);
  const out: RenderedTemplate = { body: fillText(body?.text ?? '', values), buttons: [] };
  if (header) {
    const format = (header.format ?? 'TEXT').toUpperCase();
    out.header =
      format === 'TEXT'
        ? { format, text: fillText(header.text ?? '', values, () => 'header') }
        : { format, link: values.header };
  }
  if (footer?.text) out.footer = footer.text;
  out.buttons = buttons.map((b, index) => {
    const type = b.type?.toUpperCase() ?? '';
    const text = b.text ?? '';
    if (type === 'URL' && b.url) {
      const suffix = values[`button.${index}`] ?? '';
      return { type, text, url: b.url.replace(PLACEHOLDER, suffix) };
    }
    if (type === 'PHONE_NUMBER') return { type, text, url: b.phone_number ? `tel:${b.phone_number}` : undefined };
    return { type, text };
  });
  return out;
}

/** Plain text of rendered segments. */
export function segmentsText(segs: Segment[]): string {
  return segs.map((s) => s.text).join('');
}

/**
 * Meta's limits on template values, in characters (code points, counted
 * with textLength as Go counts). Meta enforces them on the send; Go does
 * not check them first, so they are not among the generated limits.
 */
export const MAX_PARAM_LENGTH = 1024;
export const MAX_BODY_LENGTH = 1024;
export const MAX_HEADER_LENGTH = 60;

/**
 * Checks values against Meta's rules and returns a message per offending
 * field key ("" for the message as a whole); empty when the send may go.
 */
export function validateTemplate(t: Template, values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (t.status && t.status.toUpperCase() !== 'APPROVED') {
    errors[''] = `This template is ${t.status.toLowerCase()}: only approved templates can be sent.`;
  }
  for (const f of templateFields(t)) {
    const v = values[f.key] ?? '';
    if (!v.trim()) {
      errors[f.key] = f.kind === 'media' ? 'A link to the file is required.' : 'Required.';
      continue;
    }
    if (f.kind === 'media') {
      if (!/^https?:\/\/\S+$/i.test(v.trim())) errors[f.key] = 'Must be an http(s) link.';
      continue;
    }
    if (f.kind === 'url_suffix') {
      if (/\s/.test(v)) errors[f.key] = 'A link cannot contain spaces.';
      continue;
    }
    if (/[\n\t]/.test(v)) errors[f.key] = 'WhatsApp does not allow new lines or tabs in a variable.';
    else if (/ {5,}/.test(v)) errors[f.key] = 'WhatsApp does not allow more than 4 spaces in a row.';
    else if (textLength(v) > MAX_PARAM_LENGTH) errors[f.key] = `At most ${MAX_PARAM_LENGTH} characters.`;
  }
  const r = renderTemplate(t, values);
  if (textLength(segmentsText(r.body)) > MAX_BODY_LENGTH) {
    errors[''] ??= `The message is longer than WhatsApp's ${MAX_BODY_LENGTH} characters once filled in.`;
  }
  if (r.header?.text && textLength(segmentsText(r.header.text)) > MAX_HEADER_LENGTH) {
    errors[''] ??= `The header is longer than ${MAX_HEADER_LENGTH} characters once filled in.`;
  }
  return errors;
}

/** The variables map sent to Go for t: only the template's own keys, trimmed. */
export function templateVariables(t: Template, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of templateFields(t)) out[f.key] = (values[f.key] ?? '').trim();
  return out;
}

let languageNames: Intl.DisplayNames | undefined;

/** A language code as people read it: "en_US" → "English (US)". */
export function languageName(code: string): string {
  try {
    // One ICU display-names object for the page: the template picker names
    // every template's language on each keystroke of its filter.
    languageNames ??= new Intl.DisplayNames(undefined, { type: 'language' });
    const name = languageNames.of(code.replace('_', '-'));
    return name ?? code;
  } catch {
    return code;
  }
}

/** The parameters of a sent template message (Cloud API content), as form values. */
export function valuesFromSent(content: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const comps = (content as { components?: unknown[] } | null)?.components;
  if (!Array.isArray(comps)) {
    const vars = (content as { variables?: Record<string, string> } | null)?.variables;
    return vars && typeof vars === 'object' ? { ...vars } : out;
  }
  for (const raw of comps) {
    const c = raw as { type?: string; sub_type?: string; index?: string | number; parameters?: Record<string, unknown>[] };
    const type = c.type?.toLowerCase();
    const params = c.parameters ?? [];
    if (type === 'body' || type === 'header') {
      params.forEach((p, i) => {
        if (type === 'header') {
          const media = typeof p.type === 'string' ? (p[p.type] as { link?: string; id?: string } | undefined) : undefined;
          out.header = p.type === 'text' ? String(p.text ?? '') : (media?.link ?? media?.id ?? '');
        } else if (p.type === 'text') {
          const name = typeof p.parameter_name === 'string' ? p.parameter_name : String(i + 1);
          out[name] = String(p.text ?? '');
        }
      });
    } else if (type === 'button') {
      const first = params[0];
      const v = first?.text ?? first?.coupon_code ?? first?.payload;
      if (typeof v === 'string') out[`button.${c.index ?? 0}`] = v;
    }
  }
  return out;
}
