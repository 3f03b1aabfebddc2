/**
 * The cast and the things they own, built through the HTTP API the way clients build them (direct D1
 * writes only for what no endpoint of the caller may do: trust levels, roles, guide profiles).
 *
 * One `World` per test file (storage is isolated per file). Callers of every kind the authorization matrix
 * names, an owner with one resource of every kind, and `make.*` for fresh resources when a case would
 * destroy the shared one (deleting, cancelling, deciding…).
 */
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { png } from "../../media/fixtures";
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../../support/api";

export const API = "/api/v1";

/** Every kind of caller the matrix runs as. */
export const CALLER_KINDS = [
	"anonymous",
	"new_sprout",
	"growing",
	"good_soil",
	"flourishing",
	"guide",
	"guardian",
	"suspended",
	"blocked",
	"owner",
	"stranger",
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];
export type SignedInKind = Exclude<CallerKind, "anonymous">;

export interface RequestOptions {
	as?: TestUser | undefined;
	body?: unknown;
	headers?: Record<string, string>;
}

export function request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
	return call(method, path.startsWith("/api/") || path === "/" || path === "/health" ? path : API + path, {
		...(options.as ? { token: options.as.token } : {}),
		...(options.body !== undefined ? { body: options.body } : {}),
		...(options.headers ? { headers: options.headers } : {}),
	});
}

/** A request that must answer `status`; returns the parsed body. */
export async function must<T = Record<string, unknown>>(
	status: number,
	method: string,
	path: string,
	options: RequestOptions = {},
): Promise<T> {
	const response = await request(method, path, options);
	try {
		return await expectStatus<T>(response, status);
	} catch (error) {
		throw new Error(`fixture ${method} ${path}: ${(error as Error).message}`);
	}
}

export const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

let labels = 0;
const label = (kind: string) => `sec-${kind}-${(labels++).toString(36)}`;

/** A new person at a trust level (and optionally a role). */
export async function person(
	trust: "new_sprout" | "growing" | "good_soil" | "flourishing" = "new_sprout",
	extra: Record<string, string> = {},
): Promise<TestUser> {
	const user = await signUp(label(trust));
	if (trust !== "new_sprout" || Object.keys(extra).length > 0) {
		await setUserColumns(user.id, { trust_level: trust, ...extra });
	}
	return user;
}

/** A verified guide: role guide, good_soil, and a guide profile (as an approved application leaves them). */
export async function guide(maxMentees = 50): Promise<TestUser> {
	const user = await person("good_soil", { role: "guide" });
	const now = new Date().toISOString();
	await env.DB.prepare(
		`INSERT INTO guide_profiles (id, user_id, headline, specialties, experience, availability, accepting_mentees, max_mentees, created_at, updated_at)
		 VALUES (?, ?, 'Here to listen', '["anxiety"]', '', 'evenings', 1, ?, ?, ?)`,
	)
		.bind(crypto.randomUUID(), user.id, maxMentees, now, now)
		.run();
	return user;
}

export async function guardian(): Promise<TestUser> {
	// Trust stays new_sprout: a guardian passes every trust check by role alone.
	return person("new_sprout", { role: "guardian" });
}

// ---------------------------------------------------------------- resources

type Id = { id: string };

export const habit = (owner: TestUser) =>
	must<Id>(201, "POST", "/garden/habits", {
		as: owner,
		body: { name: "Evening stretch", category: "health" },
	});

/**
 * A push subscription of `owner` on the stand-in push service. The keys are RFC 8291's example receiver's
 * (a valid P-256 point and secret); the endpoint is new each time, so each call is a new subscription.
 */
export const pushSubscriptionBody = () => ({
	endpoint: `https://push.test/push/${crypto.randomUUID()}`,
	expirationTime: null,
	keys: {
		p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
		auth: "BTBZMqHH6r4Tts7J_aSIgg",
	},
});

export const pushSubscription = (owner: TestUser) =>
	must<Id>(201, "POST", "/push/subscriptions", { as: owner, body: pushSubscriptionBody() });

/** An upload of `owner`'s, unattached: a small PNG. */
export const mediaUpload = (owner: TestUser) =>
	must<Id>(201, "POST", "/media", { as: owner, body: png(), headers: { "Content-Type": "image/png" } });

export async function habitWithLog(owner: TestUser) {
	const created = await habit(owner);
	const logged = await must<{ log: Id }>(201, "POST", `/garden/habits/${created.id}/logs`, {
		as: owner,
		body: {},
	});
	return { habitId: created.id, logId: logged.log.id };
}

