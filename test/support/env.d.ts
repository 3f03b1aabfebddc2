/** Test-only bindings added in vitest.config.ts on top of the Worker's own, and the main module's exports. */
import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../../src/env";

declare global {
	namespace Cloudflare {
		interface Env extends Bindings {
			TEST_MIGRATIONS: D1Migration[];
			/** JSON: `{ current: JWK, unknown: JWK }` private keys of the stand-in Auth0 tenant. */
			TEST_SIGNING_KEYS: string;
			/** The public half of this run's `VAPID_PRIVATE_KEY`, as the key generator (scripts/lib) made it. */
			TEST_VAPID_PUBLIC_KEY: string;
		}
		interface GlobalProps {
			mainModule: typeof import("../../src/index");
			durableNamespaces: "ChatRoom" | "EventRsvp" | "PersonStream";
		}
	}
}
