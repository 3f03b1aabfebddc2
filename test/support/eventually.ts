/**
 * Asynchronous work of the Worker (the queue consumer, a room's write-behind) lands a moment after the
 * request that asked for it: tests poll for it instead of sleeping a fixed time.
 */

/** Polls `read` every 100 ms until `done` holds or `seconds` pass, and answers the last value read. */
export async function eventually<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	seconds = 10,
): Promise<T> {
	const until = Date.now() + seconds * 1000;
	for (;;) {
		const value = await read();
		if (done(value) || Date.now() > until) return value;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}
