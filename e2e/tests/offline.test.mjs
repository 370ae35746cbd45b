// Every write an agent makes offline — a note, an assignment, a reaction, a
// close — shows at once as pending, survives a restart of the console while
// still offline, and reaches the hub exactly once when it is back. The hub
// is asked through its own API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeHome, openPage, screenshot, startApp } from '../lib/harness.mjs';
import { bindsAll, callGo, rowOf, searchReactionPicker, showAll, until } from '../lib/console.mjs';

const CONTROLS = ['Status', 'React', 'AddNote', 'SandboxCustomerSays', 'SandboxSetHubOnline'];

/** Asks the demo hub's REST API, as its admin, through the console's link to it. */
async function hubGet(page, dataDir, path) {
  const { hub_url: hubURL } = await callGo(page, 'Status');
  const token = readFileSync(join(dataDir, 'demo', 'admin-token'), 'utf8').trim();
  const res = await fetch(new URL(path, hubURL), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
  return (await res.json()).data;
}

async function signedIn(page) {
  await until(async () => (await callGo(page, 'Status')).signed_in, { what: 'the console to sign in to the demo hub' });
  await page.getByTestId('inbox-list').waitFor();
}

test('every write made offline survives a restart and reaches the hub once', async (t) => {
  const home = makeHome(t);
  const dataDir = join(home, 'switchboard-data');
  const env = { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_SANDBOX_RATE: '0' };
  let app = await startApp(t, { home, env });
  let { page, problems, close } = await openPage(t, app.url, { viewport: { width: 1440, height: 900 } });
  if (!(await bindsAll(page, CONTROLS))) {
    t.skip(`the dev build does not bind ${CONTROLS.join(', ')}`);
    return;
  }
  await signedIn(page);
  const phone = '+14155550177';
  const name = 'Olga Offline';
  const greeting = 'Do you have it in blue?';
  await showAll(page);
  await callGo(page, 'SandboxCustomerSays', phone, name, greeting);
  await rowOf(page, name).click({ timeout: 20_000 });
  const customerMessage = page.getByTestId('chat').locator('[data-testid=message][data-direction=inbound]').filter({ hasText: greeting });
  await customerMessage.waitFor();

  await callGo(page, 'SandboxSetHubOnline', false);
  await page.getByTestId('offline-banner').waitFor({ timeout: 30_000 });

  // A note.
  await page.getByRole('tab', { name: /note/i }).click();
  await page.getByRole('textbox', { name: 'Internal note' }).fill('Wants the blue one, size M');
  await page.keyboard.press('Enter');
  await page.getByTestId('pending-note').filter({ hasText: 'Wants the blue one' }).waitFor();
  await page.getByRole('tab', { name: /reply/i }).click();

  // Assign to me (the menu works from the keyboard).
  await page.getByTestId('assign-menu').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menuitemradio', { name: 'Assign to me' }).waitFor();
  await page.keyboard.press('Enter');
  await page.getByTestId('pending-assign').waitFor();

  // A reaction from the picker.
  await searchReactionPicker(page, customerMessage, 'thumbs');
  await page.getByRole('gridcell', { name: 'Thumbs up' }).first().waitFor({ timeout: 20_000 });
  await screenshot(page, 'console-reaction-picker');
  await page.getByRole('button', { name: 'React with 👍' }).click();
  await customerMessage.getByTestId('pending-reaction').filter({ hasText: '👍' }).waitFor();

  // Close.
  await page.getByRole('button', { name: 'Close conversation' }).click();
  await page.getByTestId('pending-status').waitFor();
  assert.match(await page.getByTestId('status-menu').textContent(), /Closed/);
  await screenshot(page, 'console-offline-pending-writes');

  // The console restarts while still offline: everything is still there.
  await close();
  await app.stop();
  app = await startApp(t, { home, env: { ...env, SWITCHBOARD_SANDBOX_OFFLINE: '1' } });
  ({ page, problems, close } = await openPage(t, app.url, { viewport: { width: 1440, height: 900 } }));
  await signedIn(page);
  await page.getByTestId('offline-banner').waitFor({ timeout: 30_000 });
  await showAll(page);
  await rowOf(page, name).click({ timeout: 20_000 });
  await page.getByTestId('pending-note').filter({ hasText: 'Wants the blue one' }).waitFor();
  await page.getByTestId('pending-assign').waitFor();
  await page.getByTestId('pending-status').waitFor();
  await page.getByTestId('chat').getByTestId('pending-reaction').filter({ hasText: '👍' }).waitFor();
  await screenshot(page, 'console-offline-after-restart');

  // Back online: each write reaches the hub, and no pending mark is left.
  await callGo(page, 'SandboxSetHubOnline', true);
  await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 60_000 });
  for (const id of ['pending-note', 'pending-assign', 'pending-status', 'pending-reaction']) {
    await page.getByTestId(id).waitFor({ state: 'detached', timeout: 60_000 });
  }
  await page.getByTestId('chat').getByTestId('note').filter({ hasText: 'Wants the blue one' }).waitFor();

  const me = (await callGo(page, 'Status')).user;
  const [conv] = await hubGet(page, dataDir, `/v1/conversations?phone=${encodeURIComponent(phone)}`);
  assert.ok(conv, 'the hub has the conversation');
  assert.equal(conv.status, 'closed', 'closed once');
  assert.equal(conv.assignee_id, me.id, 'assigned to the agent');
  const notes = await hubGet(page, dataDir, `/v1/conversations/${conv.id}/notes`);
  assert.deepEqual(
    notes.map((n) => n.body),
    ['Wants the blue one, size M'],
    'the note is on the hub exactly once',
  );
  const messages = await hubGet(page, dataDir, `/v1/conversations/${conv.id}/messages`);
  const target = messages.find((m) => m.direction === 'inbound' && m.preview === greeting);
  assert.deepEqual(
    target.reactions.filter((r) => r.from === String(me.id)).map((r) => r.emoji),
    ['👍'],
    'the reaction is on the message exactly once',
  );
  const sentReactions = await hubGet(page, dataDir, `/v1/messages?phone=${encodeURIComponent(phone)}&type=reaction&direction=outbound`);
  assert.equal(sentReactions.length, 1, 'one reaction reached the customer');
  await screenshot(page, 'console-offline-writes-synced');
  assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), [], 'the page logged errors');
});
