/**
 * `GET /users/{user_id}` tells a signed-in caller where they stand with the person: `connection` (none,
 * pending_incoming, pending_outgoing, connected), `blocked_by_me`, and `can_message` — which always agrees
 * with what sending a chat message does right then. My own profile has them null. A person who blocks me
 * stays a 404 exactly like a missing one; a person I block is shown, with `blocked_by_me: true`.
 */
import { describe, expect, it } from "vitest";
import { api, connect, growingUser, makeGuide } from "../orchard/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

type Profile = {
	id: string;
	display_name: string;
	connection: string | null;
	blocked_by_me: boolean | null;
	can_message: boolean | null;
};

const profileOf = async (viewer: TestUser, person: TestUser) =>
	expectStatus<Profile>(await call("GET", `/api/v1/users/${person.id}`, { token: viewer.token }), 200);

/** `can_message` against the real thing: a chat message sent over REST right after reading it. */
async function expectAgreement(viewer: TestUser, person: TestUser): Promise<Profile> {
	const profile = await profileOf(viewer, person);
	const sent = await call("POST", `${api}/conversations/${person.id}/messages`, {
		token: viewer.token,
		body: { text: "Hello there" },
	});
	await sent.body?.cancel();
	expect(sent.status < 300, `can_message ${profile.can_message}, sending answered ${sent.status}`).toBe(
		profile.can_message,
	);
	return profile;
}

async function requestConnection(from: TestUser, to: TestUser): Promise<string> {
	const request = await expectStatus<{ id: string }>(
		await call("POST", `${api}/connections`, {
			token: from.token,
			body: { user_id: to.id, connection_type: "friend" },
		}),
		201,
	);
	return request.id;
}

const block = async (by: TestUser, whom: TestUser) =>
	expectStatus(await call("PUT", `${api}/blocks/${whom.id}`, { token: by.token }), 201);

describe("GET /users/{user_id}: where I stand with them", () => {
	it("is null on my own profile", async () => {
		const me = await signUp("rel-self");
		expect(await profileOf(me, me)).toMatchObject({
			connection: null,
			blocked_by_me: null,
			can_message: null,
		});
	});

	it("is none for a stranger, who cannot be messaged", async () => {
		const [me, stranger] = [await signUp("rel-a"), await signUp("rel-stranger")];
		expect(await expectAgreement(me, stranger)).toMatchObject({
			connection: "none",
			blocked_by_me: false,
			can_message: false,
		});
	});

	it("is pending_outgoing for the asker, pending_incoming for the asked; no messages yet", async () => {
		const [asker, asked] = [await signUp("rel-asker"), await signUp("rel-asked")];
		const request = await requestConnection(asker, asked);
		expect(await expectAgreement(asker, asked)).toMatchObject({
			connection: "pending_outgoing",
			can_message: false,
		});
		expect(await expectAgreement(asked, asker)).toMatchObject({
			connection: "pending_incoming",
			can_message: false,
		});
		await expectStatus(
			await call("PATCH", `${api}/connections/${request}`, {
				token: asked.token,
				body: { status: "declined" },
			}),
			200,
		);
		expect(await expectAgreement(asker, asked)).toMatchObject({ connection: "none", can_message: false });
	});

	it("is connected both ways once accepted, and then they can message", async () => {
		const [a, b] = [await signUp("rel-c1"), await signUp("rel-c2")];
		await connect(a, b);
		expect(await expectAgreement(a, b)).toMatchObject({ connection: "connected", can_message: true });
		expect(await expectAgreement(b, a)).toMatchObject({ connection: "connected", can_message: true });
	});

	it("lets a mentee and guide message through an accepted mentorship, without a connection", async () => {
		const guide = await makeGuide("rel-guide");
		const mentee = await growingUser("rel-mentee");
		const mentorship = await expectStatus<{ id: string }>(
			await call("POST", `${api}/mentorships`, {
				token: mentee.token,
				body: { guide_id: guide.id, goals: "Calm" },
			}),
			201,
		);
		expect(await expectAgreement(mentee, guide)).toMatchObject({ connection: "none", can_message: false });
		await expectStatus(
			await call("PATCH", `${api}/mentorships/${mentorship.id}`, {
				token: guide.token,
				body: { status: "accepted" },
			}),
			200,
		);
		expect(await expectAgreement(mentee, guide)).toMatchObject({ connection: "none", can_message: true });
		expect(await expectAgreement(guide, mentee)).toMatchObject({ can_message: true });
	});

	it("still lets me message a connected person who is suspended, as the chat does", async () => {
		const [me, them] = [await signUp("rel-s1"), await signUp("rel-s2")];
		await connect(me, them);
		await setUserColumns(them.id, { suspended_until: "9999-12-31T23:59:59.999Z" });
		expect(await expectAgreement(me, them)).toMatchObject({ connection: "connected" });
	});

	it("shows a person I block with blocked_by_me, who cannot be messaged", async () => {
		const [me, them] = [await signUp("rel-blocker"), await signUp("rel-blocked")];
		await connect(me, them);
		await block(me, them);
		expect(await expectAgreement(me, them)).toMatchObject({
			id: them.id,
			connection: "none",
			blocked_by_me: true,
			can_message: false,
		});
		await expectStatus(await call("DELETE", `${api}/blocks/${them.id}`, { token: me.token }), 204);
		expect(await profileOf(me, them)).toMatchObject({ blocked_by_me: false, connection: "none" });
	});

	it("keeps a person who blocks me a 404 exactly like a missing one, even when I block them too", async () => {
		const [me, them] = [await signUp("rel-victim"), await signUp("rel-blocking")];
		await block(them, me);
		const blocked = await expectProblem(
			await call("GET", `/api/v1/users/${them.id}`, { token: me.token }),
			404,
		);
		const missing = await expectProblem(
			await call("GET", "/api/v1/users/0190d4b1-0000-7000-8000-000000000000", { token: me.token }),
			404,
		);
		const same = (problem: typeof blocked) => ({ ...problem, request_id: undefined, instance: undefined });
		expect(same(blocked)).toEqual(same(missing));
		await block(me, them);
		await expectProblem(await call("GET", `/api/v1/users/${them.id}`, { token: me.token }), 404);
	});

	it("is a 404 for a deleted account and 401 without a token", async () => {
		const [me, leaving] = [await signUp("rel-stays"), await signUp("rel-leaves")];
		await connect(me, leaving);
		expect((await call("DELETE", "/api/v1/users/me", { token: leaving.token })).status).toBe(204);
		await expectProblem(await call("GET", `/api/v1/users/${leaving.id}`, { token: me.token }), 404);
		await expectProblem(await call("GET", `/api/v1/users/${me.id}`), 401);
	});

	it("is declared in the OpenAPI document with its enum and nullability", async () => {
		type Schema = { properties?: Record<string, unknown>; allOf?: Schema[] };
		const doc = await expectStatus<{ components: { schemas: Record<string, Schema> } }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		const profile = doc.components.schemas.UserProfile;
		// PublicProfile's fields, and these beside them.
		expect(JSON.stringify(profile)).toContain("#/components/schemas/PublicProfile");
		const properties = Object.assign(
			{},
			...(profile?.allOf ?? [profile]).map((part) => part?.properties ?? {}),
		);
		expect(JSON.stringify(properties.connection)).toContain('"pending_incoming"');
		for (const field of ["connection", "blocked_by_me", "can_message"]) {
			expect(JSON.stringify(properties[field]), field).toContain("null");
		}
	});
});
