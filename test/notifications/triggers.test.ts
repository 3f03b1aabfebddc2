/**
 * The triggers of the notifications beyond the feed and connections: mentorships, group invitations and
 * join requests, project invitations, moderation of a person's content, appeals, suspensions, trust levels
 * and applications. Each one, through HTTP: exactly one notification for exactly the right people, with
 * its type, subject, actors (none for moderation and the system — never the reporter) and sentence; a
 * retried or repeated request writes no second row; never one's own action; never across a block where a
 * blocked person can still act; never a type the person turned off.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recheckUncheckedContent } from "../../src/core/moderation/recheck";
import { createGroup, invite, join, organiser } from "../fellowship/helpers";
import {
	commentBy,
	decide,
	established,
	guardian,
	person,
	postBy,
	queueItemFor,
	reported,
	shareBy,
} from "../guardians/helpers";
import { insertRow } from "../ml/fixtures";
import { growingUser, makeGuide } from "../orchard/helpers";
import {
	call,
	callWithConfig,
	expectProblem,
	expectStatus,
	setUserColumns,
	signUp,
	type TestUser,
} from "../support/api";
import { createProject, grower, inviteToProject } from "../teamup/helpers";
import { addContributions, addReactionsReceived, ago, DAY_MS, MINUTE_MS, userAt } from "../trust/fixtures";

type Notification = {
	id: string;
	type: string;
	actors: Array<{ id: string; display_name: string }>;
	actor_count: number;
	subject: { type: string; id: string };
	text: string;
};
type Page = { data: Notification[]; next_cursor: string | null; unread_count: number };

const inbox = async (user: TestUser) =>
	(await expectStatus<Page>(await call("GET", "/api/v1/notifications?limit=100", { token: user.token }), 200))
		.data;

/** The person's notifications of one type (read straight from the list). */
const ofType = async (user: TestUser, type: string) => (await inbox(user)).filter((n) => n.type === type);

/** Exactly one notification of `type` for `user`; returned. */
async function onlyOne(user: TestUser, type: string): Promise<Notification> {
	const found = await ofType(user, type);
	expect(found, `${type} notifications`).toHaveLength(1);
	return found[0] as Notification;
}

/** Rows in D1, whoever they are for: proves nothing was written anywhere (not only not listed). */
async function rowsWhere(type: string, groupKeyLike = "%"): Promise<number> {
	const row = await env.DB.prepare(
		"SELECT count(*) AS n FROM notifications WHERE type = ? AND group_key LIKE ?",
	)
		.bind(type, groupKeyLike)
		.first<{ n: number }>();
	return Number(row?.n ?? 0);
}

const turnOff = async (user: TestUser, type: string) =>
	expectStatus(
		await call("PATCH", "/api/v1/notifications/preferences", {
			token: user.token,
			body: { types: { [type]: { in_app: false } } },
		}),
		200,
	);

const block = async (blocker: TestUser, blocked: TestUser) =>
	expectStatus(await call("PUT", `/api/v1/orchard/blocks/${blocked.id}`, { token: blocker.token }), 201);

// ---------------------------------------------------------------- orchard: mentorships

const askGuide = (mentee: TestUser, guideId: string, headers: Record<string, string> = {}) =>
	call("POST", "/api/v1/orchard/mentorships", {
		token: mentee.token,
		body: { guide_id: guideId, goals: "Sleep better", message: "Could you help me?" },
		headers,
	});
const moveMentorship = (by: TestUser, id: string, status: string) =>
	call("PATCH", `/api/v1/orchard/mentorships/${id}`, { token: by.token, body: { status } });

