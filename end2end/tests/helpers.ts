import { type Browser, expect, type Page, type TestInfo, request as apiRequest, test as base } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const DEMO_PASSWORD = 'gruppenbuch';
/** Young people log in with their login card and a PIN. */
export const DEMO_PIN = '2468';
/** The demo young person's login card (until a test makes her a new one). */
export const DEMO_CARD = '/karte/demo-karte-mia';

let currentCard = DEMO_CARD;

/**
 * The path of Mia's login card that works now: the demo card, or, after a test made her
 * a new one (the old card then stops working), a card the Fachberatung makes for her.
 */
export async function youthCard(baseURL: string, renew = false): Promise<string> {
  if (!renew) return currentCard;
  const api = await apiRequest.newContext({ baseURL });
  try {
    const login = await api.post('/auth/login', {
      headers: { Origin: baseURL },
      form: { login: 'fachberatung', password: DEMO_PASSWORD, next: '/' },
      maxRedirects: 0,
    });
    expect(login.status(), 'login of fachberatung').toBeLessThan(400);
    const call = async (endpoint: string, form: Record<string, string>) => {
      const res = await api.post(`/api/${endpoint}`, { headers: { Origin: baseURL, Accept: 'application/json' }, form });
      expect(res.status(), `${endpoint}: ${await res.text()}`).toBeLessThan(400);
      return res.json();
    };
    const groups = await call('groups/list', {});
    const home = groups.find((g: { name: string }) => g.name === 'FWG Sonnenhaus') ?? groups[0];
    const group = await call('groups/get', { id: home.id });
    const mia = group.youths.find((y: { first_name: string }) => y.first_name === 'Mia');
    const card = await call('feedback/login-card', { id: mia.id, 'input[pin]': '' });
    currentCard = new URL(card.url).pathname;
    return currentCard;
  } finally {
    await api.dispose();
  }
}

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

/** What the layout check found (empty: the page looks finished). */
export type LayoutProblems = string[];

/**
 * The layout as a person sees it, measured in the browser:
 *  - the document is no wider than the viewport (no sideways scrolling);
 *  - no two visible interactive elements overlap (one inside the other is fine: a
 *    radio button inside its tile);
 *  - no text is cut off by a box that hides its overflow;
 *  - on a phone (`touch`), every control is at least 44×44 CSS px; a radio button or
 *    check box counts by its label (the tile around it).
 * What is not rendered (hidden, in a closed <details>) and screen-reader-only content
 * (a box of 1 px or less) is not looked at; content of a scrolling box counts only where
 * the box shows it.
 */
export async function layoutProblems(page: Page, touch: boolean): Promise<LayoutProblems> {
  return page.evaluate((touch) => {
    const problems: string[] = [];
    const root = document.documentElement;
    const viewport = root.clientWidth;
    if (root.scrollWidth > viewport + 1) {
      problems.push(`document ${root.scrollWidth}px wide in a ${viewport}px viewport`);
    }
    const name = (el: Element) => {
      const text = (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').trim().replace(/\s+/g, ' ');
      return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${text.slice(0, 40)}"`;
    };
    const srOnly = (el: Element) => {
      // Not rendered at all: display none, hidden, or inside a closed <details>.
      if (!el.checkVisibility({ visibilityProperty: true })) return true;
      for (let e: Element | null = el; e; e = e.parentElement) {
        const r = e.getBoundingClientRect();
        const style = getComputedStyle(e);
        if (style.display === 'none' || style.visibility === 'hidden') return true;
        if ((r.width <= 1 || r.height <= 1) && style.overflow !== 'visible') return true;
      }
      return false;
    };
    // The part of an element's box that is shown: its rectangle cut by every
    // ancestor that clips (scrolls or hides its overflow).
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
      for (let e = el.parentElement; e && e !== root && e !== document.body; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
          const c = e.getBoundingClientRect();
          left = Math.max(left, c.left);
          top = Math.max(top, c.top);
          right = Math.min(right, c.right);
          bottom = Math.min(bottom, c.bottom);
        }
      }
      return right - left > 0 && bottom - top > 0 ? { left, top, right, bottom } : null;
    };
    const interactive = Array.from(
      document.querySelectorAll<HTMLElement>(
        'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [tabindex]:not([tabindex="-1"])',
      ),
    ).filter((el) => !el.closest('[inert]') && !srOnly(el));
    // A radio button or check box is operated through its label.
    const targets = Array.from(
      new Set(
        interactive.map((el) =>
          el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') ? (el.closest('label') ?? el) : el,
        ),
      ),
    );
    const boxes = targets
      .map((el) => ({ el, box: shown(el) }))
      .filter((t): t is { el: HTMLElement; box: { left: number; top: number; right: number; bottom: number } } => t.box !== null);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        if (w > 1 && h > 1) problems.push(`${name(a.el)} overlaps ${name(b.el)} by ${Math.round(w)}×${Math.round(h)}`);
      }
    }
    // Text cut off: a box that hides its overflow and has more text than room.
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      const hasText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!hasText || srOnly(el)) continue;
      const style = getComputedStyle(el);
      const hidesX = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
      const hidesY = style.overflowY === 'hidden' || style.overflowY === 'clip' || style.webkitLineClamp !== 'none';
      if ((hidesX && el.scrollWidth > el.clientWidth + 1) || (hidesY && el.scrollHeight > el.clientHeight + 1)) {
        problems.push(`text cut off in ${name(el)} (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
      }
      const box = shown(el);
      if (box && (box.right > viewport + 1 || box.left < -1)) problems.push(`text outside the viewport: ${name(el)}`);
    }
    if (touch) {
      for (const { el } of boxes) {
        const r = el.getBoundingClientRect();
        if (r.width < 44 || r.height < 44) problems.push(`touch target ${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return problems;
  }, touch);
}

