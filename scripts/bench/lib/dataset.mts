/**
 * The benchmark dataset: a community of realistic shape, written straight into D1 (bulk SQL through the
 * bench Worker's D1 binding, never through the API), at two sizes that differ tenfold in every growing table.
 *
 * What the load generator measures is the same for both sizes: the first POOL_USERS users (whose tokens
 * are minted) have the same habits, groups, connections and conversations in either dataset, the threads
 * whose comments are read have the same length, and the guardians see a queue with more than one page.
 * Only the tables around them grow, so a large/small latency ratio shows how the cost of a request grows
 * with the size of the database, not with the size of one person's data.
 *
 * `.mts`, not `.ts`: test/budgets/rows-read.test.ts imports it as `dataset.mjs`, a name that TypeScript and
 * Vite both resolve to this file.
 */
import { hotScore } from "./hot-score.ts";
import { createRandom, type Random, uuidv7 } from "./random.ts";

export interface DatasetSize {
	users: number;
	posts: number;
	reactions: number;
	habitLogs: number;
	groups: number;
	/**
	 * Notifications of everyone but the NOTIFIED_USERS (who have NOTIFICATIONS_PER_NOTIFIED_USER each at
	 * every size). Absent: no notifications at all (the budget tests, which do not read them).
	 */
	notifications?: number;
}

/** A statement with its bound parameters (`?1`, `?2`, …; at most 100). */
export interface SeedStatement {
	sql: string;
	params: unknown[];
}

/** Where the rows go: the bench Worker (scripts/bench/lib/sql.ts), or D1 directly in a test. */
export interface SeedClient {
	/**
	 * `ordered`: the rows must reach D1 in the given order (posts: the search index's keys follow the order
	 * they were inserted in, as in production, where they follow the posts' creation).
	 */
	insertRows(
		table: string,
		columns: string[],
		rows: unknown[][],
		onConflict?: string,
		options?: { ordered?: boolean },
	): Promise<number>;
	/** Runs set-based statements (`INSERT … SELECT` generating their rows) in one batch. */
	run(statements: SeedStatement[]): Promise<void>;
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
		/** People with NOTIFICATIONS_PER_NOTIFIED_USER notifications each (empty without notifications). */
		notified: string[];
		/** The event cancelled in the fan-out benchmark: its organiser's sub, and the ids and subs of those told. */
		fanOut: {
			eventId: string;
			organiser: string;
			groupKey: string;
			attendeeIds: string[];
			/** The same people's subs, in the same order (the live-stream clients sign in as them). */
			attendeeSubs: string[];
		};
	};
}

type Trust = "new_sprout" | "growing" | "good_soil" | "flourishing";

interface User {
	id: string;
	sub: string;
	trust: Trust;
	role: "guardian" | "user";
	spiritual: boolean;
	createdMs: number;
}

interface Habit {
	id: string;
	gardenId: string;
	userId: string;
	name: string;
	category: string;
	frequency: string;
	weekdays: string;
	target: number;
	createdMs: number;
}

interface Group {
	id: string;
	owner: User;
	name: string;
	type: string;
	visibility: "public" | "private" | "secret";
	spiritual: boolean;
	createdMs: number;
	members: Set<string>;
}

interface Post {
	id: string;
	author: User;
	type: "text" | "image" | "video" | "poll" | "milestone";
	visibility: "public" | "connections" | "group" | "private";
	groupId: string | null;
	spiritual: boolean;
	moderation: "clean" | "unchecked" | "flagged" | "hidden";
	toxicity: number | null;
	createdMs: number;
	reactions: number;
	comments: number;
	habit?: Habit;
	pollClosesMs?: number;
}

interface Comment {
	id: string;
	post: Post;
	authorId: string;
	/** The row as inserted; its reaction count is filled in once the reactions are drawn. */
	row: unknown[];
	reactions: number;
}

export const SIZES: Record<"small" | "large", DatasetSize> = {
	small: {
		users: 1_000,
		posts: 20_000,
		reactions: 100_000,
		habitLogs: 20_000,
		groups: 300,
		notifications: 20_000,
	},
	large: {
		users: 10_000,
		posts: 200_000,
		reactions: 1_000_000,
		habitLogs: 200_000,
		groups: 3_000,
		notifications: 200_000,
	},
};

/** Users whose tokens the load generator uses (the same people, with the same data, at both sizes). */
export const POOL_USERS = 500;
/** Users 0…POSTER_USERS-1 with trust growing or above post in the write benchmark. */
const POSTER_USERS = 1_000;
const GUARDIANS = 10;
/** Posts whose comment tree is read: a fixed shape at both sizes. */
const THREAD_POSTS = 40;
const THREAD_TOP_LEVEL = 30;
const THREAD_REPLIES_PER_COMMENT = 2;
const HABITS_PER_USER = 3;
const GROUPS_PER_USER = 3;
const CONNECTIONS_PER_USER = 4;
/** Pairs of pool users who chat over WebSockets in the chat benchmark. */
export const CHAT_PAIRS = 200;
/** Members of the event in the RSVP benchmark, and its capacity. */
export const RSVP_MEMBERS = 500;
export const RSVP_CAPACITY = 100;
/**
 * People whose notifications are read (GET /notifications and its unread count): the first pool users, each
 * with this many notifications over the last 90 days, at both sizes.
 */
export const NOTIFIED_USERS = 50;
export const NOTIFICATIONS_PER_NOTIFIED_USER = 10_000;
/** Notifications go this far back (the cron deletes what has not changed for 90 days). */
const NOTIFICATION_SPAN_DAYS = 89;
/** Other people's notifications are written this many people per statement. */
const NOTIFICATION_PEOPLE_PER_STATEMENT = 100;
/** The event cancelled in the fan-out benchmark: the whole pool going (200) or waitlisted (300). */
export const FAN_OUT_ATTENDEES = 500;
const FAN_OUT_CAPACITY = 200;

const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const localDate = (ms: number) => iso(ms).slice(0, 10);

