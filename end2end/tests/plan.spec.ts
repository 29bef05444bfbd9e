import { type Page } from '@playwright/test';
import { checkPage, expect, login, test } from './helpers';

// Help planning: the plan and its versions and a goal's progress at the desk, the monthly
// talk written offline on the phone, a young person's faces, the Fachberatung's records.

function marker(name: string) {
  return `${name}${Math.random().toString(36).slice(2, 10)}`;
}

/** Mia's page, opened from the group the way staff get there. */
async function openMia(page: Page) {
  await page.goto('/gruppen');
  await page.getByRole('link', { name: 'FWG Sonnenhaus' }).first().click();
  await page.getByRole('link', { name: /Mia Krause/ }).click();
  await expect(page.getByRole('heading', { name: 'Mia Krause' })).toBeVisible();
}

async function api(page: Page, endpoint: string, form: Record<string, string>) {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`/api/${endpoint}`, { headers: { Origin: origin, Accept: 'application/json' }, form });
  expect(res.status(), `${endpoint}: ${await res.text()}`).toBe(200);
  return res.json();
}

test('the monthly talk is written offline on the phone and arrives once', async ({ page, context }, info) => {
  test.skip(info.project.name !== 'phone', 'the talk is written on the phone');
  test.setTimeout(120_000);
  const words = marker('Mir ist wichtig ');
  await login(page, 'fachkraft');
  await openMia(page);
  await page.locator('#talk-write').click();
  await expect(page.getByRole('heading', { name: 'Erziehungsplanungsgespräch' })).toBeVisible();
  await checkPage(page);
  const youthId = new URL(page.url()).searchParams.get('fuer')!;
  await expect(page.getByLabel('Junger Mensch')).toHaveValue(youthId);

  await context.setOffline(true);
  await page.locator('#talk-present').getByText('Ja, war dabei').click();
  await page.getByLabel('Weitere Teilnehmende').fill('Sabine Sonnen, Frau Krause');
  const school = page.locator('fieldset.talk-goal', { hasText: 'Regelmäßiger Schulbesuch' });
  await school.getByLabel('Was ist passiert?').fill('Jeden Tag pünktlich, auch nach den Ferien.');
  await school.getByLabel('Einschätzung Bezugsbetreuer:in').selectOption({ label: 'überwiegend erreicht' });
  await school.getByLabel('Einschätzung des jungen Menschen').selectOption({ label: 'vollständig erreicht' });
  await page.getByLabel('„Das ist mir wichtig“ (in den eigenen Worten des jungen Menschen)').fill(words);
  await page.getByLabel('Thema für die Fachberatung').check();
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.locator('#save-status')).toContainText('Gespeichert');
  await expect(page.locator('#outbox-count')).toHaveText('1');

  await context.setOffline(false);
  await expect(page.locator('#outbox-count')).toHaveText('0', { timeout: 30_000 });
  const timeline = await api(page, 'entries/timeline', { 'input[youth_id]': youthId });
  const talks = timeline.entries.filter((e: unknown) => JSON.stringify(e).includes(words));
  expect(talks).toHaveLength(1);
  expect(talks[0].body.kind).toBe('talk');
  // Its ratings are on the goal's page.
  await page.goto(`/eintraege/${talks[0].id}`);
  await expect(page.locator('article.entry-card').getByText(words)).toBeVisible();
  await checkPage(page);
  await page.getByRole('link', { name: 'Regelmäßiger Schulbesuch' }).first().click();
  await expect(page.getByRole('heading', { name: 'Ziel: Regelmäßiger Schulbesuch' })).toBeVisible();
  await expect(page.locator('svg.chart-ratings')).toBeVisible();
  await checkPage(page);
});

