/**
 * @module bounded-map: a Map that keeps at most `capacity` entries, dropping the one set longest ago —
 * for what an isolate remembers between requests (verified tokens, ranked vectors, hashes), so memory
 * stays bounded however long the isolate lives.
 */
export class BoundedMap<K, V> {
	readonly #entries = new Map<K, V>();
	readonly #capacity: number;

	constructor(capacity: number) {
		this.#capacity = capacity;
	}

	get(key: K): V | undefined {
		return this.#entries.get(key);
	}

	set(key: K, value: V): void {
		// Re-setting a key makes it the newest.
		this.#entries.delete(key);
		if (this.#entries.size >= this.#capacity) {
			const oldest = this.#entries.keys().next();
			if (!oldest.done) this.#entries.delete(oldest.value);
		}
		this.#entries.set(key, value);
	}

	delete(key: K): void {
		this.#entries.delete(key);
	}

	clear(): void {
		this.#entries.clear();
	}

	get size(): number {
		return this.#entries.size;
	}
}
