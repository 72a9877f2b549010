// SECRET_KEY keys the token hashes. Outside the embedded default it must be configured (several processes
// must share it); in the embedded default the process generates one on first start and keeps it under
// DATA_DIR, readable only by its owner, so `npm start` needs nothing but Slack credentials.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/** The same floor config.ts puts on SECRET_KEY from the environment. */
const MINIMUM_KEY_LENGTH = 32;

/** The key file exists but cannot be the key: it was cut or edited by hand. */
export class SecretKeyFileError extends Error {
  constructor(file: string, length: number) {
    super(
      `${file} holds a secret key of ${length} characters; at least ${MINIMUM_KEY_LENGTH} are needed. ` +
        'The file was cut or edited: restore it from a backup, or set SECRET_KEY to the key it held. ' +
        'Deleting it makes Domum generate a new key, and the access links and tokens already sent stop working.',
    );
    this.name = 'SecretKeyFileError';
  }
}

export async function resolveSecretKey(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.resolve(dataDir, 'secret-key');
  const existing = await readKeyFile(file);
  if (existing !== undefined) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  // Written whole to a temporary name in the same directory, then linked to the final name: a reader sees no
  // file or the whole key, never part of it; and link, unlike rename, fails when the name exists, so of two
  // processes starting at once the first to link wins and the other reads that key.
  const temporary = path.join(path.dirname(file), `.secret-key.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, file);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKeyFile(file);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The key in `file`, undefined when there is no file; a key too short to use is refused, not replaced. */
async function readKeyFile(file: string): Promise<string | undefined> {
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (key.length < MINIMUM_KEY_LENGTH) throw new SecretKeyFileError(file, key.length);
  return key;
}
