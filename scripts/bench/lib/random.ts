/**
 * Deterministic randomness for the benchmark dataset: the same seed builds the same shape every run, so
 * two runs (and the small and large datasets) differ only in what they are meant to differ in.
 */

export interface Random {
	/** A float in [0, 1). */
	next(): number;
	/** An integer in [0, n). */
	int(n: number): number;
	/** true with probability p. */
	chance(p: number): boolean;
	/** One of `items` (which must not be empty). */
	pick<T>(items: readonly T[]): T;
	/** A value drawn from `weights` ({ value: weight }). */
	weighted<V extends string>(weights: Readonly<Record<V, number>>): V;
	/** A heavy-tailed count with the given mean (geometric-ish: most small, a few large). */
	skewed(mean: number): number;
	/** `length` random hex digits. */
	hex(length: number): string;
}

/** mulberry32: a small, fast, seedable 32-bit generator. Returns floats in [0, 1). */
export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	return {
		next,
		int,
		chance: (p) => next() < p,
		pick(items) {
			const item = items[int(items.length)];
			if (item === undefined) throw new Error("pick: the list is empty");
			return item;
		},
		/** A value drawn from `weights` ({ value: weight }). */
		weighted<V extends string>(weights: Readonly<Record<V, number>>): V {
			const values = Object.keys(weights) as V[]; // Object.keys widens the keys of a record to string
			const total = values.reduce((sum, value) => sum + weights[value], 0);
			let roll = next() * total;
			for (const value of values) {
				roll -= weights[value];
				if (roll < 0) return value;
			}
			const last = values.at(-1);
			if (last === undefined) throw new Error("weighted: no weights");
			return last;
		},
		skewed(mean) {
			return Math.floor(-Math.log(1 - next()) * mean);
		},
		hex(length) {
			let out = "";
			while (out.length < length)
				out += Math.floor(next() * 0x100000000)
					.toString(16)
					.padStart(8, "0");
			return out.slice(0, length);
		},
	};
}

/** An RFC 9562 UUIDv7 for time `ms` (as src/lib/ids.ts makes them), random bits from `random`. */
export function uuidv7(ms: number, random: Random): string {
	const time = Math.floor(ms).toString(16).padStart(12, "0");
	const rand = random.hex(20);
	const variant = ((Number.parseInt(rand.charAt(3), 16) & 0x3) | 0x8).toString(16);
	return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${rand.slice(0, 3)}-${variant}${rand.slice(4, 7)}-${rand.slice(7, 19)}`;
}
