import { type Browser, expect, type Page, type TestInfo, test as base } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const DEMO_PASSWORD = 'gruppenbuch';
/** Young people log in with a PIN. */
export const DEMO_PIN = '2468';

/** Every test fails on any uncaught page error or console error. */
export const test = base.extend<{ errors: string[] }>({
  errors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        // The browser logs every 4xx answer as a console error; the tests check those
        // statuses themselves (validation 400, denied 403).
        const expected = /^Failed to load resource: the server responded with a status of 4\d\d/;
        if (m.type() === 'error' && !expected.test(m.text())) errors.push(`console: ${m.text()}`);
      });
      await use(errors);
      expect(errors, 'page errors').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/**
 * Waits until the WebAssembly has hydrated the page, then proves it: the menu button's
 * click handler flips aria-expanded without a page load.
 */
export async function expectHydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  const toggle = page.locator('#menu-toggle');
  const before = await toggle.getAttribute('aria-expanded');
  const navigations: string[] = [];
  const onNav = (f: { url(): string }) => navigations.push(f.url());
  page.on('framenavigated', onNav);
  await toggle.evaluate((el: HTMLElement) => el.click());
  await expect(toggle).not.toHaveAttribute('aria-expanded', before ?? 'false');
  await toggle.evaluate((el: HTMLElement) => el.click());
  await expect(toggle).toHaveAttribute('aria-expanded', before ?? 'false');
  page.off('framenavigated', onNav);
  expect(navigations, 'the toggle must not load a page').toEqual([]);
}

/** axe-core with the WCAG 2.1 A and AA rules: zero violations. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** Hydration and accessibility: what every visited page must pass. */
export async function checkPage(page: Page) {
  await expectHydrated(page);
  await expectAccessible(page);
}

export async function login(page: Page, user: string, password = user === 'jugendliche' ? DEMO_PIN : DEMO_PASSWORD) {
  await page.goto('/anmelden');
  await checkPage(page);
  await page.getByLabel('Benutzername').fill(user);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await checkPage(page);
}

/** Opens the navigation on a phone (it is always visible on a desktop). */
export async function openMenu(page: Page) {
  const toggle = page.locator('#menu-toggle');
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') {
    await toggle.click();
  }
}

export async function logout(page: Page) {
  await openMenu(page);
  await page.getByRole('button', { name: 'Abmelden' }).click();
  await page.waitForURL(/\/anmelden\?abgemeldet=1/);
  await expect(page.getByText('Du bist abgemeldet.')).toBeVisible();
  await checkPage(page);
}

/** A second person in their own browser: at a desk (1280×800) or on a phone (360×740). */
export async function personAt(browser: Browser, info: TestInfo, user: string, device: 'desk' | 'phone'): Promise<Page> {
  const context = await browser.newContext({
    baseURL: info.project.use.baseURL,
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    ...(device === 'desk'
      ? { viewport: { width: 1280, height: 800 } }
      : { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }),
  });
  const page = await context.newPage();
  await login(page, user);
  return page;
}