/** A phone page: a touch screen or a viewport of a phone's width. */
function isPhone(page: Page) {
  return (page.viewportSize()?.width ?? 1280) < 600;
}

/**
 * The layout check (see `layoutProblems`); fails the test with every problem found.
 * Touch targets are measured on phones, and with `touch` on every page (young
 * people's pages, whatever the screen).
 */
export async function expectLayout(page: Page, touch = isPhone(page)) {
  const problems = await layoutProblems(page, touch);
  expect(problems, `layout problems on ${page.url()} at ${page.viewportSize()?.width}px`).toEqual([]);
}

/** Hydration, accessibility and layout: what every visited page must pass. */
export async function checkPage(page: Page) {
  await expectHydrated(page);
  await expectAccessible(page);
  await expectLayout(page);
}

/** Saves a screenshot of the whole page under test-results/screens/ (kept by the run). */
export async function screenshot(page: Page, name: string) {
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: `test-results/screens/${name}-${width}.png`, fullPage: true });
}

export async function login(page: Page, user: string, password = user === 'jugendliche' ? DEMO_PIN : DEMO_PASSWORD) {
  if (user === 'jugendliche') return loginByCard(page, password);
  await page.goto('/anmelden');
  await checkPage(page);
  await page.getByLabel('Benutzername').fill(user);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await checkPage(page);
}

/** A young person opens their login card's link and types the PIN. */
export async function loginByCard(page: Page, pin = DEMO_PIN) {
  const base = new URL(page.url().startsWith('http') ? page.url() : test.info().project.use.baseURL!).origin;
  let card = await youthCard(base);
  await page.goto(card);
  await checkPage(page);
  if (new URL(page.url()).pathname !== card) {
    card = await youthCard(base, true);
    await page.goto(card);
  }
  await page.getByLabel('Deine PIN').fill(pin);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL((url) => url.pathname === '/' || url.search.includes('karte=ungueltig'));
  if (new URL(page.url()).search.includes('karte=ungueltig')) {
    card = await youthCard(base, true);
    await page.goto(card);
    await page.getByLabel('Deine PIN').fill(pin);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL((url) => url.pathname === '/');
  }
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

/** A second person in their own browser: at a desk (1366×900) or on a phone (360×740). */
export async function personAt(browser: Browser, info: TestInfo, user: string, device: 'desk' | 'phone'): Promise<Page> {
  const context = await browser.newContext({
    baseURL: info.project.use.baseURL,
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    ...(device === 'desk'
      ? { viewport: { width: 1366, height: 900 } }
      : { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }),
  });
  const page = await context.newPage();
  await login(page, user);
  return page;
}
