// The pieces of the browser driver, apart from its line protocol (drive.mjs) so that tests can use them:
// starting Debian's Chromium headless through puppeteer-core (which never downloads a browser), trusting
// exactly the server keys it is given, opening arena pages in bot mode and reading what they report (contract 7 of
// issue 14: window.arenaReport(), window.arenaMark()).
import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

/** Where Debian's chromium package puts the browser; CHROMIUM overrides it. */
export const DEFAULT_CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * base64(SHA-256(SubjectPublicKeyInfo)) of the first certificate in a PEM file: what Chromium's
 * --ignore-certificate-errors-spki-list takes. It trusts that one key and nothing else, which is
 * narrower than adding the demo's CA to a certificate store (the CA could sign any name).
 */
export function spkiHash(certPem) {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * {@link spkiHash} of every certificate in a PEM file, in order: the demo gives each server its own
 * certificate and key, and a page that follows a handoff must accept the target's key as well as the source's.
 */
export function spkiHashes(pemText) {
  const blocks = pemText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) || [];
  if (blocks.length === 0) {
    throw new Error('no -----BEGIN CERTIFICATE----- block in the --trust-cert file: give the servers\' PEM certificates');
  }
  return blocks.map(spkiHash);
}

/**
 * Starts Chromium headless. {@code trustCertFile}: a PEM whose keys (one per certificate in it) the browser accepts for TLS although no
 * CA it knows signed it (null: the normal checks only). Background pages are not throttled, so every page
 * plays at the tick rate, not only the one in front.
 */
export async function launch({ chromium = DEFAULT_CHROMIUM, trustCertFile = null, protocolTimeoutMs = 30_000 } = {}) {
  const args = [
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--mute-audio',
    '--no-first-run',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
  ];
  // Chromium's sandbox refuses to run as root (CI runs as root); as any other user it stays on.
  if (process.getuid && process.getuid() === 0) {
    args.push('--no-sandbox');
  }
  if (trustCertFile) {
    args.push('--ignore-certificate-errors-spki-list=' + spkiHashes(readFileSync(trustCertFile, 'utf8')).join(','));
  }
  try {
    return await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args,
      protocolTimeout: protocolTimeoutMs,
      // Wide enough for the arena page's canvas and its HUD side by side, so a screenshot shows both.
      defaultViewport: { width: 1280, height: 720 },
      timeout: 30_000,
      // Over a pipe, not a port: Chromium exits when the pipe closes, so even a driver killed with -9
      // leaves no browser behind.
      pipe: true,
    });
  } catch (e) {
    throw new Error(`could not start Chromium at ${chromium}: ${e.message}. Install Debian's chromium package `
      + '(apt-get install -y chromium) or point CHROMIUM at a Chromium binary.');
  }
}

/**
 * Closes the browser, and kills its process if it does not close within {@code ms}: whatever happened
 * before, no Chromium outlives the driver.
 */
export async function shutdown(browser, ms = 5_000) {
  if (!browser) {
    return;
  }
  const proc = browser.process();
  let timer;
  try {
    await Promise.race([
      browser.close(),
      new Promise((resolve) => { timer = setTimeout(resolve, ms); }),
    ]);
  } catch {
    // a browser that already died: the kill below is what is left to do
  } finally {
    clearTimeout(timer);
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
    }
  }
}

/**
 * The URL of arena page {@code k} in bot mode, playing on the server at {@code serverUrl} (ws:// or wss://)
 * with its own seed; {@code tickHz} and {@code inputHz}, if given, are the server's tick rate (stalls count
 * beyond one tick) and the inputs per second the page sends.
 */
export function botPageUrl(pageBase, serverUrl, k, { tickHz, inputHz } = {}) {
  const u = new URL(pageBase);
  u.searchParams.set('bot', '1');
  u.searchParams.set('url', serverUrl);
  u.searchParams.set('seed', String(k + 1));
  if (tickHz !== undefined) {
    u.searchParams.set('hz', String(tickHz));
  }
  if (inputHz !== undefined) {
    u.searchParams.set('rate', String(inputHz));
  }
  return u.toString();
}

