/**
 * @module core/moderation/personal: the words one person addresses to another (a connection request's note, a
 * mentorship request's goals and message) and the profile everyone sees (display name, bio).
 *
 * Screened like posts — the same ML step and thresholds, and a Guardian queue item for flagged or urgent
 * text — with one difference: text the screening would hide is refused (422 naming the fields) instead of
 * published hidden, because a note or a name exists only to reach someone, and a hidden one would arrive
 * empty. Urgent text is never refused (a person reaching out is never silenced): it goes through and raises
 * a crisis item. The queue item is on the author (target `user`), so a guardian can warn or suspend; its
 * snapshot holds the words and where they were written. With the ML service down the text is accepted.
 */

import type { Db } from "../../db/client";
import type { PlatformBindings } from "../../lib/bindings";
import { unprocessable } from "../../lib/problem";
import type { CurrentUser } from "../accounts/current-user";
import { queueItemForScreening } from "./queue";
import { screenText } from "./screen";

/** Where the words were written, for the guardians reading the queue item. */
export type PersonalTextContext = "profile" | "connection_request" | "mentorship_request";

/**
 * Screens the non-empty `fields` (named as in the request body) as one text. Throws a 422 when it would be
 * hidden; otherwise returns the queue statement to put in the write's batch (null when nothing to review),
 * wrapped: a drizzle query is thenable, and an async function would run it on return.
 */
export async function screenPersonalText(
	env: Pick<PlatformBindings, "ML">,
	db: Db,
	author: Pick<CurrentUser, "id">,
	context: PersonalTextContext,
	fields: Record<string, string | null | undefined>,
	extra: Record<string, unknown> = {},
) {
	const sent = Object.entries(fields).filter((entry): entry is [string, string] => Boolean(entry[1]?.trim()));
	if (sent.length === 0) return { queue: null };
	const screening = await screenText(env, sent.map(([, text]) => text).join("\n"));
	if (screening.status === "hidden") {
		throw unprocessable(
			"This reads as abusive, so it cannot be sent or shown to others. Please rephrase it.",
			sent.map(([field]) => ({ field: `body/${field}`, message: "reads as abusive" })),
		);
	}
	const queue = queueItemForScreening(db, {
		targetType: "user",
		targetId: author.id,
		targetAuthorId: author.id,
		snapshot: { context, ...Object.fromEntries(sent), ...extra },
		screening,
	});
	return { queue };
}
