import { checkPage, expect, login, test } from './helpers';

// The young person's view for the Hilfeplangespräch, written without a connection on the
// phone (the phone project only): kept sealed in the outbox, delivered once the phone is
// back online. The desk side is in report-desk.spec.ts.

test('a young person says what they want said, offline, and it arrives', async ({ page, context }) => {
  test.setTimeout(120_000);
  const words = `Es läuft gut in der Schule ${Math.random().toString(36).slice(2, 10)}`;
  await login(page, 'jugendliche');
  await page.locator('#start-report').click();
  await expect(page.getByRole('heading', { name: 'Was ich im Hilfeplangespräch sagen möchte' })).toBeVisible();
  await checkPage(page);

  // Nothing said: a message at the field, nothing queued.
  await page.getByRole('button', { name: 'Abschicken' }).click();
  await expect(page.locator('#view-going_well-fehler')).toBeVisible();

  await context.setOffline(true);
  await page.locator('#view-mood').getByText('sehr gut', { exact: true }).click();
  await page.getByLabel('Das läuft gut').fill(words);
  await page.getByLabel('Das möchte ich ändern').fill('Mehr Zeit am Handy');
  await page.getByRole('button', { name: 'Abschicken' }).click();
  await expect(page.locator('#view-sent')).toContainText('sobald du wieder Netz hast', { timeout: 15_000 });

  await context.setOffline(false);
  // Delivered: the page lists the day she sent it.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('#view-sent-before')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await checkPage(page);
});
