/**
 * Crisis resources for where the person is (docs/decisions/crisis-resources.md): the lines of the caller's
 * country (`request.cf.country`) first, then the international directory and the emergency entry, then the
 * other countries' lines. An unknown, missing or malformed country starts with the international entries.
 * Nothing is ever left out. Every route that answers crisis resources reads the caller's country.
 */
import { describe, expect, it } from "vitest";
import {
	CrisisResource,
	countryCode,
	crisisResources,
	DEFAULT_CRISIS_RESOURCES,
} from "../../src/core/moderation/crisis";
import { createRequest, withToken } from "../anonymous-support/helpers";
import { createGroup, organiser } from "../fellowship/helpers";
import { createPost } from "../flourish/helpers";
import { api, connectedPair, openChat } from "../orchard/helpers";
import { call, callWithConfig, expectStatus, signUp, type TestUser } from "../support/api";
import { createProject, grower, PROJECTS } from "../teamup/helpers";

/** Rated high self-harm risk by the embedded rules (checked below, so a change of the rules fails loudly). */
const CRISIS = "I swallowed all my pills an hour ago and I want to die";
const EMERGENCY = "If you are in immediate danger, call your local emergency number.";
const NATIONAL = ["US", "GB", "IE", "CA", "AU", "NZ", "IN", "ZA"];

type Resource = { region: string; name: string; country?: string };
type WithResources = { crisis_resources?: Resource[] };

const names = (resources: readonly Resource[] | undefined) => (resources ?? []).map((r) => r.name);
const sameEntries = (resources: readonly Resource[] | undefined) =>
	expect(names(resources).sort()).toEqual(names(DEFAULT_CRISIS_RESOURCES).sort());

describe("the order of crisis resources", () => {
	it("every default national line names its country; the international and emergency entries name none", () => {
		for (const code of NATIONAL) {
			expect(DEFAULT_CRISIS_RESOURCES.filter((r) => r.country === code).length).toBeGreaterThan(0);
		}
		const forAnyone = DEFAULT_CRISIS_RESOURCES.filter((r) => r.country === undefined).map((r) => r.name);
		expect(forAnyone).toEqual(["Find a Helpline", EMERGENCY]);
		for (const resource of DEFAULT_CRISIS_RESOURCES) expect(CrisisResource.parse(resource)).toEqual(resource);
	});

	it("puts the caller's country first, then the entries for anyone, then the rest, losing none", () => {
		const gb = crisisResources(undefined, "GB");
		expect(names(gb).slice(0, 4)).toEqual(["Samaritans", "Shout", "Find a Helpline", EMERGENCY]);
		sameEntries(gb);
		expect(crisisResources(undefined, "IN")[0]?.name).toBe("Tele-MANAS");
		expect(crisisResources(undefined, "IE")[0]?.name).toBe("Samaritans Ireland");
		expect(crisisResources(undefined, "NZ")[0]?.name).toBe("1737 Need to talk?");
		expect(crisisResources(undefined, "ZA")[0]?.phone).toBe("0800 567 567");
		for (const code of NATIONAL) {
			const ordered = crisisResources(undefined, code);
			expect(ordered[0]?.country).toBe(code);
			sameEntries(ordered);
			expect(names(ordered)).toContain(EMERGENCY);
		}
	});

	it("starts with the international entries for an unlisted or unknown country", () => {
		for (const country of ["BR", null]) {
			const ordered = crisisResources(undefined, country);
			expect(names(ordered).slice(0, 2)).toEqual(["Find a Helpline", EMERGENCY]);
			sameEntries(ordered);
		}
	});

	it("reads only two upper-case letters as a country: anything else is unknown", () => {
		expect(countryCode("GB")).toBe("GB");
		for (const bad of ["gb", "Gb", "XX", "T1", "", "GBR", "G", "🇬🇧", " GB", 44, null, undefined, {}]) {
			expect(countryCode(bad)).toBeNull();
		}
	});

	it("orders an operator's list by its countries too, and falls back to the defaults when it is invalid", () => {
		const configured = JSON.stringify([
			{ region: "Anywhere", name: "Operator line" },
			{ region: "Brazil", country: "BR", name: "CVV", phone: "188" },
		]);
		expect(names(crisisResources(configured, "BR"))).toEqual(["CVV", "Operator line"]);
		expect(names(crisisResources(configured, "GB"))).toEqual(["Operator line", "CVV"]);
		const lowerCase = JSON.stringify([{ region: "Brazil", country: "br", name: "CVV" }]);
		expect(names(crisisResources(lowerCase, "BR"))).toEqual(names(crisisResources(undefined, "BR")));
	});
});

