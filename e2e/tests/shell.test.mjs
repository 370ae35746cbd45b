// The app shell, driven through a real browser against the dev build: the
// page must load, show what Go's Version binding reports, and round-trip a
// Ping through the Go bridge (answer and app.pinged event).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, startApp } from '../lib/harness.mjs';

test('shell shows Go build info and pings Go through the bridge', async (t) => {
  const app = await startApp(t);
  const { page, problems } = await openPage(t, app.url);
  // The console opens on the inbox; the diagnostics live under System.
  await page.getByRole('button', { name: 'System', exact: true }).click();

  // Version(): the build card is filled from Go.
  const goVersion = page.getByTestId('build-go');
  await goVersion.waitFor();
  assert.match(await goVersion.textContent(), /^go1\.\d+/);
  assert.match(await page.getByTestId('build-version').textContent(), /dev/);

  // Ping(): type a note, click, see Go's reply and the event it emitted.
  await page.getByRole('textbox', { name: 'Note' }).fill('from the browser test');
  await page.getByRole('button', { name: 'Ping Go' }).click();
  await page.getByTestId('ping-reply').filter({ hasText: 'pong: from the browser test' }).waitFor();
  assert.match(await page.getByTestId('ping-result').textContent(), /#1\b/);
  await page.getByTestId('ping-events').filter({ hasText: 'Events from Go: 1' }).waitFor();

  // A second ping counts up: the state lives in the Go process.
  await page.getByRole('button', { name: 'Ping Go' }).click();
  await page.getByTestId('ping-result').filter({ hasText: '#2' }).waitFor();

  await screenshot(page, 'browser-shell');
  assert.deepEqual(problems, [], 'the page logged errors');
});

test('a rejected binding call shows the error code from Go', async (t) => {
  const app = await startApp(t);
  const { page } = await openPage(t, app.url);
  await page.getByRole('button', { name: 'System', exact: true }).click();

  // The input allows more than Go accepts, so Go's validation answers.
  await page.getByRole('textbox', { name: 'Note' }).fill('x'.repeat(201));
  await page.getByRole('button', { name: 'Ping Go' }).click();
  const alert = page.getByTestId('ping-result').getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /VALIDATION_FAILED/);
  assert.match(text, /at most 200/);
});