const INTERESTS = [
	"meditation",
	"running",
	"journaling",
	"sleep",
	"gratitude",
	"cooking",
	"reading",
	"yoga",
	"parenting",
	"sobriety",
	"grief",
	"anxiety",
	"faith",
	"volunteering",
	"gardening",
	"art",
	"music",
	"budgeting",
	"hiking",
	"languages",
];
const HABIT_NAMES: ReadonlyArray<readonly [name: string, category: string]> = [
	["Morning meditation", "mindfulness"],
	["Evening walk", "health"],
	["Read 20 pages", "learning"],
	["Call a friend", "relationships"],
	["Sketch something", "creativity"],
	["Prayer", "spiritual"],
	["Volunteer hour", "service"],
	["Drink water", "health"],
	["Gratitude journal", "mindfulness"],
	["Practise Spanish", "learning"],
];
const PHRASES = [
	"Week six of my morning routine and it finally feels natural.",
	"Tried the box breathing exercise before my presentation and it helped a lot.",
	"Sleep is still my weak spot; any tips for a wind-down routine that sticks?",
	"Grateful for this group keeping me honest on the hard days.",
	"Ran my first 5k without stopping today!",
	"Cooked a vegetable soup from scratch, the kids loved it.",
	"Some days are heavy. Taking it one hour at a time.",
	"Finished the book I started in January, slowly but surely.",
	"Thirty days sober today. Thank you all for the support.",
	"Planted tomatoes with my daughter this weekend.",
	"Journaling three lines every night has changed how I see my days.",
	"Anyone want to join a Sunday morning walk in the park?",
	"Learning to say no without feeling guilty.",
	"Our food bank shift served two hundred families today.",
	"Ten minutes of stretching before work, every day this week.",
];
/**
 * The long tail of post words (scripts/bench: search): TAIL_WORD_COUNT made-up words of three syllables, the
 * word of rank r drawn with probability ∝ 1/r (Zipf), 2–4 of them in TAIL_SHARE of the posts with text.
 */
const TAIL_WORD_COUNT = 2_000;
const TAIL_SHARE = 0.6;
const SYLLABLES = ["ka", "lo", "mi", "ru", "ve", "sa", "to", "ni", "pe", "du", "fa", "zo", "bi", "gu", "ha"];
export const TAIL_WORDS: readonly string[] = Array.from({ length: TAIL_WORD_COUNT }, (_, i) => {
	const s = (n: number) => SYLLABLES[n % SYLLABLES.length] ?? "";
	const base = SYLLABLES.length;
	return `${s(i)}${s(Math.floor(i / base))}${s(Math.floor(i / base ** 2))}n`;
});
/**
 * What the search benchmark and budgets look for (porter-stemmed, as the index folds them): a word in about
 * a third of the posts with text, a rare one (≈ 20 in 200,000 posts: the tail's last rank), a phrase of one
 * stock sentence in nine, and a two-letter prefix (typeahead) that expands to a seventh of the tail's words.
 */
export const SEARCH_TERMS = {
	common: "today",
	rare: TAIL_WORDS[TAIL_WORD_COUNT - 1] ?? "",
	phrase: '"morning routine"',
	prefix: "ka*",
} as const;
const GROUP_TYPES = ["interest", "support", "faith", "local", "learning", "wellness"];
const REACTION_TYPES = ["like", "love", "support", "celebrate", "insightful"];
const REPORT_REASONS = ["spam", "harassment", "hate_speech", "misinformation", "other"];
const TRUST_WEIGHT: Record<Trust, number> = { new_sprout: 40, growing: 35, good_soil: 20, flourishing: 5 };
const TRUST_RANK: Record<Trust, number> = { new_sprout: 0, growing: 1, good_soil: 2, flourishing: 3 };

/**
 * Builds and inserts the dataset; returns what the load generator needs (subs, ids) and row counts.
 * `sizeName` is a key of SIZES or a size object of the same shape; `subPrefix` lets a second dataset be
 * added beside a first one (test/budgets grows the tables around the same people this way).
 */
