/**
 * Flourish's service worker, served from the site's root (scope `/`): it shows Web Push notifications and, on a
 * tap, brings the app forward at the notification's page. Nothing else: no fetch handler, no cache, so pages
 * and the API always come from the network exactly as without it.
 *
 * A push's data is the API's JSON (src/modules/push/payload.ts: `{ type, title, body, url, tag,
 * notification_id }`). It says what kind of thing happened and who acted, never the words of a post or message.
 * A tap opens `url` if it is a path of this site, else the notifications page; an open window of the app is
 * focused and told where to go (the app navigates in place), otherwise a new one opens.
 *
 * Plain JavaScript, loaded as a classic worker: web/src/notifications/sw.test.ts runs this very file with a
 * stand-in `self` and checks both handlers.
 */

const FALLBACK_PATH = "/notifications";

/** The title and options of the notification a push's text asks for (calm words when it says nothing usable). */
function notificationOf(text) {
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = null;
	}
	const fields = data && typeof data === "object" ? data : {};
	const title = typeof fields.title === "string" && fields.title ? fields.title : "Flourish";
	const body =
		typeof fields.body === "string" && fields.body
			? fields.body
			: "Something new is waiting for you in Flourish.";
	const options = {
		body,
		tag: typeof fields.tag === "string" && fields.tag ? fields.tag : undefined,
		data: {
			url: typeof fields.url === "string" ? fields.url : FALLBACK_PATH,
			notification_id: typeof fields.notification_id === "string" ? fields.notification_id : null,
		},
	};
	return { title, options };
}

/** A path of this site to open, never another origin's address. */
function pathToOpen(url, origin) {
	try {
		const target = new URL(typeof url === "string" ? url : FALLBACK_PATH, origin);
		return target.origin === origin ? target.pathname + target.search + target.hash : FALLBACK_PATH;
	} catch {
		return FALLBACK_PATH;
	}
}

async function showPush(text) {
	const { title, options } = notificationOf(text);
	await self.registration.showNotification(title, options);
}

async function openApp(path) {
	const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
	const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
	if (open) {
		await open.focus();
		open.postMessage({ type: "flourish:open", path });
		return;
	}
	await self.clients.openWindow(path);
}

self.addEventListener("install", () => {
	self.skipWaiting();
});

self.addEventListener("activate", (event) => {
	event.waitUntil(self.clients.claim());
});

self.addEventListener("push", (event) => {
	event.waitUntil(showPush(event.data ? event.data.text() : null));
});

self.addEventListener("notificationclick", (event) => {
	event.notification.close();
	const data = event.notification.data || {};
	event.waitUntil(openApp(pathToOpen(data.url, self.location.origin)));
});
