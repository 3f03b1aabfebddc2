/** @module privacy/schemas: the wire shapes of the account export and of an account deletion. */
import { z } from "@hono/zod-openapi";
import { IsoTimestamp } from "../../lib/schemas";
import { MyProfile } from "../users";

const Rows = (description: string) =>
	z.array(z.record(z.string(), z.unknown())).openapi({ description: `${description} (snake_case columns).` });

const Section = (description: string) =>
	z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).openapi({ description });

export const AccountExport = z
	.object({
		format: z.literal("flourish-account-export"),
		version: z.literal(1),
		exported_at: z.string(),
		user_id: z.uuid(),
		about: z
			.object({
				people: z.string(),
				anonymous_support_requests: z.string(),
				limits: z.string(),
				not_included: z.string(),
			})
			.openapi({ description: "What the export contains and what it cannot contain, in words." }),
		limits: z.object({
			rows: z.number().int(),
			conversations: z.number().int(),
			messages_per_conversation: z.number().int(),
		}),
		truncated: z.array(z.string()).openapi({
			description: "Collections cut at their limit, e.g. `garden.habit_logs` (newest rows kept).",
		}),
		profile: MyProfile.extend({
			created_at: IsoTimestamp.openapi({
				description: "When the account was created, exactly as stored (other answers show only the day).",
			}),
			guide_profile: z.record(z.string(), z.unknown()).nullable(),
		}),
		garden: Section("`gardens`, `habits` (archived ones too), `habit_logs`"),
		flourish: Section("`posts`, `poll_options` of my polls, `comments`, `reactions`, `poll_votes`"),
		sunlight: Section("`shares` (anonymous ones too: they are mine), `reactions`"),
		media: Section(
			"`uploads`: my photos and videos still stored, each with its `url` (fetch the bytes there with my token) and what it is attached to",
		),
		orchard: z
			.object({
				connections: Rows("Connections and requests, both directions; peers by id"),
				blocks: Rows("People I block"),
				mentorships: Rows("As mentee or guide"),
				conversations: z.array(
					z
						.object({
							conversation_id: z.string(),
							peer_id: z.string(),
							messages_sent: z.array(z.record(z.string(), z.unknown())),
						})
						.catchall(z.unknown()),
				),
			})
			.openapi({
				description: "Connections, blocks, mentorships, and the messages I sent in each conversation.",
			}),
		fellowship: Section("`memberships`, `groups_created`, `events_created`, `rsvps`"),
		teamup: Section("`memberships`, `projects_created`, `discussions`"),
		support: Section("`responses` I wrote to support requests"),
		trust: Section("`applications`, `guide_applications`, `daily_usage`"),
		moderation: Section("`reports_filed`, `penalties`, `appeals`"),
		notifications: Section("`notifications` I was sent (actors by id) and my `preferences`"),
	})
	.openapi("AccountExport", {
		description:
			"Everything Flourish stores about me. Other people appear by id only; anonymous support requests are not linked to any account and cannot be included.",
	});

export type AccountExport = z.infer<typeof AccountExport>;

export const AccountDeletion = z
	.object({
		status: z.literal("deleted"),
		pending_cleanup: z.number().int().min(1),
		detail: z.string(),
	})
	.openapi("AccountDeletion", {
		description:
			"The account is deleted; some Durable Object clean-up (blanking chat messages, withdrawing RSVPs) could not finish yet and is retried in the background.",
	});
