import { toAppError, type AppError } from '../lib/errors';
import { EVENTS, on } from '../lib/events';
import { go } from '../lib/go';
import { createStore } from '../lib/store';
import type { Template } from '../lib/types';

/** The WhatsApp Business Account's message templates, as cached. */
export interface TemplatesState {
  templates: Template[];
  loaded: boolean;
  error: AppError | null;
}

export const templatesStore = createStore<TemplatesState>({ templates: [], loaded: false, error: null });

export function templateKey(t: Pick<Template, 'name' | 'language'>): string {
  return `${t.name}:${t.language}`;
}

const IDENTIFIER = /^[A-Za-z0-9_]*$/;

/**
 * Orders template names and language codes as localeCompare does, without
 * loading ICU's collation data when the console starts: names are
 * identifiers ([a-z0-9_]) and languages codes like en_US, and for those
 * the collation order is the letters' order ignoring case, with "_" before
 * the digits. Anything else still goes through localeCompare.
 */
export function compareCodes(a: string, b: string): number {
  if (a === b) return 0;
  if (!IDENTIFIER.test(a) || !IDENTIFIER.test(b)) return a.localeCompare(b);
  const x = a.toLowerCase().replaceAll('_', ' ');
  const y = b.toLowerCase().replaceAll('_', ' ');
  if (x === y) return a.localeCompare(b);
  return x < y ? -1 : 1;
}

function sortTemplates(list: Template[]): Template[] {
  return [...list].sort((a, b) => compareCodes(a.name, b.name) || compareCodes(a.language, b.language));
}

export async function loadTemplates(): Promise<void> {
  try {
    const templates = await go.Templates();
    templatesStore.set({ templates: sortTemplates(templates ?? []), loaded: true, error: null });
  } catch (err) {
    templatesStore.set((s) => ({ ...s, loaded: true, error: toAppError(err) }));
  }
}

/** Applies template.updated: a new template, a status change (approved, paused…). */
export function applyTemplate(t: Template): void {
  templatesStore.set((s) => ({
    ...s,
    templates: sortTemplates([...s.templates.filter((x) => templateKey(x) !== templateKey(t)), t]),
  }));
}

/** Approved templates only: the ones that may be sent. */
export function approved(list: Template[]): Template[] {
  return list.filter((t) => t.status?.toUpperCase() === 'APPROVED');
}

/** Finds the template a sent message used (language codes compared loosely: en-US = en_US). */
export function findTemplate(list: Template[], name: string, language: string): Template | undefined {
  const norm = (l: string) => l.replace('-', '_').toLowerCase();
  return list.find((t) => t.name === name && norm(t.language) === norm(language)) ?? list.find((t) => t.name === name);
}

export function listenTemplates(): () => void {
  return on(EVENTS.templateUpdated, applyTemplate);
}
