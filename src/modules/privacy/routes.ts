/**
 * @module privacy/routes: my privacy rights on `/users/me` — the export of everything stored about me, and
 * the deletion of my account. Both are open to a suspended person: access to one's data is a right.
 */
import { currentUser } from "../../auth/guards";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { deleteAccount } from "./erase";
import { exportAccount } from "./export";
import { AccountDeletion, AccountExport } from "./schemas";

const exportMe = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/users/me/export",
	operationId: "exportMyData",
	tags: ["users"],
	summary: "Everything stored about me, as JSON",
	description:
		"Profile, garden, posts, comments, reactions, shares, connections, blocks, mentorships, the messages I sent, memberships, RSVPs, applications, reports I filed, penalties and appeals. Other people appear by id only. Anonymous support requests are not linked to any account and cannot be included. Each collection holds at most its 1000 newest rows (chat: 100 conversations × 500 messages); `truncated` names what was cut. Suspended people may export too.",
	responses: {
		200: { description: "The export.", content: jsonContent(AccountExport) },
		503: problemResponse("D1 or a chat room is unavailable; retry."),
	},
});

const deleteMe = defineRoute("self_even_if_suspended", {
	method: "delete",
	path: "/users/me",
	operationId: "deleteMe",
	tags: ["users"],
	summary: "Delete my account",
	description:
		'Erases my personal data at once, in one atomic step: profile, email and sign-in link, garden, connections, blocks, memberships, applications; my posts, comments and sunlight shares are removed; my answers to support requests and project discussions stay, signed "Former member" with no id; my anonymous sunlight shares go at a random moment one to fourteen days later (so their removal does not point at me); a suspension in force carries over to my next account; evidence of an open report stays until the case has been closed for 90 days. Groups and projects I own pass to their longest-standing moderator/admin, or are archived. My chat messages are blanked (the other person keeps the conversation, read-only) and my RSVPs withdrawn in each Durable Object right after (202 when some of that is still queued; it is retried in the background). The next sign-in with the same identity starts a fresh account; a retry after success therefore deletes that fresh, empty account (204). See README.md, "Privacy".',
	responses: {
		204: { description: "Deleted, with nothing left to clean up." },
		202: {
			description: "Deleted; some clean-up in Durable Objects is queued and retried in the background.",
			content: jsonContent(AccountDeletion),
		},
		409: problemResponse("I am the last active guardian."),
		503: problemResponse("D1 is unavailable; nothing was deleted. Retry."),
	},
});

export const privacyRoutes = createRouter()
	.openapi(exportMe, async (c) => {
		// Everything about a person: a sensitive read, `Cache-Control: private, no-store` and no ETag
		// (http/sensitive-reads).
		return c.json(await exportAccount(c.env, currentUser(c)), 200);
	})
	.openapi(deleteMe, async (c) => {
		const { pendingCleanup } = await deleteAccount(c.env, currentUser(c));
		if (pendingCleanup === 0) return c.body(null, 204);
		return c.json(
			{
				status: "deleted" as const,
				pending_cleanup: pendingCleanup,
				detail:
					"Your account is deleted. Blanking your chat messages and withdrawing your RSVPs continues in the background.",
			},
			202,
		);
	});
