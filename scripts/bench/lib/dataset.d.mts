/** Types of dataset.mjs, for the query-budget tests that load the same dataset inside workerd. */
export interface DatasetSize {
	users: number;
	posts: number;
	reactions: number;
	habitLogs: number;
	groups: number;
}

export interface SeedClient {
	insertRows(table: string, columns: string[], rows: unknown[][], onConflict?: string): Promise<number>;
}

export interface ChatPerson {
	sub: string;
	id: string;
}

export interface Dataset {
	size: string;
	counts: Record<string, number>;
	fixtures: {
		readers: string[];
		posters: string[];
		guardians: string[];
		threadPostIds: string[];
		chatPairs: Array<[ChatPerson, ChatPerson]>;
		rsvp: { eventId: string; capacity: number; members: string[] };
	};
}

export const SIZES: Record<"small" | "large", DatasetSize>;
export const POOL_USERS: number;

export function generateDataset(
	seed: SeedClient,
	size: "small" | "large" | DatasetSize,
	options?: { now?: number; log?: (message: string) => void; subPrefix?: string },
): Promise<Dataset>;
