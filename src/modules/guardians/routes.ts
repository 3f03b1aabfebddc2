/** @module guardians/routes: placeholder router; the feature's issue fills it in. */
import { createRouter } from "../../lib/router";

export const guardiansRoutes = createRouter();
