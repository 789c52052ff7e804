/**
 * The SQLite files hold orders, buyers and sealed wallet tokens: only the BFF's user may read them,
 * in live mode as in sandbox mode. The directory is created 0700; the database file is created (or
 * reset to) 0600 before SQLite opens it. SQLite creates its -wal and -shm files with the database
 * file's mode (os_unix.c, findCreateFileMode); ones left by an earlier run are reset too.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATABASE_FILE_MODE = 0o600;

export function prepareSqliteFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: DATA_DIR_MODE });
  closeSync(openSync(file, 'a', DATABASE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path)) chmodSync(path, DATABASE_FILE_MODE);
  }
}
