// /readyz fails while PostgreSQL is unreachable and recovers on its own once it is back, without a restart.
// PostgreSQL only: the embedded database lives inside the process and cannot be "down".
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { startTestApp } from '../support/test-app.ts';
import { usesPostgres } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

type Proxy = Awaited<ReturnType<typeof startTcpProxy>>;
const proxies: Proxy[] = [];
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

// The PGlite run of the suite covers everything else; this test needs a database server it can cut off.
describe.runIf(usesPostgres())('/readyz during a database outage', () => {
  it('answers 503 while the database is unreachable and 200 again once it is back', async () => {
    const target = new URL(process.env.TEST_DATABASE_URL ?? '');
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    proxies.push(proxy);
    const app = await startTestApp({ wrapDatabaseUrl: (url) => proxy.proxiedUrl(url) });
    const readiness = async () => (await fetch(`${app.baseUrl}/readyz`)).status;
    expect(await readiness()).toBe(200);

    await proxy.cut('reset');
    await waitFor(async () => (await readiness()) === 503, { description: '/readyz to fail', timeoutMs: 15_000 });
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);

    await proxy.restore();
    await waitFor(async () => (await readiness()) === 200, { description: '/readyz to recover', timeoutMs: 15_000 });
    const help = await app.slack.command({ text: 'help', userId: 'U0REQ0001' });
    expect(help.status).toBe(200);
  });
});