export const post = (owner: TestUser, body: Record<string, unknown> = {}) =>
	must<Id & { poll: { options: Id[] } | null }>(201, "POST", "/flourish/posts", {
		as: owner,
		body: { type: "text", body: "A quiet morning walk did me good.", ...body },
	});

export const comment = (author: TestUser, postId: string, body = "Lovely to read.") =>
	must<Id>(201, "POST", `/flourish/posts/${postId}/comments`, { as: author, body: { body } });

export const share = (owner: TestUser, body: Record<string, unknown> = {}) =>
	must<Id>(201, "POST", "/sunlight", {
		as: owner,
		body: { share_type: "gratitude", body: "Grateful for friends who listen.", ...body },
	});

export const group = (owner: TestUser, body: Record<string, unknown> = {}) =>
	must<Id>(201, "POST", "/fellowship/groups", {
		as: owner,
		body: { name: "Morning runners", group_type: "wellness", ...body },
	});

export const event = (owner: TestUser, groupId: string) =>
	must<Id>(201, "POST", `/fellowship/groups/${groupId}/events`, {
		as: owner,
		body: {
			title: "Saturday run",
			event_type: "in_person",
			location: "The park gate",
			starts_at: inHours(48),
			ends_at: inHours(50),
		},
	});

export const joinGroup = (user: TestUser, groupId: string) =>
	must(201, "POST", `/fellowship/groups/${groupId}/members`, { as: user });

export const project = (owner: TestUser, body: Record<string, unknown> = {}) =>
	must<Id>(201, "POST", "/teamup/projects", {
		as: owner,
		body: { title: "Community garden", project_type: "community_service", ...body },
	});

export const joinProject = (user: TestUser, projectId: string) =>
	must(201, "POST", `/teamup/projects/${projectId}/members`, { as: user });

export async function connect(a: TestUser, b: TestUser): Promise<string> {
	const asked = await must<Id>(201, "POST", "/orchard/connections", { as: a, body: { user_id: b.id } });
	await must(200, "PATCH", `/orchard/connections/${asked.id}`, { as: b, body: { status: "accepted" } });
	return asked.id;
}

export const askToConnect = (from: TestUser, to: TestUser) =>
	must<Id>(201, "POST", "/orchard/connections", { as: from, body: { user_id: to.id } });

export const block = (blocker: TestUser, blocked: TestUser) =>
	must(201, "PUT", `/orchard/blocks/${blocked.id}`, { as: blocker });

export const mentorship = (mentee: TestUser, guideUser: TestUser) =>
	must<Id>(201, "POST", "/orchard/mentorships", {
		as: mentee,
		body: { guide_id: guideUser.id, goals: "Build a steady evening routine." },
	});

export interface SupportFixture {
	id: string;
	token: string;
}

export async function supportRequest(
	author: TestUser,
	body: Record<string, unknown> = {},
): Promise<SupportFixture> {
	const created = await must<{ request: Id; token: string }>(201, "POST", "/support/requests", {
		as: author,
		body: {
			title: "Feeling stuck lately",
			body: "Work has been overwhelming and I do not know who to talk to.",
			category: "stress",
			...body,
		},
	});
	return { id: created.request.id, token: created.token };
}

export const supportResponse = (responder: TestUser, requestId: string) =>
	must<Id>(201, "POST", `/support/requests/${requestId}/responses`, {
		as: responder,
		body: { body: "You are not alone; small steps count." },
	});

export const guideApplication = (applicant: TestUser) =>
	must<Id>(201, "POST", "/trust/guide-applications", {
		as: applicant,
		body: { motivation: "I have walked this road and want to help others on it." },
	});

export const nourishmentItem = (curator: TestUser) =>
	must<Id>(201, "POST", "/nourishment", {
		as: curator,
		body: {
			title: "Breathe",
			body: "Three slow breaths.",
			content_type: "exercise",
			category: "mindfulness",
		},
	});

/** A queue item, raised by `reporter` reporting `postId`. */
export async function queueItem(reporter: TestUser, postId: string): Promise<string> {
	await must(201, "POST", "/reports", {
		as: reporter,
		body: { target_type: "post", target_id: postId, reason: "spam" },
	});
	const row = await env.DB.prepare("SELECT id FROM moderation_queue_items WHERE target_id = ?")
		.bind(postId)
		.first<Id>();
	if (!row) throw new Error("no queue item after a report");
	return row.id;
}

