/**
 * @module health: liveness and readiness (D1 and the ML Worker).
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { healthRoutes } from "./routes";
