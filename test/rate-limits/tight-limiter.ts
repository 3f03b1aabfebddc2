/**
 * The test-only TEST_TIGHT_LIMITER binding (vitest.config.ts: 3 requests per 60 s), swapped in for a real
 * limiter with `callWithConfig({ USER_WRITE_LIMITER: env.TEST_TIGHT_LIMITER }, …)`.
 */
declare global {
	namespace Cloudflare {
		interface Env {
			TEST_TIGHT_LIMITER: RateLimit;
		}
	}
}

/** Requests TEST_TIGHT_LIMITER lets through per window (as configured in vitest.config.ts). */
export const TIGHT_LIMIT = 3;
