/**
 * @module privacy: my privacy rights: the export of everything stored about me, and the deletion of my account (with its outbox of Durable Object work and the retention of evidence).
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */

export { eraseExpiredEvidence, runDueErasureJobs } from "./erase";
export { privacyRoutes } from "./routes";
