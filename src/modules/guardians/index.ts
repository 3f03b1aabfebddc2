/**
 * @module guardians: Guardians: reports, the moderation queue and its decisions, penalties and appeals, trust and guide applications, the audit log.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { guardiansRoutes } from "./routes";
