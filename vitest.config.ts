import { defineConfig } from 'vitest/config';

// One run over every package; each package is a project so its setup stays its own.
// CI sets VITEST_JSON to a path: .ci/run counts passed and failed tests from that report.
const json = process.env.VITEST_JSON;

export default defineConfig({
  test: {
    reporters: json ? ['default', 'json'] : ['default'],
    ...(json ? { outputFile: { json } } : {}),
    projects: [
      { test: { name: 'repo', include: ['scripts/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'shared', include: ['shared/src/**/*.test.ts'] } },
      { test: { name: 'bff', include: ['bff/src/**/*.test.ts', 'bff/test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
      { test: { name: 'sandbox', include: ['sandbox/src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
      'miniapp/vitest.config.ts',
      'bench/vitest.config.ts',
    ],
  },
});
