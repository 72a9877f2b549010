// A 50,000-line spreadsheet is checked in the background while Slack interactions keep being answered
// quickly, and a file over the line limit is refused with the limit named. `npm run test:large` runs this file
// on its own, out of `npm test`: it measures latency, which other test files running beside it would distort.
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { IMPORT_FILE_ACTION, IMPORT_FILE_BLOCK } from '../../src/slack/ids.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';

function bigWorkbook(lines: number): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Phone', 'Document', 'Enabled']];
  for (let index = 0; index < lines; index += 1) {
    rows.push([
      'Globex',
      `Person ${index}`,
      `person.${index}@globex.example`,
      `+55 11 9${String(index).padStart(8, '0')}`,
      `DOC-${index}`,
      index % 10 === 0 ? 'No' : 'Yes',
    ]);
  }
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

async function submitFile(lines: number) {
  const app = await startTestApp();
  await seedCatalog(app.running.deps.db);
  await app.slack.command({ text: 'import', userId: 'U0IMPORT1' });
  const modal = (
    (await app.slackApi.waitForCall('views.open')).response as { view: { id: string; callback_id: string } }
  ).view;
  const file = app.slackApi.addFile({ name: `people-${lines}.xlsx`, bytes: bigWorkbook(lines), user: 'U0IMPORT1' });
  const submitted = await app.slack.interactive({
    type: 'view_submission',
    user: { id: 'U0IMPORT1', team_id: 'T0TEAM001' },
    view: {
      ...modal,
      type: 'modal',
      hash: 'h',
      private_metadata: '',
      state: {
        values: {
          [IMPORT_FILE_BLOCK]: {
            [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] },
          },
        },
      },
    },
  });
  return { app, modal, submitted };
}

describe('a 50,000-line spreadsheet', () => {
  it('is previewed by a job while Slack acknowledgements stay under a second', async () => {
    const { app, modal, submitted } = await submitFile(50_000);
    expect(submitted.durationMs).toBeLessThan(1_000);
    const latencies: number[] = [];
    let previewed = false;
    const preview = app.slackApi
      .waitForCall('views.update', (call) => call.args.view_id === modal.id, 60_000)
      .then((call) => {
        previewed = true;
        return call;
      });
    while (!previewed) {
      const response = await app.slack.command({ text: 'help', userId: 'U0IMPORT1' });
      expect(response.status).toBe(200);
      latencies.push(response.durationMs);
    }
    const update = await preview;
    expect(JSON.stringify(update.args.view)).toContain('50000 lines');
    expect(JSON.stringify(update.args.view)).toContain('50000 will be created (45000 active, 5000 inactive)');
    expect(latencies.length).toBeGreaterThan(0);
    // The bound the product promises (README "Importing users", Big files), on either database: PostgreSQL works in
    // its own process, and the embedded one (PGlite) on its own thread, where its longest statement (1.5 to 3.3 s
    // after the 50,000 rows are written, measured on a 2-core machine when it ran on the main thread) holds up no
    // acknowledgement.
    expect(Math.max(...latencies), `acks: ${latencies.map(Math.round).join(', ')}`).toBeLessThan(1_000);
    expect(app.slackApi.violations).toEqual([]);
  }, 120_000);
});

describe('a 51,000-line spreadsheet', () => {
  it('is refused with the limit named, and nothing is written', async () => {
    const { app, modal } = await submitFile(51_000);
    const update = await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 60_000);
    const text = JSON.stringify(update.args.view);
    expect(text).toContain('cannot be imported');
    expect(text).toMatch(/50,000/);
    expect(await app.running.deps.db.selectFrom('import_lines').selectAll().execute()).toEqual([]);
    expect(await app.running.deps.db.selectFrom('third_party_users').selectAll().execute()).toEqual([]);
  }, 120_000);
});
