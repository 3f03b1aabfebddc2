/**
 * @module push/routes: Web Push for clients — the key to subscribe with, my subscriptions, and a test push.
 */
import { requestContext } from "../../http/context";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { PUSH_TEST_IP_POLICY, PUSH_TEST_USER_POLICY } from "../../lib/burst-policies";
import { Problem } from "../../lib/problem";
import { idParam } from "../../lib/schemas";
import { vapidPublicKey } from "../../lib/web-push";
import {
	NewPushSubscription,
	PushPublicKey,
	PushSubscriptionList,
	PushSubscriptionView,
	PushTestResult,
} from "./schemas";
import { canPush } from "./send";
import {
	deleteSubscription,
	listSubscriptions,
	MAX_SUBSCRIPTIONS,
	saveSubscription,
	sendTestPush,
} from "./subscriptions";

const tags = ["push"];

const notConfigured = () =>
	new Problem(503, {
		detail: "Push is not configured on this deployment (VAPID_PRIVATE_KEY and VAPID_SUBJECT).",
		kind: "push-not-configured",
	});

const getPublicKey = defineRoute("public", {
	method: "get",
	path: "/push/public-key",
	operationId: "getPushPublicKey",
	tags,
	summary: "The VAPID key browsers subscribe with",
	responses: {
		200: { description: "The application server key.", content: jsonContent(PushPublicKey) },
		503: problemResponse("Push is not configured on this deployment."),
	},
});

const subscribe = defineRoute("self_even_if_suspended", {
	method: "post",
	path: "/push/subscriptions",
	operationId: "createPushSubscription",
	tags,
	summary: "Register this browser's push subscription",
	description: `The body is \`PushSubscription.toJSON()\`. The same endpoint again is the same subscription (200, its keys refreshed). At most ${MAX_SUBSCRIPTIONS} per person: a new one beyond that ends the oldest. An endpoint registered by another account moves to me only with the keys it was registered with. A suspended account may subscribe: it is still told about its own account.`,
	request: { body: { required: true, content: jsonContent(NewPushSubscription) } },
	responses: {
		201: { description: "Registered.", content: jsonContent(PushSubscriptionView) },
		200: {
			description: "Already registered: the same subscription.",
			content: jsonContent(PushSubscriptionView),
		},
		409: problemResponse("Another account registered this endpoint with other keys."),
		422: problemResponse(
			"The endpoint is not a known push service, the keys are invalid, or it has expired.",
		),
	},
});

const list = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/push/subscriptions",
	operationId: "listPushSubscriptions",
	tags,
	summary: "My push subscriptions, newest first",
	responses: { 200: { description: "My subscriptions.", content: jsonContent(PushSubscriptionList) } },
});

const remove = defineRoute("self_even_if_suspended", {
	method: "delete",
	path: "/push/subscriptions/{subscription_id}",
	operationId: "deletePushSubscription",
	tags,
	summary: "Stop pushing to one of my subscriptions (e.g. on sign-out)",
	request: { params: idParam("subscription_id") },
	responses: {
		204: { description: "Deleted." },
		404: problemResponse("No such subscription of mine."),
	},
});

const test = defineRoute(
	"self_even_if_suspended",
	{
		method: "post",
		path: "/push/test",
		operationId: "sendTestPush",
		tags,
		summary: "Send a test push to each of my subscriptions",
		description:
			"For wiring a client: answers how many of my subscriptions the push services accepted. Subscriptions the push service says are gone (404/410) are deleted. At most 5 a minute.",
		responses: {
			200: { description: "What the push services answered.", content: jsonContent(PushTestResult) },
			503: problemResponse("Push is not configured on this deployment."),
		},
	},
	{ perCaller: { user: PUSH_TEST_USER_POLICY, ip: PUSH_TEST_IP_POLICY } },
);

export const pushRoutes = createRouter()
	.openapi(getPublicKey, async (c) => {
		if (!canPush(c.env)) throw notConfigured();
		const publicKey = await vapidPublicKey(c.env.VAPID_PRIVATE_KEY ?? "");
		c.header("Cache-Control", "public, max-age=3600");
		return c.json({ public_key: publicKey }, 200);
	})
	.openapi(subscribe, async (c) => {
		const { db, user, now } = requestContext(c);
		const saved = await saveSubscription(
			db,
			user.id,
			c.req.valid("json"),
			c.env.PUSH_ENDPOINT_ALLOWLIST ?? "",
			now,
		);
		const body = { id: saved.id, endpoint: saved.endpoint, created_at: saved.created_at };
		return saved.created ? c.json(body, 201) : c.json(body, 200);
	})
	.openapi(list, async (c) => {
		const { db, user } = requestContext(c);
		return c.json({ data: await listSubscriptions(db, user.id) }, 200);
	})
	.openapi(remove, async (c) => {
		const { db, user } = requestContext(c);
		await deleteSubscription(db, user.id, c.req.valid("param").subscription_id);
		return c.body(null, 204);
	})
	.openapi(test, async (c) => {
		const { db, user, now } = requestContext(c);
		if (!canPush(c.env)) throw notConfigured();
		return c.json(await sendTestPush(c.env, db, user.id, now), 200);
	});
