/**
 * @module sunlight: Share the Sunlight: short gratitude, win and kindness shares, optionally anonymous, with positive-only reactions.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { sunlightRoutes } from "./routes";
export { ShareSchema } from "./schemas";
export { sunlightSearch } from "./search";
