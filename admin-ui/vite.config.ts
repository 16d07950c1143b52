/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by csdesk at /admin, next to /graphql on the same origin (the session cookie is
// HttpOnly and SameSite=Strict). `npm run dev` proxies /graphql to a local `make run`.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    manifest: true,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: { '/graphql': process.env.CSDESK_API ?? 'http://127.0.0.1:8000' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    // userEvent in jsdom is slow on a busy 2-core machine; the default 5 s is too tight.
    testTimeout: 30_000,
  },
});
