import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * design.md's boundaries, as eslint.config.js encodes them: each forbidden import (or use of `my`) is
 * linted as a file placed in the folder it concerns, and must fail with the boundary's rule; the same
 * code elsewhere, or an allowed import in the same folder, must pass. No file is written.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function rulesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const IMPORTS = 'no-restricted-imports';
const GLOBALS = 'no-restricted-globals';

const forbidden: Array<[where: string, file: string, code: string, rule: string]> = [
  [
    'shared/ imports no node:*',
    'shared/src/probe.ts',
    "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
    IMPORTS,
  ],
  [
    'shared/ imports no bare Node builtin',
    'shared/src/probe.ts',
    "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n",
    IMPORTS,
  ],
  ['shared/ imports no Fastify', 'shared/src/probe.ts', "import Fastify from 'fastify';\nexport const f = Fastify;\n", IMPORTS],
  ['shared/ uses no my', 'shared/src/probe.ts', 'export const pay = () => my.tradePay({ orderStr: "" });\n', GLOBALS],
  [
    'payments/ imports no Fastify',
    'bff/src/payments/probe.ts',
    "import type { FastifyInstance } from 'fastify';\nexport type A = FastifyInstance;\n",
    IMPORTS,
  ],
  [
    'payments/ imports no @fastify plugin',
    'bff/src/payments/probe.ts',
    "import cors from '@fastify/cors';\nexport const c = cors;\n",
    IMPORTS,
  ],
  [
    'payments/ imports no channel',
    'bff/src/payments/probe.ts',
    "import * as c from '../channels/alipayhk/client';\nexport const x = c;\n",
    IMPORTS,
  ],
  [
    'payments/ imports no channel registry',
    'bff/src/payments/probe.ts',
    "import * as r from '../channels/registry';\nexport const x = r;\n",
    IMPORTS,
  ],
  [
    'payments/ throws no HTTP error',
    'bff/src/payments/probe.ts',
    "import { AppError } from '../errors';\nexport const e = new AppError('ORDER_NOT_FOUND');\n",
    IMPORTS,
  ],
  [
    'payments/ reads no HTTP error table',
    'bff/src/payments/agreements/probe.ts',
    "import { ERROR_CODES } from '../../errors';\nexport const c = ERROR_CODES;\n",
    IMPORTS,
  ],
  [
    'routes import no channel',
    'bff/src/routes/probe.ts',
    "import * as c from '../channels/latipay/client';\nexport const x = c;\n",
    IMPORTS,
  ],
  [
    'bff production imports no sandbox package',
    'bff/src/probe.ts',
    "import { buildSandbox } from '@tradepay/sandbox';\nexport const s = buildSandbox;\n",
    IMPORTS,
  ],
  [
    'bff production imports no sandbox folder',
    'bff/src/channels/alipayhk/probe.ts',
    "import * as s from '../../../../sandbox/src/app';\nexport const x = s;\n",
    IMPORTS,
  ],
  [
    'payments/ imports no sandbox either',
    'bff/src/payments/probe.ts',
    "import * as s from '@tradepay/sandbox';\nexport const x = s;\n",
    IMPORTS,
  ],
  ['shared/ imports no sandbox either', 'shared/src/probe.ts', "import * as s from '@tradepay/sandbox';\nexport const x = s;\n", IMPORTS],
  ['the H5 page imports no sandbox', 'bff/h5/src/probe.ts', "import * as s from '@tradepay/sandbox';\nexport const x = s;\n", IMPORTS],
  [
    'the mini program imports no sandbox',
    'miniapp/src/probe.ts',
    "import * as s from '@tradepay/sandbox';\nexport const x = s;\n",
    IMPORTS,
  ],
  [
    'a mini program page uses no my',
    'miniapp/src/pages/checkout/probe.ts',
    'export const pay = () => my.tradePay({ orderStr: "" });\n',
    GLOBALS,
  ],
  ['a mini program flow uses no my', 'miniapp/src/flow/probe.ts', 'export const lang = () => my.getSystemInfoSync().language;\n', GLOBALS],
  ['nor through globalThis', 'miniapp/src/api/probe.ts', 'export const m = globalThis.my;\n', 'no-restricted-properties'],
  [
    'the BFF uses no AsyncLocalStorage (the request id is passed down)',
    'bff/src/ops/probe.ts',
    "import { AsyncLocalStorage } from 'node:async_hooks';\nexport const s = new AsyncLocalStorage<string>();\n",
    IMPORTS,
  ],
  [
    'nor async_hooks in payments/',
    'bff/src/payments/probe.ts',
    "import { createHook } from 'async_hooks';\nexport const h = createHook;\n",
    IMPORTS,
  ],
  [
    'nor in routes/',
    'bff/src/routes/probe.ts',
    "import { AsyncLocalStorage } from 'node:async_hooks';\nexport const s = new AsyncLocalStorage<string>();\n",
    IMPORTS,
  ],
];

const allowed: Array<[where: string, file: string, code: string]> = [
  [
    'payments/ imports the Channel port',
    'bff/src/payments/probe.ts',
    "import type { Channel } from './channel';\nexport type C = Channel;\n",
  ],
  [
    'payments/ imports node:crypto',
    'bff/src/payments/probe.ts',
    "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n",
  ],
  [
    'payments/ imports the gateway-unknown convention',
    'bff/src/payments/probe.ts',
    "import { GatewayUnknownError } from '../errors';\nexport const e = GatewayUnknownError;\n",
  ],
  ['routes map refusals with AppError', 'bff/src/routes/probe.ts', "import { AppError } from '../errors';\nexport const e = AppError;\n"],
  [
    'routes import Fastify and payments',
    'bff/src/routes/probe.ts',
    "import type { FastifyInstance } from 'fastify';\nimport * as o from '../payments/order-service';\nexport type A = FastifyInstance;\nexport const x = o;\n",
  ],
  ['the registry imports channels', 'bff/src/channels/probe.ts', "import * as a from './alipayhk/client';\nexport const x = a;\n"],
  ['app.ts wires channels', 'bff/src/probe.ts', "import * as r from './channels/registry';\nexport const x = r;\n"],
  ['shared/ imports shared', 'shared/src/probe.ts', "import { Type } from '@sinclair/typebox';\nexport const t = Type;\n"],
  ['src/platform uses my', 'miniapp/src/platform/probe.ts', 'export const pay = () => my.tradePay({ orderStr: "" });\n'],
  ['a bff test imports the sandbox', 'bff/test/flow/probe.test.ts', "import * as s from '@tradepay/sandbox';\nexport const x = s;\n"],
  ['test support imports the sandbox', 'bff/test/support/probe.ts', "import * as s from '@tradepay/sandbox';\nexport const x = s;\n"],
  ['a mini program test fakes my', 'miniapp/src/pages/checkout/probe.test.ts', 'export const pay = () => my.tradePay({ orderStr: "" });\n'],
  ['the mini program harness fakes my', 'miniapp/test/harness/probe.ts', 'export const pay = () => my.tradePay({ orderStr: "" });\n'],
  ['the sandbox imports itself', 'sandbox/src/probe.ts', "import * as s from '../../sandbox/src/app';\nexport const x = s;\n"],
];

describe('lint boundaries (design.md)', () => {
  it.each(forbidden)('%s', async (_where, file, code, rule) => {
    expect(await rulesFor(file, code)).toEqual([rule]);
  });

  it.each(allowed)('allowed: %s', async (_where, file, code) => {
    expect(await rulesFor(file, code)).toEqual([]);
  });
});
