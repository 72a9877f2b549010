// The wizard's Devices and Credentials selects (README "Importing users"): searchable external selects over a catalog
// that can hold thousands of rows, answered within Slack's limits (100 options, 75 characters) and quickly enough that
// typing feels immediate, on PostgreSQL and on the embedded PGlite alike.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  findCredentialsByIds,
  findDevicesByIds,
  searchCredentials,
  searchDevices,
} from '../../src/db/repos/catalog-search-repo.ts';
import type { Db } from '../../src/db/schema.ts';
import { NARROW_HINT, toSlackOptions } from '../../src/slack/blocks/catalog-options.ts';
import { parseOptionValue, searchCredentialOptions, searchDeviceOptions } from '../../src/usecases/search-catalog.ts';
import type { CatalogOptions } from '../../src/usecases/search-catalog.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { createTestDatabase } from '../support/test-database.ts';

async function fixtureCatalog(): Promise<Db> {
  const { db } = await (await createTestDatabase()).open();
  await seedCatalog(db);
  return db;
}

async function deviceIds(db: Db, externalIds: string[]): Promise<number[]> {
  const rows = await db
    .selectFrom('devices')
    .select('id')
    .where('external_id', 'in', externalIds)
    .orderBy('id')
    .execute();
  expect(rows).toHaveLength(externalIds.length);
  return rows.map((row) => row.id);
}

function names(result: CatalogOptions): string[] {
  return result.options.map((option) => option.text.split(' · ')[0] as string);
}

