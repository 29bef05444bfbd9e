import { execFileSync } from 'node:child_process';
import { type Page } from '@playwright/test';
import { checkPage, expect, login, personAt, test } from './helpers';

// The report for the Hilfeplangespräch at the desk (the desktop project only): the young
// person says on their phone what they want said, the group starts the draft and writes
// its assessment, the Fachberatung comments and reviews, Leitung signs, the PDF is
// downloaded and read back, and the young person reads the released summary. The
// offline path of the young person's view is in report-phone.spec.ts.

function marker(name: string) {
  return `${name}${Math.random().toString(36).slice(2, 10)}`;
}

function inDays(days: number) {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
}

async function openPlan(page: Page) {
  await page.goto('/gruppen');
  await page.getByRole('link', { name: 'FWG Sonnenhaus' }).first().click();
  await page.getByRole('link', { name: /Mia Krause/ }).click();
  await page.locator('#plan-open').click();
  await expect(page.getByRole('heading', { name: 'Hilfeplan von Mia Krause' })).toBeVisible();
}

test('a report is drafted from the record, reviewed, signed and downloaded as PDF', async ({ page, browser }, info) => {
  test.setTimeout(240_000);
  const wish = marker('Ich wünsche mir mehr Ausgang ');
  const assessment = marker('Mia hat sich gut entwickelt. Wir empfehlen, die Hilfe fortzusetzen. ');
  const summary = marker('In deinem Bericht steht, dass du viel geschafft hast. ');

  // Mia says on her phone what she wants said.
  const mia = await personAt(browser, info, 'jugendliche', 'phone');
  await mia.locator('#start-report').click();
  await expect(mia.getByRole('heading', { name: 'Mein Hilfeplangespräch' })).toBeVisible();
  await checkPage(mia);
  await mia.locator('#view-mood').getByText('gut', { exact: true }).click();
  await mia.getByLabel('Das wünsche ich mir').fill(wish);
  await mia.getByRole('button', { name: 'Abschicken' }).click();
  await expect(mia.locator('#view-sent')).toBeVisible({ timeout: 15_000 });

  // The group starts the report on the plan page.
  await login(page, 'fachkraft');
  await openPlan(page);
  await page.locator('#report-meeting-on').fill(inDays(21));
  await page.locator('#report-start-button').click();
  await page.waitForURL(/\/berichte\//);
  await expect(page.getByRole('heading', { name: /Bericht: Mia Krause/ })).toBeVisible();
  await checkPage(page);
  const url = page.url();
  // Generated lines name their sources; the young person's words are quoted.
  await expect(page.locator('#section-stammdaten')).toContainText('Mia Krause');
  await expect(page.locator('#section-sicht_jung')).toContainText(wish);
  await expect(page.locator('#section-sicht_jung a.report-source, #section-sicht_jung .report-source').first()).toBeVisible();
  const source = page.locator('#section-entwicklung a.report-source').first();
  if (await source.count()) await expect(source).toHaveAttribute('href', /\/eintraege\//);
  // The assessment is the group's own text.
  await page.locator('#section-einschaetzung-text').fill(assessment);
  await page.locator('#section-einschaetzung-save').click();
  await expect(page.locator('#section-einschaetzung')).toContainText('Zuletzt geändert von');
  await expect(page.locator('#section-einschaetzung-text')).toHaveValue(assessment);
  // Staff cannot sign.
  await expect(page.locator('#report-sign')).toHaveCount(0);

  // The Fachberatung comments on the section and marks the report as reviewed.
  const advisor = await personAt(browser, info, 'fachberatung', 'desk');
  await advisor.goto(url);
  await advisor.locator('#section-einschaetzung-comment-open').click();
  await advisor.locator('#section-einschaetzung-comment').fill('Bitte die Schule noch ergänzen.');
  await advisor.locator('#section-einschaetzung-comment-save').click();
  await expect(advisor.locator('#section-einschaetzung-comments')).toContainText('Bitte die Schule noch ergänzen.');
  await advisor.locator('#report-review').click();
  await expect(advisor.locator('#report-status')).toHaveText('Von der Fachberatung geprüft');
  await checkPage(advisor);

  // Leitung signs: the version is frozen.
  const leitung = await personAt(browser, info, 'leitung', 'desk');
  await leitung.goto(url);
  await leitung.locator('#report-sign').click();
  await expect(leitung.locator('#report-status')).toHaveText('Unterschrieben');
  await expect(leitung.locator('#section-einschaetzung-save')).toHaveCount(0);
  await expect(leitung.locator('#section-einschaetzung-written')).toHaveText(assessment);
  await checkPage(leitung);

  // The PDF, downloaded and read back.
  const [download] = await Promise.all([leitung.waitForEvent('download'), leitung.locator('#report-pdf').click()]);
  expect(download.suggestedFilename()).toMatch(/^Bericht-HPG-Mia-Krause-.*-Fassung-1\.pdf$/);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', (await download.path())!, '-']).toString();
  for (const expected of ['Bericht zum Hilfeplangespräch', 'Mia Krause', 'Seite 1 von', 'Unterschrieben', wish]) {
    expect(text, expected).toContain(expected);
  }
  expect(text.replace(/\s+/g, ' ')).toContain(assessment.trim());

  // The date it went to the youth office, and the summary for Mia, released.
  await leitung.locator('#report-sent-on').fill(inDays(0));
  await leitung.locator('#report-sent-save').click();
  await expect(leitung.locator('#report-status')).toHaveText('An das Jugendamt gesandt');
  await leitung.locator('#report-summary-input').fill(summary);
  await leitung.locator('#report-summary-release').check();
  await leitung.locator('#report-summary-save').click();
  await expect(leitung.locator('#report-summary-released')).toBeVisible();

  // Mia reads it on her phone, and only that.
  await mia.goto('/mein-hilfeplangespraech');
  await expect(mia.locator('#own-summaries')).toContainText(summary);
  await expect(mia.locator('main')).not.toContainText(assessment);
  await checkPage(mia);
  for (const p of [mia, advisor, leitung]) await p.context().close();
});
