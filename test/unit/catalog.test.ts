import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogFormatFromFileName } from '../../src/catalog-file/read-catalog-file.ts';
import type { Catalog } from '../../src/domain/catalog-schema.ts';
import { formatCatalogReport, parseCatalog } from '../../src/usecases/load-catalog.ts';
import type { CatalogChanges, CatalogParseResult } from '../../src/usecases/load-catalog.ts';
import { fixturePath } from '../support/fixtures.ts';

const fixtureText = readFileSync(fixturePath('catalog.yaml'), 'utf8');

function catalogOf(result: CatalogParseResult): Catalog {
  if (!result.ok) throw new Error(`expected a valid catalog, got:\n${result.problems.join('\n')}`);
  return result.catalog;
}

function problemsOf(result: CatalogParseResult): string[] {
  if (result.ok) throw new Error('expected the catalog to be refused');
  return result.problems;
}

describe('parseCatalog', () => {
  it('reads the shared fixture catalog', () => {
    const catalog = catalogOf(parseCatalog(fixtureText, 'yaml'));
    expect(catalog.roles).toEqual({ admin: ['U0ADMIN01'], importer: ['U0IMPORT1'], requester: ['U0REQ0001'] });
    expect(catalog.reasons).toEqual(['Change', 'Incident', 'Remote work force']);
    expect(catalog.accessGroups).toEqual([
      {
        name: 'Vendor approvers',
        approverUserIds: ['U0APPR001', 'U0APPR002'],
        approverUsergroupId: null,
        approvalsRequired: 1,
        rejectionsToCancel: 1,
        governanceRequired: false,
      },
    ]);
    expect(catalog.vendors).toEqual([
      {
        name: 'Acme Corp',
        accessGroup: 'Vendor approvers',
        enabled: true,
        contractStart: '2026-01-01',
        contractEnd: '2027-12-31',
        emailDomains: ['acme.example'],
      },
      {
        name: 'Globex',
        accessGroup: 'Vendor approvers',
        enabled: true,
        contractStart: '2026-01-01',
        contractEnd: null,
        emailDomains: null,
      },
      {
        name: 'Initech',
        accessGroup: 'Vendor approvers',
        enabled: false,
        contractStart: '2026-01-01',
        contractEnd: '2026-06-30',
        emailDomains: null,
      },
    ]);
    expect(catalog.devices).toHaveLength(12);
    expect(catalog.devices[0]).toEqual({
      externalId: 'D-1001',
      name: 'db-prod-01',
      product: 'PostgreSQL 16',
      deviceType: 'Database',
      site: 'Sao Paulo',
      domain: 'corp.local',
    });
    expect(catalog.credentials).toHaveLength(30);
    expect(catalog.credentials[7]).toEqual({
      externalId: 'C-5008',
      deviceExternalId: 'D-1003',
      credentialType: 'Domain user',
      username: 'CORP\\svc_erp_reports',
      domain: 'corp.local',
    });
  });

  it('reads the same catalog written as JSON', () => {
    // The core schema keeps dates as text, as the catalog parser does.
    const json = JSON.stringify(parse(fixtureText, { version: '1.2' }), null, 2);
    expect(catalogOf(parseCatalog(json, 'json'))).toEqual(catalogOf(parseCatalog(fixtureText, 'yaml')));
  });

  it('applies the defaults and leaves absent sections undefined', () => {
    const catalog = catalogOf(
      parseCatalog(
        [
          'access_groups:',
          '  - name: Ops',
          '    approver_usergroup: S0OPS',
          'vendors:',
          '  - {name: Acme, access_group: Ops, contract_start: 2026-01-01, email_domains: [Acme.Example]}',
        ].join('\n'),
        'yaml',
      ),
    );
    expect(catalog.roles).toEqual({ admin: undefined, importer: undefined, requester: undefined });
    expect(catalog.reasons).toBeUndefined();
    expect(catalog.accessGroups[0]).toEqual({
      name: 'Ops',
      approverUserIds: [],
      approverUsergroupId: 'S0OPS',
      approvalsRequired: 1,
      rejectionsToCancel: 1,
      governanceRequired: false,
    });
    expect(catalog.vendors[0]).toMatchObject({ enabled: true, contractEnd: null, emailDomains: ['acme.example'] });
  });

  it('accepts {} and an empty role list', () => {
    expect(catalogOf(parseCatalog('{}', 'json')).devices).toEqual([]);
    expect(catalogOf(parseCatalog('admins: []\n', 'yaml')).roles.admin).toEqual([]);
    expect(catalogOf(parseCatalog('\uFEFF{"admins": []}', 'json')).roles.admin).toEqual([]);
  });

  it('accepts a date that arrives as a Date (YAML 1.1 timestamps)', () => {
    // A JSON file cannot hold a Date, so this goes through YAML's 1.1 tag explicitly.
    const text =
      'access_groups: [{name: G, approvers: [U0A1]}]\nvendors: [{name: V, access_group: G, contract_start: !!timestamp 2026-01-01}]\n';
    expect(catalogOf(parseCatalog(text, 'yaml')).vendors[0]?.contractStart).toBe('2026-01-01');
  });

  it('lists every problem of an invalid file, each with its path', () => {
    const text = `
admins: [U0ADMIN01, u0bad]
reasons: [Change, change]
access_groups:
  - name: Ops
    approvers: [U0APPR001]
    approvals_required: 0
  - name: Audit
    approvers: [U0APPR001]
    approvals_required: 2
vendors:
  - name: Acme Corp
    access_group: Ops
    contract_start: 2026-01-01
    contract_end: 2025-12-31
    email_domains: ["@acme.example"]
  - name: Globex
    access_group: Nobody
    enabled: yes
    contract_start: 2026-02-30
devices:
  - {id: D-1, name: db-01}
  - {id: D-2, name: db-02}
  - {id: D-3}
credentials:
  - {id: C-1, device: D-1, username: root}
  - {id: C-2, device: D-2, username: root}
  - {id: C-3, device: D-3, username: root}
  - {id: C-4, device: D-9, username: root}
`;
    expect(problemsOf(parseCatalog(text, 'yaml'))).toEqual([
      'admins[1]: "u0bad" is not a Slack user ID (like U0123ABCD)',
      'reasons[1]: "change" is listed twice (also at reasons[0])',
      'access_groups[0].approvals_required: must be a whole number ≥ 1',
      'access_groups[1].approvals_required: 2 approvals are needed but the group has only 1 approver',
      'vendors[0].contract_end: must not be before contract_start (2026-01-01)',
      'vendors[0].email_domains[0]: "@acme.example" is not a bare domain (write it like acme.example: no @, no http://, no path)',
      'vendors[1].access_group: unknown access group "Nobody"',
      'vendors[1].enabled: must be true or false, not the text "yes"',
      'vendors[1].contract_start: "2026-02-30" is not a real date',
      'devices[2].name: is required',
      'credentials[3].device: unknown device "D-9"',
    ]);
  });

  it('names unknown keys and sections instead of ignoring them', () => {
    const text = `
requestors: [U0REQ0001]
access_groups:
  - name: Ops
    aproovers: [U0APPR001]
devices:
  - {id: D-1, name: db-01, colour: blue}
`;
    expect(problemsOf(parseCatalog(text, 'yaml'))).toEqual([
      'requestors: unknown section (did you mean "requesters"?)',
      'access_groups[0].approvers: the group needs at least one approver: list approvers or set approver_usergroup',
      'access_groups[0].aproovers: unknown key (did you mean "approvers"?)',
      'devices[0].colour: unknown key (the keys allowed here are id, name, product, type, site, domain)',
    ]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const problems = problemsOf(parseCatalog('admins: [U0ADMIN01\nimporters: [U0IMPORT1]\n', 'yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line 2, column 1: /);
  });

  it('refuses a key written twice in YAML and in JSON', () => {
    expect(problemsOf(parseCatalog('admins: [U0ADMIN01]\nadmins: []\n', 'yaml'))).toEqual([
      'line 2, column 1: this key appears twice in the same entry or section',
    ]);
    expect(problemsOf(parseCatalog('{\n  "admins": ["U0ADMIN01"],\n  "admins": []\n}', 'json'))).toEqual([
      'line 3, column 3: this key appears twice in the same entry or section',
    ]);
  });

  it('reports a JSON syntax error with its line and column', () => {
    expect(problemsOf(parseCatalog('{\n  "admins": ["U0ADMIN01"]\n  "importers": []\n}', 'json'))).toEqual([
      "line 3, column 3: Expected ',' or '}' after property value",
    ]);
  });

  it('refuses duplicate device and credential ids and duplicate names in any case', () => {
    const text = `
access_groups:
  - {name: Ops, approvers: [U0APPR001]}
  - {name: OPS, approvers: [U0APPR002]}
vendors:
  - {name: Acme, access_group: Ops, contract_start: 2026-01-01}
  - {name: ACME, access_group: Ops, contract_start: 2026-01-01}
devices:
  - {id: D-1, name: db-01}
  - {id: D-1, name: db-02}
credentials:
  - {id: C-1, device: D-1, username: root}
  - {id: C-1, device: D-1, username: admin}
`;
    expect(problemsOf(parseCatalog(text, 'yaml'))).toEqual([
      'access_groups[1].name: "OPS" is already used by access_groups[0]',
      'vendors[1].name: "ACME" is already used by vendors[0]',
      'devices[1].id: "D-1" is already used by devices[0]',
      'credentials[1].id: "C-1" is already used by credentials[0]',
    ]);
  });

  it('accepts references to access groups and devices already in the database', () => {
    const text = `
vendors:
  - {name: Acme, access_group: vendor APPROVERS, contract_start: 2026-01-01}
credentials:
  - {id: C-1, device: D-1001, username: root}
`;
    expect(problemsOf(parseCatalog(text, 'yaml'))).toEqual([
      'vendors[0].access_group: unknown access group "vendor APPROVERS"',
      'credentials[0].device: unknown device "D-1001"',
    ]);
    const known = { accessGroups: ['Vendor approvers'], devices: ['D-1001'] };
    expect(parseCatalog(text, 'yaml', known).ok).toBe(true);
  });

  it('explains values of the wrong kind in words', () => {
    const text = `
admins: U0ADMIN01
importers:
reasons: []
devices:
  - {id: 1001, name: db-01}
  - just a name
`;
    expect(problemsOf(parseCatalog(text, 'yaml'))).toEqual([
      'admins: must be a list, like [U0123ABCD], not the text "U0ADMIN01"',
      'importers: is empty; write [] to remove everyone from this role, or remove the line to leave it as it is',
      'reasons: must list at least one reason, or be left out to leave reasons as they are',
      'devices[0].id: must be text; put quotes around it ("1001")',
      'devices[1]: must be an entry with the keys id, name, product, type, site, domain, not the text "just a name"',
    ]);
  });

  it('refuses an empty file and a file that is not a mapping', () => {
    expect(problemsOf(parseCatalog('# nothing yet\n', 'yaml'))).toEqual([
      'the catalog file is empty (write {} for a catalog that changes nothing)',
    ]);
    expect(problemsOf(parseCatalog('  ', 'json'))).toEqual([
      'the catalog file is empty (write {} for a catalog that changes nothing)',
    ]);
    expect(problemsOf(parseCatalog('[1, 2]', 'json'))[0]).toMatch(/^catalog: must be a mapping of sections/);
  });
});

describe('catalogFormatFromFileName', () => {
  it('knows .yaml, .yml and .json in any case', () => {
    expect(catalogFormatFromFileName('catalog.yaml')).toBe('yaml');
    expect(catalogFormatFromFileName('/etc/domum/Catalog.YML')).toBe('yaml');
    expect(catalogFormatFromFileName('catalog.json')).toBe('json');
    expect(catalogFormatFromFileName('catalog.xlsx')).toBeUndefined();
    expect(catalogFormatFromFileName('yaml')).toBeUndefined();
  });
});

describe('formatCatalogReport', () => {
  const none = { created: 0, updated: 0, unchanged: 0 };
  const noRole = { added: 0, removed: 0, unchanged: 0 };
  const unchanged: CatalogChanges = {
    accessGroups: { ...none, unchanged: 1 },
    vendors: { ...none, unchanged: 3 },
    reasons: { ...none, unchanged: 3, disabled: 0 },
    devices: none,
    credentials: none,
    roles: { admin: { ...noRole, unchanged: 1 }, importer: noRole, requester: noRole },
  };

  it('says so when nothing changed', () => {
    expect(formatCatalogReport(unchanged)).toBe('No changes: the catalog is already up to date.');
  });

  it('gives one line per kind of entry with number and word', () => {
    const report = formatCatalogReport({
      ...unchanged,
      vendors: { created: 1, updated: 1, unchanged: 2 },
      reasons: { ...none, created: 1, unchanged: 2, disabled: 1 },
      roles: { ...unchanged.roles, requester: { added: 1, removed: 2, unchanged: 0 } },
    });
    expect(report.split('\n')).toEqual([
      'Access groups: 1 unchanged',
      'Vendors: 1 created, 1 updated, 2 unchanged',
      'Reasons: 1 created, 2 unchanged, 1 disabled',
      'Admins: 1 unchanged',
      'Requesters: 1 added, 2 removed',
    ]);
  });
});
