// The end-to-end suite: Debian's Chromium (playwright-core, no browser download) against a
// real csdesk server on a freshly seeded SQLite database, serving the built admin UI.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    // Generous: the 2 cores are shared, and axe-core on a long page takes seconds when they are busy.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The page refetches after an action; on a busy machine that takes more than poll's 1 s.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    reporters: ['default'],
    // One story: a failed step makes the later ones meaningless.
    bail: 1,
  },
});
