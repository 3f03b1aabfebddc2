/**
 * @module moderation: `POST /moderation/check`: a draft scored before posting.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { moderationRoutes } from "./routes";
