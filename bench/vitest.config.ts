import { defineConfig } from 'vitest/config';

// Non-timing checks of the bench's helpers only (benchmarks are not tests: `pnpm bench` measures).
export default defineConfig({
  test: { name: 'bench', include: ['lib/**/*.test.ts'] },
});
