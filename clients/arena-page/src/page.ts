/**
 * The live arena page: one Baton session playing the arena, drawn on a canvas at the tick rate with a HUD,
 * moved by keyboard or mouse, or by itself in bot mode; it verifies every update as a Java bot does and
 * reports through window.arenaReport() (issue 14, contract 7).
 *
 * Query: url (the WebSocket URL; default this page's host, path /baton, wss under https), bot=1 (plays by
 * itself), seed (bot mode's random seed), hz (the server's tick rate, default 30: stalls count beyond one
 * tick), rate (inputs per second, default 10, as the Java bots).
 */
import { problems } from './ledger.js';
import { WORLD_SIZE } from './protocol.js';
import { Player } from './player.js';
import { BatonClient, SendBufferFullError } from './sdk.js';

const query = new URLSearchParams(location.search);
const queryErrors: string[] = [];
const botMode = query.get('bot') === '1';
const tickHz = numberParam('hz', 30, 1, 1000);
const inputHz = numberParam('rate', 10, 0.1, 100);
const url = query.get('url') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/baton`;
const random = splitMix(BigInt(Math.trunc(numberParam('seed', Date.now() % 1e9, 0, Number.MAX_SAFE_INTEGER))));

const player = new Player(tickHz, (e) => e instanceof SendBufferFullError);
const { ledger, state } = player;
state.errors.push(...queryErrors);
const held = new Set<string>();
let pointer: [number, number] | null = null;

function numberParam(name: string, fallback: number, least: number, most: number): number {
  const raw = query.get(name);
  const n = raw === null ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < least || n > most) {
    queryErrors.push(`query ${name}=${raw} is not a number within ${least}..${most}; using ${fallback}`);
    return fallback;
  }
  return n;
}

/** A small seeded generator (SplitMix64): a bot page given the same seed sends the same moves. */
function splitMix(seed: bigint): (lo: number, hi: number) => number {
  let s = BigInt.asUintN(64, seed);
  return (lo, hi) => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return lo + Number(z % BigInt(hi - lo));
  };
}

/** The next move: bot mode as a Java Bot (each axis uniform in -4..4); else where the keys or the pointer say. */
function nextMove(): [number, number] | null {
  if (botMode) {
    return [random(-4, 5), random(-4, 5)];
  }
  let dx = 0;
  let dy = 0;
  const latest = player.latest;
  if (pointer && latest) {
    dx = torusStep(pointer[0] - latest.x);
    dy = torusStep(pointer[1] - latest.y);
  }
  if (held.has('ArrowLeft') || held.has('a')) dx -= 4;
  if (held.has('ArrowRight') || held.has('d')) dx += 4;
  if (held.has('ArrowUp') || held.has('w')) dy -= 4;
  if (held.has('ArrowDown') || held.has('s')) dy += 4;
  dx = Math.max(-4, Math.min(4, dx));
  dy = Math.max(-4, Math.min(4, dy));
  return dx === 0 && dy === 0 ? null : [dx, dy];
}

/** The shorter way round the torus towards a point, at most 4 units a move. */
function torusStep(d: number): number {
  const wrapped = ((d % WORLD_SIZE) + WORLD_SIZE + WORLD_SIZE / 2) % WORLD_SIZE - WORLD_SIZE / 2;
  return Math.max(-4, Math.min(4, Math.round(wrapped)));
}

function sendNext(): void {
  const move = nextMove();
  if (move) {
    player.send(move[0], move[1]);
  }
}

const canvas = document.getElementById('world') as HTMLCanvasElement;
const hudBox = document.getElementById('hud') as HTMLElement;

function draw(): void {
  const g = canvas.getContext('2d');
  if (!g) {
    return;
  }
  const scale = canvas.width / WORLD_SIZE;
  const { latest, trail } = player;
  g.fillStyle = '#10151c';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.strokeStyle = '#1f2a36';
  for (let i = 0; i <= WORLD_SIZE; i += 128) {
    g.beginPath();
    g.moveTo(i * scale, 0);
    g.lineTo(i * scale, canvas.height);
    g.moveTo(0, i * scale);
    g.lineTo(canvas.width, i * scale);
    g.stroke();
  }
  // The other players the game shows this one (the first 64 by session id), dimmer than your own dot.
  const others = latest?.others ?? [];
  g.fillStyle = 'rgba(120, 170, 220, 0.55)';
  for (let i = 0; i + 1 < others.length; i += 2) {
    g.beginPath();
    g.arc(others[i] * scale, others[i + 1] * scale, 4, 0, 2 * Math.PI);
    g.fill();
  }
  trail.forEach(([x, y], i) => {
    g.fillStyle = `rgba(255, 196, 0, ${(0.15 + (0.5 * i) / trail.length).toFixed(2)})`;
    g.fillRect(x * scale - 1.5, y * scale - 1.5, 3, 3);
  });
  if (latest) {
    g.fillStyle = '#ffc400';
    g.beginPath();
    g.arc(latest.x * scale, latest.y * scale, 7, 0, 2 * Math.PI);
    g.fill();
    g.strokeStyle = '#ffffff';
    g.lineWidth = 2;
    g.stroke();
    g.lineWidth = 1;
  }
  g.fillStyle = '#d8e0e8';
  g.font = '14px system-ui, sans-serif';
  g.fillText(`${state.endpoint ?? 'connecting'}  tick ${latest ? latest.tick : '-'}`, 8, 18);
  if (latest) {
    g.fillText('you', latest.x * scale + 10, latest.y * scale - 8);
  }
  if (player.viewError) {
    g.fillText(player.viewError, 8, canvas.height - 10);
  }
  if (pointer) {
    g.strokeStyle = '#5aa0ff';
    g.strokeRect(pointer[0] * scale - 4, pointer[1] * scale - 4, 8, 8);
  }
}

function hud(): void {
  const now = performance.now();
  const last = ledger.lastReceiptMs();
  // The largest gap of the last 5 s, the one still open (since the newest update) included, beyond one tick.
  let gap = Math.max(0, ...ledger.gaps(now - 5000, now, false).slice(-1000));
  if (last !== undefined) {
    gap = Math.max(gap, now - last);
  }
  const wrong = problems(ledger.verdict()).filter((p) => !p.endsWith('inputs lost') && !p.startsWith('applied count')
      && p !== 'input hash differs');
  const latest = player.latest;
  const rows: Array<[string, string]> = [
    ['server', state.endpoint ?? '(connecting)'],
    ['session', state.session ?? '-'],
    ['tick', latest ? String(latest.tick) : '-'],
    ['players', latest ? String(latest.players) : '-'],
    ['rules', latest ? (latest.rules === 3 ? `3 (double step), travelled ${latest.travelled}` : '2') : '-'],
    ['largest gap, last 5 s', `${gap.toFixed(1)} ms (tick ${state.tickPeriodMs.toFixed(1)} ms)`],
    ['inputs sent / acknowledged', `${ledger.sentCount()} / ${ledger.appliedCount()}`],
    ['handoffs seen', String(state.handoffsSeen) + (state.resumes ? ` (resumes ${state.resumes})` : '')],
    ['verification', wrong.length === 0 ? 'ok so far' : wrong.join(', ')],
    ['mode', botMode ? 'bot (plays by itself)' : 'you: arrow keys / WASD, or hold the mouse where to go'],
  ];
  if (state.errors.length > 0) {
    rows.push(['errors', state.errors.slice(-3).join('; ')]);
  }
  hudBox.replaceChildren(...rows.map(([k, v]) => {
    const row = document.createElement('div');
    const key = document.createElement('span');
    key.className = 'k';
    key.textContent = k;
    const val = document.createElement('span');
    val.textContent = v;
    row.append(key, val);
    return row;
  }));
}

function worldPoint(e: MouseEvent): [number, number] {
  const r = canvas.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * WORLD_SIZE, ((e.clientY - r.top) / r.height) * WORLD_SIZE];
}

addEventListener('keydown', (e) => {
  held.add(e.key.length === 1 ? e.key.toLowerCase() : e.key);
});
addEventListener('keyup', (e) => {
  held.delete(e.key.length === 1 ? e.key.toLowerCase() : e.key);
});
canvas.addEventListener('mousedown', (e) => {
  pointer = worldPoint(e);
});
canvas.addEventListener('mousemove', (e) => {
  if (pointer) {
    pointer = worldPoint(e);
  }
});
addEventListener('mouseup', () => {
  pointer = null;
});

declare global {
  interface Window {
    arenaReport(): Record<string, unknown>;
    arenaMark(name: string): void;
    arenaStop(): void;
  }
}
window.arenaReport = () => player.report(performance.now());
window.arenaMark = (name: string) => player.mark(name, performance.now());
/** Stops sending: once every input sent is reported applied, the report's `settled` and `verified` are final. */
window.arenaStop = () => player.stop();

async function start(): Promise<void> {
  hud();
  try {
    const client = await BatonClient.connect(url, {
      onMessage(bytes, index) {
        player.onMessage(bytes, index, performance.now());
        draw();
      },
      onLifecycle(e) {
        player.onLifecycle(e);
        hud();
      },
    });
    player.attach(client);
    setInterval(sendNext, 1000 / inputHz);
  } catch (e) {
    state.errors.push(`could not open a session at ${url}: ${String(e)}`);
  }
  setInterval(hud, 250);
}

void start();
