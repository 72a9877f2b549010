// The generated SECRET_KEY of the embedded default: written whole or not at all, one key however many processes
// start at once, and a damaged file refused rather than used.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSecretKey } from '../../src/secret-key.ts';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

async function dataDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'domum-secret-key-'));
  directories.push(directory);
  return directory;
}

describe('resolveSecretKey', () => {
  it('uses the configured key and writes no file', async () => {
    const dataDir = await dataDirectory();
    expect(await resolveSecretKey('configured-key-0123456789abcdef0123456789', dataDir)).toBe(
      'configured-key-0123456789abcdef0123456789',
    );
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('generates a key once, readable only by its owner, leaves no temporary file, and reads it back', async () => {
    const dataDir = path.join(await dataDirectory(), 'nested', 'data');
    const key = await resolveSecretKey(undefined, dataDir);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await readdir(dataDir)).toEqual(['secret-key']);
    expect((await stat(path.join(dataDir, 'secret-key'))).mode & 0o777).toBe(0o600);
    expect(await resolveSecretKey(undefined, dataDir)).toBe(key);
  });

  it('gives every caller starting at once the same complete key', async () => {
    for (let round = 0; round < 20; round++) {
      const dataDir = await dataDirectory();
      const keys = await Promise.all(Array.from({ length: 16 }, () => resolveSecretKey(undefined, dataDir)));
      expect(new Set(keys).size, `round ${round}`).toBe(1);
      expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(await readFile(path.join(dataDir, 'secret-key'), 'utf8')).toBe(keys[0]);
      expect(await readdir(dataDir)).toEqual(['secret-key']);
    }
  });

  it('gives two processes starting at once the same key', async () => {
    const dataDir = await dataDirectory();
    const script = `import { resolveSecretKey } from ${JSON.stringify(path.resolve('src/secret-key.ts'))};
process.stdout.write(await resolveSecretKey(undefined, ${JSON.stringify(dataDir)}));`;
    const runs = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--experimental-strip-types', '--input-type=module', '-e', script]);
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      return new Promise<{ code: number | null; stdout: string }>((resolve) =>
        child.on('exit', (code) => resolve({ code, stdout })),
      );
    });
    const results = await Promise.all(runs);
    expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0]);
    expect(new Set(results.map((result) => result.stdout))).toEqual(
      new Set([await readFile(path.join(dataDir, 'secret-key'), 'utf8')]),
    );
  });

  it('leaves no key file behind when writing the key fails, so the next start generates a whole one', async () => {
    const dataDir = await dataDirectory();
    // A file size limit of 0 makes every write fail (EFBIG) after the file was created: a start cut short.
    const script = `import { resolveSecretKey } from ${JSON.stringify(path.resolve('src/secret-key.ts'))};
await resolveSecretKey(undefined, ${JSON.stringify(dataDir)});`;
    const child = spawn('sh', [
      '-c',
      'ulimit -f 0 && exec "$0" --experimental-strip-types --input-type=module -e "$1"',
      process.execPath,
      script,
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('EFBIG');
    expect(await readdir(dataDir)).toEqual([]);
    expect(await resolveSecretKey(undefined, dataDir)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a key file under 32 characters, naming the file', async () => {
    const dataDir = await dataDirectory();
    const file = path.join(dataDir, 'secret-key');
    await writeFile(file, 'abcdef0123456789\n', { mode: 0o600 });
    await expect(resolveSecretKey(undefined, dataDir)).rejects.toThrow(
      `${file} holds a secret key of 16 characters; at least 32 are needed`,
    );
    await writeFile(file, '');
    await expect(resolveSecretKey(undefined, dataDir)).rejects.toThrow(`${file} holds a secret key of 0 characters`);
    // The damaged file is left as it is for the operator to restore.
    expect(await readFile(file, 'utf8')).toBe('');
  });
});
