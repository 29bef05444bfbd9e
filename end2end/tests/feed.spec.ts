import { type Page } from '@playwright/test';
import { checkPage, expect, login, personAt, test } from './helpers';

/** A word that exists only in one run's notes (letters only, so search finds just it). */
function marker(name: string) {
  return `${name}${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 8)}`;
}


/** Writes a daily note about Mia on the phone and waits until it is sent. */
async function note(page: Page, text: string, important: boolean) {
  await page.goto('/tagesnotiz/neu');
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await page.getByLabel('Für wen?').selectOption({ label: 'Mia Krause' });
  await page.getByLabel('Kategorie').selectOption({ label: 'Schule/Hausaufgaben' });
  await page.getByLabel('Notiz', { exact: true }).fill(text);
  if (important) await page.locator('#note-important').check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#save-status')).toBeVisible();
  await expect(page.locator('#outbox-count')).toHaveText('0', { timeout: 30_000 });
}

test('the Fachberatung reviews the feed at the desk, filters it, takes note and answers the group', async ({
  page,
  browser,
}, info) => {
  test.setTimeout(180_000);
  const word = marker('Feedprobe');
  const staff = await personAt(browser, info, 'fachkraft', 'phone');
  await note(staff, `Mia hatte heute Streit in der Schule. ${word} wichtig`, true);

  await login(page, 'fachberatung');
  await page.goto('/feed');
  await expect(page.getByRole('heading', { name: 'Feed', exact: true })).toBeVisible();
  await checkPage(page);
  // Marked "wichtig": pinned on top until someone takes note.
  const pinned = page.locator('#feed-pinned .feed-item', { hasText: word });
  await expect(pinned).toHaveCount(1);
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

  // A new note appears without reloading.
  await note(staff, `Mia hat die Mathearbeit nachgeschrieben. ${word} zwei`, false);
  await expect(page.locator('#feed-stream .feed-item', { hasText: `${word} zwei` })).toHaveCount(1, {
    timeout: 30_000,
  });
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

  // Search narrows the stream to this run's notes (the filters live in the address).
  await page.getByLabel('Suche').fill(word);
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await page.waitForURL((url) => url.searchParams.get('suche') === word);
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await expect(page.locator('#feed-stream .feed-item')).toHaveCount(2);
  await checkPage(page);

  // Keyboard review: j moves to the first item, x takes note of the focused one.
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await expect(page.locator('a.feed-link').first()).toBeFocused();
  await page.locator('#feed-pinned a.feed-link').first().focus();
  await page.keyboard.press('x');
  await expect(page.locator('#feed-pinned .feed-item', { hasText: word })).toHaveCount(0, { timeout: 15_000 });
  const item = page.locator('#feed-stream .feed-item', { hasText: `${word} wichtig` });
  await expect(item.locator('.feed-ack')).toContainText('Frank Berater');

  // A comment back to the group, from the reading pane of the item.
  const answer = `Bitte mit der Schule sprechen. ${marker('Antwort')}`;
  await item.locator('a.feed-link').focus();
  const pane = page.locator('#feed-pane');
  await expect(pane.locator('.feed-pane-item')).toHaveAttribute('data-id', (await item.getAttribute('data-id'))!);
  await expect(pane.locator('.feed-ack')).toContainText('Frank Berater');
  await pane.getByLabel('Kommentar an die Gruppe').fill(answer);
  await pane.getByRole('button', { name: 'Kommentar senden' }).click();
  await expect(page.locator('#feed-stream .feed-item', { hasText: `${word} wichtig` })).toContainText(answer);
  await expect(pane).toContainText(answer);
  await checkPage(page);

  // The staff member reads both on the phone.
  await staff.goto(`/feed?suche=${word}`);
  await staff.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  const seen = staff.locator('#feed-stream .feed-item', { hasText: `${word} wichtig` });
  await expect(seen).toContainText(answer);
  await expect(seen.locator('.feed-ack')).toContainText('Frank Berater');
  await expect(seen.locator('.feed-ack-button')).toHaveCount(0);
  await expect(staff.locator('.feed-ack-button')).toHaveCount(0);
  await checkPage(staff);

  // The group overview at the desk.
  await page.goto('/uebersicht');
  await expect(page.getByRole('heading', { name: 'FWG Sonnenhaus' })).toBeVisible();
  await expect(page.locator('table', { hasText: 'Mia Krause' })).toBeVisible();
  await checkPage(page);
  await staff.context().close();
});
