// Reusable pieces for Switchboard's browser tests: start the dev build of the
// app (real Go bindings, served on 127.0.0.1), open its page in the system
// Chromium through playwright-core, save screenshots, and always clean up.
//
// A flow test looks like:
//
//   import { test, after } from 'node:test';
//   import { startApp, openPage, screenshot } from '../lib/harness.mjs';
//   test('my flow', async (t) => {
//     const app = await startApp(t);          // stopped when t ends
//     const { page } = await openPage(t, app.url);
//     await page.getByRole('button', { name: 'Ping Go' }).click();
//     ...
//     await screenshot(page, 'my-flow');
//   });

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where screenshots go; the README shows one of them. */
export const SCREENSHOTS = join(ROOT, 'build', 'screenshots');
/** The dev build made by `make dev-build`. */
export const DEV_BINARY = process.env.SWITCHBOARD_DEV_BINARY || join(ROOT, 'build', 'bin', 'switchboard-dev');
/** Debian's Chromium; playwright-core never downloads its own. */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // tests run as root in CI
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Process groups started by this harness, killed on any exit path so a failed
// or interrupted test never leaves an app or Xvfb behind.
const groups = new Set();
function killGroups(signal) {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      groups.delete(pgid);
    }
  }
}
process.on('exit', () => killGroups('SIGKILL'));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    killGroups('SIGKILL');
    process.exit(130);
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits for promise or ms, whichever is first, without leaving a timer that
// keeps node alive.
function within(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

async function waitForHttp(url, { timeoutMs, isAlive, logPath }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`app exited before serving ${url}\n${tail(logPath)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      lastError = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await sleep(250);
  }
  throw new Error(`app did not serve ${url} within ${timeoutMs} ms (${lastError?.message})\n${tail(logPath)}`);
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts the dev build under its own Xvfb (the dev binary opens its GTK
 * window too) with the UI served from frontend/dist and the Wails dev server
 * on a free 127.0.0.1 port. HOME and XDG dirs point at a fresh temp dir.
 * When `t` (a node:test context) is given, the app is stopped when t ends.
 * With `home` (makeHome), the app keeps its data there across runs.
 *
 * Returns { url, port, logPath, stop() }.
 */
export async function startApp(t, { binary = DEV_BINARY, args = [], env = {}, timeoutMs = 60_000, home: keptHome } = {}) {
  if (!existsSync(binary)) throw new Error(`${binary} not found: run make dev-build`);
  const port = await freePort();
  // A given home (makeHome) outlives this run: a restart finds its data.
  const home = keptHome ?? mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  const logPath = join(home, `app-${port}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(
    'xvfb-run',
    [
      '-a',
      '-s',
      '-screen 0 1440x900x24 -nolisten tcp',
      binary,
      '-assetdir',
      join(ROOT, 'frontend', 'dist'),
      '-devserver',
      `127.0.0.1:${port}`,
      '-loglevel',
      'Warning',
      ...args,
    ],
    {
      cwd: ROOT,
      // Its own process group, so stop() reaches xvfb-run, Xvfb and the app.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CACHE_HOME: join(home, 'cache'),
        ...env,
      },
    },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  groups.add(child.pid);
  let exited = false;
  const done = new Promise((r) => child.once('exit', () => { exited = true; r(); }));

  const stop = async () => {
    if (!groups.has(child.pid)) return;
    // SIGTERM first: the app quits through Wails and runs its Shutdown.
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    await within(done, 10_000);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    groups.delete(child.pid);
    log.end();
    if (!keptHome) rmSync(home, { recursive: true, force: true });
  };
  t?.after(stop);

  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(url, { timeoutMs, isAlive: () => !exited, logPath });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, logPath, log: () => tail(logPath, 200), stop };
}

/** A home folder for startApp({ home }) that outlives one run of the app; removed when t ends. */
export function makeHome(t) {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/**
 * Launches Chromium and opens url. Console errors and failed requests on the
 * page are collected in `problems` so a test can assert the page is clean.
 * Closed when `t` ends. Returns { browser, page, problems, close() }.
 */
export async function openPage(t, url, { viewport = { width: 1280, height: 800 }, colorScheme = 'light' } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const close = () => browser.close().catch(() => {});
  t?.after(close);
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  await page.goto(url, { waitUntil: 'load' });
  // The Wails dev bridge defines window.go once its websocket is connected.
  await page.waitForFunction(() => typeof window.go?.app?.App === 'object', null, { timeout: 20_000 });
  return { browser, page, problems, close };
}

/** Saves a full-page screenshot as build/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
