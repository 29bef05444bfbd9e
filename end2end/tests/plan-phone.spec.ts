import { type Page } from '@playwright/test';
import { checkPage, expect, login, test } from './helpers';

// Help planning on the phone (the phone project only): the monthly talk written offline,
// a young person's faces. The desk side is in plan-desk.spec.ts.

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

test('the monthly talk is written offline on the phone and arrives once', async ({ page, context }) => {
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

test('a young person rates a goal with faces on the phone', async ({ page }) => {
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

