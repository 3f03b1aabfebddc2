/**
 * @module media: photos and videos people upload — stored in R2 without their metadata, served with the
 * headers that keep them inert, visible to whoever may see what they are attached to.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export { ATTACHMENT_RULES, type AttachmentRule, registerAttachmentRule, type Sight } from "./access";
export {
	type Attachment,
	attachFailure,
	attachStatements,
	deleteAttachedStatement,
	detachStatement,
} from "./attach";
export {
	type DeletedMedia,
	deletedMediaOf,
	MEDIA_SWEEP_LIMIT,
	ORPHAN_MIN_AGE_MS,
	ORPHAN_SWEEP_POSITION_KEY,
	purgeMedia,
	runMediaLifecycle,
	sweepOrphanedObjects,
	UNATTACHED_TTL_MS,
} from "./lifecycle";
export { mediaPath, mediaRoutes, presentMedia } from "./routes";
