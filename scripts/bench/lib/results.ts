/**
 * The shape of a benchmark run's files: the fixtures server.ts hands load.ts, what load.ts measures for one
 * dataset size, what run.ts adds around it and writes to bench-results.json, and what report.ts and
 * compare.ts read back.
 */
import type { Dataset } from "./dataset.mts";

type DatasetFixtures = Dataset["fixtures"];

/** What the load generator needs of a loaded server (server.ts writes it to `--fixtures`). */
export interface BenchFixtures extends DatasetFixtures {
	/** The API Worker's own socket. */
	apiUrl: string;
	/** The API whose chat objects see D1 `d1DelayMs` further away (scripts/bench/d1-delay-entry.ts). */
	apiD1DelayUrl: string;
	d1DelayMs: number;
	/** The same delay on the API's own rooms (0 but in a before/after comparison). */
	apiD1DelayMs: number;
	/** The latency model's round trip to the D1 primary and to a replica (the `latency` extra). */
	primaryMs: number;
	replicaMs: number;
	/** The bench Worker's socket (micro figures). */
	benchUrl: string;
	size: string;
	counts: Record<string, number>;
	seedSeconds: number;
	/** The API's VAPID public key of this run (the stand-in push service checks pushes are signed with it). */
	vapidPublicKey: string;
}

/** One endpoint measured with autocannon. */
export interface EndpointResult {
	label: string;
	requests: number;
	rps: number | null;
	p50: number | null;
	p95: number | null;
	p99: number | null;
	/** Responses per HTTP status. */
	statuses: Record<string, number>;
	non2xx: number;
	errors: number;
	timeouts: number;
	/** The first few bodies of non-2xx answers. */
	errorSamples: string[];
}

export interface ChatResult {
	pairs: number;
	/** The round trip added to each D1 call of the rooms (absent before issue 17: none). */
	d1DelayMs?: number;
	clients?: number;
	offeredPerSecond?: number;
	sent?: number;
	delivered?: number;
	acks?: number;
	errorFrames?: number;
	errorCodes?: Record<string, number>;
	messagesPerSecond?: number | null;
	p50?: number | null;
	p99?: number | null;
	max?: number | null;
	/** Each client's first message of the level, sent and timed before the measured run (issue 17). */
	first?: { sent: number; delivered: number; p50: number | null; max: number | null };
	/**
	 * workerd's CPU time (every isolate: rooms, person streams, ML, D1) from the first send until the level
	 * settled, per message sent.
	 */
	workerdCpuMsPerMessage?: number | null;
	/** With `--profile`: busy CPU milliseconds per message sent, per isolate. */
	cpuMsPerMessage?: Record<string, number>;
	/** Set instead of the figures when the level could not be run. */
	error?: string;
}

export interface RsvpResult {
	requests: number;
	capacity: number;
	completionMs: number | null;
	p50: number | null;
	p99: number | null;
	statuses: Record<string, number>;
	going: number;
	waitlisted: number;
	waitlistPositionsExact: boolean;
	/** The event's own counts afterwards (going, waitlisted, capacity…). */
	eventCounts: Record<string, number> | undefined;
	correct: boolean;
}

/**
 * An event with FAN_OUT_ATTENDEES people going or waitlisted is cancelled through the API; its fan-out goes
 * through the notifications queue, whose consumer writes one `event_cancelled` notification per person.
 */
export interface FanOutResult {
	/** The people who should be told (everyone going or waitlisted; the organiser is not one of them). */
	attendees: number;
	/** The cancel request's own latency, and its status. */
	cancelMs: number | null;
	cancelStatus: number;
	/** From the cancel's answer until every attendee had the notification row; null if that never happened. */
	fanOutMs: number | null;
	/** How many had it when the polling stopped. */
	notified: number;
	/** How often D1 was asked (through the bench Worker), and how long the polling waited between asks. */
	polls: number;
	pollIntervalMs: number;
	/** Set when the cancel or the polling failed. */
	error?: string;
	/** Attendees' live streams open during the cancel; absent from runs made before it was measured. */
	live?: LiveFanOutResult;
}

