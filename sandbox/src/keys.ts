import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import NodeRSA from 'node-rsa';

/** Key material the sandbox works with, as text. Paths under `$DATA_DIR/keys/` are pinned by contract v1. */
export interface SandboxKeys {
  /** PKCS#1 PEM. The sandbox never signs with it; it is here for the BFF (sandbox mode) and for tests. */
  merchantPrivatePem: string;
  /** SPKI PEM (`BEGIN PUBLIC KEY`): verifies merchant requests and notification acknowledgements. */
  merchantPublicPem: string;
  /** PKCS#1 PEM: signs gateway responses and notifications. */
  gatewayPrivatePem: string;
  /** SPKI PEM: what the BFF verifies the sandbox with. */
  gatewayPublicPem: string;
  /** 32 random bytes, hex. Reserved for the Latipay sandbox. */
  latipayApiKey: string;
  /** 32 random bytes, hex. Reserved for the payment-intents sandbox. */
  intentsApiKey: string;
}

export const KEY_FILES = {
  merchantPrivatePem: 'merchant-private.pem',
  merchantPublicPem: 'merchant-public.pem',
  gatewayPrivatePem: 'gateway-private.pem',
  gatewayPublicPem: 'gateway-public.pem',
  latipayApiKey: 'latipay-api-key',
  intentsApiKey: 'intents-api-key',
} as const satisfies Record<keyof SandboxKeys, string>;

const PRIVATE_MODE = 0o600;
const PUBLIC_MODE = 0o644;

interface PemPair {
  privatePem: string;
  publicPem: string;
}

function generatePair(): PemPair {
  const key = new NodeRSA({ b: 2048 });
  return { privatePem: key.exportKey('pkcs1-private-pem'), publicPem: key.exportKey('pkcs8-public-pem') };
}

function publicFromPrivate(privatePem: string, file: string): string {
  let key: NodeRSA;
  try {
    key = new NodeRSA(privatePem);
  } catch (error) {
    throw new Error(`${file} is not a readable RSA private key: ${(error as Error).message}`);
  }
  if (!key.isPrivate()) throw new Error(`${file} holds no private key`);
  return key.exportKey('pkcs8-public-pem');
}

function newApiKey(): string {
  return randomBytes(32).toString('hex');
}

/** Generates a complete key set in memory (two RSA-2048 pairs): for tests and for first start. */
export function generateSandboxKeys(): SandboxKeys {
  const merchant = generatePair();
  const gateway = generatePair();
  return {
    merchantPrivatePem: merchant.privatePem,
    merchantPublicPem: merchant.publicPem,
    gatewayPrivatePem: gateway.privatePem,
    gatewayPublicPem: gateway.publicPem,
    latipayApiKey: newApiKey(),
    intentsApiKey: newApiKey(),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Creates `path` only if it does not exist yet, so two processes starting together cannot overwrite
 * each other's key; the loser reads the winner's file. The text is written aside and linked into
 * place, so nobody ever reads a half-written file.
 */
async function createOrRead(path: string, text: string, mode: number): Promise<string> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(aside, text, { mode });
  try {
    await link(aside, path);
    return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFile(path, 'utf8');
  } finally {
    await unlink(aside);
  }
}

async function ensurePair(dir: string, privateFile: string, publicFile: string): Promise<PemPair> {
  const privatePath = join(dir, privateFile);
  const existing = await readIfExists(privatePath);
  if (existing !== undefined) {
    const derived = publicFromPrivate(existing, privatePath);
    // A missing public half is rebuilt from the private key; an existing one is trusted as is.
    const publicPem = await createOrRead(join(dir, publicFile), derived, PUBLIC_MODE);
    return { privatePem: existing, publicPem };
  }
  const fresh = generatePair();
  const privatePem = await createOrRead(privatePath, fresh.privatePem, PRIVATE_MODE);
  const publicPem = privatePem === fresh.privatePem ? fresh.publicPem : publicFromPrivate(privatePem, privatePath);
  // Overwrite: a public file without its private key is useless and must match the new pair.
  await writeFile(join(dir, publicFile), publicPem, { mode: PUBLIC_MODE });
  return { privatePem, publicPem };
}

async function ensureApiKey(dir: string, file: string): Promise<string> {
  const text = await createOrRead(join(dir, file), newApiKey(), PRIVATE_MODE);
  const key = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(key)) throw new Error(`${join(dir, file)} must hold 32 bytes as hex`);
  return key;
}

/**
 * Creates `$dataDir/keys/` with the sandbox key set on first start and reuses it afterwards.
 * Private keys and API keys are written with mode 0600. Returns the texts.
 */
export async function ensureSandboxKeys(dataDir: string): Promise<SandboxKeys> {
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const merchant = await ensurePair(dir, KEY_FILES.merchantPrivatePem, KEY_FILES.merchantPublicPem);
  const gateway = await ensurePair(dir, KEY_FILES.gatewayPrivatePem, KEY_FILES.gatewayPublicPem);
  return {
    merchantPrivatePem: merchant.privatePem,
    merchantPublicPem: merchant.publicPem,
    gatewayPrivatePem: gateway.privatePem,
    gatewayPublicPem: gateway.publicPem,
    latipayApiKey: await ensureApiKey(dir, KEY_FILES.latipayApiKey),
    intentsApiKey: await ensureApiKey(dir, KEY_FILES.intentsApiKey),
  };
}
