/** @module db/schema: every feature's tables, the one index drizzle-kit and the drizzle client read. */
export * from "../lib/idempotency-tables";
export * from "../modules/fellowship/tables";
export * from "../modules/flourish/tables";
export * from "../modules/garden/tables";
export * from "../modules/guardians/tables";
export * from "../modules/nourishment/tables";
export * from "../modules/orchard/tables";
export * from "../modules/sunlight/tables";
export * from "../modules/support/tables";
export * from "../modules/teamup/tables";
export * from "../modules/trust/tables";
export * from "../modules/users/tables";
export * from "./shared-tables";