describe("mentorship_request and mentorship_update", () => {
	it("tells the guide who asked, once, even when the request is retried", async () => {
		const guide = await makeGuide("t-mr-guide");
		const mentee = await growingUser("t-mr-mentee");
		await setUserColumns(mentee.id, { display_name: "Mia" });
		const headers = { "Idempotency-Key": "ask-guide-once" };
		const asked = await expectStatus<{ id: string }>(await askGuide(mentee, guide.id, headers), 201);
		const again = await expectStatus<{ id: string }>(await askGuide(mentee, guide.id, headers), 201);
		expect(again.id).toBe(asked.id);
		const told = await onlyOne(guide, "mentorship_request");
		expect(told).toMatchObject({
			actors: [expect.objectContaining({ id: mentee.id, display_name: "Mia" })],
			actor_count: 1,
			subject: { type: "mentorship", id: asked.id },
			text: "Mia asked you to be their guide.",
		});
		expect(await inbox(mentee)).toEqual([]);
		expect(await rowsWhere("mentorship_request", `%${asked.id}%`)).toBe(1);
	});

	it("tells the mentee when the guide accepts or declines, and the other side when one ends it", async () => {
		const guide = await makeGuide("t-mu-guide", { maxMentees: 5 });
		await setUserColumns(guide.id, { display_name: "Gus" });
		const [first, second, third] = await Promise.all(
			["t-mu-first", "t-mu-second", "t-mu-third"].map((label) => growingUser(label)),
		);
		const ids: string[] = [];
		for (const mentee of [first, second, third] as TestUser[]) {
			ids.push((await expectStatus<{ id: string }>(await askGuide(mentee, guide.id), 201)).id);
		}
		const [firstId, secondId, thirdId] = ids as [string, string, string];

		// Accepted: the mentee is told, by the guide; a repeated accept is 409 and writes nothing.
		await expectStatus(await moveMentorship(guide, firstId, "accepted"), 200);
		await expectProblem(await moveMentorship(guide, firstId, "accepted"), 409);
		expect(await onlyOne(first as TestUser, "mentorship_update")).toMatchObject({
			actors: [expect.objectContaining({ id: guide.id, display_name: "Gus" })],
			subject: { type: "mentorship", id: firstId },
			text: "Your mentorship was accepted.",
		});
		// Completed by the mentee: the guide is told, not the mentee (their own action).
		await expectStatus(await moveMentorship(first as TestUser, firstId, "completed"), 200);
		expect((await ofType(first as TestUser, "mentorship_update")).map((n) => n.text)).toEqual([
			"Your mentorship was accepted.",
		]);
		expect(await onlyOne(guide, "mentorship_update")).toMatchObject({
			actors: [expect.objectContaining({ id: (first as TestUser).id })],
			subject: { type: "mentorship", id: firstId },
			text: "Your mentorship was completed.",
		});

		// Declined: the mentee is told.
		await expectStatus(await moveMentorship(guide, secondId, "declined"), 200);
		expect((await onlyOne(second as TestUser, "mentorship_update")).text).toBe(
			"Your mentorship was declined.",
		);

		// Cancelled by the mentee after acceptance: the guide is told; completed by the guide: the mentee.
		await expectStatus(await moveMentorship(guide, thirdId, "accepted"), 200);
		await expectStatus(await moveMentorship(third as TestUser, thirdId, "cancelled"), 200);
		expect((await ofType(guide, "mentorship_update")).map((n) => [n.subject.id, n.text])).toEqual([
			[thirdId, "Your mentorship was cancelled."],
			[firstId, "Your mentorship was completed."],
		]);
		expect((await ofType(third as TestUser, "mentorship_update")).map((n) => n.text)).toEqual([
			"Your mentorship was accepted.",
		]);
	});

	it("writes nothing of a type the person turned off", async () => {
		const guide = await makeGuide("t-mr-off-guide");
		const mentee = await growingUser("t-mr-off-mentee");
		await turnOff(guide, "mentorship_request");
		await turnOff(mentee, "mentorship_update");
		const asked = await expectStatus<{ id: string }>(await askGuide(mentee, guide.id), 201);
		await expectStatus(await moveMentorship(guide, asked.id, "accepted"), 200);
		expect(await rowsWhere("mentorship_request", `%${asked.id}%`)).toBe(0);
		expect(await rowsWhere("mentorship_update", `%${asked.id}%`)).toBe(0);
	});
});

// ---------------------------------------------------------------- fellowship

