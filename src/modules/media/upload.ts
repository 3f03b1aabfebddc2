/**
 * @module media/upload: taking a file in. The gate (before Idempotency-Key reads the body) checks the declared
 * type, the caller's file limit and the day's allowance, and bounds the body; then the bytes are sniffed,
 * parsed and stripped of metadata, put in R2 under a random key, and the row written with the quota check.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { CurrentUser } from "../../core/accounts/current-user";
import { dailyLimitProblem } from "../../core/quotas";
import type { Db } from "../../db/client";
import type { AppEnv } from "../../env";
import { limitBody, readLimitedBody, tooLarge } from "../../http/raw-body";
import { newId } from "../../lib/ids";
import {
	inspect,
	isImageType,
	MEDIA_TYPES,
	type MediaType,
	sniff,
	UnreadableMedia,
} from "../../lib/media-files";
import { forbidden, Problem, unprocessable } from "../../lib/problem";
import {
	type DailyAllowance,
	dailyAllowance,
	fileLimit,
	LARGEST_FILE,
	MAX_PIXELS,
	MAX_SIDE_PX,
	type MediaKind,
} from "./limits";
import { insertWithinAllowance, type NewMedia, type Usage, usageSince, utcDayStart } from "./store";

interface Plan {
	type: MediaType;
	allowance: DailyAllowance;
	usage: Usage;
	dayStart: string;
}

/** The gate's verdict, for the handler of the same request. */
const plans = new WeakMap<Context<AppEnv>, Plan>();

const unsupported = (detail: string) => new Problem(415, { detail, kind: "unsupported-media-type" });

/** The declared media type (`Content-Type` without parameters), if it is one we take. */
function declaredType(header: string | undefined): MediaType | undefined {
	const type = header?.split(";")[0]?.trim().toLowerCase();
	return MEDIA_TYPES.find((known) => known === type);
}

const kindOf = (type: MediaType): MediaKind => (isImageType(type) ? "image" : "video");

function spentProblem(user: CurrentUser, allowance: DailyAllowance, usage: Usage, now: Date) {
	return usage.uploads + 1 > allowance.uploads
		? dailyLimitProblem("media_uploads", allowance.uploads, user, now)
		: dailyLimitProblem("media_bytes", allowance.bytes, user, now);
}

/**
 * Route gate of `POST /media`: 415 for a type we do not take, 413 for a `Content-Length` past the caller's
 * limit, 403 for video below its trust level, 429 for a spent day; then bounds the body to the limit.
 */
export const uploadGate = createMiddleware<AppEnv>(async (c, next) => {
	const type = declaredType(c.req.header("Content-Type"));
	if (!type) {
		throw unsupported(`Send the file as its own type in Content-Type: one of ${MEDIA_TYPES.join(", ")}.`);
	}
	const declared = Number(c.req.header("Content-Length") ?? "0");
	// Before any round trip: nobody may send more than this.
	if (declared > LARGEST_FILE) throw tooLarge(LARGEST_FILE);
	const { db, now } = c.var;
	const user = c.var.user as CurrentUser;
	const dayStart = utcDayStart(now);
	// The first round trip: the caller's row rides along with it, so their level is known after it.
	const usage = await usageSince(db, user.id, dayStart);
	const kind = kindOf(type);
	const limit = fileLimit(user, kind);
	if (limit === 0) throw forbidden(`Uploading ${kind}s needs trust level growing or higher.`);
	if (declared > limit) throw tooLarge(limit, `This ${kind}`);
	const allowance = dailyAllowance(user);
	if (usage.uploads >= allowance.uploads || usage.bytes + declared > allowance.bytes) {
		throw spentProblem(user, allowance, usage, now);
	}
	limitBody(c, limit);
	plans.set(c, { type, allowance, usage, dayStart });
	await next();
});

async function sha256Hex(bytes: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", bytes);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A key that says nothing: 128 random bits, never anything the uploader sent. */
const objectKey = () =>
	`m/${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

const NAMES: Record<MediaType, string> = {
	"image/jpeg": "a JPEG",
	"image/png": "a PNG",
	"image/webp": "a WebP",
	"image/gif": "a GIF",
	"video/mp4": "an MP4",
	"video/webm": "a WebM",
};

/** Reads, checks and strips the body the gate let in, stores it, and writes its row. */
export async function acceptUpload(
	c: Context<AppEnv>,
	db: Db,
	user: CurrentUser,
	alt: string | null,
	now: Date,
): Promise<NewMedia> {
	const plan = plans.get(c);
	if (!plan) throw new Error("acceptUpload() without the upload gate");
	const body = await readLimitedBody(c);
	if (body.length === 0) {
		throw unprocessable("The body is empty: send the file itself.", [{ field: "body", message: "empty" }]);
	}
	const actual = sniff(body);
	if (actual !== plan.type) {
		throw unsupported(
			actual
				? `The file is ${NAMES[actual]}, not ${plan.type} as declared.`
				: `The file is not ${NAMES[plan.type]} (its first bytes say otherwise).`,
		);
	}
	let inspected: ReturnType<typeof inspect>;
	try {
		inspected = inspect(plan.type, body);
	} catch (error) {
		if (error instanceof UnreadableMedia) {
			throw new Problem(422, {
				detail: `The file cannot be read: ${error.message}.`,
				kind: "unreadable-media",
			});
		}
		throw error;
	}
	const { width, height } = inspected;
	if (isImageType(plan.type) && width !== null && height !== null) {
		if (width > MAX_SIDE_PX || height > MAX_SIDE_PX || width * height > MAX_PIXELS) {
			throw new Problem(422, {
				detail: `The image is ${width}×${height} px; at most ${MAX_SIDE_PX} px a side and ${MAX_PIXELS / 1_000_000} megapixels are accepted.`,
				kind: "image-too-large",
				extensions: { max_side_px: MAX_SIDE_PX, max_pixels: MAX_PIXELS },
			});
		}
	}
	const stored = inspected.stored;
	const row: NewMedia = {
		id: newId(now.getTime()),
		ownerId: user.id,
		objectKey: objectKey(),
		contentType: plan.type,
		bytes: stored.length,
		sha256: await sha256Hex(stored),
		width,
		height,
		durationS: inspected.durationS,
		alt,
		createdAt: now.toISOString(),
	};
	const bucket = c.env.MEDIA;
	await bucket.put(row.objectKey, stored, { httpMetadata: { contentType: row.contentType } });
	let written = false;
	try {
		written = await insertWithinAllowance(db, row, plan.allowance, plan.dayStart);
	} finally {
		// No row, no object: nothing would ever find those bytes again.
		if (!written) await bucket.delete(row.objectKey).catch(() => undefined);
	}
	if (!written) throw spentProblem(user, plan.allowance, plan.usage, now);
	return row;
}
