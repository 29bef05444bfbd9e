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
  // Her row in the group's list (a reminder on the start page may name her too).
  await page.getByRole('link', { name: /^Mia Krause \d+ Jahre/ }).click();
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

test('a new account sets its own password at the first login and ends its session on another browser', async ({
  page,
  browser,
}, info) => {
  const user = `e2e.eigen.${info.project.name}.${Date.now()}`;
  // Admin creates the account with a password Admin chose.
  await login(page, 'admin');
  const origin = new URL(page.url()).origin;
  const groups = await (
    await page.request.post('/api/groups/list', { headers: { Origin: origin, Accept: 'application/json' } })
  ).json();
  const lindenhof = groups.find((g: { name: string }) => g.name === 'FWG Lindenhof').id;
  const created = await page.request.post('/api/accounts/create', {
    headers: { Origin: origin, Accept: 'application/json' },
    form: {
      'input[display_name]': 'Eva Eigen',
      'input[login]': user,
      'input[role]': 'fachkraft',
      'input[group_ids][0]': lindenhof,
      'input[password]': 'vom-admin-gewaehlt',
    },
  });
  expect(created.status()).toBeLessThan(400);
  await logout(page);

  // On a phone, the first login leads to "Mein Konto" and nowhere else.
  const phone = await browser.newContext({
    baseURL: info.project.use.baseURL,
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  const onPhone = await phone.newPage();
  await onPhone.goto('/anmelden');
  await onPhone.getByLabel('Benutzername').fill(user);
  await onPhone.getByLabel('Passwort').fill('vom-admin-gewaehlt');
  await onPhone.getByRole('button', { name: 'Anmelden' }).click();
  await onPhone.waitForURL((url) => url.pathname === '/konto');
  await expect(onPhone.getByRole('heading', { level: 1, name: 'Mein Konto' })).toBeVisible();
  await expect(onPhone.locator('#own-password-required')).toContainText('Ihr Konto ist neu angelegt.');
  // The menu offers nothing that would only lead back here.
  await expect(onPhone.locator('.app-nav a[href="/tagesnotiz/neu"]')).toHaveCount(0);
  await checkPage(onPhone);
  await onPhone.goto('/tagesnotiz/neu');
  await expect(onPhone).toHaveURL(/\/konto$/);
  await onPhone.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await onPhone.getByLabel('Bisheriges Passwort').fill('vom-admin-gewaehlt');
  await onPhone.getByLabel('Neues Passwort', { exact: true }).fill('mein-eigenes-passwort');
  await onPhone.getByLabel('Neues Passwort wiederholen').fill('mein-eigenes-passwortt');
  await onPhone.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(onPhone.locator('#own-password-repeat-fehler')).toHaveText('Die beiden neuen Passwörter sind nicht gleich.');
  await checkPage(onPhone);
  await onPhone.getByLabel('Neues Passwort wiederholen').fill('mein-eigenes-passwort');
  await onPhone.getByRole('button', { name: 'Passwort ändern' }).click();
  await onPhone.waitForURL((url) => url.pathname === '/');
  await expect(onPhone.getByRole('heading', { level: 1, name: 'Meine Gruppe' })).toBeVisible();
  await expect(onPhone.locator('.app-nav a[href="/tagesnotiz/neu"]')).toHaveCount(1);

  // At the desk with the own password; the phone's session is ended from here.
  await login(page, user, 'mein-eigenes-passwort');
  await openMenu(page);
  await page.locator('#own-account-link').click();
  await page.waitForURL((url) => url.pathname === '/konto');
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  const sessions = page.locator('#own-sessions > li');
  await expect(sessions).toHaveCount(2);
  await expect(page.locator('#own-sessions > li[data-current="true"]')).toContainText('Dieser Browser');
  await checkPage(page);
  await page.locator('#own-sessions > li[data-current="false"]').getByRole('button', { name: /beenden/i }).click();
  await expect(page.getByText('Die Anmeldung ist beendet.')).toBeVisible();
  await expect(sessions).toHaveCount(1);
  await checkPage(page);
  await onPhone.goto('/');
  await expect(onPhone).toHaveURL(/\/anmelden\?sitzung=beendet/);
  await phone.close();
});
