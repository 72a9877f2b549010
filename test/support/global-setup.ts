// Runs once per test run: migrates one template database, which every test then copies (PostgreSQL:
// CREATE DATABASE … TEMPLATE; PGlite: a dump loaded per test, about 0.5 s instead of 3 s plus migrations).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { migrateAll } from '../../src/db/migrator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { kind: 'postgres'; adminUrl: string; template: string } | { kind: 'pglite'; dumpFile: string };
  }
}

const quiet = createLogger({ level: 'error', write: () => undefined });

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL?.trim();
  if (adminUrl) {
    const template = `domum_template_${process.pid}`;
    await runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${template}`);
    await runAdmin(adminUrl, `CREATE DATABASE ${template}`);
    const database = await openDatabase({ databaseUrl: withDatabase(adminUrl, template), dataDir: '' }, quiet);
    await migrateAll(database, quiet);
    await database.close();
    project.provide('testDatabase', { kind: 'postgres', adminUrl, template });
    return async () => {
      await runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    };
  }
  const database = await openDatabase({ dataDir: '', inMemory: true }, quiet);
  await migrateAll(database, quiet);
  const dump = await database.dump!();
  await database.close();
  const directory = path.resolve('test-output');
  await mkdir(directory, { recursive: true });
  const dumpFile = path.join(directory, `pglite-template-${process.pid}.tar`);
  await writeFile(dumpFile, Buffer.from(await dump.arrayBuffer()));
  project.provide('testDatabase', { kind: 'pglite', dumpFile });
  return async () => {
    const { rm } = await import('node:fs/promises');
    await rm(dumpFile, { force: true });
  };
}

export async function runAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
