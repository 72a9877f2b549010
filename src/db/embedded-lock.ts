// PGlite is PostgreSQL inside this process: two processes opening the same data directory would corrupt it,
// and nothing in PGlite prevents that. A lock file holding the owner's pid does; a lock left by a process
// that no longer exists (a crash, a kill -9) is taken over.
import { readFile, rm, writeFile } from 'node:fs/promises';

export class EmbeddedDatabaseBusyError extends Error {
  constructor(directory: string, pid: number) {
    super(
      `The embedded database in ${directory} is in use by another domum process (pid ${pid}). Stop that process first, or set DATABASE_URL to use PostgreSQL, where several processes can share the database.`,
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockEmbeddedDatabase(directory: string): Promise<() => Promise<void>> {
  const file = `${directory}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
        throw new EmbeddedDatabaseBusyError(directory, owner);
      }
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock the embedded database in ${directory}`);
}
