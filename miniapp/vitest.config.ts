import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/**
 * The `miniapp` project. Its global setup builds `miniapp/dist` (type-check included) once, because
 * the harness and dist tests run the compiled mini program, not the sources.
 */
export default defineProject({
  test: {
    name: 'miniapp',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./test/global-setup.ts'],
  },
});
