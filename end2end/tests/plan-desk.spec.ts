import { type Page } from '@playwright/test';
import { checkPage, expect, login, test } from './helpers';

// Help planning at the desk (the desktop project only): the plan and its versions, a
// goal's progress, the Fachberatung's records. The phone side is in plan-phone.spec.ts.

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

test('the plan with its versions and a goal with its progress, at the desk', async ({ page }) => {
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

test('the Fachberatung records a parent talk at the desk and the group reads it', async ({ page, browser }, info) => {
  const outcome = marker('Besuche bleiben begleitet ');
  await login(page, 'fachberatung');
  await openMia(page);
  await page.locator('#record-write').click();
  await expect(page.getByRole('heading', { name: 'Aufzeichnung zu Mia Krause' })).toBeVisible();
  await checkPage(page);
  await page.getByLabel('Art', { exact: true }).selectOption({ label: 'Elterngespräch / Beratung der Herkunftsfamilie' });
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
