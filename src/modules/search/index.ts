/**
 * @module search: finding things by what they say, across the features that own them (one full-text index,
 * core/search; each feature says who may see its matches and presents them).
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { searchRoutes } from "./routes";
