/**
 * 6. The mini program's size. The bundle is built with miniapp/scripts/build.ts's own build function
 * (the same esbuild settings as `node --import tsx miniapp/scripts/build.ts`, type-check skipped)
 * into a scratch directory, because that build first deletes its output folder and other work may be
 * reading miniapp/dist at this moment. If the build script is absent or fails, an existing
 * miniapp/dist is measured instead (and said so); with neither, the result is "not built".
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from './lib/bff';
import { progress } from './lib/log';
import { fmtBytes } from './lib/stats';

export interface MiniappSizeResult {
  status: 'built' | 'existing-dist' | 'not built';
  note: string;
  files: number;
  totalBytes: number;
  jsBytes: number;
  gzipBytes: number;
  largest: { file: string; bytes: number }[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

function measureDir(dir: string): Omit<MiniappSizeResult, 'status' | 'note'> {
  const files = walk(dir).map((file) => ({
    file: relative(dir, file),
    bytes: statSync(file).size,
    gzip: gzipSync(readFileSync(file), { level: 9 }).length,
  }));
  return {
    files: files.length,
    totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    jsBytes: files.filter((f) => f.file.endsWith('.js')).reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzip, 0),
    largest: [...files]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 5)
      .map(({ file, bytes }) => ({ file, bytes })),
  };
}

export async function measureMiniappSize(options: { scratchDir: string }): Promise<MiniappSizeResult> {
  const script = join(REPO_ROOT, 'miniapp/scripts/build.ts');
  const dist = join(REPO_ROOT, 'miniapp/dist');
  let failure = '';
  if (existsSync(script)) {
    try {
      const mod = (await import(pathToFileURL(script).href)) as Record<string, unknown>;
      const build = (mod.buildMiniapp ?? mod.build) as ((o: object) => Promise<unknown>) | undefined;
      if (typeof build !== 'function') throw new Error('miniapp/scripts/build.ts exports no buildMiniapp()');
      const outDir = join(options.scratchDir, 'miniapp-dist');
      progress('miniapp: building the bundle into a scratch dir');
      await build({ outDir, typecheck: false, log: () => undefined });
      const figures = measureDir(outDir);
      progress(`miniapp: ${figures.files} files, ${fmtBytes(figures.totalBytes)} (${fmtBytes(figures.gzipBytes)} gzipped)`);
      return {
        status: 'built',
        note: 'built with miniapp/scripts/build.ts (buildMiniapp, type-check skipped) into a scratch dir',
        ...figures,
      };
    } catch (error) {
      failure = (error as Error).message.split('\n')[0] ?? String(error);
      progress(`miniapp: build failed: ${failure}`);
    }
  }
  if (existsSync(dist) && walk(dist).length > 0) {
    const figures = measureDir(dist);
    const when = new Date(statSync(dist).mtime).toISOString();
    return {
      status: 'existing-dist',
      note: `${failure ? `build failed (${failure}); ` : 'no build script; '}measured the existing miniapp/dist (modified ${when})`,
      ...figures,
    };
  }
  return {
    status: 'not built',
    note: failure ? `build failed: ${failure}` : 'miniapp/scripts/build.ts and miniapp/dist do not exist yet',
    files: 0,
    totalBytes: 0,
    jsBytes: 0,
    gzipBytes: 0,
    largest: [],
  };
}
