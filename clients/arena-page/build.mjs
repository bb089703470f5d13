// Builds the page into baton-arena's resources (the server serves it from there: ./baton needs no npm), and
// the tests into dist/test. With --check it builds the page into dist/page instead and fails unless the
// committed files are byte for byte what these sources build: a change to the page or to the SDK it bundles
// must come with its rebuilt bundle.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";

const check = process.argv.includes("--check");
const committed = "../../baton-arena/src/main/resources/io/baton/arena/page";
const out = check ? "dist/page" : committed;
mkdirSync(out, { recursive: true });
await esbuild.build({ entryPoints: ["src/page.ts"], bundle: true, format: "iife", platform: "browser",
  target: "es2022", external: ["node:*"], minify: true, legalComments: "none", logLevel: "warning",
  outfile: `${out}/arena.js` });
copyFileSync("index.html", `${out}/index.html`);
const tests = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => "test/" + f);
await esbuild.build({ entryPoints: tests, bundle: true, format: "esm", platform: "node", target: "es2022",
  logLevel: "warning", outdir: "dist/test", outExtension: { ".js": ".mjs" } });
if (check) {
  for (const f of ["arena.js", "index.html"]) {
    if (!readFileSync(`${out}/${f}`).equals(readFileSync(`${committed}/${f}`))) {
      console.error(`${committed}/${f} is not what clients/arena-page builds: run 'npm run build' in `
          + "clients/arena-page and commit the result");
      process.exit(1);
    }
  }
}
