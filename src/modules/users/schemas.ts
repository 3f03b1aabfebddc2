/** @module users/schemas: the wire shapes of profiles (snake_case), reused by routes and OpenAPI. */
import { z } from "@hono/zod-openapi";
import { isVerifiedGuide } from "../../core/accounts/current-user";
import { ROLES, TRUST_LEVELS, type UserRow } from "../../db/tables/users";
import { startOfUtcDay } from "../../lib/coarse-time";
import { boundedText, IsoTimestamp, TimeZone, Uuid } from "../../lib/schemas";
import { CONNECTION_STATES, type Relationship } from "./relationship";

const Interests = z
	.array(boundedText(1, 30))
	.max(10)
	.openapi({ example: ["meditation", "running"] });

export const PublicProfile = z
	.object({
		id: z.uuid(),
		display_name: z.string(),
		bio: z.string(),
		avatar_url: z.string().nullable(),
		interests: z.array(z.string()),
		role: z.enum(ROLES),
		trust_level: z.enum(TRUST_LEVELS),
		is_verified_guide: z.boolean(),
		created_at: IsoTimestamp.openapi({
			description:
				"The day the account was created (midnight UTC): no finer, so it cannot be lined up with anonymous activity.",
			example: "2026-11-27T00:00:00.000Z",
		}),
	})
	.openapi("PublicProfile");

const RELATIONSHIP_NOTE =
	"Null when the profile is my own (this route needs a token, so there is no anonymous case).";

/** Another person's profile, with where I stand with them (users/relationship). */
export const UserProfile = PublicProfile.extend({
	connection: z
		.enum(CONNECTION_STATES)
		.nullable()
		.openapi({
			description: `Our connection: \`none\` (none, or a declined request), \`pending_incoming\` (they asked me), \`pending_outgoing\` (I asked them), \`connected\`. ${RELATIONSHIP_NOTE}`,
		}),
	blocked_by_me: z
		.boolean()
		.nullable()
		.openapi({
			description: `Whether I block them (a person who blocks me is a 404 here, as a missing one). ${RELATIONSHIP_NOTE}`,
		}),
	can_message: z
		.boolean()
		.nullable()
		.openapi({
			description: `Whether sending them a chat message now would be accepted: the chat rule itself (no block either way, and an accepted connection or mentorship). ${RELATIONSHIP_NOTE}`,
		}),
}).openapi("UserProfile");

export const MyProfile = PublicProfile.extend({
	email: z
		.string()
		.nullable()
		.openapi({ description: "From the identity provider; only ever shown to its owner." }),
	trust_locked: z.boolean(),
	trust_level_since: IsoTimestamp,
	timezone: z.string(),
	day_start_hour: z.number().int().min(0).max(23),
	spiritual_opt_in: z.boolean(),
	suspended_until: IsoTimestamp.nullable(),
	updated_at: IsoTimestamp,
}).openapi("MyProfile");

export const UpdateMyProfile = z
	.strictObject({
		display_name: boundedText(1, 50),
		bio: z.string().trim().max(500),
		avatar_media_id: Uuid.nullable().openapi({
			description:
				"One of my image uploads (POST /media) as my avatar, public to everyone; null removes it. The one it replaces is deleted.",
		}),
		avatar_url: z.null().openapi({
			description:
				"Only null (removes my avatar): a URL of my own choosing is no longer accepted; use `avatar_media_id`.",
		}),
		interests: Interests,
		timezone: TimeZone,
		day_start_hour: z.number().int().min(0).max(23),
		spiritual_opt_in: z.boolean(),
	})
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateMyProfile", {
		description: "Any subset of the fields. Role, trust level and suspension are never writable here.",
	});

export function toPublicProfile(user: UserRow): z.infer<typeof PublicProfile> {
	return {
		id: user.id,
		display_name: user.displayName,
		bio: user.bio,
		avatar_url: user.avatarUrl,
		interests: user.interests,
		role: user.role,
		trust_level: user.trustLevel,
		is_verified_guide: user.role === "guide" && isVerifiedGuide(user),
		// Stored exactly (the growing promotion counts whole days from it), shown as a day.
		created_at: startOfUtcDay(user.createdAt),
	};
}

export function toUserProfile(user: UserRow, relationship: Relationship | null): z.infer<typeof UserProfile> {
	return {
		...toPublicProfile(user),
		connection: relationship?.connection ?? null,
		blocked_by_me: relationship?.blockedByMe ?? null,
		can_message: relationship?.canMessage ?? null,
	};
}

export function toMyProfile(user: UserRow): z.infer<typeof MyProfile> {
	return {
		...toPublicProfile(user),
		email: user.email,
		trust_locked: user.trustLocked,
		trust_level_since: user.trustLevelSince,
		timezone: user.timezone,
		day_start_hour: user.dayStartHour,
		spiritual_opt_in: user.spiritualOptIn,
		suspended_until: user.suspendedUntil,
		updated_at: user.updatedAt,
	};
}
