import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/redis-server.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // An unhandled rejection anywhere fails the run (vitest's default, stated on purpose).
    dangerouslyIgnoreUnhandledErrors: false,
    reporters: ['default'],
  },
});
