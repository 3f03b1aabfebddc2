/**
 * The web app's build (web/): React + TypeScript through Vite, served in production by the API Worker through
 * Workers Static Assets (wrangler.toml `[assets]`).
 *
 * - `vite build` (production mode) writes `index.html` and hashed files under `/assets/` into dist/public, beside
 *   the documentation UI's `/docs/assets/` (scripts/build-assets.mjs runs both): nothing else there is touched.
 * - `--mode development` (the dev server of `npm run dev`, and the browser tests' build) turns on the
 *   development sign-in (`__DEV_SIGN_IN__`); in a production build the constant is `false` and the bundler drops
 *   every branch behind it, so the page, its route and the issuer's address are not in the bundle at all
 *   (scripts/web-build.test.ts greps for them).
 * - The dev server proxies the API's paths to `wrangler dev` (8787): the app calls its own origin everywhere.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv, type Plugin } from "vite";

const WEB = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(WEB, "..");
/** The API's paths: in development the dev server hands them to `wrangler dev`. */
const API_TARGET = process.env.FLOURISH_API_URL ?? "http://127.0.0.1:8787";
const DEV_ISSUER_URL = "http://127.0.0.1:8790";

/**
 * dist/public also holds /docs/assets (scripts/build-assets.mjs), so the output directory is not emptied: this
 * removes only what the previous build of the app wrote (index.html, assets/, _headers).
 */
function removePreviousBuild(): Plugin {
	let outDir = "";
	return {
		name: "flourish:remove-previous-build",
		apply: "build",
		configResolved(config) {
			outDir = path.resolve(config.root, config.build.outDir);
		},
		buildStart() {
			for (const entry of ["index.html", "assets", "_headers"]) {
				rmSync(path.join(outDir, entry), { recursive: true, force: true });
			}
		},
	};
}

/**
 * `_headers` (Workers Static Assets): the Content Security Policy of the app's files. Scripts and styles from this
 * origin only; the API is this origin; the Auth0 tenant is the one other origin (token endpoint, silent sign-in
 * frame). A development build may also reach the development issuer.
 */
function securityHeaders(connect: string[]): Plugin {
	const csp = [
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		// blob: the page's own object URLs (a photo's preview before upload; a non-public post's photo, read with the token).
		"img-src 'self' data: blob:",
		`connect-src ${["'self'", ...connect].join(" ")}`,
		`frame-src ${connect.length ? connect.join(" ") : "'none'"}`,
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	].join("; ");
	return {
		name: "flourish:security-headers",
		apply: "build",
		generateBundle() {
			this.emitFile({
				type: "asset",
				fileName: "_headers",
				source: [
					"/*",
					`  Content-Security-Policy: ${csp}`,
					"  X-Content-Type-Options: nosniff",
					"  Referrer-Policy: no-referrer",
					"  Permissions-Policy: camera=(), microphone=(), geolocation=()",
					"/assets/*",
					"  Cache-Control: public, max-age=31536000, immutable",
					"",
				].join("\n"),
			});
		},
	};
}

export default defineConfig(({ mode }) => {
	const env = loadEnv(mode, WEB, "VITE_");
	const devSignIn = mode === "development";
	const devIssuer = env.VITE_DEV_ISSUER_URL || DEV_ISSUER_URL;
	const auth0 = env.VITE_AUTH0_DOMAIN ? [`https://${env.VITE_AUTH0_DOMAIN}`] : [];
	return {
		root: WEB,
		envDir: WEB,
		plugins: [react(), removePreviousBuild(), securityHeaders(devSignIn ? [devIssuer] : auth0)],
		define: {
			__DEV_SIGN_IN__: JSON.stringify(devSignIn),
			// Only ever read behind `__DEV_SIGN_IN__`: a production build holds no trace of it.
			__DEV_ISSUER_URL__: JSON.stringify(devSignIn ? devIssuer : ""),
		},
		build: {
			outDir: path.join(ROOT, "dist", "public"),
			emptyOutDir: false,
			assetsDir: "assets",
			sourcemap: false,
			target: "es2022",
			// The budget that matters is asserted in gzip bytes by scripts/web-build.test.ts.
			chunkSizeWarningLimit: 400,
		},
		server: {
			port: 5173,
			strictPort: true,
			proxy: Object.fromEntries(
				["/api", "/health", "/docs"].map((prefix) => [
					prefix,
					{ target: API_TARGET, changeOrigin: false, ws: prefix === "/api" },
				]),
			),
		},
		preview: { port: 4173 },
	};
});
