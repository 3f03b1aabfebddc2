/**
 * Idempotency-Key on POSTs: a retried create returns the original response and creates nothing twice;
 * the same key with another body is 422; keys are per user and forgotten after 24 h. An answer that carries
 * a secret (a chat ticket, a support token) is never stored for replay: the key is not honoured there.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRequest } from "./anonymous-support/helpers";
import { connectedPair } from "./orchard/helpers";
import { call, expectProblem, expectStatus, signUp } from "./support/api";

const HABITS = "/api/v1/garden/habits";
const walk = { name: "Walk", category: "health" };

async function habitCount(userId: string): Promise<number> {
	const row = await env.DB.prepare("SELECT count(*) AS n FROM habits WHERE user_id = ?")
		.bind(userId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

describe("Idempotency-Key", () => {
	it("replays the original response to a retry and creates one habit", async () => {
		const user = await signUp("idem");
		const headers = { "Idempotency-Key": "create-walk-1" };
		const first = await call("POST", HABITS, { token: user.token, body: walk, headers });
		const created = await expectStatus<{ id: string }>(first, 201);
		const retry = await call("POST", HABITS, { token: user.token, body: walk, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		expect(await expectStatus<{ id: string }>(retry, 201)).toEqual(created);
		expect(await habitCount(user.id)).toBe(1);
	});

	it("rejects the same key with a different body (422) and creates nothing more", async () => {
		const user = await signUp("idem-mismatch");
		const headers = { "Idempotency-Key": "k-1" };
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk, headers }), 201);
		await expectProblem(
			await call("POST", HABITS, { token: user.token, body: { ...walk, name: "Run" }, headers }),
			422,
		);
		expect(await habitCount(user.id)).toBe(1);
	});

	it("scopes keys per user", async () => {
		const [a, b] = [await signUp("idem-a"), await signUp("idem-b")];
		const headers = { "Idempotency-Key": "shared-key" };
		await expectStatus(await call("POST", HABITS, { token: a.token, body: walk, headers }), 201);
		const other = await call("POST", HABITS, { token: b.token, body: walk, headers });
		expect(other.headers.get("Idempotent-Replayed")).toBeNull();
		await expectStatus(other, 201);
		expect(await habitCount(b.id)).toBe(1);
	});

	it("creates twice without a key", async () => {
		const user = await signUp("idem-none");
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk }), 201);
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk }), 201);
		expect(await habitCount(user.id)).toBe(2);
	});

	it("replays a validation failure too, and releases nothing else", async () => {
		const user = await signUp("idem-invalid");
		const headers = { "Idempotency-Key": "bad-1" };
		await expectProblem(await call("POST", HABITS, { token: user.token, body: { name: "" }, headers }), 422);
		const retry = await call("POST", HABITS, { token: user.token, body: { name: "" }, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		await expectProblem(retry, 422);
	});

	it("forgets a key after 24 hours", async () => {
		const user = await signUp("idem-expired");
		const headers = { "Idempotency-Key": "old-key" };
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk, headers }), 201);
		await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE user_id = ?")
			.bind(new Date(Date.now() - 1000).toISOString(), user.id)
			.run();
		const again = await call("POST", HABITS, { token: user.token, body: walk, headers });
		expect(again.headers.get("Idempotent-Replayed")).toBeNull();
		await expectStatus(again, 201);
		expect(await habitCount(user.id)).toBe(2);
	});

	it("rejects an unusable key with 422", async () => {
		const user = await signUp("idem-badkey");
		const headers = { "Idempotency-Key": "k".repeat(256) };
		await expectProblem(await call("POST", HABITS, { token: user.token, body: walk, headers }), 422);
		expect(await habitCount(user.id)).toBe(0);
	});
});

/** Every stored idempotency row, every column, as text: what an insider with D1 access would read. */
async function storedIdempotencyText(): Promise<string> {
	const { results } = await env.DB.prepare("SELECT * FROM idempotency_keys").all();
	return JSON.stringify(results);
}

