import type { BuildInfo, Pong } from '../lib/bridge';

/**
 * Installs a stand-in for window.go.app.App, the object the Wails bridge
 * creates, so components run through the generated bindings in jsdom.
 * Each method can be replaced per test.
 */
export interface FakeApp {
  Version: () => Promise<BuildInfo>;
  Ping: (note: string) => Promise<Pong>;
}

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
    Ping: async (note: string) => {
      count += 1;
      return { reply: note ? `pong: ${note}` : 'pong', count, received_at: '2025-01-02T03:04:06Z', uptime_ms: 1000 };
    },
    ...overrides,
  };
  (window as unknown as { go: unknown }).go = { app: { App: fake } };
  return fake;
}
