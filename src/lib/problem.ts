/**
 * @module problem: RFC 9457 problem details, the one error shape of the API.
 *
 * Handlers throw `Problem`s (or the helpers below); `app.onError` renders them.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface FieldError {
	/** JSON-pointer-like location, e.g. `body/name` or `query/limit`. */
	field: string;
	message: string;
}

export interface ProblemBody {
	type: string;
	title: string;
	status: number;
	detail?: string;
	instance?: string;
	request_id?: string;
	errors?: FieldError[];
	[extension: string]: unknown;
}

const TITLES: Record<number, string> = {
	400: "Bad Request",
	401: "Unauthorized",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	409: "Conflict",
	413: "Content Too Large",
	415: "Unsupported Media Type",
	416: "Range Not Satisfiable",
	422: "Unprocessable Content",
	429: "Too Many Requests",
	500: "Internal Server Error",
	503: "Service Unavailable",
};

export interface ProblemInit {
	detail?: string;
	/** A short slug naming the problem kind; becomes `type` as `urn:flourish:problem:<slug>`. */
	kind?: string;
	errors?: FieldError[];
	headers?: Record<string, string>;
	extensions?: Record<string, unknown>;
}

export class Problem extends Error {
	readonly status: ContentfulStatusCode;
	readonly init: ProblemInit;

	constructor(status: ContentfulStatusCode, init: ProblemInit = {}) {
		super(init.detail ?? TITLES[status] ?? "Error");
		this.name = "Problem";
		this.status = status;
		this.init = init;
	}

	toBody(instance: string, requestId: string): ProblemBody {
		return {
			type: this.init.kind ? `urn:flourish:problem:${this.init.kind}` : "about:blank",
			title: TITLES[this.status] ?? "Error",
			status: this.status,
			...(this.init.detail ? { detail: this.init.detail } : {}),
			instance,
			request_id: requestId,
			...(this.init.errors ? { errors: this.init.errors } : {}),
			...this.init.extensions,
		};
	}
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
	new Problem(400, { detail, kind: "bad-request", ...(errors ? { errors } : {}) });
export const unprocessable = (detail: string, errors?: FieldError[]) =>
	new Problem(422, { detail, kind: "validation", ...(errors ? { errors } : {}) });
export const notFound = (what = "resource") =>
	new Problem(404, { detail: `No such ${what}.`, kind: "not-found" });
export const forbidden = (detail: string) => new Problem(403, { detail, kind: "forbidden" });
export const conflict = (detail: string) => new Problem(409, { detail, kind: "conflict" });

export function problemResponse(problem: Problem, instance: string, requestId: string): Response {
	return new Response(JSON.stringify(problem.toBody(instance, requestId)), {
		status: problem.status,
		headers: { "content-type": PROBLEM_CONTENT_TYPE, ...problem.init.headers },
	});
}
