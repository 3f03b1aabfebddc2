/**
 * @module http/router: the one way features build their routers, so every route is validated by zod,
 * documented in OpenAPI, and answers validation failures as problem+json.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { type FieldError, unprocessable } from "../lib/problem";

/** Turns zod issues into `errors[]` entries such as `{ field: "body/name", message }`. */
export function fieldErrors(target: string, error: ZodError): FieldError[] {
	return error.issues.map((issue) => ({
		field: [target, ...issue.path.map(String)].join("/"),
		message: issue.message,
	}));
}

const TARGET_NAMES: Record<string, string> = { json: "body", param: "path" };

export function createRouter(): OpenAPIHono<AppEnv> {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result) => {
			if (!result.success) {
				const target = TARGET_NAMES[result.target] ?? result.target;
				throw unprocessable(`The request ${target} is invalid.`, fieldErrors(target, result.error));
			}
		},
	});
}