export async function generateDataset(
	seed: SeedClient,
	sizeName: "small" | "large" | DatasetSize,
	{
		now = Date.now(),
		log = () => {},
		subPrefix = "bench|user-",
	}: { now?: number; log?: (message: string) => void; subPrefix?: string } = {},
): Promise<Dataset> {
	const size = typeof sizeName === "string" ? SIZES[sizeName] : sizeName;
	if (!size) throw new Error(`unknown dataset size ${sizeName}`);
	const random = createRandom(0xf10e + size.users + subPrefix.length);
	// Draws for what was added later (the fan-out event, notifications) come from their own generator, so
	// the rest of the dataset stays exactly as it was.
	const later = createRandom(0x5eed + size.users + subPrefix.length);
	const counts: Record<string, number> = {};
	const insert = async (
		table: string,
		columns: string[],
		rows: unknown[][],
		onConflict?: string,
		options?: { ordered?: boolean },
	) => {
		const started = Date.now();
		const statements = await seed.insertRows(table, columns, rows, onConflict, options);
		counts[table] = (counts[table] ?? 0) + rows.length;
		log(`${table}: ${rows.length} rows in ${statements} statements, ${Date.now() - started} ms`);
	};
	const text = (sentences = 1) => Array.from({ length: sentences }, () => random.pick(PHRASES)).join(" ");
	// A post's own words beyond the stock phrases: a long tail drawn from their own generator (so every other
	// draw stays as it was), giving the search benchmark word frequencies of real text — a few words in a
	// third of the posts, most in a handful.
	const words = createRandom(0x5ea4c + size.users + subPrefix.length);
	const pickTailWord = cumulativePicker(
		TAIL_WORDS.map((_, rank) => 1 / (rank + 1)),
		words,
	);
	const tail = () => {
		if (!words.chance(TAIL_SHARE)) return "";
		const n = 2 + words.int(3);
		const drawn = Array.from({ length: n }, () => nth(TAIL_WORDS, pickTailWord()));
		return ` Also ${drawn.join(" ")}.`;
	};

	// ------------------------------------------------------------------ users
	const users: User[] = [];
	for (let i = 0; i < size.users; i++) {
		const createdMs = now - (90 + random.int(90)) * DAY - random.int(DAY);
		let trust = random.weighted(TRUST_WEIGHT);
		if (i < POSTER_USERS && trust === "new_sprout") trust = "growing";
		if (i < POOL_USERS && i % 10 === 0) trust = "flourishing";
		const guardian = i >= POOL_USERS && i < POOL_USERS + GUARDIANS;
		users.push({
			id: uuidv7(createdMs, random),
			sub: `${subPrefix}${i}`,
			trust: guardian ? "flourishing" : trust,
			role: guardian ? "guardian" : "user",
			spiritual: random.chance(0.2),
			createdMs,
		});
	}
	const interestsOf = () => {
		const chosen = new Set();
		const n = 2 + random.int(3);
		while (chosen.size < n) chosen.add(random.pick(INTERESTS));
		return JSON.stringify([...chosen]);
	};
	await insert(
		"users",
		[
			"id",
			"auth0_sub",
			"display_name",
			"bio",
			"interests",
			"role",
			"trust_level",
			"trust_level_since",
			"spiritual_opt_in",
			"created_at",
			"updated_at",
		],
		users.map((user, i) => [
			user.id,
			user.sub,
			`Bench member ${i}`,
			text(1),
			interestsOf(),
			user.role,
			user.trust,
			iso(user.createdMs),
			user.spiritual ? 1 : 0,
			iso(user.createdMs),
			iso(user.createdMs),
		]),
	);

	// ------------------------------------------------------------------ gardens, habits, logs
	const gardens = users.map((user) => ({ id: uuidv7(user.createdMs + 1000, random), user }));
	await insert(
		"gardens",
		["id", "user_id", "created_at", "updated_at"],
		gardens.map((garden) => [
			garden.id,
			garden.user.id,
			iso(garden.user.createdMs),
			iso(garden.user.createdMs),
		]),
	);
	const habits: Habit[] = [];
	const habitsByUser = new Map<string, Habit[]>();
	gardens.forEach((garden, u) => {
		const mine: Habit[] = [];
		for (let h = 0; h < HABITS_PER_USER; h++) {
			const [name, category] = nth(HABIT_NAMES, (u + h * 3) % HABIT_NAMES.length);
			const frequency = nth(["daily", "weekdays", "times_per_week"], h % 3);
			const createdMs = now - 60 * DAY - random.int(30 * DAY);
			const habit: Habit = {
				id: uuidv7(createdMs, random),
				gardenId: garden.id,
				userId: garden.user.id,
				name,
				category,
				frequency,
				weekdays: frequency === "weekdays" ? "[1,2,3,4,5]" : "[]",
				target: frequency === "times_per_week" ? 3 : 1,
				createdMs,
			};
			habits.push(habit);
			mine.push(habit);
		}
		habitsByUser.set(garden.user.id, mine);
	});
	await insert(
		"habits",
		[
			"id",
			"garden_id",
			"user_id",
			"name",
			"category",
			"frequency",
			"weekdays",
			"target_count",
			"start_date",
			"created_at",
			"updated_at",
		],
		habits.map((h) => [
			h.id,
			h.gardenId,
			h.userId,
			h.name,
			h.category,
			h.frequency,
			h.weekdays,
			h.target,
			localDate(h.createdMs),
			iso(h.createdMs),
			iso(h.createdMs),
		]),
	);
	// Every user logs the same number of completions (size.habitLogs / size.users), on distinct recent days.
	const logsPerUser = Math.round(size.habitLogs / size.users);
	const logs: unknown[][] = [];
	for (const user of users) {
		const mine = defined(habitsByUser.get(user.id));
		for (let n = 0; n < logsPerUser; n++) {
			const habit = nth(mine, n % mine.length);
			const dayMs = now - Math.floor(n / mine.length) * DAY - 2 * 60 * 60 * 1000;
			logs.push([uuidv7(dayMs, random), habit.id, user.id, localDate(dayMs), 1, iso(dayMs)]);
		}
	}
	await insert("habit_logs", ["id", "habit_id", "user_id", "local_date", "count", "created_at"], logs);

	// ------------------------------------------------------------------ fellowship groups and members
	const groups: Group[] = [];
	for (let g = 0; g < size.groups; g++) {
		const createdMs = now - 120 * DAY + g * Math.floor((110 * DAY) / size.groups);
		const type = nth(GROUP_TYPES, g % GROUP_TYPES.length);
		groups.push({
			id: uuidv7(createdMs, random),
			owner: random.pick(users),
			name: `${random.pick(INTERESTS)} circle ${g}`,
			type,
			visibility: random.weighted({ public: 80, private: 15, secret: 5 }),
			spiritual: type === "faith",
			createdMs,
			members: new Set(),
		});
	}
	// The RSVP benchmark's group: the whole pool are members (added on top of everyone's usual groups).
	const rsvpGroupMs = now - 100 * DAY;
	const rsvpGroup: Group = {
		id: uuidv7(rsvpGroupMs, random),
		owner: nth(users, 0),
		name: "Bench RSVP circle",
		type: "local",
		visibility: "public",
		spiritual: false,
		createdMs: rsvpGroupMs,
		members: new Set(),
	};
	const memberRows: unknown[][] = [];
	const groupsByUser = new Map<string, Group[]>(users.map((user) => [user.id, []]));
	const join = (group: Group, user: User, role: "owner" | "member") => {
		if (group.members.has(user.id)) return;
		group.members.add(user.id);
		defined(groupsByUser.get(user.id)).push(group);
		const at = Math.max(group.createdMs, user.createdMs) + DAY;
		memberRows.push([uuidv7(at, random), group.id, user.id, role, "active", iso(at), iso(at)]);
	};
	for (const group of groups) join(group, group.owner, "owner");
	join(rsvpGroup, rsvpGroup.owner, "owner");
	for (const user of users) {
		for (let k = 0; k < GROUPS_PER_USER; k++) join(random.pick(groups), user, "member");
	}
	for (let i = 0; i < Math.min(RSVP_MEMBERS, users.length); i++) join(rsvpGroup, nth(users, i), "member");
	// The fan-out benchmark's organiser: a moderator of that group from outside the pool, who cancels an event
	// the whole pool is going to (an organiser is never told of their own cancellation). Added by hand, not
	// through join(): the posts drawn below pick from people's groups, and would all change.
	const organiser = nth(users, Math.min(POOL_USERS + GUARDIANS, users.length - 1));
	if (!rsvpGroup.members.has(organiser.id)) {
		rsvpGroup.members.add(organiser.id);
		const at = rsvpGroupMs + DAY;
		memberRows.push([uuidv7(at, later), rsvpGroup.id, organiser.id, "moderator", "active", iso(at), iso(at)]);
	}
	const allGroups = [...groups, rsvpGroup];
	await insert(
		"fellowship_groups",
		[
			"id",
			"owner_id",
			"name",
			"description",
			"group_type",
			"visibility",
			"is_spiritual",
			"member_count",
			"moderation_status",
			"created_at",
			"updated_at",
		],
		allGroups.map((group) => [
			group.id,
			group.owner.id,
			group.name,
			text(2),
			group.type,
			group.visibility,
			group.spiritual ? 1 : 0,
			group.members.size,
			"clean",
			iso(group.createdMs),
			iso(group.createdMs),
		]),
	);
	await insert(
		"group_members",
		["id", "group_id", "user_id", "role", "status", "created_at", "updated_at"],
		memberRows,
	);
	const eventStarts = now + 7 * DAY;
	const rsvpEvent = { id: uuidv7(now - DAY, random) };
	await insert(
		"group_events",
		[
			"id",
			"group_id",
			"created_by",
			"title",
			"event_type",
			"starts_at",
			"ends_at",
			"capacity",
			"moderation_status",
			"created_at",
			"updated_at",
		],
		[
			[
				rsvpEvent.id,
				rsvpGroup.id,
				rsvpGroup.owner.id,
				"Bench picnic",
				"in_person",
				iso(eventStarts),
				iso(eventStarts + 3 * 60 * 60 * 1000),
				RSVP_CAPACITY,
				"clean",
				iso(now - DAY),
				iso(now - DAY),
			],
		],
	);
	// The fan-out benchmark's event, with its RSVPs as the EventRsvp object mirrors them to D1: the first
	// FAN_OUT_CAPACITY pool users going, the rest waitlisted in order. `rsvp_seq` is the object's change
	// number of those counts (the object itself starts empty: its later mirror writes never lower them).
	const attendees = users.slice(0, Math.min(FAN_OUT_ATTENDEES, users.length)).filter((u) => u !== organiser);
	const fanOutEvent = { id: uuidv7(now - DAY, later), startsMs: now + 14 * DAY };
	const going = Math.min(FAN_OUT_CAPACITY, attendees.length);
	await insert(
		"group_events",
		[
			"id",
			"group_id",
			"created_by",
			"title",
			"event_type",
			"starts_at",
			"ends_at",
			"capacity",
			"going_count",
			"waitlist_count",
			"rsvp_seq",
			"moderation_status",
			"created_at",
			"updated_at",
		],
		[
			[
				fanOutEvent.id,
				rsvpGroup.id,
				organiser.id,
				"Bench fan-out picnic",
				"in_person",
				iso(fanOutEvent.startsMs),
				iso(fanOutEvent.startsMs + 3 * 60 * 60 * 1000),
				FAN_OUT_CAPACITY,
				going,
				attendees.length - going,
				attendees.length,
				"clean",
				iso(now - DAY),
				iso(now - DAY),
			],
		],
	);
	await insert(
		"event_rsvps",
		["id", "event_id", "user_id", "status", "waitlist_position", "seq", "created_at", "updated_at"],
		attendees.map((user, i) => {
			const at = now - DAY + 60_000 + i * 1000;
			return [
				uuidv7(at, later),
				fanOutEvent.id,
				user.id,
				i < going ? "going" : "waitlisted",
				i < going ? null : i - going + 1,
				i + 1,
				iso(at),
				iso(at),
			];
		}),
	);

	// ------------------------------------------------------------------ connections, conversations, blocks
	const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);
	const connected = new Set<string>();
	const connectionRows: unknown[][] = [];
	const summaryRows: unknown[][] = [];
	const chatPairs: Array<[ChatPerson, ChatPerson]> = [];
	const connect = (a: User, b: User, status: "accepted" | "pending", withConversation: boolean) => {
		const key = pairKey(a.id, b.id);
		if (a.id === b.id || connected.has(key)) return false;
		connected.add(key);
		const at = Math.max(a.createdMs, b.createdMs) + DAY + random.int(30 * DAY);
		const [low, high] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
		connectionRows.push([
			uuidv7(at, random),
			a.id,
			b.id,
			low,
			high,
			random.pick(["friend", "accountability_partner", "peer_support"]),
			status,
			status === "accepted" ? iso(at + 60_000) : null,
			iso(at),
			iso(at),
		]);
		if (status === "accepted" && withConversation) {
			const lastMs = now - random.int(30 * DAY);
			const seq = 1 + random.int(40);
			const sides: Array<[User, User]> = [
				[a, b],
				[b, a],
			];
			for (const [me, peer] of sides) {
				const read = random.chance(0.6) ? seq : Math.max(0, seq - 1 - random.int(3));
				summaryRows.push([
					uuidv7(at + 120_000, random),
					key,
					me.id,
					peer.id,
					seq,
					random.pick(PHRASES).slice(0, 80),
					iso(lastMs),
					read,
					seq - read,
					iso(at),
					iso(lastMs),
				]);
			}
		}
		return true;
	};
	// Chat pairs first: pool users 2k and 2k+1, connected, so they may open the conversation's socket.
	for (let k = 0; k < CHAT_PAIRS && 2 * k + 1 < users.length; k++) {
		const [a, b] = [nth(users, 2 * k), nth(users, 2 * k + 1)];
		connect(a, b, "accepted", true);
		chatPairs.push([
			{ sub: a.sub, id: a.id },
			{ sub: b.sub, id: b.id },
		]);
	}
	for (const user of users) {
		for (let k = 0; k < CONNECTIONS_PER_USER / 2; k++) {
			connect(user, random.pick(users), random.chance(0.85) ? "accepted" : "pending", random.chance(0.7));
		}
	}
	await insert(
		"connections",
		[
			"id",
			"requester_id",
			"addressee_id",
			"user_low_id",
			"user_high_id",
			"connection_type",
			"status",
			"responded_at",
			"created_at",
			"updated_at",
		],
		connectionRows,
	);
	await insert(
		"conversation_summaries",
		[
			"id",
			"conversation_id",
			"user_id",
			"peer_id",
			"last_message_seq",
			"last_message_preview",
			"last_message_at",
			"last_read_seq",
			"unread_count",
			"created_at",
			"updated_at",
		],
		summaryRows,
	);
	const blockRows: unknown[][] = [];
	const blocked = new Set<string>();
	// A few people outside the pool, guardians and thread authors block someone, so every "not blocked
	// either way" condition has rows to look at.
	for (let i = POOL_USERS + GUARDIANS + THREAD_POSTS; i < users.length; i++) {
		if (!random.chance(0.03)) continue;
		const blocker = nth(users, i);
		const target = random.pick(users);
		const key = `${blocker.id}>${target.id}`;
		if (target.id === blocker.id || blocked.has(key)) continue;
		blocked.add(key);
		blockRows.push([uuidv7(now - random.int(60 * DAY), random), blocker.id, target.id, iso(now - DAY)]);
	}
	await insert("blocks", ["id", "blocker_id", "blocked_id", "created_at"], blockRows);

	// ------------------------------------------------------------------ posts and poll options
	// Authors: a heavy tail (a few people post a lot), posts spread evenly over the last 60 days.
	const authorWeights = users.map(() => (-Math.log(1 - random.next())) ** 2);
	const pickWeighted = cumulativePicker(authorWeights, random);
	const posts: Post[] = [];
	const threadAuthors = users.slice(POOL_USERS + GUARDIANS, POOL_USERS + GUARDIANS + THREAD_POSTS);
	const postCount = size.posts;
	for (let p = 0; p < postCount; p++) {
		const createdMs = now - 60 * DAY + Math.floor((p * 60 * DAY) / postCount) + random.int(1000);
		const author = nth(users, pickWeighted());
		const type = random.weighted({ text: 70, image: 12, video: 3, poll: 5, milestone: 10 });
		let visibility = random.weighted({ public: 80, connections: 10, group: 6, private: 4 });
		const myGroups = defined(groupsByUser.get(author.id));
		if (visibility === "group" && myGroups.length === 0) visibility = "public";
		const moderation = random.weighted({ clean: 94, unchecked: 3, flagged: 2, hidden: 1 });
		posts.push({
			id: uuidv7(createdMs, random),
			author,
			type,
			visibility,
			groupId: visibility === "group" ? random.pick(myGroups).id : null,
			spiritual: random.chance(0.1),
			moderation,
			toxicity:
				moderation === "unchecked"
					? null
					: moderation === "clean"
						? random.next() * 0.3
						: moderation === "flagged"
							? 0.7 + random.next() * 0.19
							: 0.9 + random.next() * 0.1,
			createdMs,
			reactions: 0,
			comments: 0,
		});
	}
	// The read threads: public, clean, recent posts by authors nobody blocks.
	const threadPosts: Post[] = [];
	for (let t = 0; t < THREAD_POSTS; t++) {
		const post = nth(posts, postCount - 1 - t * 7);
		Object.assign(post, {
			author: nth(threadAuthors, t),
			type: "text",
			visibility: "public",
			groupId: null,
			spiritual: false,
			moderation: "clean",
			toxicity: 0.01,
		});
		threadPosts.push(post);
	}
	const pollOptionRows: unknown[][] = [];
	for (const post of posts) {
		if (post.type === "milestone") post.habit = nth(defined(habitsByUser.get(post.author.id)), 0);
		if (post.type !== "poll") continue;
		post.pollClosesMs = post.createdMs + 7 * DAY;
		const options = 2 + random.int(3);
		for (let o = 0; o < options; o++) {
			pollOptionRows.push([
				uuidv7(post.createdMs, random),
				post.id,
				o,
				`Option ${o + 1}`,
				iso(post.createdMs),
			]);
		}
	}

	// ------------------------------------------------------------------ comments
	const commentRows: unknown[][] = [];
	const replyRows: unknown[][] = [];
	const comments: Comment[] = [];
	const addComment = (post: Post, author: User, parent: Comment | null, atMs: number): Comment => {
		const id = uuidv7(atMs, random);
		const row = [
			id,
			post.id,
			author.id,
			parent ? parent.id : null,
			parent ? parent.id : null,
			parent ? 1 : 0,
			random.pick(PHRASES),
			random.chance(0.97) ? "clean" : "unchecked",
			0,
			iso(atMs),
			iso(atMs),
		];
		const comment: Comment = { id, post, authorId: author.id, row, reactions: 0 };
		(parent ? replyRows : commentRows).push(row);
		comments.push(comment);
		post.comments++;
		return comment;
	};
	for (const post of threadPosts) {
		for (let c = 0; c < THREAD_TOP_LEVEL; c++) {
			const at = post.createdMs + (c + 1) * 60_000;
			const top = addComment(post, random.pick(users), null, at);
			for (let r = 0; r < THREAD_REPLIES_PER_COMMENT; r++) {
				addComment(post, random.pick(users), top, at + (r + 1) * 1000);
			}
		}
	}
	// Elsewhere: about one comment per post, clustered on some posts, a third of them replies.
	const otherComments = Math.floor(postCount * 0.8);
	const firstTopLevel = new Map<string, Comment>();
	for (let c = 0; c < otherComments; c++) {
		const post = nth(posts, pickPostForComment(random, postCount));
		if (threadPosts.includes(post)) continue;
		const at = post.createdMs + 60_000 + random.int(DAY);
		const parent = firstTopLevel.get(post.id);
		if (parent && random.chance(0.33)) addComment(post, random.pick(users), parent, at + 1000);
		else {
			const top = addComment(post, random.pick(users), null, at);
			if (!parent) firstTopLevel.set(post.id, top);
		}
	}

	// ------------------------------------------------------------------ reactions
	const reactionRows: unknown[][] = [];
	const reacted = new Set<string>();
	const postWeights = posts.map(() => (-Math.log(1 - random.next())) ** 2);
	const pickPost = cumulativePicker(postWeights, random);
	const postReactions = Math.floor(size.reactions * 0.9);
	let attempts = 0;
	while (reactionRows.length < postReactions && attempts < size.reactions * 3) {
		attempts++;
		const post = nth(posts, pickPost());
		const user = random.pick(users);
		const key = `${user.id}:p:${post.id}`;
		if (reacted.has(key)) continue;
		reacted.add(key);
		post.reactions++;
		const at = post.createdMs + 1000 + random.int(DAY);
		reactionRows.push([
			uuidv7(at, random),
			user.id,
			"post",
			post.id,
			post.author.id,
			random.pick(REACTION_TYPES),
			iso(at),
			iso(at),
		]);
	}
	while (reactionRows.length < size.reactions && comments.length > 0 && attempts < size.reactions * 4) {
		attempts++;
		const comment = random.pick(comments);
		const user = random.pick(users);
		const key = `${user.id}:c:${comment.id}`;
		if (reacted.has(key)) continue;
		reacted.add(key);
		comment.reactions++;
		const at = comment.post.createdMs + 5000 + random.int(DAY);
		reactionRows.push([
			uuidv7(at, random),
			user.id,
			"comment",
			comment.id,
			comment.authorId,
			random.pick(REACTION_TYPES),
			iso(at),
			iso(at),
		]);
	}
	for (const comment of comments) comment.row[8] = comment.reactions;

	await insert(
		"posts",
		[
			"id",
			"author_id",
			"type",
			"body",
			"visibility",
			"group_id",
			"media_urls",
			"milestone_habit_id",
			"milestone_streak",
			"poll_closes_at",
			"is_spiritual",
			"moderation_status",
			"toxicity_score",
			"reaction_count",
			"comment_count",
			"hot_score",
			"created_at",
			"updated_at",
		],
		posts.map((post, p) => [
			post.id,
			post.author.id,
			post.type,
			post.type === "image" || post.type === "video" ? "" : `${text(1 + (p % 3))}${tail()}`,
			post.visibility,
			post.groupId,
			post.type === "image"
				? '["https://img.example/p.jpg"]'
				: post.type === "video"
					? '["https://video.example/v.mp4"]'
					: "[]",
			post.habit ? post.habit.id : null,
			post.habit ? 3 + (p % 20) : null,
			post.pollClosesMs ? iso(post.pollClosesMs) : null,
			post.spiritual ? 1 : 0,
			post.moderation,
			post.toxicity,
			post.reactions,
			post.comments,
			hotScore(post.reactions, iso(post.createdMs)),
			iso(post.createdMs),
			iso(post.createdMs),
		]),
		undefined,
		{ ordered: true },
	);
	await insert("poll_options", ["id", "post_id", "position", "label", "created_at"], pollOptionRows);
	const commentColumns = [
		"id",
		"post_id",
		"author_id",
		"parent_id",
		"root_id",
		"depth",
		"body",
		"moderation_status",
		"reaction_count",
		"created_at",
		"updated_at",
	];
	await insert("comments", commentColumns, commentRows);
	await insert("comments", commentColumns, replyRows);
	await insert(
		"reactions",
		[
			"id",
			"user_id",
			"target_type",
			"target_id",
			"target_author_id",
			"reaction_type",
			"created_at",
			"updated_at",
		],
		reactionRows,
	);

	// ------------------------------------------------------------------ the moderation queue
	// About 1% of posts are in the queue (ML flags and reports), most still open.
	const queueRows: unknown[][] = [];
	const reportRows: unknown[][] = [];
	const reporters = users.filter((user) => user.role === "user");
	for (const post of posts) {
		const flaggedByMl = post.moderation === "flagged" || post.moderation === "hidden";
		if (!flaggedByMl && !random.chance(0.004)) continue;
		const at = post.createdMs + 3_600_000;
		const itemId = uuidv7(at, random);
		const reportCount = flaggedByMl ? random.int(2) : 1 + random.int(3);
		const chosen = new Set<string>();
		let score = flaggedByMl ? (post.toxicity ?? 0) * 5 : 0;
		for (let r = 0; r < reportCount; r++) {
			const reporter = random.pick(reporters);
			if (chosen.has(reporter.id) || reporter.id === post.author.id) continue;
			chosen.add(reporter.id);
			const weight = 1 + TRUST_RANK[reporter.trust];
			score += weight;
			reportRows.push([
				uuidv7(at + r * 1000, random),
				reporter.id,
				"post",
				post.id,
				random.pick(REPORT_REASONS),
				weight,
				"open",
				itemId,
				iso(at + r * 1000),
				iso(at + r * 1000),
			]);
		}
		if (!flaggedByMl && chosen.size === 0) continue;
		const open = random.chance(0.8);
		queueRows.push([
			itemId,
			"post",
			post.id,
			post.author.id,
			open ? "open" : "resolved",
			Math.round(score * 100) / 100,
			chosen.size,
			flaggedByMl ? post.toxicity : null,
			post.moderation === "hidden" ? 1 : 0,
			JSON.stringify({ type: post.type, body: "snapshot of the reported post" }),
			flaggedByMl ? "ml" : "reports",
			iso(at),
			iso(at),
		]);
	}
	await insert(
		"moderation_queue_items",
		[
			"id",
			"target_type",
			"target_id",
			"target_author_id",
			"status",
			"score",
			"report_count",
			"ml_toxicity",
			"is_hidden",
			"content_snapshot",
			"source",
			"created_at",
			"updated_at",
		],
		queueRows,
	);
	await insert(
		"reports",
		[
			"id",
			"reporter_id",
			"target_type",
			"target_id",
			"reason",
			"weight",
			"status",
			"queue_item_id",
			"created_at",
			"updated_at",
		],
		reportRows,
	);

	// ------------------------------------------------------------------ notifications
	const notified =
		size.notifications === undefined ? [] : users.slice(0, Math.min(NOTIFIED_USERS, users.length));
	if (size.notifications !== undefined) {
		await insertNotifications(seed, later, {
			users,
			notified,
			otherPerPerson: Math.round(size.notifications / Math.max(1, users.length - notified.length)),
			now,
			counts,
			log,
		});
	}

	const pool = users.slice(0, Math.min(POOL_USERS, users.length));
	return {
		size: typeof sizeName === "string" ? sizeName : "custom",
		counts,
		fixtures: {
			readers: pool.map((user) => user.sub),
			posters: users.slice(0, Math.min(POSTER_USERS, users.length)).map((user) => user.sub),
			guardians: users.filter((user) => user.role === "guardian").map((user) => user.sub),
			threadPostIds: threadPosts.map((post) => post.id),
			chatPairs,
			rsvp: {
				eventId: rsvpEvent.id,
				capacity: RSVP_CAPACITY,
				members: users.slice(0, Math.min(RSVP_MEMBERS, users.length)).map((user) => user.sub),
			},
			notified: notified.map((user) => user.sub),
			fanOut: {
				eventId: fanOutEvent.id,
				organiser: organiser.sub,
				// The fan-out's dedupe key, which its notifications carry as their group key.
				groupKey: `event_cancelled:${fanOutEvent.id}`,
				attendeeIds: attendees.map((user) => user.id),
				attendeeSubs: attendees.map((user) => user.sub),
			},
		},
	};
}

