// Every shared fixture, uploaded in a channel (path B), gets the preview its expected.json describes: the
// counts, the error lines by row number, or the refusal of the whole file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDryRunCounts } from '../../src/domain/import-counts.ts';
import type { ImportCounts } from '../../src/domain/import-lines.ts';
import { fixturePath, readExpectedResults } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';

const expected = readExpectedResults();
const CHANNEL = 'C0FIXTURES';

async function previewOf(app: TestApp, name: string): Promise<string> {
  const file = app.slackApi.addFile({
    name,
    bytes: readFileSync(fixturePath(name)),
    user: 'U0IMPORT1',
    channels: [CHANNEL],
  });
  const shareTs = app.slackApi.shareTs(file.id, CHANNEL) as string;
  await app.slack.event({
    type: 'file_shared',
    file_id: file.id,
    user_id: 'U0IMPORT1',
    file: { id: file.id },
    channel_id: CHANNEL,
    event_ts: shareTs,
  });
  const reply = await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.thread_ts === shareTs, 15_000);
  return JSON.stringify(reply.args.blocks) + String(reply.args.text);
}

describe.each(Object.keys(expected).sort())('the Slack preview of %s', (name) => {
  const spec = expected[name]!;
  it('matches expected.json', async () => {
    const app = await startTestApp();
    await seedCatalog(app.running.deps.db);
    if (spec.preload) {
      // The users of the preload file are registered first, through the same path.
      await previewOf(app, spec.preload);
      const [preload] = await app.running.deps.db.selectFrom('imports').select('id').execute();
      const { continueImport, runImport } = await import('../../src/usecases/import-lifecycle.ts');
      expect((await continueImport(app.running.deps, preload!.id, 'U0IMPORT1')).ok).toBe(true);
      await runImport(app.running.deps, preload!.id);
    }
    const preview = await previewOf(app, name);
    if (spec.wholeFileError) {
      expect(preview).toContain('cannot be imported');
      // The same kind of message as expected.json describes: what is wrong, and the headers expected.
      const kinds: Array<[RegExp, string]> = [
        [/missing required column (\w+)/, 'missing required column $1'],
        [/^empty file/, 'empty'],
        [/nothing to import/, 'nothing to import'],
      ];
      const [pattern, words] = kinds.find(([candidate]) => candidate.test(spec.wholeFileError ?? '')) ?? [/$^/, ''];
      expect(words, `no known kind for "${spec.wholeFileError}"`).not.toBe('');
      expect(preview).toContain((spec.wholeFileError.match(pattern)?.[0] ?? '').replace(pattern, words));
      if (spec.wholeFileError.includes('expected headers')) expect(preview).toContain('Vendor, Name, Email, Enabled');
      return;
    }
    for (const line of describeDryRunCounts(spec.counts as unknown as ImportCounts)) expect(preview).toContain(line);
    const errorLines = Object.entries(spec.lines)
      .filter(([, line]) => line.outcome === 'error')
      .map(([row]) => Number(row));
    for (const row of errorLines.slice(0, 10)) expect(preview).toMatch(new RegExp(`line ${row} · `));
    expect(app.slackApi.violations).toEqual([]);
  });
});
