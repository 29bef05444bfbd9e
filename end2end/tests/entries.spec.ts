import { type Page } from '@playwright/test';
import { checkPage, expect, login, logout, test } from './helpers';

/** A word that must exist only in the notes' text, never in the browser's storage. */
function marker(name: string) {
  return `${name}${Math.random().toString(36).slice(2, 10)}`;
}

/** Waits until the service worker holds what the app needs to open without a network. */
async function waitUntilOfflineReady(page: Page) {
  // expect.poll, not waitForFunction: the check is asynchronous (Cache Storage).
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const worker = navigator.serviceWorker.controller;
          if (!worker) return 'no worker yet';
          const pages = await caches.open('gruppenbuch-pages-v1');
          for (const path of ['/tagesnotiz/neu', '/besuchskontakt/neu', '/']) {
            if (!(await pages.match(path))) {
              worker.postMessage('precache');
              return `page ${path} not cached yet`;
            }
          }
          const list: string[] = await (await fetch('/offline-assets.json', { cache: 'no-store' })).json();
          for (const path of list) {
            if (!(await caches.match(path))) return `${path} not cached yet`;
          }
          return 'ready';
        }),
      // The worker waits for a quiet network first (at most 15 s; this poll is traffic too).
      { timeout: 60_000, intervals: [500] },
    )
    .toBe('ready');
}

async function writeNote(page: Page, text: string) {
  await page.getByLabel('Für wen?').selectOption({ label: 'Mia Krause' });
  await page.getByLabel('Kategorie').selectOption({ label: 'Schule/Hausaufgaben' });
  await page.getByLabel('Notiz', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#save-status')).toContainText('Gespeichert');
  await expect(page.getByLabel('Notiz', { exact: true })).toHaveValue('');
}

async function writeVisit(page: Page, notes: string) {
  await page.getByLabel('Junger Mensch').selectOption({ label: 'Mia Krause' });
  await page.getByLabel('Art des Kontakts').selectOption({ label: 'Besuch' });
  await page.getByLabel('Ort').selectOption({ label: 'SIEH-Räume' });
  await page.getByLabel('Mutter').check();
  await page.locator('#visit-supervised').getByLabel('nein').check();
  await page.getByLabel('Hat der Kontakt stattgefunden?').selectOption({ label: 'stattgefunden' });
  await page.getByLabel('Notizen').fill(notes);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#save-status')).toContainText('Gespeichert');
}

/** Mia's entries whose text contains `word`, asked from the server. */
async function entriesOnServer(page: Page, youthId: string, word: string): Promise<number> {
  const origin = new URL(page.url()).origin;
  let found = 0;
  let before = '';
  for (;;) {
    const res = await page.request.post('/api/entries/timeline', {
      headers: { Origin: origin, Accept: 'application/json' },
      form: { 'input[youth_id]': youthId, 'input[before]': before },
    });
    expect(res.status()).toBe(200);
    const page_ = await res.json();
    found += page_.entries.filter((e: unknown) => JSON.stringify(e).includes(word)).length;
    if (!page_.next) return found;
    before = page_.next;
  }
}

/** Everything the browser keeps for this origin, as text. */
async function browserStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i) ?? '';
      parts.push(k, localStorage.getItem(k) ?? '');
    }
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i) ?? '';
      parts.push(k, sessionStorage.getItem(k) ?? '');
    }
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db: IDBDatabase = await new Promise((ok, fail) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const all: unknown[] = await new Promise((ok, fail) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => ok(req.result);
          req.onerror = () => fail(req.error);
        });
        parts.push(JSON.stringify(all));
      }
      db.close();
    }
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        parts.push(request.url, response ? await response.text() : '');
      }
    }
    return parts.join('\n');
  });
}

