/**
 * Small readers for untrusted JSON. They read named fields only (never spread or merge input objects,
 * so `__proto__` keys cannot reach a prototype) and throw `SandboxInputError` with the field's path.
 */
import { SandboxInputError } from './errors';
import type { SandboxErrorCode } from './errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function readObject(value: unknown, path: string, code: SandboxErrorCode = 'BAD_REQUEST'): JsonObject {
  if (!isObject(value)) throw new SandboxInputError(code, `${path} must be an object`);
  return value;
}

export function readString(
  obj: JsonObject,
  key: string,
  path: string,
  options: { max?: number; optional?: boolean; code?: SandboxErrorCode } = {},
): string | undefined {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  const code = options.code ?? 'BAD_REQUEST';
  if (value === undefined || value === null) {
    if (options.optional) return undefined;
    throw new SandboxInputError(code, `${path}.${key} is required`);
  }
  if (typeof value !== 'string' || value === '') throw new SandboxInputError(code, `${path}.${key} must be a non-empty string`);
  if (options.max !== undefined && value.length > options.max) {
    throw new SandboxInputError(code, `${path}.${key} is longer than ${options.max} characters`);
  }
  return value;
}

export function requireString(obj: JsonObject, key: string, path: string, options: { max?: number; code?: SandboxErrorCode } = {}): string {
  return readString(obj, key, path, options) as string;
}

export function readNumber(
  obj: JsonObject,
  key: string,
  path: string,
  bounds: { min: number; max: number; integer?: boolean },
): number | undefined {
  if (!Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SandboxInputError('BAD_REQUEST', `${path}.${key} must be a number`);
  if (bounds.integer && !Number.isInteger(value)) throw new SandboxInputError('BAD_REQUEST', `${path}.${key} must be an integer`);
  if (value < bounds.min || value > bounds.max) {
    throw new SandboxInputError('BAD_REQUEST', `${path}.${key} must be between ${bounds.min} and ${bounds.max}`);
  }
  return value;
}

/** Unknown fields are refused rather than ignored, so a typo in a test never silently does nothing. */
export function rejectUnknownKeys(obj: JsonObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new SandboxInputError('UNKNOWN_FIELD', `${path}.${key} is not a known field`);
  }
}

/**
 * An absolute http(s) URL without whitespace or control characters, returned normalised (`URL.href`:
 * ASCII only, so it can go into a Location header as is).
 */
export function readHttpUrl(
  obj: JsonObject,
  key: string,
  path: string,
  options: { max?: number; optional?: boolean; code?: SandboxErrorCode } = {},
): string | undefined {
  const code = options.code ?? 'BAD_REQUEST';
  const text = readString(obj, key, path, { max: options.max ?? 512, optional: options.optional ?? false, code });
  if (text === undefined) return undefined;
  if (/[\u0000-\u0020\u007f]/.test(text)) throw new SandboxInputError(code, `${path}.${key} must not contain spaces or control characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SandboxInputError(code, `${path}.${key} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SandboxInputError(code, `${path}.${key} must be http(s)`);
  return url.href;
}

/** A non-empty array of non-empty strings (each ≤ `maxLength`, at most `maxItems`). */
export function readStringArray(
  obj: JsonObject,
  key: string,
  path: string,
  options: { maxItems?: number; maxLength?: number; optional?: boolean } = {},
): string[] | undefined {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (value === undefined || value === null) {
    if (options.optional) return undefined;
    throw new SandboxInputError('BAD_REQUEST', `${path}.${key} is required`);
  }
  const maxItems = options.maxItems ?? 10;
  const maxLength = options.maxLength ?? 64;
  if (!Array.isArray(value) || value.length === 0 || value.length > maxItems) {
    throw new SandboxInputError('BAD_REQUEST', `${path}.${key} must be an array of 1..${maxItems} strings`);
  }
  return value.map((item, index) => {
    if (typeof item !== 'string' || item === '' || item.length > maxLength) {
      throw new SandboxInputError('BAD_REQUEST', `${path}.${key}[${index}] must be a non-empty string of at most ${maxLength} characters`);
    }
    return item;
  });
}
