/** @module support/schemas: anonymous support requests and responses on the wire (never an author field). */

import { z } from "@hono/zod-openapi";
import { trustRank } from "../../core/accounts/current-user";
import { contributorIdSchema, presentContributor } from "../../core/authors";
import { CrisisResource } from "../../core/moderation/crisis";
import { MODERATION_STATUSES } from "../../db/tables/shared";
import {
	SUPPORT_CATEGORIES,
	SUPPORT_STATUSES,
	SUPPORT_VISIBILITIES,
	type SupportRequestRow,
} from "../../db/tables/support";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp } from "../../lib/schemas";

import type { ResponseWithResponder } from "./service";

export const TITLE_MIN = 5;
export const TITLE_MAX = 150;
export const BODY_MIN = 10;
export const BODY_MAX = 5000;
export const RESPONSE_MAX = 5000;

export const SupportTokenHeader = z.object({
	"x-support-token": z.string().max(200).optional().openapi({
		description: "The token returned once when the request was created (proves you wrote it).",
	}),
});

const requestFields = {
	title: boundedText(TITLE_MIN, TITLE_MAX),
	body: boundedText(BODY_MIN, BODY_MAX),
	category: z.enum(SUPPORT_CATEGORIES),
	visibility: z.enum(SUPPORT_VISIBILITIES).openapi({
		description: "`community`: every signed-in user; `guides_only`: verified Guides (and guardians).",
	}),
};

export const CreateSupportRequest = z
	.strictObject({ ...requestFields, visibility: requestFields.visibility.default("community") })
	.openapi("CreateSupportRequest");

export const UpdateSupportRequest = z
	.strictObject(requestFields)
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateSupportRequest");

export const SetSupportStatus = z
	.strictObject({ status: z.enum(["resolved", "closed"]) })
	.openapi("SetSupportStatus");

export const CreateSupportResponse = z
	.strictObject({ body: boundedText(1, RESPONSE_MAX) })
	.openapi("CreateSupportResponse");

export const SupportListQuery = PageQuery.extend({
	status: z.enum(SUPPORT_STATUSES).optional().openapi({
		description: "Only this status; by default the still-active requests (open and responded).",
	}),
	category: z.enum(SUPPORT_CATEGORIES).optional(),
	visibility: z.enum(SUPPORT_VISIBILITIES).optional(),
});

export const SupportRequest = z
	.object({
		id: z.uuid(),
		title: z.string(),
		body: z.string(),
		category: z.enum(SUPPORT_CATEGORIES),
		visibility: z.enum(SUPPORT_VISIBILITIES),
		status: z.enum(SUPPORT_STATUSES),
		is_urgent: z
			.boolean()
			.openapi({ description: "High self-harm risk: sorted first, raised to guardians." }),
		response_count: z.number().int(),
		moderation_status: z.enum(MODERATION_STATUSES),
		pending_review: z.boolean().openapi({ description: "Hidden from others until a guardian reviews it." }),
		is_mine: z.boolean().openapi({ description: "True when a valid X-Support-Token came with the request." }),
		created_at: IsoTimestamp.openapi({ description: "Rounded down to the hour." }),
		updated_at: IsoTimestamp.openapi({ description: "Rounded down to the hour." }),
	})
	.openapi("SupportRequest", {
		description:
			"No field links a request to its author, nor dates it finer than the hour: the id is random (UUIDv4).",
	});
export const SupportRequestPage = pageOf(SupportRequest, "SupportRequestPage");

export const SupportResponse = z
	.object({
		id: z.uuid(),
		request_id: z.uuid(),
		body: z.string(),
		is_guide_response: z.boolean().openapi({ description: "Written by a verified Guide." }),
		is_helpful: z.boolean(),
		moderation_status: z.enum(MODERATION_STATUSES),
		pending_review: z.boolean(),
		responder: z.object({
			id: contributorIdSchema,
			display_name: z.string(),
			avatar_url: z.string().nullable(),
			is_verified_guide: z.boolean(),
		}),
		created_at: IsoTimestamp,
	})
	.openapi("SupportResponse");

export const SupportRequestWithResponses = SupportRequest.extend({
	responses: z.array(SupportResponse),
	crisis_resources: z.array(CrisisResource).optional().openapi({
		description:
			"Present for the asker (read with `X-Support-Token`) while the request reads as a crisis: people you can reach right now, your country's first. Whoever comes back to an urgent request finds them again.",
	}),
}).openapi("SupportRequestWithResponses");

export const CreatedSupportRequest = z
	.object({
		request: SupportRequest,
		token: z.string().openapi({
			description:
				"The only proof that you wrote this request: keep it. It is shown once and cannot be recovered.",
		}),
		crisis_resources: z.array(CrisisResource).optional().openapi({
			description: "Present when the text reads as a crisis: people you can reach right now.",
		}),
	})
	.openapi("CreatedSupportRequest");

export const EditedSupportRequest = SupportRequest.extend({
	crisis_resources: z.array(CrisisResource).optional(),
}).openapi("EditedSupportRequest");

export function toSupportRequest(row: SupportRequestRow, isMine: boolean): z.infer<typeof SupportRequest> {
	return {
		id: row.id,
		title: row.title,
		body: row.body,
		category: row.category,
		visibility: row.visibility,
		status: row.status,
		is_urgent: row.isUrgent,
		response_count: row.responseCount,
		moderation_status: row.moderationStatus,
		pending_review: row.moderationStatus === "hidden",
		is_mine: isMine,
		created_at: row.createdAt,
		updated_at: row.updatedAt,
	};
}

export function toSupportResponse({
	response,
	responder,
}: ResponseWithResponder): z.infer<typeof SupportResponse> {
	return {
		id: response.id,
		request_id: response.requestId,
		body: response.body,
		is_guide_response: response.isGuideResponse,
		is_helpful: response.isHelpful,
		moderation_status: response.moderationStatus,
		pending_review: response.moderationStatus === "hidden",
		responder: {
			...presentContributor(responder),
			is_verified_guide:
				responder.deletedAt === null &&
				responder.role === "guide" &&
				trustRank(responder.trustLevel) >= trustRank("good_soil"),
		},
		created_at: response.createdAt,
	};
}
