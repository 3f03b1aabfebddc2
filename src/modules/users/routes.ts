/**
 * @module users/routes: my profile and preferences, and other people's public profiles. (My privacy rights —
 * the export of everything stored about me and the deletion of my account — are `modules/privacy`.)
 */

import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { currentUser } from "../../auth/guards";
import { refuseImpersonation } from "../../core/accounts/accounts";
import { callerRow } from "../../core/accounts/remembered-callers";
import { screenPersonalText } from "../../core/moderation/personal";
import { isBatchGuardFailure } from "../../db/batch-guard";
import { users } from "../../db/tables/users";
import type { AppEnv } from "../../env";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { notFound } from "../../lib/problem";
import { idParam } from "../../lib/schemas";
import { rescheduleRemindersStatements } from "../garden";
import { attachFailure } from "../media";
import { avatarChange } from "./avatar";
import { profileWithRelationship } from "./relationship";
import { MyProfile, toMyProfile, toUserProfile, UpdateMyProfile, UserProfile } from "./schemas";

const getMe = defineRoute(
	"self_even_if_suspended",
	{
		method: "get",
		path: "/users/me",
		operationId: "getMe",
		tags: ["users"],
		summary: "My profile, role, trust level and preferences",
		responses: { 200: { description: "My profile.", content: jsonContent(MyProfile) } },
	},
	// The answer is my row itself.
	{ callerRowFirst: true },
);

const updateMe = <M extends "patch" | "put">(method: M, operationId: string, summary: string) =>
	defineRoute("user", {
		method,
		operationId,
		path: "/users/me",
		tags: ["users"],
		summary,
		request: { body: { required: true, content: jsonContent(UpdateMyProfile) } },
		responses: { 200: { description: "The updated profile.", content: jsonContent(MyProfile) } },
	});
const patchMe = updateMe("patch", "updateMe", "Update my profile and preferences");
const putMe = updateMe("put", "replaceMe", "Update my profile and preferences (alias of PATCH)");

const applyProfileUpdate: RouteHandler<typeof patchMe, AppEnv> = async (c) => {
	const body = c.req.valid("json");
	// Who may use which name, and the time zone the reminders move from, come from my row: it first.
	const me = await callerRow(currentUser(c));
	const db = c.var.db;
	if (body.display_name !== undefined) await refuseImpersonation(db, me, body.display_name);
	// What everyone sees of me is screened like a post; abusive words are refused (moderation/personal).
	const { queue: queued } = await screenPersonalText(c.env, db, me, "profile", {
		display_name: body.display_name,
		bio: body.bio,
	});
	// A new time zone or day start moves every habit reminder of mine, in the same batch as the change.
	const zone = {
		timeZone: body.timezone ?? me.timezone,
		dayStartHour: body.day_start_hour ?? me.dayStartHour,
	};
	const reschedule =
		zone.timeZone !== me.timezone || zone.dayStartHour !== me.dayStartHour
			? await rescheduleRemindersStatements(db, me.id, zone, c.var.now)
			: [];
	// A new avatar: the old one deleted and the new one attached (once, mine, an image) in the same batch.
	const avatarMediaId = body.avatar_media_id !== undefined ? body.avatar_media_id : body.avatar_url;
	const avatar =
		avatarMediaId !== undefined ? avatarChange(db, me.id, me.avatarUrl, avatarMediaId) : undefined;
	const update = db
		.update(users)
		.set({
			displayName: body.display_name,
			bio: body.bio,
			// Unchanged (the same upload again) is still a value, so an update of only that has one to set.
			avatarUrl: avatar ? avatar.avatarUrl : avatarMediaId !== undefined ? me.avatarUrl : undefined,
			interests: body.interests,
			timezone: body.timezone,
			dayStartHour: body.day_start_hour,
			spiritualOptIn: body.spiritual_opt_in,
		})
		.where(eq(users.id, me.id))
		.returning();
	const others = [...(queued ? [queued] : []), ...reschedule];
	let updated: typeof users.$inferSelect | undefined;
	let replaced: Array<{ objectKey: string }> = [];
	if (avatar) {
		try {
			[[updated], replaced] = await db.batch([update, avatar.deleteOld, ...avatar.attach, ...others]);
		} catch (error) {
			if (!isBatchGuardFailure(error) || !avatarMediaId) throw error;
			throw await attachFailure(db, me.id, [avatarMediaId], "image/", "body/avatar_media_id");
		}
		// A failed R2 delete leaves the key in the `deleted` row, for the cron's sweep.
		if (replaced.length > 0) await c.env.MEDIA.delete(replaced.map((item) => item.objectKey));
	} else {
		[[updated]] = others.length > 0 ? await db.batch([update, ...others]) : [await update];
	}
	if (!updated) throw notFound("user");
	return c.json(toMyProfile(updated), 200);
};

const getUser = defineRoute("user", {
	method: "get",
	path: "/users/{user_id}",
	operationId: "getUser",
	tags: ["users"],
	summary: "A public profile, with where I stand with its person",
	description:
		"With `connection`, `blocked_by_me` and `can_message` (null on my own profile). 404 when the user does not exist or blocks me; a person I block is shown, with `blocked_by_me: true`.",
	request: { params: idParam("user_id") },
	responses: {
		200: { description: "The public profile.", content: jsonContent(UserProfile) },
		404: problemResponse("No such user (or they block me)."),
	},
});

export const usersRoutes = createRouter()
	.openapi(getMe, (c) => c.json(toMyProfile(currentUser(c)), 200))
	.openapi(getUser, async (c) => {
		const { user_id } = c.req.valid("param");
		const found = await profileWithRelationship(c.var.db, currentUser(c).id, user_id);
		if (!found) throw notFound("user");
		return c.json(toUserProfile(found.user, found.relationship), 200);
	})
	.openapi(patchMe, applyProfileUpdate)
	.openapi(putMe, applyProfileUpdate);