test('staff write notes and a visit offline, and each arrives exactly once', async ({ page, context }) => {
  test.setTimeout(180_000);
  const run = marker('lauf');
  const canary = marker('kanarienvogel');
  await login(page, 'fachkraft');
  await page.goto('/tagesnotiz/neu');
  await expect(page.getByRole('heading', { name: 'Tagesnotiz' })).toBeVisible();
  await checkPage(page);
  const youthId = await page.getByLabel('Für wen?').locator('option', { hasText: 'Mia Krause' }).getAttribute('value');
  expect(youthId).toBeTruthy();

  // Online: saved into the outbox and sent at once.
  await writeNote(page, `Online geschrieben ${run}`);
  await expect(page.locator('#outbox-count')).toHaveText('0');
  await expect(page.locator('#outbox-last')).toContainText('zuletzt gesendet');
  expect(await entriesOnServer(page, youthId!, run)).toBe(1);

  await waitUntilOfflineReady(page);
  await context.setOffline(true);
  await writeNote(page, `Offline eins ${run}`);
  await writeNote(page, `Offline zwei ${run} ${canary}`);
  await writeNote(page, `Offline drei ${run}`);
  await expect(page.locator('#outbox-count')).toHaveText('3');
  // The visit form opens from the service worker's copy.
  await page.goto('/besuchskontakt/neu');
  await expect(page.getByRole('heading', { name: 'Besuchskontakt' })).toBeVisible();
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await writeVisit(page, `Besuch offline ${run}`);
  await page.reload();
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await expect(page.locator('#outbox-count')).toHaveText('4');
  // The app opens without a network at its start page too.
  await page.goto('/');
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('#outbox-count')).toHaveText('4');
  // Nothing typed is readable on the device while it waits.
  expect(await browserStorage(page)).not.toContain(canary);

  await context.setOffline(false);
  await expect(page.locator('#outbox-count')).toHaveText('0', { timeout: 30_000 });
  expect(await entriesOnServer(page, youthId!, run)).toBe(5);

  await logout(page);
  const storage = await browserStorage(page);
  expect(storage).not.toContain(canary);
  expect(storage).not.toContain(run);
});

test('a note with missing fields shows the messages at the fields and waits for nothing', async ({ page }) => {
  await login(page, 'fachkraft');
  await page.goto('/tagesnotiz/neu');
  await expect(page.getByRole('heading', { name: 'Tagesnotiz' })).toBeVisible();
  await checkPage(page);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#note-subject ~ .field-error')).toContainText('Bitte einen jungen Menschen');
  await expect(page.getByText('Bitte eine Kategorie wählen.')).toBeVisible();
  await expect(page.locator('#note-text-fehler')).toHaveText('Bitte ausfüllen.');
  await page.getByLabel('Für wen?').selectOption({ label: 'Mia Krause' });
  await page.getByLabel('Kategorie').selectOption({ label: 'Freizeit' });
  // The field's maxlength stops typing at 4000; a pasted or scripted text still gets
  // the message, and the server would refuse it too.
  await page.locator('#note-text').evaluate((el) => el.removeAttribute('maxlength'));
  await page.getByLabel('Notiz', { exact: true }).fill('x'.repeat(4001));
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#note-text-fehler')).toHaveText('Höchstens 4000 Zeichen.');
  const waiting = await page.evaluate(async () => (await (window as any).gbOutbox.stats()).pending);
  expect(waiting).toBe(0);
  await checkPage(page);
});

test('a young person’s page shows the timeline, goals and contacts, and a note can be corrected', async ({ page }) => {
  await login(page, 'leitung');
  await page.goto('/gruppen');
  await page.getByRole('link', { name: 'FWG Sonnenhaus' }).first().click();
  await page.getByRole('link', { name: /Mia Krause/ }).click();
  await expect(page.getByRole('heading', { name: 'Mia Krause' })).toBeVisible();
  await checkPage(page);
  await expect(page.getByRole('heading', { name: 'Verlauf' })).toBeVisible();
  await expect(page.locator('#contacts-summary')).toContainText('2 Kontakt(e) pro Monat');
  await expect(page.getByText('Regelmäßiger Schulbesuch').first()).toBeVisible();
  await page.getByLabel('Anzeigen').selectOption({ label: 'Nur Besuchskontakte' });
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/filter=besuche/);
  await expect(page.locator('.entry-card header a').first()).toContainText('Besuchskontakt');
  await expect(page.locator('.entry-card header a', { hasText: 'Tagesnotiz' })).toHaveCount(0);
  await page.getByLabel('Anzeigen').selectOption({ label: 'Schule/Hausaufgaben' });
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/filter=schule/);
  await page.locator('.entry-card header a').first().click();
  await expect(page.getByRole('heading', { name: /Tagesnotiz · Mia Krause/ })).toBeVisible();
  await checkPage(page);
  await page.getByText('Korrigieren').click();
  await page.getByLabel('Notiz', { exact: true }).fill('Hausaufgaben in Mathe selbstständig erledigt (korrigiert).');
  await page.getByRole('button', { name: 'Korrektur speichern' }).click();
  await expect(page.getByText('Bitte ausfüllen.')).toBeVisible();
  const reason = marker('Ergänzung ');
  await page.getByLabel('Grund der Korrektur').fill(reason);
  await page.getByRole('button', { name: 'Korrektur speichern' }).click();
  await expect(page.getByText(reason)).toBeVisible();
  await expect(page.getByText(/Fassung \d+ von Petra Leitner/).first()).toBeVisible();
  await expect(page.getByText('Fassung 1 von Sabine Sonnen')).toBeVisible();
  await checkPage(page);
});
