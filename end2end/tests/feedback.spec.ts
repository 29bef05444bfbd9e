import { type Browser, type Page, type TestInfo } from '@playwright/test';
import { checkPage, expect, expectLayout, login, personAt, test } from './helpers';

/** A word that exists only in one message's text. */
function marker(name: string) {
  return `${name}${Math.random().toString(36).slice(2, 10)}`;
}

/** Every control a young person can touch is at least 44×44 CSS pixels, on any screen. */
async function expectTouchTargets(page: Page) {
  await expectLayout(page, true);
}

/** What a young person's page must pass: hydration, axe-core, touch targets. */
async function checkYouthPage(page: Page) {
  await checkPage(page);
  await expectTouchTargets(page);
}

/** A second person on a desktop (staff, Fachberatung). */
function desk(browser: Browser, info: TestInfo, user: string): Promise<Page> {
  return personAt(browser, info, user, 'desk');
}

/** Nothing of `word` is left in this browser's storage. */
async function expectNothingReadable(page: Page, word: string) {
  const found = await page.evaluate(async (w) => {
    const hits: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i) ?? '';
      if ((localStorage.getItem(key) ?? '').includes(w)) hits.push(`localStorage ${key}`);
    }
    for (const db of await indexedDB.databases()) {
      if (!db.name) continue;
      const text = await new Promise<string>((resolve) => {
        const open = indexedDB.open(db.name!);
        open.onsuccess = () => {
          const conn = open.result;
          const names = Array.from(conn.objectStoreNames);
          if (names.length === 0) return resolve('');
          const tx = conn.transaction(names, 'readonly');
          const parts: unknown[] = [];
          for (const n of names) tx.objectStore(n).getAll().onsuccess = (e) => parts.push((e.target as IDBRequest).result);
          tx.oncomplete = () => resolve(JSON.stringify(parts));
        };
        open.onerror = () => resolve('');
      });
      if (text.includes(w)) hits.push(`IndexedDB ${db.name}`);
    }
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const body = await (await cache.match(req))!.text();
        if (body.includes(w)) hits.push(`Cache ${name} ${req.url}`);
      }
    }
    return hits;
  }, word);
  expect(found).toEqual([]);
}

/** Sets the status and answers a message on its page. */
async function answer(page: Page, status: string, text: string) {
  await page.getByLabel('Stand', { exact: true }).selectOption({ label: status });
  await page.getByLabel('Antwort an den jungen Menschen').fill(text);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#answer-saved')).toBeVisible();
  await expect(page.locator('#feedback-history')).toContainText(text);
}