/**
 * The kinds of notification a person receives, and how often (weights sum to 100): reactions (grouped, one
 * row per post or comment, up to three actors shown of up to 32), comments and replies most, then
 * connections, groups, events, mentorships, projects, and what moderation and the system tell (no actor).
 */
const NOTIFICATION_MIX: ReadonlyArray<{
	type: string;
	subject: string;
	weight: number;
	actors: "none" | "one" | "grouped";
	data?: Record<string, string>;
}> = [
	{ type: "reaction", subject: "post", weight: 30, actors: "grouped" },
	{ type: "reaction", subject: "comment", weight: 8, actors: "grouped" },
	{ type: "comment", subject: "post", weight: 20, actors: "one" },
	{ type: "reply", subject: "comment", weight: 12, actors: "one" },
	{ type: "connection_request", subject: "connection", weight: 4, actors: "one" },
	{ type: "connection_accepted", subject: "connection", weight: 4, actors: "one" },
	{ type: "group_invitation", subject: "group", weight: 2, actors: "one", data: { name: "Evening walkers" } },
	{
		type: "group_join_request",
		subject: "group",
		weight: 2,
		actors: "one",
		data: { name: "Sunday readers" },
	},
	{ type: "event_updated", subject: "event", weight: 4, actors: "one", data: { title: "Park clean-up" } },
	{ type: "event_cancelled", subject: "event", weight: 1, actors: "one", data: { title: "Picnic" } },
	{ type: "waitlist_promoted", subject: "event", weight: 2, actors: "none", data: { title: "Yoga at dawn" } },
	{ type: "mentorship_request", subject: "mentorship", weight: 2, actors: "one" },
	{
		type: "mentorship_update",
		subject: "mentorship",
		weight: 2,
		actors: "one",
		data: { status: "accepted" },
	},
	{ type: "project_invitation", subject: "project", weight: 2, actors: "one", data: { title: "Food bank" } },
	{
		type: "content_moderated",
		subject: "post",
		weight: 2,
		actors: "none",
		data: { status: "hidden", content: "post" },
	},
	{ type: "trust_level", subject: "user", weight: 1, actors: "none", data: { level: "growing" } },
	{ type: "appeal_decided", subject: "appeal", weight: 1, actors: "none", data: { status: "overturned" } },
	{
		type: "application_decided",
		subject: "application",
		weight: 1,
		actors: "none",
		data: { kind: "trust", status: "approved" },
	},
];

