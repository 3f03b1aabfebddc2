/**
 * scripts/build-assets: the files Workers Static Assets serves beside the API (wrangler.toml `[assets]`), made
 * from pinned npm packages so that nothing is fetched from a CDN at run time.
 *
 * - the documentation UI of `/docs` (swagger-ui-dist, an exact version in package.json) under
 *   dist/public/docs/assets/;
 * - the web app (web/, a production build by Vite: index.html, `_headers` and hashed files under /assets/).
 *
 * Run by `postinstall`, so every install (and CI's `npm ci`) has them, by the tests' global setup, and before a
 * deploy. Plain JavaScript: it runs before anything else could compile it. `--docs-only` skips the app.
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PUBLIC = path.join(ROOT, "dist", "public");
const require = createRequire(import.meta.url);

/** What `/docs` loads (http/docs-page): the stylesheet and the bundle, with their licence. */
const SWAGGER_UI_FILES = ["swagger-ui.css", "swagger-ui-bundle.js", "LICENSE", "NOTICE"];

const swaggerUi = path.dirname(require.resolve("swagger-ui-dist/package.json"));
const target = path.join(PUBLIC, "docs", "assets", "swagger-ui-dist");
mkdirSync(target, { recursive: true });
for (const file of SWAGGER_UI_FILES) copyFileSync(path.join(swaggerUi, file), path.join(target, file));

const { version } = JSON.parse(readFileSync(path.join(swaggerUi, "package.json"), "utf8"));
console.log(`static assets: swagger-ui-dist ${version} → ${path.relative(ROOT, target)}`);

if (!process.argv.includes("--docs-only")) {
	const started = Date.now();
	const { build } = await import("vite");
	await build({ configFile: path.join(ROOT, "web", "vite.config.ts"), mode: "production", logLevel: "warn" });
	console.log(`static assets: the web app (production) → dist/public in ${Date.now() - started} ms`);
}