describe("answers that carry a secret are never stored", () => {
	it("a chat ticket: no row holds it, and a retry with the same key gets a fresh ticket", async () => {
		const [alice, bob] = await connectedPair("idem-ticket");
		const path = `/api/v1/orchard/conversations/${bob.id}/tickets`;
		const headers = { "Idempotency-Key": "ticket-retry-1" };
		type Ticket = { ticket: string; url: string };
		const first = await expectStatus<Ticket>(await call("POST", path, { token: alice.token, headers }), 201);
		const retry = await call("POST", path, { token: alice.token, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
		const second = await expectStatus<Ticket>(retry, 201);
		expect(second.ticket).not.toBe(first.ticket);

		const stored = await storedIdempotencyText();
		expect(stored).not.toContain(first.ticket);
		expect(stored).not.toContain(second.ticket);
		const mine = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ?")
			.bind(alice.id)
			.first<{ n: number }>();
		expect(mine?.n).toBe(0);
	});

	it("a stream ticket: no row holds it, and a retry with the same key gets a fresh ticket", async () => {
		const alice = await signUp("idem-stream-ticket");
		const headers = { "Idempotency-Key": "stream-ticket-retry-1" };
		type Ticket = { ticket: string; url: string };
		const first = await expectStatus<Ticket>(
			await call("POST", "/api/v1/stream/tickets", { token: alice.token, headers }),
			201,
		);
		const retry = await call("POST", "/api/v1/stream/tickets", { token: alice.token, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
		const second = await expectStatus<Ticket>(retry, 201);
		expect(second.ticket).not.toBe(first.ticket);

		const stored = await storedIdempotencyText();
		expect(stored).not.toContain(first.ticket);
		expect(stored).not.toContain(second.ticket);
		const mine = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ?")
			.bind(alice.id)
			.first<{ n: number }>();
		expect(mine?.n).toBe(0);
	});

	it("a calendar token: no row holds it, and a retry with the same key makes a new one", async () => {
		const alice = await signUp("idem-calendar");
		const headers = { "Idempotency-Key": "calendar-retry-1" };
		type Minted = { token: string };
		const path = "/api/v1/users/me/calendar-token";
		const first = await expectStatus<Minted>(await call("POST", path, { token: alice.token, headers }), 201);
		const retry = await call("POST", path, { token: alice.token, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
		const second = await expectStatus<Minted>(retry, 201);
		expect(second.token).not.toBe(first.token);
		const stored = await storedIdempotencyText();
		expect(stored).not.toContain(first.token);
		expect(stored).not.toContain(second.token);
	});

	it("a support token: no row holds it, nor any row for its author", async () => {
		const author = await signUp("idem-support");
		const created = await createRequest(author, {}, { "Idempotency-Key": "support-retry-1" });
		expect(await storedIdempotencyText()).not.toContain(created.token);
		const mine = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ?")
			.bind(author.id)
			.first<{ n: number }>();
		expect(mine?.n).toBe(0);
	});
});

type Schema = {
	$ref?: string;
	properties?: Record<string, Schema>;
	items?: Schema;
	allOf?: Schema[];
	anyOf?: Schema[];
	oneOf?: Schema[];
};
type Operation = {
	description?: string;
	parameters?: Array<{ name: string; in: string }>;
	responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Document = {
	paths: Record<string, Record<string, Operation>>;
	components: { schemas: Record<string, Schema> };
};

/** Property names of a schema's objects, nested ones included ($refs followed once each). */
function propertyNames(doc: Document, schema: Schema, seen = new Set<string>()): string[] {
	if (schema.$ref) {
		if (seen.has(schema.$ref)) return [];
		seen.add(schema.$ref);
		const target = doc.components.schemas[schema.$ref.replace("#/components/schemas/", "")];
		return target ? propertyNames(doc, target, seen) : [];
	}
	const nested = [
		...Object.values(schema.properties ?? {}),
		...(schema.items ? [schema.items] : []),
		...(schema.allOf ?? []),
		...(schema.anyOf ?? []),
		...(schema.oneOf ?? []),
	];
	return [
		...Object.keys(schema.properties ?? {}),
		...nested.flatMap((each) => propertyNames(doc, each, seen)),
	];
}

/** Fields that are bearer secrets, shown once: a support token, a chat ticket. */
const SECRET_FIELDS = new Set(["token", "ticket", "secret"]);

it("every POST whose answer carries a secret documents that Idempotency-Key is not honoured there", async () => {
	const doc = await expectStatus<Document>(await call("GET", "/api/v1/openapi.json"), 200);
	const secretAnswers: string[] = [];
	for (const [path, operations] of Object.entries(doc.paths)) {
		const post = operations.post;
		if (!post) continue;
		const names = Object.entries(post.responses)
			.filter(([status]) => status.startsWith("2"))
			.flatMap(([, response]) =>
				Object.values(response.content ?? {}).flatMap((media) => propertyNames(doc, media.schema)),
			);
		if (!names.some((name) => SECRET_FIELDS.has(name))) continue;
		secretAnswers.push(path);
		const headers = (post.parameters ?? []).filter((p) => p.in === "header").map((p) => p.name.toLowerCase());
		expect(headers, path).not.toContain("idempotency-key");
		expect(post.description, path).toMatch(/`Idempotency-Key` is not honoured here/);
	}
	expect(secretAnswers.sort()).toEqual([
		"/api/v1/orchard/conversations/{user_id}/tickets",
		"/api/v1/stream/tickets",
		"/api/v1/support/requests",
		"/api/v1/users/me/calendar-token",
	]);
});
