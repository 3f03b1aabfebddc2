/**
 * @module teamup: Team Up: collaborative projects, their members and discussions.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { teamupRoutes } from "./routes";
export { Project as ProjectSchema } from "./schemas";
export { projectSearch } from "./search";
