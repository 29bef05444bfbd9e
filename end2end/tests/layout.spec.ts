import { type APIRequestContext, type Browser, type Page, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEMO_PASSWORD,
  DEMO_PIN,
  checkPage,
  expect,
  expectLayout,
  layoutProblems,
  login,
  screenshot,
  test,
  youthCard,
} from './helpers';

// Every route, for every role that may open it (the route table of
// docs/access-matrix.md), with data like a real institute's: long names, long texts,
// many entries. Every page passes hydration, axe-core and the layout check; every page
// is saved as a screenshot under test-results/screens/.

test.describe.configure({ mode: 'serial' });

const ROLES = ['leitung', 'fachberatung', 'fachkraft', 'jugendliche', 'admin', 'datenschutz'] as const;
type Role = (typeof ROLES)[number] | 'anonym';

/** The routes table of the access matrix: route → the roles that may open it. */
function routeTable(): { route: string; roles: Role[] }[] {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'access-matrix.md'), 'utf8');
  const section = text.slice(text.indexOf('## Routes'));
  const rows: { route: string; roles: Role[] }[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (!cells[1]?.startsWith('/')) continue;
    const marks = cells.slice(3, 3 + ROLES.length);
    const roles: Role[] = ROLES.filter((_, i) => marks[i] !== '—' && marks[i] !== '');
    if (marks.every((m) => m === 'anyone')) roles.push('anonym');
    rows.push({ route: cells[1], roles });
  }
  return rows;
}

const TODAY = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
const LONG_FIRST = 'Maximiliane-Josephine';
const LONG_LAST = 'Wolkenstein-Hohenzollern-Sigmaringen';
const LONG_GROUP = 'Familienwohngruppe Sonnenblumenhaus am Stadtpark Nord-Ost';
// Long German compounds do not break by themselves: the pages must wrap them anyway.
const LONG_WORD = 'Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen';
const LONG_TEXT = `${LONG_WORD}. ${'Mia hat heute nach der Schule lange mit ihrer Bezugsbetreuerin gesprochen und danach die Hausaufgaben erledigt. '.repeat(30)}`.slice(0, 3900);

/** A request context of one logged-in role. */
async function session(browser: Browser, info: TestInfo, role: (typeof ROLES)[number]): Promise<APIRequestContext> {
  const context = await browser.newContext({ baseURL: info.project.use.baseURL });
  const request = context.request;
  const origin = info.project.use.baseURL!;
  // Young people log in with their card and PIN (a new card if a test replaced the demo one).
  const res =
    role === 'jugendliche'
      ? await request.post('/auth/card', {
          headers: { Origin: origin },
          form: { card: (await youthCard(origin, true)).replace('/karte/', ''), password: DEMO_PIN },
          maxRedirects: 0,
        })
      : await request.post('/auth/login', {
          headers: { Origin: origin },
          form: { login: role, password: DEMO_PASSWORD, next: '/' },
          maxRedirects: 0,
        });
  expect(res.status(), `login of ${role}`).toBeLessThan(400);
  expect(res.headers()['location'], `login of ${role}`).toBe('/');
  return request;
}

/** Calls a server function the way a form without JavaScript does; returns its JSON. */
async function call(request: APIRequestContext, info: TestInfo, endpoint: string, form: Record<string, string>) {
  const res = await request.post(`/api/${endpoint}`, {
    headers: { Origin: info.project.use.baseURL!, Accept: 'application/json' },
    form,
  });
  expect(res.status(), `${endpoint}: ${await res.text()}`).toBeLessThan(400);
  const body = await res.text();
  return body ? JSON.parse(body) : null;
}

type World = Record<string, string>;
let world: World = {};

