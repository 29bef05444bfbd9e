import { test, expect, checkPage } from './helpers';

test('the app shell is installable, served compressed, and caches no pages before login', async ({ page, request }) => {
  await page.goto('/anmelden');
  await checkPage(page);

  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBe('/manifest.webmanifest');
  const manifest = await (await request.get(manifestHref!)).json();
  expect(manifest.name).toBe('Gruppenbuch');
  expect(manifest.lang).toBe('de');
  expect(manifest.icons.length).toBeGreaterThanOrEqual(2);

  // The service worker registers and controls the page after a reload.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await checkPage(page);
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
  expect(controlled).toBe(true);

  // Only static app files are in Cache Storage: never a page, never data. (After login the
  // worker also keeps the capture pages; see entries.spec.ts for what logout removes.)
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
  expect(cached.length).toBeGreaterThan(0);
  for (const url of cached) {
    expect(url, 'only static app files may be cached').toMatch(/^\/(pkg\/|icons\/|manifest\.webmanifest$|outbox\.js$|offline\.html$)/);
  }

  // The WebAssembly goes out brotli-compressed.
  const wasm = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.endsWith('.wasm')),
  );
  expect(wasm).toBeTruthy();
  const res = await request.get(wasm!, { headers: { 'accept-encoding': 'br' } });
  expect(res.headers()['content-encoding']).toBe('br');
  expect(res.headers()['cache-control']).toContain('immutable');

  // Pages are never stored.
  const html = await request.get('/anmelden');
  expect(html.headers()['cache-control']).toBe('no-store');
});
