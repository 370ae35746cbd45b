// The agent console against the dev build on the demo sandbox: a hub
// and simulated customers beside the app. The flows drive the
// customers and the sandbox clock through the dev-only bound controls
// (SandboxCustomerSays, SandboxAdvance) and assert on what the agent sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, startApp } from '../lib/harness.mjs';
import { bindsAll, callGo, rowOf, showAll, until } from '../lib/console.mjs';

const CONTROLS = ['Status', 'Inbox', 'OpenConversation', 'SendText', 'SendTemplate', 'SandboxCustomerSays', 'SandboxAdvance'];

test('agent console on the demo sandbox', async (t) => {
  const app = await startApp(t);
  const { page, problems } = await openPage(t, app.url, { viewport: { width: 1440, height: 900 } });
  // A failed step leaves a screenshot of what the agent saw.
  const step = (name, fn) =>
    t.test(name, async (st) => {
      try {
        await fn(st);
      } catch (err) {
        await screenshot(page, `console-failed-${name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {});
        throw err;
      }
    });
  if (!(await bindsAll(page, CONTROLS))) {
    t.skip(`the dev build does not bind the console and sandbox controls yet (${CONTROLS.join(', ')})`);
    return;
  }
  // The console signs in to the demo hub on its own.
  await until(async () => (await callGo(page, 'Status')).signed_in, { what: 'the console to sign in to the demo hub' });
  await page.getByTestId('inbox-list').waitFor();

  const phone = '+14155550142';
  const name = 'Ana E2E';
  const greeting = 'Hi, is order 48213 on its way?';

  await step('a customer message arrives and shows with its badge', async () => {
    await showAll(page);
    await callGo(page, 'SandboxCustomerSays', phone, name, greeting);
    const row = rowOf(page, name);
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.textContent(), /Hi, is order 48213 on its way\?/);
    await row.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor();
    await row.getByTestId('waiting-timer').waitFor();
    // The unanswered total reaches the title.
    await until(async () => /^\(\d+\) Switchboard$/.test(await page.title()), { what: 'the unanswered count in the title' });
    await screenshot(page, 'console-inbox');
  });

  await step('the agent replies and the ticks move to read', async () => {
    await rowOf(page, name).click();
    await page.getByTestId('chat').getByTestId('message').filter({ hasText: greeting }).waitFor();
    const reply = 'Yes! It ships today — tracking follows.';
    await page.getByRole('textbox', { name: 'Message' }).fill(reply);
    await page.keyboard.press('Enter');
    const sent = page.locator('[data-testid=message][data-direction=outbound]').filter({ hasText: reply });
    await sent.waitFor({ timeout: 20_000 });
    // The simulated customer reads it as the sandbox's time passes.
    await until(
      async () => {
        if ((await sent.getAttribute('data-status')) === 'read') return true;
        await callGo(page, 'SandboxAdvance', 20);
        return false;
      },
      { timeoutMs: 60_000, everyMs: 1000, what: 'the reply to be read' },
    );
    await sent.getByRole('img', { name: 'Read' }).waitFor();
    await screenshot(page, 'console-chat-read');
  });

  await step('the window expires (sandbox clock) and the composer offers templates', async () => {
    assert.equal(await page.getByTestId('composer').getAttribute('data-mode'), 'text');
    // The simulated customer may still answer the reply once the clock
    // jumps (which reopens the window); jump again until a day passes in
    // silence.
    const composer = page.getByTestId('composer');
    await until(
      async () => {
        await callGo(page, 'SandboxAdvance', 25 * 3600);
        await new Promise((r) => setTimeout(r, 1500));
        return (await composer.getAttribute('data-mode')) === 'template';
      },
      { timeoutMs: 30_000, everyMs: 0, what: 'the window to stay closed' },
    );
    await page.getByText('The 24-hour window is closed.').waitFor();
    await page.getByRole('listbox', { name: 'Approved templates' }).getByRole('option').first().waitFor();
    await screenshot(page, 'console-window-closed');
  });

  await step('a template send with variables', async () => {
    await page.getByRole('searchbox', { name: 'Search templates' }).fill('order_update');
    await page.getByRole('option', { name: /order_update.*English/ }).first().click();
    const preview = page.getByLabel('Preview');
    await page.getByLabel('{{1}}').fill('Ana');
    await page.getByLabel('{{2}}').fill('#48213');
    await page.getByLabel('{{3}}').fill('Friday');
    await page.getByLabel(/Track order/).fill('48213');
    assert.match(await preview.textContent(), /Hi Ana, your order #48213 has shipped and should arrive by Friday\./);
    await screenshot(page, 'console-template-form');
    await page.getByRole('button', { name: /send template/i }).click();
    const sent = page.locator('[data-testid=message][data-direction=outbound][data-type=template]').filter({ hasText: 'Hi Ana, your order #48213' });
    await sent.waitFor({ timeout: 20_000 });
    await until(async () => ['sent', 'delivered', 'read'].includes(await sent.getAttribute('data-status')), { what: 'the template to be sent' });
    await screenshot(page, 'console-template-sent');
  });

  await step('an offline send is delivered on reconnect', async (st) => {
    if (!(await bindsAll(page, ['SandboxSetHubOnline']))) {
      st.skip('the dev build has no control to take the demo hub offline (SandboxSetHubOnline)');
      return;
    }
    // A customer writes again, so the window is open for free text.
    await callGo(page, 'SandboxCustomerSays', phone, name, 'Thanks! One more thing…');
    await page.locator('[data-testid=composer][data-mode=text]').waitFor({ timeout: 20_000 });
    await callGo(page, 'SandboxSetHubOnline', false);
    await page.getByTestId('offline-banner').waitFor({ timeout: 30_000 });
    const text = 'Sent while offline';
    await page.getByRole('textbox', { name: 'Message' }).fill(text);
    await page.keyboard.press('Enter');
    const pending = page.getByTestId('outbox-item').filter({ hasText: text });
    await pending.waitFor();
    await screenshot(page, 'console-offline-pending');
    await callGo(page, 'SandboxSetHubOnline', true);
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 60_000 });
    const delivered = page.locator('[data-testid=message][data-direction=outbound]').filter({ hasText: text });
    await delivered.waitFor({ timeout: 60_000 });
    await pending.waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-testid=message][data-direction=outbound]').filter({ hasText: text }).count(), 1, 'sent exactly once');
  });

  // The same console in dark mode, for people to look at.
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'console-dark');

  assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), [], 'the page logged errors');
});
