/**
 * @module tickets: single-use WebSocket tickets (chat and the live stream): 256 random bits, base64url, and
 * the SHA-256 hash that is all a database keeps of one. A ticket is short-lived and spent once, so a fast
 * unsalted hash is enough: it cannot be guessed, only stolen, and a stolen hash opens nothing.
 */

function toBase64Url(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A new ticket: 32 random bytes, base64url (43 characters). */
export function randomTicket(): string {
	return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** SHA-256 of `text`, in hex (what the tickets tables store). */
export async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
