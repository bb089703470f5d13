#!/usr/bin/env node
// CI's assertions on `./baton demo --browser --json` (issue 14's acceptance, the Chromium test): browser
// clients, at least --min-clients of them, one handoff completed with every page on the target, nothing
// lost, duplicated or reordered in either direction, every tick update seen once, every page's own
// verification passed, the states equal at cutover, and the three screenshots written. Prints the stall
// figures and what failed; exits 1 if anything did.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** What is wrong with a demo report, as sentences; empty when it passes. */
export function problems(r, minClients) {
  const wrong = [];
  const expect = (ok, what) => {
    if (!ok) {
      wrong.push(what);
    }
  };
  expect(r.clients_kind === 'browser', `clients_kind is ${r.clients_kind}, not browser`);
  expect(r.clients >= minClients, `${r.clients} clients, fewer than ${minClients}`);
  expect(r.outcome === 'completed', `outcome ${r.outcome}, not completed`);
  expect(r.clients_switched === r.clients, `${r.clients_switched} of ${r.clients} pages on the target`);
  for (const f of ['inputs_lost', 'inputs_duplicated', 'out_of_order', 'failed_verifications']) {
    expect(r[f] === 0, `${f} ${r[f]}`);
  }
  expect(r.outputs_lost === 0, `tick updates missed: ${r.outputs_lost}`);
  expect(r.outputs_duplicated === 0, `tick updates seen twice: ${r.outputs_duplicated}`);
  expect(r.inputs_sent > 0, 'no input sent');
  expect(r.state_equal === true, `states at cutover: source ${r.digest_source}, target ${r.digest_target}`);
  expect(r.diverged === false, 'the journals diverged');
  const shots = (r.browser && r.browser.screenshots) || [];
  for (const name of ['before', 'during', 'after']) {
    const s = shots.find((x) => x.name === name);
    expect(s && existsSync(s.path), `no ${name} screenshot`);
  }
  return wrong;
}

function main() {
  const { values, positionals } = parseArgs({ options: { 'min-clients': { type: 'string', default: '20' } },
    allowPositionals: true });
  if (positionals.length !== 1) {
    process.stderr.write('usage: check-report.mjs [--min-clients N] DEMO.json\n');
    process.exit(2);
  }
  const text = readFileSync(positionals[0], 'utf8').trim();
  let r;
  try {
    r = JSON.parse(text.split('\n').pop());
  } catch (e) {
    process.stderr.write(`browser test: ${positionals[0]} holds no demo report (${e.message}); the demo's log is on stderr above\n`);
    process.exit(1);
  }
  const wrong = problems(r, Number(values['min-clients']));
  const s = r.stall_ms || {};
  const b = r.baseline_stall_ms || {};
  process.stdout.write(`browser test: ${r.clients} pages in ${r.browser && r.browser.chromium}, outcome ${r.outcome}, `
    + `${r.inputs_sent} inputs; stall per page p50 ${s.p50} p99 ${s.p99} max ${s.max} ms beyond a tick `
    + `(before the handoff p50 ${b.p50} p99 ${b.p99} max ${b.max}); screenshots `
    + `${((r.browser && r.browser.screenshots) || []).map((x) => x.path).join(' ')}\n`);
  if (wrong.length > 0) {
    process.stdout.write(`browser test FAILED: ${wrong.join('; ')}\n`);
    process.exit(1);
  }
  process.stdout.write('browser test passed\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main();
}
