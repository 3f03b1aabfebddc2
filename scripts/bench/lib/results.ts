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
	/** The bench Worker's socket (micro figures). */
	benchUrl: string;
	size: string;
	counts: Record<string, number>;
	seedSeconds: number;
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

/** A whole run (bench-results.json). */
export interface BenchResults {
	startedAt: string;
	machine: { cpu: string; cores: number; memoryGiB: number; os: string };
	versions: Record<string, string | null>;
	method: { server: string; pinning: string; loadGenerator: string };
	load: { before: MachineLoad; after?: MachineLoad };
	sizes: Partial<Record<string, SizeResult>>;
	bundle?: { api: BundleSize; ml: BundleSize };
	durationSeconds?: number;
}