describe("group_invitation", () => {
	it("tells the person invited, by whom and to which group, once", async () => {
		const owner = await organiser("t-gi-owner");
		await setUserColumns(owner.id, { display_name: "Olive" });
		const group = await createGroup(owner, { name: "Dawn walkers", visibility: "secret" });
		const invitee = await signUp("t-gi-invitee");
		const headers = { "Idempotency-Key": "invite-once" };
		const path = `/api/v1/fellowship/groups/${group.id}/invitations`;
		for (let i = 0; i < 2; i++) {
			await expectStatus(
				await call("POST", path, { token: owner.token, body: { user_id: invitee.id }, headers }),
				201,
			);
		}
		await expectProblem(await invite(owner, group.id, invitee.id), 409);
		expect(await onlyOne(invitee, "group_invitation")).toMatchObject({
			actors: [expect.objectContaining({ id: owner.id, display_name: "Olive" })],
			subject: { type: "group", id: group.id },
			text: "Olive invited you to join “Dawn walkers”.",
		});
		expect(await inbox(owner)).toEqual([]);
		// Accepting tells no one; a type turned off is not written.
		await expectStatus(await join(invitee, group.id), 201);
		const quiet = await signUp("t-gi-quiet");
		await turnOff(quiet, "group_invitation");
		await expectStatus(await invite(owner, group.id, quiet.id), 201);
		expect(await rowsWhere("group_invitation", `%`)).toBeGreaterThan(0);
		expect(await inbox(quiet)).toEqual([]);
	});
});

describe("group_join_request", () => {
	const setRole = (by: TestUser, groupId: string, userId: string, role: string) =>
		call("PATCH", `/api/v1/fellowship/groups/${groupId}/members/${userId}`, {
			token: by.token,
			body: { role },
		});

	async function memberWithRole(owner: TestUser, groupId: string, label: string, role: string) {
		const user = await signUp(label);
		await expectStatus(await invite(owner, groupId, user.id), 201);
		await expectStatus(await join(user, groupId), 201);
		if (role !== "member") await expectStatus(await setRole(owner, groupId, user.id, role), 200);
		return user;
	}

	it("tells each owner and moderator of a private group, once, never across a block, not members", async () => {
		const owner = await organiser("t-gj-owner");
		const group = await createGroup(owner, { name: "Quiet readers", visibility: "private" });
		const coOwner = await memberWithRole(owner, group.id, "t-gj-coowner", "owner");
		const moderator = await memberWithRole(owner, group.id, "t-gj-mod", "moderator");
		const blockingModerator = await memberWithRole(owner, group.id, "t-gj-blockmod", "moderator");
		const quietModerator = await memberWithRole(owner, group.id, "t-gj-quietmod", "moderator");
		const member = await memberWithRole(owner, group.id, "t-gj-member", "member");
		await turnOff(quietModerator, "group_join_request");
		for (const user of [owner, coOwner, moderator, blockingModerator, quietModerator, member]) {
			await expectStatus(
				await call("POST", "/api/v1/notifications/read", { token: user.token, body: { all: true } }),
				200,
			);
		}
		const before = await Promise.all(
			[owner, coOwner, moderator, blockingModerator, quietModerator, member].map(
				async (u) => (await inbox(u)).length,
			),
		);

		const asker = await signUp("t-gj-asker", { name: "Ray" });
		await block(blockingModerator, asker);
		const headers = { "Idempotency-Key": "ask-to-join" };
		const path = `/api/v1/fellowship/groups/${group.id}/members`;
		for (let i = 0; i < 2; i++) {
			const membership = await expectStatus<{ status: string }>(
				await call("POST", path, { token: asker.token, headers }),
				201,
			);
			expect(membership.status).toBe("pending");
		}
		await expectProblem(await join(asker, group.id), 409);

		for (const manager of [owner, coOwner, moderator]) {
			expect(await onlyOne(manager, "group_join_request")).toMatchObject({
				actors: [expect.objectContaining({ id: asker.id, display_name: "Ray" })],
				subject: { type: "group", id: group.id },
				text: "Ray asked to join “Quiet readers”.",
			});
		}
		for (const user of [blockingModerator, quietModerator, member, asker]) {
			expect(await ofType(user, "group_join_request")).toEqual([]);
		}
		const after = await Promise.all(
			[owner, coOwner, moderator, blockingModerator, quietModerator, member].map(
				async (u) => (await inbox(u)).length,
			),
		);
		expect(after.map((n, i) => n - (before[i] ?? 0))).toEqual([1, 1, 1, 0, 0, 0]);

		// A public group lets people in at once: nobody is asked.
		const open = await createGroup(owner, { name: "Open circle", visibility: "public" });
		await expectStatus(await join(await signUp("t-gj-open"), open.id), 201);
		expect(await ofType(owner, "group_join_request")).toHaveLength(1);
	});

	it("tells at most 20 managers of a group (owners first)", async () => {
		const owner = await organiser("t-gj-many-owner");
		const group = await createGroup(owner, { name: "Big circle", visibility: "private" });
		const now = new Date().toISOString();
		const ids = Array.from({ length: 24 }, () => crypto.randomUUID());
		await env.DB.batch(
			ids.flatMap((id, i) => [
				env.DB.prepare(
					"INSERT INTO users (id, auth0_sub, display_name, trust_level_since, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
				).bind(id, `test|many-mod-${id}`, `Moderator ${i}`, now),
				env.DB.prepare(
					"INSERT INTO group_members (id, group_id, user_id, role, status, created_at, updated_at) VALUES (?1, ?2, ?3, 'moderator', 'active', ?4, ?4)",
				).bind(crypto.randomUUID(), group.id, id, now),
			]),
		);
		const asker = await signUp("t-gj-many-asker");
		await expectStatus(await join(asker, group.id), 201);
		expect(await rowsWhere("group_join_request", `%`)).toBeGreaterThan(0);
		const told = await env.DB.prepare(
			"SELECT user_id FROM notifications WHERE type = 'group_join_request' AND actor_ids LIKE ?",
		)
			.bind(`%${asker.id}%`)
			.all<{ user_id: string }>();
		expect(told.results).toHaveLength(20);
		expect(told.results.map((row) => row.user_id)).toContain(owner.id);
	});
});

