// The SDK against real servers: `./baton serve --service echo` (a source) and `./baton serve --standby` (a
// target) from the repository root, TS clients that send counted inputs and check that every echo comes
// back once and in order, a handoff ordered with `./baton handoff`, and a connection cut under a client by
// a proxy in the middle. Every wait is bounded; every process is killed at the end.
//
// The transports it runs over: BATON_TS_TRANSPORTS, comma-separated, default "tcp" ("ws" once the server
// speaks WebSocket on its client port, in a Node with globalThis.WebSocket).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { BatonClient, type LifecycleEvent } from "../src/index.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const JAR = join(ROOT, "baton-cli/target/baton.jar");
const TRANSPORTS = (process.env.BATON_TS_TRANSPORTS ?? "tcp").split(",").map((s) => s.trim()).filter(Boolean);

interface Ready { client_port: number; peer_port: number; admin_port: number }

/** Polls `cond` every 20 ms until it holds, or fails with `what` after `ms`. */
async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

class Baton {
  readonly procs: ChildProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), "baton-ts-"));

  /** Starts `./baton serve` with its own ports and this run's secrets; resolves with its ready line. */
  serve(name: string, ...extra: string[]): Promise<Ready> {
    const p = spawn(join(ROOT, "baton"), ["serve", "--service", "echo", "--port", "0", "--peer-port", "0",
      "--admin-port", "0", "--rehearse-ms", "0", "--peer-secret-file", join(this.dir, "peer-secret"),
      "--admin-token-file", join(this.dir, `admin-token-${name}`), ...extra], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    this.procs.push(p);
    let err = "";
    p.stderr!.on("data", (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready within 90 s; its stderr:\n${err}`)), 90_000);
      createInterface({ input: p.stdout! }).on("line", (line) => {
        try {
          const j = JSON.parse(line);
          if (j.event === "ready") {
            clearTimeout(timer);
            resolve(j as Ready);
          }
        } catch {
          // not the ready line
        }
      });
      p.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready; its stderr:\n${err}`));
      });
    });
  }

  /** `./baton handoff` from the source's admin port to the standby's peer port; resolves when it is done. */
  handoff(source: Ready, target: Ready): Promise<string> {
    const p = spawn(join(ROOT, "baton"), ["handoff", "--admin", `127.0.0.1:${source.admin_port}`,
      "--admin-token-file", join(this.dir, "admin-token-source"), "--target-peer", `127.0.0.1:${target.peer_port}`,
      "--timeout-s", "60"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    this.procs.push(p);
    let out = "";
    p.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    p.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { p.kill("SIGKILL"); reject(new Error(`handoff not done in 90 s:\n${out}`)); }, 90_000);
      p.once("exit", (code) => {
        clearTimeout(timer);
        if (code === 0) {
          resolve(out);
        } else {
          reject(new Error(`./baton handoff exited with ${code}:\n${out}`));
        }
      });
    });
  }

  stop(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill("SIGKILL");
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One client that sends `total` counted inputs (payload: u32 client, u32 n) at a steady pace and checks
 * that output n is the echo of input n: exactly once, in order, nothing from anyone else.
 */
class Counter {
  sent = 0;
  received = 0;
  readonly errors: string[] = [];
  readonly events: LifecycleEvent[] = [];
  /** How many inputs had been sent when the first event of a type came. */
  readonly sentAt = new Map<string, number>();
  client!: BatonClient;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(readonly id: number, readonly total: number) {}

  async open(url: string): Promise<void> {
    this.client = await BatonClient.connect(url, {
      onMessage: (bytes, index) => {
        const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const who = bytes.length === 8 ? v.getUint32(0) : -1;
        const n = bytes.length === 8 ? v.getUint32(4) : -1;
        if (index !== this.received + 1 || who !== this.id || n !== index) {
          this.errors.push(`output ${index} after ${this.received}: client ${who} input ${n}`);
        }
        this.received = index;
      },
      onLifecycle: (e) => {
        this.events.push(e);
        if (e.type === "switched" || e.type === "disconnected") {
          this.sentAt.set(e.type, this.sent);
        }
      },
    });
  }

  /** Sends one input every `everyMs`, `burst` at a time, until `total`. */
  start(everyMs: number, burst = 1): void {
    this.timer = setInterval(() => {
      for (let i = 0; i < burst && this.sent < this.total; i++) {
        const p = new Uint8Array(8);
        const v = new DataView(p.buffer);
        v.setUint32(0, this.id);
        v.setUint32(4, this.sent + 1);
        this.client.send(p);
        this.sent++;
      }
      if (this.sent >= this.total) {
        this.stopSending();
      }
    }, everyMs);
  }

  stopSending(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  count(type: string): number {
    return this.events.filter((e) => e.type === type).length;
  }
}

/** A TCP proxy in front of the server that can cut every connection through it at once. */
class CuttingProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private server!: Server;
  port = 0;
  accepted = 0;

  async listen(to: number): Promise<void> {
    this.server = createServer((down) => {
      this.accepted++;
      const up = netConnect({ host: "127.0.0.1", port: to });
      const pair: [Socket, Socket] = [down, up];
      this.pairs.add(pair);
      down.pipe(up);
      up.pipe(down);
      const end = () => {
        this.pairs.delete(pair);
        down.destroy();
        up.destroy();
      };
      down.on("error", end).on("close", end);
      up.on("error", end).on("close", end);
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Destroys both sides of every connection now, as a network that fails does (no CLOSE, no goodbye). */
  cut(): number {
    const n = this.pairs.size;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    return n;
  }

  close(): void {
    this.cut();
    this.server.close();
  }
}

const urlFor = (scheme: string, port: number) => `${scheme}://127.0.0.1:${port}${scheme.startsWith("ws") ? "/baton" : ""}`;

for (const scheme of TRANSPORTS) {
  describe(`against real servers over ${scheme}://`, { timeout: 240_000 }, () => {
    const baton = new Baton();
    let source: Ready;
    let target: Ready;

    before(async () => {
      assert.ok(existsSync(JAR), `${JAR} is missing: build it first (mvn -B verify, or ./baton once) from ${ROOT}`);
      [source, target] = await Promise.all([baton.serve("source"), baton.serve("target", "--standby")]);
    });

    after(() => baton.stop());

    test("a cut connection is resumed with nothing lost either way", async () => {
      if (scheme !== "tcp") {
        return; // the proxy speaks TCP; over WebSocket the same cut is the handoff test's business
      }
      const proxy = new CuttingProxy();
      await proxy.listen(source.client_port);
      const clients = [1, 2, 3].map((id) => new Counter(id, 400));
      try {
        await Promise.all(clients.map((c) => c.open(urlFor("tcp", proxy.port))));
        clients.forEach((c) => c.start(2, 2));
        await until("a third of the inputs sent", 20_000, () => clients.every((c) => c.sent >= 130));
        assert.equal(proxy.cut(), 3);
        await until("every client disconnected and resumed", 20_000,
          () => clients.every((c) => c.count("disconnected") >= 1 && c.count("resumed") >= 1));
        await until("every echo back", 30_000, () => clients.every((c) => c.received === c.total));
        for (const c of clients) {
          assert.deepEqual(c.errors, [], `client ${c.id}`);
          assert.equal(c.client.pendingInputs, 0, `client ${c.id}: every input acknowledged`);
        }
        for (const c of clients) {
          const at = c.sentAt.get("disconnected")!;
          assert.ok(at < c.total, `client ${c.id} was cut while sending (${at} of ${c.total} sent)`);
        }
        assert.ok(proxy.accepted >= 6, `each client came back through the proxy (${proxy.accepted} connections)`);
      } finally {
        clients.forEach((c) => { c.stopSending(); c.client?.close(); });
        proxy.close();
      }
    });

    test("a handoff to the standby while clients send: zero loss, and they end on the target", async () => {
      const clients = [1, 2, 3, 4].map((id) => new Counter(id, 3000));
      try {
        await Promise.all(clients.map((c) => c.open(urlFor(scheme, source.client_port))));
        clients.forEach((c) => c.start(5, 2)); // 400 inputs a second each, for 7.5 s
        await until("300 inputs sent", 20_000, () => clients.every((c) => c.sent >= 300));
        const report = await baton.handoff(source, target);
        assert.match(report, /done: cut over at index/);
        await until("every echo back", 60_000, () => clients.every((c) => c.received === c.total));
        const onTarget = urlFor(scheme, target.client_port);
        for (const c of clients) {
          assert.deepEqual(c.errors, [], `client ${c.id}`);
          assert.equal(c.client.endpoint, onTarget, `client ${c.id} ends on the target`);
          assert.equal(c.count("switched"), 1, `client ${c.id}: one switch (${c.events.map((e) => e.type)})`);
          const at = c.sentAt.get("switched")!;
          assert.ok(at < c.total, `client ${c.id} switched while sending (${at} of ${c.total} sent)`);
          assert.equal(c.client.pendingInputs, 0);
        }
      } finally {
        clients.forEach((c) => { c.stopSending(); c.client?.close(); });
      }
    });
  });
}
