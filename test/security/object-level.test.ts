/**
 * OWASP API1, object by object: every kind of resource a person owns — habit, log, post, comment, share,
 * connection, mentorship, project, group, event, support request, application, appeal — read, changed or
 * deleted by someone else answers 404 (what they may not know exists) or 403 (what they may see but not
 * change), never its data; and after all of it the database is exactly as it was.
 *
 * Attacks include the classic id swaps: my habit with your log, my project with your member, a valid
 * support token of my request on yours.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestUser } from "../support/api";
import {
	appeal,
	comment,
	connect,
	event,
	group,
	guardian,
	guide,
	guideApplication,
	habitWithLog,
	inBatches,
	joinGroup,
	joinProject,
	mentorship,
	must,
	person,
	post,
	project,
	quietRequestLog,
	request,
	share,
	supportRequest,
	supportResponse,
	suspend,
} from "./support/world";

const CANARY = `canary${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const secret = (what: string) => `${CANARY} ${what}`;

interface Attack {
	what: string;
	as: TestUser;
	method: string;
	path: string;
	body?: unknown;
	headers?: Record<string, string>;
	/** 422 only where a validation error says nothing about whose the id is. */
	expect: 403 | 404 | 422;
}

/** Every row of every table (the test database is small), to prove denied requests changed nothing. */
async function databaseState(): Promise<string> {
	const { results: tables } = await env.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' AND sql NOT LIKE '%WITHOUT ROWID%' ORDER BY name",
	).all<{ name: string }>();
	const dump: Record<string, unknown[]> = {};
	for (const { name } of tables) {
		dump[name] = (await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()).results;
	}
	return JSON.stringify(dump);
}

let attacks: Attack[];

