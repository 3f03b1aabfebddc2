/**
 * @module users/routes: my profile and preferences, other people's public profiles, and my privacy rights:
 * the export of everything stored about me and the deletion of my account (`src/modules/privacy/`).
 */
import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { currentUser } from "../../auth/guards";
import { createDb } from "../../db/client";
import { users } from "../../db/tables/users";
import type { AppEnv } from "../../env";
import { defineRoute, jsonContent, problemResponse } from "../../lib/openapi";
import { notFound } from "../../lib/problem";
import { createRouter } from "../../lib/router";
import { idParam } from "../../lib/schemas";
import { screenPersonalText } from "../../moderation/personal";
import { deleteAccount } from "../privacy/erase";
import { exportAccount } from "../privacy/export";
import { AccountDeletion, AccountExport } from "../privacy/schemas";
import { MyProfile, PublicProfile, toMyProfile, toPublicProfile, UpdateMyProfile } from "./schemas";
import { findVisibleUser, refuseImpersonation } from "./service";

const getMe = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/users/me",
	tags: ["users"],
	summary: "My profile, role, trust level and preferences",
	responses: { 200: { description: "My profile.", content: jsonContent(MyProfile) } },
});

const updateMe = <M extends "patch" | "put">(method: M, summary: string) =>
	defineRoute("user", {
		method,
		path: "/users/me",
		tags: ["users"],
		summary,
		request: { body: { required: true, content: jsonContent(UpdateMyProfile) } },
		responses: { 200: { description: "The updated profile.", content: jsonContent(MyProfile) } },
	});
const patchMe = updateMe("patch", "Update my profile and preferences");
const putMe = updateMe("put", "Update my profile and preferences (alias of PATCH)");

const applyProfileUpdate: RouteHandler<typeof patchMe, AppEnv> = async (c) => {
	const body = c.req.valid("json");
	const me = currentUser(c);
	const db = createDb(c.env.DB);
	if (body.display_name !== undefined) await refuseImpersonation(db, me, body.display_name);
	// What everyone sees of me is screened like a post; abusive words are refused (moderation/personal).
	const { queue: queued } = await screenPersonalText(c.env, db, me, "profile", {
		display_name: body.display_name,
		bio: body.bio,
	});
	const update = db
		.update(users)
		.set({
			displayName: body.display_name,
			bio: body.bio,
			avatarUrl: body.avatar_url,
			interests: body.interests,
			timezone: body.timezone,
			dayStartHour: body.day_start_hour,
			spiritualOptIn: body.spiritual_opt_in,
		})
		.where(eq(users.id, me.id))
		.returning();
	const [[updated]] = queued ? await db.batch([update, queued]) : [await update];
	if (!updated) throw notFound("user");
	return c.json(toMyProfile(updated), 200);
};

const exportMe = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/users/me/export",
	tags: ["users"],
	summary: "Everything stored about me, as JSON",
	description:
		"Profile, garden, posts, comments, reactions, shares, connections, blocks, mentorships, the messages I sent, memberships, RSVPs, applications, reports I filed, penalties and appeals. Other people appear by id only. Anonymous support requests are not linked to any account and cannot be included. Each collection holds at most its 1000 newest rows (chat: 100 conversations × 500 messages); `truncated` names what was cut. Suspended people may export too.",
	responses: {
		200: { description: "The export.", content: jsonContent(AccountExport) },
		503: problemResponse("D1 or a chat room is unavailable; retry."),
	},
});

const deleteMe = defineRoute("self_even_if_suspended", {
	method: "delete",
	path: "/users/me",
	tags: ["users"],
	summary: "Delete my account",
	description:
		'Erases my personal data at once, in one atomic step: profile, email and sign-in link, garden, connections, blocks, memberships, applications; my posts, comments and sunlight shares are removed; my answers to support requests and project discussions stay, signed "Former member" with no id; my anonymous sunlight shares go at a random moment one to fourteen days later (so their removal does not point at me); a suspension in force carries over to my next account; evidence of an open report stays until the case has been closed for 90 days. Groups and projects I own pass to their longest-standing moderator/admin, or are archived. My chat messages are blanked (the other person keeps the conversation, read-only) and my RSVPs withdrawn in each Durable Object right after (202 when some of that is still queued; it is retried in the background). The next sign-in with the same identity starts a fresh account; a retry after success therefore deletes that fresh, empty account (204). See README.md, "Privacy".',
	responses: {
		204: { description: "Deleted, with nothing left to clean up." },
		202: {
			description: "Deleted; some clean-up in Durable Objects is queued and retried in the background.",
			content: jsonContent(AccountDeletion),
		},
		409: problemResponse("I am the last active guardian."),
		503: problemResponse("D1 is unavailable; nothing was deleted. Retry."),
	},
});

const getUser = defineRoute("user", {
	method: "get",
	path: "/users/{user_id}",
	tags: ["users"],
	summary: "A public profile",
	description: "404 when the user does not exist or either side blocks the other.",
	request: { params: idParam("user_id") },
	responses: {
		200: { description: "The public profile.", content: jsonContent(PublicProfile) },
		404: problemResponse("No such user (or blocked)."),
	},
});

export const usersRoutes = createRouter()
	.openapi(getMe, (c) => c.json(toMyProfile(currentUser(c)), 200))
	.openapi(exportMe, async (c) => {
		// Everything about a person: like every credentialed answer, `Cache-Control: private, no-store`
		// (lib/cache-control).
		return c.json(await exportAccount(c.env, currentUser(c)), 200);
	})
	.openapi(deleteMe, async (c) => {
		const { pendingCleanup } = await deleteAccount(c.env, currentUser(c));
		if (pendingCleanup === 0) return c.body(null, 204);
		return c.json(
			{
				status: "deleted" as const,
				pending_cleanup: pendingCleanup,
				detail:
					"Your account is deleted. Blanking your chat messages and withdrawing your RSVPs continues in the background.",
			},
			202,
		);
	})
	.openapi(getUser, async (c) => {
		const { user_id } = c.req.valid("param");
		const profile = await findVisibleUser(createDb(c.env.DB), currentUser(c).id, user_id);
		if (!profile) throw notFound("user");
		return c.json(toPublicProfile(profile), 200);
	})
	.openapi(patchMe, applyProfileUpdate)
	.openapi(putMe, applyProfileUpdate);