/**
 * Opens a page in a browser context of its own (its own storage: two pages never share a session) and
 * collects what went wrong outside the page's own report: uncaught errors and failed requests of its own
 * origin in {@code thrown} (each a failure of the run), except the icon Chromium asks every site for
 * unbidden; messages the page logged as errors in {@code console} (for reading, not counted).
 */
export async function openPage(browser, url, timeoutMs) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const thrown = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => thrown.push(String(e && e.message ? e.message : e)));
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.origin === new URL(url).origin && u.pathname !== '/favicon.ico') {
      thrown.push(`GET ${u.pathname} answered ${r.status()}`);
    }
  });
  page.on('requestfailed', (r) => {
    if (!r.url().endsWith('/favicon.ico')) {
      thrown.push(`GET ${r.url()} failed: ${r.failure() ? r.failure().errorText : 'unknown'}`);
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') {
      consoleErrors.push(m.text());
    }
  });
  const response = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  if (!response || !response.ok()) {
    throw new Error(`opening ${url} answered ${response ? response.status() : 'nothing'}; is the arena page served there?`);
  }
  return { page, context, url, thrown, console: consoleErrors };
}

/** What the page reports now (window.arenaReport()), or null if the page has not defined it yet. */
export async function report(p) {
  return p.page.evaluate(() => (typeof window.arenaReport === 'function' ? window.arenaReport() : null));
}

/** A page plays once it has seen a world update and the server has acknowledged one of its inputs. */
export function plays(r) {
  return r !== null && r.ticks_seen > 0 && r.inputs_acked > 0;
}

/**
 * Polls every page until each plays, or throws after {@code timeoutMs} naming how many did not and what
 * the first of them reported.
 */
export async function awaitPlaying(pages, timeoutMs, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reports = await Promise.all(pages.map(report));
    const waiting = reports.map((r, i) => [r, i]).filter(([r]) => !plays(r));
    if (waiting.length === 0) {
      return reports;
    }
    // A page that reports an error before it plays has already failed the run (a refused session, say):
    // say so now rather than at the deadline.
    const failed = waiting.find(([r]) => r !== null && Array.isArray(r.errors) && r.errors.length > 0);
    if (failed) {
      const [r, i] = failed;
      throw new Error(`page ${i} (${pages[i].url}) failed before it played: ${r.errors.join('; ')}`);
    }
    if (Date.now() >= deadline) {
      const [r, i] = waiting[0];
      throw new Error(`${waiting.length} of ${pages.length} pages did not start playing within ${timeoutMs} ms; `
        + `page ${i} (${pages[i].url}) reported ${JSON.stringify(r)}, threw ${JSON.stringify(pages[i].thrown)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Sets the mark every page measures its baseline against (window.arenaMark('handoff')). */
export async function mark(pages, name) {
  await Promise.all(pages.map((p) => p.page.evaluate((n) => window.arenaMark(n), name)));
}

/**
 * The process and every descendant of it, from /proc (Linux): Chromium's renderers, whose CPU the demo
 * charges to the clients. Empty where /proc cannot be read.
 */
export function processTree(root) {
  const children = new Map();
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) {
        children.set(ppid, []);
      }
      children.get(ppid).push(Number(e));
    } catch {
      // it exited meanwhile
    }
  }
  const tree = [];
  for (const todo = [root]; todo.length > 0;) {
    const pid = todo.pop();
    tree.push(pid);
    todo.push(...(children.get(pid) || []));
  }
  return tree;
}

/**
 * Stops every page sending (window.arenaStop()) and waits until each reports every input it sent applied
 * ({@code settled}), as the Java bots wait before they verify; returns how many did not settle within
 * {@code timeoutMs} (their inputs still in flight count as lost in their reports).
 */
export async function stopAndSettle(pages, timeoutMs, pollMs = 100) {
  await Promise.all(pages.map((p) => p.page.evaluate(() => window.arenaStop())));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reports = await Promise.all(pages.map(report));
    const unsettled = reports.filter((r) => !(r && r.settled)).length;
    if (unsettled === 0 || Date.now() >= deadline) {
      return unsettled;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
