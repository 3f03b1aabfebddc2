/** scripts/lib/vapid-keys.ts in Node: the pair's format, and `.dev.vars` gets a key once, never replaced. */
import assert from "node:assert/strict";
import { createPublicKey, createSign, createVerify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ensureDevVapidKey, generateVapidKeyPair } from "./vapid-keys.ts";

const scratch = mkdtempSync(path.join(os.tmpdir(), "vapid-keys-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("generateVapidKeyPair", () => {
	it("makes a P-256 pair: d in base64url, the uncompressed public point in base64url", async () => {
		const pair = await generateVapidKeyPair();
		assert.match(pair.privateKey, /^[A-Za-z0-9_-]{43}$/);
		assert.match(pair.publicKey, /^B[A-Za-z0-9_-]{86}$/);
		const point = Buffer.from(pair.publicKey, "base64url");
		const jwk = {
			kty: "EC",
			crv: "P-256",
			x: point.subarray(1, 33).toString("base64url"),
			y: point.subarray(33).toString("base64url"),
		};
		const signature = createSign("sha256")
			.update("x")
			.sign({ key: { ...jwk, d: pair.privateKey }, format: "jwk" });
		const publicKey = createPublicKey({ key: jwk, format: "jwk" });
		assert.ok(createVerify("sha256").update("x").verify(publicKey, signature), "the halves belong together");
	});
});

describe("ensureDevVapidKey", () => {
	it("appends a key to .dev.vars once and keeps what was there", async () => {
		const file = path.join(scratch, "a.dev.vars");
		writeFileSync(file, "CORS_ORIGINS=http://localhost:5173");
		const pair = await ensureDevVapidKey(file);
		assert.ok(pair);
		const text = readFileSync(file, "utf8");
		assert.ok(text.startsWith("CORS_ORIGINS=http://localhost:5173\n"));
		assert.ok(text.includes(`\nVAPID_PRIVATE_KEY=${pair.privateKey}\n`));
		assert.equal(await ensureDevVapidKey(file), null);
		assert.equal(readFileSync(file, "utf8"), text);
	});

	it("never replaces a developer's own key; a commented-out one is no key", async () => {
		const own = path.join(scratch, "b.dev.vars");
		writeFileSync(own, "VAPID_PRIVATE_KEY=mine\n");
		assert.equal(await ensureDevVapidKey(own), null);
		assert.equal(readFileSync(own, "utf8"), "VAPID_PRIVATE_KEY=mine\n");
		const commented = path.join(scratch, "b2.dev.vars");
		writeFileSync(commented, "# VAPID_PRIVATE_KEY=old\n");
		assert.ok(await ensureDevVapidKey(commented));
		assert.match(
			readFileSync(commented, "utf8"),
			/^# VAPID_PRIVATE_KEY=old\n\n# Web Push.*\nVAPID_PRIVATE_KEY=[A-Za-z0-9_-]{43}\n$/s,
		);
	});

	it("creates the file when it is missing", async () => {
		const file = path.join(scratch, "c.dev.vars");
		const pair = await ensureDevVapidKey(file);
		assert.ok(pair);
		assert.match(readFileSync(file, "utf8"), /^\n# Web Push/);
	});
});
