/**
 * @module recommendations: recommendations of posts, groups, projects and guides by similarity to what a person cares about.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { recommendationsRoutes } from "./routes";
