import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the store tests run against: the local server's `test` database (see
 * .ci/run), or `POOLNET_TEST_PG_URL`. Each test file works in schemas of
 * its own and drops them at the end.
 */
export const PG_TEST_URL =
  process.env.POOLNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export class PgTestSchemas {
  private readonly admin = new pg.Client({ connectionString: PG_TEST_URL });
  private readonly prefix = `t_${randomBytes(4).toString('hex')}`;
  private readonly created: string[] = [];

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  /** Creates a fresh, empty schema and returns its name. */
  async create(): Promise<string> {
    const name = `${this.prefix}_${this.created.length + 1}`;
    await this.admin.query(`CREATE SCHEMA ${name}`);
    this.created.push(name);
    return name;
  }

  async dropAll(): Promise<void> {
    for (const name of this.created) await this.admin.query(`DROP SCHEMA ${name} CASCADE`);
    await this.admin.end();
  }
}