test('a young person logs in with a PIN, complains past the group, and reads the answer', async ({ page, browser }, info) => {
  const word = marker('Beschwerde');
  await login(page, 'jugendliche');
  await expectTouchTargets(page);
  await page.locator('#start-complain').click();
  await page.waitForURL(/\/nachricht\/neu\?art=beschwerde/);
  await checkYouthPage(page);

  // Nothing chosen and nothing written: kind messages, nothing sent.
  await page.getByRole('button', { name: 'Abschicken' }).click();
  await expect(page.locator('#fb-topic-fehler')).toHaveText('Bitte wähle ein Thema.');
  await expect(page.locator('#fb-text-fehler')).toContainText('Bitte wähle ein Gesicht');
  await expect(page.locator('#fb-recipient-fehler')).toBeVisible();
  await checkYouthPage(page);

  await page.getByText('Wie ich behandelt werde').click();
  await page.getByText('nicht gut', { exact: true }).click();
  await page.getByLabel('Was möchtest du sagen?').fill(`Ich werde angeschrien. ${word}`);
  await page.getByText('Die Fachberatung – die Wohngruppe sieht das nicht').click();
  await page.getByRole('button', { name: 'Abschicken' }).click();
  await expect(page.locator('#message-sent')).toContainText('Danke! Deine Nachricht ist angekommen.');
  await expect(page.locator('#pickup-code')).toHaveCount(0);
  await expect(page.locator('#fb-text')).toHaveValue('');
  await expectNothingReadable(page, word);
  await checkYouthPage(page);

  // The message is in "Meine Nachrichten", as "eingegangen".
  await page.goto('/nachrichten');
  const card = page.locator('.message-card', { hasText: word });
  await expect(card).toContainText('eingegangen');
  const id = await card.getAttribute('data-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);

  // The group's staff do not learn that it exists: not listed, and its page is a 404
  // exactly like an unknown one.
  const staff = await desk(browser, info, 'fachkraft');
  await staff.goto('/rueckmeldungen');
  await checkPage(staff);
  await expect(staff.locator(`a[href="/rueckmeldungen/${id}"]`)).toHaveCount(0);
  const denied = await staff.goto(`/rueckmeldungen/${id}`);
  expect(denied?.status()).toBe(404);
  await expect(staff.getByRole('alert')).toContainText('Nicht gefunden');
  await expect(staff.locator('body')).not.toContainText(word);
  await staff.context().close();

  // The Fachberatung reads and answers it.
  const advisor = await desk(browser, info, 'fachberatung');
  await advisor.goto('/rueckmeldungen');
  await checkPage(advisor);
  await advisor.locator(`a[href="/rueckmeldungen/${id}"]`).click();
  await advisor.waitForURL(`**/rueckmeldungen/${id}`);
  await checkPage(advisor);
  await expect(advisor.locator('#feedback-text')).toContainText(word);
  await expect(advisor.locator('.facts')).toContainText('von Mia');
  await answer(advisor, 'beantwortet', 'Danke, dass du es uns sagst. Wir besuchen dich am Freitag.');
  await checkPage(advisor);
  // The month's counts for the quality dialogue: numbers only, no names, no texts.
  await advisor.goto('/auswertung');
  await checkPage(advisor);
  const counts = advisor.locator('.counts-table', { hasText: 'Wie ich behandelt werde' });
  await expect(counts).toBeVisible();
  await expect(advisor.locator('main')).not.toContainText(word);
  await expect(advisor.locator('main')).not.toContainText('Mia');
  await advisor.context().close();

  // The answer reaches the young person, in simple words and from "der Fachberatung".
  await page.goto('/nachrichten');
  await checkYouthPage(page);
  const answered = page.locator(`.message-card[data-id="${id}"]`);
  await expect(answered).toContainText('beantwortet');
  await expect(answered).toContainText('Antwort von der Fachberatung');
  await expect(answered).toContainText('Wir besuchen dich am Freitag.');

  await page.goto('/meine-rechte');
  await checkYouthPage(page);
  await expect(page.locator('#rights-text')).toContainText('Du darfst dich beschweren');
});

test('without an account: the group poster link, an anonymous complaint and the answer by pickup code', async ({ page, browser }, info) => {
  const word = marker('Anonym');

  // The Fachberatung prints the group's poster; its link is what the QR code holds.
  const advisor = await desk(browser, info, 'fachberatung');
  await advisor.goto('/gruppen');
  await advisor.getByRole('link', { name: 'FWG Sonnenhaus' }).first().click();
  await advisor.getByRole('link', { name: 'QR-Code für anonyme Nachrichten' }).click();
  await advisor.waitForURL(/\/aushang$/);
  await checkPage(advisor);
  await expect(advisor.locator('#poster .qr svg')).toBeVisible();
  const link = await advisor.locator('#poster-link').getAttribute('href');
  expect(link).toMatch(/\/mitreden\/[A-Za-z0-9_-]{40,}$/);
  const path = new URL(link!).pathname;

  // A tampered link gets a friendly message.
  const tampered = await page.goto('/mitreden/falsch');
  expect(tampered?.status()).toBe(400);
  await checkPage(page);
  await expect(page.getByRole('alert')).toContainText('Dieser Link stimmt nicht');

  await page.goto(path);
  await checkYouthPage(page);
  await expect(page.locator('.page-lead')).toContainText('FWG Sonnenhaus');
  await page.getByText('Ich möchte mich beschweren').click();
  await page.getByText('Essen', { exact: true }).click();
  await page.getByText('sehr schlecht').click();
  await page.getByLabel('Was möchtest du sagen?').fill(`Das Essen ist immer kalt. ${word}`);
  await page.getByRole('button', { name: 'Abschicken' }).click();
  await expect(page.locator('#message-sent')).toContainText('Danke!');
  const code = (await page.locator('#pickup-code').textContent())!.trim();
  expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await expectNothingReadable(page, word);
  await checkYouthPage(page);

  // The Fachberatung finds it (anonymous: no name anywhere) and answers.
  await advisor.goto('/rueckmeldungen?stand=eingegangen');
  const rows = advisor.locator('.feedback-row', { hasText: 'anonym' }).filter({ hasText: 'Essen' });
  const hrefs = await rows.locator('a').evaluateAll((links) => links.map((l) => l.getAttribute('href')));
  let opened = false;
  for (const href of hrefs) {
    await advisor.goto(href!);
    if (((await advisor.locator('#feedback-text').textContent()) ?? '').includes(word)) {
      opened = true;
      break;
    }
  }
  expect(opened, 'the anonymous message is in the Fachberatung\'s list').toBe(true);
  await checkPage(advisor);
  await expect(advisor.locator('.facts')).toContainText('anonym');
  await expect(advisor.locator('.facts')).not.toContainText('von ');
  await answer(advisor, 'in Bearbeitung', 'Wir reden mit der Wohngruppe über das Essen.');
  await advisor.context().close();

  // Later, on the same page: a code of the wrong shape, a wrong code, the right code.
  await page.goto(path);
  await checkYouthPage(page);
  const input = page.getByLabel('Abholcode');
  await input.fill('ABC');
  await page.getByRole('button', { name: 'Antwort zeigen' }).click();
  await expect(page.locator('#pickup-fehler')).toContainText('Ein Abholcode hat 12 Zeichen');
  await input.fill('ABCD-EFGH-JKMN');
  await page.getByRole('button', { name: 'Antwort zeigen' }).click();
  await expect(page.locator('#pickup-fehler')).toContainText('Zu diesem Code haben wir nichts gefunden');
  await input.fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Antwort zeigen' }).click();
  const result = page.locator('#pickup .message-card');
  await expect(result).toContainText('in Bearbeitung');
  await expect(result).toContainText('Wir reden mit der Wohngruppe über das Essen.');
  await expect(result).not.toContainText(word);
  await checkYouthPage(page);
});

test('a login card and the PIN log a young person in', async ({ page, browser }, info) => {
  // The Fachberatung makes a new card on the young person's page.
  const advisor = await desk(browser, info, 'fachberatung');
  await advisor.goto('/gruppen');
  await advisor.getByRole('link', { name: 'FWG Sonnenhaus' }).first().click();
  await advisor.getByRole('link', { name: /Mia/ }).first().click();
  await advisor.getByRole('link', { name: 'Login-Karte drucken' }).click();
  await advisor.waitForURL(/\/karte$/);
  await checkPage(advisor);
  await advisor.getByRole('button', { name: 'Neue Login-Karte erstellen' }).click();
  await expect(advisor.locator('#login-card .qr svg')).toBeVisible();
  await checkPage(advisor);
  const card = new URL((await advisor.locator('#card-link').getAttribute('href'))!).pathname;
  expect(card).toMatch(/^\/karte\/[A-Za-z0-9_-]{40,}$/);
  await advisor.context().close();

  // The card's QR code opens the PIN page; a wrong PIN goes back to it.
  await page.goto(card);
  await checkYouthPage(page);
  await page.getByLabel('Deine PIN').fill('0000');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.locator('#login-error')).toBeVisible();
  await checkYouthPage(page);
  await page.getByLabel('Deine PIN').fill('2468');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { name: 'Hallo Mia!' })).toBeVisible();
  await checkYouthPage(page);
});
