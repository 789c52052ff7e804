/**
 * The PostgreSQL the `--store postgres` rows run against: DATABASE_URL's server, in a schema of its
 * own made for this run and dropped after it (the BFF's migrations create the tables). The bench does
 * not start a server itself: initdb refuses to run as root, which is how this machine runs it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchPostgres {
  /** DATABASE_URL for the BFF: the server, with search_path set to the fresh schema. */
  url: string;
  /** The same with the password masked, for the report. */
  label: string;
  drop(): Promise<void>;
}

export async function createBenchPostgres(base: string): Promise<BenchPostgres> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    label: `${url.protocol}//${url.host}${url.pathname} (schema ${schema})`,
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
