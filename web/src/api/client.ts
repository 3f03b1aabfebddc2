/**
 * @module api/client: the one way this app reaches the API — `openapi-fetch` typed by client/schema.d.ts, which
 * is generated from the API's OpenAPI document (`npm run client:generate`; scripts/client.test.ts fails when it
 * is stale). No request or response type here is written by hand.
 *
 * Every call carries the signed-in person's bearer token and the latest `X-D1-Bookmark` (read your own writes on
 * a replica); an error answer becomes an `ApiError` whose message is a sentence for people (api/problem).
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../../../client/schema";
import { asProblem, OFFLINE_SENTENCE, type ProblemLike, problemSentence } from "./problem";

export type Schemas = components["schemas"];
export type Habit = Schemas["Habit"];
export type Garden = Schemas["Garden"];
export type CreateHabit = Schemas["CreateHabit"];

const BOOKMARK_HEADER = "X-D1-Bookmark";

/** An error answer of the API, its message already a sentence. */
export class ApiError extends Error {
	readonly problem: ProblemLike;
	constructor(problem: ProblemLike, retryAfterSeconds?: number) {
		super(problemSentence(problem, retryAfterSeconds));
		this.name = "ApiError";
		this.problem = problem;
	}
	get status(): number | undefined {
		return this.problem.status;
	}
}

/** No answer at all (offline, DNS, a refused connection). */
export class OfflineError extends Error {
	constructor() {
		super(OFFLINE_SENTENCE);
		this.name = "OfflineError";
	}
}

export interface ApiOptions {
	/** The current access token, or null when nobody is signed in. */
	getToken: () => Promise<string | null>;
	/** Called once an answer says the token is no longer accepted. */
	onUnauthorized?: () => void;
	/** Defaults to this page's origin: the Worker serves both the app and the API. */
	baseUrl?: string;
	fetch?: (input: Request) => Promise<Response>;
}

export type Api = ReturnType<typeof createApi>;

export function createApi({ getToken, onUnauthorized, baseUrl, fetch }: ApiOptions) {
	let bookmark: string | null = null;
	const session: Middleware = {
		async onRequest({ request }) {
			const token = await getToken();
			if (token) request.headers.set("Authorization", `Bearer ${token}`);
			if (bookmark) request.headers.set(BOOKMARK_HEADER, bookmark);
			return request;
		},
		onResponse({ response }) {
			bookmark = response.headers.get(BOOKMARK_HEADER) ?? bookmark;
			if (response.status === 401) onUnauthorized?.();
			return response;
		},
		onError() {
			return new OfflineError();
		},
	};
	const client = createClient<paths>({
		baseUrl: baseUrl ?? globalThis.location?.origin ?? "",
		...(fetch ? { fetch } : {}),
	});
	client.use(session);
	return client;
}

/**
 * The data of a typed call, or an `ApiError` thrown for its error answer.
 *
 * @example const garden = await ok(api.GET("/api/v1/garden"));
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
	const { data, error, response } = await call;
	if (response.ok) return data as T;
	const retryAfter = Number(response.headers.get("Retry-After"));
	throw new ApiError(
		asProblem(error, response.status),
		Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
	);
}

/** The sentence to show for anything a call threw. */
export function errorSentence(error: unknown): string {
	if (error instanceof ApiError || error instanceof OfflineError) return error.message;
	if (error instanceof TypeError) return OFFLINE_SENTENCE;
	return "Something went wrong. Please try again.";
}
