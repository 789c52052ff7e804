import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MINIAPP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SRC_DIR = path.join(MINIAPP_DIR, 'src');
export const DEFAULT_OUT_DIR = path.join(MINIAPP_DIR, 'dist');

/** Resolves the build's tools and packages (typescript, antd-mini, `@tradepay/shared`) from the mini program. */
export const require = createRequire(import.meta.url);
