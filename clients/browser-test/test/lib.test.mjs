// The driver's plumbing against real Chromium: it starts headless, trusts exactly the key it is given and
// no other, loads a page, reads a JS function's answer, gives up on a page that never plays within its
// bound, and leaves no Chromium behind. The pages here are fixtures of these tests, not the arena page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { awaitPlaying, botPageUrl, launch, openPage, report, shutdown, spkiHash, spkiHashes, stopAndSettle } from '../lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'baton-browser-test-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let server;
let base;

// A fixture page: plays (by the contract's definition) once its script has run for `afterMs` ms, or never,
// and settles 200 ms after it is told to stop, or never.
const fixture = (afterMs, settles, broken) => `<!doctype html><title>fixture</title><script>
  const t0 = performance.now();
  let stopped = null;
  window.arenaStop = () => { stopped = performance.now(); };
  window.arenaReport = () => performance.now() - t0 < ${afterMs}
    ? { ticks_seen: 0, inputs_acked: 0, errors: ${broken} ? ['could not open a session'] : [] } : { ticks_seen: 3, inputs_acked: 1, endpoint: location.host,
      settled: ${settles} && stopped !== null && performance.now() - stopped > 200 };
</script>`;

before(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'],
  { stdio: 'ignore' });
  server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const u = new URL(req.url, 'https://x');
    if (u.pathname !== '/') {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(fixture(u.searchParams.get('never') ? 1e12 : 300, !u.searchParams.get('unsettled'), !!u.searchParams.get('broken')));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${server.address().port}/`;
});

after(() => server.close());

test('spkiHash is what openssl computes for the certificate key', () => {
  const der = execFileSync('sh', ['-c', `openssl x509 -in ${cert} -pubkey -noout | openssl pkey -pubin -outform der `
    + '| openssl dgst -sha256 -binary | base64']).toString().trim();
  assert.equal(spkiHash(readFileSync(cert, 'utf8')), der);
});

test('spkiHashes hashes every certificate of a bundle, in order, and refuses a file without one', () => {
  const pem = readFileSync(cert, 'utf8');
  const other = execFileSync('sh', ['-c', `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes `
    + `-keyout /dev/null -subj /CN=other -days 1 2>/dev/null`]).toString();
  assert.deepEqual(spkiHashes(pem + other), [spkiHash(pem), spkiHash(other)]);
  assert.notEqual(spkiHash(pem), spkiHash(other));
  assert.throws(() => spkiHashes('nothing'), /BEGIN CERTIFICATE/);
});

test('botPageUrl puts bot mode, the server and a seed per page in the query', () => {
  const u = new URL(botPageUrl('https://127.0.0.1:9/', 'wss://127.0.0.1:9/baton', 4, { tickHz: 30 }));
  assert.equal(u.searchParams.get('bot'), '1');
  assert.equal(u.searchParams.get('url'), 'wss://127.0.0.1:9/baton');
  assert.equal(u.searchParams.get('seed'), '5');
  assert.equal(u.searchParams.get('hz'), '30');
  assert.equal(u.searchParams.has('rate'), false);
});

test('a browser that trusts the server key loads the page and reads its report; then no Chromium is left', async () => {
  const browser = await launch({ trustCertFile: cert });
  const pid = browser.process().pid;
  try {
    const p = await openPage(browser, base, 10_000);
    const [r] = await awaitPlaying([p], 10_000, 50);
    assert.equal(r.ticks_seen, 3);
    // The icon Chromium asks for unbidden is no failure; a missing file of the page is.
    assert.deepEqual(p.thrown, []);
    await p.page.evaluate(() => fetch('/missing.js'));
    for (const until = Date.now() + 5_000; p.thrown.length === 0 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 20)); // the response event may trail the fetch's answer
    }
    assert.deepEqual(p.thrown, ['GET /missing.js answered 404']);
    assert.equal((await report(p)).endpoint, new URL(base).host);
  } finally {
    await shutdown(browser);
  }
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
});

test('a browser not told about the key refuses the certificate', async () => {
  const browser = await launch();
  try {
    await assert.rejects(openPage(browser, base, 10_000), /ERR_CERT/);
  } finally {
    await shutdown(browser);
  }
});

test('a page that never plays fails the wait within its bound, naming it', async () => {
  const browser = await launch({ trustCertFile: cert });
  try {
    const p = await openPage(browser, base + '?never=1', 10_000);
    const t = Date.now();
    await assert.rejects(awaitPlaying([p], 700, 50), /1 of 1 pages did not start playing within 700 ms; page 0/);
    assert.ok(Date.now() - t < 5_000);
  } finally {
    await shutdown(browser);
  }
});

test('processTree finds the browser and its renderers; killing the driver with -9 leaves no Chromium', async () => {
  // A driver of its own, killed with SIGKILL once its browser runs: the pipe closing is what stops Chromium.
  const { spawn } = await import('node:child_process');
  const script = `import { launch, processTree } from ${JSON.stringify(new URL('../lib.mjs', import.meta.url).href)};
    const b = await launch(); const p = await b.newPage(); await p.goto('about:blank');
    console.log(JSON.stringify(processTree(b.process().pid))); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no process tree within 20 s')), 20_000);
    child.stdout.once('data', (d) => { clearTimeout(t); resolve(String(d)); });
  });
  const tree = JSON.parse(line);
  assert.ok(tree.length >= 2, `a browser process and at least one child, got ${tree}`);
  child.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  const alive = () => tree.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
  while (alive().length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(alive(), []);
});

test('stopping the pages waits for each to settle, and gives up on one that does not within its bound', async () => {
  const browser = await launch({ trustCertFile: cert });
  try {
    const good = await openPage(browser, base, 10_000);
    const stuck = await openPage(browser, base + '?unsettled=1', 10_000);
    await awaitPlaying([good, stuck], 10_000, 50);
    assert.equal((await report(good)).settled, false);
    assert.equal(await stopAndSettle([good], 5_000, 50), 0);
    assert.equal((await report(good)).settled, true);
    const t = Date.now();
    assert.equal(await stopAndSettle([good, stuck], 600, 50), 1);
    assert.ok(Date.now() - t < 5_000);
  } finally {
    await shutdown(browser);
  }
});

test('a page that reports an error before it plays fails the wait at once, with the error', async () => {
  const browser = await launch({ trustCertFile: cert });
  try {
    const p = await openPage(browser, base + '?never=1&broken=1', 10_000);
    const t = Date.now();
    await assert.rejects(awaitPlaying([p], 30_000, 50), /page 0 .* failed before it played: could not open a session/);
    assert.ok(Date.now() - t < 5_000);
  } finally {
    await shutdown(browser);
  }
});