test('an institute with long names, long texts and many entries', async ({ browser, page }, info) => {
  test.setTimeout(240_000);
  const leitung = await session(browser, info, 'leitung');
  const groups: { id: string; name: string }[] = await call(leitung, info, 'groups/list', {});
  const sonnenhaus = groups.find((g) => g.name === 'FWG Sonnenhaus')!.id;
  if (!groups.some((g) => g.name === LONG_GROUP)) {
    await call(leitung, info, 'groups/create', {
      'input[name]': LONG_GROUP,
      'input[address]': 'Am Stadtpark Nord-Ost 117, Hinterhaus, Aufgang C, 99084 Erfurt-Krämpfervorstadt',
      'input[phone]': '0361 655 443 322',
    });
  }
  const youth: string = await call(leitung, info, 'youths/create', {
    'input[group_id]': sonnenhaus,
    'input[first_name]': LONG_FIRST,
    'input[last_name]': LONG_LAST,
    'input[birth_date]': '2011-06-30',
    'input[admission_date]': '2023-01-15',
    'input[caseworker_name]': 'Frau Dr. Annegret Sommer-Blumenthal, Jugendhilfedienst Erfurt-Südost',
    'input[caseworker_contact]': 'annegret.sommer-blumenthal@jugendamt-erfurt.example, 0361 655 1234 5678',
    'input[custody]': `Sorgeberechtigt: Mutter und Vormund gemeinsam. ${LONG_WORD}. `.repeat(6).slice(0, 500),
  });
  // A Richtungsziel with three Handlungsziele, each with the longest steps, and a
  // version of the plan.
  const direction: string = await call(leitung, info, 'goals/create', {
    'input[youth_id]': youth,
    'input[level]': 'richtung',
    'input[title]': `Richtungsziel: ${LONG_WORD} und ein selbstständiges Leben in der eigenen Wohnung`.slice(0, 120),
    'input[youth_title]': 'Ich lebe später allein in meiner eigenen Wohnung und komme gut zurecht.',
  });
  const goals: string[] = [];
  for (let i = 1; i <= 3; i++) {
    goals.push(
      await call(leitung, info, 'goals/create', {
        'input[youth_id]': youth,
        'input[level]': 'handlung',
        'input[parent_id]': direction,
        'input[title]': `Ziel ${i}: Selbstständig und pünktlich zur Schule gehen, auch bei Unterrichtsausfall`.slice(0, 120),
        'input[description]': LONG_TEXT.slice(0, 900),
        'input[review_on]': '2027-06-30',
        'input[steps][0][who]': LONG_FIRST,
        'input[steps][0][what]': `Stellt sich den Wecker und packt die Tasche am Abend. ${LONG_WORD}`.slice(0, 300),
        'input[steps][0][by]': '2027-01-31',
      }),
    );
  }
  world.goal = goals[0];
  world.plan = await call(leitung, info, 'plans/create', {
    'input[youth_id]': youth,
    'input[agreed_on]': TODAY,
    'input[participants]': `${LONG_FIRST} ${LONG_LAST}, Frau Dr. Annegret Sommer-Blumenthal (Jugendamt), Mutter, Vormund, Bezugsbetreuerin, Fachberatung. ${LONG_WORD}`,
    'input[legal_basis]': '35a',
    'input[key_worker]': 'Sabine Sonnen-Hohenzollern-Sigmaringen',
  });
  await call(leitung, info, 'contacts/set', {
    id: youth,
    'input[times]': '2',
    'input[period]': 'woche',
    'input[kind]': 'besuch',
    'input[supervised]': 'ja',
    'input[note]': `Jeden zweiten Samstag begleitet in den SIEH-Räumen. ${LONG_WORD}.`,
  });
  const accounts: { id: string; login: string }[] = await call(leitung, info, 'accounts/list', {});
  world.account = accounts.find((a) => a.login === 'fachkraft')!.id;

  const staff = await session(browser, info, 'fachkraft');
  world.note = crypto.randomUUID();
  await call(staff, info, 'notes/save', {
    'input[id]': world.note,
    'input[subject]': youth,
    'input[date]': TODAY,
    'input[category]': 'kontakt_schule',
    'input[text]': LONG_TEXT,
    'input[important]': 'true',
  });
  for (let i = 0; i < 24; i++) {
    await call(staff, info, 'notes/save', {
      'input[id]': crypto.randomUUID(),
      'input[subject]': youth,
      'input[date]': TODAY,
      'input[category]': ['schule', 'gesundheit', 'freizeit', 'herkunftsfamilie'][i % 4],
      'input[text]': `Eintrag ${i + 1}: ${LONG_TEXT.slice(0, 200 + i * 20)}`,
    });
  }
  await call(staff, info, 'visits/save', {
    'input[id]': crypto.randomUUID(),
    'input[youth_id]': youth,
    'input[date]': TODAY,
    'input[time]': '10:30',
    'input[kind]': 'besuch',
    'input[place]': 'sieh_raeume',
    'input[participants][0]': 'mutter',
    'input[participants][1]': 'geschwister',
    'input[participants_other]': 'Großtante mütterlicherseits mit Lebensgefährten',
    'input[supervised]': 'ja',
    'input[supervised_by]': 'Frau Sommer-Blumenthal',
    'input[outcome]': 'stattgefunden',
    'input[notes]': LONG_TEXT.slice(0, 1500),
  });
  // Monthly talks of three months rate the first goal from every perspective.
  for (const [i, day] of [60, 30, 0].entries()) {
    const date = new Date(Date.now() - day * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
    await call(staff, info, 'talks/save', {
      'input[id]': crypto.randomUUID(),
      'input[youth_id]': youth,
      'input[date]': date,
      'input[participants]': `Sabine Sonnen, Mutter, Vormund. ${LONG_WORD}`,
      'input[youth_present]': 'ja',
      'input[goals][0][goal_id]': goals[0],
      'input[goals][0][happened]': LONG_TEXT.slice(0, 1500),
      'input[goals][0][staff]': String(2 + i),
      'input[goals][0][youth]': String(3 + i),
      'input[goals][0][parents]': String(1 + i),
      'input[youth_words]': `Ich will mehr Zeit mit meinen Freundinnen. ${LONG_WORD}`,
      'input[hpg_topics]': LONG_TEXT.slice(0, 600),
      'input[for_advisor]': i === 2 ? 'true' : 'false',
    });
  }
  world.incident = crypto.randomUUID();
  await call(staff, info, 'incidents/save', {
    'input[id]': world.incident,
    'input[youth_ids][0]': youth,
    'input[date]': TODAY,
    'input[time]': '21:15',
    'input[category]': 'verletzung',
    'input[what]': LONG_TEXT,
    'input[measures]': `Erste Hilfe, Kühlung, ärztliche Abklärung. ${LONG_WORD}.`,
    'input[informed][0]': 'eltern',
    'input[informed][1]': 'jugendamt',
  });

  // A Kinderschutz observation with the longest texts, the procedure opened from it and
  // its Ersteinschätzung.
  world.observation = crypto.randomUUID();
  await call(staff, info, 'protection/observe', {
    'input[id]': world.observation,
    'input[youth_id]': youth,
    'input[date]': TODAY,
    'input[time]': '07:40',
    'input[fact]': LONG_TEXT.slice(0, 4000),
    'input[source]': 'kind',
    'input[assessment]': LONG_TEXT.slice(0, 2000),
  });
  const leitungCase = await session(browser, info, 'leitung');
  world.case = await call(leitungCase, info, 'protection/open', {
    'input[key]': crypto.randomUUID(),
    'input[from]': world.observation,
    'input[concerns_staff]': 'ja',
  });
  await call(leitungCase, info, 'protection/step', {
    id: world.case,
    'input[key]': crypto.randomUUID(),
    'input[kind]': 'ersteinschaetzung',
    'input[date]': TODAY,
    'input[participants]': `${LONG_FIRST} (Leitung), Frau Dr. Annegret Sommer-Blumenthal (Fachberatung). ${LONG_WORD}`,
    'input[result]': 'anhaltspunkte',
    'input[text]': LONG_TEXT.slice(0, 4000),
  });
  world.licence = await call(leitungCase, info, 'licence/save', {
    'input[key]': crypto.randomUUID(),
    'input[group_id]': sonnenhaus,
    'input[case_id]': world.case,
    'input[category]': 'fehlverhalten_personal',
    'input[occurred_at]': `${TODAY}T00:10`,
    'input[description]': LONG_TEXT.slice(0, 4000),
    'input[measures]': LONG_TEXT.slice(0, 1500),
    'input[recipient]': `Landesjugendamt, Referat Heimaufsicht, ${LONG_FIRST}`.slice(0, 300),
    'input[reported_at]': `${TODAY}T00:20`,
  });
  await leitungCase.dispose();

  const advisor = await session(browser, info, 'fachberatung');
  await call(advisor, info, 'records/save', {
    'input[id]': crypto.randomUUID(),
    'input[youth_id]': youth,
    'input[date]': TODAY,
    'input[record_type]': 'diagnostik',
    'input[phase]': 'eingang',
    'input[assessor]': 'Frau Dr. Annegret Sommer-Blumenthal, Kinder- und Jugendpsychiatrie',
    'input[instrument]': `SDQ (Eltern- und Lehrerversion), ${LONG_WORD}`,
    'input[findings]': LONG_TEXT.slice(0, 2500),
    'input[goal_ids][0]': goals[0],
  });
  await call(advisor, info, 'feed/comment', { id: world.note, 'input[text]': `Bitte beim nächsten Gespräch ansprechen. ${LONG_WORD}.` });
  const link = await call(advisor, info, 'feedback/group-link', { id: sonnenhaus });
  world.link = new URL(link.url).pathname.split('/').pop()!;
  const mia = (await call(advisor, info, 'groups/get', { id: sonnenhaus })).youths.find(
    (y: { first_name: string }) => y.first_name === 'Mia',
  ).id;
  const card = await call(advisor, info, 'feedback/login-card', { id: mia, 'input[pin]': '' });
  world.card = new URL(card.url).pathname.split('/').pop()!;

  // A young person writes to the group, with the longest text the form takes.
  await login(page, 'jugendliche');
  await page.goto('/nachricht/neu?art=beteiligung');
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
  await page.getByText('Freizeit', { exact: true }).click();
  await page.getByText('gut', { exact: true }).click();
  await page.getByLabel('Was möchtest du sagen?').fill(LONG_TEXT.slice(0, 2000));
  await page.getByText('Meine Wohngruppe').click();
  await page.getByRole('button', { name: 'Abschicken' }).click();
  await expect(page.locator('#message-sent')).toBeVisible({ timeout: 15_000 });
  let list: { id: string }[] = [];
  await expect
    .poll(async () => (list = await call(staff, info, 'feedback/list', { 'input[status]': '' })).length, { timeout: 30_000 })
    .toBeGreaterThan(0);
  world.feedback = list[0].id;

  // The report for the next Hilfeplangespräch, drafted from all of the above.
  const leitungAgain = await session(browser, info, 'leitung');
  const meeting = new Date(Date.now() + 20 * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
  world.report = await call(leitungAgain, info, 'reports/start', { 'input[youth_id]': youth, 'input[meeting_on]': meeting });
  await leitungAgain.dispose();

  world.group = sonnenhaus;
  world.youth = youth;
  for (const r of [leitung, staff, advisor]) await r.dispose();
});

/** The concrete address of a route for the test data. */
function address(route: string): string {
  const id = (() => {
    if (route.startsWith('/gruppen/')) return world.group;
    if (route.startsWith('/jugendliche/')) return world.youth;
    if (route.startsWith('/konten/')) return world.account;
    if (route.startsWith('/eintraege/')) return world.note;
    if (route.startsWith('/hilfeplan/')) return world.plan;
    if (route.startsWith('/ziele/')) return world.goal;
    if (route.startsWith('/berichte/')) return world.report;
    if (route.startsWith('/rueckmeldungen/')) return world.feedback;
    if (route.startsWith('/vorkommnisse/')) return world.incident;
    if (route.startsWith('/kinderschutz/beobachtungen/')) return world.observation;
    if (route.startsWith('/meldungen-47/')) return world.licence;
    if (route.startsWith('/kinderschutz/')) return world.case;
    if (route.startsWith('/mitreden/')) return world.link;
    if (route.startsWith('/karte/')) return world.card;
    return '';
  })();
  return route.replace(':id', id);
}

/** A file name for a route's screenshot. */
function slug(route: string) {
  return route === '/' ? 'start' : route.slice(1).replace(/:id/g, 'id').replace(/\//g, '_');
}

for (const role of [...ROLES, 'anonym'] as Role[]) {
  test(`every page ${role} may open looks finished`, async ({ page }) => {
    test.setTimeout(600_000);
    const routes = routeTable().filter((r) => r.roles.includes(role));
    expect(routes.length).toBeGreaterThan(0);
    if (role === 'anonym') {
      await page.goto('/anmelden');
      await checkPage(page);
      await screenshot(page, 'anonym-anmelden');
    } else {
      await login(page, role);
    }
    for (const { route } of routes) {
      const response = await page.goto(address(route));
      expect(response?.status(), `${role} opens ${route}`).toBe(200);
      await checkPage(page);
      await screenshot(page, `${role}-${slug(route)}`);
    }
    // The 404 page too (without a session, an unknown page asks for the login).
    if (role !== 'anonym') {
      const missing = await page.goto('/gibt-es-nicht');
      expect(missing?.status()).toBe(404);
      await checkPage(page);
      await screenshot(page, `${role}-404`);
    }
  });
}

test('the desk feed: list and reading pane, keyboard review keeps the focused item in view', async ({ page }) => {
  await login(page, 'fachberatung');
  await page.goto('/feed');
  await checkPage(page);
  const pane = page.locator('#feed-pane');
  const desk = (page.viewportSize()?.width ?? 0) >= 1024;
  await expect(pane).toBeVisible({ visible: desk });
  await page.locator('h1').click();
  for (let i = 0; i < 20; i++) await page.keyboard.press('j');
  const focused = page.locator('a.feed-link:focus');
  await expect(focused).toHaveCount(1);
  await expect(focused).toBeInViewport();
  const id = await focused.getAttribute('data-id');
  if (desk) {
    // The pane shows what the keyboard is on.
    await expect(pane.locator('.feed-pane-item')).toHaveAttribute('data-id', id!);
    await expect(pane).toBeInViewport();
  } else {
    // On a phone the pane opens below the list for the row that asks for it.
    await page.locator(`li.feed-item[data-id="${id}"] .feed-select`).click();
    await expect(pane).toBeVisible();
    await expect(pane.locator('.feed-pane-item')).toHaveAttribute('data-id', id!);
    await expect(page.locator('#feed-pane-close')).toBeInViewport();
    await expectLayout(page);
    await screenshot(page, 'fachberatung-feed-pane');
    await page.locator('#feed-pane-close').click();
    await expect(pane).toBeHidden();
    await expect(page.locator(`a.feed-link[data-id="${id}"]`)).toBeFocused();
  }
});

test('the layout check fails on a page made to overflow, to overlap, to cut text and to shrink a target', async ({
  page,
}) => {
  await page.goto('/anmelden');
  await checkPage(page);
  const problems = async (touch: boolean) => (await layoutProblems(page, touch)).join('\n');
  const inject = (html: string) =>
    page.evaluate((html) => {
      document.querySelector('#layout-probe')?.remove();
      const probe = document.createElement('div');
      probe.id = 'layout-probe';
      probe.innerHTML = html;
      document.querySelector('main')!.append(probe);
    }, html);
  // The style sheet forbids inline styles (CSP), so the probes are shaped by script.
  const shape = (selector: string, css: Partial<CSSStyleDeclaration>) =>
    page.evaluate(
      ({ selector, css }) => {
        for (const el of document.querySelectorAll<HTMLElement>(selector)) Object.assign(el.style, css);
      },
      { selector, css },
    );

  await inject('<p id="wide">breit</p>');
  await shape('#wide', { width: '2000px' });
  expect(await problems(false)).toMatch(/document \d+px wide/);
  await expect(expectLayout(page, false)).rejects.toThrow(/layout problems/);

  await inject('<button id="one">Eins</button><button id="two">Zwei</button>');
  await shape('#two', { position: 'relative', top: '-10px', left: '-30px' });
  expect(await problems(false)).toMatch(/button#one "Eins" overlaps button#two "Zwei"/);

  await inject('<p id="cut">Ein Satz, der nicht in sein Kästchen passt und abgeschnitten wird.</p>');
  await shape('#cut', { width: '6rem', whiteSpace: 'nowrap', overflow: 'hidden' });
  expect(await problems(false)).toMatch(/text cut off in p#cut/);

  await inject('<a id="tiny" href="/">x</a>');
  await shape('#tiny', { display: 'inline-block', minHeight: '0', minWidth: '0', width: '20px', height: '20px' });
  expect(await problems(true)).toMatch(/touch target a#tiny "x" is 20×20/);
  expect(await problems(false)).toBe('');

  await inject('');
  expect(await problems(true)).toBe('');
});
