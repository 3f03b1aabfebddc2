/**
 * Logs: one JSON line per request (request id, method, route pattern, status, duration, a keyed hash of
 * the caller), and across a realistic flow — sign-up with an email claim, a post, a chat message over REST
 * and over a WebSocket opened with a ticket, an anonymous support request edited with its token — no log
 * line of any kind holds a token, an email, a `sub`, a user id, a ticket, or what anyone wrote.
 */

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userHash } from "../../src/http/request-log";
import { openChat, ticketFor } from "../orchard/helpers";
import { call, signUp } from "../support/api";

afterEach(() => vi.restoreAllMocks());

function captureConsole(): string[] {
	const lines: string[] = [];
	for (const method of ["log", "info", "warn", "error", "debug"] as const) {
		vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
		});
	}
	return lines;
}

type RequestLine = {
	level: string;
	event: string;
	request_id: string;
	method: string;
	route: string | null;
	status: number;
	duration_ms: number;
	user?: string;
};

const requestLines = (lines: string[]): RequestLine[] =>
	lines.flatMap((line) => {
		try {
			const parsed = JSON.parse(line) as RequestLine;
			return parsed.event === "request" ? [parsed] : [];
		} catch {
			return [];
		}
	});

describe("structured request logs", () => {
	it("log one line per request, and no secret or written text anywhere, across a realistic flow", async () => {
		const lines = captureConsole();
		const responses: Response[] = [];
		const track = async (response: Promise<Response>) => {
			const answered = await response;
			responses.push(answered);
			return answered;
		};

		const email = `log-${crypto.randomUUID()}@example.test`;
		const alice = await signUp("log-alice", { email, name: "Alice Logs" });
		const bob = await signUp("log-bob");
		const postText = `post-${crypto.randomUUID()}`;
		const messageText = `message-${crypto.randomUUID()}`;
		const socketText = `socket-${crypto.randomUUID()}`;
		const supportText = `support-${crypto.randomUUID()}`;

		const connection = (await (
			await track(
				call("POST", "/api/v1/orchard/connections", { token: alice.token, body: { user_id: bob.id } }),
			)
		).json()) as { id: string };
		await track(
			call("PATCH", `/api/v1/orchard/connections/${connection.id}`, {
				token: bob.token,
				body: { status: "accepted" },
			}),
		);
		await track(
			call("POST", "/api/v1/flourish/posts", { token: alice.token, body: { type: "text", body: postText } }),
		);
		await track(
			call("POST", `/api/v1/orchard/conversations/${bob.id}/messages`, {
				token: alice.token,
				body: { text: messageText },
			}),
		);
		const ticket = await ticketFor(bob, alice.id);
		const { client } = await openChat(bob, alice.id);
		client.send({ type: "message", text: socketText, client_message_id: "log-socket-1" });
		await client.takeType("ack");
		client.close();
		const created = (await (
			await track(
				call("POST", "/api/v1/support/requests", {
					token: alice.token,
					body: { title: "Hard week", body: supportText, category: "stress" },
				}),
			)
		).json()) as { request: { id: string }; token: string };
		await track(
			call("PATCH", `/api/v1/support/requests/${created.request.id}`, {
				headers: { "X-Support-Token": created.token },
				body: { body: `${supportText} (edited)` },
			}),
		);
		await track(call("GET", "/api/v1/users/me", { token: alice.token }));
		await track(call("GET", "/api/v1/no-such-route?token=abc"));

		const logged = lines.join("\n");
		for (const secret of [
			alice.token,
			bob.token,
			email,
			alice.sub,
			bob.sub,
			alice.id,
			bob.id,
			ticket,
			postText,
			messageText,
			socketText,
			supportText,
			created.token,
			created.request.id,
			"token=abc",
		]) {
			expect(logged).not.toContain(secret);
		}

		const requests = requestLines(lines);
		// Each tracked response has exactly one line, found by its request id.
		for (const response of responses) {
			const id = response.headers.get("X-Request-Id");
			const mine = requests.filter((line) => line.request_id === id);
			expect(mine, `request ${id}`).toHaveLength(1);
			expect(mine[0]?.status).toBe(response.status);
		}
		for (const line of requests) {
			expect(line).toMatchObject({ level: "info", event: "request" });
			expect(typeof line.duration_ms).toBe("number");
			expect(line.route === null || line.route.startsWith("/")).toBe(true);
		}
		const routes = new Set(requests.map((line) => line.route));
		expect(routes).toContain("/api/v1/orchard/conversations/:user_id/messages");
		expect(routes).toContain("/api/v1/orchard/conversations/:user_id/ws");
		expect(routes).toContain("/api/v1/support/requests/:request_id");
		expect(routes).toContain(null); // the unknown route

		// The caller is a keyed hash — except on the anonymous support routes, where it is nobody.
		const aliceHash = await userHash(env.SUPPORT_HMAC_SECRET, alice.id);
		expect(aliceHash).toMatch(/^[0-9a-f]{16}$/);
		const me = requests.find((line) => line.route === "/api/v1/users/me");
		expect(me?.user).toBe(aliceHash);
		for (const line of requests.filter((l) => l.route?.startsWith("/api/v1/support/"))) {
			expect(line.user).toBeUndefined();
		}
	});

	it("log a refused request with its id and status, never the rejected input", async () => {
		const lines = captureConsole();
		const user = await signUp("log-failure");
		const response = await call("PATCH", "/api/v1/users/me", {
			token: user.token,
			body: { bio: "x".repeat(501) },
		});
		expect(response.status).toBe(422);
		const line = requestLines(lines).find((l) => l.request_id === response.headers.get("X-Request-Id"));
		expect(line).toMatchObject({ method: "PATCH", route: "/api/v1/users/me", status: 422 });
		expect(lines.join("\n")).not.toContain("x".repeat(50));
	});
});
