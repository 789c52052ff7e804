/**
 * The disk's durable-commit rate, measured in the same run: single-row SQLite transactions in WAL
 * with synchronous=FULL (the BFF's settings), one after another, on the filesystem of the scratch
 * dirs. Every order and every notification waits for at least one such commit, so this is the
 * ceiling no amount of CPU lifts; on a shared virtual disk it moves a lot from minute to minute.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { percentile } from './stats';

export interface CommitProbeResult {
  commitsPerSecond: number;
  latencyMs: { p10: number; p50: number; p99: number };
  durationS: number;
}

export function probeCommits(dir: string, ms: number): CommitProbeResult {
  const db = new Database(join(dir, 'commit-probe.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const tx = db.transaction((v: string) => insert.run(v));
    const value = 'x'.repeat(1500);
    const latencies: number[] = [];
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      tx.immediate(value);
      const after = performance.now();
      latencies.push(after - now);
      now = after;
    }
    const durationS = (now - start) / 1000;
    return {
      commitsPerSecond: latencies.length / durationS,
      latencyMs: { p10: percentile(latencies, 10), p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      durationS,
    };
  } finally {
    db.close();
  }
}
