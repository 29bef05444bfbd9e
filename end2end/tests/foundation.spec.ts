import { test, expect, login, logout, checkPage, openMenu } from './helpers';

const roles = [
  { user: 'leitung', heading: 'Willkommen, Petra Leitner.', marker: 'FWG Lindenhof' },
  { user: 'fachberatung', heading: 'Willkommen, Frank Berater.', marker: 'FWG Sonnenhaus' },
  { user: 'fachkraft', heading: 'Meine Gruppe', marker: 'Mia Krause' },
  { user: 'jugendliche', heading: 'Hallo Mia!', marker: 'Ich möchte mich beschweren' },
  { user: 'admin', heading: 'Willkommen, Adam Admin.', marker: 'Falldaten siehst du nicht' },
  { user: 'datenschutz', heading: 'Willkommen, Dana Schutz.', marker: 'wer wann auf welche Daten' },
];

test.describe('login and logout', () => {
  for (const role of roles) {
    test(`${role.user} logs in, sees the start page for the role and logs out`, async ({ page }) => {
      await login(page, role.user);
      await expect(page.getByRole('heading', { level: 1, name: role.heading })).toBeVisible();
      await expect(page.getByText(role.marker).first()).toBeVisible();
      await logout(page);
      const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length }));
      expect(stored).toEqual({ local: 0, session: 0 });
      // The old session is gone: the start page asks for a login again.
      await page.goto('/');
      await expect(page).toHaveURL(/\/anmelden/);
    });
  }

  test('a young person cannot log in with login name and PIN, only with the login card', async ({ page }) => {
    await page.goto('/anmelden');
    await checkPage(page);
    await page.getByLabel('Benutzername').fill('jugendliche');
    await page.getByLabel('Passwort').fill('2468');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(/\/anmelden\?karte=noetig/);
    await expect(page.locator('#card-needed')).toContainText('über deine Anmeldekarte an');
    await checkPage(page);
    await page.goto('/');
    await expect(page).toHaveURL(/\/anmelden/);
  });

  test('a wrong password gets one German message and no hint', async ({ page }) => {
    await page.goto('/anmelden');
    await checkPage(page);
    await page.getByLabel('Benutzername').fill('leitung');
    await page.getByLabel('Passwort').fill('falsches-passwort');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect(page.locator('#login-error')).toHaveText(
      'Anmeldung fehlgeschlagen. Benutzername oder Passwort stimmen nicht.',
    );
    await checkPage(page);
  });
});

test('Leitung admits a young person, with a German message for a bad date first', async ({ page }) => {
  const lastName = `Test${Date.now()}`;
  await login(page, 'leitung');
  await openMenu(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Familienwohngruppen' }).click();
  await expect(page).toHaveURL(/\/gruppen$/);
  await checkPage(page);
  await page.getByRole('link', { name: 'FWG Sonnenhaus' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'FWG Sonnenhaus' })).toBeVisible();
  await checkPage(page);
  await page.getByRole('link', { name: 'Jungen Menschen aufnehmen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jungen Menschen aufnehmen' })).toBeVisible();
  await checkPage(page);

  await page.getByLabel('Familienwohngruppe').selectOption({ label: 'FWG Sonnenhaus' });
  await page.getByLabel('Vorname').fill('Jonas');
  await page.getByLabel('Nachname').fill(lastName);
  await page.getByLabel('Geburtsdatum').fill('2099-01-01');
  await page.getByLabel('Aufnahmedatum').fill('2024-02-01');
  await page.getByRole('button', { name: 'Speichern' }).click();
  const birth = page.getByLabel('Geburtsdatum');
  await expect(page.getByText('Das Geburtsdatum darf nicht in der Zukunft liegen.')).toBeVisible();
  await expect(birth).toHaveAttribute('aria-invalid', 'true');
  await expectNoNavigationHappened(page, /\/jugendliche\/neu/);
  await checkPage(page);

  await birth.fill('2013-03-14');
  await page.getByLabel('Sorgeberechtigte / Vormund').fill('Vormund: Jugendamt Erfurt');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Jonas ${lastName}` })).toBeVisible();
  await expect(page).toHaveURL(/\/jugendliche\/[0-9a-f-]{36}$/);
  await expect(page.getByText('14.03.2013')).toBeVisible();
  await checkPage(page);

  await page.getByRole('link', { name: 'Bearbeiten' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Stammdaten bearbeiten' })).toBeVisible();
  await checkPage(page);
});

async function expectNoNavigationHappened(page: import('@playwright/test').Page, url: RegExp) {
  await expect(page).toHaveURL(url);
}

test('a Fachkraft is denied the account pages and another group', async ({ page }) => {
  await login(page, 'fachkraft');
  const response = await page.goto('/konten');
  expect(response?.status()).toBe(403);
  await expect(page.getByText('Kein Zugriff.')).toBeVisible();
  await checkPage(page);
  const audit = await page.goto('/protokoll');
  expect(audit?.status()).toBe(403);
  await checkPage(page);
});

test('the staff start page lists the group and opens a young person', async ({ page }) => {
  await login(page, 'fachkraft');
  await page.getByRole('link', { name: /Mia Krause/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mia Krause' })).toBeVisible();
  await expect(page.getByText('Sorgeberechtigt: Mutter')).toBeVisible();
  await checkPage(page);
  await expect(page.getByRole('link', { name: 'Bearbeiten' })).toHaveCount(0);
});

test('Admin manages accounts without seeing case data', async ({ page }) => {
  const login_ = `e2e.${Date.now()}`;
  await login(page, 'admin');
  await openMenu(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Konten' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Konten' })).toBeVisible();
  await checkPage(page);
  await page.getByRole('link', { name: 'Neues Konto' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Neues Konto' })).toBeVisible();
  await checkPage(page);
  await page.getByLabel('Name', { exact: true }).fill('Erika Probe');
  await page.getByLabel('Benutzername').fill(login_);
  await page.getByLabel('Rolle').selectOption('fachkraft');
  await page.getByLabel('Passwort').fill('kurz');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page.getByText('Eine Fachkraft braucht mindestens eine Familienwohngruppe.')).toBeVisible();
  await expect(page.locator('#account-password-fehler')).toHaveText('Mindestens 10 Zeichen.');
  await page.getByLabel('FWG Lindenhof').check();
  await page.getByLabel('Passwort').fill('ein-langes-passwort');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await expect(page).toHaveURL(/\/konten\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Konto bearbeiten' })).toBeVisible();
  await checkPage(page);
  // Admin sees no young people anywhere.
  const group = await page.goto('/gruppen');
  expect(group?.status()).toBe(403);
  await checkPage(page);
});

test('Datenschutz reads and filters the audit log', async ({ page }) => {
  await login(page, 'datenschutz');
  await openMenu(page);
  await page.getByRole('navigation').getByRole('link', { name: 'Protokoll' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Zugriffsprotokoll' })).toBeVisible();
  await expect(page.locator('#audit-table')).toBeVisible();
  await checkPage(page);
  await page.getByLabel('Benutzer:in').selectOption({ label: 'Dana Schutz (datenschutz)' });
  await page.getByRole('button', { name: 'Filtern' }).click();
  await expect(page).toHaveURL(/benutzer=/);
  await expect(page.locator('#audit-table tbody tr').first()).toContainText('datenschutz');
  await checkPage(page);
});