beforeAll(async () => {
	quietRequestLog();
	const [owner, stranger, guardianUser, mentor, friend, member, appellant, anotherGuide] = await Promise.all([
		person("flourishing"),
		person("flourishing"),
		guardian(),
		guide(),
		person(),
		person(),
		person(),
		guide(),
	]);
	const guideCaller = anotherGuide;
	const attackers = [stranger, guideCaller];

	// The owner's things, each carrying the canary in its text.
	const { habitId, logId } = await habitWithLog(owner);
	await must(200, "PATCH", `/garden/habits/${habitId}`, { as: owner, body: { name: secret("habit") } });
	const { habitId: strangerHabit } = await habitWithLog(stranger);
	const connectionId = await connect(owner, friend);
	const mentorshipId = (await mentorship(owner, mentor)).id;
	const privatePost = (await post(owner, { visibility: "private", body: secret("journal") })).id;
	const connectionsPost = (await post(owner, { visibility: "connections", body: secret("for friends") })).id;
	const publicPost = (await post(owner, { body: "A public post anyone may read." })).id;
	const privateComment = (await comment(owner, privatePost, secret("note to self"))).id;
	const publicComment = (await comment(owner, publicPost, "A public comment.")).id;
	const namedShare = (await share(owner, { body: "Grateful for sunshine." })).id;
	const anonymousShare = (await share(owner, { anonymous: true, body: "Grateful, anonymously." })).id;
	const secretGroup = (
		await group(owner, { name: "Inner circle", visibility: "secret", description: secret("group") })
	).id;
	await joinGroup(member, (await group(owner, { name: "Outer circle" })).id);
	const secretEvent = (await event(owner, secretGroup)).id;
	await must(200, "PATCH", `/fellowship/events/${secretEvent}`, {
		as: owner,
		body: { description: secret("event") },
	});
	const publicGroup = (await group(owner, { name: "Open circle" })).id;
	await joinGroup(member, publicGroup);
	const publicEvent = (await event(owner, publicGroup)).id;
	const strangerGroup = (await group(stranger, { name: "Stranger's circle" })).id;
	const privateProject = (
		await project(owner, { title: "Hidden plans", visibility: "private", description: secret("project") })
	).id;
	const publicProject = (await project(owner, { title: "Open plans" })).id;
	await joinProject(member, publicProject);
	const strangerProject = (await project(stranger, { title: "Stranger's plans" })).id;
	// One request per token route: wrong tokens are rate limited per request (10 a minute).
	const support = {
		edit: await supportRequest(owner, { body: secret("support request, please help") }),
		delete: await supportRequest(owner, { body: secret("support request, please help") }),
		status: await supportRequest(owner, { body: secret("support request, please help") }),
		helpful: await supportRequest(owner, { body: secret("support request, please help") }),
	};
	const guidesOnly = await supportRequest(owner, {
		visibility: "guides_only",
		body: secret("for guides only please"),
	});
	const strangersOwn = await supportRequest(stranger);
	const response = (await supportResponse(mentor, support.helpful.id)).id;
	const application = (await guideApplication(owner)).id;
	const penalty = await suspend(guardianUser, appellant);
	const appealId = (await appeal(appellant, penalty)).id;
	await must(200, "PATCH", `/guardians/users/${appellant.id}`, {
		as: guardianUser,
		body: { suspension: null, reason: "Lifted for the test: the appeal stays pending." },
	});

	const each = (list: TestUser[], attack: Omit<Attack, "as">): Attack[] =>
		list.map((as) => ({ ...attack, as }));
	const privateToOwner = [...attackers, guardianUser];

	attacks = [
		// Garden: nobody but the owner, guardians included.
		...each(privateToOwner, {
			what: "read a habit",
			method: "GET",
			path: `/garden/habits/${habitId}`,
			expect: 404,
		}),
		...each(privateToOwner, {
			what: "edit a habit",
			method: "PATCH",
			path: `/garden/habits/${habitId}`,
			body: { name: "Mine now" },
			expect: 404,
		}),
		...each(privateToOwner, {
			what: "replace a habit",
			method: "PUT",
			path: `/garden/habits/${habitId}`,
			body: { name: "Mine now" },
			expect: 404,
		}),
		...each(privateToOwner, {
			what: "archive a habit",
			method: "DELETE",
			path: `/garden/habits/${habitId}`,
			expect: 404,
		}),
		...each(privateToOwner, {
			what: "read logs",
			method: "GET",
			path: `/garden/habits/${habitId}/logs`,
			expect: 404,
		}),
		...each(privateToOwner, {
			what: "log on a habit",
			method: "POST",
			path: `/garden/habits/${habitId}/logs`,
			body: {},
			expect: 404,
		}),
		...each(privateToOwner, {
			what: "undo a log",
			method: "DELETE",
			path: `/garden/habits/${habitId}/logs/${logId}`,
			expect: 404,
		}),
		{
			what: "undo someone's log through my own habit",
			as: stranger,
			method: "DELETE",
			path: `/garden/habits/${strangerHabit}/logs/${logId}`,
			expect: 404,
		},
		{
			what: "post a milestone on someone's habit",
			as: stranger,
			method: "POST",
			path: "/flourish/posts",
			body: { type: "milestone", body: "Look at my streak", habit_id: habitId },
			// A validation error that says nothing about whose habit it is.
			expect: 422,
		},

		// Posts and comments.
		...[privatePost, connectionsPost].flatMap((id) => [
			...each(attackers, {
				what: "read a hidden post",
				method: "GET",
				path: `/flourish/posts/${id}`,
				expect: 404,
			}),
			...each(attackers, {
				what: "edit a hidden post",
				method: "PATCH",
				path: `/flourish/posts/${id}`,
				body: { body: "defaced" },
				expect: 404,
			}),
			...each(attackers, {
				what: "delete a hidden post",
				method: "DELETE",
				path: `/flourish/posts/${id}`,
				expect: 404,
			}),
			...each(attackers, {
				what: "read its comments",
				method: "GET",
				path: `/flourish/posts/${id}/comments`,
				expect: 404,
			}),
			...each(attackers, {
				what: "comment on it",
				method: "POST",
				path: `/flourish/posts/${id}/comments`,
				body: { body: "hello" },
				expect: 404,
			}),
			...each(attackers, {
				what: "react to it",
				method: "PUT",
				path: `/flourish/posts/${id}/reaction`,
				body: { reaction_type: "like" },
				expect: 404,
			}),
			...each(attackers, {
				what: "similar to it",
				method: "GET",
				path: `/flourish/posts/${id}/similar`,
				expect: 404,
			}),
			...each(attackers, {
				what: "report it",
				method: "POST",
				path: "/reports",
				body: { target_type: "post", target_id: id, reason: "spam" },
				expect: 404,
			}),
		]),
		...each([guardianUser], {
			what: "read a private journal",
			method: "GET",
			path: `/flourish/posts/${privatePost}`,
			expect: 404,
		}),
		...each(attackers, {
			what: "edit a public post",
			method: "PATCH",
			path: `/flourish/posts/${publicPost}`,
			body: { body: "defaced" },
			expect: 403,
		}),
		...each(attackers, {
			what: "delete a public post",
			method: "DELETE",
			path: `/flourish/posts/${publicPost}`,
			expect: 403,
		}),
		...each(attackers, {
			what: "delete a comment on a hidden post",
			method: "DELETE",
			path: `/flourish/comments/${privateComment}`,
			expect: 404,
		}),
		...each(attackers, {
			what: "react to a comment on a hidden post",
			method: "PUT",
			path: `/flourish/comments/${privateComment}/reaction`,
			body: { reaction_type: "like" },
			expect: 404,
		}),
		...each(attackers, {
			what: "report a comment on a hidden post",
			method: "POST",
			path: "/reports",
			body: { target_type: "comment", target_id: privateComment, reason: "spam" },
			expect: 404,
		}),
		...each(attackers, {
			what: "delete a public comment",
			method: "DELETE",
			path: `/flourish/comments/${publicComment}`,
			expect: 403,
		}),

		// Sunlight.
		...[namedShare, anonymousShare].flatMap((id) => [
			...each(attackers, {
				what: "edit a share",
				method: "PATCH",
				path: `/sunlight/${id}`,
				body: { body: "defaced" },
				expect: 403,
			}),
			...each(attackers, { what: "delete a share", method: "DELETE", path: `/sunlight/${id}`, expect: 403 }),
		]),

		// Orchard: a connection and a mentorship between two other people.
		...each([...attackers, guardianUser], {
			what: "accept someone's connection",
			method: "PATCH",
			path: `/orchard/connections/${connectionId}`,
			body: { status: "declined" },
			expect: 404,
		}),
		...each([...attackers, guardianUser], {
			what: "remove someone's connection",
			method: "DELETE",
			path: `/orchard/connections/${connectionId}`,
			expect: 404,
		}),
		...["accepted", "declined", "completed", "cancelled"].flatMap((status) =>
			each([...attackers, guardianUser], {
				what: `move someone's mentorship to ${status}`,
				method: "PATCH",
				path: `/orchard/mentorships/${mentorshipId}`,
				body: { status },
				expect: 404,
			}),
		),
		...each(attackers, {
			what: "read someone else's conversation through a third party's path",
			method: "GET",
			path: `/orchard/conversations/${friend.id}/messages`,
			expect: 403,
		}),

		// Team Up: a private project is 404, a public one is 403 to change.
		...[
			["GET", ""],
			["PATCH", "", { description: "defaced" }],
			["DELETE", ""],
			["POST", "/members"],
			["GET", "/members"],
			["PATCH", `/members/${owner.id}`, { role: "member" }],
			["DELETE", `/members/${owner.id}`],
			["POST", "/invitations", { user_id: member.id }],
			["GET", "/discussions"],
			["POST", "/discussions", { body: "hello" }],
		].flatMap(([method, suffix, body]) =>
			each(attackers, {
				what: `${method} a private project${suffix}`,
				method: method as string,
				path: `/teamup/projects/${privateProject}${suffix}`,
				...(body ? { body } : {}),
				expect: 404,
			}),
		),
		...each(attackers, {
			what: "edit a public project",
			method: "PATCH",
			path: `/teamup/projects/${publicProject}`,
			body: { title: "Defaced" },
			expect: 403,
		}),
		...each(attackers, {
			what: "archive a public project",
			method: "DELETE",
			path: `/teamup/projects/${publicProject}`,
			expect: 403,
		}),
		...each(attackers, {
			what: "promote myself in a public project",
			method: "PATCH",
			path: `/teamup/projects/${publicProject}/members/${member.id}`,
			body: { role: "owner" },
			expect: 403,
		}),
		...each(attackers, {
			what: "remove the owner of a public project",
			method: "DELETE",
			path: `/teamup/projects/${publicProject}/members/${owner.id}`,
			expect: 403,
		}),
		{
			what: "manage someone else's member through my own project",
			as: stranger,
			method: "PATCH",
			path: `/teamup/projects/${strangerProject}/members/${member.id}`,
			body: { role: "admin" },
			expect: 404,
		},

		// Fellowship: a secret group and its event are 404; a public group's are 403 to change.
		...[
			["GET", ""],
			["PATCH", "", { description: "defaced" }],
			["DELETE", ""],
			["POST", "/members"],
			["GET", "/members"],
			["PATCH", `/members/${owner.id}`, { role: "member" }],
			["DELETE", `/members/${owner.id}`],
			["POST", "/invitations", { user_id: member.id }],
			["GET", "/events"],
			[
				"POST",
				"/events",
				{
					title: "Crash",
					event_type: "online",
					url: "https://x.example",
					starts_at: new Date(Date.now() + 86_400_000).toISOString(),
					ends_at: new Date(Date.now() + 90_000_000).toISOString(),
				},
			],
		].flatMap(([method, suffix, body]) =>
			each(attackers, {
				what: `${method} a secret group${suffix}`,
				method: method as string,
				path: `/fellowship/groups/${secretGroup}${suffix}`,
				...(body ? { body } : {}),
				expect: 404,
			}),
		),
		...[
			["GET", ""],
			["PATCH", "", { title: "Defaced" }],
			["POST", "/cancel"],
			["PUT", "/rsvp", { status: "going" }],
			["GET", "/rsvps"],
		].flatMap(([method, suffix, body]) =>
			each(attackers, {
				what: `${method} a secret group's event${suffix}`,
				method: method as string,
				path: `/fellowship/events/${secretEvent}${suffix}`,
				...(body ? { body } : {}),
				expect: 404,
			}),
		),
		...each(attackers, {
			what: "edit a public group's event",
			method: "PATCH",
			path: `/fellowship/events/${publicEvent}`,
			body: { title: "Defaced" },
			expect: 403,
		}),
		...each(attackers, {
			what: "cancel a public group's event",
			method: "POST",
			path: `/fellowship/events/${publicEvent}/cancel`,
			expect: 403,
		}),
		...each(attackers, {
			what: "ban a member of a public group",
			method: "PATCH",
			path: `/fellowship/groups/${publicGroup}/members/${member.id}`,
			body: { status: "banned" },
			expect: 403,
		}),
		...each(attackers, {
			what: "delete a public group",
			method: "DELETE",
			path: `/fellowship/groups/${publicGroup}`,
			expect: 403,
		}),
		{
			what: "remove someone else's member through my own group",
			as: stranger,
			method: "DELETE",
			path: `/fellowship/groups/${strangerGroup}/members/${member.id}`,
			expect: 404,
		},

		// Anonymous support: without the token, or with the token of another request.
		...[undefined, strangersOwn.token].flatMap((token) => {
			const headers = token ? { "X-Support-Token": token } : undefined;
			const how = token ? "with my own request's token" : "without a token";
			return each(attackers, {
				what: `edit someone's support request ${how}`,
				method: "PATCH",
				path: `/support/requests/${support.edit.id}`,
				body: { body: "defaced, defaced, defaced" },
				...(headers ? { headers } : {}),
				expect: 403,
			})
				.concat(
					each(attackers, {
						what: `delete someone's support request ${how}`,
						method: "DELETE",
						path: `/support/requests/${support.delete.id}`,
						...(headers ? { headers } : {}),
						expect: 403,
					}),
				)
				.concat(
					each(attackers, {
						what: `close someone's support request ${how}`,
						method: "POST",
						path: `/support/requests/${support.status.id}/status`,
						body: { status: "closed" },
						...(headers ? { headers } : {}),
						expect: 403,
					}),
				)
				.concat(
					each(attackers, {
						what: `mark a response to someone's request helpful ${how}`,
						method: "POST",
						path: `/support/responses/${response}/helpful`,
						...(headers ? { headers } : {}),
						expect: 403,
					}),
				);
		}),
		{
			what: "read a guides_only support request",
			as: stranger,
			method: "GET",
			path: `/support/requests/${guidesOnly.id}`,
			expect: 404,
		},
		{
			what: "read a guides_only support request with another request's token",
			as: stranger,
			method: "GET",
			path: `/support/requests/${guidesOnly.id}`,
			headers: { "X-Support-Token": strangersOwn.token },
			expect: 403,
		},

		// Reports: what I may not see, I cannot report (a report would confirm it exists, copy it into the
		// queue, and could hide it).
		...(
			[
				["fellowship_group", secretGroup],
				["group_event", secretEvent],
				["project", privateProject],
				["support_request", guidesOnly.id],
			] as const
		).flatMap(([type, id]) =>
			each(type === "support_request" ? [stranger] : attackers, {
				what: `report a ${type} I may not see`,
				method: "POST",
				path: "/reports",
				body: { target_type: type, target_id: id, reason: "spam" },
				expect: 404,
			}),
		),

		// Trust applications and appeals.
		...each([...attackers, guardianUser], {
			what: "withdraw someone's application",
			method: "DELETE",
			path: `/trust/applications/${application}`,
			expect: 404,
		}),
		...each(attackers, {
			what: "appeal someone's penalty",
			method: "POST",
			path: "/appeals",
			body: { penalty_id: penalty, body: "Let them off." },
			expect: 404,
		}),
		...each(attackers, {
			what: "decide someone's appeal",
			method: "PATCH",
			path: `/guardians/appeals/${appealId}`,
			body: { decision: "overturn" },
			expect: 403,
		}),
		{
			what: "decide my own appeal",
			as: appellant,
			method: "PATCH",
			path: `/guardians/appeals/${appealId}`,
			body: { decision: "overturn" },
			expect: 403,
		},
	];
}, 120_000);

describe("another person's resources", () => {
	it("answer 404 or 403, never their data, and nothing changes", async () => {
		const before = await databaseState();
		const outcomes = await inBatches(
			8,
			attacks.map((attack) => async () => {
				const response = await request(attack.method, attack.path, {
					as: attack.as,
					body: attack.body,
					...(attack.headers ? { headers: attack.headers } : {}),
				});
				return {
					attack,
					status: response.status,
					text: await response.text(),
					type: response.headers.get("content-type"),
				};
			}),
		);
		const wrong = outcomes
			.filter(
				(o) =>
					o.status !== o.attack.expect ||
					o.text.includes(CANARY) ||
					!o.type?.startsWith("application/problem+json"),
			)
			.map(
				(o) => `${o.attack.what} (${o.attack.method} ${o.attack.path}): ${o.status} ${o.text.slice(0, 200)}`,
			);
		expect(wrong).toEqual([]);
		expect(await databaseState()).toBe(before);
		console.info(`object-level checks: ${outcomes.length} attempts on another person's resources`);
	}, 120_000);
});
