// The bundles: one ESM file for Node and browsers, one IIFE (global `Baton`) for a <script> tag, and the
// tests. node:net and node:tls stay external: src/node.ts is imported only when a tcp:// or tls:// URL is
// used, so a browser never loads it.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const common = { bundle: true, sourcemap: true, target: "es2022", logLevel: "warning" };
await esbuild.build({ ...common, entryPoints: ["src/index.ts"], format: "esm", platform: "neutral",
  external: ["node:*"], outfile: "dist/baton.mjs" });
await esbuild.build({ ...common, entryPoints: ["src/index.ts"], format: "iife", globalName: "Baton",
  platform: "browser", external: ["node:*"], outfile: "dist/baton.iife.js" });
const tests = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => "test/" + f);
await esbuild.build({ ...common, entryPoints: tests, format: "esm", platform: "node", outdir: "dist/test",
  outExtension: { ".js": ".mjs" } });
