#!/usr/bin/env node
// Drives N arena pages in headless Chromium through one handoff, for ./baton demo --browser (baton-harness
// BrowserClients is the other end). It speaks JSON lines on stdout and reads commands on stdin, as a bot
// process of the demo does:
//   out {"event":"ready",...}     every page plays (has a world update and an acknowledged input)
//   in  mark                      screenshot "before", then window.arenaMark('handoff') on every page
//   out {"event":"marked"}        the orchestrator may now order the handoff
//   in  during                    screenshot "during" (the order was given, its outcome not yet seen)
//   in  finish AFTER_MS           play AFTER_MS more, screenshot "after", stop every page sending
//                                 (window.arenaStop()) and wait until each has every input applied
//                                 (bounded by --settle-timeout-s), read window.arenaReport() of
//   out {"event":"report",...}    every page, print them, close Chromium, exit 0
// Every wait is bounded (--ready-timeout-s for the pages to play, --deadline-s for the whole run), and
// Chromium is closed, or killed, on every way out: the end, an error, the deadline, stdin closing, a signal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  awaitPlaying, botPageUrl, launch, mark, openPage, processTree, report, shutdown, stopAndSettle,
} from './lib.mjs';

const { values: opt } = parseArgs({
  options: {
    page: { type: 'string' },
    server: { type: 'string' },
    clients: { type: 'string', default: '20' },
    out: { type: 'string', default: '.' },
    'trust-cert': { type: 'string' },
    chromium: { type: 'string' },
    'ready-timeout-s': { type: 'string', default: '60' },
    'deadline-s': { type: 'string', default: '300' },
    'tick-hz': { type: 'string' },
    'input-hz': { type: 'string' },
    'settle-timeout-s': { type: 'string', default: '15' },
  },
});

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function usage(message) {
  process.stderr.write(`drive: ${message}\nusage: drive.mjs --page http(s)://HOST:PORT/ --server ws(s)://HOST:PORT/baton `
    + '[--clients N] [--out DIR] [--trust-cert server.pem] [--chromium PATH] [--tick-hz HZ] [--input-hz HZ] '
    + '[--ready-timeout-s S] [--settle-timeout-s S] [--deadline-s S]\n');
  process.exit(2);
}

if (!opt.page || !opt.server) {
  usage('--page and --server are required');
}
const clients = Number.parseInt(opt.clients, 10);
if (!(clients >= 1 && clients <= 200)) {
  usage(`--clients must be 1 to 200, was '${opt.clients}'`);
}
const out = resolve(opt.out);
mkdirSync(out, { recursive: true });

let browser = null;
let finished = false;

async function quit(code, why) {
  if (why) {
    process.stderr.write(`drive: ${why}\n`);
  }
  await shutdown(browser);
  process.exit(code);
}

const deadline = setTimeout(() => quit(1, `the run took longer than --deadline-s ${opt['deadline-s']}; stopping Chromium`),
  Number(opt['deadline-s']) * 1000);
deadline.unref();
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => quit(1, `${sig}: stopping Chromium`));
}

/** One page's picture, and what that page reported at that moment (which server it was on). */
async function screenshot(p, name) {
  const path = resolve(out, `screenshot-${name}.png`);
  const r = await report(p);
  await p.page.screenshot({ path, type: 'png' });
  return { name, path, endpoint: r ? r.endpoint : null, handoffs_seen: r ? r.handoffs_seen : null,
    ticks_seen: r ? r.ticks_seen : null };
}

async function main() {
  browser = await launch({ chromium: opt.chromium, trustCertFile: opt['trust-cert'] || null });
  const chromium = await browser.version();
  const readyMs = Number(opt['ready-timeout-s']) * 1000;
  const readyBy = Date.now() + readyMs; // one bound for opening every page and for all of them to play
  const pages = [];
  for (let k = 0; k < clients; k++) {
    // One at a time: twenty renderers starting at once on a small machine is what a bounded wait trips on.
    pages.push(await openPage(browser, botPageUrl(opt.page, opt.server, k,
      { tickHz: opt['tick-hz'], inputHz: opt['input-hz'] }), Math.max(1, readyBy - Date.now())));
  }
  await awaitPlaying(pages, Math.max(1, readyBy - Date.now()));
  emit({ event: 'ready', clients, connected: clients, chromium, pid: process.pid,
    chromium_pids: processTree(browser.process().pid) });

  const shots = [];
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd === 'mark') {
      shots.push(await screenshot(pages[0], 'before'));
      await mark(pages, 'handoff');
      emit({ event: 'marked' });
    } else if (cmd === 'during') {
      shots.push(await screenshot(pages[0], 'during'));
    } else if (cmd === 'finish') {
      const afterMs = Number.parseInt(arg, 10);
      if (!(afterMs >= 0)) {
        throw new Error(`expected 'finish AFTER_MS', got '${line}'`);
      }
      await new Promise((r) => setTimeout(r, afterMs)); // the pages play on for this long: not a wait for a condition
      shots.push(await screenshot(pages[0], 'after'));
      const unsettled = await stopAndSettle(pages, Number(opt['settle-timeout-s']) * 1000);
      const reports = await Promise.all(pages.map(async (p) => {
        const r = await report(p);
        return { url: p.url, thrown: p.thrown, console: p.console, report: r };
      }));
      const all = { event: 'report', chromium, clients, unsettled, pages: reports, screenshots: shots };
      // Every page's whole report, kept beside the screenshots for reading after the run.
      writeFileSync(resolve(out, 'pages.json'), JSON.stringify(all, null, 1) + '\n');
      emit({ ...all, pages_file: resolve(out, 'pages.json') });
      finished = true;
      break;
    } else if (cmd) {
      throw new Error(`unknown command '${line}' (expected mark, during or finish AFTER_MS)`);
    }
  }
  await quit(finished ? 0 : 2, finished ? null : 'stdin closed before finish; stopping Chromium');
}

main().catch((e) => quit(1, e && e.stack ? e.stack : String(e)));
