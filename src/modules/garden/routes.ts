import { createRouter } from "../../lib/router";

export const gardenRoutes = createRouter();
