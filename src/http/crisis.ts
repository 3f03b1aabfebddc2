/**
 * @module http/crisis: the crisis resources of the request being answered — the one way a route gets them, so
 * every answer orders them for where the caller is (`request.cf.country`; core/moderation/crisis).
 */
import type { Context } from "hono";
import {
	type CallerCountry,
	type CrisisResource,
	crisisResources,
	requestCountry,
} from "../core/moderation/crisis";
import type { AppEnv } from "../env";

/** The caller's country (ISO 3166-1 alpha-2), or null when unknown; for logic that runs outside the route. */
export function callerCountry(c: Context<AppEnv>): CallerCountry {
	return requestCountry(c.req.raw);
}

/** The crisis resources for this request's caller, their own country's lines first. */
export function crisisResourcesFor(c: Context<AppEnv>): CrisisResource[] {
	return crisisResources(c.env.CRISIS_RESOURCES, callerCountry(c));
}
