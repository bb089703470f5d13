// Builds the tests into dist/test (the page itself follows once the SDK it bundles is in).
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const tests = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => "test/" + f);
await esbuild.build({ entryPoints: tests, bundle: true, format: "esm", platform: "node", target: "es2022",
  logLevel: "warning", outdir: "dist/test", outExtension: { ".js": ".mjs" } });