/** Suspends `user` through the guardian endpoint (a penalty row they may appeal); returns the penalty id. */
export async function suspend(by: TestUser, user: TestUser): Promise<string> {
	await must(200, "PATCH", `/guardians/users/${user.id}`, {
		as: by,
		body: { suspension: { duration: "7d" }, reason: "Repeated harassment." },
	});
	const row = await env.DB.prepare(
		"SELECT id FROM penalties WHERE user_id = ? AND kind = 'suspension' ORDER BY id DESC LIMIT 1",
	)
		.bind(user.id)
		.first<Id>();
	if (!row) throw new Error("no penalty after a suspension");
	return row.id;
}

export const appeal = (user: TestUser, penaltyId: string) =>
	must<Id>(201, "POST", "/appeals", {
		as: user,
		body: { penalty_id: penaltyId, body: "I was defending a friend; please look again." },
	});

// ---------------------------------------------------------------- the world

export interface World {
	/** One user per signed-in caller kind. */
	callers: Record<SignedInKind, TestUser>;
	owner: TestUser;
	/** The owner's accepted connection (they may chat). */
	friend: TestUser;
	/** A guide in a (requested) mentorship with the owner. */
	mentor: TestUser;
	/** A guide with free places, for new mentorship requests. */
	openGuide: TestUser;
	/** Sent the owner a connection request that is still pending. */
	bystander: TestUser;
	/** People nobody else relates to: what callers block, invite, and guardians administer. */
	blockTarget: TestUser;
	invitee: TestUser;
	adminTarget: TestUser;
	/** Active member of the owner's group and project (target of member changes). */
	member: TestUser;
	habitId: string;
	logId: string;
	/** One of the owner's push subscriptions. */
	pushSubscriptionId: string;
	/** One of the owner's uploads, unattached. */
	mediaId: string;
	posts: Record<
		"public" | "connections" | "group" | "private" | "poll" | "reported" | "reportable" | "reportablePrivate",
		string
	>;
	pollOptionId: string;
	commentId: string;
	shares: Record<"named" | "anonymous", string>;
	groupId: string;
	secretGroupId: string;
	/** A public group no caller belongs to, for joins. */
	openGroupId: string;
	eventId: string;
	secretEventId: string;
	projectId: string;
	privateProjectId: string;
	/** A public project no caller belongs to, for joins. */
	openProjectId: string;
	connectionId: string;
	/** A request someone sent the owner, still pending. */
	pendingConnectionId: string;
	mentorshipId: string;
	support: Record<
		"community" | "guidesOnly" | "forEdit" | "forStatus" | "forDelete" | "forHelpful",
		SupportFixture
	>;
	/** A response to `support.forHelpful`. */
	responseId: string;
	guideApplicationId: string;
	queueItemId: string;
	/** The suspended caller's own penalty (they may appeal it once). */
	penaltyId: string;
	/** Someone else's pending appeal, for guardians to decide. */
	appealId: string;
	nourishmentId: string;
	/** The owner blocks this person too (a block the owner may lift). */
	blockedByOwner: TestUser;
}

