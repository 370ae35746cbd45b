import { describe, expect, it } from 'vitest';
import { TEMPLATES } from '../test/fixtures';
import { placeholders, renderTemplate, segmentsText, templateFields, templateVariables, validateTemplate, valuesFromSent } from './templates';

const byName = (n: string) => TEMPLATES.find((t) => t.name === n)!;

describe('placeholders', () => {
  it('orders positional placeholders by number and dedupes', () => {
    expect(placeholders('{{2}} and {{1}} then {{2}}')).toEqual(['1', '2']);
  });
  it('keeps named placeholders in order of appearance', () => {
    expect(placeholders('Hi {{ customer_name }}, {{date}}')).toEqual(['customer_name', 'date']);
  });
});

describe('templateFields', () => {
  it('lists body and URL-button variables of a positional template', () => {
    const f = templateFields(byName('order_update'));
    expect(f.map((x) => [x.key, x.kind, x.example])).toEqual([
      ['1', 'text', 'Emily'],
      ['2', 'text', '#48213'],
      ['3', 'text', 'Friday, May 9'],
      ['button.0', 'url_suffix', '48213'],
    ]);
  });
  it('names the variables of a named template', () => {
    const f = templateFields(byName('appointment_reminder'));
    expect(f.map((x) => x.key)).toEqual(['customer_name', 'provider', 'date', 'time']);
    expect(f[0]!.label).toBe('Customer name');
    expect(f[1]!.example).toBe('Dr. Kim');
  });
  it('asks for a media link for a media header', () => {
    expect(templateFields(byName('spring_sale'))[0]).toMatchObject({ key: 'header', kind: 'media', format: 'IMAGE' });
  });
});

describe('renderTemplate', () => {
  it('substitutes values and keeps missing ones visible', () => {
    const r = renderTemplate(byName('order_update'), { '1': 'Ana', '2': '#9' });
    expect(segmentsText(r.body)).toBe('Hi Ana, your order #9 has shipped and should arrive by {{3}}. Reply here if you have any questions.');
    expect(r.body.find((s) => s.var === '3')?.missing).toBe(true);
    expect(r.buttons[0]).toEqual({ type: 'URL', text: 'Track order', url: 'https://shop.example.com/track/' });
  });
  it('renders header, footer and buttons', () => {
    const r = renderTemplate(byName('hello_world'), {});
    expect(segmentsText(r.header!.text!)).toBe('Hello World');
    expect(r.footer).toBe('WhatsApp Business Platform sample message');
  });
});

describe('validateTemplate', () => {
  const t = byName('order_update');
  const good = { '1': 'Ana', '2': '#9', '3': 'Friday', 'button.0': '9' };
  const cases: { name: string; values: Record<string, string>; want: Record<string, RegExp> }[] = [
    { name: 'all filled', values: good, want: {} },
    { name: 'missing value', values: { ...good, '2': ' ' }, want: { '2': /Required/ } },
    { name: 'newline in a value', values: { ...good, '1': 'a\nb' }, want: { '1': /new lines/ } },
    { name: 'five spaces', values: { ...good, '1': 'a     b' }, want: { '1': /4 spaces/ } },
    { name: 'space in link ending', values: { ...good, 'button.0': 'a b' }, want: { 'button.0': /spaces/ } },
    { name: 'too long', values: { ...good, '1': 'x'.repeat(1100) }, want: { '1': /1024/, '': /1024/ } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errs = validateTemplate(t, c.values);
      expect(Object.keys(errs).sort()).toEqual(Object.keys(c.want).sort());
      for (const [k, re] of Object.entries(c.want)) expect(errs[k]).toMatch(re);
    });
  }
  it('refuses a template that is not approved', () => {
    expect(validateTemplate(byName('winter_promo'), { '1': 'x' })['']).toMatch(/paused/);
  });
});

describe('variables', () => {
  it('sends only the template’s keys, trimmed', () => {
    expect(templateVariables(byName('order_update'), { '1': ' Ana ', '2': 'x', '3': 'y', 'button.0': 'z', stray: 'no' })).toEqual({
      '1': 'Ana',
      '2': 'x',
      '3': 'y',
      'button.0': 'z',
    });
  });
  it('reads the values back from a sent Cloud API template', () => {
    expect(
      valuesFromSent({
        name: 'x',
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://a/b.png' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'Dr', parameter_name: 'provider' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '48213' }] },
        ],
      }),
    ).toEqual({ header: 'https://a/b.png', '1': 'Ana', provider: 'Dr', 'button.0': '48213' });
  });
});
