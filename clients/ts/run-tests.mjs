// Runs the built tests with node --test. Node 20 has a WebSocket client only behind a flag: pass it there,
// so that the ws:// transport test runs rather than skips.
import { spawnSync } from "node:child_process";

const flags = typeof WebSocket === "function" ? [] : ["--experimental-websocket"];
const r = spawnSync(process.execPath, [...flags, "--test", "--test-concurrency=1", "dist/test/"], { stdio: "inherit" });
process.exit(r.status ?? 1);
