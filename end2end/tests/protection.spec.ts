import { type Locator, type Page } from '@playwright/test';
import { checkPage, expect, login, personAt, test } from './helpers';

const TODAY = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });

/** Opens a step's form on the procedure's page, fills it with `fill` and saves it. */
async function record(page: Page, kind: string, fill: (form: Locator) => Promise<void>) {
  const details = page.locator(`#record-${kind}`);
  await details.locator('summary').click();
  const form = details.locator('form');
  await fill(form);
  await form.getByRole('button', { name: 'Speichern und unterzeichnen' }).click();
  await expect(page.locator(`#case-steps article[data-kind="${kind}"]`)).toHaveCount(1, { timeout: 15_000 });
}

test('an observation written offline on the phone alarms the desk and is taken through every step to the notice', async ({
  page,
  context,
  browser,
}, info) => {
  test.setTimeout(300_000);
  const fact = `Blaue Flecken am Oberarm, beim Anziehen gesehen. ${Math.random().toString(36).slice(2, 10)}`;
  const fb = await personAt(browser, info, 'fachberatung', 'desk');
  await fb.goto('/kinderschutz');
  await expect(fb.getByRole('heading', { name: 'Kinderschutz', exact: true })).toBeVisible();
  const waiting = Number(await fb.locator('#cp-waiting-count').textContent());

  // On the phone: the form checks first, then the observation is sealed offline.
  await login(page, 'fachkraft');
  await page.goto('/kinderschutz/beobachtung/neu');
  await expect(page.getByRole('heading', { name: 'Beobachtung (§ 8a-relevant)' })).toBeVisible();
  await checkPage(page);
  await page.getByRole('button', { name: 'Beobachtung speichern' }).click();
  await expect(page.locator('#observation-fact-fehler')).toHaveText('Bitte ausfüllen.');
  await context.setOffline(true);
  await page.getByLabel('Um wen geht es?').selectOption({ label: 'Mia Krause' });
  await page.getByLabel('Was haben Sie gesehen oder gehört?').fill(fact);
  await page.getByLabel('Das Kind sagt es').check();
  await page.getByLabel('Ihre eigene Einschätzung').fill('Sie wirkte verängstigt und wollte nicht darüber sprechen.');
  await page.getByRole('button', { name: 'Beobachtung speichern' }).click();
  await expect(page.locator('#outbox-count')).toHaveText('1');
  await context.setOffline(false);
  await expect(page.locator('#outbox-count')).toHaveText('0', { timeout: 30_000 });

  // At the desk: the menu badge tells the Fachberatung at once (the page polls).
  await expect(fb.locator('#nav-protection-open')).toHaveText(String(waiting + 1), { timeout: 45_000 });
  await fb.reload();
  const link = fb.locator('#cp-waiting a.observation-link', { hasText: 'Mia Krause' }).last();
  await link.click();
  await expect(fb.locator('#observation-fact-text')).toHaveText(fact);
  await checkPage(fb);
  await fb.getByRole('button', { name: 'Verfahren nach § 8a eröffnen' }).click();
  await fb.waitForURL((url) => /^\/kinderschutz\/[0-9a-f-]{36}$/.test(url.pathname));
  const casePath = new URL(fb.url()).pathname;
  await expect(fb.getByRole('heading', { name: 'Verfahren für Mia Krause' })).toBeVisible();
  await checkPage(fb);

  // Ersteinschätzung; a second professional and Leitung sign it.
  await record(fb, 'ersteinschaetzung', async (form) => {
    await form.getByLabel('Wer war beteiligt?').fill('Frank Berater (Fachberatung), Petra Leitner (Leitung)');
    await form.getByLabel('Gewichtige Anhaltspunkte – Gefährdungseinschätzung').check();
    await form.getByLabel('Notizen').fill('Gespräch mit Mia und der Leitung, kollegiale Beratung im SIEH-Team.');
  });
  await expect(fb.locator('#case-steps')).toContainText('Vier-Augen-Prinzip');
  const leitung = await personAt(browser, info, 'leitung', 'desk');
  await leitung.goto(casePath);
  await leitung.getByRole('button', { name: 'Als zweite Fachkraft mitzeichnen' }).click();
  await expect(leitung.locator('#case-steps')).toContainText('Zweite Fachkraft: Petra Leitner');
  await leitung.getByRole('button', { name: 'Als Leitung zur Kenntnis nehmen' }).click();
  await expect(leitung.locator('#case-steps')).toContainText('Kenntnisnahme Leitung: Petra Leitner');
  await expect(leitung.locator('#case-deadlines')).toContainText('Beratung mit der insoweit erfahrenen Fachkraft');

  await fb.reload();
  await record(fb, 'gefaehrdungseinschaetzung', async (form) => {
    await form.getByLabel('Wer war beteiligt?').fill('Frank Berater, Petra Leitner, Sabine Sonnen');
    await form.getByLabel('Intensität der Schädigung').fill('Hämatome an beiden Oberarmen.');
    await form.getByLabel('Häufigkeit').fill('Zum zweiten Mal in diesem Monat.');
    await form.getByLabel('Dauer').fill('Seit dem letzten Besuchswochenende.');
    await form.getByLabel('Wahrscheinlichkeit').fill('Hoch, wenn die Besuche unbegleitet bleiben.');
    await form.getByLabel('Problemakzeptanz der Eltern').selectOption({ label: 'nicht vorhanden' });
    await form.getByLabel('Problemakzeptanz der Erwachsenen der Gruppe').selectOption({ label: 'vorhanden' });
  });
  await record(fb, 'fachkraft', async (form) => {
    await form.getByLabel('Insoweit erfahrene Fachkraft (Name)').fill('Frau Dr. Weber, Kinderschutzdienst');
    await form.getByLabel('Empfehlung der Fachkraft').fill('Besuche nur begleitet; Mitteilung an das Jugendamt.');
  });
  // "Nein" without a reason is refused with a German message, then saved with one.
  const involvement = fb.locator('#record-einbeziehung');
  await involvement.locator('summary').click();
  const form = involvement.locator('form');
  await form.locator('#einbeziehung-parents-involved').getByLabel('Nein, weil …').check();
  await form.locator('#einbeziehung-child-involved').getByLabel('Ja, am').check();
  await form.locator('#einbeziehung-child-on').fill(TODAY);
  await form.getByRole('button', { name: 'Speichern und unterzeichnen' }).click();
  await expect(form).toContainText('Ein „Nein“ braucht einen Grund.');
  await form.locator('#einbeziehung-parents-reason').fill('Die Gefahr kann von den Eltern ausgehen.');
  await form.getByRole('button', { name: 'Speichern und unterzeichnen' }).click();
  await expect(fb.locator('#case-steps article[data-kind="einbeziehung"]')).toContainText('Nein, weil Die Gefahr');
  await record(fb, 'hilfen', async (f) => {
    await f.getByLabel('Vereinbarte Hilfen und Absprachen').fill('Besuche nur begleitet, wöchentliches Gespräch.');
  });
  await record(fb, 'mitteilung', async (f) => {
    await f.getByLabel('Empfänger:in beim Jugendamt').fill('Frau Sommer, ASD Erfurt-Südost');
    await f.getByLabel('Weg der Mitteilung').selectOption({ label: 'Telefonisch' });
    await f.getByLabel('Zeitpunkt der Mitteilung').fill(`${TODAY}T00:05`);
  });
  await record(fb, 'wiedervorlage', async (f) => {
    await f.getByLabel('Notizen').fill('Begleitete Besuche laufen, Mia wirkt entlasteter.');
  });
  await record(fb, 'abschluss', async (f) => {
    await f.getByLabel('Latente Kindeswohlgefährdung').check();
    await f.getByLabel('Körperliche Misshandlung').check();
  });
  await expect(fb.locator('#case-outcome')).toContainText('Latente Kindeswohlgefährdung');
  await expect(fb.locator('#case-checklist li[data-done="false"]')).toHaveCount(0);
  await checkPage(fb);

  // The notice to the youth office as a PDF.
  const download = fb.waitForEvent('download');
  await fb.locator('#case-notice-pdf').click();
  const file = await (await download).createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of file) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe('%PDF-');

  // The Fachkraft sees her observation, not the procedure.
  await page.goto('/kinderschutz');
  await expect(page.locator('#cp-own')).toContainText('Mia Krause');
  await expect(page.locator('#cp-cases')).toHaveCount(0);
  const denied = await page.goto(casePath);
  expect(denied?.status()).toBe(404);
  await leitung.context().close();
  await fb.context().close();
});