/**
 * N of the fan-out's attendees hold their live stream open (`GET /api/v1/stream`, opened with a ticket, each
 * past its `ready` frame) when the event is cancelled; each socket's time is from the cancel's answer to its
 * `notification` frame of type `event_cancelled` for that event.
 */
export interface LiveFanOutResult {
	/** Streams asked for (N), and how many reached `ready`. */
	streams: number;
	opened: number;
	/** How long opening them took (ticket, upgrade, `ready`; a few at a time). */
	openMs: number | null;
	/** Sockets that received the frame, and those that did not by the deadline (must be 0). */
	received: number;
	missing: number;
	/** How long the sockets were waited for after the cancel's answer. */
	waitedMs: number | null;
	/**
	 * The first frame: the consumer writes all the notifications in one statement and pokes the streams
	 * after it committed, so by then every row is in D1 (whatever the polling saw).
	 */
	min: number | null;
	p50: number | null;
	p99: number | null;
	max: number | null;
	/** Sockets that closed before their frame arrived, by close code. */
	closedEarly: Record<string, number>;
	/** Set when the streams could not be opened (the figures above are then partial). */
	error?: string;
}

export interface MicroResult {
	jwtVerifyWarmUs: number | null;
	/** Absent from runs made before the verified-token cache existed. */
	jwtCachedUs?: number | null;
	pbkdf2SupportTokenMs: number | null;
	moderateMs: number | null;
	embedMs: number | null;
}

/** One run of the minute cron's tasks (the reminders extra), through the bench Worker with a counting D1. */
export interface TickResult {
	/** Wall time, from the load generator: the bench Worker's request around the tasks. */
	ms: number;
	/** The same inside workerd (its clock advances across D1 calls, not during computation). */
	insideMs: number;
	/**
	 * Inside workerd, until D1's last answer: the reminders themselves; the rest of insideMs is telling the
	 * people notified (a poke to each one's live-stream Durable Object, their push jobs queued).
	 */
	d1Ms?: number;
	/** D1 calls (a batch is one), the statements they carried, and D1's own `meta` of them summed. */
	roundTrips: number;
	statements: number;
	rowsRead: number;
	rowsWritten: number;
}

/** Pushes delivered to the stand-in push service (each verified and decrypted before it is accepted). */
export interface PushDeliveryResult {
	/** Push jobs (one per person told), and the pushes they should make (one per subscription). */
	jobs: number;
	expected: number;
	accepted: number;
	/** Pushes the stand-in refused (must be 0), with the first reasons. */
	refused: number;
	refusals: string[];
	/** Pushes per second: through the queue from the first accepted to the last; without it over the whole call. */
	perSecond: number | null;
	/** Through the queue: the first and last push accepted, after the tick's answer (ms). */
	firstMs?: number | null;
	lastMs?: number | null;
	/** Without the queue: jobs in flight at once, the call's time, and the D1 cost of a job. */
	concurrency?: number;
	ms?: number;
	roundTripsPerJob?: number;
	rowsReadPerJob?: number;
	rowsWrittenPerJob?: number;
	/** Without the queue: what deliverPushJob answered, summed (retry > 0: a push did not get through). */
	outcome?: { delivered: number; removed: number; failed: number; retry: number };
}

