import type { GoApp } from '../lib/go';
import type { BuildInfo, Pong } from '../stores/system';

/**
 * Installs a stand-in for window.go.app.App, the object the Wails bridge
 * creates, for the bare shell: a facade with no console (Options.Console
 * without a DataDir), so components run through the generated bindings in
 * jsdom. Version and Ping answer, with the generated bindings' signatures,
 * and can be replaced per test; every other bound method rejects with
 * UNAVAILABLE, as Go's facade does when no console runs.
 */
export type FakeApp = Pick<GoApp, 'Version' | 'Ping'>;

export const sampleBuild: BuildInfo = {
  name: 'Switchboard',
  version: '1.2.3',
  build_type: 'production',
  commit: 'abc123def456',
  go_version: 'go1.26.8',
  wails_version: 'v2.12.0',
  os: 'linux',
  arch: 'amd64',
  started_at: '2025-01-02T03:04:05Z',
};

export function installFakeGo(overrides: Partial<FakeApp> = {}): FakeApp {
  let count = 0;
  const fake: FakeApp = {
    Version: async () => sampleBuild,
    Ping: async (note: string): Promise<Pong> => {
      count += 1;
      return { reply: note ? `pong: ${note}` : 'pong', count, received_at: '2025-01-02T03:04:06Z', uptime_ms: 1000 };
    },
    ...overrides,
  };
  const unavailable = () => Promise.reject({ code: 'UNAVAILABLE', message: 'the console is not running', doc_url: '/docs/errors#UNAVAILABLE' });
  const app = new Proxy(fake, { get: (target, name) => (name in target ? target[name as keyof FakeApp] : unavailable) });
  (window as unknown as { go: unknown }).go = { app: { App: app } };
  return fake;
}