describe('catalog search, on the fixture catalog', () => {
  it('matches every word, in any field, whatever the case and accents', async () => {
    const deps = { db: await fixtureCatalog() };
    const sao = await searchDeviceOptions(deps, 'sao database');
    expect(names(sao)).toEqual(['db-prod-01', 'ora-fin-01']);
    expect(sao.truncated).toBe(false);
    expect(sao.options[0]).toEqual({
      value: expect.stringMatching(/^device:\d+$/),
      text: 'db-prod-01 · PostgreSQL 16',
      description: 'Database · Sao Paulo',
    });
    expect(await searchDeviceOptions(deps, '  São   DATABASE ')).toEqual(sao);
    expect(await searchDeviceOptions(deps, 'SÃO')).toEqual(await searchDeviceOptions(deps, 'sao'));
    expect(names(await searchDeviceOptions(deps, 'sao'))).toEqual([
      'db-prod-01',
      'fw-edge-01',
      'lnx-app-01',
      'ora-fin-01',
      'win-dc-01',
    ]);
    // The external id is searchable too; words in any order.
    expect(names(await searchDeviceOptions(deps, 'd-1012'))).toEqual(['rtr-wan-01']);
    expect(names(await searchDeviceOptions(deps, 'lisbon linux'))).toEqual(['lnx-bastion-01']);
    expect((await searchDeviceOptions(deps, 'sao lisbon')).options).toEqual([]);
  });

  it('treats %, _, \\ and every other character typed as the character it is', async () => {
    const deps = { db: await fixtureCatalog() };
    const nothing = [
      '%',
      '_',
      '\\',
      '%%',
      'db%01',
      'db_prod',
      '%sao%',
      '.*',
      'db.prod',
      '^db',
      '01$',
      '(',
      ')',
      '[a-z]',
      '\\d',
      'a|b',
      'db+',
      'x{2}',
      '?',
      '*',
      'corp.loca.',
      "'",
      '"; drop table devices; --',
    ];
    for (const text of nothing) expect((await searchDeviceOptions(deps, text)).options, text).toEqual([]);
    // A dot is a dot: "corp.local" names every device's domain but is not "corpxlocal".
    expect((await searchDeviceOptions(deps, 'net.corp.local')).options).toHaveLength(3);
    expect((await searchDeviceOptions(deps, 'netxcorp')).options).toEqual([]);
    // Control characters separate words (PostgreSQL refuses NUL in text).
    expect(names(await searchDeviceOptions(deps, 'db\u0000prod\n'))).toEqual(['db-prod-01']);
    await deps.db.insertInto('devices').values({ external_id: 'D-9%', name: 'lab_50%_box', product: 'Test' }).execute();
    expect(names(await searchDeviceOptions(deps, '_50%'))).toEqual(['lab_50%_box']);
    expect(names(await searchDeviceOptions(deps, '%'))).toEqual(['lab_50%_box']);
    // A backslash in the data (CORP\svc_backup) is found by typing it.
    const [winDc] = await deviceIds(deps.db, ['D-1008']);
    const backslash = await searchCredentialOptions(deps, { deviceIds: [winDc as number], text: 'corp\\svc' });
    expect(backslash.options.map((option) => option.text)).toEqual(['CORP\\svc_backup @ win-dc-01']);
  });

  it('offers only the credentials of the chosen devices', async () => {
    const deps = { db: await fixtureCatalog() };
    const chosen = await deviceIds(deps.db, ['D-1001', 'D-1008']);
    const all = await searchCredentialOptions(deps, { deviceIds: chosen, text: '' });
    expect(all.options.map((option) => option.text)).toEqual([
      'app_readonly @ db-prod-01',
      'postgres @ db-prod-01',
      'replicator @ db-prod-01',
      'CORP\\Administrator @ win-dc-01',
      'CORP\\svc_backup @ win-dc-01',
      'DSRM-Administrator @ win-dc-01',
    ]);
    expect(all.truncated).toBe(false);
    expect(all.options[1]).toEqual({
      value: expect.stringMatching(/^credential:\d+$/),
      text: 'postgres @ db-prod-01',
      description: 'Local administrator · corp.local',
    });
    // "root" exists on five other devices, none of them chosen.
    expect((await searchCredentialOptions(deps, { deviceIds: chosen, text: 'root' })).options).toEqual([]);
    // Matches the credential type and the username; the device name narrows to one device.
    expect(
      (await searchCredentialOptions(deps, { deviceIds: chosen, text: 'ADMIN' })).options.map((o) => o.text),
    ).toEqual(['postgres @ db-prod-01', 'CORP\\Administrator @ win-dc-01', 'DSRM-Administrator @ win-dc-01']);
    expect((await searchCredentialOptions(deps, { deviceIds: chosen, text: 'win-dc admin' })).options).toHaveLength(2);
    // No device chosen, or ids that are not rows: nothing, never an error.
    expect(await searchCredentialOptions(deps, { deviceIds: [], text: '' })).toEqual({ options: [], truncated: false });
    expect(await searchCredentialOptions(deps, { deviceIds: [0, -1, 1.5, 2 ** 40, 999_999], text: '' })).toEqual({
      options: [],
      truncated: false,
    });
  });

  it('finds the chosen ones again by id, from the option values', async () => {
    const deps = { db: await fixtureCatalog() };
    const devices = await searchDeviceOptions(deps, 'sao database');
    const ids = devices.options.map((option) => parseOptionValue(option.value)?.id as number);
    expect((await findDevicesByIds(deps.db, [...ids, ...ids, 999_999])).map((row) => row.external_id)).toEqual([
      'D-1001',
      'D-1002',
    ]);
    const credentials = await searchCredentialOptions(deps, { deviceIds: ids, text: 'sys' });
    expect(credentials.options.map((option) => option.text)).toEqual(['SYS @ ora-fin-01', 'SYSTEM @ ora-fin-01']);
    const credentialIds = credentials.options.map((option) => parseOptionValue(option.value)?.id as number);
    const found = await findCredentialsByIds(deps.db, credentialIds);
    expect(found.map((row) => [row.external_id, row.username, row.device_name, row.device_id])).toEqual([
      ['C-5004', 'SYS', 'ora-fin-01', ids[1]],
      ['C-5005', 'SYSTEM', 'ora-fin-01', ids[1]],
    ]);
    expect(await findDevicesByIds(deps.db, [])).toEqual([]);
    expect(await findCredentialsByIds(deps.db, [0])).toEqual([]);
  });
});

