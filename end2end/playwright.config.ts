import { defineConfig } from '@playwright/test';

// End-to-end tests run against the release build started by scripts/e2e.sh, which
// exports BASE_URL (a fresh SQLite database with the demo institute, GB_DEMO=1).
// Without BASE_URL they go to the server of `make run`.
// The browser is Debian's Chromium; Playwright never downloads one.
const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1, // 2-core machine; the server and Chromium need the other core
  // One retry: a test that passes only the second time is listed as flaky at the end
  // of the run (scripts/e2e-summary.py), so it is seen and mended, not hidden.
  retries: 1,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL,
    headless: true,
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    launchOptions,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // `make bench` only (GB_BENCH=1): figures for docs/performance.md, no pass/fail budget.
    ...(process.env.GB_BENCH
      ? [
          {
            name: 'bench',
            testDir: './bench',
            timeout: 300_000,
            use: {
              browserName: 'chromium' as const,
              viewport: { width: 360, height: 740 },
              isMobile: true,
              hasTouch: true,
              deviceScaleFactor: 2,
            },
          },
        ]
      : []),
    // The incident and feed specs open both viewports themselves (staff on a phone, the
    // Fachberatung at a desk), so each runs in one project only; the help-planning specs
    // are split by where the work is done.
    {
      name: 'phone',
      testIgnore: ['**/feed.spec.ts', '**/plan-desk.spec.ts', '**/report-desk.spec.ts'],
      use: {
        browserName: 'chromium',
        viewport: { width: 360, height: 740 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      },
    },
    {
      name: 'desktop',
      testIgnore: ['**/incidents.spec.ts', '**/plan-phone.spec.ts', '**/report-phone.spec.ts', '**/protection.spec.ts'],
      use: {
        browserName: 'chromium',
        viewport: { width: 1366, height: 900 },
      },
    },
  ],
});
