// The end-to-end suite: Debian's Chromium (playwright-core, no browser download) against a
// real csdesk server on a freshly seeded SQLite database, serving the built admin UI.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // One story: a failed step makes the later ones meaningless.
    bail: 1,
  },
});