describe('option values coming back from Slack', () => {
  it('are parsed only when they are exactly what the options carry', () => {
    expect(parseOptionValue('device:42')).toEqual({ kind: 'device', id: 42 });
    expect(parseOptionValue('credential:2147483647')).toEqual({ kind: 'credential', id: 2_147_483_647 });
    for (const value of [
      'credential:2147483648',
      'device:0',
      'device:042',
      'device:-1',
      'device:1.5',
      'device:1e3',
      'device: 1',
      'device:1 ',
      ' device:1',
      'device:1\n',
      'Device:1',
      'vendor:1',
      'device:',
      'device:1:2',
      'device:١',
      '',
      undefined,
      null,
      42,
      { kind: 'device', id: 1 },
    ]) {
      expect(parseOptionValue(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe('Slack options response', () => {
  it('keeps within 100 options and 75 characters, and says when there are more', () => {
    const long = 'x'.repeat(200);
    const result = toSlackOptions({
      options: Array.from({ length: 150 }, (_, index) => ({
        value: `device:${index + 1}`,
        text: index % 2 === 0 ? `${long}-${index}` : `  srv-${index}  `,
        description: index % 3 === 0 ? `🚀${long}` : '',
      })),
      truncated: false,
    });
    expect(result.hint).toBe(NARROW_HINT);
    expect(result.options).toHaveLength(100);
    for (const option of result.options) {
      expect(option.text.text.length).toBeGreaterThanOrEqual(1);
      expect(option.text.text.length).toBeLessThanOrEqual(75);
      expect(option.text.type).toBe('plain_text');
      expect((option.value as string).length).toBeLessThanOrEqual(75);
      if (option.description) expect(option.description.text.length).toBeLessThanOrEqual(75);
    }
    expect(result.options[0]?.text.text).toBe(`${'x'.repeat(74)}…`);
    expect(result.options[1]?.text.text).toBe('srv-1');
    expect(result.options[1]?.description).toBeUndefined();
    // Never half of a surrogate pair.
    expect(result.options[0]?.description?.text).toMatch(/^🚀x+…$/u);

    expect(
      toSlackOptions({
        options: [
          { value: 'device:1', text: 'one' },
          { value: 'device:1', text: 'again' },
          { value: `device:${'9'.repeat(80)}`, text: 'too long a value' },
          { value: 'device:2', text: '   ' },
        ],
        truncated: false,
      }),
    ).toEqual({
      options: [
        { text: { type: 'plain_text', text: 'one', emoji: false }, value: 'device:1' },
        { text: { type: 'plain_text', text: 'device:2', emoji: false }, value: 'device:2' },
      ],
    });
    expect(toSlackOptions({ options: [], truncated: true })).toEqual({ options: [], hint: NARROW_HINT });
  });
});

describe('catalog search, on a large catalog', () => {
  it('answers 5,000 devices and 20,000 credentials quickly, 100 options at most', async () => {
    const database = await createTestDatabase();
    const { db } = await database.open();
    // Set-based inserts: 25,000 single INSERTs would take longer than the searches being measured.
    // Every seventh device has a product too long for an option, every fifth is in São Paulo (with the accent).
    await sql`
      insert into devices (external_id, name, product, device_type, site, domain)
      select 'BULK-D-' || lpad(n::text, 5, '0'),
             'srv-' || lpad(n::text, 5, '0'),
             case when n % 7 = 0 then 'Enterprise Application Platform Server Edition with Extended Support ' || n
                  else (array['PostgreSQL 16', 'Windows Server 2022', 'Red Hat Enterprise Linux 9', 'Cisco IOS XE'])[1 + n % 4]
             end,
             (array['Database', 'Windows server', 'Linux server', 'Router'])[1 + n % 4],
             (array['São Paulo', 'Rio de Janeiro', 'Lisbon', 'Mexico City', 'Zürich'])[1 + n % 5],
             'corp.local'
      from generate_series(1, 5000) as n`.execute(db);
    await sql`
      insert into credentials (external_id, device_id, credential_type, username, domain)
      select 'BULK-C-' || lpad(d.id::text, 5, '0') || '-' || k,
             d.id,
             (array['Local administrator', 'Local user', 'Domain user', 'SSH key'])[k],
             (array['root', 'app_user', 'CORP\\svc_' || d.name, 'deploy'])[k],
             'corp.local'
      from devices as d cross join generate_series(1, 4) as k`.execute(db);
    const counts = await sql<{ devices: number; credentials: number }>`
      select (select count(*)::int from devices) as devices, (select count(*)::int from credentials) as credentials`.execute(
      db,
    );
    expect(counts.rows[0]).toEqual({ devices: 5000, credentials: 20_000 });
    // Statistics, as autovacuum would gather on a real catalog; PGlite has no autovacuum.
    await sql`analyze devices`.execute(db);
    await sql`analyze credentials`.execute(db);

    const deps = { db };
    const timings: Record<string, number> = {};
    async function timed<T>(label: string, search: () => Promise<T>): Promise<T> {
      const started = performance.now();
      const result = await search();
      timings[label] = Math.round((performance.now() - started) * 10) / 10;
      return result;
    }
    function checkLimits(result: CatalogOptions): void {
      const response = toSlackOptions(result);
      expect(response.options.length).toBeLessThanOrEqual(100);
      for (const option of response.options) {
        expect(option.text.text.length).toBeGreaterThanOrEqual(1);
        expect(option.text.text.length).toBeLessThanOrEqual(75);
        expect((option.value as string).length).toBeLessThanOrEqual(75);
      }
      for (const option of result.options) {
        expect(option.text.length).toBeLessThanOrEqual(75);
        expect(option.value.length).toBeLessThanOrEqual(75);
        expect((option.description ?? '').length).toBeLessThanOrEqual(75);
      }
    }

    const empty = await timed('devices, empty query', () => searchDeviceOptions(deps, ''));
    expect(empty.options).toHaveLength(100);
    expect(empty.truncated).toBe(true);
    expect(toSlackOptions(empty).hint).toBe(NARROW_HINT);
    expect(names(empty).slice(0, 2)).toEqual(['srv-00001', 'srv-00002']);
    checkLimits(empty);
    // srv-00007 has the long product: its text is cut to 75 with "…".
    expect(empty.options[6]?.text).toMatch(/^srv-00007 · Enterprise .*…$/);
    expect(empty.options[6]?.text).toHaveLength(75);

    const unique = await timed('devices, unique name', () => searchDeviceOptions(deps, 'SRV-04242'));
    expect(names(unique)).toEqual(['srv-04242']);
    expect(unique.truncated).toBe(false);
    const prefix = await timed('devices, prefix of 10', () => searchDeviceOptions(deps, 'srv-0424'));
    expect(names(prefix)).toEqual(Array.from({ length: 10 }, (_, index) => `srv-0424${index}`));

    const accented = await timed('devices, two words with accent', () => searchDeviceOptions(deps, 'são paulo srv-04'));
    // n in 4000…4999 with n % 5 = 0: 200 matches, the first 100 shown.
    expect(accented.options).toHaveLength(100);
    expect(accented.truncated).toBe(true);
    expect(names(accented)[0]).toBe('srv-04000');
    checkLimits(accented);
    const zurich = await timed('devices, "zurich database"', () => searchDeviceOptions(deps, 'zurich database'));
    // n % 5 = 4 and n % 4 = 0: n ≡ 4 (mod 20), 250 of them.
    expect(zurich.truncated).toBe(true);
    expect(names(zurich)[0]).toBe('srv-00004');

    const none = await timed('devices, no match', () => searchDeviceOptions(deps, 'nothing matches this'));
    expect(none).toEqual({ options: [], truncated: false });
    const wildcard = await timed('devices, "%"', () => searchDeviceOptions(deps, '%'));
    expect(wildcard).toEqual({ options: [], truncated: false });

    const allIds = (await db.selectFrom('devices').select('id').orderBy('id').execute()).map((row) => row.id);
    const thirty = allIds.slice(0, 30);
    const someCredentials = await timed('credentials, 30 devices, empty query', () =>
      searchCredentialOptions(deps, { deviceIds: thirty, text: '' }),
    );
    expect(someCredentials.options).toHaveLength(100);
    expect(someCredentials.truncated).toBe(true);
    expect(someCredentials.options[0]?.text).toBe('app_user @ srv-00001');
    checkLimits(someCredentials);
    const everyCredential = await timed('credentials, all 5,000 devices, empty query', () =>
      searchCredentialOptions(deps, { deviceIds: allIds, text: '' }),
    );
    expect(everyCredential.options).toHaveLength(100);
    expect(everyCredential.truncated).toBe(true);
    const oneCredential = await timed('credentials, all 5,000 devices, "svc_srv-04242"', () =>
      searchCredentialOptions(deps, { deviceIds: allIds, text: 'svc_srv-04242' }),
    );
    expect(oneCredential.options.map((option) => option.text)).toEqual(['CORP\\svc_srv-04242 @ srv-04242']);
    const rootOfThirty = await timed('credentials, 30 devices, "root"', () =>
      searchCredentialOptions(deps, { deviceIds: thirty, text: 'root' }),
    );
    expect(rootOfThirty.options).toHaveLength(30);
    expect(rootOfThirty.truncated).toBe(false);
    const noCredential = await timed('credentials, all 5,000 devices, no match', () =>
      searchCredentials(db, { deviceIds: allIds, text: 'nothing matches this', limit: 101 }),
    );
    expect(noCredential).toEqual([]);
    const noDevice = await timed('devices (repo), no match', () =>
      searchDevices(db, { text: 'nothing matches this', limit: 101 }),
    );
    expect(noDevice).toEqual([]);

    process.stdout.write(`catalog search timings on ${database.kind} (ms): ${JSON.stringify(timings, null, 2)}\n`);
    // Slack shows the menu's options only if they come within its 3 seconds, whatever else the app is doing;
    // the figures above say how far inside that a quiet machine is.
    for (const [label, ms] of Object.entries(timings)) expect(ms, label).toBeLessThan(2_500);
  });
});