/** Builds the cast and their resources: roughly 90 requests, a few seconds. */
export async function buildWorld(): Promise<World> {
	const [newSprout, growing, goodSoil, flourishing, guideUser, guardianUser, suspended, blocked] =
		await Promise.all([
			person("new_sprout"),
			person("growing"),
			person("good_soil"),
			person("flourishing"),
			guide(),
			guardian(),
			person("growing"),
			person("growing"),
		]);
	const [blockTarget, invitee, adminTarget] = await Promise.all([person(), person(), person()]);
	const [owner, stranger, friend, mentor, openGuide, bystander, member, blockedByOwner, appellant] =
		await Promise.all([
			person("flourishing"),
			person("flourishing"),
			person("new_sprout"),
			guide(),
			guide(),
			person("new_sprout"),
			person("new_sprout"),
			person("new_sprout"),
			person("new_sprout"),
		]);

	const callers: Record<SignedInKind, TestUser> = {
		new_sprout: newSprout,
		growing,
		good_soil: goodSoil,
		flourishing,
		guide: guideUser,
		guardian: guardianUser,
		suspended,
		blocked,
		owner,
		stranger,
	};

	// Relations first: blocks hide, connections open the connections-only post and chat.
	const connectionId = await connect(owner, friend);
	await block(owner, blocked);
	await block(owner, blockedByOwner);
	const pendingConnectionId = (await askToConnect(bystander, owner)).id;
	const mentorshipId = (await mentorship(owner, mentor)).id;

	// Garden.
	const { habitId, logId } = await habitWithLog(owner);
	const { id: pushSubscriptionId } = await pushSubscription(owner);
	const { id: mediaId } = await mediaUpload(owner);

	// Groups and projects (the owner is flourishing: may create both).
	const groupId = (await group(owner)).id;
	const secretGroupId = (await group(owner, { name: "Quiet circle", visibility: "secret" })).id;
	const openGroupId = (await group(owner, { name: "Open doors" })).id;
	await joinGroup(member, groupId);
	const eventId = (await event(owner, groupId)).id;
	const secretEventId = (await event(owner, secretGroupId)).id;
	const projectId = (await project(owner)).id;
	const privateProjectId = (await project(owner, { title: "Private plans", visibility: "private" })).id;
	const openProjectId = (await project(owner, { title: "Open hands" })).id;
	await joinProject(member, projectId);

	// Feed content of every visibility, a poll and a comment.
	const closesAt = inHours(24 * 7);
	const publicPost = await post(owner);
	const connectionsPost = await post(owner, { visibility: "connections", body: "For my connections." });
	const groupPost = await post(owner, { visibility: "group", group_id: groupId, body: "For the group." });
	const privatePost = await post(owner, { visibility: "private", body: "My private journal entry." });
	const poll = await post(owner, {
		type: "poll",
		body: "Best time to walk?",
		poll: { options: ["Morning", "Evening"], closes_at: closesAt },
	});
	const reported = await post(owner, { body: "Something someone will report." });
	const reportable = await post(owner, { body: "Something everyone may report." });
	const reportablePrivate = await post(owner, { visibility: "private", body: "Nobody may report this." });
	const commentId = (await comment(owner, publicPost.id)).id;

	// Sunlight, named and anonymous.
	const named = (await share(owner)).id;
	const anonymous = (await share(owner, { anonymous: true, body: "Grateful, quietly." })).id;

	// Anonymous support: one request per token route, so wrong tokens never reach the per-request limiter.
	const support = {
		community: await supportRequest(owner),
		guidesOnly: await supportRequest(owner, { visibility: "guides_only" }),
		forEdit: await supportRequest(owner),
		forStatus: await supportRequest(owner),
		forDelete: await supportRequest(owner),
		forHelpful: await supportRequest(owner),
	};
	const responseId = (await supportResponse(guideUser, support.forHelpful.id)).id;

	// Trust and guardians.
	const guideApplicationId = (await guideApplication(owner)).id;
	const queueItemId = await queueItem(friend, reported.id);
	const penaltyId = await suspend(guardianUser, suspended);
	const appellantPenalty = await suspend(guardianUser, appellant);
	const appealId = (await appeal(appellant, appellantPenalty)).id;
	const nourishmentId = (await nourishmentItem(guardianUser)).id;

	const pollOptionId = poll.poll?.options[0]?.id;
	if (!pollOptionId) throw new Error("the poll has no options");
	return {
		callers,
		owner,
		friend,
		mentor,
		openGuide,
		bystander,
		blockTarget,
		invitee,
		adminTarget,
		member,
		habitId,
		pushSubscriptionId,
		mediaId,
		logId,
		posts: {
			public: publicPost.id,
			connections: connectionsPost.id,
			group: groupPost.id,
			private: privatePost.id,
			poll: poll.id,
			reported: reported.id,
			reportable: reportable.id,
			reportablePrivate: reportablePrivate.id,
		},
		pollOptionId,
		commentId,
		shares: { named, anonymous },
		groupId,
		secretGroupId,
		openGroupId,
		eventId,
		secretEventId,
		projectId,
		privateProjectId,
		openProjectId,
		connectionId,
		pendingConnectionId,
		mentorshipId,
		support,
		responseId,
		guideApplicationId,
		queueItemId,
		penaltyId,
		appealId,
		nourishmentId,
		blockedByOwner,
	};
}

/**
 * Mutes the one-line-per-request info log (thousands of lines here, each shipped from workerd to the test
 * runner); warnings and errors still show. The log itself is tested in test/privacy/structured-logs.test.ts.
 */
export function quietRequestLog(): void {
	vi.spyOn(console, "log").mockImplementation(() => {});
}

/** Runs `tasks` with at most `limit` in flight (the Worker shares two cores with everything else). */
export async function inBatches<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
	const results: T[] = new Array(tasks.length);
	let next = 0;
	async function worker() {
		while (next < tasks.length) {
			const index = next++;
			const task = tasks[index];
			if (task) results[index] = await task();
		}
	}
	await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
	return results;
}
