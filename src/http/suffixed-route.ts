/**
 * @module http/suffixed-route: routes whose last segment is a parameter followed by a fixed suffix, such as
 * `/fellowship/events/{event_id}.ics`. Hono reads `:event_id.ics` as one parameter named `event_id.ics`
 * that matches every segment (`/fellowship/events/<id>` included), so the document keeps the path as
 * written while the router matches the segment by a pattern that must end in the suffix, and the parameter's
 * schema removes the suffix before the route's own schema checks what is left.
 *
 * Register such a route before a route that matches the bare segment (`/fellowship/events/{event_id}`):
 * Hono runs the first route that matches, and the bare one matches `<id>.ics` too.
 *
 * @example
 * openapiSuffixed(router, exportEventCalendarRoute, { param: "event_id", suffix: ".ics" }, handler);
 */
import { type OpenAPIHono, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The Hono path `openapiSuffixed` routes by, e.g. `/fellowship/events/{event_id{[^/]+\.ics}}`. */
export const suffixedRoutingPath = (path: string, param: string, suffix: string): string => {
	const written = `{${param}}${suffix}`;
	if (!path.endsWith(written)) throw new Error(`${path} does not end in ${written}`);
	return `${path.slice(0, -written.length)}{${param}{[^/]+${escapeRegExp(suffix)}}}`;
};

/** A documented path again from a served Hono path (`:event_id{[^/]+\.ics}` → `{event_id}.ics`). */
export const documentedPathOf = (honoPath: string): string =>
	honoPath
		.replace(/:(\w+)\{\[\^\/\]\+((?:\\.|[^}\\])*)\}/g, (_all, name: string, suffix: string) => {
			return `{${name}}${suffix.replace(/\\(.)/g, "$1")}`;
		})
		.replace(/:(\w+)/g, "{$1}");

export function openapiSuffixed<R extends RouteConfig>(
	router: OpenAPIHono<AppEnv>,
	route: R,
	{ param, suffix }: { param: string; suffix: string },
	handler: RouteHandler<R, AppEnv>,
): void {
	const params = route.request?.params;
	if (!(params instanceof z.ZodObject)) throw new Error(`${route.path} declares no path parameters`);
	const own = params.shape[param];
	if (!(own instanceof z.ZodType)) throw new Error(`${route.path} declares no parameter ${param}`);
	const { middleware: _middleware, ...documented } = route;
	router.openAPIRegistry.registerPath(documented);
	const routed = {
		...route,
		path: suffixedRoutingPath(route.path, param, suffix),
		hide: true,
		request: {
			...route.request,
			params: params.extend({
				[param]: z
					.string()
					.transform((value) => value.slice(0, -suffix.length))
					.pipe(own as z.ZodType<unknown, string>),
			}),
		},
	} as unknown as R;
	router.openapi(routed, handler);
}
