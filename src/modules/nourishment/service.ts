/**
 * @module nourishment/service: Guardian-curated daily content.
 *
 * "Today" is the caller's local date (time zone and day-start hour; UTC for anonymous callers). Today's item
 * is the one scheduled for that date, else a deterministic pick from the evergreen pool (items without a
 * date) keyed by the date: the same item all day for everyone who sees the same pool. Items scheduled for a
 * later date stay unseen until their day, except to guardians. Spiritual items only reach opted-in users.
 */
import { and, count, desc, eq, isNull, lt, lte, or, type SQL } from "drizzle-orm";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { auditStatement } from "../../core/moderation/audit";
import { spiritualFilter } from "../../core/spiritual";
import { isUniqueViolation } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import { type NourishmentItemRow, nourishmentItems } from "../../db/tables/nourishment";
import { localToday } from "../../lib/local-date";
import { conflict, notFound } from "../../lib/problem";

type Viewer = CurrentUser | undefined;

/** The viewer's local date; anonymous callers get the UTC date. */
export function todayFor(viewer: Viewer, now = new Date()): string {
	return viewer ? localToday(viewer.timezone, viewer.dayStartHour, now) : now.toISOString().slice(0, 10);
}

/** FNV-1a over the date: a stable, well-spread index into the evergreen pool. */
export function dailyIndex(date: string, poolSize: number): number {
	let hash = 2166136261;
	for (let i = 0; i < date.length; i++) hash = Math.imul(hash ^ date.charCodeAt(i), 16777619);
	return (hash >>> 0) % poolSize;
}

const live = isNull(nourishmentItems.deletedAt);

/** Items the viewer may see at all: live, spiritual only when opted in, and not scheduled after today. */
export function visibleTo(viewer: Viewer, today: string): SQL {
	return and(
		live,
		spiritualFilter(viewer, nourishmentItems.isSpiritual),
		viewer && isGuardian(viewer)
			? undefined
			: or(isNull(nourishmentItems.publishDate), lte(nourishmentItems.publishDate, today)),
	) as SQL;
}

export async function todaysItem(db: Db, viewer: Viewer, now = new Date()) {
	const date = todayFor(viewer, now);
	const evergreen = and(
		live,
		isNull(nourishmentItems.publishDate),
		spiritualFilter(viewer, nourishmentItems.isSpiritual),
	);
	const [scheduled, pool] = await db.batch([
		db
			.select()
			.from(nourishmentItems)
			.where(
				and(
					live,
					eq(nourishmentItems.publishDate, date),
					spiritualFilter(viewer, nourishmentItems.isSpiritual),
				),
			)
			.limit(1),
		db.select({ n: count() }).from(nourishmentItems).where(evergreen),
	]);
	const item = scheduled[0];
	if (item) return { date, source: "scheduled" as const, item };
	const size = pool[0]?.n ?? 0;
	if (size === 0) throw notFound("nourishment item for today");
	const picked = await db
		.select()
		.from(nourishmentItems)
		.where(evergreen)
		.orderBy(nourishmentItems.id)
		.limit(1)
		.offset(dailyIndex(date, size))
		.get();
	if (!picked) throw notFound("nourishment item for today");
	return { date, source: "evergreen" as const, item: picked };
}

export type ArchiveCursor = { date: string | null; id: string };

/** Newest publish date first, then the evergreen pool; keyset over (publish_date, id), nulls last. */
export async function listArchive(
	db: Db,
	viewer: Viewer,
	filters: {
		category?: NourishmentItemRow["category"] | undefined;
		content_type?: NourishmentItemRow["contentType"] | undefined;
	},
	limit: number,
	after?: ArchiveCursor,
	now = new Date(),
) {
	let pastCursor: SQL | undefined;
	if (after) {
		pastCursor =
			after.date === null
				? and(isNull(nourishmentItems.publishDate), lt(nourishmentItems.id, after.id))
				: or(
						afterCursor("desc", [nourishmentItems.publishDate, after.date], [nourishmentItems.id, after.id]),
						isNull(nourishmentItems.publishDate),
					);
	}
	const rows = await db
		.select()
		.from(nourishmentItems)
		.where(
			and(
				visibleTo(viewer, todayFor(viewer, now)),
				filters.category ? eq(nourishmentItems.category, filters.category) : undefined,
				filters.content_type ? eq(nourishmentItems.contentType, filters.content_type) : undefined,
				pastCursor,
			),
		)
		.orderBy(desc(nourishmentItems.publishDate), desc(nourishmentItems.id))
		.limit(limit + 1);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return { rows: page, next: rows.length > limit && last ? { date: last.publishDate, id: last.id } : null };
}

export async function getItem(db: Db, viewer: Viewer, itemId: string, now = new Date()) {
	const row = await db
		.select()
		.from(nourishmentItems)
		.where(and(eq(nourishmentItems.id, itemId), visibleTo(viewer, todayFor(viewer, now))))
		.get();
	if (!row) throw notFound("nourishment item");
	return row;
}

export interface ItemInput {
	title: string;
	body: string;
	content_type: NourishmentItemRow["contentType"];
	category: NourishmentItemRow["category"];
	author: string | null;
	source: string | null;
	media_url: string | null;
	publish_date: string | null;
	is_spiritual: boolean;
}

const dateTaken = (date: string | null | undefined) =>
	conflict(`Another item is already scheduled for ${date}; move it or pick another date.`);

const toColumns = (input: Partial<ItemInput>) => ({
	title: input.title,
	body: input.body,
	contentType: input.content_type,
	category: input.category,
	author: input.author,
	source: input.source,
	mediaUrl: input.media_url,
	publishDate: input.publish_date,
	isSpiritual: input.is_spiritual,
});

export async function createItem(db: Db, guardian: CurrentUser, input: ItemInput) {
	const [created] = await db
		.insert(nourishmentItems)
		.values({
			...toColumns(input),
			title: input.title,
			contentType: input.content_type,
			category: input.category,
			createdBy: guardian.id,
		})
		.onConflictDoNothing()
		.returning();
	if (!created) throw dateTaken(input.publish_date);
	return created;
}

export async function updateItem(db: Db, itemId: string, changes: Partial<ItemInput>) {
	try {
		const [updated] = await db
			.update(nourishmentItems)
			.set({ ...toColumns(changes), updatedAt: new Date().toISOString() })
			.where(and(eq(nourishmentItems.id, itemId), live))
			.returning();
		if (!updated) throw notFound("nourishment item");
		return updated;
	} catch (error) {
		if (isUniqueViolation(error)) throw dateTaken(changes.publish_date);
		throw error;
	}
}

export async function deleteItem(db: Db, guardian: CurrentUser, itemId: string): Promise<void> {
	const item = await db
		.select({
			id: nourishmentItems.id,
			title: nourishmentItems.title,
			publishDate: nourishmentItems.publishDate,
		})
		.from(nourishmentItems)
		.where(and(eq(nourishmentItems.id, itemId), live))
		.get();
	if (!item) throw notFound("nourishment item");
	const at = new Date().toISOString();
	await db.batch([
		db
			.update(nourishmentItems)
			.set({ deletedAt: at, updatedAt: at })
			.where(and(eq(nourishmentItems.id, item.id), live)),
		auditStatement(db, {
			actorId: guardian.id,
			action: "delete_content",
			targetType: "nourishment_item",
			targetId: item.id,
			details: { title: item.title, publish_date: item.publishDate },
		}),
	]);
}