/** An ISO 8601 instant (as `toISOString` writes it) from integer milliseconds, in SQL. */
const isoSql = (ms: string) =>
	`(strftime('%Y-%m-%dT%H:%M:%S', (${ms}) / 1000, 'unixepoch') || printf('.%03dZ', (${ms}) % 1000))`;
/** A UUIDv7-shaped id in SQL: integer milliseconds, two integers for its random bits, one that makes it unique. */
const uuidSql = (ms: string, a: string, b: string, unique: string) =>
	`(substr(printf('%012x', ${ms}), 1, 8) || '-' || substr(printf('%012x', ${ms}), 9, 4) || '-7' || printf('%03x', (${a}) % 4096) || '-' || printf('%04x', 32768 + (${b}) % 16384) || '-' || printf('%012x', ${unique}))`;

/**
 * Every person's notifications, written set-based: one `INSERT … SELECT` generates `?2` rows per person of
 * `?1` (`[[id, index], …]`), newest first, evenly over the last NOTIFICATION_SPAN_DAYS days with a jitter;
 * the kind drawn from `?3` (NOTIFICATION_MIX, one slot per percent), actors from `?4`. Read state by age:
 * 97% of those older than two weeks are read, 60% of the last two weeks', 15% of the last day's. A grouped
 * reaction was created up to three days before its last change. Subjects are ids of their kind's shape (no
 * statement of the list reads them); every value is derived from the person's index and the row's number,
 * so the same dataset is written every time. `mix` and `keyed` are MATERIALIZED and `mix` is joined inner
 * (CROSS JOIN): flattened, SQLite recomputed every id where it is used, or ran the recursion once per kind
 * (≈ 5 times slower).
 */
