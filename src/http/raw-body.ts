/**
 * @module http/raw-body: routes whose body is a file, not JSON. They are exempt from the app's 64 KiB limit
 * (app.ts), and their own gate (a feature's, `defineRoute` option `rawBody`) decides the limit instead — from
 * `Content-Length` before anything is read, and by counting the bytes as they arrive when there is none
 * (chunked), aborting past the limit. So a body beyond the limit is never read whole.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { Problem } from "../lib/problem";

const patterns: RegExp[] = [];

/** Called by `defineRoute` for a route declared with `rawBody` (its path below the API prefix). */
export function registerRawBodyRoute(method: string, path: string): void {
	const pattern = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]+");
	patterns.push(new RegExp(`^${method.toUpperCase()} ${pattern}$`));
}

/** Whether this request goes to a raw-body route (`pathBelowPrefix`: its path without `/api/v1`). */
export const isRawBodyRoute = (method: string, pathBelowPrefix: string) =>
	patterns.some((pattern) => pattern.test(`${method.toUpperCase()} ${pathBelowPrefix}`));

export const tooLarge = (limit: number, what = "This upload") =>
	new Problem(413, {
		detail: `${what} is larger than the limit of ${limit} bytes.`,
		kind: "too-large",
		extensions: { limit },
	});

/**
 * Refuses a body beyond `limit` bytes: at once (413) when `Content-Length` says so; otherwise the body is
 * replaced by one that counts its bytes and fails with the 413 past the limit, whoever reads it (the
 * Idempotency-Key hash or the handler). A body shorter than its `Content-Length` is left to the runtime.
 */
export function limitBody(c: Context<AppEnv>, limit: number): void {
	const declared = c.req.header("Content-Length");
	if (declared !== undefined && !c.req.header("Transfer-Encoding")) {
		const length = Number(declared);
		if (!Number.isSafeInteger(length) || length < 0) throw tooLarge(limit);
		if (length > limit) throw tooLarge(limit);
	}
	const body = c.req.raw.body;
	if (!body) return;
	let seen = 0;
	const counted = body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				seen += chunk.byteLength;
				if (seen > limit) controller.error(tooLarge(limit));
				else controller.enqueue(chunk);
			},
		}),
	);
	c.req.raw = new Request(c.req.raw, { body: counted, duplex: "half" } as RequestInit);
}

/** The whole body as bytes, read through `limitBody`'s counter; the 413 it failed with, if it did. */
export async function readLimitedBody(c: Context<AppEnv>): Promise<Uint8Array> {
	try {
		return new Uint8Array(await c.req.arrayBuffer());
	} catch (error) {
		for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
			if (cause instanceof Problem) throw cause;
		}
		throw error;
	}
}
