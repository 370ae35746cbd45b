// Helpers for the console flows: call the dev build's bound Go methods from
// the page (the sandbox controls the e2e flows drive), and wait on what the
// UI shows.

/** Calls window.go.app.App[name](...args) in the page and returns its answer. */
export async function callGo(page, name, ...args) {
  return page.evaluate(
    async ([n, a]) => {
      const fn = window.go?.app?.App?.[n];
      if (typeof fn !== 'function') throw new Error(`the dev build binds no ${n}`);
      return fn(...a);
    },
    [name, args],
  );
}

/** Whether the dev build binds every one of names. */
export async function bindsAll(page, names) {
  return page.evaluate((ns) => ns.every((n) => typeof window.go?.app?.App?.[n] === 'function'), names);
}

/** Polls fn until it returns a truthy value or timeoutMs passes. */
export async function until(fn, { timeoutMs = 30_000, everyMs = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Shows every conversation (All tab, any status), so a new one is listed wherever it was assigned. */
export async function showAll(page) {
  await page.getByTestId('tab-all').click();
  await page.getByRole('group', { name: 'Status filter' }).getByRole('button', { name: 'Any' }).click();
}

/** The inbox row of a contact. */
export function rowOf(page, name) {
  return page.getByTestId('inbox-row').filter({ hasText: name });
}

/** Opens a message's reaction picker, shows the full grid and searches it for query. */
export async function searchReactionPicker(page, message, query) {
  await message.hover();
  await message.getByTestId('react-button').click();
  await page.getByTestId('reaction-picker').waitFor();
  await page.getByRole('button', { name: 'More emoji' }).click();
  await page.getByRole('searchbox', { name: 'Search emoji' }).fill(query);
}
