// The main screens checked with axe-core: no serious or critical violation
// in the inbox with a conversation open, an open menu, the reaction picker,
// the help dialog and Settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seriousViolations } from '../lib/axe.mjs';
import { openPage, screenshot, startApp } from '../lib/harness.mjs';
import { bindsAll, callGo, rowOf, searchReactionPicker, showAll, until } from '../lib/console.mjs';

test('the main screens have no serious or critical accessibility violations', async (t) => {
  const app = await startApp(t, { env: { SWITCHBOARD_SANDBOX_RATE: '0' } });
  const { page } = await openPage(t, app.url, { viewport: { width: 1440, height: 900 } });
  if (!(await bindsAll(page, ['Status', 'SandboxCustomerSays']))) {
    t.skip('the dev build does not bind the sandbox controls');
    return;
  }
  await until(async () => (await callGo(page, 'Status')).signed_in, { what: 'the console to sign in' });
  await page.getByTestId('inbox-list').waitFor();
  const check = async (screen) => {
    const found = await seriousViolations(page);
    if (found.length) await screenshot(page, `a11y-failed-${screen}`);
    assert.deepEqual(found, [], `${screen}: serious or critical violations`);
  };

  await check('inbox');
  await showAll(page);
  await callGo(page, 'SandboxCustomerSays', '+14155550188', 'Axel Access', 'Hello, is anyone there?');
  await rowOf(page, 'Axel Access').click({ timeout: 20_000 });
  const msg = page.getByTestId('chat').getByTestId('message').filter({ hasText: 'Hello, is anyone there?' });
  await msg.waitFor();
  await check('conversation');

  await page.getByTestId('status-menu').click();
  await page.getByRole('menu').waitFor();
  await check('status-menu');
  await page.keyboard.press('Escape');

  await searchReactionPicker(page, msg, 'thumbs');
  await page.getByRole('gridcell', { name: 'Thumbs up' }).first().waitFor({ timeout: 20_000 });
  await check('reaction-picker');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await page.getByRole('dialog', { name: /Keyboard shortcuts/ }).waitFor();
  await check('help-dialog');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Settings' }).click();
  await check('settings');
});
