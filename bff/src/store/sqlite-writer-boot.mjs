// The writer thread's entry (see sqlite-thread-store.ts). Plain JavaScript, so every Node can start
// it: on Node 20 a worker thread does not inherit a TypeScript loader (neither `node --import tsx`'s
// nor vitest's), so this loads the TypeScript writer through tsx's own import.
import { tsImport } from 'tsx/esm/api';

await tsImport('./sqlite-writer.ts', import.meta.url);
