import { type Page } from '@playwright/test';
import * as net from 'node:net';
import { checkPage, expect, login, personAt, test } from './helpers';

/** A word that exists only in one incident's text. */
function marker(name: string) {
  return `${name}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A real SMTP listener on loopback, on the port scripts/e2e.sh gave the server
 * (E2E_SMTP_PORT): it speaks the protocol and keeps every message it is given.
 */
async function smtpSink(port: number) {
  const messages: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write('250 ok\r\n');
        }
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}


/** Fills the incident form for Mia. */
async function describe(page: Page, what: string) {
  await page.getByLabel('Mia Krause', { exact: true }).check();
  await page.getByLabel('Art des Vorkommnisses').selectOption({ label: 'Entweichung/Abgängigkeit' });
  await page.getByLabel('Was ist passiert?').fill(what);
  await page.getByLabel('Sofortmaßnahmen').fill('Umgebung abgesucht, Polizei verständigt.');
  await page.getByLabel('Polizei', { exact: true }).check();
}

test('an incident reported on the phone reaches the Fachberatung at once and is acknowledged and answered', async ({
  page,
  context,
  browser,
}, info) => {
  test.setTimeout(240_000);
  const smtp = await smtpSink(Number(process.env.E2E_SMTP_PORT));
  try {
    const what = marker('Vorfall');
    const fb = await personAt(browser, info, 'fachberatung', 'desk');
    await fb.goto('/vorkommnisse');
    await expect(fb.getByRole('heading', { name: 'Besondere Vorkommnisse' })).toBeVisible();
    await checkPage(fb);
    const open = fb.locator('#incidents-open a.incident-link');
    const before = await open.count();
    // Proof that the board is never reloaded: this survives only without a page load.
    await fb.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    // Staff on the phone: the form checks first, then the report is sealed offline.
    await login(page, 'fachkraft');
    await page.goto('/vorkommnis/neu');
    await expect(page.getByRole('heading', { name: 'Besonderes Vorkommnis melden' })).toBeVisible();
    await checkPage(page);
    await page.getByRole('button', { name: 'Melden' }).click();
    await expect(page.locator('#incident-youths-fehler')).toContainText('mindestens einen jungen Menschen');
    await expect(page.locator('#incident-what-fehler')).toHaveText('Bitte ausfüllen.');
    await context.setOffline(true);
    await describe(page, `Mia ist nicht vom Sport zurückgekommen. ${what}`);
    await page.getByRole('button', { name: 'Melden' }).click();
    await expect(page.locator('#save-status')).toBeVisible();
    await expect(page.locator('#outbox-count')).toHaveText('1');
    await context.setOffline(false);
    await expect(page.locator('#outbox-count')).toHaveText('0', { timeout: 30_000 });

    // The Fachberatung's board shows it pinned, without a reload; the menu badge counts it.
    await expect(open).toHaveCount(before + 1, { timeout: 30_000 });
    const link = fb.locator('#incidents-open a.incident-link', { hasText: 'Mia Krause' }).first();
    const href = (await link.getAttribute('href'))!;
    const id = href.split('/').pop()!;
    await expect(fb.locator('#nav-incidents-open')).toContainText(String(before + 1), { timeout: 40_000 });
    expect(await fb.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

    // The alarm e-mail arrived: a link, no name, nothing of what happened.
    await expect
      .poll(() => smtp.messages.filter((m) => m.includes('To: <fachberatung@gruppenbuch.example>')).length, {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    const mail = smtp.messages.find((m) => m.includes('To: <fachberatung@gruppenbuch.example>'))!;
    expect(mail).toContain('Subject: Gruppenbuch: Neues besonderes Vorkommnis');
    expect(mail).toContain(`/vorkommnisse/${id}`);
    for (const secret of ['Mia', 'Krause', what, 'Sport']) expect(mail).not.toContain(secret);

    // Keyboard review: j focuses it, x acknowledges it; it leaves the pinned list.
    await fb.locator('h1').click();
    await fb.keyboard.press('j');
    await expect(fb.locator('#incidents-open a.incident-link').first()).toBeFocused();
    await link.focus();
    await fb.keyboard.press('x');
    await expect(fb.locator(`#incidents-open a[href="${href}"]`)).toHaveCount(0, { timeout: 15_000 });
    await expect(fb.locator(`#incidents-done a[href="${href}"]`)).toBeVisible();

    // Its page shows the chain; the Fachberatung answers the group.
    await fb.locator(`#incidents-done a[href="${href}"]`).click();
    await fb.waitForURL((url) => url.pathname === href);
    await expect(fb.locator('#incident-what-text')).toContainText(what);
    await expect(fb.locator('#incident-acknowledged')).toContainText('Frank Berater');
    for (const step of ['gemeldet', 'benachrichtigt', 'gelesen', 'zur Kenntnis genommen']) {
      await expect(fb.locator('#incident-chain')).toContainText(step);
    }
    await checkPage(fb);
    const answer = `Danke. Bitte heute noch das Jugendamt informieren. ${marker('Antwort')}`;
    await fb.getByLabel('Kommentar an die Gruppe').fill(answer);
    await fb.getByRole('button', { name: 'Kommentar senden' }).click();
    await expect(fb.locator('#incident-chain')).toContainText(answer);
    await expect(fb.getByLabel('Kommentar an die Gruppe')).toHaveValue('');

    // The staff member reads the answer on the phone.
    await page.goto(href);
    await expect(page.locator('#incident-chain')).toContainText(answer);
    await expect(page.locator('#incident-state')).toContainText('zur Kenntnis genommen');
    await expect(page.locator('#incident-acknowledge')).toHaveCount(0);
    await checkPage(page);

    // A second incident nobody acknowledges escalates to Leitung (after 40 s here).
    const second = marker('Krise');
    await page.goto('/vorkommnis/neu');
    await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 });
    await describe(page, `Zweiter Vorfall ${second}`);
    await page.getByRole('button', { name: 'Melden' }).click();
    // Saved into the outbox first (the count was 0 before, too), then sent.
    await expect(page.locator('#save-status')).toBeVisible();
    await expect(page.locator('#outbox-count')).toHaveText('0', { timeout: 30_000 });
    await fb.goto('/vorkommnisse');
    const secondLink = fb.locator('#incidents-open a.incident-link').first();
    await expect(secondLink).toBeVisible();
    const secondHref = (await secondLink.getAttribute('href'))!;
    expect(secondHref).not.toBe(href);
    await expect
      .poll(
        () =>
          smtp.messages.filter(
            (m) => m.includes('noch nicht zur Kenntnis genommen') && m.includes(secondHref) && m.includes('To: <leitung@'),
          ).length,
        { timeout: 120_000, intervals: [2_000] },
      )
      .toBe(1);
    await fb.goto(secondHref);
    await expect(fb.locator('#incident-state')).toContainText('eskaliert');
    await expect(fb.locator('#incident-chain')).toContainText('an die Leitung eskaliert');
    await fb.getByRole('button', { name: 'Zur Kenntnis genommen' }).click();
    await expect(fb.locator('#incident-acknowledged')).toContainText('Frank Berater');
    await fb.context().close();
  } finally {
    await smtp.close();
  }
});
