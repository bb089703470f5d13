// The CI check catches each way a browser demo can fail, and passes a report that has none of them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { problems } from '../check-report.mjs';

const dir = mkdtempSync(join(tmpdir(), 'baton-check-'));
const shots = ['before', 'during', 'after'].map((name) => {
  const path = join(dir, `screenshot-${name}.png`);
  writeFileSync(path, 'png');
  return { name, path };
});
const good = () => ({
  clients_kind: 'browser', clients: 20, outcome: 'completed', clients_switched: 20, inputs_sent: 900, inputs_lost: 0,
  inputs_duplicated: 0, out_of_order: 0, failed_verifications: 0, outputs_lost: 0, outputs_duplicated: 0,
  state_equal: true, diverged: false, browser: { chromium: 'x', screenshots: shots },
});

test('a clean run of 20 pages passes', () => {
  assert.deepEqual(problems(good(), 20), []);
});

test('each failure is named', () => {
  const cases = [
    [{ clients: 19, clients_switched: 19 }, /19 clients, fewer than 20/],
    [{ outcome: 'aborted' }, /outcome aborted/],
    [{ clients_switched: 19 }, /19 of 20 pages on the target/],
    [{ inputs_lost: 1 }, /inputs_lost 1/],
    [{ inputs_duplicated: 2 }, /inputs_duplicated 2/],
    [{ out_of_order: 1 }, /out_of_order 1/],
    [{ failed_verifications: 1 }, /failed_verifications 1/],
    [{ outputs_lost: 3 }, /tick updates missed: 3/],
    [{ outputs_duplicated: 1 }, /tick updates seen twice: 1/],
    [{ state_equal: false }, /states at cutover/],
    [{ diverged: true }, /diverged/],
    [{ clients_kind: undefined }, /not browser/],
    [{ browser: { screenshots: shots.slice(0, 2) } }, /no after screenshot/],
  ];
  for (const [change, message] of cases) {
    const wrong = problems({ ...good(), ...change }, 20);
    assert.equal(wrong.length, 1, `${JSON.stringify(change)} gave ${wrong}`);
    assert.match(wrong[0], message);
  }
});