test('the plan with its versions and a goal with its progress, at the desk', async ({ page }, info) => {
  test.skip(info.project.name !== 'desktop', 'help planning is desk work');
  test.setTimeout(120_000);
  const title = marker('Mia meldet sich im Unterricht ');
  await login(page, 'fachberatung');
  await openMia(page);
  await expect(page.locator('#ziele')).toContainText('Regelmäßiger Schulbesuch');
  await page.locator('#plan-open').click();
  await expect(page.getByRole('heading', { name: 'Hilfeplan von Mia Krause' })).toBeVisible();
  await checkPage(page);
  const firstVersion = await page.locator('#plan-versions a').last().getAttribute('href');

  // A new Handlungsziel under the first Richtungsziel, phrased as a negation: pointed out.
  await page.getByText('Ziel hinzufügen').click();
  await page.locator('#goal-new-title').fill(`${title} nicht mehr still`);
  await page.locator('#goal-new-parent').selectOption({ label: 'Mia schafft den Hauptschulabschluss' });
  await page.locator('#goal-new-step-0-who').fill('Mia');
  await page.locator('#goal-new-step-0-what').fill('Meldet sich einmal pro Stunde');
  await page.locator('#goal-new-step-0-by').fill('2027-02-28');
  await page.locator('#goal-save').click();
  const added = page.locator('.goal-summary', { hasText: title });
  await expect(added).toBeVisible();
  await expect(added).toContainText('Als Verneinung formuliert');
  await checkPage(page);

  // Then the version from today's Hilfeplangespräch.
  await page.getByText('Neue Fassung nach einem Hilfeplangespräch erfassen').click();
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
  await page.locator('#plan-agreed-on').fill(today);
  await page.locator('#plan-legal-basis').selectOption('35a');
  await page.locator('#plan-record').click();
  await expect(page.locator('#plan-current')).toContainText(/Fassung \d+: Hilfeplangespräch am/);
  await expect(page.locator('#plan-versions li').first()).toContainText(today.split('-').reverse().join('.'));

  // The first version still reads as it was agreed: without the new goal.
  await page.goto(firstVersion!);
  await expect(page.getByRole('heading', { name: /Hilfeplan von Mia Krause, Fassung 1/ })).toBeVisible();
  await expect(page.locator('#plan-version-goals')).toContainText('Regelmäßiger Schulbesuch');
  await expect(page.locator('#plan-version-goals')).not.toContainText(title);
  await checkPage(page);

  // A goal's page: its entries, months and ratings.
  await page.goBack();
  await page.getByRole('link', { name: 'Regelmäßiger Schulbesuch' }).first().click();
  await expect(page.getByRole('heading', { name: 'Ziel: Regelmäßiger Schulbesuch' })).toBeVisible();
  await expect(page.locator('svg.chart-months')).toBeVisible();
  await expect(page.locator('#goal-entries')).toContainText('Hausaufgaben in Mathe');
  await checkPage(page);
});

test('a young person rates a goal with faces on the phone', async ({ page }, info) => {
  test.skip(info.project.name !== 'phone', 'young people use their phone');
  await login(page, 'jugendliche');
  await page.locator('#start-goals').click();
  await expect(page.getByRole('heading', { name: 'Meine Ziele' })).toBeVisible();
  await checkPage(page);
  const goal = page.locator('form.own-goal', { hasText: 'Ich gehe jeden Tag zur Schule.' });
  await goal.getByText('Klappt meistens').click();
  await goal.getByRole('button', { name: 'Antwort speichern' }).click();
  await expect(page.getByText('Danke! Deine Antwort ist gespeichert.')).toBeVisible();
  await expect(page.locator('form.own-goal', { hasText: 'Ich gehe jeden Tag zur Schule.' })).toContainText('Deine letzte Antwort: Klappt meistens');
  // Nothing of the case beyond her goals.
  await expect(page.locator('main')).not.toContainText('Sabine');
  await checkPage(page);
});

test('the Fachberatung records a parent talk at the desk and the group reads it', async ({ page, browser }, info) => {
  test.skip(info.project.name !== 'desktop', 'records are written at the desk');
  const outcome = marker('Besuche bleiben begleitet ');
  await login(page, 'fachberatung');
  await openMia(page);
  await page.locator('#record-write').click();
  await expect(page.getByRole('heading', { name: 'Aufzeichnung zu Mia Krause' })).toBeVisible();
  await checkPage(page);
  await page.getByLabel('Art').selectOption({ label: 'Elterngespräch / Beratung der Herkunftsfamilie' });
  await page.getByLabel('Teilnehmende').fill('Frau Krause, Frank Berater');
  await page.getByLabel('Ergebnis und Vereinbarungen').fill(outcome);
  await page.getByLabel('Kontakt zur Mutter stabilisieren').check();
  await page.locator('#record-save').click();
  await page.waitForURL(/\/jugendliche\/[^/]+$|#verlauf/);
  await expect(page.getByText(outcome)).toBeVisible();
  await checkPage(page);
  const staff = await browser.newContext({ baseURL: info.project.use.baseURL, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  const staffPage = await staff.newPage();
  await login(staffPage, 'fachkraft');
  await openMia(staffPage);
  await expect(staffPage.getByText(outcome)).toBeVisible();
  await staff.close();
});
