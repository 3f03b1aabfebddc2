/**
 * @module trust: Trust: the trust levels, automatic promotion to growing, and applications for higher levels and to be a guide.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */

export { checksPromotionAfterContribution } from "./promotion";
export { trustRoutes } from "./routes";
export { maybePromoteToGrowing } from "./service";
