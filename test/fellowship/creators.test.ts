/**
 * `created_by` of groups and events is the creator's public profile (the `Author` shape: id, display name,
 * avatar, trust level) on every route that returns one — create, read, list, `member=me`, edit, cancel —
 * and null once the creator's account is deleted, or between two people who block each other (a block
 * hides the person, not the shared space). Nothing private about the creator (email, time zone) is in it.
 */

import { beforeAll, describe, expect, it } from "vitest";
import { png } from "../media/fixtures";
import { upload } from "../media/helpers";
import { call, expectStatus, signUp, type TestUser } from "../support/api";
import { createEvent, createGroup, join, organiser } from "./helpers";

const GROUPS = "/api/v1/fellowship/groups";
const EVENTS = "/api/v1/fellowship/events";

type Creator = { id: string; display_name: string; avatar_url: string | null; trust_level: string } | null;
type WithCreator = { id: string; created_by: Creator };
type Page = { data: WithCreator[] };

let owner: TestUser;
let member: TestUser;
let profile: Creator;

const get = async <T>(user: TestUser | undefined, path: string) =>
	expectStatus<T>(await call("GET", path, user ? { token: user.token } : {}), 200);

const inPage = (page: Page, id: string) => page.data.find((item) => item.id === id)?.created_by;

beforeAll(async () => {
	owner = await organiser("creators-owner");
	member = await signUp("creators-member");
	await expectStatus(
		await call("PATCH", "/api/v1/users/me", {
			token: owner.token,
			body: {
				display_name: "Rosa Gardener",
				avatar_media_id: (await upload(owner, png(), "image/png")).id,
			},
		}),
		200,
	);
	profile = {
		id: owner.id,
		display_name: "Rosa Gardener",
		avatar_url: expect.stringMatching(/^\/api\/v1\/media\/[0-9a-f-]{36}$/),
		trust_level: "good_soil",
	};
});

describe("created_by of a group", () => {
	it("is the creator's public profile on every route that returns the group", async () => {
		const created = await createGroup(owner, { name: "Creator's circle" });
		const group = created as unknown as WithCreator;
		expect(group.created_by).toEqual(profile);
		await expectStatus(await join(member, group.id), 201);
		expect((await get<WithCreator>(member, `${GROUPS}/${group.id}`)).created_by).toEqual(profile);
		expect((await get<WithCreator>(undefined, `${GROUPS}/${group.id}`)).created_by).toEqual(profile);
		expect(inPage(await get<Page>(member, `${GROUPS}?limit=100`), group.id)).toEqual(profile);
		expect(inPage(await get<Page>(undefined, `${GROUPS}?limit=100&q=circle`), group.id)).toEqual(profile);
		expect(inPage(await get<Page>(member, `${GROUPS}?member=me`), group.id)).toEqual(profile);
		const edited = await expectStatus<WithCreator>(
			await call("PATCH", `${GROUPS}/${group.id}`, { token: owner.token, body: { description: "Edited" } }),
			200,
		);
		expect(edited.created_by).toEqual(profile);
		expect(Object.keys(edited.created_by ?? {}).sort()).toEqual([
			"avatar_url",
			"display_name",
			"id",
			"trust_level",
		]);
	});

	it("is null between people who block each other, and the group stays visible", async () => {
		const group = await createGroup(owner, { name: "Blocked circle" });
		const blocked = await signUp("creators-blocked");
		await expectStatus(
			await call("PUT", `/api/v1/orchard/blocks/${blocked.id}`, { token: owner.token }),
			201,
		);
		expect((await get<WithCreator>(blocked, `${GROUPS}/${group.id}`)).created_by).toBeNull();
		expect(inPage(await get<Page>(blocked, `${GROUPS}?limit=100`), group.id)).toBeNull();
		// Others still see who made it.
		expect((await get<WithCreator>(member, `${GROUPS}/${group.id}`)).created_by).toEqual(profile);
	});
});

describe("created_by of an event", () => {
	it("is the creator's public profile on create, read, list, edit and cancel", async () => {
		const group = await createGroup(owner, { name: "Event circle" });
		await expectStatus(await join(member, group.id), 201);
		const event = (await createEvent(owner, group.id)) as unknown as WithCreator;
		expect(event.created_by).toEqual(profile);
		expect((await get<WithCreator>(member, `${EVENTS}/${event.id}`)).created_by).toEqual(profile);
		expect(inPage(await get<Page>(member, `${GROUPS}/${group.id}/events`), event.id)).toEqual(profile);
		const edited = await expectStatus<WithCreator>(
			await call("PATCH", `${EVENTS}/${event.id}`, { token: owner.token, body: { title: "Sunday run" } }),
			200,
		);
		expect(edited.created_by).toEqual(profile);
		const cancelled = await expectStatus<WithCreator>(
			await call("POST", `${EVENTS}/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		expect(cancelled.created_by).toEqual(profile);
	});
});

describe("a creator who deleted their account", () => {
	it("leaves created_by null on their group (now run by a moderator) and its events", async () => {
		const leaving = await organiser("creators-leaving");
		const heir = await signUp("creators-heir");
		const group = await createGroup(leaving, { name: "Inherited circle" });
		await expectStatus(await join(heir, group.id), 201);
		await expectStatus(
			await call("PATCH", `${GROUPS}/${group.id}/members/${heir.id}`, {
				token: leaving.token,
				body: { role: "moderator" },
			}),
			200,
		);
		const event = await createEvent(leaving, group.id);
		expect((await call("DELETE", "/api/v1/users/me", { token: leaving.token })).status).toBe(204);

		expect((await get<WithCreator>(heir, `${GROUPS}/${group.id}`)).created_by).toBeNull();
		expect(inPage(await get<Page>(heir, `${GROUPS}?member=me`), group.id)).toBeNull();
		expect((await get<WithCreator>(heir, `${EVENTS}/${event.id}`)).created_by).toBeNull();
		expect(inPage(await get<Page>(heir, `${GROUPS}/${group.id}/events`), event.id)).toBeNull();
	});
});

describe("the OpenAPI document", () => {
	it("declares created_by as a nullable Author on groups and events", async () => {
		const doc = await get<{
			components: { schemas: Record<string, { properties: Record<string, unknown> }> };
		}>(undefined, "/api/v1/openapi.json");
		for (const name of ["Group", "GroupEvent"]) {
			const createdBy = JSON.stringify(doc.components.schemas[name]?.properties.created_by);
			expect(createdBy, name).toContain("#/components/schemas/Author");
			expect(createdBy, name).toContain('{"type":"null"}');
		}
	});
});
