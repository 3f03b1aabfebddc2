/**
 * @module core/moderation/queue: raising Guardian queue items. One item per target, ever: a new signal on a
 * target reopens and updates its item. Callers put the returned statement in the same `batch()` as the
 * content write, so content and its review item are written together or not at all.
 *
 * Score = the weights of the item's open reports + the ML boosts since it was last resolved (a decision
 * resets the score and the open-report count to 0).
 *
 * A screening runs when the author writes, so an item it raises or refreshes would date that write. For a
 * support request — whose author is unknown even to guardians — the item gets a random id and times rounded
 * down to the hour, like the request itself (`lib/coarse-time`). Other authors are named to guardians anyway.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ContentKind, contentAuthor, contentSnapshot } from "../../db/content";
import { moderationQueueItems, type REPORT_TARGET_TYPES } from "../../db/tables/guardians";
import { anonymousTime } from "../../lib/coarse-time";
import { newId, newRandomId } from "../../lib/ids";
import { noteFanOut } from "../fan-outs";
import type { Screening } from "./screen";

export type QueueTargetType = (typeof REPORT_TARGET_TYPES)[number];

export interface QueueSignal {
	targetType: QueueTargetType;
	targetId: string;
	targetAuthorId: string | null;
	/** The content as it is now; kept on the item even if the author later deletes it. */
	snapshot: Record<string, unknown>;
	screening: Screening;
}

/** Targets whose author is never known: their queue items carry no exact time (see the module note). */
const ANONYMOUS_TARGETS: ReadonlySet<QueueTargetType> = new Set(["support_request"]);

/** Score boost of ML signals, in report-weight units, so they sort among reported items. */
const ML_SCORE = (screening: Screening) => (screening.urgent ? 10 : 0) + (screening.toxicity ?? 0) * 5;

/** The upsert that raises (or refreshes) the queue item for an ML screening; null when nothing to review. */
export function queueItemForScreening(db: Db, signal: QueueSignal) {
	const { screening } = signal;
	if (!screening.needsReview) return null;
	// An urgent item alerts every guardian: the table's trigger writes the fan-out; this request hands it over.
	if (screening.urgent) noteFanOut();
	const anonymous = ANONYMOUS_TARGETS.has(signal.targetType);
	const now = anonymous ? anonymousTime() : new Date().toISOString();
	const values = {
		id: anonymous ? newRandomId() : newId(),
		createdAt: now,
		updatedAt: now,
		targetType: signal.targetType,
		targetId: signal.targetId,
		targetAuthorId: signal.targetAuthorId,
		status: "open" as const,
		score: ML_SCORE(screening),
		mlToxicity: screening.toxicity,
		mlLabels: screening.labels,
		mlSelfHarmRisk: screening.selfHarmRisk,
		isHidden: screening.status === "hidden",
		isUrgent: screening.urgent,
		contentSnapshot: signal.snapshot,
		source: screening.urgent ? ("crisis" as const) : ("ml" as const),
	};
	return db
		.insert(moderationQueueItems)
		.values(values)
		.onConflictDoUpdate({
			target: [moderationQueueItems.targetType, moderationQueueItems.targetId],
			set: {
				status: "open",
				mlToxicity: values.mlToxicity,
				mlLabels: values.mlLabels,
				mlSelfHarmRisk: values.mlSelfHarmRisk,
				// An open item stays hidden once hidden (reports may have hidden it); a reopened one starts afresh.
				isHidden: sql`CASE WHEN ${moderationQueueItems.status} = 'open' THEN ${moderationQueueItems.isHidden} OR ${values.isHidden ? 1 : 0} ELSE ${values.isHidden ? 1 : 0} END`,
				isUrgent: sql`${moderationQueueItems.isUrgent} OR ${values.isUrgent ? 1 : 0}`,
				// The content as first queued stays while the item is open (an edit must not erase the evidence).
				contentSnapshot: sql`CASE WHEN ${moderationQueueItems.status} = 'open' THEN ${moderationQueueItems.contentSnapshot} ELSE ${JSON.stringify(values.contentSnapshot)} END`,
				score: sql`${moderationQueueItems.score} + ${values.score}`,
				resolvedAt: null,
				resolvedBy: null,
				updatedAt: now,
			},
		});
}

/**
 * The queue statement for a row of a declared content kind (db/content-kinds): its id, author and snapshot
 * come from the declaration, so every create and edit path queues the same evidence as a report would.
 * `row` may be the values about to be inserted; `extra` adds what lives outside the row (a poll's options).
 */
export function queueItemForContent(
	db: Db,
	kind: ContentKind,
	row: Record<string, unknown> & { id: string },
	screening: Screening,
	extra: Record<string, unknown> = {},
) {
	return queueItemForScreening(db, {
		targetType: kind.type,
		targetId: row.id,
		targetAuthorId: contentAuthor(kind, row),
		snapshot: { ...contentSnapshot(kind, row), ...extra },
		screening,
	});
}
