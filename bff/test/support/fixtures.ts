import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/', import.meta.url);

/** Test-only material (bff/test/fixtures/README.md): a fixed key pair and openssl-made signatures. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, dir), 'utf8');
}