const NOTIFICATIONS_SQL = `
INSERT INTO notifications (id, user_id, type, subject_type, subject_id, group_key, actor_ids, actor_count, data,
	created_at, updated_at, read_at)
WITH RECURSIVE
	n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < ?2),
	people AS (SELECT json_extract(value, '$[0]') AS user_id, json_extract(value, '$[1]') AS u FROM json_each(?1)),
	mix AS MATERIALIZED (SELECT key AS slot, json_extract(value, '$.type') AS type, json_extract(value, '$.subject') AS subject_type,
		json_extract(value, '$.actors') AS actor_kind, json_extract(value, '$.data') AS data FROM json_each(?3)),
	drawn AS (
		SELECT people.user_id, people.u, n.k,
			(n.k * 2654435761 + people.u * 97531 + 12345) % 2147483647 AS h,
			(n.k * 40503 + people.u * 2246822519 + 777) % 2147483629 AS g,
			?5 - n.k * ?6 / ?2 - (n.k * 7919 + people.u * 104729) % 600000 AS ts
		FROM people, n
	),
	kinds AS (
		SELECT drawn.*, mix.type, mix.subject_type, mix.actor_kind, mix.data,
			CASE mix.actor_kind WHEN 'none' THEN 0 WHEN 'one' THEN 1
				ELSE CASE drawn.g % 4 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE 3 + (drawn.g / 4) % 30 END END AS actor_count,
			(drawn.h / 100) % json_array_length(?4) AS a
		FROM drawn CROSS JOIN mix ON mix.slot = drawn.h % 100
	),
	keyed AS MATERIALIZED (
		SELECT kinds.*,
			${uuidSql("ts", "g", "h / 7", "u * 1000000 + k")} AS id,
			${uuidSql("ts - 60000", "h", "g / 7", "u * 1000000 + k")} AS subject_uuid,
			(h / 13) % 100 < CASE WHEN ?5 - ts > 14 * 86400000 THEN 97 WHEN ?5 - ts > 86400000 THEN 60 ELSE 15 END AS is_read
		FROM kinds
	)
SELECT id, user_id, type, subject_type,
	CASE subject_type WHEN 'user' THEN user_id ELSE subject_uuid END,
	CASE actor_kind WHEN 'grouped' THEN type || ':' || subject_type || ':' || subject_uuid ELSE type || ':' || id END,
	CASE min(actor_count, 3)
		WHEN 0 THEN '[]'
		WHEN 1 THEN json_array(json_extract(?4, '$[' || a || ']'))
		WHEN 2 THEN json_array(json_extract(?4, '$[' || a || ']'), json_extract(?4, '$[' || ((a + 1) % json_array_length(?4)) || ']'))
		ELSE json_array(json_extract(?4, '$[' || a || ']'), json_extract(?4, '$[' || ((a + 1) % json_array_length(?4)) || ']'),
			json_extract(?4, '$[' || ((a + 2) % json_array_length(?4)) || ']'))
	END,
	actor_count,
	coalesce(data, '{}'),
	${isoSql("CASE actor_kind WHEN 'grouped' THEN ts - (h / 3) % (3 * 86400000) ELSE ts END")},
	${isoSql("ts")},
	CASE WHEN is_read THEN ${isoSql("min(ts + (g / 11) % 3600000, ?5)")} END
FROM keyed`;

