/** @module db/schema: every table, the one index drizzle-kit and the drizzle client read (src/db/tables/<feature>.ts). */

export * from "./tables/fellowship";
export * from "./tables/flourish";
export * from "./tables/garden";
export * from "./tables/guardians";
export * from "./tables/idempotency";
export * from "./tables/media";
export * from "./tables/notifications";
export * from "./tables/nourishment";
export * from "./tables/orchard";
export * from "./tables/push";
export * from "./tables/shared";
export * from "./tables/sunlight";
export * from "./tables/support";
export * from "./tables/teamup";
export * from "./tables/trust";
export * from "./tables/users";
