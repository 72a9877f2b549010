// `domum` takes no option but --help (-h): anything else is refused before a command runs, naming the option.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli.ts';

const COMMANDS = ['start', 'web', 'worker', 'migrate', 'validate', 'template', 'status', 'catalog'];

afterEach(() => {
  vi.restoreAllMocks();
});

/** runCli in this process, with what it prints captured instead of written. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') => (chunk: string | Uint8Array) => {
    output[stream] += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture('stdout'));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture('stderr'));
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, ...output };
}

describe('domum options', () => {
  it('shows the same help for -h as for --help, for every command and alone', async () => {
    for (const command of [[], ...COMMANDS.map((name) => [name])]) {
      const long = await cli([...command, '--help']);
      const short = await cli([...command, '-h']);
      expect(long.code, command.join(' ')).toBe(0);
      expect(long.stdout.length, command.join(' ')).toBeGreaterThan(20);
      expect(short, command.join(' ')).toEqual(long);
    }
    expect((await cli(['validate', 'file.xlsx', '-h'])).code).toBe(0);
  });

  it('refuses any other option for every command, naming it and the usage, with exit code 2', async () => {
    for (const command of COMMANDS) {
      for (const option of ['--bogus', '-x', '--bogus=1']) {
        const result = await cli([command, 'argument', option]);
        const label = `domum ${command} argument ${option}`;
        expect(result.code, label).toBe(2);
        expect(result.stdout, label).toBe('');
        expect(result.stderr, label).toContain(`Unknown option "${option.replace(/=.*/, '')}" for domum ${command}:`);
        expect(result.stderr, label).toContain(`Run \`domum ${command} --help\` for details.`);
        expect(result.stderr, label).toMatch(new RegExp(`^Usage: domum ${command}`, 'm'));
      }
    }
  });

  it('refuses an option given without a command, an option in a group with -h, and --help with a value', async () => {
    const alone = await cli(['--nope']);
    expect(alone).toMatchObject({ code: 2, stdout: '' });
    expect(alone.stderr).toMatch(/^Unknown option "--nope" for domum: the only option is --help \(-h\)\.\n/);
    expect(alone.stderr).toContain('domum validate <spreadsheet>');

    const grouped = await cli(['validate', '-hv', 'file.xlsx']);
    expect(grouped.code).toBe(2);
    expect(grouped.stderr).toContain('Unknown option "-v" for domum validate');

    const valued = await cli(['migrate', '--help=yes']);
    expect(valued.code).toBe(2);
    expect(valued.stderr).toContain('--help takes no value (--help=yes)');
  });

  it('still says an unknown command is unknown, options or not', async () => {
    for (const name of ['frobnicate', 'constructor', 'toString', '__proto__']) {
      const result = await cli([name, '--bogus']);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(new RegExp(`^Unknown command "${name}"\\.`));
    }
  });

  it('takes a file name that starts with - after --', async () => {
    const result = await cli(['template', '--', '-out.txt']);
    // Past the option check: refused by the command itself, for not ending in .xlsx.
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'Usage: domum template <out.xlsx>\n' });
  });
});