/** How many actor ids a statement draws from (people other than those it writes for). */
const NOTIFICATION_ACTORS = 300;

/** Inserts everyone's notifications (see NOTIFICATIONS_SQL): the notified people one statement each. */
async function insertNotifications(
	seed: SeedClient,
	random: Random,
	{
		users,
		notified,
		otherPerPerson,
		now,
		counts,
		log,
	}: {
		users: User[];
		notified: User[];
		otherPerPerson: number;
		now: number;
		counts: Record<string, number>;
		log: (message: string) => void;
	},
): Promise<void> {
	const started = Date.now();
	const mix = JSON.stringify(
		NOTIFICATION_MIX.flatMap((kind) =>
			Array.from({ length: kind.weight }, () => ({
				type: kind.type,
				subject: kind.subject,
				actors: kind.actors,
				data: kind.data ? JSON.stringify(kind.data) : null,
			})),
		),
	);
	if (JSON.parse(mix).length !== 100) throw new Error("NOTIFICATION_MIX's weights must sum to 100");
	const index = new Map(users.map((user, i) => [user.id, i]));
	/** Actors for a statement: people drawn from everyone but those it writes for. */
	const actorsBesides = (people: User[]) => {
		const excluded = new Set(people.map((person) => person.id));
		const actors = new Set<string>();
		while (actors.size < Math.min(NOTIFICATION_ACTORS, users.length - excluded.size)) {
			const candidate = random.pick(users);
			if (!excluded.has(candidate.id)) actors.add(candidate.id);
		}
		return JSON.stringify([...actors]);
	};
	const statement = (people: User[], perPerson: number): SeedStatement => ({
		sql: NOTIFICATIONS_SQL,
		params: [
			JSON.stringify(people.map((person) => [person.id, index.get(person.id)])),
			perPerson,
			mix,
			actorsBesides(people),
			now,
			NOTIFICATION_SPAN_DAYS * DAY,
		],
	});
	const statements = notified.map((person) => statement([person], NOTIFICATIONS_PER_NOTIFIED_USER));
	const notifiedIds = new Set(notified.map((person) => person.id));
	const others = users.filter((user) => !notifiedIds.has(user.id));
	if (otherPerPerson > 0) {
		for (let start = 0; start < others.length; start += NOTIFICATION_PEOPLE_PER_STATEMENT) {
			statements.push(
				statement(others.slice(start, start + NOTIFICATION_PEOPLE_PER_STATEMENT), otherPerPerson),
			);
		}
	}
	// A few statements per batch: each writes up to 10,000 rows.
	for (let start = 0; start < statements.length; start += 10) {
		await seed.run(statements.slice(start, start + 10));
	}
	const rows = notified.length * NOTIFICATIONS_PER_NOTIFIED_USER + others.length * otherPerPerson;
	counts.notifications = (counts.notifications ?? 0) + rows;
	log(`notifications: ${rows} rows in ${statements.length} set-based statements, ${Date.now() - started} ms`);
}