// ---------------------------------------------------------------- team up

describe("project_invitation", () => {
	it("tells the person invited, by whom and to which project, once; never the inviter", async () => {
		const owner = await grower("t-pi-owner");
		await setUserColumns(owner.id, { display_name: "Pat" });
		const project = await createProject(owner, { title: "Seed library", visibility: "private" });
		const invitee = await signUp("t-pi-invitee");
		const headers = { "Idempotency-Key": "invite-to-project" };
		const path = `/api/v1/teamup/projects/${project.id}/invitations`;
		for (let i = 0; i < 2; i++) {
			await expectStatus(
				await call("POST", path, { token: owner.token, body: { user_id: invitee.id }, headers }),
				201,
			);
		}
		await expectProblem(await inviteToProject(owner, project.id, invitee.id), 409);
		expect(await onlyOne(invitee, "project_invitation")).toMatchObject({
			actors: [expect.objectContaining({ id: owner.id, display_name: "Pat" })],
			subject: { type: "project", id: project.id },
			text: "Pat invited you to “Seed library”.",
		});
		expect(await inbox(owner)).toEqual([]);
		const quiet = await signUp("t-pi-quiet");
		await turnOff(quiet, "project_invitation");
		await expectStatus(await inviteToProject(owner, project.id, quiet.id), 201);
		expect(await inbox(quiet)).toEqual([]);
	});
});

// ---------------------------------------------------------------- moderation of content

/** The JSON of every notification anyone has: the reporter's id must appear nowhere. */
async function allNotificationsJson(): Promise<string> {
	const { results } = await env.DB.prepare("SELECT * FROM notifications").all();
	return JSON.stringify(results);
}

