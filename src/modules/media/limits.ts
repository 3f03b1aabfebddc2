/**
 * @module media/limits: how big a file each trust level may upload, how much per day, and how large an image
 * may be (docs/decisions/media.md has the table and the reasons).
 */
import type { CurrentUser, TrustLevel } from "../../core/accounts/current-user";
import { multiplierFor } from "../../core/quotas";

const MB = 1024 * 1024;

/** Largest file per upload, by kind; 0: that kind is not allowed at this level. */
export const FILE_LIMITS: Record<TrustLevel | "guardian", { image: number; video: number }> = {
	new_sprout: { image: 2 * MB, video: 0 },
	growing: { image: 5 * MB, video: 20 * MB },
	good_soil: { image: 8 * MB, video: 40 * MB },
	flourishing: { image: 10 * MB, video: 40 * MB },
	guardian: { image: 10 * MB, video: 40 * MB },
};

/** The largest file any level may send: a body past it is refused before the caller's level is known. */
export const LARGEST_FILE = 40 * MB;

/** new_sprout's daily allowance; higher levels multiply it like every daily limit (core/quotas). */
export const BASE_DAILY_UPLOADS = 10;
export const BASE_DAILY_UPLOAD_BYTES = 25 * MB;

/** Decompression bombs: an image past either is refused, whatever its file size. */
export const MAX_SIDE_PX = 8_000;
export const MAX_PIXELS = 40_000_000;

export type MediaKind = "image" | "video";

export const fileLimit = (user: CurrentUser, kind: MediaKind): number =>
	FILE_LIMITS[user.role === "guardian" ? "guardian" : user.trustLevel][kind];

export interface DailyAllowance {
	uploads: number;
	bytes: number;
}

export const dailyAllowance = (user: CurrentUser): DailyAllowance => ({
	uploads: BASE_DAILY_UPLOADS * multiplierFor(user),
	bytes: BASE_DAILY_UPLOAD_BYTES * multiplierFor(user),
});
