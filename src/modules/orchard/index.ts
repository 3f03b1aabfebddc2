/**
 * @module orchard: The Orchard: connections and blocks, verified guides and mentorships, and private chat (each conversation a ChatRoom Durable Object).
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */

export {
	chatMessageForReport,
	closeChatSocketsOf,
	eraseChatMessagesOf,
	purgeExpiredChatTickets,
	roomFor,
} from "./chat";
export { purgeEndedCooldowns } from "./connections";
export { orchardRoutes } from "./routes";
export { Guide as GuideSchema } from "./schemas";
export { guideSearch } from "./search";
