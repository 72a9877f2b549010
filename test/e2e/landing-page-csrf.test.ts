// The landing page's CSRF check (issue 13), over real HTTP against the running app: the cookie's attributes
// over https and http base URLs; a PUBLIC_BASE_URL with a path prefix, where the app sits behind a proxy that
// strips the prefix (the POST reaches the app's own path carrying the cookie a browser sends for the prefixed
// one); two links open in two tabs; and refusals — a forged pair, another link's pair, a foreign Origin — that
// answer 403 and write nothing.
import { describe, expect, it } from 'vitest';
import { CSRF_COOKIE_HTTP, CSRF_COOKIE_HTTPS } from '../../src/web/landing-page.ts';
import { browserSends, linkIdOf, parseSetCookie, provision, writtenState } from '../support/landing-page-driver.ts';
import type { FormPair, StoredCookie } from '../support/landing-page-driver.ts';

/** The Cookie header a browser that stored `cookie` from `setBy` sends with a request to `url`. */
function cookieHeader(cookie: StoredCookie, setBy: string, url: string): string {
  return browserSends(cookie, new URL(setBy), new URL(url)) ? `${cookie.name}=${cookie.value}` : '';
}

describe('the landing page CSRF check', () => {
  it('over https under a path prefix: a __Host- cookie the browser sends back for the prefixed pages, one nonce for two tabs, each value bound to its link', async () => {
    const { app, db, linkOf, emailedLinkOf, tokenOf, formOf, postToken, askNewToken, newTokenJobsSettled } =
      await provision(
        [
          ['Ana', 'ana@globex.example'],
          ['Bia', 'bia@globex.example'],
          ['Caio', 'caio@globex.example'],
        ],
        { env: { PUBLIC_BASE_URL: 'https://domum.example.com/domum' } },
      );
    const ana = linkOf('ana@globex.example');
    const bia = linkOf('bia@globex.example');
    const caio = linkOf('caio@globex.example');
    // What the user's browser sees: the emailed address, under the prefix. The proxy forwards it to the
    // app's /access/<link id>, which is where the requests below go.
    const anaEmailed = emailedLinkOf('ana@globex.example');
    const biaEmailed = emailedLinkOf('bia@globex.example');
    expect(anaEmailed).toBe(`https://domum.example.com/domum/access/${linkIdOf(ana)}`);

    const anaPage = await formOf(ana);
    const cookie = parseSetCookie(anaPage.setCookie);
    expect(cookie).toEqual({
      name: CSRF_COOKIE_HTTPS,
      value: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      attributes: { path: '/', httponly: '', samesite: 'Strict', 'max-age': '3600', secure: '' },
    });
    // A browser keeps it (a __Host- cookie must be Secure, Path=/, without Domain) and sends it with both
    // forms' POSTs under the prefix; the old `Path=/access` cookie never came back there.
    for (const target of [anaEmailed, `${anaEmailed}/new-token`, biaEmailed])
      expect(cookieHeader(cookie, anaEmailed, target)).toBe(`${CSRF_COOKIE_HTTPS}=${cookie.value}`);
    const oldCookie = parseSetCookie('domum_csrf=x; Path=/access; HttpOnly; SameSite=Strict; Max-Age=3600');
    expect(cookieHeader(oldCookie, anaEmailed, anaEmailed)).toBe('');
    expect(
      cookieHeader(oldCookie, 'https://domum.example.com/access/x', 'https://domum.example.com/access/x'),
    ).not.toBe('');

    // A second tab: Bia's page, opened with the cookie the browser now has, keeps its nonce; each page's
    // value is its own. Both tabs' forms work, in either order.
    const browserCookie = cookieHeader(cookie, anaEmailed, biaEmailed);
    const biaPage = await formOf(bia, browserCookie);
    expect(parseSetCookie(biaPage.setCookie).value).toBe(cookie.value);
    expect(biaPage.csrf).not.toBe(anaPage.csrf);
    const anaPair: FormPair = { cookie: cookieHeader(cookie, anaEmailed, anaEmailed), csrf: anaPage.csrf };
    const biaPair: FormPair = { cookie: cookieHeader(cookie, anaEmailed, biaEmailed), csrf: biaPage.csrf };
    const wrong = await postToken(ana, 'ABCD-EFGH-JKMN', anaPair);
    expect(wrong.status).toBe(400); // past the CSRF check: the token was checked and counted
    expect(await wrong.text()).toContain('4 attempts left');
    expect((await postToken(bia, tokenOf('bia@globex.example'), biaPair)).status).toBe(200);
    expect((await postToken(ana, tokenOf('ana@globex.example'), anaPair)).status).toBe(200);
    const caioPage = await formOf(caio, browserCookie);
    expect((await askNewToken(caio, { cookie: browserCookie, csrf: caioPage.csrf })).status).toBe(200);
    await newTokenJobsSettled(1);

    // Refused with 403, and nothing written: a forged value, Caio's value on Ana's link (and the other way),
    // Caio's value under another nonce, a foreign Origin.
    const caioPair: FormPair = { cookie: browserCookie, csrf: caioPage.csrf };
    const otherBrowser = (await formOf(caio)).cookie;
    const post = (url: string, pair: FormPair, headers: Record<string, string> = {}, token = 'ABCD-EFGH-JKMN') =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pair.cookie, ...headers },
        body: new URLSearchParams({ token, csrf: pair.csrf }).toString(),
      });
    const refusals: Array<[string, () => Promise<Response>]> = [
      ['a forged value', () => post(caio, { cookie: browserCookie, csrf: 'forged' })],
      ['a forged value, new token', () => post(`${caio}/new-token`, { cookie: browserCookie, csrf: 'forged' })],
      ['no cookie', () => post(caio, { cookie: '', csrf: caioPage.csrf })],
      ["Ana's pair on Caio's link", () => post(caio, anaPair)],
      ["Caio's pair on Bia's new token", () => post(`${bia}/new-token`, caioPair)],
      ["Caio's value with another browser's cookie", () => post(caio, { cookie: otherBrowser, csrf: caioPage.csrf })],
      ['a foreign Origin', () => post(caio, caioPair, { origin: 'https://evil.example' })],
      ['a foreign Origin, new token', () => post(`${caio}/new-token`, caioPair, { origin: 'https://evil.example' })],
    ];
    for (const [what, refused] of refusals) {
      const before = await writtenState(db);
      const response = await refused();
      expect(response.status, what).toBe(403);
      expect(await writtenState(db), what).toEqual(before);
    }
    // A browser sends `Origin: null` (the pages' Referrer-Policy is no-referrer) or the public origin.
    expect((await post(caio, caioPair, { origin: 'null' })).status).toBe(400);
    const activated = await post(
      caio,
      caioPair,
      { origin: 'https://domum.example.com' },
      tokenOf('caio@globex.example'),
    );
    expect(activated.status).toBe(200);
    expect(app.rawLogs.join('\n')).not.toContain(caioPage.csrf);
  }, 120_000);

  it('over plain http: a cookie without the __Host- prefix or Secure, which the browser sends back', async () => {
    const { app, linkOf, emailedLinkOf, tokenOf, formOf, postToken } = await provision(
      [['Dani', 'dani@globex.example']],
      { env: { PUBLIC_BASE_URL: 'http://localhost:8080' } },
    );
    const dani = linkOf('dani@globex.example');
    const emailed = emailedLinkOf('dani@globex.example');
    expect(emailed).toMatch(/^http:\/\/localhost:8080\/access\//);
    const page = await formOf(dani);
    const cookie = parseSetCookie(page.setCookie);
    expect(cookie).toEqual({
      name: CSRF_COOKIE_HTTP,
      value: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      attributes: { path: '/', httponly: '', samesite: 'Strict', 'max-age': '3600' },
    });
    const sent = cookieHeader(cookie, emailed, emailed);
    expect(sent).toBe(`${CSRF_COOKIE_HTTP}=${cookie.value}`);
    // The https name is not what this install reads: a pair under it is refused.
    const wrongName = { cookie: `${CSRF_COOKIE_HTTPS}=${cookie.value}`, csrf: page.csrf };
    expect((await postToken(dani, tokenOf('dani@globex.example'), wrongName)).status).toBe(403);
    expect((await postToken(dani, tokenOf('dani@globex.example'), { cookie: sent, csrf: page.csrf })).status).toBe(200);
    expect(app.running.deps.config.publicBaseUrl).toBe('http://localhost:8080');
  }, 120_000);
});
