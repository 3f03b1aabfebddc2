/**
 * @module support: Anonymous Support: support requests that store no link to their author (controlled by a token shown once), and the responses of guides and members.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */

export { purgeOldSupportQuota } from "./quota";
export { supportRoutes } from "./routes";
