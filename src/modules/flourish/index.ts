/**
 * @module flourish: the community feed, named after the product: posts of every type, polls, threaded comments and reactions.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { notificationsForApprovedComment } from "./comments";
export { flourishRoutes } from "./routes";
export { PostSchema } from "./schemas";
export { postSearch } from "./search";