/** Picks an index with probability proportional to `weights[index]` (binary search over the running sum). */
function cumulativePicker(weights: number[], random: Random): () => number {
	const cumulative = new Float64Array(weights.length);
	let sum = 0;
	weights.forEach((weight, i) => {
		sum += weight;
		cumulative[i] = sum;
	});
	return () => {
		const target = random.next() * sum;
		let low = 0;
		let high = cumulative.length - 1;
		while (low < high) {
			const mid = (low + high) >> 1;
			if (nth(cumulative, mid) < target) low = mid + 1;
			else high = mid;
		}
		return low;
	};
}

/** Comments cluster on a fifth of the posts. */
function pickPostForComment(random: Random, postCount: number): number {
	const bucket = random.int(Math.max(1, Math.floor(postCount / 5)));
	return Math.min(postCount - 1, bucket * 5);
}

/** `list[index]`, which must be there: every index here is computed within the list. */
function nth<T>(list: ArrayLike<T>, index: number): T {
	const item = list[index];
	if (item === undefined) throw new Error(`index ${index} is outside a list of ${list.length}`);
	return item;
}

/** A value the dataset put in a map before reading it. */
function defined<T>(value: T | undefined): T {
	if (value === undefined) throw new Error("a map lookup found nothing");
	return value;
}