/** The Worker's own sources (as test/architecture.test.ts reads them). */
const SOURCES = import.meta.glob(
	["../../src/**/*.ts", "../../durable-objects/**/*.ts", "!../../**/*.test.ts"],
	{
		query: "?raw",
		import: "default",
		eager: true,
	},
) as Record<string, string>;

describe("no route can forget the caller's country", () => {
	it("every crisis_resources answer takes its list from the request's helper or a country handed down from it", () => {
		const calls: string[] = [];
		for (const [path, source] of Object.entries(SOURCES)) {
			if (path.endsWith("core/moderation/crisis.ts") || path.endsWith("http/crisis.ts")) continue;
			for (const match of source.matchAll(/\bcrisisResources\(([^)]*)\)/g)) {
				calls.push(path);
				// Logic below the route gets `country` from the route's `callerCountry(c)` (or the chat input's).
				expect(match[1], path).toMatch(/^(this\.)?env\.CRISIS_RESOURCES, (input\.)?country$/);
			}
			if (/crisis_resources:/.test(source) && !path.includes("schemas") && !path.includes("protocol")) {
				expect(
					/crisisResourcesFor\(c\)|crisisResources\(|crisisResources \}|\.crisisResources\b/.test(source),
					path,
				).toBe(true);
			}
		}
		expect(calls.length).toBeGreaterThan(0);
	});
});

