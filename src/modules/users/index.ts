/**
 * @module users: profiles: my profile and preferences, and other people's public profiles.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { usersRoutes } from "./routes";
export { MyProfile, toMyProfile } from "./schemas";
