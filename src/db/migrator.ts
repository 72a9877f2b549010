// Applies migrations/*.sql in name order with Kysely's Migrator (its lock table keeps two processes from
// migrating at once), then installs or upgrades pg-boss's own schema.
import { inspect } from 'node:util';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Migration, MigrationProvider, MigrationResultSet } from 'kysely/migration';
import { prepareJobQueues } from '../jobs/job-queue.ts';
import { queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import type { DatabaseHandle } from './client.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

class SqlFileMigrationProvider implements MigrationProvider {
  readonly #handle: DatabaseHandle;
  readonly #directory: string;
  constructor(handle: DatabaseHandle, directory: string) {
    this.#handle = handle;
    this.#directory = directory;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.#directory)).filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const script = await readFile(path.join(this.#directory, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db) => {
          if (this.#handle.transactionalMigrations) {
            // Inside the Migrator's transaction: the script and its bookkeeping row commit together.
            await sql.raw(script).execute(db);
          } else {
            await this.#handle.runScript(script);
          }
        },
      };
    }
    return migrations;
  }
}

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(handle: DatabaseHandle, directory = MIGRATIONS_DIR): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db: handle.db,
    provider: new SqlFileMigrationProvider(handle, directory),
    disableTransactions: !handle.transactionalMigrations,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((entry) => entry.status === 'Error')?.migrationName;
    const cause = result.error instanceof Error ? result.error.message : inspect(result.error);
    throw new Error(failed ? `migration ${failed} failed: ${cause}` : `migrations failed: ${cause}`, {
      cause: result.error,
    });
  }
  return { applied: (result.results ?? []).filter((entry) => entry.status === 'Success').map((e) => e.migrationName) };
}

/**
 * Everything `domum migrate` does: the SQL migrations, then pg-boss's schema and the app's queues. Kept apart from
 * main.ts so the commands that only need a migrated database do not load the server's modules.
 */
export async function migrateAll(database: DatabaseHandle, logger: Logger): Promise<string[]> {
  const { applied } = await migrateToLatest(database);
  await prepareJobQueues(database, { migrate: true, queues });
  if (applied.length > 0) logger.info('migrations applied', { applied });
  return applied;
}