describe("content_moderated", () => {
	it("tells the author when reports hide their post, when it is restored, and when hidden again", async () => {
		const author = await signUp("t-cm-author");
		const postId = await postBy(author.id);
		const reporter = await established("flourishing", "t-cm-reporter");
		await reported(reporter, "post", postId, "spam");
		const hidden = await onlyOne(author, "content_moderated");
		expect(hidden).toMatchObject({
			actors: [],
			actor_count: 0,
			subject: { type: "post", id: postId },
			text: "Your post was hidden by the moderators.",
		});
		// A further report on hidden content hides nothing new: no second notification.
		await reported(await established("flourishing", "t-cm-reporter-2"), "post", postId, "spam");
		expect(await ofType(author, "content_moderated")).toHaveLength(1);
		expect(await ofType(reporter, "content_moderated")).toEqual([]);

		const judge = await guardian("t-cm-judge");
		const item = await queueItemFor("post", postId);
		await expectStatus(await decide(judge, item.id, { decision: "dismiss", reason: "Fine" }), 200);
		await expectProblem(await decide(judge, item.id, { decision: "dismiss", reason: "Fine" }), 409);
		// The same post can be hidden again later (a new wave of reports): that is news again.
		await reported(await established("flourishing", "t-cm-reporter-3"), "post", postId, "spam");
		expect((await ofType(author, "content_moderated")).map((n) => n.text)).toEqual([
			"Your post was hidden by the moderators.",
			"Your post was restored by the moderators.",
			"Your post was hidden by the moderators.",
		]);
		const json = await allNotificationsJson();
		expect(json).not.toContain(reporter.id);
		expect(json).not.toContain(judge.id);
		expect(JSON.stringify(await inbox(author))).not.toContain(reporter.id);
	});

	it("tells the author when reports reach the hide weight", async () => {
		const author = await signUp("t-cm-weight-author");
		const postId = await postBy(author.id);
		const reporters = await Promise.all(
			["a", "b", "c"].map((l) => established("growing", `t-cm-weight-${l}`)),
		);
		for (const [i, reporter] of reporters.entries()) {
			await reported(reporter, "post", postId, "other");
			expect(await ofType(author, "content_moderated")).toHaveLength(i < 2 ? 0 : 1);
		}
		const json = await allNotificationsJson();
		for (const reporter of reporters) expect(json).not.toContain(reporter.id);
	});

	it("tells the author of a removed comment once, even if they blocked the guardian", async () => {
		const author = await signUp("t-cm-rm-author");
		const postId = await postBy((await signUp("t-cm-rm-host")).id);
		const commentId = await commentBy(author.id, postId, "Buy cheap pills here");
		const reporter = await signUp("t-cm-rm-reporter");
		await reported(reporter, "comment", commentId, "spam");
		const judge = await guardian("t-cm-rm-judge");
		await block(author, judge);
		const item = await queueItemFor("comment", commentId);
		await expectStatus(await decide(judge, item.id, { decision: "remove_content", reason: "Spam" }), 200);
		await expectProblem(await decide(judge, item.id, { decision: "remove_content", reason: "Spam" }), 409);
		expect(await onlyOne(author, "content_moderated")).toMatchObject({
			actors: [],
			subject: { type: "comment", id: commentId },
			text: "Your comment was removed by the moderators.",
		});
		expect(await allNotificationsJson()).not.toContain(reporter.id);
	});

	it("tells the author of a post a guardian deletes, once", async () => {
		const author = await signUp("t-cm-del-author");
		const postId = await postBy(author.id);
		const judge = await guardian("t-cm-del-judge");
		await expectStatus(await call("DELETE", `/api/v1/flourish/posts/${postId}`, { token: judge.token }), 204);
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/posts/${postId}`, { token: judge.token }),
			404,
		);
		expect(await onlyOne(author, "content_moderated")).toMatchObject({
			actors: [],
			subject: { type: "post", id: postId },
			text: "Your post was removed by the moderators.",
		});
		// Deleting one's own post is no moderation.
		const own = await postBy(judge.id);
		await expectStatus(await call("DELETE", `/api/v1/flourish/posts/${own}`, { token: judge.token }), 204);
		expect(await inbox(judge)).toEqual([]);
	});

	it("tells the author of an anonymous share, without naming the share to anyone", async () => {
		const author = await signUp("t-cm-anon-author");
		const share = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/sunlight", {
				token: author.token,
				body: { share_type: "win", body: "Finally slept eight hours", anonymous: true },
			}),
			201,
		);
		await reported(await signUp("t-cm-anon-reporter"), "sunlight_share", share.id, "spam");
		const judge = await guardian("t-cm-anon-judge");
		const item = await queueItemFor("sunlight_share", share.id);
		await expectStatus(
			await decide(judge, item.id, { decision: "remove_content", reason: "Off topic" }),
			200,
		);
		expect(await onlyOne(author, "content_moderated")).toMatchObject({
			actors: [],
			subject: { type: "user", id: author.id },
			text: "Your Sunlight share was removed by the moderators.",
		});
		// A named share is told the same way.
		const named = await shareBy(author.id);
		await expectStatus(await call("DELETE", `/api/v1/sunlight/${named}`, { token: judge.token }), 204);
		expect(await ofType(author, "content_moderated")).toHaveLength(2);
	});

	it("tells nobody about an anonymous support request", async () => {
		const author = await signUp("t-cm-support-author");
		const before = await rowsWhere("content_moderated");
		const created = await expectStatus<{ request: { id: string } }>(
			await call("POST", "/api/v1/support/requests", {
				token: author.token,
				body: { title: "Buy followers", body: "Cheap followers at my site", category: "other" },
			}),
			201,
		);
		await reported(
			await established("flourishing", "t-cm-support-reporter"),
			"support_request",
			created.request.id,
			"spam",
		);
		const judge = await guardian("t-cm-support-judge");
		const item = await queueItemFor("support_request", created.request.id);
		await expectStatus(await decide(judge, item.id, { decision: "remove_content", reason: "Spam" }), 200);
		expect(await rowsWhere("content_moderated")).toBe(before);
		expect(await inbox(author)).toEqual([]);
	});

	it("tells the author when the scheduled re-check hides what was published while ML was down", async () => {
		const author = await signUp("t-cm-recheck-author");
		const postId = await insertRow("posts", {
			author_id: author.id,
			type: "text",
			body: "I will kill you if I see you again.",
			visibility: "public",
		});
		await recheckUncheckedContent(env);
		await recheckUncheckedContent(env);
		expect(await onlyOne(author, "content_moderated")).toMatchObject({
			actors: [],
			subject: { type: "post", id: postId },
			text: "Your post was hidden by the moderators.",
		});
	});

	it("tells nothing when ML hides a post as it is written (the answer already says pending_review)", async () => {
		const author = await signUp("t-cm-ml-author");
		const post = await expectStatus<{ pending_review: boolean }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: "I will kill you if I see you again.", visibility: "public" },
			}),
			201,
		);
		expect(post.pending_review).toBe(true);
		expect(await inbox(author)).toEqual([]);
	});

	it("writes nothing when the author turned the type off", async () => {
		const author = await signUp("t-cm-off-author");
		await turnOff(author, "content_moderated");
		const postId = await postBy(author.id);
		await reported(await established("flourishing", "t-cm-off-reporter"), "post", postId, "spam");
		expect(await rowsWhere("content_moderated", `%${postId}%`)).toBe(0);
	});
});

// ---------------------------------------------------------------- appeals and suspensions

async function suspendedByDecision(label: string) {
	const judge = await guardian(`${label}-judge`);
	const author = await signUp(`${label}-author`);
	const postId = await postBy(author.id);
	const reporter = await signUp(`${label}-reporter`);
	await reported(reporter, "post", postId, "harassment");
	const item = await queueItemFor("post", postId);
	const result = await expectStatus<{ penalty_id: string }>(
		await decide(judge, item.id, { decision: "suspend", duration: "30d", reason: "Insults" }),
		200,
	);
	return { judge, author, postId, reporter, penaltyId: result.penalty_id };
}

const appeal = (user: TestUser, penaltyId: string) =>
	call("POST", "/api/v1/appeals", {
		token: user.token,
		body: { penalty_id: penaltyId, body: "I was quoting someone else, please look again." },
	});
const decideAppeal = (by: TestUser, appealId: string, decision: string) =>
	call("PATCH", `/api/v1/guardians/appeals/${appealId}`, {
		token: by.token,
		body: { decision, notes: "Checked" },
	});
const administer = (by: TestUser, userId: string, body: Record<string, unknown>) =>
	call("PATCH", `/api/v1/guardians/users/${userId}`, { token: by.token, body });

describe("account_status and appeal_decided", () => {
	it("tells a person suspended by a queue decision (and that their post was removed), who can read it", async () => {
		const { author, postId, reporter, judge } = await suspendedByDecision("t-as-queue");
		// The suspended person may still read their notifications.
		const list = await inbox(author);
		expect(list.map((n) => [n.type, n.subject, n.text, n.actors])).toEqual(
			expect.arrayContaining([
				["account_status", { type: "user", id: author.id }, "Your account was suspended.", []],
				["content_moderated", { type: "post", id: postId }, "Your post was removed by the moderators.", []],
			]),
		);
		expect(list).toHaveLength(2);
		const json = await allNotificationsJson();
		expect(json).not.toContain(reporter.id);
		expect(json).not.toContain(judge.id);
	});

	it("tells the appellant whether their appeal was upheld or overturned, once", async () => {
		const upheld = await suspendedByDecision("t-ad-upheld");
		const appealed = await expectStatus<{ id: string }>(await appeal(upheld.author, upheld.penaltyId), 201);
		const reviewer = await guardian("t-ad-reviewer");
		await expectStatus(await decideAppeal(reviewer, appealed.id, "uphold"), 200);
		await expectProblem(await decideAppeal(reviewer, appealed.id, "uphold"), 409);
		expect(await onlyOne(upheld.author, "appeal_decided")).toMatchObject({
			actors: [],
			subject: { type: "appeal", id: appealed.id },
			text: "Your appeal was upheld.",
		});

		const overturned = await suspendedByDecision("t-ad-overturned");
		const second = await expectStatus<{ id: string }>(
			await appeal(overturned.author, overturned.penaltyId),
			201,
		);
		await expectStatus(await decideAppeal(reviewer, second.id, "overturn"), 200);
		expect(await onlyOne(overturned.author, "appeal_decided")).toMatchObject({
			actors: [],
			subject: { type: "appeal", id: second.id },
			text: "Your appeal was overturned.",
		});
		expect(await inbox(reviewer)).toEqual([]);
	});

	it("tells a person a guardian suspends, and when the suspension is lifted; each once", async () => {
		const admin = await guardian("t-as-admin");
		const target = await signUp("t-as-target");
		await expectStatus(
			await administer(admin, target.id, { suspension: { duration: "7d" }, reason: "Spam" }),
			200,
		);
		expect(await onlyOne(target, "account_status")).toMatchObject({
			actors: [],
			subject: { type: "user", id: target.id },
			text: "Your account was suspended.",
		});
		await expectStatus(await administer(admin, target.id, { suspension: null, reason: "Served" }), 200);
		await expectProblem(await administer(admin, target.id, { suspension: null, reason: "Again" }), 409);
		expect((await ofType(target, "account_status")).map((n) => n.text)).toEqual([
			"Your suspension was lifted.",
			"Your account was suspended.",
		]);
		expect(await inbox(admin)).toEqual([]);
	});

	it("writes nothing of a type the person turned off", async () => {
		const admin = await guardian("t-as-off-admin");
		const target = await signUp("t-as-off-target");
		await turnOff(target, "account_status");
		await expectStatus(
			await administer(admin, target.id, { suspension: { duration: "24h" }, reason: "x" }),
			200,
		);
		expect(await inbox(target)).toEqual([]);
	});
});

// ---------------------------------------------------------------- trust and applications

const decideApplication = (by: TestUser, id: string, decision: string) =>
	call("POST", `/api/v1/guardians/applications/${id}/decision`, {
		token: by.token,
		body: { decision, notes: "Thanks" },
	});

async function eligibleForGoodSoil(label: string): Promise<TestUser> {
	const user = await userAt("growing", 14, 30, label);
	await setUserColumns(user.id, { trust_level_since: ago(14 * DAY_MS + MINUTE_MS) });
	await addReactionsReceived(user.id, 5, 3);
	await addContributions(user.id, { posts: 18 });
	return user;
}

describe("trust_level and application_decided", () => {
	it("tells a person promoted to growing automatically, once", async () => {
		const user = await signUp("t-tl-auto");
		await setUserColumns(user.id, { created_at: ago(4 * DAY_MS) });
		await addContributions(user.id, { posts: 4 });
		const post = () =>
			callWithConfig({}, "POST", "/api/v1/flourish/posts", {
				token: user.token,
				body: { type: "text", body: "Another walk today", visibility: "public" },
			});
		await expectStatus(await post(), 201);
		await expectStatus(await post(), 201);
		expect(await onlyOne(user, "trust_level")).toMatchObject({
			actors: [],
			subject: { type: "user", id: user.id },
			text: "Your trust level is now growing.",
		});
	});

	it("tells a person whose level a guardian changes, never a guardian changing their own", async () => {
		const admin = await guardian("t-tl-admin");
		const target = await signUp("t-tl-target");
		await expectStatus(
			await administer(admin, target.id, { trust_level: "good_soil", reason: "Helper" }),
			200,
		);
		// The same level again is no change: nothing new.
		await expectStatus(
			await administer(admin, target.id, { trust_level: "good_soil", reason: "Helper" }),
			200,
		);
		expect(await onlyOne(target, "trust_level")).toMatchObject({
			actors: [],
			subject: { type: "user", id: target.id },
			text: "Your trust level is now good_soil.",
		});
		await expectStatus(await administer(admin, admin.id, { trust_level: "flourishing", reason: "Me" }), 200);
		expect(await inbox(admin)).toEqual([]);
	});

	it("tells the applicant of a trust application its decision, and their new level when approved", async () => {
		const reviewer = await guardian("t-app-reviewer");
		const approved = await eligibleForGoodSoil("t-app-approved");
		const rejected = await eligibleForGoodSoil("t-app-rejected");
		const ids: string[] = [];
		for (const user of [approved, rejected]) {
			ids.push(
				(
					await expectStatus<{ id: string }>(
						await call("POST", "/api/v1/trust/applications", {
							token: user.token,
							body: { statement: "Hi" },
						}),
						201,
					)
				).id,
			);
		}
		const [approvedId, rejectedId] = ids as [string, string];
		await expectStatus(await decideApplication(reviewer, approvedId, "approve"), 200);
		await expectProblem(await decideApplication(reviewer, approvedId, "approve"), 409);
		await expectStatus(await decideApplication(reviewer, rejectedId, "reject"), 200);
		expect(await onlyOne(approved, "application_decided")).toMatchObject({
			actors: [],
			subject: { type: "application", id: approvedId },
			text: "Your trust level application was approved.",
		});
		expect(await onlyOne(approved, "trust_level")).toMatchObject({
			text: "Your trust level is now good_soil.",
		});
		expect(await onlyOne(rejected, "application_decided")).toMatchObject({
			subject: { type: "application", id: rejectedId },
			text: "Your trust level application was rejected.",
		});
		expect(await ofType(rejected, "trust_level")).toEqual([]);
		expect(await inbox(reviewer)).toEqual([]);
	});

	it("tells the applicant of a guide application its decision", async () => {
		const reviewer = await guardian("t-guide-reviewer");
		const soil = await person("t-guide-applicant", { trust_level: "good_soil" });
		const applied = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/trust/guide-applications", {
				token: soil.token,
				body: { motivation: "I have walked through grief myself and want to help others do the same." },
			}),
			201,
		);
		await expectStatus(await decideApplication(reviewer, applied.id, "approve"), 200);
		expect(await onlyOne(soil, "application_decided")).toMatchObject({
			actors: [],
			subject: { type: "application", id: applied.id },
			text: "Your guide application was approved.",
		});
	});
});
