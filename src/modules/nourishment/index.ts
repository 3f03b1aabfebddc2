/**
 * @module nourishment: Daily Nourishment: Guardian-curated daily content, by each person's local date.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { nourishmentRoutes } from "./routes";
export { ItemSchema as NourishmentItemSchema } from "./schemas";
export { nourishmentSearch } from "./search";
