// Lighthouse figures for docs/performance.md (run by `make bench` through
// scripts/bench-lighthouse.sh, which starts the release server and sets BASE_URL).
//
// Every run is a first visit: a fresh Chromium profile (Debian's /usr/bin/chromium,
// headless), so nothing is cached and the service worker is not installed yet. Pages
// behind the login get the session cookie of a real login as an extra request header.
// Mobile profile (Lighthouse's default: simulated slow 4G, 4x CPU slowdown, 412 px);
// the feed also with the desktop profile. Each page RUNS times (default 3); the table
// shows the run with the median performance score, and the range of the scores.
//
// GB_LH_PAGES=login,feed limits the pages; GB_LH_RUNS sets the number of runs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import lighthouse, { desktopConfig } from 'lighthouse';

const BASE = process.env.BASE_URL;
if (!BASE) throw new Error('BASE_URL is not set (scripts/bench-lighthouse.sh sets it)');
const RUNS = Number(process.env.GB_LH_RUNS ?? 3);
const OUT = path.resolve(process.env.GB_LH_OUT ?? 'target/lighthouse');
const PASSWORD = 'gruppenbuch';
const PIN = '2468';

/** Logs in like the login form does; returns the session cookie header. */
async function cookieOf(login) {
  // Young people log in with their login card (the demo card of a fresh database).
  const youth = login === 'jugendliche';
  const res = await fetch(`${BASE}${youth ? '/auth/card' : '/auth/login'}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: BASE, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(youth ? { card: 'demo-karte-mia', password: PIN } : { login, password: PASSWORD, next: '/' }),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  if (res.status >= 400 || cookies.length === 0) throw new Error(`login of ${login} failed: ${res.status}`);
  return cookies.join('; ');
}

/** A server function's JSON answer, as a logged-in user. */
async function call(cookie, endpoint, form = {}) {
  const res = await fetch(`${BASE}/api/${endpoint}`, {
    method: 'POST',
    headers: { Origin: BASE, Cookie: cookie, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Starts a headless Chromium with a fresh profile; resolves to its debugging port. */
function chromium() {
  const profile = mkdtempSync(path.join(tmpdir(), 'gb-lh-'));
  const child = spawn('/usr/bin/chromium', [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    'about:blank',
  ]);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (match) {
        resolve({
          port: Number(match[1]),
          close: async () => {
            const exited = new Promise((done) => child.once('exit', done));
            child.kill();
            await exited;
            // Chromium's helper processes may still write for a moment; a profile left
            // in the temporary folder is no error.
            try {
              rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
            } catch {}
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited with ${code}: ${err}`)));
  });
}

async function audit(url, cookie, desktop) {
  const browser = await chromium();
  try {
    const flags = {
      port: browser.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
      extraHeaders: cookie ? { Cookie: cookie } : undefined,
    };
    const result = await lighthouse(url, flags, desktop ? desktopConfig : undefined);
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.message}`);
    const a = lhr.audits;
    return {
      performance: Math.round(lhr.categories.performance.score * 100),
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      fcp: a['first-contentful-paint'].numericValue,
      lcp: a['largest-contentful-paint'].numericValue,
      tbt: a['total-blocking-time'].numericValue,
      cls: a['cumulative-layout-shift'].numericValue,
      si: a['speed-index'].numericValue,
      bytes: a['total-byte-weight'].numericValue,
      requests: a['network-requests'].details?.items?.length ?? 0,
      json: result.report,
    };
  } finally {
    await browser.close();
  }
}

async function main() {
  const staff = await cookieOf('fachkraft');
  const advisor = await cookieOf('fachberatung');
  const youth = await cookieOf('jugendliche');
  const groups = await call(staff, 'groups/list');
  const group = await call(staff, 'groups/get', { id: groups[0].id });
  const mia = group.youths.find((y) => y.first_name === 'Mia') ?? group.youths[0];
  const timeline = await call(staff, 'entries/timeline', { 'input[youth_id]': mia.id, 'input[before]': '' });
  const entry = timeline.entries[0]?.id;

  const pages = [
    { name: 'login', label: 'Anmeldung', path: '/anmelden' },
    { name: 'start', label: 'Start (Fachkraft)', path: '/', cookie: staff },
    { name: 'note', label: 'Tagesnotiz schreiben', path: '/tagesnotiz/neu', cookie: staff },
    { name: 'visit', label: 'Besuchskontakt erfassen', path: '/besuchskontakt/neu', cookie: staff },
    { name: 'incident', label: 'Vorkommnis melden', path: '/vorkommnis/neu', cookie: staff },
    { name: 'youth', label: 'Junger Mensch (Mia)', path: `/jugendliche/${mia.id}`, cookie: staff },
    { name: 'entry', label: 'Eintrag', path: `/eintraege/${entry}`, cookie: staff },
    { name: 'incidents', label: 'Vorkommnisse', path: '/vorkommnisse', cookie: staff },
    { name: 'youth-start', label: 'Start (junger Mensch)', path: '/', cookie: youth },
    { name: 'message', label: 'Nachricht schreiben', path: '/nachricht/neu?art=beschwerde', cookie: youth },
    { name: 'feed', label: 'Feed (Fachberatung)', path: '/feed', cookie: advisor },
    { name: 'feed-desktop', label: 'Feed (Fachberatung), Desktop-Profil', path: '/feed', cookie: advisor, desktop: true },
    { name: 'overview-desktop', label: 'Übersicht, Desktop-Profil', path: '/uebersicht', cookie: advisor, desktop: true },
  ];
  const only = process.env.GB_LH_PAGES?.split(',');
  mkdirSync(OUT, { recursive: true });
  const rows = [];
  for (const p of pages.filter((p) => !only || only.includes(p.name))) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      // Lighthouse now and then fails to record a trace (NO_NAVSTART): that run is
      // made again, up to twice; a page that fails three times ends the bench.
      let run;
      for (let attempt = 1; ; attempt++) {
        try {
          run = await audit(`${BASE}${p.path}`, p.cookie, p.desktop);
          break;
        } catch (e) {
          if (attempt >= 3) throw e;
          console.error(`lighthouse: ${p.name} run ${i + 1} failed (${e.message}); again`);
        }
      }
      writeFileSync(path.join(OUT, `${p.name}-${i + 1}.json`), run.json);
      delete run.json;
      runs.push(run);
      console.error(`lighthouse: ${p.name} run ${i + 1}: ${run.performance} (LCP ${Math.round(run.lcp)} ms, TBT ${Math.round(run.tbt)} ms)`);
    }
    const sorted = [...runs].sort((a, b) => a.performance - b.performance);
    const median = sorted[Math.floor(sorted.length / 2)];
    rows.push({ ...p, median, low: sorted[0].performance, high: sorted[sorted.length - 1].performance });
  }
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`| page | profile | performance (median, range) | LCP | TBT | FCP | CLS | accessibility | transfer | requests |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    const m = r.median;
    console.log(
      `| ${r.label} | ${r.desktop ? 'desktop' : 'mobile'} | **${m.performance}** (${r.low}–${r.high}) | ${s(m.lcp)} | ${Math.round(m.tbt)} ms | ${s(m.fcp)} | ${m.cls.toFixed(3)} | ${m.accessibility} | ${Math.round(m.bytes / 1000)} KB | ${m.requests} |`,
    );
  }
  writeFileSync(path.join(OUT, 'summary.json'), JSON.stringify(rows, null, 2));
}

await main();
