/**
 * Builds the web app (web/) into a directory of the caller's, for the tests: a production build (what deploy
 * ships) or a development one (with the development sign-in page, pointed at a given issuer).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { PROJECT_ROOT } from "./dev-issuer.ts";

export async function buildWebApp({
	mode,
	outDir,
	devIssuerUrl,
}: {
	mode: "production" | "development";
	outDir: string;
	/** A development build's issuer (default http://127.0.0.1:8790). */
	devIssuerUrl?: string;
}): Promise<void> {
	const previous = process.env.VITE_DEV_ISSUER_URL;
	if (devIssuerUrl) process.env.VITE_DEV_ISSUER_URL = devIssuerUrl;
	try {
		await build({
			configFile: path.join(PROJECT_ROOT, "web", "vite.config.ts"),
			mode,
			logLevel: "warn",
			build: { outDir, emptyOutDir: true },
		});
	} finally {
		if (previous === undefined) delete process.env.VITE_DEV_ISSUER_URL;
		else process.env.VITE_DEV_ISSUER_URL = previous;
	}
}

/** Every file of a build, relative path → contents. */
export function filesOf(dir: string): Map<string, Buffer> {
	const files = new Map<string, Buffer>();
	const walk = (at: string) => {
		for (const name of readdirSync(at)) {
			const full = path.join(at, name);
			if (statSync(full).isDirectory()) walk(full);
			else files.set(path.relative(dir, full), readFileSync(full));
		}
	};
	walk(dir);
	return files;
}

export interface InitialScripts {
	/** The entry script and every module it preloads: what a first visit downloads before the app runs. */
	files: string[];
	gzipBytes: number;
}

/** The JavaScript `index.html` loads at once (its module scripts and modulepreload links), gzipped. */
export function initialScripts(dir: string): InitialScripts {
	const html = readFileSync(path.join(dir, "index.html"), "utf8");
	const files = [
		...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g),
		...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g),
	].map((match) => match[1] ?? "");
	const gzipBytes = files.reduce(
		(total, file) => total + gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length,
		0,
	);
	return { files, gzipBytes };
}