describe("every answer with crisis resources orders them for the caller's country", () => {
	const check = (user: TestUser, cf?: Record<string, unknown>) =>
		call("POST", "/api/v1/moderation/check", {
			token: user.token,
			body: { text: CRISIS },
			...(cf ? { cf } : {}),
		});

	it("rates the phrase these tests use as high self-harm risk", async () => {
		const user = await signUp("crisis-order-phrase");
		const result = await expectStatus<{ self_harm_risk: string }>(await check(user), 200);
		expect(result.self_harm_risk).toBe("high");
	});

	it("GB gets Samaritans first, IN Tele-MANAS, BR and no country the international entry", async () => {
		const user = await signUp("crisis-order-check");
		const first = async (cf?: Record<string, unknown>) =>
			(await expectStatus<WithResources>(await check(user, cf), 200)).crisis_resources?.[0]?.name;
		expect(await first({ country: "GB" })).toBe("Samaritans");
		expect(await first({ country: "IN" })).toBe("Tele-MANAS");
		expect(await first({ country: "BR" })).toBe("Find a Helpline");
		expect(await first()).toBe("Find a Helpline");
		for (const country of ["gb", "XX", "T1", "not a country", 7]) {
			const answer = await expectStatus<WithResources>(await check(user, { country }), 200);
			expect(answer.crisis_resources?.[0]?.name).toBe("Find a Helpline");
			expect(names(answer.crisis_resources)).toContain(EMERGENCY);
		}
	});

	it("the operator's CRISIS_RESOURCES stays the list, ordered for the caller", async () => {
		const user = await signUp("crisis-order-operator");
		const configured = JSON.stringify([
			{ region: "Anywhere", name: "Operator line" },
			{ region: "Brazil", country: "BR", name: "CVV", phone: "188" },
		]);
		const answer = await expectStatus<WithResources>(
			await callWithConfig({ CRISIS_RESOURCES: configured }, "POST", "/api/v1/moderation/check", {
				token: user.token,
				body: { text: CRISIS },
				cf: { country: "BR" },
			}),
			200,
		);
		expect(names(answer.crisis_resources)).toEqual(["CVV", "Operator line"]);
	});

	it("posts, comments, shares, support requests and their edits, projects, discussions and groups", async () => {
		const gb = { cf: { country: "GB" } };
		const firstOf = async (response: Response, status: number) => {
			const body = await expectStatus<WithResources>(response, status);
			sameEntries(body.crisis_resources);
			return body.crisis_resources?.[0]?.name;
		};
		const writer = await signUp("crisis-order-writer");
		const post = await createPost(writer);
		const body = { type: "text", body: CRISIS };
		expect(
			await firstOf(await call("POST", "/api/v1/flourish/posts", { token: writer.token, body, ...gb }), 201),
		).toBe("Samaritans");
		expect(
			await firstOf(
				await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
					token: writer.token,
					body: { body: CRISIS },
					...gb,
				}),
				200,
			),
		).toBe("Samaritans");
		expect(
			await firstOf(
				await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
					token: writer.token,
					body: { body: CRISIS },
					...gb,
				}),
				201,
			),
		).toBe("Samaritans");
		expect(
			await firstOf(
				await call("POST", "/api/v1/sunlight", {
					token: writer.token,
					body: { share_type: "win", body: CRISIS, anonymous: true },
					...gb,
				}),
				201,
			),
		).toBe("Samaritans");

		const request = await createRequest(writer);
		expect(
			await firstOf(
				await call("POST", "/api/v1/support/requests", {
					token: writer.token,
					body: { title: "Tonight", body: CRISIS, category: "depression" },
					...gb,
				}),
				201,
			),
		).toBe("Samaritans");
		expect(
			await firstOf(
				await call("PATCH", `/api/v1/support/requests/${request.request.id}`, {
					token: writer.token,
					headers: withToken(request.token),
					body: { body: CRISIS },
					...gb,
				}),
				200,
			),
		).toBe("Samaritans");

		const owner = await grower("crisis-order-grower");
		const project = await createProject(owner);
		expect(
			await firstOf(
				await call("POST", PROJECTS, {
					token: owner.token,
					body: { title: "Getting through", project_type: "community_service", description: CRISIS },
					...gb,
				}),
				201,
			),
		).toBe("Samaritans");
		expect(
			await firstOf(
				await call("POST", `${PROJECTS}/${project.id}/discussions`, {
					token: owner.token,
					body: { body: CRISIS },
					...gb,
				}),
				201,
			),
		).toBe("Samaritans");
		const host = await organiser("crisis-order-organiser");
		await createGroup(host);
		expect(
			await firstOf(
				await call("POST", "/api/v1/fellowship/groups", {
					token: host.token,
					body: { name: "Hard nights", group_type: "wellness", description: CRISIS },
					...gb,
				}),
				201,
			),
		).toBe("Samaritans");
	});

	it("chat: a REST send and edit, and a message over a socket opened from the country", async () => {
		const [alice, bob] = await connectedPair("crisis-order-chat");
		const sent = await expectStatus<{ id: string } & WithResources>(
			await call("POST", `${api}/conversations/${bob.id}/messages`, {
				token: alice.token,
				body: { text: CRISIS },
				cf: { country: "IN" },
			}),
			201,
		);
		expect(sent.crisis_resources?.[0]?.name).toBe("Tele-MANAS");
		sameEntries(sent.crisis_resources);
		const plain = await expectStatus<{ id: string }>(
			await call("POST", `${api}/conversations/${bob.id}/messages`, {
				token: alice.token,
				body: { text: "hello" },
			}),
			201,
		);
		const edited = await expectStatus<WithResources>(
			await call("PATCH", `${api}/conversations/${bob.id}/messages/${plain.id}`, {
				token: alice.token,
				body: { text: CRISIS },
				cf: { country: "GB" },
			}),
			200,
		);
		expect(edited.crisis_resources?.[0]?.name).toBe("Samaritans");

		const { client } = await openChat(alice, bob.id, undefined, { country: "GB" });
		client.send({ type: "message", client_message_id: "crisis-gb", text: CRISIS });
		const ack = await client.takeType("ack", (frame) => frame.client_message_id === "crisis-gb");
		expect((ack.crisis_resources as Resource[])[0]?.name).toBe("Samaritans");
		sameEntries(ack.crisis_resources as Resource[]);
		client.close();

		const { client: unknown } = await openChat(alice, bob.id, undefined, { country: "T1" });
		unknown.send({ type: "message", client_message_id: "crisis-tor", text: CRISIS });
		const torAck = await unknown.takeType("ack", (frame) => frame.client_message_id === "crisis-tor");
		expect((torAck.crisis_resources as Resource[])[0]?.name).toBe("Find a Helpline");
		unknown.close();
	});
});
