/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One config for the app build (frontend/dist, embedded by main.go) and for
// Vitest, so tests see the same JSX transform and module resolution.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // dist/.gitkeep is committed so Go's //go:embed works before the first
    // build. Vite empties dist on every build and copies public/ back in,
    // and public/.gitkeep brings the placeholder back with it.
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // WebKit keeps a script's decoded source for the page's lifetime, and
      // one character above U+00FF ("…", "’") makes it a 16-bit string
      // twice the bundle's size; escaped, the source stays 8-bit.
      output: { charset: 'ascii' },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // The flows through the fake console take 1–4 s on a quiet machine;
    // the shared 2-core machines run several suites at once.
    testTimeout: 20_000,
  },
});