/** Habit reminders and Web Push (issue 16): scripts/bench/lib/reminders-extra.ts. */
export interface RemindersResult {
	people: number;
	habits: number;
	/** Habits whose `next_reminder_at` had come at `now`, read from D1 before the tick (must be 1,000). */
	due: number;
	now: string;
	loadSeconds: number;
	/** The tick before any reminder habit was loaded. */
	emptyTick: TickResult;
	/** The tick with `due` reminders due, and the `habit_reminder` notifications it wrote. */
	tick: TickResult & { fired: number };
	/** The same minute's tick again, nothing due. */
	idleTick: TickResult;
	/** The pushes of the tick's notifications, through the notifications queue and the API's consumer. */
	viaQueue: PushDeliveryResult;
	/** The same push jobs again (claims cleared), delivered by the bench Worker without the queue. */
	direct: PushDeliveryResult;
	/** buildPushRequest alone (RFC 8291 encryption and the VAPID signature of one push). */
	cryptoMsPerPush: number;
	cryptoPerSecond: number | null;
	/** Set instead of the figures when the extra failed. */
	error?: string;
}

/**
 * D1 round trips of one endpoint's measured phase under the latency model, as counted by the API's bench
 * entry (scripts/bench/api-entry.ts) over the requests it answered in that time.
 */
export interface TripCounts {
	requests: number;
	/** Round trips before the answer, summed over the requests. */
	primary: number;
	replica: number;
	/** Of those, the ones that started while none of the request's others was in flight (waits in a row). */
	waits: number;
	/** Round trips after the answer (`waitUntil` work), which no client waits for. */
	afterAnswer: { primary: number; replica: number };
	/** Requests per combination of round trips before the answer, e.g. `"1p+2r"`. */
	patterns: Record<string, number>;
}

/** One endpoint under one variant of the latency model. */
export interface LatencyEndpointResult extends EndpointResult {
	/** Null when the counts could not be read. */
	trips: TripCounts | null;
	/** The target for the median: reads 25 ms, writes 200 ms. */
	targetP50: number;
}

/** The latency model (issue 18): every D1 round trip of the request handlers delayed by where it goes. */
export interface LatencyResult {
	primaryMs: number;
	replicaMs: number;
	/** Requests sent a second to each endpoint, evenly spaced (an open loop). */
	ratePerSecond: number;
	seconds: number;
	warmupSeconds: number;
	/** Each endpoint with replicas (D1 sessions as the API opens them), and with every trip on the primary. */
	sessions: Record<string, LatencyEndpointResult>;
	primaryOnly: Record<string, LatencyEndpointResult>;
}

/** Everything measured on one dataset size (load.ts's output). */
export interface SizeResult {
	size: string;
	counts: Record<string, number>;
	seedSeconds: number;
	endpoints: Record<string, EndpointResult>;
	micro?: MicroResult;
	rsvp?: RsvpResult;
	/** Absent from runs made before notifications existed. */
	fanOut?: FanOutResult;
	chat?: ChatResult[];
	/** Absent from runs made before issue 16 (habit reminders and Web Push). */
	reminders?: RemindersResult | { error: string };
	/** Absent from runs made before issue 18 (the latency model). */
	latency?: LatencyResult | { error: string };
	/** Added by run.ts once the size is measured. */
	loadAverageAfter?: number[];
}

export interface MachineLoad {
	loadAverage: number[];
	cpuBusyPercent: number | null;
}

interface BundleSize {
	bytes: number;
	gzipBytes: number;
}

/** An extra measured in a later run of its own and merged into the report (`npm run bench -- --merge`). */
export interface MergedExtra {
	startedAt: string;
	load: { before: MachineLoad; after?: MachineLoad };
	versions: Record<string, string | null>;
}

/** A whole run (bench-results.json). */
export interface BenchResults {
	startedAt: string;
	machine: { cpu: string; cores: number; memoryGiB: number; os: string };
	versions: Record<string, string | null>;
	/** `storage` is absent from runs made before issue 17 (storage on disk then). */
	method: { server: string; storage?: string; pinning: string; loadGenerator: string };
	load: { before: MachineLoad; after?: MachineLoad };
	sizes: Partial<Record<string, SizeResult>>;
	bundle?: { api: BundleSize; ml: BundleSize };
	durationSeconds?: number;
	/** Extras (by name) whose figures come from a later run of their own (`--merge`), not from this one. */
	mergedExtras?: Record<string, MergedExtra>;
}
